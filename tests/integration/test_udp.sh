#!/usr/bin/env bash
# UDP with the kernel as the peer (issue 8): the letter, both ways.
#
# 1. Our udp_echo_server (tuntcp, 10.0.0.2:7788), kernel clients: nc -u and
#    the tutorial's client in Python get "thank you!", and the server prints
#    who wrote; a datagram to a closed port is counted (udp-no-socket); the
#    trace and the capture show the datagrams, with good checksums.
# 2. The same server with --echo: 1000 datagrams of random sizes 0..1472
#    (seeded; the first empty, the second full) come back byte-identical;
#    with a receive queue of 1024 bytes, a burst overflows it: the drops
#    are counted, in the trace and in the capture's comments.
# 3. Our udp_echo_client against the kernel build of the same server
#    (build/kernel/udp_echo_server, in the namespace at 10.0.0.1): answers
#    for plain, echoed, full-size, empty and connected letters; no answer
#    from a port where nobody is; and through a lossy link (the fault
#    injector losing half of what we send) letters are lost, each loss seen
#    in the trace (and crossed out by tools/ladder), and nothing is sent
#    again.
# Every capture is clean under tshark with checksum validation on.
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"
chmod 777 "$T"	# up.sh runs the stack as $SUDO_USER when set: its captures go here

CLIENT="$PY $TOP/tests/integration/udp_client.py"
export TUNTCP_TRACE=1

# pkt "what" PCAP FILTER: at least one packet of the capture matches.
pkt() {
	local n
	n=$(tshark_count "$2" "$3")
	if [ "$n" -gt 0 ]; then ok "capture: $1 ($n)"; else not_ok "capture: $1 (filter: $3)"; fi
}

# ---------------------------------------------------------------------
# 1. The tutorial's exchange, as letters.
TUNTCP_PCAP=$T/server.pcap lab_up server --app "$BIN/udp_echo_server" || { not_ok "lab up (udp_echo_server)"; finish; }
LOG=$T/server.log
check "the server says it waits on port 7788" grep -q 'udp_echo_server on tuntcp: waiting for datagrams on port 7788' "$LOG"

out=$(echo hello | timeout 10 nc -u -w 1 -p 40011 10.0.0.2 7788 2>&1)
check "nc -u posts a line and gets \"thank you!\" (got: $out)" test "$out" = "thank you!"
check "the server printed the line and who sent it" \
	grep -q '接收到的数据为 (received from 10.0.0.1:40011): hello' "$LOG"

out=$(timeout 10 $CLIENT --from 40012 seed 10.0.0.2 7788 "你好, tuntcp" 2>&1)
check "the tutorial's client in Python gets \"thank you!\" (got: $out)" test "$out" = "thank you!"
check "the server printed the Python client's message" \
	grep -q 'received from 10.0.0.1:40012): 你好, tuntcp' "$LOG"

check "trace: the datagram in" grep -qE ' in   10\.0\.0\.1:40011 > 10\.0\.0\.2:7788 UDP len=6$' "$LOG"
check "trace: the answer out" grep -qE ' out  10\.0\.0\.2:7788 > 10\.0\.0\.1:40011 UDP len=10$' "$LOG"

# Nobody on port 7799: dropped and counted.  (RFC 1122 4.1.3.1 also asks
# for an ICMP port unreachable: ICMP's part, tested with it.)
stats_now "$LOG"
before=$(counter "$LOG" udp-no-socket)
echo hello | timeout 10 nc -u -w 1 -p 40013 10.0.0.2 7799 >/dev/null 2>&1
stats_now "$LOG"
after=$(counter "$LOG" udp-no-socket)
check "a datagram to closed port 7799 is counted as udp-no-socket ($before -> $after)" \
	test "$after" -eq $((before + 1))
check "trace: drop: udp-no-socket (port 7799)" grep -q -- '--   drop: udp-no-socket (port 7799)' "$LOG"

check "the server is still running" kill -0 "$APP_PID"
lab_down
check "no sanitizer report from the server" no_sanitizer_report "$LOG"

P=$T/server.pcap
pkt "the datagram from nc" "$P" "ip.src == 10.0.0.1 && udp.srcport == 40011 && udp.dstport == 7788 && udp.length == 14"
pkt "\"thank you!\" from the stack" "$P" "ip.src == 10.0.0.2 && udp.srcport == 7788 && udp.dstport == 40011 && udp.payload == \"thank you!\""
n=$(tshark_count "$P" "ip.src == 10.0.0.2 && udp")
good=$(tshark -r "$P" -o udp.check_checksum:TRUE -Y 'ip.src == 10.0.0.2 && udp.checksum.status == "Good"' 2>/dev/null | wc -l)
check "capture: every datagram the stack sent has a good UDP checksum ($good of $n)" \
	test "$n" -ge 2 -a "$good" -eq "$n"
