#!/usr/bin/env bash
# TCP with the kernel as the server: our echo_client (on tun0, 10.0.0.2)
# against the kernel build of the seed's server (build/kernel/echo_server,
# in the namespace, reached at 10.0.0.1:7788).
#
# Checked: the reply "thank you!"; the client's states (CLOSED -> SYN-SENT
# -> ESTABLISHED, then the FIN states of its close: the kernel closes first,
# so CLOSE-WAIT -> LAST-ACK, or FIN-WAIT-1 if our close won the race); the
# kernel's side of the connection got our FIN (TIME-WAIT); the capture
# (handshake, data and FIN both ways, clean under tshark); a closed port
# on the kernel's side refused at once ("Connection refused").
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"

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
case $states in
"CLOSED -> SYN-SENT -> ESTABLISHED -> CLOSE-WAIT -> LAST-ACK"*)
	ok "client states: $states (the kernel closed first)" ;;
"CLOSED -> SYN-SENT -> ESTABLISHED -> FIN-WAIT-1"*)
	ok "client states: $states (our close came first)" ;;
*)
	not_ok "client states: CLOSED -> SYN-SENT -> ESTABLISHED, then the FIN states; got: ${states:-nothing}"
	grep -- ' -> ' "$T/client.log" | sed 's/^/#   /' ;;
esac
check "the SYN-SENT -> ESTABLISHED change was caused by the kernel's SYN,ACK" \
	grep -qE ":$port  SYN-SENT -> ESTABLISHED  \(SYN,ACK seq=0 ack=1\)" "$T/client.log"
# The kernel's side: it sent its FIN after the reply and must have had ours
# (TIME-WAIT; CLOSING if the two FINs crossed).
kstate=$(ss -tanH "sport = :7788 and dport = :$port" | awk '{print $1}')
check "the kernel's side of the connection got our FIN (state: ${kstate:-none})" \
	bash -c "[ '$kstate' = TIME-WAIT ] || [ '$kstate' = CLOSING ]"
check "no sanitizer report from echo_client" no_sanitizer_report "$T/client.log"

P=$T/client.pcap
F="tcp.port == 7788"
for what in \
	"SYN from the stack|ip.src == 10.0.0.2 && tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.options.mss_val == 1460" \
	"SYN,ACK from the kernel|ip.src == 10.0.0.1 && tcp.flags.syn == 1 && tcp.flags.ack == 1" \
	"ACK completing the handshake|ip.src == 10.0.0.2 && tcp.flags == 0x010 && tcp.seq == 1 && tcp.ack == 1" \
	"data from the stack (\"hello\")|ip.src == 10.0.0.2 && tcp.payload == \"hello\"" \
	"data from the kernel (\"thank you!\")|ip.src == 10.0.0.1 && tcp.payload == \"thank you!\"" \
	"FIN from the kernel|ip.src == 10.0.0.1 && tcp.flags.fin == 1" \
	"FIN from the stack|ip.src == 10.0.0.2 && tcp.flags.fin == 1"; do
	n=$(tshark_count "$P" "$F && ${what#*|}")
	check "capture: ${what%%|*} ($n)" test "$n" -gt 0
done
check "capture is clean under tshark (checksums validated)" tshark_clean "$P"

# Ten more in a row: the reply every time (different ports and ISNs).
good=0
for i in $(seq 10); do
	timeout 20 "$BIN/echo_client" 10.0.0.1 7788 "hello $i" 2>/dev/null | grep -q '(received): thank you!$' && good=$((good + 1))
done
check "10 more connections in a row: $good replies" test $good -eq 10

# A closed port on the kernel's side: its RST,ACK refuses our SYN at once.
t0=$(date +%s%N)
timeout 20 "$BIN/echo_client" 10.0.0.1 7799 hello >"$T/refused.out" 2>"$T/refused.log"
status=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ $status -ne 0 ] && [ $status -ne 124 ] && grep -q 'connect to 10.0.0.1:7799: Connection refused' "$T/refused.log" && [ "$ms" -lt 500 ]; then
	ok "echo_client to closed port 7799: \"Connection refused\" after $ms ms"
else
	not_ok "echo_client to closed port 7799: status $status after $ms ms"; grep -v '^[0-9:.]* ' "$T/refused.log" | sed 's/^/#   /'
fi
check "its trace: SYN-SENT -> CLOSED on the kernel's RST,ACK" \
	grep -qE '10\.0\.0\.1:7799 > 10\.0\.0\.2:[0-9]+  SYN-SENT -> CLOSED  \(RST,ACK ack=1\)' "$T/refused.log"
check "no sanitizer report from the refused echo_client" no_sanitizer_report "$T/refused.log"

kill $KSERVER 2>/dev/null
finish
