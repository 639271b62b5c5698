#!/usr/bin/env bash
# README's tour, command by command (issue 5): each command below must
# appear in README.md exactly as written (so the README cannot drift from
# what is tested), and is then run as the tour runs it - without "sudo",
# since tests run as root, and in a network namespace of their own.
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"
cd "$TOP"

# in_readme "command": the tour shows it verbatim.
in_readme() {
	if grep -qF -- "$1" README.md; then
		return 0
	fi
	not_ok "README's tour no longer shows: $1"
	return 1
}

in_readme "make" && check "make" make -s

in_readme "sudo tools/up.sh " || true
lab_up tour || not_ok "tools/up.sh (the default lab)"
check "up.sh says which address is the host's and which the stack's" \
	bash -c "grep -q 'host .*10.0.0.1' '$T/tour.log' && grep -q 'stack .*10.0.0.2' '$T/tour.log'"
check "the default lab runs build/echo_server" grep -q 'echo_server runs as pid' "$T/tour.log"

in_readme "ping -c 3 10.0.0.2" && check "ping -c 3 10.0.0.2" ping -c 3 -i 0.2 10.0.0.2
cmd="printf 'hello\\n' | nc -q 1 10.0.0.2 7788"
if in_readme "$cmd"; then
	out=$(timeout 10 bash -c "$cmd")
	check "$cmd prints \"thank you!\"" test "$out" = "thank you!"
fi
cmd='sudo kill -USR1 $(pgrep -f build/echo_server)'
if in_readme "$cmd"; then
	before=$(grep -c '^tuntcp .* on ' "$T/tour.log")
	eval "${cmd#sudo }"
	sleep 0.3
	check "kill -USR1 prints the counters" test "$(grep -c '^tuntcp .* on ' "$T/tour.log")" -gt "$before"
fi
lab_down

cmd="sudo TUNTCP_TRACE=1 TUNTCP_ISN=0 TUNTCP_PCAP=/tmp/lab.pcapng tools/up.sh"
rm -f /tmp/lab.pcapng
in_readme "$cmd" && { TUNTCP_TRACE=1 TUNTCP_ISN=0 TUNTCP_PCAP=/tmp/lab.pcapng lab_up trace || not_ok "$cmd"; }
out=$(timeout 10 bash -c "printf 'hello\\n' | nc -q 1 10.0.0.2 7788")
check "the traced lab answers too" test "$out" = "thank you!"
sleep 0.3
lab_down
check "the trace shows LISTEN -> SYN-RECEIVED -> ESTABLISHED with ISN 0" bash -c \
	"grep -q 'LISTEN -> SYN-RECEIVED' '$T/trace.log' && grep -q 'SYN-RECEIVED -> ESTABLISHED  (ACK ack=1)' '$T/trace.log' && grep -q 'out .*\\[S\\.\\] seq=0 ack=' '$T/trace.log'"
in_readme "tshark -r /tmp/lab.pcapng" &&
	check "tshark -r /tmp/lab.pcapng shows the handshake" bash -c "tshark -r /tmp/lab.pcapng 2>/dev/null | grep -q 'SYN, ACK'"
check "the capture's frame comments carry the stack's view" bash -c \
	"tshark -r /tmp/lab.pcapng -T fields -e frame.comment 2>/dev/null | grep -q 'ESTABLISHED snd.una='"
in_readme "tools/ladder /tmp/lab.pcapng" &&
	check "tools/ladder /tmp/lab.pcapng draws a sequence diagram" bash -c "tools/ladder /tmp/lab.pcapng | grep -q sequenceDiagram"
rm -f /tmp/lab.pcapng

in_readme "sudo tools/up.sh --no-app" && check "tools/up.sh --no-app" tools/up.sh --no-app
cmd="gdb -x tools/gdbinit -ex tt-watch -ex run build/echo_server"
if in_readme "$cmd"; then
	timeout 60 gdb -batch -x tools/gdbinit -ex tt-watch -ex run build/echo_server >"$T/gdb.out" 2>&1
	check "$cmd stops at CLOSED -> LISTEN" grep -q '=== CLOSED -> LISTEN' "$T/gdb.out"
fi

in_readme "build/kernel/echo_server 7789 &" && { build/kernel/echo_server 7789 >"$T/kserver.log" 2>&1 & }
kpid=$!
in_readme "sudo tools/up.sh --no-app --dev tun1 --subnet 10.0.1.0/24" &&
	check "a second device, tun1" tools/up.sh --no-app --dev tun1 --subnet 10.0.1.0/24
cmd="TUNTCP_DEV=tun1 TUNTCP_ADDR=10.0.1.2 build/echo_client 10.0.0.1 7789 hi"
if in_readme "$cmd"; then
	sleep 0.2
	out=$(TUNTCP_DEV=tun1 TUNTCP_ADDR=10.0.1.2 timeout 20 build/echo_client 10.0.0.1 7789 hi 2>/dev/null)
	check "our echo_client to the kernel's echo_server gets \"thank you!\"" bash -c "echo '$out' | grep -q 'thank you!'"
fi
kill $kpid 2>/dev/null
tools/down.sh >/dev/null 2>&1
tools/down.sh --dev tun1 >/dev/null 2>&1

cmd="sudo TUNTCP_TRACE=1 TUNTCP_FAULTS=loss=0.2 tools/up.sh --app echo_server --echo"
if in_readme "$cmd"; then
	TUNTCP_TRACE=1 TUNTCP_FAULTS=loss=0.2 lab_up lossy --app echo_server --echo || not_ok "$cmd"
	check "20 KB echoed through 20% loss" timeout 250 $PY tests/integration/tcp_client.py echo 10.0.0.2 7788 --size 20000 --timeout 240
	lab_down
	check "the trace shows retransmissions and the lost packets" bash -c \
		"grep -q 'retransmission timeout\\|fast retransmit' '$T/lossy.log' && grep -q 'fault: lost' '$T/lossy.log'"
fi
finish
