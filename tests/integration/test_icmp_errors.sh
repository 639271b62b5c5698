#!/usr/bin/env bash
# ICMP errors (issue 8), with the Linux kernel as the other end:
#   - a datagram of a protocol tuntcp does not speak (200) is answered by
#     ICMP protocol unreachable, quoting it (RFC 1122 3.2.2.1);
#   - tuntcp's connect() to a port the host refuses with ICMP port
#     unreachable (nftables' reject) fails at once with "Connection
#     refused", one SYN and no retransmission (RFC 1122 4.2.3.9);
#   - a flood of unknown-protocol datagrams is answered only as fast as the
#     rate limit allows (TUNTCP_ICMP_RATE, RFC 1812 4.3.2.8);
#   - forged errors against a live connection (a short quote, sequence
#     numbers never sent) are counted and harm nothing (RFC 5927);
#   - every ICMP message tuntcp sent is clean under tshark.
# Asserted on the stack's counters and on what arrived, never on timing.
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"
chmod 777 "$T"

# 1. Protocol unreachable, read back through a raw ICMP socket (the kernel
#    hands every ICMP message it receives to raw ICMP sockets).
TUNTCP_PCAP=$T/proto.pcap TUNTCP_ICMP_RATE=10/5 lab_up proto --app "$BIN/tuntcpd" ||
	{ not_ok "lab up"; finish; }
cat >"$T/proto.py" <<'PY'
import socket, struct, sys
rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
rx.settimeout(3)
tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, 200)
letter = b"a letter for protocol 200"
tx.sendto(letter, ("10.0.0.2", 0))
while True:
    pkt, (src, _) = rx.recvfrom(2048)
    ihl = (pkt[0] & 15) * 4
    icmp = pkt[ihl:]
    if src != "10.0.0.2" or icmp[0] != 3:
        continue
    quoted = icmp[8:]
    qihl = (quoted[0] & 15) * 4
    print("type %d code %d quoted-proto %d quoted-data %r" %
          (icmp[0], icmp[1], quoted[9], quoted[qihl:]))
    break
PY
$PY "$T/proto.py" >"$T/proto.out" 2>&1
check "protocol 200 is answered: destination unreachable, code 2, quoting our datagram" \
	grep -q "type 3 code 2 quoted-proto 200 quoted-data b'a letter for protocol 200'" "$T/proto.out"

# The rate limit: 5 in a burst, then 10 a second.  40 datagrams at once.
$PY - <<'PY'
import socket
tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, 200)
for i in range(40):
    tx.sendto(b"flood", ("10.0.0.2", 0))
PY
sleep 0.2
stats_now "$T/proto.log"
sent=$(sed -n 's/.*icmp errors sent *\([0-9]*\) (\([0-9]*\) held back.*/\1 \2/p' "$T/proto.log" | tail -1)
set -- $sent
check "a flood of 40 is answered within the rate limit (${1:-0} sent, ${2:-0} held back)" \
	test "${1:-0}" -ge 4 -a "${1:-0}" -le 12 -a $(( ${1:-0} + ${2:-0} )) -eq 41
lab_down
n=$(tshark_count "$T/proto.pcap" "ip.src == 10.0.0.2 && icmp.type == 3 && icmp.code == 2")
check "the capture holds the protocol unreachables ($n)" test "$n" -eq "${1:-0}"
check "the capture is clean under tshark" tshark_clean "$T/proto.pcap"

# 2. connect() refused by ICMP: the host rejects TCP to port 9999 with
#    port unreachable, as a firewall does.
"$TOP/tools/up.sh" --no-app >"$T/up.log" 2>&1 || { not_ok "up.sh --no-app"; sed 's/^/#   /' "$T/up.log"; finish; }
nft -f - <<NFT
table inet tuntcp_reject {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 9999 counter reject with icmp type port-unreachable
	}
}
NFT
TUNTCP_TRACE=1 TUNTCP_PCAP=$T/refused.pcap timeout 20 "$BIN/echo_client" 10.0.0.1 9999 hello \
	>"$T/client.out" 2>"$T/client.log"
status=$?
check "echo_client fails (status $status)" test $status -ne 0
check "connect() says \"Connection refused\"" grep -q "connect to 10.0.0.1:9999: Connection refused" "$T/client.log"
check "the ICMP error ended the attempt (stack counter)" grep -Eq "tcp connects ended by icmp +1$" "$T/client.log"
# (!icmp: the ICMP error quotes the SYN, and tshark reads its fields too)
check "one SYN, not retransmitted" test "$(tshark_count "$T/refused.pcap" "!icmp && tcp.flags.syn == 1 && ip.src == 10.0.0.2")" -eq 1
check "the trace names the rule" grep -q "SYN-SENT -> CLOSED .*ICMP error: the attempt is aborted (RFC 1122 4.2.3.9)" "$T/client.log"
check "no sanitizer report" no_sanitizer_report "$T/client.log"
check "the capture is clean under tshark" tshark_clean "$T/refused.pcap"
nft delete table inet tuntcp_reject
"$TOP/tools/down.sh" >/dev/null

# 3. Forged ICMP errors against a live connection (RFC 5927): a quote too
#    short to read, and errors naming the connection's 4-tuple but a
#    sequence number it never sent - port unreachable, and fragmentation
#    needed with an MTU of 100.  None may harm it: the echo goes on.
TUNTCP_ISN=0 lab_up forged --app "$BIN/echo_server" --echo || { not_ok "lab up"; finish; }
cat >"$T/forged.py" <<'PY'
import socket, struct

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF

def icmp(type_, code, rest, quoted):
    msg = struct.pack("!BBHI", type_, code, 0, rest) + quoted
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]

def quote(sport, dport, seq):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0x4000, 64, 6, 0,
                     socket.inet_aton("10.0.0.2"), socket.inet_aton("10.0.0.1"))
    return ip + struct.pack("!HHI", sport, dport, seq)

c = socket.create_connection(("10.0.0.2", 7788), timeout=5)
c.sendall(b"before")
assert c.recv(100) == b"before"
port = c.getsockname()[1]
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
far = 0x80000000		# TUNTCP_ISN=0: the stack's numbers are near 0
for m in (icmp(3, 3, 0, quote(7788, port, far)[:24]),	# too short
          icmp(3, 3, 0, quote(7788, port, far)),
          icmp(3, 4, 100, quote(7788, port, far)),
          icmp(11, 0, 0, quote(7788, port, far - 1))):
    raw.sendto(m, ("10.0.0.2", 0))
c.sendall(b"after" * 400)	# 2000 bytes: more than a 100-byte MTU allows
got = b""
while len(got) < 2000:
    d = c.recv(4096)
    if not d:
        break
    got += d
assert got == b"after" * 400
c.close()
print("the connection survived")
PY
check "forged ICMP errors do not harm a live connection" $PY "$T/forged.py"
stats_now "$T/forged.log"
check "three counted as outside the window (RFC 5927)" test "$(counter "$T/forged.log" tcp-icmp-seq-outside-window)" -eq 3
check "one counted as a bad quote" test "$(counter "$T/forged.log" icmp-error-bad-quote)" -eq 1
check "the stack program is still running" kill -0 "$APP_PID"
lab_down
finish
