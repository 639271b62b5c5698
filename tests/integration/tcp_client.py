#!/usr/bin/python3
"""TCP clients (and one small server) on the kernel's sockets, for the TCP
integration tests.

usage: tcp_client.py [--from PORT] COMMAND ARGS...
       --from PORT binds the client's own port first (SO_REUSEADDR), so a
       test can find its connection in a trace.

       tcp_client.py seed HOST PORT MESSAGE
           The seed's client: connect, send MESSAGE, recv(1024), print what
           came back, close.
       tcp_client.py orphan HOST PORT MESSAGE SECONDS
           Send MESSAGE, read the reply up to the server's FIN (EOF), then
           keep our side open SECONDS before closing: the server's side of
           the connection, closed by its user, waits in FIN-WAIT-2.
       tcp_client.py late HOST PORT MESSAGE
           Send MESSAGE, read the reply up to EOF, then send more data to
           the connection the server has closed: succeeds (status 0) when
           the server answers with a reset (recv/send fail with
           ECONNRESET or EPIPE), as RFC 9293 3.6 asks when data arrives
           after CLOSE.
       tcp_client.py server PORT CLOSE_DELAY
           A server for one client: listen on PORT (any address), echo what
           the client sends until its FIN, then wait CLOSE_DELAY seconds
           before closing: the client has closed first, and its TCP must
           still answer our FIN after that delay.
       tcp_client.py refused HOST PORT [MAX_SECONDS]
           Connect to a port nobody listens on: succeeds (status 0) when
           connect() fails with ECONNREFUSED within MAX_SECONDS (default 1).
       tcp_client.py echo HOST PORT [--size N] [--conns C] [--parallel]
                     [--seed S] [--timeout SECONDS]
           C connections (default 1), one after another or, with --parallel,
           all at once (one thread each, released together).  Each sends N
           random bytes (default 65536) while reading the echo, shuts down
           its write side after the last byte, reads to EOF, and compares.

Every socket operation has a timeout (--timeout, default 30 s), so a stalled
connection fails instead of hanging.  Exit status 0 only if every
connection did what was expected; problems are printed as "# ..." lines.
"""
import random
import socket
import sys
import threading
import time


BIND_PORT = 0


def connect(host, port, timeout=10):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if BIND_PORT:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", BIND_PORT))
    s.connect((host, int(port)))
    return s


def read_to_eof(s):
    got = bytearray()
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return bytes(got)
        got += chunk


def seed(host, port, message):
    s = connect(host, port)
    s.send(message.encode())
    data = s.recv(1024)
    print(data.decode(errors="replace"))
    s.close()
    return 0


def orphan(host, port, message, seconds):
    s = connect(host, port)
    s.sendall(message.encode())
    reply = read_to_eof(s)
    print(f"reply {reply.decode(errors='replace')!r}, then EOF; holding our side open {seconds} s")
    time.sleep(float(seconds))
    s.close()
    return 0


def late(host, port, message):
    s = connect(host, port)
    s.sendall(message.encode())
    reply = read_to_eof(s)
    print(f"reply {reply.decode(errors='replace')!r}, then EOF; sending more")
    try:
        s.sendall(b"late data, after the server's close")
        time.sleep(0.5)         # the answer: an ACK, or a reset
        s.sendall(b"x")         # fails once a reset has arrived
        time.sleep(0.2)
        s.sendall(b"y")
    except (ConnectionResetError, BrokenPipeError) as e:
        print(f"reset: {e!r}")
        return 0
    finally:
        s.close()
    print("# no reset: the late data was accepted (ACKed) by a connection nobody reads")
    return 1


def server(port, close_delay):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", int(port)))
    ls.listen(8)
    ls.settimeout(30)
    print(f"listening on {port}", flush=True)
    s, peer = ls.accept()
    s.settimeout(30)
    total = 0
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        s.sendall(chunk)
        total += len(chunk)
    print(f"echoed {total} bytes to {peer[0]}:{peer[1]}; EOF; closing in {close_delay} s", flush=True)
    time.sleep(float(close_delay))
    s.close()
    ls.close()
    return 0


