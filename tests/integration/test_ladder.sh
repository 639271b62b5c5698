#!/usr/bin/env bash
# tools/ladder, the ladder diagrams of docs/: from real captures of the lab.
#
# Checked: one echo exchange (a kernel client and echo_server),
# captured twice at once - by tuntcp itself (TUNTCP_PCAP: pcapng, raw IPv4,
# a comment on every packet) and by dumpcap on tun0 (pcap, as tshark or
# tcpdump would write it) - gives a Mermaid sequenceDiagram with the
# handshake, the data both ways and both FINs, the same from either file;
# the stack's comments become notes; a lossy run's diagram marks its
# retransmissions (and, given the trace, the packets the link lost); --svg
# writes an SVG; a capture cut short is read up to the cut; garbage, an
# empty file and a missing one give a one-line error and a non-zero status,
# never a traceback.
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"
chmod 777 "$T"	# up.sh runs the stack as $SUDO_USER when set: its captures go here

LADDER=$TOP/tools/ladder
CLIENT="$PY $TOP/tests/integration/tcp_client.py"
export TUNTCP_TRACE=1 TUNTCP_ISN=0 TUNTCP_MSL=200

# alias OUT NAME: the Mermaid participant id of endpoint NAME ("P2").
alias_of() {
	sed -n "s/^    participant \(P[0-9]*\) as $(printf '%s' "$2" | sed 's/\./\\./g')\( (tuntcp)\)\{0,1\}\$/\1/p" "$1"
}

# arrow OUT FROM TO REGEX: an arrow from endpoint FROM to endpoint TO whose
# label matches the extended regular expression REGEX.
arrow() {
	local a b
	a=$(alias_of "$1" "$2")
	b=$(alias_of "$1" "$3")
	[ -n "$a" ] && [ -n "$b" ] && grep -qE -- "^    $a(->>|-->>|-x|--x)$b: .*$4" "$1"
}

