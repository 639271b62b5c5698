#!/usr/bin/python3
"""Send hostile IPv4 fragments into a TUN device, as if from a host on the link.

usage: frag_attack.py DEV CASE     send one case's fragments
       frag_attack.py --list       print "CASE COUNTER" for every case

The cases are the classic attacks on reassembly (RFC 1858, and the bugs of
1996-97 that made them famous); each must leave the stack up, bounded, and
with the named counter raised:

  teardrop      a second fragment inside the first, with other bytes
                (ip-frag-overlap: the datagram is given up)
  tiny          an echo request cut into 8-byte fragments, the smallest
                there are: 65 of them, reassembled and answered
  tiny-flood    one datagram in 200 fragments of 8 bytes
                (ip-frag-too-many)
  mem-flood     100 datagrams of 40 fragments of 1480 bytes, all without
                their last: 5.9 MB, more than the 4 MiB cap
                (ip-frag-evicted, the oldest first)
  flood         10,000 fragments, each the first of a datagram that never
                finishes (ip-frag-evicted: at most 256 wait at once)
  ping-of-death fragments of an echo request whose last one reaches past
                byte 65535 (ip-frag-too-big); the others wait and time out

Packets are built with scapy and sent as raw bytes through an AF_PACKET
socket on the device (as malformed.py does), from 10.0.0.99, an address on
the link the kernel does not own.  Floods are paced a little, so that the
TUN device's queue does not overflow before the stack reads it.
"""
import socket
import struct
import sys
import time

from scapy.all import ICMP, IP, Raw

PEER, US = "10.0.0.99", "10.0.0.2"


def frag(ident, offset, data, more, proto=1):
    """One fragment: `data` at byte `offset` of datagram `ident`."""
    return bytes(IP(src=PEER, dst=US, id=ident, proto=proto,
                    flags="MF" if more else 0, frag=offset // 8) / Raw(data))


def cut(ident, message, step):
    """All the fragments of `message` (an ICMP message), `step` bytes each."""
    return [frag(ident, off, message[off:off + step], off + step < len(message))
            for off in range(0, len(message), step)]


def echo_request(ident, seq, size):
    return bytes(ICMP(id=ident, seq=seq) / Raw(bytes(i & 0xFF for i in range(size))))


def teardrop():
    return [frag(0x7d01, 0, b"A" * 48, True), frag(0x7d01, 24, b"B" * 8, True)]


def tiny():
    return cut(0x7d02, echo_request(0x77, 1, 512), 8)


def tiny_flood():
    return [frag(0x7d03, off, b"t" * 8, True) for off in range(0, 200 * 8, 8)]


def ping_of_death():
    msg = echo_request(0x78, 1, 65600)		# 65608 bytes: too big for IPv4
    return cut(0x7d04, msg, 1480)


def flood():
    # Ids 1..10000, each fragment 0 of 64 bytes with MF: never finished.
    return [frag(i, 0, struct.pack("!H", i) * 32, True, proto=17)
            for i in range(1, 10001)]


def mem_flood():
    data = b"m" * 1480
    return [frag(0x8000 + d, k * 1480, data, True, proto=17)
            for d in range(100) for k in range(40)]


CASES = {
    # name: (counter the stack must raise, fragments)
    "teardrop": ("ip-frag-overlap", teardrop),
    "tiny": ("icmp", tiny),
    "tiny-flood": ("ip-frag-too-many", tiny_flood),
    "mem-flood": ("ip-frag-evicted", mem_flood),
    "flood": ("ip-frag-evicted", flood),
    "ping-of-death": ("ip-frag-too-big", ping_of_death),
}


def main():
    if sys.argv[1:] == ["--list"]:
        for name, (counter, _) in CASES.items():
            print(name, counter)
        return 0
    dev, name = sys.argv[1], sys.argv[2]
    _, make = CASES[name]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
    for i, pkt in enumerate(make()):
        s.sendto(pkt, (dev, 0x0800))
        if i % 100 == 99:
            time.sleep(0.005)
    return 0


if __name__ == "__main__":
    sys.exit(main())
