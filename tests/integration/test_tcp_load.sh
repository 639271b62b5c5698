#!/usr/bin/env bash
# Load: echo_server --echo on our stack, clients on the kernel's sockets
# (tcp_client.py).  200 connections one after another, then 50 at once (one
# Python thread each), each sending 64 KiB of random bytes while reading the
# echo back; every byte must come back, in order.  Afterwards the server
# still runs, answers another connection, and its counters show no drop
# that only a corrupt or malformed packet could cause.  Then the same 64 KiB
# echo with TUNTCP_ISN=4294967000: our sequence numbers cross 2^32 in every
# connection.
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"
chmod 777 "$T"	# up.sh runs the stack as $SUDO_USER when set: its captures go here

CLIENT="$PY $TOP/tests/integration/tcp_client.py"

# echo_run "what" ARGS...: tcp_client.py echo to 10.0.0.2:7788 under a
# deadline; ok when every connection's echo was identical.
echo_run() {
	local what=$1 out status
	shift
	out=$(timeout 240 $CLIENT echo 10.0.0.2 7788 --timeout 30 "$@" 2>&1)
	status=$?
	if [ $status -eq 0 ]; then
		ok "$what: $(echo "$out" | head -1)"
	else
		not_ok "$what (status $status)"; echo "$out" | sed 's/^/#   /'
	fi
}

# drops_clean LOG: no drop a correct peer cannot cause.  (Out-of-order
# segments, duplicates and the like are normal when the TUN queue
# overflows; a bad checksum or a malformed header is not.)
drops_clean() {
	local bad
	bad=$(awk '/^tuntcp .* on /{ delete v } $1 == "drop" { v[$2] = $3 }
		END { for (k in v) if (k ~ /^ip-|^icmp-|^tcp-(too-short|bad-|port-zero)/) print k, v[k] }' "$1")
	[ -z "$bad" ] || { echo "$bad"; return 1; }
}

lab_up load --app "$BIN/echo_server" --echo || { not_ok "lab up (echo_server --echo)"; finish; }
LOG=$T/load.log

echo_run "200 connections one after another, 64 KiB each, echo identical" --conns 200 --size 65536 --seed 1
echo_run "50 connections at once, 64 KiB each, echo identical" --conns 50 --parallel --size 65536 --seed 1000

check "the server is still running" kill -0 "$APP_PID"
if stats_now "$LOG"; then
	ok "the server printed its counters on SIGUSR1"
	awk '/^tuntcp .* on /{ n = NR } { l[NR] = $0 } END { for (i = n; i <= NR; i++) if (l[i] ~ /packets:|drop /) print "# " l[i] }' "$LOG"
	check "no drop for a bad checksum or a malformed packet" drops_clean "$LOG"
else
	not_ok "the server printed its counters on SIGUSR1"
fi
n=$(grep -c '^echoed 65536 bytes to 10.0.0.1:' "$LOG")
check "the server echoed 65536 bytes on each of the 250 connections ($n)" test "$n" -eq 250
check "the server reported no recv/send error" bash -c "! grep -E '^echo_server: (recv|send)' '$LOG'"
echo_run "one more connection after the load" --conns 1 --size 1000 --seed 5000
lab_down
check "no sanitizer report from the server" no_sanitizer_report "$LOG"

# The same with the sequence numbers crossing 2^32: TUNTCP_ISN=4294967000.
TUNTCP_ISN=4294967000 TUNTCP_PCAP=$T/wrap.pcap lab_up wrap --app "$BIN/echo_server" --echo ||
	{ not_ok "lab up (echo_server --echo, TUNTCP_ISN=4294967000)"; finish; }
LOG=$T/wrap.log
echo_run "TUNTCP_ISN=4294967000: 5 connections one after another, 64 KiB each, echo identical" --conns 5 --size 65536 --seed 2000
echo_run "TUNTCP_ISN=4294967000: 20 connections at once, 64 KiB each, echo identical" --conns 20 --parallel --size 65536 --seed 3000
check "the server is still running" kill -0 "$APP_PID"
lab_down
check "no sanitizer report from the server (TUNTCP_ISN)" no_sanitizer_report "$LOG"
check "the server printed its counters at exit" grep -q 'packets:' "$LOG"
check "no drop for a bad checksum or a malformed packet (TUNTCP_ISN)" drops_clean "$LOG"
# Our data segments: sequence numbers before and after the wrap, each
# connection's first data byte at ISN+1 = 4294967001.
tshark -r "$T/wrap.pcap" -Y "ip.src == 10.0.0.2 && tcp.len > 0" -T fields -e tcp.seq_raw 2>/dev/null >"$T/seqs"
before=$(awk '$1 >= 4294967000' "$T/seqs" | wc -l)
after=$(awk '$1 < 100000' "$T/seqs" | wc -l)
first=$(grep -c '^4294967001$' "$T/seqs")
check "our data crossed 2^32: $before segments before, $after after the wrap" test "$before" -gt 0 -a "$after" -gt 0
check "each of the 25 connections sent its first byte at 4294967001 ($first)" test "$first" -ge 25
check "capture is clean under tshark (checksums validated)" tshark_clean "$T/wrap.pcap"
finish
