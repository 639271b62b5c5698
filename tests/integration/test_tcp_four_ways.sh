#!/usr/bin/env bash
# The seed's client and server, in all four combinations of the two builds:
# on our stack (build/) and on the kernel's sockets (build/kernel/).
#
#   tun0  10.0.0.0/24  host 10.0.0.1, our echo_server at 10.0.0.2 (lab_up)
#   tun1  10.0.1.0/24  host 10.0.1.1, our echo_client at 10.0.1.2 (--no-app)
#   the kernel's echo_server listens on port 7788 of the namespace (any
#   address); we reach it at 10.0.0.1.  With ip_forward=1 in the namespace
#   the kernel routes between tun1 and tun0, so our client reaches our
#   server through it.
#
# Each combination: the reply "thank you!" arrives, the server saw the
# message, the connection's packets are all in the captures (SYN, SYN,ACK,
# FIN both ways), and the captures are clean under tshark.  Our stack's
# captures are its TUNTCP_PCAP files.  The kernel-to-kernel connection runs
# over loopback, captured with dumpcap on lo: the kernel does not compute
# TCP checksums on loopback (checksum offload, CHECKSUM_PARTIAL), so there
# the TCP checksums are not validated - everything else is.
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"
chmod 777 "$T"	# up.sh runs the stack as $SUDO_USER when set: its captures go here

sysctl -q -w net.ipv4.ip_forward=1 || not_ok "sysctl net.ipv4.ip_forward=1"
TUNTCP_PCAP=$T/server.pcap lab_up server --app "$BIN/echo_server" || { not_ok "lab up (our echo_server on tun0)"; finish; }
SLOG=$T/server.log
"$TOP/tools/up.sh" --no-app --dev tun1 --subnet 10.0.1.0/24 >"$T/tun1.log" 2>&1 ||
	{ not_ok "up.sh --no-app --dev tun1"; sed 's/^/#   /' "$T/tun1.log"; finish; }
"$BIN/kernel/echo_server" >"$T/kserver.log" 2>&1 &
KSERVER=$!
trap 'kill $KSERVER $DUMPCAP 2>/dev/null; lab_down_all; ip link del tun1 2>/dev/null; rm -rf "$T"' EXIT
kernel_listening 7788 || { not_ok "the kernel's echo_server listens on 7788"; finish; }

dumpcap -q -i lo -f "tcp port 7788" -w "$T/lo.pcap" 2>"$T/dumpcap.log" &
DUMPCAP=$!
wait_for "$T/dumpcap.log" "Capturing on" 5 || not_ok "dumpcap captures on lo"

# run NAME CLIENT-COMMAND...: one combination; the client's output in $T/NAME.out.
run() {
	local name=$1 status
	shift
	timeout 20 "$@" >"$T/$name.out" 2>"$T/$name.log"
	status=$?
	if [ $status -eq 0 ] && grep -q '(received): thank you!$' "$T/$name.out"; then
		ok "$name: the reply \"thank you!\" arrives"
	else
		not_ok "$name: the reply \"thank you!\" arrives (status $status)"
		cat "$T/$name.out" "$T/$name.log" | grep -v '^[0-9:.]* \(in\|out\|--\) ' | tail -5 | sed 's/^/#   /'
	fi
	check "$name: no sanitizer report from the client" no_sanitizer_report "$T/$name.log"
}

