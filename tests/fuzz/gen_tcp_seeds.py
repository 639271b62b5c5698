#!/usr/bin/env python3
"""gen_tcp_seeds.py - write the seed scripts of fuzz_tcp.c.

    tests/fuzz/gen_tcp_seeds.py      (re)writes tests/fuzz/seeds/fuzz_tcp/*

Read this first: a fuzz_tcp input is three setup bytes and then a script
of operations (the header of fuzz_tcp.c describes the setup bytes).  Each
seed here is one exchange a learner would recognise: a transfer and a
close, an active open, a zero window, a hole and its repair, three
duplicate ACKs, TIME-WAIT, ...  libFuzzer starts from them and mutates, so
it reaches the deep states without first having to guess a handshake.

The helpers below are the encoding, operation by operation; keep them in
step with fuzz_tcp.c.
"""
import os
import struct

# Operations (enum op in fuzz_tcp.c): 0-5 are all "a segment arrives".
SEGMENT, ADVANCE, SEND, RECV, SHUTDOWN, CLOSE, ACCEPT, ABORT, RAW, REOPEN = \
    0, 6, 7, 8, 9, 10, 11, 12, 13, 14

FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20

# Endpoints (ep_ports in fuzz_tcp.c).
EP_HANDSHAKE, EP_ACTIVE, EP_P2, EP_P3, EP_WRONG, EP_80, EP_P6, EP_CLOSED = range(8)

# Slots: 0 the listener, 1 the active connection, 2.. accept()ed ones
# (the crafted handshake's connection is slot 2).
LISTENER, ACTIVE, FIRST = 0, 1, 2

# Setup byte 0.
ACTIVE_OPEN, ESTABLISHED = 0x01, 0x02
ISS_1000, ISS_WRAP, ISS_HALF, ISS_ZERO = 0 << 2, 1 << 2, 2 << 2, 3 << 2
DELACK, NODELAY = 0x10, 0x20
BACKLOG_1, BACKLOG_2, BACKLOG_16, BACKLOG_128 = 0 << 6, 1 << 6, 2 << 6, 3 << 6


def sizes(snd=2, rcv=2, msl=0, rto=0):
    """Byte 1: indexes into buf_table (1024, 4096, 65536, 120000),
    msl_table (2000, 100, 10, 60000) and rto_min_table (1000, 200, 1)."""
    return snd | rcv << 2 | msl << 4 | rto << 6


def handshake(mss=1, wscale=0, irs=0, small_window=False):
    """Byte 2: MSS index (0 none, 1 1460, 2 536, 3 1, 4 100, 5 1400,
    6 9000, 7 65535), wscale index (0 none, 1 0, 2 7, 3 14), ISN index
    (5000, 0xFFFFFFF0, 0x80000000, 0)."""
    return mss | wscale << 3 | irs << 5 | (0x80 if small_window else 0)


def seg(ep, flags, seq=("rcv", 0), ack=("snd", 0), wnd=255, opts=None,
        length=0):
    """A segment from the peer.
    seq: ("rcv", d) the stack's last ACK + d (-128..127); ("rel", n) ISN + n
         (16 bits); ("next", d) the end of the peer's previous segment + d;
         ("raw", n) (a SYN makes n the ISN).
    ack: ("snd", d) the highest seq the stack sent + d; ("iss", n) its
         ISS + n (16 bits); ("dup",) the peer's previous ACK; ("raw", n).
    wnd: a byte, < 16 as it is, else times 257 (255: 65535).
    opts: None; ("mss", i); ("mss_ws", i, j) (mss_table, wscale_table);
          ("raw", bytes).
    length: a byte, < 128 as it is, < 192 times 23, else all that fits."""
    modes = {"rcv": 0, "rel": 1, "next": 2, "raw": 3}
    amodes = {"snd": 0, "iss": 1, "dup": 2, "raw": 3}
    out = bytes([ep | modes[seq[0]] << 3 | amodes[ack[0]] << 5, 0x80 | flags])
    if seq[0] in ("rcv", "next"):
        out += struct.pack("b", seq[1])
    elif seq[0] == "rel":
        out += struct.pack(">H", seq[1])
    else:
        out += struct.pack(">I", seq[1] & 0xFFFFFFFF)
    if ack[0] == "snd":
        out += struct.pack("b", ack[1])
    elif ack[0] == "iss":
        out += struct.pack(">H", ack[1])
    elif ack[0] == "raw":
        out += struct.pack(">I", ack[1] & 0xFFFFFFFF)
    out += bytes([wnd])
    if opts is None:
        out += b"\x00"
    elif opts[0] == "mss":
        out += bytes([1 | opts[1] << 2])
    elif opts[0] == "mss_ws":
        out += bytes([2 | opts[1] << 2 | opts[2] << 5])
    else:
        out += bytes([3, len(opts[1])]) + opts[1]
    return bytes([SEGMENT]) + out + bytes([length])


