#!/usr/bin/env bash
# tools/up.sh and tools/down.sh (issue 2): the clear errors a learner may
# meet, --no-app, a second lab device beside the first, and the stack
# program's own message when its device is missing or taken.
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"

# expect_error "what" "text it must print" command...
expect_error() {
	local what=$1 text=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		not_ok "$what: succeeded, expected an error"
	elif echo "$out" | grep -qF -- "$text"; then
		ok "$what: says \"$text\""
	else
		not_ok "$what: expected \"$text\""; echo "$out" | sed 's/^/#   /'
	fi
}

expect_error "up.sh as a normal user" "must run as root" \
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$TOP/tools/up.sh" --no-app
expect_error "a stack program with no device" \
	"device tun0 not found: run sudo tools/up.sh first" "$BIN/tuntcpd"
expect_error "down.sh with no device" "there is no device tun0" "$TOP/tools/down.sh"
expect_error "up.sh without /dev/net/tun" "/dev/net/tun is missing" \
	unshare -m bash -c "mount -t tmpfs none /dev/net && '$TOP/tools/up.sh' --no-app"
expect_error "up.sh with a bad subnet" "expected a unicast /24" \
	"$TOP/tools/up.sh" --no-app --subnet 10.0.300.0/24

check "up.sh --no-app makes tun0 and returns" "$TOP/tools/up.sh" --no-app
check "tun0 has the host address 10.0.0.1/24" bash -c "ip -4 addr show dev tun0 | grep -q 'inet 10.0.0.1/24'"
expect_error "up.sh on a device that exists" "device tun0 is busy" "$TOP/tools/up.sh" --no-app

"$BIN/tuntcpd" >"$T/d1.log" 2>&1 &
d1=$!
sleep 0.3
check "a stack program started by hand answers ping" ping -c 2 -i 0.1 -W 2 10.0.0.2
expect_error "a second program on the same device" "device tun0 is busy" "$BIN/tuntcpd"
kill -TERM $d1; wait $d1
check "SIGTERM prints the counters" grep -q 'icmp echo replies sent' "$T/d1.log"
check "down.sh removes tun0" "$TOP/tools/down.sh"
check "tun0 is gone" fails ip link show dev tun0

ip route add blackhole 10.0.5.0/24
expect_error "up.sh on a subnet already routed" "already routed" \
	"$TOP/tools/up.sh" --no-app --dev tun5 --subnet 10.0.5.0/24
check "the routed-subnet error names the option to pick another" bash -c \
	"'$TOP/tools/up.sh' --no-app --dev tun5 --subnet 10.0.5.0/24 2>&1 | grep -q -- '--subnet'"

# Two labs at once, as the TCP tests need: tun0 on 10.0.0.0/24, tun1 on 10.0.1.0/24.
lab_up a --app "$BIN/tuntcpd" || not_ok "lab tun0"
lab_up b --dev tun1 --subnet 10.0.1.0/24 --app "$BIN/tuntcpd" || not_ok "lab tun1"
check "the first lab answers at 10.0.0.2" ping -c 2 -i 0.1 -W 2 10.0.0.2
check "the second lab answers at 10.0.1.2" ping -c 2 -i 0.1 -W 2 10.0.1.2
check "TUNTCP_DEV/TUNTCP_ADDR were set for the second program" \
	grep -q 'answering as 10.0.1.2 on tun1' "$T/b.log"
finish
