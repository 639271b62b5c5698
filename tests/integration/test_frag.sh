#!/usr/bin/env bash
# IPv4 fragments (issue 8): reassembly in, fragmentation out, and the
# attacks on reassembly.
#   1. The kernel pings with 4000 and 65507 bytes of data: it cuts each
#      request into fragments, the stack reassembles it and answers in
#      fragments, the kernel reassembles the reply and ping checks every
#      byte.  tshark sees the fragments both ways, reassembles them, and
#      finds the capture clean with checksum validation on.
#   2. frag_attack.py's hostile cases (teardrop, tiny fragments, too many
#      fragments, the ping of death, 10,000 never-finished datagrams, more
#      than the memory cap): each raises its named counter; afterwards the
#      stack is up, answers a ping, and its RSS is bounded.
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"

# --- 1. big pings, both ways in fragments ---
TUNTCP_PCAP=$T/frag.pcap lab_up frag --app "$BIN/tuntcpd" || { not_ok "lab up"; finish; }
LOG=$T/frag.log

ping_ok() {	# ping_ok SIZE COUNT: every reply came, with the payload intact
	local out got
	out=$(ping -c "$2" -i 0.2 -W 5 -s "$1" -p a5c3 10.0.0.2 2>&1)
	got=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	if [ "$got" = "$2" ] && ! echo "$out" | grep -qi 'wrong data\|DUP'; then
		ok "ping -s $1: $2 of $2 replies, payload identical"
	else
		not_ok "ping -s $1: ${got:-0} of $2 replies"; echo "$out" | tail -3 | sed 's/^/#   /'
	fi
}
ping_ok 4000 5
ping_ok 65507 3

stats_now "$LOG"
held=$(awk '/ip fragments held/ { v = $4 } END { print v + 0 }' "$LOG")
whole=$(awk '/ip fragments held/ { gsub(/\(/, "", $5); v = $5 } END { print v + 0 }' "$LOG")
cut_up=$(awk '/ip datagrams fragmented/ { v = $4 } END { print v + 0 }' "$LOG")
sent=$(awk '/ip datagrams fragmented/ { gsub(/\(/, "", $5); v = $5 } END { print v + 0 }' "$LOG")
# 4000 bytes: 3 fragments each way; 65507: 45.
check "the stack reassembled 8 requests from 150 fragments ($whole from $held)" \
	test "$whole" = 8 -a "$held" = 150
check "the stack sent 8 replies in 150 fragments ($cut_up in $sent)" \
	test "$cut_up" = 8 -a "$sent" = 150
lab_down

check "capture is clean under tshark (checksums validated)" tshark_clean "$T/frag.pcap"
n=$(tshark_count "$T/frag.pcap" 'ip.src == 10.0.0.1 && (ip.flags.mf == 1 || ip.frag_offset > 0)')
check "the kernel's requests came in fragments ($n)" test "$n" = 150
n=$(tshark_count "$T/frag.pcap" 'ip.src == 10.0.0.2 && (ip.flags.mf == 1 || ip.frag_offset > 0)')
check "our replies went out in fragments ($n)" test "$n" = 150
n=$(tshark_count "$T/frag.pcap" 'ip.src == 10.0.0.2 && ip.flags.df == 0 && ip.flags.mf == 1 && ip.len == 1500')
check "every fragment but the last carries 1480 bytes, DF clear ($n)" test "$n" = 142
n=$(tshark_count "$T/frag.pcap" 'icmp.type == 0 && ip.src == 10.0.0.2 && ip.reassembled.length == 4008')
check "tshark reassembles 5 replies of 4008 bytes ($n)" test "$n" = 5
n=$(tshark_count "$T/frag.pcap" 'icmp.type == 0 && ip.src == 10.0.0.2 && ip.reassembled.length == 65515 && icmp.resp_to')
check "tshark reassembles 3 replies of 65515 bytes, each matched to its request ($n)" test "$n" = 3

# --- 2. attacks on reassembly ---
# A short reassembly timeout, so the held fragments time out during the
# test; the trace names each datagram given up.
TUNTCP_TRACE=1 TUNTCP_FRAG_TIMEOUT=3000 lab_up attack --app "$BIN/tuntcpd" || { not_ok "lab up (attacks)"; finish; }
LOG=$T/attack.log
# A queue long enough for the floods while the stack reads them.
ip link set dev tun0 txqueuelen 20000

