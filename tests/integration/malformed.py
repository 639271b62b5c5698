#!/usr/bin/python3
"""Send malformed IPv4 packets into tun0, as if from a host on the link.

usage: malformed.py DEV CASE   - send one case's packet(s)
       malformed.py --list     - print "CASE COUNTER" for every case

Packets are built with scapy, then sent as raw bytes through an AF_PACKET
socket on the TUN device: the kernel neither routes nor repairs them (a raw
IP socket would fill in the checksum and total length), so they reach the
stack program exactly as written.  Their source is 10.0.0.99, an address on
the link that the kernel does not own.
"""
import socket
import sys

from scapy.all import ICMP, IP, Raw, TCP, UDP  # noqa: F401

PEER, US = "10.0.0.99", "10.0.0.2"


def good():
    return bytes(IP(src=PEER, dst=US) / ICMP(id=7, seq=1) / Raw(b"tuntcp" * 4))


def with_ip(**fields):
    """A good echo request with IP header fields changed, checksum recomputed."""
    return bytes(IP(src=fields.pop("src", PEER), dst=fields.pop("dst", US), **fields)
                 / ICMP(id=7, seq=1) / Raw(b"x" * 16))


def set_byte(pkt, off, val, fix_ip_checksum=True):
    b = bytearray(pkt)
    b[off] = val
    if fix_ip_checksum:
        ihl = (b[0] & 0x0F) * 4
        if ihl >= 20 and len(b) >= ihl:
            b[10:12] = b"\0\0"
            s = sum((b[i] << 8) | b[i + 1] for i in range(0, ihl, 2))
            while s >> 16:
                s = (s & 0xFFFF) + (s >> 16)
            b[10:12] = ((~s) & 0xFFFF).to_bytes(2, "big")
    return bytes(b)


def udp_with(length=None, chksum=None, data=b"letter"):
    """A datagram to port 7788 with its Length or checksum forced."""
    return bytes(IP(src=PEER, dst=US) / UDP(sport=40000, dport=7788, len=length, chksum=chksum)
                 / Raw(data))


def total_len(pkt, n):
    b = bytearray(pkt)
    b[2:4] = n.to_bytes(2, "big")
    return set_byte(bytes(b), 0, b[0])  # recompute the header checksum


CASES = {
    # name: (counter the stack must raise, packet)
    "short-header": ("ip-too-short", good()[:12]),
    "version-6": ("ip-version-not-4", set_byte(good(), 0, 0x65)),
    "ihl-4": ("ip-bad-header-length", set_byte(good(), 0, 0x44)),
    "ihl-15": ("ip-truncated", set_byte(good()[:40], 0, 0x4F)),
    "total-len-short": ("ip-bad-total-length", total_len(good(), 12)),
    "total-len-long": ("ip-truncated", total_len(good(), 1000)),
    "bad-checksum": ("ip-bad-checksum", set_byte(good(), 10, good()[10] ^ 0xFF, False)),
    "wrong-destination": ("ip-not-for-us", with_ip(dst="10.0.0.77")),
    "source-loopback": ("ip-bad-source", with_ip(src="127.0.0.1")),
    "source-multicast": ("ip-bad-source", with_ip(src="224.0.0.1")),
    "source-broadcast": ("ip-bad-source", with_ip(src="255.255.255.255")),
    "ttl-0": ("ip-ttl-zero", with_ip(ttl=0)),
    # Fragments that can belong to no datagram (the rest of reassembly's
    # hostile cases are in frag_attack.py).
    "fragment-past-65535": ("ip-frag-too-big", with_ip(frag=8189)),
    "fragment-size-not-8n": ("ip-frag-bad-size",
                             bytes(IP(src=PEER, dst=US, flags="MF") / ICMP(id=7, seq=1)
                                   / Raw(b"x" * 17))),
    "unknown-protocol": ("ip-unknown-protocol",
                         bytes(IP(src=PEER, dst=US, proto=99) / Raw(b"?" * 8))),
    "icmp-short": ("icmp-too-short", bytes(IP(src=PEER, dst=US, proto=1) / Raw(b"\x08\0\0"))),
    "icmp-bad-checksum": ("icmp-bad-checksum",
                          bytes(IP(src=PEER, dst=US) / ICMP(id=7, seq=1, chksum=0x1234) / Raw(b"y" * 8))),
    # UDP (RFC 768): a header cut short, a Length below 8 or beyond the
    # packet, a checksum that does not add up.
    "udp-short": ("udp-too-short", bytes(IP(src=PEER, dst=US, proto=17) / Raw(b"\x9c\x45\x1e"))),
    "udp-length-7": ("udp-bad-length", udp_with(length=7)),
    "udp-length-long": ("udp-bad-length", udp_with(length=200)),
    "udp-bad-checksum": ("udp-bad-checksum", udp_with(chksum=0x1234)),
}


def main():
    if sys.argv[1:] == ["--list"]:
        for name, (counter, _) in CASES.items():
            print(name, counter)
        return 0
    dev, name = sys.argv[1], sys.argv[2]
    _, pkt = CASES[name]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
    s.sendto(pkt, (dev, 0x0800))
    return 0


if __name__ == "__main__":
    sys.exit(main())