pkt "the capture's comment on the datagram: queued for its socket" "$P" \
	"udp.dstport == 7788 && frame.comment contains \"queued for *:7788\""
pkt "the capture's comment on the datagram to 7799: dropped" "$P" \
	"udp.dstport == 7799 && frame.comment contains \"dropped: udp-no-socket\""
check "capture is clean under tshark (checksums validated)" tshark_clean "$P"

# ---------------------------------------------------------------------
# 2. Echo mode: 1000 datagrams of random sizes, each back byte for byte.
TUNTCP_PCAP=$T/echo.pcap lab_up echo --app "$BIN/udp_echo_server" --echo || { not_ok "lab up (udp_echo_server --echo)"; finish; }
LOG=$T/echo.log
out=$(timeout 120 $CLIENT --from 40014 echo 10.0.0.2 7788 1000 8 2>&1)
check "1000 datagrams of 0..1472 random bytes (seed 8): $out" test $? -eq 0
n=$(grep -c 'echoed [0-9]* bytes to 10.0.0.1:40014' "$LOG")
check "the server echoed 1000 datagrams ($n)" test "$n" -eq 1000
check "... an empty one among them" grep -q 'echoed 0 bytes to 10.0.0.1:40014' "$LOG"
check "the server is still running" kill -0 "$APP_PID"
lab_down
check "no sanitizer report from the echo server" no_sanitizer_report "$LOG"
P=$T/echo.pcap
n=$(tshark_count "$P" "ip.src == 10.0.0.2 && udp.srcport == 7788")
check "capture: 1000 datagrams from the stack ($n)" test "$n" -eq 1000
pkt "a full-size datagram (1472 bytes, 1500 with headers)" "$P" "ip.src == 10.0.0.2 && udp.length == 1480"
check "capture is clean under tshark (checksums validated)" tshark_clean "$P"

# ---------------------------------------------------------------------
# 2b. A letter box that is full: a receive queue of 1024 bytes holds one
# datagram of 1000 bytes; a burst of 100 finds it full, and what does not
# fit is dropped and counted - and each one that fit was answered.
TUNTCP_RCVBUF=1024 TUNTCP_PCAP=$T/full.pcap lab_up fullq --app "$BIN/udp_echo_server" --echo ||
	{ not_ok "lab up (udp_echo_server --echo, TUNTCP_RCVBUF=1024)"; finish; }
LOG=$T/fullq.log
out=$(timeout 30 $CLIENT --from 40015 burst 10.0.0.2 7788 100 1000 2>&1)
answers=${out% answers}
stats_now "$LOG"
dropped=$(counter "$LOG" udp-receive-queue-full)
if [ "$dropped" -gt 0 ] && [ "$answers" -gt 0 ] && [ $((answers + dropped)) -eq 100 ]; then
	ok "a burst of 100 into a 1024-byte queue: $answers answered, $dropped dropped as udp-receive-queue-full"
else
	not_ok "a burst of 100 into a 1024-byte queue: '$out', $dropped dropped as udp-receive-queue-full"
fi
check "trace: drop: udp-receive-queue-full (*:7788: 1 datagram, 1016 of 1024 bytes queued)" \
	grep -qF -- '--   drop: udp-receive-queue-full (*:7788: 1 datagram, 1016 of 1024 bytes queued)' "$LOG"
lab_down
check "no sanitizer report from the server" no_sanitizer_report "$LOG"
pkt "the capture's comment on a datagram the full queue dropped" "$T/full.pcap" \
	"frame.comment contains \"dropped: udp-receive-queue-full\""

# ---------------------------------------------------------------------
# 3. Our client, the kernel's server.
"$TOP/tools/up.sh" --no-app >"$T/up.log" 2>&1 || { not_ok "up.sh --no-app"; sed 's/^/#   /' "$T/up.log"; finish; }
"$BIN/kernel/udp_echo_server" >"$T/kserver.log" 2>&1 &
KSERVER=$!
"$BIN/kernel/udp_echo_server" --echo 7789 >"$T/kecho.log" 2>&1 &
KECHO=$!
trap 'kill $KSERVER $KECHO 2>/dev/null; lab_down_all; [ -n "${KEEP_T:-}" ] && cp -r "$T" /tmp/kept.$$; rm -rf "$T"' EXIT
kernel_udp_bound 7788 || not_ok "the kernel's udp_echo_server is bound to 7788"
kernel_udp_bound 7789 || not_ok "the kernel's udp_echo_server --echo is bound to 7789"

