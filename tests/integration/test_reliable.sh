#!/usr/bin/env bash
# Reliable delivery on a hostile network (issue 4), with the Linux kernel as
# the peer:
#   - 100 MB each way through our fault injector (5% loss, 2% reordering,
#     1% duplication, 0.5% corruption): every byte arrives, in order, once;
#   - the same through losses the kernel makes itself: the kernel peer lives
#     in a namespace of its own behind a veth pair, and nftables drops 3% of
#     the packets forwarded each way (numgen random), an independent check;
#   - a receiver that stops reading for seconds: the window closes, our
#     zero-window probes appear in tshark, and the transfer completes.
# Lab options keep it quick: TUNTCP_RTO_MIN=20 for our stack and a route
# rto_min of 20ms for the kernel (the RFC's 1 s minimum would make the same
# transfers take many minutes).  TUNTCP_RELIABLE_MB changes the size.
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"

MB=${TUNTCP_RELIABLE_MB:-100}
BYTES=$((MB << 20))
FAULTS="loss=0.05,reorder=0.02,dup=0.01,corrupt=0.005,seed=42"
export TUNTCP_RTO_MIN=20

"$TOP/tools/up.sh" --no-app >"$T/up.log" 2>&1 || { not_ok "up.sh --no-app"; cat "$T/up.log"; finish; }
ip route change 10.0.0.0/24 dev tun0 rto_min 20ms