value() {	# value LOG WHAT FIELD: a number from the newest counters
	awk -v what="$2" -v f="$3" 'index($0, what) { v = $f } END { gsub(/[^0-9]/, "", v); print v + 0 }' "$1"
}

while read -r name reason; do
	stats_now "$LOG"
	before=$(counter "$LOG" "$reason")
	replies_before=$(value "$LOG" "icmp echo replies sent" 5)
	rx_before=$(value "$LOG" "packets:" 2)
	$PY "$TOP/tests/integration/frag_attack.py" tun0 "$name"
	sleep 0.5
	stats_now "$LOG"
	after=$(counter "$LOG" "$reason")
	replies=$(($(value "$LOG" "icmp echo replies sent" 5) - replies_before))
	rx=$(($(value "$LOG" "packets:" 2) - rx_before))
	case $name in
	tiny)
		check "tiny: 65 fragments of 8 bytes reassembled and answered ($rx in, $replies replies)" \
			test "$replies" = 1 -a "$rx" -ge 65 ;;
	flood)
		# Each of the 10,000 evicts the oldest once 256 wait.
		check "flood: 10,000 never-finished datagrams, at most 256 kept ($rx in, $reason $before -> $after)" \
			test "$rx" -ge 10000 -a $((after - before)) -ge $((10000 - 256)) ;;
	mem-flood)
		# 40 fragments of 1480 take about 60 KB: some 69 datagrams
		# fit in 4 MiB, so about 31 must go, the oldest (0x8000) first.
		check "mem-flood: 5.9 MB of fragments against a 4 MiB cap ($rx in, $reason $before -> $after)" \
			test "$rx" -ge 4000 -a $((after - before)) -ge 25 -a $((after - before)) -le 40
		# The trace names each: 0x8000, 0x8001, ... in that order.
		got=$(sed -n 's/.*drop: ip-frag-evicted (id \(0x80[0-9a-f]*\) from 10.0.0.99: memory cap).*/\1/p' "$LOG" | tr '\n' ' ')
		want=$(for ((i = 0; i < after - before; i++)); do printf '0x%04x ' $((0x8000 + i)); done)
		check "mem-flood: the oldest were evicted first (${got:0:40}...)" \
			test -n "$got" -a "${want:0:${#got}}" = "$got" ;;
	*)
		check "$name: counted as $reason ($before -> $after)" test "$after" -gt "$before" ;;
	esac
done < <($PY "$TOP/tests/integration/frag_attack.py" --list)

# The held fragments time out (3 s); the ping of death's fragment 0 was
# among them, so ICMP's time exceeded was asked for.
sleep 3.5
stats_now "$LOG"
timeouts=$(counter "$LOG" ip-frag-timeout)
reported=$(value "$LOG" "ip reassembly timeouts" 4)
check "held fragments timed out ($timeouts datagrams; $reported with fragment 0)" \
	test "$timeouts" -ge 1 -a "$reported" -ge 1

check "ping answered right after the attacks" ping -c 3 -i 0.2 -W 2 10.0.0.2
check "ping -s 4000 answered right after the attacks" ping -c 2 -i 0.2 -W 2 -s 4000 10.0.0.2
check "the stack program is still running" kill -0 "$APP_PID"
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$APP_PID/status")
echo "# RSS of the stack after the attacks: ${rss} kB"
check "its RSS stays bounded (${rss} kB < 64 MiB)" test "${rss:-999999}" -lt $((64 * 1024))
lab_down
check "no sanitizer report" no_sanitizer_report "$LOG"

# The settings are checked before anything starts.
refused() {	# refused VARIABLE=VALUE: the program says which, and stops
	local out
	out=$(env "$1" timeout 5 "$BIN/tuntcpd" 2>&1) && return 1
	grep -q "^tuntcp: $1: expected a whole number" <<<"$out"
}
check "TUNTCP_FRAG_MEM=10 is refused with a sentence" refused TUNTCP_FRAG_MEM=10
check "TUNTCP_FRAG_TIMEOUT=0 is refused with a sentence" refused TUNTCP_FRAG_TIMEOUT=0
finish