# client NAME ARGS...: our udp_echo_client, its output in $T/NAME.out, its
# trace in $T/NAME.log, its capture in $T/NAME.pcap; sets $status.
client() {
	local name=$1
	shift
	TUNTCP_PCAP=$T/$name.pcap timeout 60 "$BIN/udp_echo_client" "$@" >"$T/$name.out" 2>"$T/$name.log"
	status=$?
}

client plain 10.0.0.1 7788 hello --count 5
check "udp_echo_client: 5 letters, 5 answers \"thank you!\" (status $status)" \
	test $status -eq 0 -a "$(grep -c '(received from 10.0.0.1:7788): thank you!$' "$T/plain.out")" -eq 5
check "udp_echo_client says: answered: 5 of 5" grep -q '^answered: 5 of 5$' "$T/plain.out"
check "the kernel's server received \"hello 1\" .. \"hello 5\" from 10.0.0.2" \
	test "$(grep -cE 'received from 10\.0\.0\.2:[0-9]+\): hello [1-5]$' "$T/kserver.log")" -eq 5
check "no sanitizer report from udp_echo_client" no_sanitizer_report "$T/plain.log"
pkt "our letters" "$T/plain.pcap" "ip.src == 10.0.0.2 && udp.dstport == 7788"
check "capture is clean under tshark (checksums validated)" tshark_clean "$T/plain.pcap"

client full 10.0.0.1 7789 tuntcp --count 20 --size 1472
check "20 full-size letters (1472 bytes) echoed by the kernel, byte-identical" \
	test $status -eq 0 -a "$(grep -c 'received 1472 bytes from 10.0.0.1:7789 (the letter itself, echoed)' "$T/full.out")" -eq 20
check "capture is clean under tshark (checksums validated)" tshark_clean "$T/full.pcap"

client empty 10.0.0.1 7789 x --count 3 --size 0
check "3 empty letters, 3 empty echoes (status $status)" \
	test $status -eq 0 -a "$(grep -c '(received from 10.0.0.1:7789): $' "$T/empty.out")" -eq 3
client connected 10.0.0.1 7789 hi --count 3 --connect
check "connected (send/recv): 3 echoes (status $status)" \
	test $status -eq 0 -a "$(grep -c '(received from 10.0.0.1:7789): hi [1-3]$' "$T/connected.out")" -eq 3

# Nobody on the port: no answer, and nobody says so to an unconnected socket.
client nobody 10.0.0.1 7799 anyone --timeout 300
if [ $status -eq 1 ] && grep -q '^letter 1: no answer within 300 ms' "$T/nobody.out" &&
   grep -q '^answered: 0 of 1$' "$T/nobody.out"; then
	ok "a letter to a port where nobody is: no answer, answered: 0 of 1"
else
	not_ok "a letter to a port where nobody is: status $status"
	sed 's/^/#   /' "$T/nobody.out"
fi

# A lossy link: the fault injector loses half of what the stack sends (a
# fixed seed).  Lost letters are not sent again: each one lost in the
# trace is one unanswered.
TUNTCP_FAULTS=out.loss=0.5,seed=3 client lossy 10.0.0.1 7788 letter --count 10 --timeout 300
answered=$(sed -n 's/^answered: \([0-9]*\) of 10$/\1/p' "$T/lossy.out")
lost=$(grep -c 'fault: lost out .* > 10\.0\.0\.1:7788 UDP' "$T/lossy.log")
if [ -n "$answered" ] && [ "$answered" -gt 0 ] && [ "$answered" -lt 10 ] && [ $((answered + lost)) -eq 10 ]; then
	ok "through out.loss=0.5: answered $answered of 10, the trace shows $lost letters lost"
else
	not_ok "through out.loss=0.5: answered '${answered}' of 10, $lost lost in the trace (status $status)"
	sed 's/^/#   /' "$T/lossy.out"
fi
sent=$(tshark_count "$T/lossy.pcap" "ip.src == 10.0.0.2 && udp.dstport == 7788")
check "... and each of the 10 letters was sent once: nothing resent ($sent in the capture)" test "$sent" -eq 10
check "no sanitizer report from the lossy client" no_sanitizer_report "$T/lossy.log"
"$TOP/tools/ladder" "$T/lossy.pcap" --trace "$T/lossy.log" >"$T/lossy.mmd" 2>&1
n=$(grep -cE -- '-xP[0-9]+: [0-9]+ UDP len=[0-9]+ .*\(lost\)$' "$T/lossy.mmd")
check "tools/ladder crosses out the $lost letters the trace says were lost ($n)" test "$n" -eq "$lost"

kill $KSERVER $KECHO 2>/dev/null
finish