# wait_listening LOG: until the blast receiver says it listens (at most 10 s).
wait_listening() {
	for _ in $(seq 100); do
		grep -q 'listening on port' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# blast_check LABEL RECEIVER-LOG SENDER-STATUS
blast_check() {
	if [ "$3" -eq 0 ] && grep -q "all $BYTES bytes match" "$2"; then
		ok "$1: $(grep -h 'Mbit' "$2" | sed 's/^blast recv: //')"
	else
		not_ok "$1 (sender status $3)"
		tail -5 "$2" | sed 's/^/#   /'
	fi
}

# 1. kernel -> tuntcp through the injector
TUNTCP_FAULTS=$FAULTS timeout 300 "$BIN/blast" recv 9000 --bytes $BYTES >"$T/r1.log" 2>&1 &
r=$!
wait_listening "$T/r1.log"
timeout 300 "$TOP/build/kernel/blast" send 10.0.0.2 9000 $BYTES >"$T/s1.log" 2>&1
s=$?
wait $r
blast_check "$MB MB kernel -> tuntcp through 5% loss, 2% reorder, 1% dup, 0.5% corrupt" "$T/r1.log" $s
check "the injector did its work on the way in" grep -Eq 'faults in +lost [1-9]' "$T/r1.log"

# 2. tuntcp -> kernel through the injector
timeout 300 "$TOP/build/kernel/blast" recv 9001 --bytes $BYTES >"$T/r2.log" 2>&1 &
r=$!
wait_listening "$T/r2.log"
TUNTCP_FAULTS=$FAULTS timeout 300 "$BIN/blast" send 10.0.0.1 9001 $BYTES >"$T/s2.log" 2>&1
s=$?
wait $r
blast_check "$MB MB tuntcp -> kernel through the same faults" "$T/r2.log" $s
check "our sender retransmitted, fast and on timeout" grep -Eq 'retransmitted +[1-9][0-9]* \([1-9]' "$T/s2.log"

# 3. The kernel drops: a peer namespace behind veth, nftables in between.
peer=tuntcp-peer-$$
ip netns add $peer
trap 'ip netns del $peer 2>/dev/null; lab_down_all; rm -rf "$T"' EXIT
ip link add veth0 type veth peer name veth1 netns $peer
ip addr add 10.9.0.1/24 dev veth0
ip link set veth0 up
ip -n $peer link set lo up
ip -n $peer addr add 10.9.0.2/24 dev veth1
ip -n $peer link set veth1 up
ip -n $peer route add default via 10.9.0.1
ip -n $peer route change default via 10.9.0.1 rto_min 20ms
# A small receive buffer for the kernel peer, so a paused reader closes its
# window (autotuning would otherwise absorb seconds of data).
ip netns exec $peer sysctl -q -w net.ipv4.tcp_rmem="4096 65536 131072"
sysctl -q -w net.ipv4.ip_forward=1
nft -f - <<NFT
table inet tuntcp_loss {
	chain forward {
		type filter hook forward priority 0; policy accept;
		numgen random mod 100 < 3 counter drop
	}
}
NFT
NBYTES=$((BYTES / 4))
ip netns exec $peer timeout 300 "$TOP/build/kernel/blast" recv 9002 --bytes $NBYTES >"$T/r3.log" 2>&1 &
r=$!
wait_listening "$T/r3.log"
timeout 300 "$BIN/blast" send 10.9.0.2 9002 $NBYTES >"$T/s3.log" 2>&1
s=$?
wait $r
BYTES_SAVE=$BYTES; BYTES=$NBYTES
blast_check "$((MB / 4)) MB tuntcp -> kernel (other namespace), nftables dropping 3% each way" "$T/r3.log" $s
TUNTCP_PCAP=$T/zw.pcap
timeout 300 "$BIN/blast" recv 9003 --bytes $NBYTES >"$T/r4.log" 2>&1 &
r=$!
wait_listening "$T/r4.log"
ip netns exec $peer timeout 300 "$TOP/build/kernel/blast" send 10.0.0.2 9003 $NBYTES >"$T/s4.log" 2>&1
s=$?
wait $r
blast_check "$((MB / 4)) MB kernel (other namespace) -> tuntcp, nftables dropping 3% each way" "$T/r4.log" $s
drops=$(nft list chain inet tuntcp_loss forward | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
check "nftables dropped packets ($drops)" test "${drops:-0}" -gt 100

# 4. A receiver that stalls for 4 s while nftables drops 3%: the window
#    closes, we probe it, and the transfer completes.
ZB=$((8 << 20))
ip netns exec $peer timeout 300 "$TOP/build/kernel/blast" recv 9004 --bytes $ZB --pause-after 1000000 --pause 4 >"$T/r5.log" 2>&1 &
r=$!
wait_listening "$T/r5.log"
TUNTCP_PCAP=$T/zw.pcap timeout 120 "$BIN/blast" send 10.9.0.2 9004 $ZB >"$T/s5.log" 2>&1
s=$?
wait $r
BYTES=$ZB
blast_check "8 MB to a kernel receiver that stops reading for 4 s, 3% dropped" "$T/r5.log" $s
# The stack's own counters, not a dissector's heuristics: tshark labels a
# probe only when its sequence number is the one it expected next, which a
# loss just before the window shut makes it miss now and then.
zw=$(sed -n 's/.*tcp zero windows from peer *\([0-9]*\).*/\1/p' "$T/s5.log")
probes=$(sed -n 's/.*tcp zero-window probes sent *\([0-9]*\).*/\1/p' "$T/s5.log")
check "the peer shut its window (${zw:-0} times) and we probed it (${probes:-0} probes)" \
	test "${zw:-0}" -gt 0 -a "${probes:-0}" -gt 0
zwcap=$(tshark -r "$T/zw.pcap" -Y 'tcp.window_size == 0 && ip.src == 10.9.0.2 && !(tcp.flags.syn == 1) && !(tcp.flags.reset == 1)' 2>/dev/null | wc -l)
check "the capture holds the zero-window ACKs ($zwcap)" test "$zwcap" -gt 0
check "the capture is clean under tshark" tshark_clean "$T/zw.pcap"
BYTES=$BYTES_SAVE

# 5. The issue's acceptance: echo_server --echo behind the injector, 8 MiB
#    from a Python client echoed back identical; tshark shows retransmissions.
"$TOP/tools/down.sh" >/dev/null
TUNTCP_FAULTS=$FAULTS TUNTCP_PCAP=$T/echo.pcap lab_up echo --app "$BIN/echo_server" --echo ||
	not_ok "echo_server lab up"
check "8 MiB echoed back identical through the faults" \
	timeout 300 $PY "$TOP/tests/integration/tcp_client.py" echo 10.0.0.2 7788 --size $((8 << 20)) --timeout 120
lab_down
rexmt=$(tshark -r "$T/echo.pcap" -Y 'tcp.analysis.retransmission || tcp.analysis.fast_retransmission' 2>/dev/null | wc -l)
check "tshark shows the retransmissions ($rexmt)" test "$rexmt" -gt 10
check "what the stack sent is clean under tshark (the injector corrupted some of what it received)" \
	tshark_clean "$T/echo.pcap" "ip.src == 10.0.0.2"
finish