# handshake_and_fins NAME PCAP CLIENT-IP SERVER-IP: the capture holds the
# connection from CLIENT-IP to SERVER-IP:7788: SYN, SYN,ACK, the reply and
# a FIN each way.  (One tshark pass per capture: fields, then awk.)
handshake_and_fins() {
	local name=$1 p=$2 c=$3 s=$4 counts
	[ -f "$p.txt" ] || tshark -r "$p" -T fields -E separator=, -e ip.src -e ip.dst \
		-e tcp.srcport -e tcp.dstport -e tcp.flags.syn -e tcp.flags.ack \
		-e tcp.flags.fin -e tcp.payload -e ip.ttl >"$p.txt" 2>/dev/null
	# fields: 1 src, 2 dst, 3 sport, 4 dport, 5 SYN, 6 ACK, 7 FIN, 8 payload, 9 TTL
	counts=$(awk -F, -v c="$c" -v s="$s" '
		$1 == c && $2 == s && $4 == 7788 { out = 1 }
		$1 == s && $2 == c && $3 == 7788 { out = 0 }
		!(($1 == c && $2 == s && $4 == 7788) || ($1 == s && $2 == c && $3 == 7788)) { next }
		out && $5 == 1 && $6 == 0 { syn++ }
		!out && $5 == 1 && $6 == 1 { synack++ }
		!out && $8 == "7468616e6b20796f7521" { reply++ }
		out && $7 == 1 { cfin++ }
		!out && $7 == 1 { sfin++ }
		END { printf "%d %d %d %d %d", syn, synack, reply, cfin, sfin }' "$p.txt")
	check "$name: $(basename "$p") has SYN, SYN,ACK, the reply \"thank you!\", a FIN each way ($counts)" \
		bash -c "echo '$counts' | awk '\$1 >= 1 && \$2 >= 1 && \$3 >= 1 && \$4 >= 1 && \$5 >= 1 { ok = 1 } END { exit !ok }'"
}

# 1. kernel client -> kernel server (over loopback)
run "kernel client -> kernel server" "$BIN/kernel/echo_client" 10.0.0.1 7788 "hello from the kernel"
check "kernel client -> kernel server: the server got the message" \
	grep -q 'received from 10.0.0.1:[0-9]*): hello from the kernel$' "$T/kserver.log"

# 2. kernel client -> our server
run "kernel client -> our server" "$BIN/kernel/echo_client" 10.0.0.2 7788 "hello from the kernel"
check "kernel client -> our server: the server got the message" \
	grep -q 'received from 10.0.0.1:[0-9]*): hello from the kernel$' "$SLOG"

# 3. our client (tun1) -> kernel server
TUNTCP_DEV=tun1 TUNTCP_ADDR=10.0.1.2 TUNTCP_PCAP=$T/client_k.pcap \
	run "our client -> kernel server" "$BIN/echo_client" 10.0.0.1 7788 "hello from tuntcp"
check "our client -> kernel server: the server got the message from 10.0.1.2" \
	grep -q 'received from 10.0.1.2:[0-9]*): hello from tuntcp$' "$T/kserver.log"

# 4. our client (tun1) -> our server (tun0), routed by the kernel
TUNTCP_DEV=tun1 TUNTCP_ADDR=10.0.1.2 TUNTCP_PCAP=$T/client_s.pcap \
	run "our client -> our server" "$BIN/echo_client" 10.0.0.2 7788 "hello from tuntcp"
check "our client -> our server: the server got the message from 10.0.1.2" \
	grep -q 'received from 10.0.1.2:[0-9]*): hello from tuntcp$' "$SLOG"

sleep 0.3		# the last FINs and ACKs
kill -INT $DUMPCAP 2>/dev/null; wait $DUMPCAP 2>/dev/null
check "our server is still running" kill -0 "$APP_PID"
lab_down
check "no sanitizer report from our server" no_sanitizer_report "$SLOG"

handshake_and_fins "kernel client -> kernel server" "$T/lo.pcap" 10.0.0.1 10.0.0.1
if lo_bad=$(tshark -r "$T/lo.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:FALSE \
	-Y 'ip.checksum.status == "Bad" || _ws.malformed || _ws.expert.severity == error' 2>"$T/tshark.err"); then
	check "kernel client -> kernel server: lo.pcap: IP checksums good, nothing malformed" test -z "$lo_bad"
else
	not_ok "tshark reads lo.pcap"; sed 's/^/#   /' "$T/tshark.err"
fi
handshake_and_fins "kernel client -> our server" "$T/server.pcap" 10.0.0.1 10.0.0.2
handshake_and_fins "our client -> kernel server" "$T/client_k.pcap" 10.0.1.2 10.0.0.1
handshake_and_fins "our client -> our server" "$T/client_s.pcap" 10.0.1.2 10.0.0.2
handshake_and_fins "our client -> our server" "$T/server.pcap" 10.0.1.2 10.0.0.2
n=$(awk -F, '$1 == "10.0.1.2" && $9 == 63' "$T/server.pcap.txt" | wc -l)
check "our client -> our server: the kernel forwarded the client's packets (TTL 64 -> 63: $n)" test "$n" -gt 0
for p in server client_k client_s; do
	check "$p.pcap is clean under tshark (checksums validated)" tshark_clean "$T/$p.pcap"
done
finish