# mermaid_clean OUT: every line is a statement ladder writes, and no label
# holds a character Mermaid would take for syntax (';', '#', '<', '>'
# must come as entity codes, and '<br/>' only in notes).
mermaid_clean() {
	[ "$(head -1 "$1")" = sequenceDiagram ] || { echo "# first line: $(head -1 "$1")"; return 1; }
	awk 'NR > 1 && !/^    (%% |participant P[0-9]+ as |Note (left of|right of|over) P[0-9]+(,P[0-9]+)?: |P[0-9]+(->>|-->>|-x|--x)P[0-9]+: )/ { print "# odd line: " $0; bad = 1 }
	     NR > 1 && !/^    %% / { t = $0; sub(/^[^:]*: /, "", t); gsub(/#(lt|gt|[0-9]+);/, "", t); gsub(/<br\/>/, "", t)
	                           if (t ~ /[;#<>]/) { print "# unescaped: " $0; bad = 1 } }
	     END { exit bad }' "$1"
}

# ---------------------------------------------------------------------
# 1. One echo exchange, captured by the stack and on the wire.
TUNTCP_PCAP=$T/echo.pcapng lab_up echo --app "$BIN/echo_server" || { not_ok "lab up (echo_server)"; finish; }
dumpcap -q -i tun0 -P -w "$T/wire.pcap" >"$T/dumpcap.log" 2>&1 &
dumpcap_pid=$!
for _ in $(seq 50); do [ -s "$T/wire.pcap" ] && break; sleep 0.1; done
sleep 0.3
# The client reads up to the server's FIN before it closes (the seed's
# client closes at once, and then either FIN may come first, or both
# cross: three different ladders).  So the close is always the four-way
# one the server begins, and the server reaches TIME-WAIT.
out=$(timeout 10 $CLIENT --from 40101 orphan 10.0.0.2 7788 "hello, ladder" 0 2>&1)
check "the client gets \"thank you!\", then the server's FIN (got: $out)" \
	grep -q "^reply 'thank you!', then EOF" <<<"$out"
wait_for "$T/echo.log" ':40101 .*-> TIME-WAIT' 5
sleep 0.3
kill -INT "$dumpcap_pid" 2>/dev/null
wait "$dumpcap_pid" 2>/dev/null
lab_down

C=10.0.0.1:40101
S=10.0.0.2:7788
for cap in echo.pcapng wire.pcap; do
	if ! "$LADDER" "$T/$cap" >"$T/$cap.mmd" 2>"$T/$cap.err"; then
		not_ok "ladder reads $cap"; sed 's/^/#   /' "$T/$cap.err"; continue
	fi
	ok "ladder reads $cap ($(grep -c -- '->>\|-x' "$T/$cap.mmd") arrows)"
	check "$cap: a Mermaid sequenceDiagram, every line well formed" mermaid_clean "$T/$cap.mmd"
	check "$cap: the SYN, from the client, seq=0" arrow "$T/$cap.mmd" $C $S '\[S\] seq=0 len=0'
	check "$cap: the SYN,ACK, acknowledging it" arrow "$T/$cap.mmd" $S $C '\[S\.\] seq=0 ack=1 len=0'
	check "$cap: the handshake's ACK" arrow "$T/$cap.mmd" $C $S '\[\.\] seq=1 ack=1 len=0'
	check "$cap: the client's data" arrow "$T/$cap.mmd" $C $S '\[P\.\] seq=1 ack=1 len=13 .*"hello, ladder"'
	check "$cap: the server's \"thank you!\"" arrow "$T/$cap.mmd" $S $C '\[P\.\] seq=1 ack=14 len=10 .*"thank you!"'
	check "$cap: the server's FIN, after its 10 bytes" arrow "$T/$cap.mmd" $S $C '\[F\.\] seq=11 ack=14'
	check "$cap: the client's FIN" arrow "$T/$cap.mmd" $C $S '\[F\.\] seq=14 '
	check "$cap: the last ACK, of the client's FIN" arrow "$T/$cap.mmd" $S $C '\[\.\] seq=12 ack=15 len=0'
	check "$cap: nothing marked retransmitted or bad" fails grep -qE 'retransmission|bad checksum|dup ACK' "$T/$cap.mmd"
done
check "the stack's capture: the stack named, its notes beside it" \
	grep -q "^    participant P[0-9] as $S (tuntcp)\$" "$T/echo.pcapng.mmd"
check "the stack's capture: notes with the states, SYN-RECEIVED to TIME-WAIT" \
	grep -q 'Note right of P[0-9]: SYN-RECEIVED' "$T/echo.pcapng.mmd"
check "the stack's capture: TIME-WAIT in a note" grep -q 'Note right of P[0-9]: TIME-WAIT' "$T/echo.pcapng.mmd"
check "the wire's capture: no notes (pcap has no comments)" fails grep -q 'Note ' "$T/wire.pcap.mmd"
check "both captures give the same arrows" \
	diff <(grep -E -- '->>|-x' "$T/echo.pcapng.mmd" | sed 's/^    P[0-9]*[-x>]*P[0-9]*: [0-9]* //' | sort) \
	     <(grep -E -- '->>|-x' "$T/wire.pcap.mmd" | sed 's/^    P[0-9]*[-x>]*P[0-9]*: [0-9]* //' | sort)

# --svg, --max, --notes
if "$LADDER" "$T/echo.pcapng" --svg "$T/echo.svg" --max 4 >"$T/max.mmd" 2>"$T/svg.err"; then
	check "--svg writes an SVG document with the arrows" \
		$PY -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); sys.exit(0 if d.documentElement.tagName == "svg" and len(d.getElementsByTagName("line")) >= 4 else 1)' "$T/echo.svg"
	check "--max 4 draws 4 arrows and says how many are left out" \
		test "$(grep -cE -- '->>|-x' "$T/max.mmd")" -eq 4 -a "$(grep -c 'more packets not shown' "$T/max.mmd")" -eq 1
else
	not_ok "ladder --svg --max"; sed 's/^/#   /' "$T/svg.err"
fi
check "--notes full keeps the stack's comment whole" \
	bash -c "'$LADDER' '$T/echo.pcapng' --notes full | grep -q 'SYN-RECEIVED snd.una=0 snd.nxt=1 rcv.nxt=1 snd.wnd='"

# ---------------------------------------------------------------------
# 2. A lossy link: the stack's retransmissions are marked.
TUNTCP_RTO_MIN=200 TUNTCP_FAULTS=out.loss=0.2,seed=5 TUNTCP_PCAP=$T/lossy.pcapng \
	lab_up lossy --app "$BIN/echo_server" --echo || { not_ok "lab up (lossy echo_server)"; finish; }
check "20000 bytes echoed through a link losing 20%" \
	timeout 60 $CLIENT --from 40102 echo 10.0.0.2 7788 --size 20000 --timeout 40
lab_down
lost=$(grep -c 'fault: lost out' "$T/lossy.log")
if "$LADDER" "$T/lossy.pcapng" --trace "$T/lossy.log" >"$T/lossy.mmd" 2>"$T/lossy.err"; then
	n=$(grep -cE -- '-->>.*retransmission|--x.*retransmission' "$T/lossy.mmd")
	check "the lossy run's diagram marks retransmissions, dashed ($n)" test "$n" -gt 0
	check "their notes give the stack's reason" grep -q 'retransmitted: ' "$T/lossy.mmd"
	m=$(grep -cE -- '-x.*\(lost' "$T/lossy.mmd")
	check "--trace: the $lost packets the link lost end in a cross ($m)" test "$m" -eq "$lost" -a "$lost" -gt 0
	check "the lossy diagram is well formed" mermaid_clean "$T/lossy.mmd"
	# --focus: the first retransmission is among the first 3 arrows drawn.
	"$LADDER" "$T/lossy.pcapng" --focus retransmission --context 2 --max 5 >"$T/focus.mmd" 2>&1
	check "--focus starts 2 packets before the first retransmission" \
		bash -c "grep -E -- '->>|-x' '$T/focus.mmd' | head -3 | grep -q retransmission"
else
	not_ok "ladder reads the lossy capture"; sed 's/^/#   /' "$T/lossy.err"
fi

# ---------------------------------------------------------------------
# 3. Bad input: one line on stderr, a non-zero status, no traceback.
# refuses "what" EXPECTED-STATUS REGEX FILE [options]
refuses() {
	local what=$1 want=$2 re=$3 status
	shift 3
	"$LADDER" "$@" >"$T/refuse.out" 2>"$T/refuse.err"
	status=$?
	if [ $status -eq "$want" ] && [ ! -s "$T/refuse.out" ] && [ "$(wc -l <"$T/refuse.err")" -eq 1 ] &&
	   grep -qE -- "$re" "$T/refuse.err" && ! grep -q Traceback "$T/refuse.err"; then
		ok "$what: status $status, $(cat "$T/refuse.err")"
	else
		not_ok "$what: status $status (expected $want)"; sed 's/^/#   /' "$T/refuse.err" | head -5
	fi
}
{ echo "this is not a capture"; head -c 4000 /dev/urandom; } >"$T/garbage.bin"
refuses "a garbage file" 2 'garbage\.bin: not a pcap or pcapng capture' "$T/garbage.bin"
: >"$T/empty.pcap"
refuses "an empty file" 2 'empty\.pcap: empty file' "$T/empty.pcap"
refuses "a missing file" 2 'nothing-here\.pcap: no such file' "$T/nothing-here.pcap"
refuses "a directory" 2 'is a directory' "$T"
head -c 24 "$T/wire.pcap" >"$T/header-only.pcap"
refuses "a pcap with no packets" 1 'no packets' "$T/header-only.pcap"
refuses "an unknown option" 2 'unknown option --frobnicate' "$T/echo.pcapng" --frobnicate
refuses "--max without a number" 2 '--max x: expected a whole number' "$T/echo.pcapng" --max x

# A capture cut in the middle of a packet: the packets before the cut.
size=$(stat -c %s "$T/echo.pcapng")
head -c $((size - 30)) "$T/echo.pcapng" >"$T/cut.pcapng"
if "$LADDER" "$T/cut.pcapng" >"$T/cut.mmd" 2>"$T/cut.err"; then
	check "a capture cut short: drawn up to the cut, with a warning" \
		bash -c "grep -q 'warning: .*ends inside' '$T/cut.err' && grep -q '\[S\] seq=0' '$T/cut.mmd'"
else
	not_ok "a capture cut short is still read"; sed 's/^/#   /' "$T/cut.err"
fi
# Damage inside the file: whatever happens, no traceback.
$PY - "$T/echo.pcapng" "$T/damaged.pcapng" <<'PY'
import random, sys
data = bytearray(open(sys.argv[1], "rb").read())
rng = random.Random(7)
for _ in range(40):
    data[rng.randrange(32, len(data))] = rng.randrange(256)
open(sys.argv[2], "wb").write(data)
PY
"$LADDER" "$T/damaged.pcapng" >/dev/null 2>"$T/damaged.err"
status=$?
check "a damaged capture: status $status, no traceback" \
	bash -c "[ $status -le 2 ] && ! grep -q Traceback '$T/damaged.err'"
finish
