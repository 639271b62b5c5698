#!/usr/bin/env bash
# TCP with the kernel as the client: the seed's echo_server on our stack,
# clients on the kernel's sockets (nc, Python).
#
# The server runs with TUNTCP_ISN=4294967000, so our sequence numbers cross
# 2^32 within the first 300 bytes, and TUNTCP_MSL=500, so TIME-WAIT (2*MSL)
# lasts one second.  Checked: the reply to nc and to the seed's client in
# Python; the states of a connection the server closes first, in the
# order of RFC 9293's diagram, TIME-WAIT lasting 2*MSL; the capture
# (handshake, data and FIN both ways, nothing bad under tshark); a closed
# port refused at once; a connection the client closes first (echo mode):
# CLOSE-WAIT -> LAST-ACK -> CLOSED; and what happens to a connection its
# user closed while the peer stays open (FIN-WAIT-2 reclaimed, late data
# reset).
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"
chmod 777 "$T"	# up.sh runs the stack as $SUDO_USER when set: its captures go here

CLIENT="$PY $TOP/tests/integration/tcp_client.py"
MSL=500
export TUNTCP_TRACE=1 TUNTCP_MSL=$MSL TUNTCP_ISN=4294967000

# expect_states "what" LOG PORT "A -> B -> ...": the connection of peer
# port PORT went exactly through these states.
expect_states() {
	local got
	got=$(tcp_states "$2" "$3")
	if [ "$got" = "$4" ]; then
		ok "$1: $got"
	else
		not_ok "$1: expected $4"
		echo "#   got: ${got:-nothing}"
		grep -E ":$3( |$)" "$2" | grep -- ' -> ' | sed 's/^/#   /'
	fi
}

# pkt "what" PCAP FILTER: at least one packet of the capture matches.
pkt() {
	local n
	n=$(tshark_count "$2" "$3")
	if [ "$n" -gt 0 ]; then ok "capture: $1 ($n)"; else not_ok "capture: $1 (filter: $3)"; fi
}

# ---------------------------------------------------------------------
# The seed's server: reply "thank you!", then close (the server closes first).
TUNTCP_PCAP=$T/echo.pcap lab_up echo --app "$BIN/echo_server" || { not_ok "lab up (echo_server)"; finish; }
LOG=$T/echo.log

out=$(echo hello | timeout 10 nc -p 40001 10.0.0.2 7788 2>&1)
check "nc sends a line and gets \"thank you!\" (got: $out)" test "$out" = "thank you!"
check "the server printed the line it received" \
	grep -q 'received from 10.0.0.1:40001): hello' "$LOG"

out=$(timeout 10 $CLIENT --from 40002 seed 10.0.0.2 7788 "你好, tuntcp" 2>&1)
check "the seed's client in Python gets \"thank you!\" (got: $out)" test "$out" = "thank you!"
check "the server printed the Python client's message" \
	grep -q 'received from 10.0.0.1:40002): 你好, tuntcp' "$LOG"

# The server closed first; nc closed when it saw EOF.  TIME-WAIT ends 2*MSL later.
wait_for "$LOG" ':40001 .* TIME-WAIT -> CLOSED' 5
expect_states "states of the connection the server closed first (nc)" "$LOG" 40001 \
	"LISTEN -> SYN-RECEIVED -> ESTABLISHED -> FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT -> CLOSED"
tw_in=$(trace_ms "$LOG" ':40001 .*-> TIME-WAIT')
tw_out=$(trace_ms "$LOG" ':40001 .*TIME-WAIT -> CLOSED')
if [ -n "$tw_in" ] && [ -n "$tw_out" ]; then
	tw=$(( (tw_out - tw_in + 86400000) % 86400000 ))
	check "TIME-WAIT lasted 2*MSL ($tw ms; MSL $MSL ms)" \
		test "$tw" -ge $((2 * MSL)) -a "$tw" -lt $((2 * MSL + 500))
	check "TIME-WAIT ended by the 2*MSL timer" grep -qE ':40001 .*TIME-WAIT -> CLOSED  \(2\*MSL timeout\)' "$LOG"
else
	not_ok "TIME-WAIT entered and left (trace times '$tw_in' '$tw_out')"
fi

# A port nobody listens on: the stack answers the SYN with a reset.
t0=$(date +%s%N)
out=$(timeout 10 nc -v 10.0.0.2 7799 </dev/null 2>&1)
status=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ $status -ne 0 ] && [ $status -ne 124 ] && echo "$out" | grep -q 'Connection refused' && [ "$ms" -lt 500 ]; then
	ok "nc to closed port 7799: \"Connection refused\" after $ms ms"
else
	not_ok "nc to closed port 7799: status $status after $ms ms"; echo "$out" | sed 's/^/#   /'
fi
out=$(timeout 10 $CLIENT refused 10.0.0.2 7799 0.5 2>&1)
check "Python connect() to closed port 7799: $out" test $? -eq 0

