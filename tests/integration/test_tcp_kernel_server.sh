#!/usr/bin/env bash
# TCP with the kernel as the server: our echo_client (on tun0, 10.0.0.2)
# against the kernel build of the seed's server (build/kernel/echo_server,
# in the namespace, reached at 10.0.0.1:7788).
#
# Checked: the reply "thank you!"; the client's states (CLOSED -> SYN-SENT
# -> ESTABLISHED, then the FIN states of its close: the seed's server closes
# first, so CLOSE-WAIT -> LAST-ACK, or FIN-WAIT-1 if our close won the
# race); the kernel's side of the connection got our FIN (TIME-WAIT); the
# capture (handshake, data and FIN both ways, clean under tshark); a closed
# port on the kernel's side refused at once ("Connection refused"); and the
# close begun by our client (against a kernel-side server that closes only
# after our FIN): FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT, the kernel's side
# closed.
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"
chmod 777 "$T"	# up.sh runs the stack as $SUDO_USER when set: its captures go here

CLIENT="$PY $TOP/tests/integration/tcp_client.py"

"$TOP/tools/up.sh" --no-app >"$T/up.log" 2>&1 || { not_ok "up.sh --no-app"; sed 's/^/#   /' "$T/up.log"; finish; }
"$BIN/kernel/echo_server" >"$T/kserver.log" 2>&1 &
KSERVER=$!
trap 'kill $KSERVER 2>/dev/null; lab_down_all; rm -rf "$T"' EXIT
kernel_listening 7788 || { not_ok "the kernel's echo_server listens on 7788"; finish; }

export TUNTCP_TRACE=1
TUNTCP_PCAP=$T/client.pcap timeout 20 "$BIN/echo_client" 10.0.0.1 7788 hello >"$T/client.out" 2>"$T/client.log"
status=$?
check "echo_client exits with status 0 (got $status)" test $status -eq 0
check "echo_client prints the reply \"thank you!\"" grep -q '(received): thank you!$' "$T/client.out"
check "the kernel's server received \"hello\" from 10.0.0.2" \
	grep -q 'received from 10.0.0.2:[0-9]*): hello' "$T/kserver.log"

port=$(sed -n 's/.* 10\.0\.0\.2:\([0-9]*\) > 10\.0\.0\.1:7788  CLOSED -> SYN-SENT .*/\1/p' "$T/client.log" | head -1)
states=$(tcp_states "$T/client.log" "$port")
kernel_first=0
case $states in
"CLOSED -> SYN-SENT -> ESTABLISHED -> CLOSE-WAIT -> LAST-ACK"*)
	kernel_first=1
	ok "client states: $states (the kernel closed first)" ;;
"CLOSED -> SYN-SENT -> ESTABLISHED -> FIN-WAIT-1"*)
	ok "client states: $states (our close came first)" ;;
*)
	not_ok "client states: CLOSED -> SYN-SENT -> ESTABLISHED, then the FIN states; got: ${states:-nothing}"
	grep -- ' -> ' "$T/client.log" | sed 's/^/#   /' ;;
esac
check "the SYN-SENT -> ESTABLISHED change was caused by the kernel's SYN,ACK" \
	grep -qE ":$port  SYN-SENT -> ESTABLISHED  \(SYN,ACK seq=0 ack=1\)" "$T/client.log"
# The kernel's side: it sent its FIN after the reply and had ours (TIME-WAIT).
# (When our close wins the race, the second part below covers that order.)
kstate=$(ss -tanH "sport = :7788 and dport = :$port" | awk '{print $1}')
if [ $kernel_first = 1 ]; then
	check "the kernel's side of the connection got our FIN (state: ${kstate:-none})" \
		test "$kstate" = TIME-WAIT
else
	echo "# our close came first: the kernel's side is ${kstate:-gone}"
fi
check "no sanitizer report from echo_client" no_sanitizer_report "$T/client.log"

P=$T/client.pcap
F="tcp.port == 7788"
for what in \
	"SYN from the stack|ip.src == 10.0.0.2 && tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.options.mss_val == 1460" \
	"SYN,ACK from the kernel|ip.src == 10.0.0.1 && tcp.flags.syn == 1 && tcp.flags.ack == 1" \
	"ACK completing the handshake|ip.src == 10.0.0.2 && tcp.flags == 0x010 && tcp.seq == 1 && tcp.ack == 1" \
	"data from the stack (\"hello\")|ip.src == 10.0.0.2 && tcp.payload == \"hello\"" \
	"data from the kernel (\"thank you!\")|ip.src == 10.0.0.1 && tcp.payload == \"thank you!\"" \
	"FIN from the stack|ip.src == 10.0.0.2 && tcp.flags.fin == 1"; do
	n=$(tshark_count "$P" "$F && ${what#*|}")
	check "capture: ${what%%|*} ($n)" test "$n" -gt 0
