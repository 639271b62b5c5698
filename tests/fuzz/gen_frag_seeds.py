#!/usr/bin/env python3
"""gen_frag_seeds.py - write the fragment seeds of fuzz_rx.c.

    tests/fuzz/gen_frag_seeds.py     (re)writes tests/fuzz/seeds/fuzz_rx/frag-*

Read this first: fuzz_rx feeds one packet per input to a stack that lives
for the whole run, so the fragments of a datagram can arrive as separate
inputs.  libFuzzer runs the seeds first (smallest first, so the order of
the files does not matter): the three pieces of a 1608-byte echo request,
10.0.0.1 -> 10.0.0.2, which the stack reassembles and answers in
fragments; a teardrop pair (the second inside the first, other bytes); a
fragment reaching past byte 65535; one whose size is not a multiple of 8.
Mutations of these reach every rule of stack/ip/ipv4_frag.c.
"""
import os
import struct

PEER, US = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", "fuzz_rx")


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def fragment(ident, proto, data, offset, more):
    """One fragment: `data` is its share, `offset` in bytes."""
    flags = (0x2000 if more else 0) | offset // 8
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(data), ident, flags,
                      64, proto, 0, PEER, US)
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + data


def echo_request(ident, seq, data):
    msg = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    return msg[:2] + struct.pack("!H", checksum(msg)) + msg[4:]


def main():
    ping = echo_request(0x4d2f, 1, bytes((i * 7) & 0xFF for i in range(1600)))
    seeds = {
        "frag-ping-first": fragment(0x0f01, 1, ping[:800], 0, True),
        "frag-ping-middle": fragment(0x0f01, 1, ping[800:1600], 800, True),
        "frag-ping-last": fragment(0x0f01, 1, ping[1600:], 1600, False),
        "frag-teardrop-a": fragment(0x0f02, 1, b"A" * 48, 0, True),
        "frag-teardrop-b": fragment(0x0f02, 1, b"B" * 8, 24, True),
        "frag-too-big": fragment(0x0f03, 1, b"X" * 16, 65528, False),
        "frag-bad-size": fragment(0x0f04, 17, b"Y" * 13, 0, True),
    }
    for name, pkt in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(pkt)


if __name__ == "__main__":
    main()