def refused(host, port, max_seconds="1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(10)
    t0 = time.monotonic()
    try:
        s.connect((host, int(port)))
    except ConnectionRefusedError:
        dt = time.monotonic() - t0
        print(f"ECONNREFUSED after {dt * 1000:.1f} ms")
        return 0 if dt < float(max_seconds) else 1
    except OSError as e:
        print(f"# connect failed, but not with ECONNREFUSED: {e!r}")
        return 1
    finally:
        s.close()
    print("# connect() succeeded; expected ECONNREFUSED")
    return 1


def echo_one(host, port, size, timeout, rng, result, idx, start=None):
    """One connection: send `size` random bytes, read the echo to EOF."""
    payload = rng.randbytes(size)
    send_err = []
    s = None
    try:
        if start is not None:
            start.wait(timeout)
        s = connect(host, port, timeout)

        def sender():
            try:
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
            except OSError as e:
                send_err.append(e)

        t = threading.Thread(target=sender, daemon=True)
        t.start()
        got = bytearray()
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        t.join(timeout)
        if t.is_alive():
            result[idx] = "sender still blocked after EOF"
        elif send_err:
            result[idx] = f"send: {send_err[0]!r}"
        elif bytes(got) == payload:
            result[idx] = None
        else:
            diff = next((i for i in range(min(len(got), size)) if got[i] != payload[i]),
                        min(len(got), size))
            result[idx] = f"echo differs: got {len(got)} of {size} bytes, first difference at byte {diff}"
    except OSError as e:
        result[idx] = f"{e!r}"
    finally:
        if s is not None:
            s.close()


def echo(host, port, args):
    size, conns, parallel, seed_, timeout = 65536, 1, False, 1, 30.0
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--size":
            size = int(args[i + 1]); i += 2
        elif a == "--conns":
            conns = int(args[i + 1]); i += 2
        elif a == "--parallel":
            parallel = True; i += 1
        elif a == "--seed":
            seed_ = int(args[i + 1]); i += 2
        elif a == "--timeout":
            timeout = float(args[i + 1]); i += 2
        else:
            print(f"# unknown option {a}")
            return 2
    port = int(port)
    result = ["not run"] * conns
    t0 = time.monotonic()
    if parallel:
        start = threading.Event()
        threads = [threading.Thread(target=echo_one,
                                    args=(host, port, size, timeout, random.Random(seed_ + k),
                                          result, k, start), daemon=True)
                   for k in range(conns)]
        for t in threads:
            t.start()
        start.set()
        deadline = time.monotonic() + 4 * timeout
        for t in threads:
            t.join(max(0.1, deadline - time.monotonic()))
        for k, t in enumerate(threads):
            if t.is_alive():
                result[k] = "still running at the deadline"
    else:
        for k in range(conns):
            echo_one(host, port, size, timeout, random.Random(seed_ + k), result, k)
    dt = time.monotonic() - t0
    bad = [(k, r) for k, r in enumerate(result) if r is not None]
    print(f"{conns - len(bad)} of {conns} connections echoed {size} bytes identically "
          f"in {dt:.2f} s")
    for k, r in bad[:10]:
        print(f"# connection {k}: {r}")
    if len(bad) > 10:
        print(f"# ... and {len(bad) - 10} more")
    return 0 if not bad else 1


def main(argv):
    global BIND_PORT
    if len(argv) >= 2 and argv[0] == "--from":
        BIND_PORT = int(argv[1])
        argv = argv[2:]
    if len(argv) == 5 and argv[0] == "orphan":
        return orphan(*argv[1:])
    if len(argv) == 3 and argv[0] == "server":
        return server(*argv[1:])
    if len(argv) == 4 and argv[0] == "late":
        return late(*argv[1:])
    if len(argv) >= 4 and argv[0] == "seed":
        return seed(*argv[1:4])
    if len(argv) in (3, 4) and argv[0] == "refused":
        return refused(*argv[1:])
    if len(argv) >= 3 and argv[0] == "echo":
        return echo(argv[1], argv[2], argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
