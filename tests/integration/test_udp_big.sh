#!/usr/bin/env bash
# The parts of issue 8 that need UDP, ICMP errors and fragments together,
# with the Linux kernel as the peer:
#   - datagrams of 4000 and 65507 bytes (the largest IPv4 allows) echoed
#     byte-identical both ways: the kernel to udp_echo_server --echo on
#     tuntcp, and tuntcp's udp_echo_client to the kernel's; each leaves in
#     fragments and is reassembled at the other end (RFC 791 3.2);
#   - a connected kernel socket that writes to a closed port on tuntcp
#     hears "Connection refused": tuntcp answered with ICMP port
#     unreachable (RFC 1122 4.1.3.1, 3.2.2.1);
#   - every capture is clean under tshark, checksums validated.
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"
chmod 777 "$T"

# 1. The kernel's client, our server.
TUNTCP_PCAP=$T/echo.pcap lab_up echo --app "$BIN/udp_echo_server" --echo ||
	{ not_ok "lab up (udp_echo_server --echo)"; finish; }
cat >"$T/big.py" <<'PY'
import random, socket, sys
random.seed(8)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
for size in (4000, 65507):
    letter = bytes(random.getrandbits(8) for _ in range(size))
    s.sendto(letter, ("10.0.0.2", 7788))
    got, who = s.recvfrom(65536)
    print("%d bytes: %s" % (size, "echoed byte-identical" if got == letter
                            else "a different answer of %d bytes" % len(got)))
PY
$PY "$T/big.py" >"$T/big.out" 2>&1
check "4000 bytes from the kernel, echoed byte-identical" grep -q "^4000 bytes: echoed byte-identical" "$T/big.out"
check "65507 bytes from the kernel, echoed byte-identical" grep -q "^65507 bytes: echoed byte-identical" "$T/big.out"

# 2. Nobody on port 9: a connected socket is told, as by the kernel.
cat >"$T/refused.py" <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect(("10.0.0.2", 9))
s.send(b"anyone there?")
try:
    s.recv(100)
    print("an answer")
except ConnectionRefusedError:
    print("Connection refused")
except socket.timeout:
    print("no answer")
PY
$PY "$T/refused.py" >"$T/refused.out" 2>&1
check "a connected kernel socket to a closed port: $(cat "$T/refused.out")" grep -qx "Connection refused" "$T/refused.out"
stats_now "$T/echo.log"
check "the stack counted the datagram for no socket" test "$(counter "$T/echo.log" udp-no-socket)" -eq 1
lab_down
P=$T/echo.pcap
n=$(tshark_count "$P" "ip.src == 10.0.0.2 && icmp.type == 3 && icmp.code == 3")
check "the capture holds our port unreachable ($n)" test "$n" -eq 1
n=$(tshark_count "$P" "ip.src == 10.0.0.2 && ip.flags.mf == 1")
check "our echoes left in fragments ($n with more to come: 2 + 44)" test "$n" -eq 46
n=$(tshark_count "$P" "ip.src == 10.0.0.2 && udp && !icmp && udp.length == 65515")
check "tshark reassembles our 65507-byte echo ($n)" test "$n" -eq 1
check "the capture is clean under tshark" tshark_clean "$P"

# 3. Our client, the kernel's server: the same sizes the other way.
"$TOP/tools/up.sh" --no-app >"$T/up.log" 2>&1 || { not_ok "up.sh --no-app"; sed 's/^/#   /' "$T/up.log"; finish; }
"$BIN/kernel/udp_echo_server" --echo 7789 >"$T/kecho.log" 2>&1 &
KECHO=$!
trap 'kill $KECHO 2>/dev/null; lab_down_all; rm -rf "$T"' EXIT
kernel_udp_bound 7789 || not_ok "the kernel's udp_echo_server --echo is bound to 7789"
for size in 4000 65507; do
	TUNTCP_PCAP=$T/c$size.pcap timeout 30 "$BIN/udp_echo_client" 10.0.0.1 7789 x --size $size --timeout 3000 \
		>"$T/c$size.out" 2>"$T/c$size.log"
	status=$?
	check "udp_echo_client: $size bytes echoed by the kernel, byte-identical (status $status)" \
		grep -q "received $size bytes from 10.0.0.1:7789 (the letter itself, echoed)" "$T/c$size.out"
	check "no sanitizer report ($size)" no_sanitizer_report "$T/c$size.log"
	check "the capture is clean under tshark ($size)" tshark_clean "$T/c$size.pcap"
done
finish
