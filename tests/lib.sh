# tests/lib.sh - shared by the integration tests (source it; bash only).
#
# Every integration test runs in a network namespace of its own: the first
# thing a test does is `ns_enter "$@"`, which re-runs the script under
# `unshare -n`.  Inside, only loopback exists until the test makes a lab
# with tools/up.sh; nothing it sends can leave the namespace.
#
# Results are printed as lines "ok - what" or "not ok - what"; tests/run.sh
# counts them.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The build the tests run: tests/run.sh sets build/san (sanitizers on).
BIN=${TUNTCP_BUILD:-$TOP/build}
case $BIN in /*) ;; *) BIN=$TOP/$BIN ;; esac
PY=/usr/bin/python3
FAILED=0

ns_enter() {
	if [ "${TUNTCP_TEST_NS:-}" != "$$" ]; then
		[ "$(id -u)" -eq 0 ] || { echo "not ok - $(basename "$0"): needs root (sudo make test)"; exit 1; }
		exec env TUNTCP_TEST_NS=$$ unshare -n -- bash "$0" "$@"
	fi
	ip link set lo up
	T=$(mktemp -d /tmp/tuntcp-test.XXXXXX)
	chmod 755 "$T"
	# KEEP_T=1 keeps the test's files (captures, logs) in /tmp/kept.PID.
	trap 'lab_down_all; [ -n "${KEEP_T:-}" ] && cp -r "$T" /tmp/kept.$$; rm -rf "$T"' EXIT
}

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; FAILED=1; }

# check "what" command...   -> ok/not ok by the command's status
check() {
	local what=$1
	shift
	if "$@" >"$T/check.out" 2>&1; then
		ok "$what"
	else
		not_ok "$what"
		tail -5 "$T/check.out" | sed 's/^/#   /'
	fi
}

# fails() runs a command and succeeds when it fails: check "x" fails cmd...
fails() { ! "$@"; }

LAB_PIDS=()

# lab_up NAME [up.sh options...]: start tools/up.sh in the background, its
# output in $T/NAME.log; wait until the program is attached to the device.
# Sets LAB_PID (up.sh) and APP_PID (the stack program).
lab_up() {
	local name=$1 dev=tun0 i
	shift
	local args=("$@")
	for ((i = 0; i < ${#args[@]}; i++)); do
		[ "${args[$i]}" = --dev ] && dev=${args[$((i + 1))]}
	done
	"$TOP/tools/up.sh" "$@" >"$T/$name.log" 2>&1 &
	LAB_PID=$!
	LAB_PIDS+=("$LAB_PID")
	APP_PID=
	for ((i = 0; i < 100; i++)); do
		if ! kill -0 "$LAB_PID" 2>/dev/null; then
			echo "# up.sh exited early:"; sed 's/^/#   /' "$T/$name.log"
			return 1
		fi
		APP_PID=$(sed -n 's/^up.sh: .* runs as pid \([0-9]*\)$/\1/p' "$T/$name.log")
		# The TUN device has carrier once a program holds it open.
		if [ -n "$APP_PID" ] && ip link show dev "$dev" 2>/dev/null | grep -q 'LOWER_UP'; then
			sleep 0.1
			return 0
		fi
		sleep 0.1
	done
	echo "# the lab did not come up:"; sed 's/^/#   /' "$T/$name.log"
	return 1
}

# lab_down: stop the newest lab (SIGTERM to up.sh, which removes the device).
lab_down() {
	kill -TERM "$LAB_PID" 2>/dev/null
	wait "$LAB_PID" 2>/dev/null
	return 0
}

lab_down_all() {
	local p
	for p in "${LAB_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	return 0
}

# counter LOG NAME: the value of drop counter NAME in the newest counters
# printed to LOG (after kill -USR1 or exit); 0 when absent.
counter() {
	awk -v name="$2" '/^tuntcp .* on /{ delete v } $1 == "drop" { v[$2] = $3 }
		END { print (name in v) ? v[name] : 0 }' "$1"
}

# stats_now LOG: ask the program for its counters and wait until printed.
stats_now() {
	local before
	before=$(grep -c '^tuntcp .* on ' "$1")
	kill -USR1 "$APP_PID"
	for _ in $(seq 50); do
		[ "$(grep -c '^tuntcp .* on ' "$1")" -gt "$before" ] && { sleep 0.05; return 0; }
		sleep 0.05
	done
	return 1
}

# tshark_clean PCAP [FILTER]: tshark reads the capture with checksum
# validation on; no bad checksum and nothing malformed (among the packets
# FILTER selects, e.g. "ip.src == 10.0.0.2" for what the stack sent, when
# a fault injector corrupted what it received).  Prints what it found.
# TCP and UDP payloads are read as plain data (-d): blast's random bytes
# once passed a heuristic dissector for THRIFT, which then called them
# malformed.  A TCP checksum field of 0xFFFF where 0x0000 was computed is
# not bad: the two are the same number in ones' complement (RFC 1624 3),
# the kernel sends one now and then, and tshark says so itself
# (tcp.checksum.ffff) while calling the status "Bad".
tshark_clean() {
	local out sel=${2:+($2) && }
	out=$(tshark -r "$1" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
		-o udp.check_checksum:TRUE -d tcp.port==1-65535,data -d udp.port==1-65535,data -Y "$sel"'(ip.checksum.status == "Bad" || icmp.checksum.status == "Bad" || (tcp.checksum.status == "Bad" && !tcp.checksum.ffff) || udp.checksum.status == "Bad" || _ws.malformed || _ws.expert.severity == error)' 2>"$T/tshark.err") ||
		{ echo "# tshark could not read $1:"; sed 's/^/#   /' "$T/tshark.err"; return 1; }
	if [ -n "$out" ]; then
		echo "# tshark found problems in $1:"; echo "$out" | head -20 | sed 's/^/#   /'
		return 1
	fi
	return 0
}

finish() { exit $FAILED; }

# --- for the TCP tests (test_tcp_*.sh) ---

# no_sanitizer_report FILE: AddressSanitizer, LeakSanitizer and UBSan
# reported nothing in FILE (prints what they reported otherwise).
no_sanitizer_report() {
	! grep -E -A3 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: [A-Za-z]*Sanitizer' "$1"
}

# wait_for FILE REGEX [SECONDS]: wait (5 s by default) until a line of FILE
# matches the extended regular expression REGEX.
wait_for() {
	local i
	for ((i = 0; i < ${3:-5} * 20; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# kernel_listening PORT [SECONDS]: wait until a kernel socket in this
# namespace listens on TCP port PORT.
kernel_listening() {
	local i
	for ((i = 0; i < ${2:-5} * 20; i++)); do
		[ -n "$(ss -ltnH "sport = :$1")" ] && return 0
		sleep 0.05
	done
	return 1
}

# kernel_udp_bound PORT: wait until a kernel socket here is bound to UDP PORT.
kernel_udp_bound() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -n "$(ss -lunH "sport = :$1")" ] && return 0
		sleep 0.05
	done
	return 1
}

# tcp_states LOG PORT: the state changes TUNTCP_TRACE=1 logged for the
# connection whose peer's port is PORT, on one line: "A -> B -> C".  A
# change that does not start where the last one ended shows as " | ".
tcp_states() {
	awk -v p="$2" '
		$2 == "--" && $7 == "->" && ($3 ~ ":" p "$" || $5 ~ ":" p "$") {
			if (out == "") out = $6
			else if ($6 != last) out = out " | " $6
			out = out " -> " $8
			last = $8
		}
		END { print out }' "$1"
}

# trace_ms LOG REGEX: the time of day, in ms, of the first trace line of
# LOG matching REGEX (empty when none does).
trace_ms() {
	awk -v re="$2" '$0 ~ re { split($1, t, ":"); printf "%d\n", (t[1] * 3600 + t[2] * 60 + t[3]) * 1000; exit }' "$1"
}

# tshark_count PCAP FILTER: how many packets of PCAP match a display filter.
tshark_count() {
	tshark -r "$1" -Y "$2" 2>/dev/null | wc -l
}
