#!/usr/bin/python3
"""UDP clients on the kernel's sockets, for tests/integration/test_udp.sh.

usage: udp_client.py [--from PORT] seed HOST PORT MESSAGE
           post one letter (the tutorial's client, as UDP), print the answer
       udp_client.py [--from PORT] burst HOST PORT COUNT SIZE
           COUNT datagrams of SIZE bytes as fast as they go, then count the
           answers until none has come for a second: prints "N answers"
       udp_client.py [--from PORT] echo HOST PORT COUNT SEED [MAX]
           COUNT datagrams of random sizes 0..MAX (1472: one packet each)
           and random bytes, from random.Random(SEED), the first two of the
           extreme sizes 0 and MAX; each must come back byte-identical
           before the next is sent

Exit status 0 when every answer came, 1 otherwise.
"""
import random
import socket
import sys


def main(argv):
    src = 0
    if argv[:1] == ["--from"]:
        src, argv = int(argv[1]), argv[2:]
    mode, host, port = argv[0], argv[1], int(argv[2])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)      # socket(AF_INET, SOCK_DGRAM)
    s.bind(("", src))
    s.settimeout(5)
    if mode == "seed":
        s.sendto(argv[3].encode(), (host, port))                # sendto(data, (ip, port))
        data, who = s.recvfrom(65536)                           # recvfrom(65536)
        print(data.decode(errors="replace"))
        return 0
    if mode == "burst":
        count, size = int(argv[3]), int(argv[4])
        for i in range(count):
            s.sendto(b"x" * size, (host, port))
        s.settimeout(1)
        answers = 0
        try:
            while True:
                s.recvfrom(65536)
                answers += 1
        except socket.timeout:
            pass
        print("%d answers" % answers)
        return 0
    count, seed = int(argv[3]), int(argv[4])
    most = int(argv[5]) if len(argv) > 5 else 1472
    rng = random.Random(seed)
    good = sizes = 0
    for i in range(count):
        size = (0, most)[i] if i < 2 else rng.randint(0, most)
        data = bytes(rng.getrandbits(8) for _ in range(size))
        sizes += len(data)
        s.sendto(data, (host, port))
        try:
            back, who = s.recvfrom(65536)
        except socket.timeout:
            print("datagram %d (%d bytes): no echo within 5 s" % (i, len(data)))
            return 1
        if back != data or who != (host, port):
            print("datagram %d (%d bytes): the echo differs (%d bytes from %s)"
                  % (i, len(data), len(back), who))
            return 1
        good += 1
    print("%d of %d datagrams (%d bytes) echoed byte-identical" % (good, count, sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