done
n=$(tshark_count "$P" "$F && ip.src == 10.0.0.1 && tcp.flags.fin == 1")
[ $kernel_first = 1 ] && check "capture: FIN from the kernel ($n)" test "$n" -gt 0
check "capture is clean under tshark (checksums validated)" tshark_clean "$P"

# Ten more in a row: the reply every time (different ports and ISNs).
good=0
for i in $(seq 10); do
	timeout 20 "$BIN/echo_client" 10.0.0.1 7788 "hello $i" 2>/dev/null | grep -q '(received): thank you!$' && good=$((good + 1))
done
check "10 more connections in a row: $good replies" test $good -eq 10

# A closed port on the kernel's side: its RST,ACK refuses our SYN at once
# (timed in the trace, from connect() to CLOSED; the process as a whole,
# sanitizers and all, only has to be quick).
t0=$(date +%s%N)
timeout 20 "$BIN/echo_client" 10.0.0.1 7799 hello >"$T/refused.out" 2>"$T/refused.log"
status=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
t_syn=$(trace_ms "$T/refused.log" ':7799  CLOSED -> SYN-SENT')
t_rst=$(trace_ms "$T/refused.log" ':7799 > .*SYN-SENT -> CLOSED')
refused_ms=$(( t_syn && t_rst ? (t_rst - t_syn + 86400000) % 86400000 : 99999 ))
if [ $status -ne 0 ] && [ $status -ne 124 ] && grep -q 'connect to 10.0.0.1:7799: Connection refused' "$T/refused.log" &&
   [ "$refused_ms" -lt 100 ] && [ "$ms" -lt 3000 ]; then
	ok "echo_client to closed port 7799: \"Connection refused\" $refused_ms ms after connect() (process: $ms ms)"
else
	not_ok "echo_client to closed port 7799: status $status, connect() to CLOSED $refused_ms ms, process $ms ms"
	grep -v '^[0-9:.]* ' "$T/refused.log" | sed 's/^/#   /'
fi
check "its trace: SYN-SENT -> CLOSED on the kernel's RST,ACK" \
	grep -qE '10\.0\.0\.1:7799 > 10\.0\.0\.2:[0-9]+  SYN-SENT -> CLOSED  \(RST,ACK ack=1\)' "$T/refused.log"
check "no sanitizer report from the refused echo_client" no_sanitizer_report "$T/refused.log"

# Our client closes first.  The server here (tcp_client.py server, on the
# kernel's sockets, port 7789) echoes until our FIN, then waits 300 ms and
# closes.  RFC 9293 3.6: our FIN-WAIT-1 -> FIN-WAIT-2 (its ACK) ->
# TIME-WAIT (its FIN, which we ACK); its side goes LAST-ACK -> CLOSED on
# that ACK.  close() returns at once, as the kernel's does, and echo_client
# exits right after it: the stack must still finish the close, as the
# kernel does for a process that has exited.  (The delay makes this
# independent of how fast the process exits: a sanitized build's exit is
# slow enough to hide the difference otherwise.)
$CLIENT server 7789 0.3 >"$T/kecho.log" 2>&1 &
KECHO=$!
trap 'kill $KSERVER $KECHO 2>/dev/null; lab_down_all; rm -rf "$T"' EXIT
kernel_listening 7789 || not_ok "the kernel-side server listens on 7789"
TUNTCP_PCAP=$T/first.pcap timeout 20 "$BIN/echo_client" 10.0.0.1 7789 hello >"$T/first.out" 2>"$T/first.log"
check "echo_client to an echo server on the kernel: prints the echo \"hello\"" \
	grep -q '(received): hello$' "$T/first.out"
port=$(sed -n 's/.* 10\.0\.0\.2:\([0-9]*\) > 10\.0\.0\.1:7789  CLOSED -> SYN-SENT .*/\1/p' "$T/first.log" | head -1)
expect="CLOSED -> SYN-SENT -> ESTABLISHED -> FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT"
states=$(tcp_states "$T/first.log" "$port")
if [ "${states#"$expect"}" != "$states" ]; then
	ok "client states when our client closes first: $states"
else
	not_ok "client states when our client closes first: expected $expect"
	echo "#   got: ${states:-nothing}"
fi
wait $KECHO
sleep 0.3
kstate=$(ss -tanH "sport = :7789 and dport = :$port" | awk '{print $1}')
check "the kernel's side closed cleanly (LAST-ACK -> CLOSED) after our ACK of its FIN (state: ${kstate:-gone})" \
	test -z "$kstate"
check "no sanitizer report from echo_client (client closes first)" no_sanitizer_report "$T/first.log"
check "capture is clean under tshark (checksums validated)" tshark_clean "$T/first.pcap"

kill $KSERVER $KECHO 2>/dev/null
finish