def advance(ms=None, deadline=False):
    """The clock: to the next deadline, or by ms (rounded to what the
    encoding has: 0-63 ms, 50 ms steps, 1 s steps)."""
    if deadline:
        return bytes([ADVANCE, 3])
    if ms < 64:
        return bytes([ADVANCE, ms << 2])
    if ms < 64 * 50:
        return bytes([ADVANCE, (ms // 50) << 2 | 1])
    return bytes([ADVANCE, min(ms // 1000, 63) << 2 | 2])


def send(slot, length):
    """length: < 128 as it is, else 512 * (b - 128)."""
    b = length if length < 128 else 128 + length // 512
    return bytes([SEND, slot, b])


def recv(slot, length=0):
    return bytes([RECV, slot, length // 64])


def shutdown(slot):
    return bytes([SHUTDOWN, slot])


def close(slot):
    return bytes([CLOSE, slot])


def accept():
    return bytes([ACCEPT])


def abort(slot):
    return bytes([ABORT, slot])


def bad_checksum(segment, where=4, xor=0x40):
    """A segment op turned into a broken one: a byte flipped."""
    return bytes([RAW, 1]) + segment[1:] + struct.pack(">HB", where, xor)


def reopen(connect):
    return bytes([REOPEN, 1 if connect else 0])


SEEDS = {}

# Passive open by the crafted handshake, data both ways, the peer closes
# first: ESTABLISHED -> CLOSE-WAIT -> LAST-ACK -> CLOSED.
SEEDS["established-echo-close"] = (
    bytes([ESTABLISHED, sizes(), handshake()]) +
    seg(EP_HANDSHAKE, ACK | PSH, length=100) +
    recv(FIRST) +
    send(FIRST, 100) +
    seg(EP_HANDSHAKE, ACK) +
    seg(EP_HANDSHAKE, FIN | ACK) +
    recv(FIRST) +
    close(FIRST) +
    seg(EP_HANDSHAKE, ACK))

# We close first: FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT, then 2*MSL.
SEEDS["active-close-time-wait"] = (
    bytes([ESTABLISHED, sizes(msl=1), handshake(mss=2)]) +
    send(FIRST, 1000) +
    seg(EP_HANDSHAKE, ACK) +
    close(FIRST) +
    seg(EP_HANDSHAKE, ACK) +
    seg(EP_HANDSHAKE, FIN | ACK) +
    seg(EP_HANDSHAKE, FIN | ACK, seq=("rcv", -1)) +
    advance(250))

# TIME-WAIT, and a new SYN beyond the old numbers reopens the pair.
SEEDS["time-wait-reopen"] = (
    bytes([ESTABLISHED, sizes(), handshake()]) +
    close(FIRST) +
    seg(EP_HANDSHAKE, FIN | ACK) +
    seg(EP_HANDSHAKE, SYN, seq=("rcv", 100), opts=("mss", 1)) +
    seg(EP_HANDSHAKE, ACK) +
    accept() +
    seg(EP_HANDSHAKE, ACK | PSH, length=50) +
    recv(FIRST))

# Simultaneous close: both FINs cross (CLOSING).
SEEDS["simultaneous-close"] = (
    bytes([ESTABLISHED, sizes(), handshake()]) +
    shutdown(FIRST) +
    seg(EP_HANDSHAKE, FIN | ACK, ack=("snd", -1)) +
    seg(EP_HANDSHAKE, ACK) +
    advance(deadline=True))

# Active open: SYN-SENT -> ESTABLISHED, a bulk send against a small MSS,
# ACKs, a timeout, the rest.
SEEDS["active-open-bulk"] = (
    bytes([ACTIVE_OPEN, sizes(snd=3), 0]) +
    seg(EP_ACTIVE, SYN | ACK, seq=("raw", 7000), ack=("iss", 1),
        opts=("mss", 1)) +
    send(ACTIVE, 20000) +
    seg(EP_ACTIVE, ACK, ack=("iss", 1461)) +
    seg(EP_ACTIVE, ACK, ack=("iss", 4381)) +
    advance(deadline=True) +
    seg(EP_ACTIVE, ACK) +
    seg(EP_ACTIVE, ACK) +
    seg(EP_ACTIVE, FIN | ACK) +
    close(ACTIVE) +
    seg(EP_ACTIVE, ACK))

# Active open with no MSS option (536 assumed) and window scaling.
SEEDS["active-open-no-mss-wscale"] = (
    bytes([ACTIVE_OPEN | NODELAY, sizes(snd=2, rcv=3), 0]) +
    seg(EP_ACTIVE, SYN | ACK, seq=("raw", 0xFFFFFF00), ack=("iss", 1),
        opts=("mss_ws", 4, 3)) +
    send(ACTIVE, 3000) +
    seg(EP_ACTIVE, ACK, wnd=1) +
    seg(EP_ACTIVE, ACK | PSH, length=200) +
    recv(ACTIVE))

# The SYN goes unanswered: retransmissions, then ETIMEDOUT.
SEEDS["syn-sent-timeout"] = (
    bytes([ACTIVE_OPEN, sizes(rto=2), 0]) +
    advance(deadline=True) * 8 +
    recv(ACTIVE) +
    reopen(True))

# Simultaneous open: the peer's SYN crosses ours.
SEEDS["simultaneous-open"] = (
    bytes([ACTIVE_OPEN, sizes(), 0]) +
    seg(EP_ACTIVE, SYN, seq=("raw", 9000), opts=("mss", 5)) +
    seg(EP_ACTIVE, ACK, ack=("iss", 1)) +
    send(ACTIVE, 10) +
    seg(EP_ACTIVE, RST))

# Simultaneous open, and the user closes in SYN-RECEIVED: the FIN must
# wait behind our SYN, whatever the retransmission timer does.
SEEDS["simultaneous-open-close"] = (
    bytes([ACTIVE_OPEN, sizes(), 0]) +
    seg(EP_ACTIVE, SYN, seq=("raw", 9000), opts=("mss", 1)) +
    close(ACTIVE) +
    advance(deadline=True) +
    seg(EP_ACTIVE, ACK, ack=("iss", 1)) +
    seg(EP_ACTIVE, FIN | ACK, seq=("next", 0)))

# A refused connection: RST,ACK to our SYN.
SEEDS["connection-refused"] = (
    bytes([ACTIVE_OPEN, sizes(), 0]) +
    seg(EP_ACTIVE, RST | ACK, seq=("raw", 0), ack=("iss", 1)) +
    send(ACTIVE, 10) +
    recv(ACTIVE) +
    close(ACTIVE) +
    reopen(True))

# The peer's window closes: zero-window probes, then it opens.
SEEDS["zero-window-probe"] = (
    bytes([ESTABLISHED, sizes(snd=1), handshake(mss=2)]) +
    send(FIRST, 4000) +
    seg(EP_HANDSHAKE, ACK, wnd=0) +
    advance(deadline=True) +
    seg(EP_HANDSHAKE, ACK, ack=("snd", -1), wnd=0) +
    advance(deadline=True) +
    advance(deadline=True) +
    seg(EP_HANDSHAKE, ACK, ack=("snd", -1), wnd=255) +
    seg(EP_HANDSHAKE, ACK))

# Our receive buffer fills: the window we offer goes to zero; reading
# opens it again.
SEEDS["receive-buffer-full"] = (
    bytes([ESTABLISHED, sizes(rcv=0), handshake()]) +
    seg(EP_HANDSHAKE, ACK, length=200) +
    seg(EP_HANDSHAKE, ACK, length=200) +
    seg(EP_HANDSHAKE, ACK, length=200) +
    seg(EP_HANDSHAKE, ACK, length=200) +
    seg(EP_HANDSHAKE, ACK | PSH, length=200) +
    recv(FIRST, 512) +
    recv(FIRST))

# Window scaling on our side (a 120000-byte buffer: shift 1) and small
# segments nobody reads: the window's right edge must hold still.
SEEDS["window-scale-small-segments"] = (
    bytes([ESTABLISHED, sizes(rcv=3), handshake(wscale=1)]) +
    seg(EP_HANDSHAKE, ACK | PSH, length=1) * 8 +
    recv(FIRST, 64))

# A hole: a later segment first (held), then the missing one.
SEEDS["out-of-order"] = (
    bytes([ESTABLISHED | DELACK, sizes(), handshake()]) +
    seg(EP_HANDSHAKE, ACK, seq=("rcv", 100), length=100) +
    seg(EP_HANDSHAKE, ACK | FIN, seq=("rel", 301), length=50) +
    seg(EP_HANDSHAKE, ACK, seq=("rcv", 50), length=30) +
    seg(EP_HANDSHAKE, ACK, seq=("rcv", 0), length=100) +
    recv(FIRST) +
    advance(40) +
    recv(FIRST))

# SACK (RFC 2018): a peer that says SACK-permitted, and holes in what it
# sends; our duplicate ACKs carry the blocks held, the newest first.
SEEDS["sack-holes"] = (
    bytes([0, sizes(), 0]) +
    seg(EP_P2, SYN, seq=("rel", 0),
        opts=("raw", bytes([2, 4, 0x05, 0xb4, 1, 1, 4, 2]))) +
    seg(EP_P2, ACK) +
    accept() +
    seg(EP_P2, ACK, seq=("rcv", 100), length=50) +
    seg(EP_P2, ACK, seq=("rcv", 30), length=20) +
    seg(EP_P2, ACK, seq=("rel", 301), length=100) +
    seg(EP_P2, ACK, seq=("rcv", 0), length=40) +
    seg(EP_P2, ACK, seq=("rcv", 0), length=127) +
    recv(FIRST))

# Three duplicate ACKs: fast retransmit, NewReno's partial ACK.
SEEDS["fast-retransmit"] = (
    bytes([ESTABLISHED | NODELAY, sizes(snd=2), handshake(mss=2)]) +
    send(FIRST, 4000) +
    seg(EP_HANDSHAKE, ACK, ack=("iss", 1)) +
    send(FIRST, 4000) +
    seg(EP_HANDSHAKE, ACK, ack=("dup",)) +
    seg(EP_HANDSHAKE, ACK, ack=("dup",)) +
    seg(EP_HANDSHAKE, ACK, ack=("dup",)) +
    seg(EP_HANDSHAKE, ACK, ack=("dup",)) +
    seg(EP_HANDSHAKE, ACK, ack=("iss", 1073)) +
    seg(EP_HANDSHAKE, ACK))

# RFC 5961: a RST in the window but not at RCV.NXT, a SYN in ESTABLISHED
# (challenge ACKs), an old ACK; then the exact RST.
SEEDS["blind-attacks"] = (
    bytes([ESTABLISHED, sizes(), handshake()]) +
    seg(EP_HANDSHAKE, RST, seq=("rcv", 10)) +
    seg(EP_HANDSHAKE, SYN, seq=("rcv", 5)) +
    seg(EP_HANDSHAKE, ACK, ack=("raw", 0x12345678)) +
    seg(EP_HANDSHAKE, ACK, seq=("raw", 0x70000000)) +
    seg(EP_HANDSHAKE, RST) +
    recv(FIRST) +
    send(FIRST, 10))

# More passive connections: accept, data, the backlog, a reset.
SEEDS["passive-accept"] = (
    bytes([BACKLOG_2, sizes(), 0]) +
    seg(EP_P2, SYN, seq=("rel", 0), opts=("mss_ws", 0, 3)) +
    seg(EP_P3, SYN, seq=("rel", 0)) +
    seg(EP_P6, SYN, seq=("rel", 0)) +
    seg(EP_P2, ACK) +
    seg(EP_P3, ACK | PSH, length=20) +
    accept() + accept() +
    recv(FIRST) + recv(FIRST + 1) +
    seg(EP_P2, SYN, seq=("rel", 0)) +
    seg(EP_P3, RST | ACK) +
    seg(EP_CLOSED, SYN, seq=("rel", 0)) +
    seg(EP_WRONG, ACK) +
    close(LISTENER) +
    reopen(False))

# A SYN with every option we know and some we do not; a retransmitted SYN.
SEEDS["syn-options"] = (
    bytes([0, sizes(), 0]) +
    seg(EP_P2, SYN, seq=("rel", 0), opts=("raw", bytes([
        2, 4, 0x05, 0xb4,       # MSS 1460
        4, 2,                   # SACK permitted
        8, 10, 0, 0, 0, 1, 0, 0, 0, 0,  # timestamps
        1, 3, 3, 7,             # NOP, window scale 7
        254, 4, 0xf9, 0x89]))) +    # an experimental option
    seg(EP_P2, SYN, seq=("rel", 0), opts=("mss", 3)) +
    seg(EP_P2, ACK) +
    accept() +
    send(FIRST, 5000) +
    seg(EP_P2, ACK))

# Broken segments: bad checksums, raw bytes.
SEEDS["bad-checksums"] = (
    bytes([ESTABLISHED, sizes(), handshake()]) +
    bad_checksum(seg(EP_HANDSHAKE, ACK | PSH, length=10)) +
    bytes([RAW, 0, 20]) + bytes(range(20)) +
    seg(EP_HANDSHAKE, ACK | PSH, length=10) +
    recv(FIRST))

# The user aborts; a half-open connection; FIN-WAIT-2 left by the user.
SEEDS["abort-and-orphans"] = (
    bytes([ESTABLISHED | ACTIVE_OPEN, sizes(msl=1), handshake()]) +
    seg(EP_ACTIVE, SYN | ACK, seq=("rel", 0), ack=("iss", 1)) +
    abort(ACTIVE) +
    close(FIRST) +
    seg(EP_HANDSHAKE, ACK) +
    advance(250) +
    seg(EP_HANDSHAKE, FIN | ACK))

# Delayed ACKs: one segment waits, a second one is ACKed at once; a reset
# arrives while an ACK is being delayed (the block is held: CLOSED).
SEEDS["delayed-ack-reset"] = (
    bytes([ESTABLISHED | DELACK, sizes(), handshake()]) +
    seg(EP_HANDSHAKE, ACK | PSH, length=10) +
    advance(50) +
    seg(EP_HANDSHAKE, ACK | PSH, seq=("next", 0), length=10) +
    seg(EP_HANDSHAKE, ACK | PSH, seq=("next", 0), length=10) +
    seg(EP_HANDSHAKE, ACK | PSH, seq=("next", 0), length=10) +
    seg(EP_HANDSHAKE, RST, seq=("next", 0)) +
    advance(50) +
    recv(FIRST) +
    recv(FIRST))

# Sequence numbers across the wrap: ISS and IRS near 2^32.
SEEDS["wrap"] = (
    bytes([ESTABLISHED | ISS_WRAP, sizes(), handshake(irs=1)]) +
    send(FIRST, 3000) +
    seg(EP_HANDSHAKE, ACK | PSH, length=191) +
    seg(EP_HANDSHAKE, ACK) +
    recv(FIRST) +
    advance(deadline=True))


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "seeds", "fuzz_tcp")
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
