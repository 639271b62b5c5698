#!/usr/bin/env bash
# tools/docs.sh - make the pictures in docs/ from real runs of the lab, so
# that they always show what the code does now.  `make docs` runs it.
#
#   sudo tools/docs.sh             every run, then every page
#   sudo tools/docs.sh lossy ping  only these runs (the others' captures are
#                                  kept), then every page
#   tools/docs.sh --pages          only the pages, from the captures and
#                                  traces already in docs/ (no root needed)
#   tools/docs.sh --list           the runs and the blocks they feed
#
# Each run is one scene of the tutorial, played with tools/up.sh
# (TUNTCP_ISN=0, TUNTCP_TRACE=1, TUNTCP_PCAP) against the host's kernel,
# inside a network namespace this script makes for itself (unshare -n):
# nothing it sends leaves the namespace.
#
#   handshake    the tutorial's client (Python) and echo_server: "thank you!"
#   transfer     3000 bytes to echo_server --echo and back
#   lossy        the same, 2000 bytes, the link losing 30% of what the stack
#                sends (fixed seed): retransmission timeouts and backoff
#   corrupt      the tutorial's exchange, one segment corrupted on its way
#                in: a bad checksum, a drop, the kernel's retransmission
#   zero-window  a kernel receiver that stops reading for 3 s (small socket
#                buffers in the namespace); our blast sends 32 KiB
#   congestion   our blast sends 64 KiB to a kernel receiver, one segment
#                lost: slow start, fast retransmit, fast recovery
#   closed       nc to a port nobody listens on: the reset
#   udp          the letter: nc -u posts "hello?" to udp_echo_server and
#                "thank you!" comes back (captures/udp); then, through a
#                link losing 30% of what the stack sends (one fixed seed
#                for both), our udp_echo_client posts 5 letters to the
#                kernel's udp_echo_server and some go missing (udp-lossy),
#                and our echo_client says the same over TCP to the
#                kernel's echo_server and every byte arrives (udp-tcp)
#   udp-closed   a connected UDP socket (Python) writes to a port nobody
#                holds: tuntcp's ICMP port unreachable, "Connection refused"
#   udp-big      a letter of 4000 bytes to udp_echo_server --echo: it goes
#                in fragments, is reassembled, and comes back in fragments
#   ping         three pings
#
# What a run keeps: docs/captures/NAME.pcapng, docs/traces/NAME.txt (the
# trace lines) and docs/traces/NAME-client.txt (what the client printed),
# for its own NAME and the other scenes it plays (ALSO, below).
# Then each page's generated blocks are written again, between markers:
#
#   <!-- ladder: NAME begin -->  ...  <!-- ladder: NAME end -->   tools/ladder
#   <!-- trace: NAME begin -->   ...  <!-- trace: NAME end -->    trace lines
#   <!-- client: NAME begin -->  ...  <!-- client: NAME end -->   client output
#   <!-- tshark: NAME begin -->  ...  <!-- tshark: NAME end -->   tshark's view
#
# Everything between a pair of markers belongs to this script; everything
# else on the page is written by hand.  The captures also get an SVG ladder
# each (docs/captures/BLOCK.svg) for viewers without Mermaid.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
docs=$top/docs
# The programs: build/ (make docs builds it first), or TUNTCP_BUILD's.
BIN=${TUNTCP_BUILD:-$top/build}
case $BIN in /*) ;; *) BIN=$top/$BIN ;; esac
RUNS="handshake transfer lossy corrupt zero-window congestion closed udp udp-closed udp-big ping"
# The runs that keep more than one scene: the other scenes' names.
declare -A ALSO=([udp]="udp-lossy udp-tcp")

die() { echo "docs.sh: $*" >&2; exit 1; }
say() { echo "docs.sh: $*" >&2; }

# ---------------------------------------------------------------------
# The blocks of the pages: what each one is made from.
#   ladder NAME CAPTURE [ladder options]   (paths relative to docs/)
#   trace NAME RUN [+N] [REGEX]            the run's trace lines (those
#                                          matching REGEX, if given, and
#                                          the N lines after each)
#   client NAME RUN                        what the run's client printed
#   tshark NAME                            see make_tshark below
# ---------------------------------------------------------------------
BLOCKS='
ladder handshake   captures/handshake.pcapng
trace  handshake   handshake
client handshake   handshake
ladder transfer    captures/transfer.pcapng --max 24
trace  transfer    transfer
ladder lossy       captures/lossy.pcapng --time --trace traces/lossy.txt
trace  lossy       lossy
ladder corrupt     captures/corrupt.pcapng --time
trace  corrupt     corrupt
ladder zero-window captures/zero-window.pcapng --time --focus zero.window --context 3 --max 16
trace  zero-window zero-window +1 ( --  |!!|win=0 )
client zero-window zero-window
ladder slow-start  captures/congestion.pcapng --max 14
ladder fast-recovery captures/congestion.pcapng --focus dup.ACK --context 3 --max 18 --trace traces/congestion.txt
trace  congestion  congestion +1 ( --  |!!)
ladder closed      captures/closed.pcapng
trace  closed      closed
client closed      closed
ladder udp         captures/udp.pcapng
trace  udp         udp
client udp         udp
ladder udp-lossy   captures/udp-lossy.pcapng --trace traces/udp-lossy.txt
trace  udp-lossy   udp-lossy
client udp-lossy   udp-lossy
ladder udp-tcp     captures/udp-tcp.pcapng --time --trace traces/udp-tcp.txt
trace  udp-tcp     udp-tcp
client udp-tcp     udp-tcp
ladder udp-closed  captures/udp-closed.pcapng
trace  udp-closed  udp-closed
client udp-closed  udp-closed
ladder udp-big     captures/udp-big.pcapng
trace  udp-big     udp-big
client udp-big     udp-big
ladder ping        captures/ping.pcapng
trace  ping        ping
client ping        ping
tshark filters
'

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit "${1:-0}"
}

pages_only=0
runs=()
for a in "$@"; do
	case $a in
	-h|--help) usage 0 ;;
	--pages) pages_only=1 ;;
	--list)
		echo "runs: $RUNS"
		echo "$BLOCKS" | awk 'NF { printf "  %-7s %-14s%s\n", $1, $2, (NF > 2 ? " from " $3 : "") }'
		exit 0 ;;
	-*) echo "docs.sh: unknown option $a" >&2; usage 2 ;;
	*) [[ " $RUNS " == *" $a "* ]] || die "no run named $a (runs: $RUNS)"
	   runs+=("$a") ;;
	esac
done
[ ${#runs[@]} -gt 0 ] || read -r -a runs <<<"$RUNS"

# ---------------------------------------------------------------------
# Into a network namespace of our own (as tests/lib.sh's ns_enter does).
# ---------------------------------------------------------------------
if [ $pages_only -eq 0 ] && [ "${TUNTCP_DOCS_NS:-}" != "$$" ]; then
	[ "$(id -u)" -eq 0 ] || die "the runs need root, to make TUN devices and a network namespace: sudo make docs (or tools/docs.sh --pages to redraw the pages from the captures already kept)"
	missing=
	for c in unshare ip nc ping python3 tshark; do
		command -v $c >/dev/null 2>&1 || missing="$missing $c"
	done
	[ -z "$missing" ] || die "missing:$missing (tests/deps.sh installs them: sudo tests/deps.sh)"
	for b in echo_server echo_client tuntcpd blast udp_echo_server udp_echo_client \
		kernel/blast kernel/echo_server kernel/udp_echo_server; do
		[ -x "$BIN/$b" ] || die "no $BIN/$b: run make first (make docs does)"
	done
	exec env TUNTCP_DOCS_NS=$$ unshare -n -- bash "$0" "$@"
fi

W=$(mktemp -d /tmp/tuntcp-docs.XXXXXX)
chmod 1777 "$W"		# up.sh runs the stack as $SUDO_USER: its captures go here
LAB_PID=
cleanup() {
	[ -n "$LAB_PID" ] && kill -TERM "$LAB_PID" 2>/dev/null && wait "$LAB_PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$docs/captures" "$docs/traces"
# The top .gitignore leaves captures out of git; the pages link to these.
printf '%s\n' '# tools/docs.sh keeps the captures the pages link to: small, and in git.' '!*.pcapng' \
	>"$docs/captures/.gitignore"

# ---------------------------------------------------------------------
# The lab.
# ---------------------------------------------------------------------

# lab_start NAME up.sh-options...: the stack program in the background,
# capturing to $W/NAME.pcapng, its output (trace included) in $W/NAME.log.
# TUNTCP_* variables set by the caller reach the program.
lab_start() {
	local name=$1 i
	shift
	TUNTCP_ISN=0 TUNTCP_TRACE=1 TUNTCP_PCAP=$W/$name.pcapng \
		"$top/tools/up.sh" "$@" >"$W/$name.log" 2>&1 &
	LAB_PID=$!
	for ((i = 0; i < 100; i++)); do
		kill -0 "$LAB_PID" 2>/dev/null || { LAB_PID=; say "$name: up.sh stopped:"; sed 's/^/    /' "$W/$name.log" >&2; return 1; }
		if grep -q '^up.sh: .* runs as pid ' "$W/$name.log" &&
		   ip link show dev tun0 2>/dev/null | grep -q LOWER_UP; then
			sleep 0.2
			return 0
		fi
		sleep 0.1
	done
	say "$name: the lab did not come up"
	return 1
}

lab_stop() {
	if [ -n "$LAB_PID" ]; then
		kill -TERM "$LAB_PID" 2>/dev/null || true
		wait "$LAB_PID" 2>/dev/null || true
	fi
	LAB_PID=
}

# wait_for FILE REGEX SECONDS
wait_for() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# keep NAME: the run's capture and trace into docs/.
keep() {
	cp "$W/$1.pcapng" "$docs/captures/$1.pcapng"
	grep -E '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} ' "$W/$1.log" >"$docs/traces/$1.txt" || true
	if [ -f "$W/$1.client" ]; then cp "$W/$1.client" "$docs/traces/$1-client.txt"; fi
	say "$1: kept captures/$1.pcapng ($(stat -c %s "$docs/captures/$1.pcapng") bytes), traces/$1.txt ($(wc -l <"$docs/traces/$1.txt") lines)"
}

# The client, on the kernel's sockets, from a fixed port so the pages stay alike.
cat >"$W/client.py" <<'PY'
import socket, sys, time
mode, port_from, host, port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)     # socket(AF_INET, SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", port_from))
s.settimeout(30)
s.connect((host, port))                                   # connect((server_ip, server_port))
if mode == "seed":
    # The tutorial's client: send, recv(1024), close - after a pause, so
    # that the server's FIN has arrived and the close takes four segments
    # (closing at once, both FINs may cross: a simultaneous close).
    s.send(sys.argv[5].encode())
    print("received:", s.recv(1024).decode())
    time.sleep(0.2)
    s.close()
else:
    # Send SIZE bytes, shut our side, read the echo to the end.
    data = bytes(32 + (i * 7) % 95 for i in range(int(sys.argv[5])))
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        got += b
    s.close()
    print("sent %d bytes, %s" % (len(data), "the echo matches" if got == data else "ECHO DIFFERS (%d bytes back)" % len(got)))
    sys.exit(0 if got == data else 1)
PY
client() { timeout 40 python3 "$W/client.py" "$@"; }

# ---------------------------------------------------------------------
# The runs.  Each returns non-zero when the scene did not happen as the
# pages describe it (the pages would lie): its old capture is kept then.
# ---------------------------------------------------------------------

# The page describes the four-way close the server begins: FIN-WAIT-1,
# FIN-WAIT-2, TIME-WAIT for 2*MSL (TUNTCP_MSL=500: one second), CLOSED.
run_handshake() {
	local _
	for _ in 1 2 3; do
		TUNTCP_MSL=500 lab_start handshake --app "$BIN/echo_server" || return 1
		client seed 40001 10.0.0.2 7788 "hello, tuntcp" >"$W/handshake.client" 2>&1 || { lab_stop; continue; }
		wait_for "$W/handshake.log" 'TIME-WAIT -> CLOSED' 5 || true
		lab_stop
		grep -q 'thank you!' "$W/handshake.client" &&
			grep -q 'FIN-WAIT-1 -> FIN-WAIT-2' "$W/handshake.log" &&
			grep -q 'FIN-WAIT-2 -> TIME-WAIT' "$W/handshake.log" &&
			grep -q 'TIME-WAIT -> CLOSED' "$W/handshake.log" && return 0
	done
	return 1
}

run_transfer() {
	lab_start transfer --app "$BIN/echo_server" --echo || return 1
	client echo 40003 10.0.0.2 7788 3000 >"$W/transfer.client" 2>&1 || { lab_stop; return 1; }
	wait_for "$W/transfer.log" 'LAST-ACK -> CLOSED' 5 || true
	lab_stop
	grep -q 'LAST-ACK -> CLOSED' "$W/transfer.log"
}

# The seeds are chosen for the fault injector's generator (stack/dev/dev_fault.c):
# with out.loss=0.3 and seed 134 the 4th and 7th packets the stack sends
# are lost - the first echoed segment and then its retransmission.  If the
# stack changes what it sends, other seeds are tried.
run_lossy() {
	local f
	for f in out.loss=0.3,seed=134 out.loss=0.25,seed=112 out.loss=0.3,seed={1..12}; do
		TUNTCP_FAULTS=$f lab_start lossy --app "$BIN/echo_server" --echo || return 1
		client echo 40002 10.0.0.2 7788 2000 >"$W/lossy.client" 2>&1 || { lab_stop; continue; }
		wait_for "$W/lossy.log" 'LAST-ACK -> CLOSED' 10 || true
		lab_stop
		# The page tells of a first resend that is lost too, and a
		# second, backed off, that arrives: keep only that scene.
		if grep -q 'retransmission timeout: resend.*(try 2' "$W/lossy.log" && grep -q 'LAST-ACK -> CLOSED' "$W/lossy.log"; then
			say "lossy: TUNTCP_FAULTS=$f"
			echo "TUNTCP_FAULTS=$f" >>"$W/lossy.client"
			return 0
		fi
	done
	return 1
}

# in.corrupt=0.2,seed=42: the third packet to reach the stack (the data)
# has one bit flipped in its TCP header, and nothing else is touched.
run_corrupt() {
	local f
	for f in in.corrupt=0.2,seed=42 in.corrupt=0.2,seed=120 in.corrupt=0.2,seed={1..12}; do
		TUNTCP_FAULTS=$f lab_start corrupt --app "$BIN/echo_server" || return 1
		client seed 40006 10.0.0.2 7788 "hello, tuntcp" >"$W/corrupt.client" 2>&1 || { lab_stop; continue; }
		sleep 0.3
		lab_stop
		if grep -q 'drop: tcp-bad-checksum' "$W/corrupt.log" && grep -q 'thank you!' "$W/corrupt.client"; then
			say "corrupt: TUNTCP_FAULTS=$f"
			echo "TUNTCP_FAULTS=$f" >>"$W/corrupt.client"
			return 0
		fi
	done
	return 1
}

# The kernel's receive buffer is made small in this namespace, so 32 KiB
# fill it while the receiver sleeps.
run_zero_window() {
	local saved r status
	saved=$(sysctl -n net.ipv4.tcp_rmem)
	sysctl -q -w net.ipv4.tcp_rmem="4096 8192 8192"
	"$BIN/kernel/blast" recv 9000 --bytes 32768 --pause-after 1 --pause 3 >"$W/zero-window.client" 2>&1 &
	r=$!
	sleep 0.2
	TUNTCP_ISN=0 TUNTCP_TRACE=1 TUNTCP_PCAP=$W/zero-window.pcapng timeout 60 \
		"$top/tools/up.sh" --app "$BIN/blast" send 10.0.0.1 9000 32768 >"$W/zero-window.log" 2>&1
	status=$?
	wait $r || status=1
	sysctl -q -w net.ipv4.tcp_rmem="$saved"
	[ $status -eq 0 ] && grep -q 'zero-window probe' "$W/zero-window.log"
}

# out.loss=0.03,seed=4 loses the 27th packet the stack sends, a data
# segment in the middle of slow start.
run_congestion() {
	local f r status
	for f in out.loss=0.03,seed=4 out.loss=0.03,seed=5 out.loss=0.03,seed={6..20}; do
		"$BIN/kernel/blast" recv 9001 --bytes 65536 >"$W/congestion.client" 2>&1 &
		r=$!
		sleep 0.2
		TUNTCP_FAULTS=$f TUNTCP_ISN=0 TUNTCP_TRACE=1 TUNTCP_PCAP=$W/congestion.pcapng timeout 60 \
			"$top/tools/up.sh" --app "$BIN/blast" send 10.0.0.1 9001 65536 >"$W/congestion.log" 2>&1
		status=$?
		wait $r || status=1
		if [ $status -eq 0 ] && grep -q 'fast retransmit' "$W/congestion.log" &&
		   ! grep -q 'retransmission timeout' "$W/congestion.log"; then
			say "congestion: TUNTCP_FAULTS=$f"
			return 0
		fi
	done
	return 1
}

run_closed() {
	lab_start closed --app "$BIN/tuntcpd" || return 1
	timeout 10 nc -v -p 40004 10.0.0.2 7788 </dev/null >"$W/closed.client" 2>&1 || true
	sleep 0.2
	lab_stop
	grep -q 'refused' "$W/closed.client"
}

# app_run NAME FAULTS PROGRAM ARGS...: a stack program that ends by itself
# (a client), on the tun0 that `up.sh --no-app` made, through the fault
# injector: its trace in $W/NAME.log, what it printed in $W/NAME.client.
# (Not through `up.sh --app`: the host's first answer on a device made a
# moment before can be held back for a second, which the page would show.)
app_run() {
	local name=$1 faults=$2
	shift 2
	TUNTCP_FAULTS=$faults TUNTCP_ISN=0 TUNTCP_TRACE=1 TUNTCP_PCAP=$W/$name.pcapng \
		timeout 60 "$@" >"$W/$name.out" 2>"$W/$name.log" || true
	grep -v '^tuntcp' "$W/$name.out" >"$W/$name.client" || true
}

# The page tells of letters lost and letters answered (so neither all nor
# none), and of TCP's segment carrying the same word lost, sent again, and
# the reply arriving: a seed is kept when both scenes, with the same
# faults, show that.
run_udp() {
	local f ks kt answered
	lab_start udp --app "$BIN/udp_echo_server" || return 1
	echo "hello?" | timeout 10 nc -u -w 1 -p 40005 10.0.0.2 7788 >"$W/udp.client" 2>&1 || true
	sleep 0.2
	lab_stop
	grep -q 'thank you!' "$W/udp.client" || return 1

	"$top/tools/up.sh" --no-app >"$W/udp-up.log" 2>&1 || return 1
	"$BIN/kernel/udp_echo_server" >"$W/udp-kserver.log" 2>&1 &
	ks=$!
	"$BIN/kernel/echo_server" >"$W/udp-ktcp.log" 2>&1 &
	kt=$!
	sleep 1.5
	for f in out.loss=0.3,seed={1..40}; do
		app_run udp-lossy "$f" "$BIN/udp_echo_client" 10.0.0.1 7788 letter --count 5 --timeout 500
		answered=$(sed -n 's/^answered: \([0-9]*\) of 5$/\1/p' "$W/udp-lossy.client")
		[ -n "$answered" ] && [ "$answered" -gt 0 ] && [ "$answered" -lt 5 ] || continue
		app_run udp-tcp "$f" "$BIN/echo_client" 10.0.0.1 7788 letter
		if grep -q '(received): thank you!' "$W/udp-tcp.client" &&
		   grep -qE 'fault: lost out .* \[P\.\] seq=1 .*len=6$' "$W/udp-tcp.log" &&
		   grep -q 'retransmission timeout: resend' "$W/udp-tcp.log"; then
			say "udp: TUNTCP_FAULTS=$f"
			echo "TUNTCP_FAULTS=$f" >>"$W/udp-lossy.client"
			echo "TUNTCP_FAULTS=$f" >>"$W/udp-tcp.client"
			kill $ks $kt 2>/dev/null
			ip link del dev tun0
			return 0
		fi
	done
	kill $ks $kt 2>/dev/null
	ip link del dev tun0
	return 1
}

# A letter to a port nobody holds, from a connected socket: the only kind
# of sender the kernel tells about the ICMP port unreachable.
run_udp_closed() {
	lab_start udp-closed --app "$BIN/tuntcpd" || return 1
	/usr/bin/python3 - >"$W/udp-closed.client" 2>&1 <<'PY' || true
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.0.0.1", 40006))
s.connect(("10.0.0.2", 7788))
s.settimeout(3)
s.send(b"hello?")
try:
    s.recv(100)
    print("an answer")
except ConnectionRefusedError as e:
    print("recv: %s" % e.strerror)
PY
	sleep 0.2
	lab_stop
	grep -q 'Connection refused' "$W/udp-closed.client"
}

# A letter larger than the link's 1500 bytes: the kernel cuts it into
# fragments, tuntcp puts them together, and its echo goes back in pieces.
run_udp_big() {
	lab_start udp-big --app "$BIN/udp_echo_server" --echo || return 1
	/usr/bin/python3 - >"$W/udp-big.client" 2>&1 <<'PY' || true
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.0.0.1", 40007))
s.settimeout(3)
letter = bytes(i % 251 for i in range(4000))
s.sendto(letter, ("10.0.0.2", 7788))
got, who = s.recvfrom(65536)
print("sent 4000 bytes in one datagram; %d came back from %s:%d%s" %
      (len(got), who[0], who[1], ", the same bytes" if got == letter else ", different!"))
PY
	sleep 0.2
	lab_stop
	grep -q 'the same bytes' "$W/udp-big.client"
}

run_ping() {
	lab_start ping --app "$BIN/tuntcpd" || return 1
	ping -c 3 -i 0.2 10.0.0.2 >"$W/ping.client" 2>&1 || { lab_stop; return 1; }
	sleep 0.2
	lab_stop
	grep -q ' 0% packet loss' "$W/ping.client"
}

# ---------------------------------------------------------------------
# The pages.
# ---------------------------------------------------------------------

B=$W/blocks
mkdir -p "$B"

# trace_block NAME RUN [+N] [REGEX]: the run's trace lines matching REGEX
# (all, without one) and the N lines after each, at most 45, with "..."
# where lines were left out.
trace_block() {
	local name=$1 run=$2 after=0 re
	shift 2
	case ${1:-} in +[0-9]*) after=${1#+}; shift ;; esac
	re=$*
	local f=$docs/traces/$run.txt
	[ -f "$f" ] || { say "no traces/$run.txt: run the lab first (sudo make docs)"; return 0; }
	{
		echo '```text'
		python3 - "$f" "$re" "$after" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
pat = re.compile(sys.argv[2]) if sys.argv[2] else None
after = int(sys.argv[3])
keep = set()
for i, line in enumerate(lines):
    if pat is None or pat.search(line):
        keep.update(range(i, i + after + 1))
out, skipped = [], False
for i, line in enumerate(lines):
    if i in keep:
        if skipped:
            out.append("...")
        out.append(line[:200])
        skipped = False
    else:
        skipped = True
if skipped:
    out.append("...")
if len(out) > 45:
    out = out[:22] + ["... (%d lines in all: see the trace file)" % len(lines)] + out[-22:]
print("\n".join(out))
PY
		echo '```'
		echo
		echo "<sub>From [traces/$run.txt](traces/$run.txt)$([ -n "$re" ] && echo ", the lines that matter here"). Made by \`make docs\`.</sub>"
	} >"$B/trace-$name.md"
}

# make_tshark: what Wireshark's analysis finds in our captures.
make_tshark() {
	local cap filter n frames
	{
		echo '| display filter | in capture | packets | frames |'
		echo '|---|---|---|---|'
		while IFS='|' read -r cap filter; do
			[ -n "$cap" ] || continue
			[ -f "$docs/captures/$cap" ] || continue
			frames=$(tshark -r "$docs/captures/$cap" -o tcp.check_checksum:TRUE -Y "$filter" \
				-T fields -e frame.number 2>/dev/null | tr '\n' ' ' | sed 's/ $//')
			n=$(echo "$frames" | wc -w)
			[ "$n" -gt 8 ] && frames="$(echo "$frames" | cut -d' ' -f1-8) ..."
			echo "| \`$filter\` | [$cap](captures/$cap) | $n | ${frames:--} |"
		done <<'LIST'
handshake.pcapng|tcp.flags.syn == 1
handshake.pcapng|tcp.flags.fin == 1
closed.pcapng|tcp.flags.reset == 1
lossy.pcapng|tcp.analysis.retransmission
lossy.pcapng|frame.comment contains "retransmission"
corrupt.pcapng|tcp.checksum.status == "Bad"
corrupt.pcapng|frame.comment contains "drop"
corrupt.pcapng|tcp.analysis.retransmission
zero-window.pcapng|tcp.analysis.zero_window
zero-window.pcapng|tcp.analysis.zero_window_probe
zero-window.pcapng|tcp.analysis.window_update
congestion.pcapng|tcp.analysis.duplicate_ack
congestion.pcapng|tcp.analysis.fast_retransmission
congestion.pcapng|frame.comment contains "fast retransmit"
ping.pcapng|icmp.type == 8
LIST
		echo
		echo "<sub>Counted by \`tshark -r CAPTURE -o tcp.check_checksum:TRUE -Y FILTER\` on the captures \`make docs\` made.</sub>"
	} >"$B/tshark-$1.md"
}

make_blocks() {
	local kind name rest src
	while read -r kind name rest; do
		[ -n "$kind" ] || continue
		case $kind in
		ladder)
			# shellcheck disable=SC2086
			set -- $rest
			src=$1
			[ -f "$docs/$src" ] || { say "no $src: run the lab first (sudo make docs)"; continue; }
			if ! (cd "$docs" && "$top/tools/ladder" "$@" --svg "captures/$name.svg" >"$B/diagram" 2>"$B/ladder.err"); then
				say "ladder $name failed:"; cat "$B/ladder.err" >&2; continue
			fi
			{
				echo '```mermaid'
				cat "$B/diagram"
				echo '```'
				echo
				echo "<sub>Drawn by \`tools/ladder $rest\` from [$src]($src) (open it in Wireshark); as a picture: [captures/$name.svg](captures/$name.svg). Made by \`make docs\`.</sub>"
			} >"$B/ladder-$name.md"
			;;
		trace)
			read -r src rest <<<"$rest"
			# shellcheck disable=SC2086
			case $rest in
			+[0-9]*) trace_block "$name" "$src" "${rest%% *}" "${rest#* }" ;;
			*) trace_block "$name" "$src" "$rest" ;;
			esac
			;;
		client)
			[ -f "$docs/traces/$rest-client.txt" ] || continue
			{
				echo '```text'
				sed '$a\' "$docs/traces/$rest-client.txt"	# with its last newline
				echo '```'
			} >"$B/client-$name.md"
			;;
		tshark)
			make_tshark "$name"
			;;
		esac
	done <<<"$BLOCKS"
}

# Put every block in its place on the pages.
fill_pages() {
	python3 - "$docs" "$B" <<'PY'
import glob, os, re, sys
docs, blocks = sys.argv[1], sys.argv[2]
pat = re.compile(r"(<!-- (ladder|trace|client|tshark): ([\w.-]+) begin -->\n)(.*?)(<!-- \2: \3 end -->)", re.S)
missing = []
for page in sorted(glob.glob(os.path.join(docs, "*.md"))):
    text = open(page, encoding="utf-8").read()
    def fill(m):
        f = os.path.join(blocks, "%s-%s.md" % (m.group(2), m.group(3)))
        if not os.path.exists(f):
            missing.append("%s: %s %s" % (os.path.basename(page), m.group(2), m.group(3)))
            return m.group(0)
        return m.group(1) + open(f, encoding="utf-8").read() + m.group(5)
    new = pat.sub(fill, text)
    if new != text:
        with open(page, "w", encoding="utf-8") as out:    # in place: owner and mode stay
            out.write(new)
        print("docs.sh: wrote docs/%s" % os.path.basename(page), file=sys.stderr)
for m in missing:
    print("docs.sh: no block for %s (not made: see above)" % m, file=sys.stderr)
sys.exit(1 if missing else 0)
PY
}

# ---------------------------------------------------------------------

failed=
if [ $pages_only -eq 0 ]; then
	ip link set lo up
	for r in "${runs[@]}"; do
		say "run: $r"
		if "run_${r//-/_}"; then
			keep "$r"
			for x in ${ALSO[$r]:-}; do keep "$x"; done
		else
			lab_stop
			failed="$failed $r"
			say "$r: the scene did not happen as the pages describe it; the kept capture (if any) is older. Its log:"
			tail -15 "$W/$r.log" 2>/dev/null | sed 's/^/    /' >&2 || true
		fi
	done
fi

make_blocks
fill_pages || failed="$failed pages"

if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
	chown -R "$SUDO_USER": "$docs/captures" "$docs/traces" 2>/dev/null || true
fi
say "captures: $(du -ch "$docs"/captures/*.pcapng 2>/dev/null | tail -1 | cut -f1) in docs/captures/"
[ -z "$failed" ] || die "not done:$failed"
say "done"
