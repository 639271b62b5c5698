#!/usr/bin/env bash
# The learner's first step (issue 2): tools/up.sh, then ping with payloads of
# 0, 56 and 1400 bytes; every reply comes back with an identical payload, and
# the TUNTCP_PCAP capture is clean under tshark's checksum validation.
# The stack program runs as an unprivileged user, as up.sh runs it for sudo.
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"

cp "$BIN/tuntcpd" "$T/tuntcpd"
chmod 755 "$T/tuntcpd"
chmod 777 "$T"
SUDO_USER=nobody TUNTCP_PCAP=$T/ping.pcap lab_up ping --app "$T/tuntcpd" || { not_ok "lab up"; finish; }
check "the stack program runs as nobody, not root" \
	test "$(ps -o user= -p "$APP_PID")" = nobody

for size in 0 56 1400; do
	# -p sets a payload pattern ping checks in every reply ("wrong data" otherwise)
	out=$(ping -c 20 -i 0.05 -W 2 -s $size -p a5c3 10.0.0.2 2>&1)
	got=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	if [ "$got" = 20 ] && ! echo "$out" | grep -qi 'wrong data\|DUP'; then
		ok "ping -s $size: 20 of 20 replies, payload identical"
	else
		not_ok "ping -s $size: $got of 20 replies"; echo "$out" | tail -3 | sed 's/^/#   /'
	fi
done

lab_down
check "up.sh removed tun0 on SIGTERM" bash -c '! ip link show dev tun0 2>/dev/null'
check "the program printed its counters at exit" grep -q 'icmp echo replies sent *60' "$T/ping.log"

check "capture is clean under tshark (checksums validated)" tshark_clean "$T/ping.pcap"
n_req=$(tshark -r "$T/ping.pcap" -Y 'icmp.type == 8' 2>/dev/null | wc -l)
n_rep=$(tshark -r "$T/ping.pcap" -Y 'icmp.type == 0 && icmp.resp_in == 0 || icmp.type == 0' 2>/dev/null | wc -l)
check "capture holds all 60 requests and 60 replies ($n_req, $n_rep)" test "$n_req" = 60 -a "$n_rep" = 60
n_matched=$(tshark -r "$T/ping.pcap" -Y 'icmp.type == 0 && icmp.resp_to' 2>/dev/null | wc -l)
check "tshark pairs every reply with its request ($n_matched)" test "$n_matched" = 60
finish