# A connection whose user closed while the peer keeps its side open: the
# orphan waits in FIN-WAIT-2 for a FIN that never comes.  tcp_timer.c and
# tcp_user.c promise to reclaim it after 2*MSL, as Linux's tcp_fin_timeout
# does (the client here waits 4*MSL + 1 s before closing).
hold=$(awk -v m=$MSL 'BEGIN { print (4 * m + 1000) / 1000 }')
timeout 20 $CLIENT --from 40003 orphan 10.0.0.2 7788 orphan "$hold" >"$T/orphan.out" 2>&1
check "orphan client got the reply and EOF" grep -q "reply 'thank you!', then EOF" "$T/orphan.out"
fw2_in=$(trace_ms "$LOG" ':40003 .*-> FIN-WAIT-2')
fw2_out=$(trace_ms "$LOG" ':40003 .*FIN-WAIT-2 -> CLOSED')
if [ -n "$fw2_in" ] && [ -n "$fw2_out" ]; then
	fw=$(( (fw2_out - fw2_in + 86400000) % 86400000 ))
	check "orphaned FIN-WAIT-2 reclaimed after 2*MSL ($fw ms)" test "$fw" -lt $((2 * MSL + 500))
else
	not_ok "orphaned FIN-WAIT-2 reclaimed after 2*MSL (FIN-WAIT-1 -> FIN-WAIT-2 -> CLOSED by the timer)"
	echo "#   got: $(tcp_states "$LOG" 40003)"
fi

# Data that reaches a connection after its user closed it can never be
# read: RFC 9293 3.6 (and RFC 1122 4.2.2.13) - the TCP SHOULD send a reset
# so the sender knows it was lost (Linux does); an ACK says it arrived.
if out=$(timeout 20 $CLIENT --from 40004 late 10.0.0.2 7788 late 2>&1); then
	ok "data sent after the server's close is answered by a reset"
else
	not_ok "data sent after the server's close is answered by a reset"
	echo "$out" | sed 's/^/#   /'
	grep -E ':40004 ' "$LOG" | tail -4 | sed 's/^/#   /'
fi

check "the server is still running" kill -0 "$APP_PID"
lab_down
check "no sanitizer report from the server" no_sanitizer_report "$LOG"

P=$T/echo.pcap
F="tcp.port == 40001"
pkt "SYN from the kernel" "$P" "$F && ip.src == 10.0.0.1 && tcp.flags.syn == 1 && tcp.flags.ack == 0"
pkt "SYN,ACK from the stack (seq 4294967000)" "$P" "$F && ip.src == 10.0.0.2 && tcp.flags.syn == 1 && tcp.flags.ack == 1 && tcp.seq_raw == 4294967000"
pkt "ACK completing the handshake" "$P" "$F && ip.src == 10.0.0.1 && tcp.flags == 0x010 && tcp.seq == 1 && tcp.ack == 1"
pkt "data from the kernel" "$P" "$F && ip.src == 10.0.0.1 && tcp.len > 0"
pkt "data from the stack (\"thank you!\")" "$P" "$F && ip.src == 10.0.0.2 && tcp.payload == \"thank you!\""
pkt "FIN from the stack" "$P" "$F && ip.src == 10.0.0.2 && tcp.flags.fin == 1"
pkt "FIN from the kernel" "$P" "$F && ip.src == 10.0.0.1 && tcp.flags.fin == 1"
pkt "the stack's RST for closed port 7799" "$P" "tcp.srcport == 7799 && ip.src == 10.0.0.2 && tcp.flags.reset == 1"
check "capture is clean under tshark (checksums validated)" tshark_clean "$P"

# ---------------------------------------------------------------------
# Echo mode, the client closes first: it sends 3000 bytes (our sequence
# numbers cross 2^32 on the way back), shuts down its write side, and reads
# the echo to EOF.
TUNTCP_PCAP=$T/close.pcap lab_up close --app "$BIN/echo_server" --echo || { not_ok "lab up (echo_server --echo)"; finish; }
LOG=$T/close.log
out=$(timeout 30 $CLIENT --from 40005 echo 10.0.0.2 7788 --size 3000 --timeout 10 2>&1)
check "echo mode: 3000 bytes sent, write side shut, echo read to EOF and identical ($out)" test $? -eq 0
wait_for "$LOG" ':40005 .*LAST-ACK -> CLOSED' 5
expect_states "states of the connection the client closed first" "$LOG" 40005 \
	"LISTEN -> SYN-RECEIVED -> ESTABLISHED -> CLOSE-WAIT -> LAST-ACK -> CLOSED"
check "the server echoed 3000 bytes" grep -q 'echoed 3000 bytes to 10.0.0.1:40005' "$LOG"
check "the server is still running" kill -0 "$APP_PID"
lab_down
check "no sanitizer report from the echo server" no_sanitizer_report "$LOG"
P=$T/close.pcap
pkt "the stack's sequence numbers before 2^32" "$P" "ip.src == 10.0.0.2 && tcp.len > 0 && tcp.seq_raw >= 4294967000"
pkt "the stack's sequence numbers after the wrap" "$P" "ip.src == 10.0.0.2 && tcp.len > 0 && tcp.seq_raw < 10000"
pkt "the kernel acknowledges across the wrap" "$P" "ip.src == 10.0.0.1 && tcp.ack_raw > 0 && tcp.ack_raw < 10000"
fins=$(tshark -r "$P" -Y "tcp.flags.fin == 1" -T fields -e ip.src 2>/dev/null | tr '\n' ' ')
check "capture: the kernel's FIN came first, then the stack's ($fins)" test "$fins" = "10.0.0.1 10.0.0.2 "
check "capture is clean under tshark (checksums validated)" tshark_clean "$P"
finish
