#!/usr/bin/env bash
# tools/up.sh - make the lab: a TUN device between this host's kernel and
# tuntcp, then run a stack program on it until Ctrl-C.
#
#   sudo tools/up.sh                       device tun0, host 10.0.0.1, stack 10.0.0.2,
#                                          running build/echo_server (port 7788)
#   sudo tools/up.sh --dev tun1 --subnet 10.0.1.0/24
#   sudo tools/up.sh --app tuntcpd         which program to run (from build/, or a path);
#                                          tuntcpd is the stack alone (ping, RSTs)
#   sudo tools/up.sh --app echo_server --echo   arguments after the program go to it
#   sudo tools/up.sh --no-app              only make the device, then return
#
# Variables: TUNTCP_DEV and TUNTCP_SUBNET choose the same as --dev and
# --subnet; every other TUNTCP_* variable (TUNTCP_TRACE=1, TUNTCP_PCAP=FILE,
# ...) is passed to the program.  The device belongs to the user who ran
# sudo, and the program runs as that user: the stack needs no root.
# tools/down.sh removes the device.  Works unchanged inside a network
# namespace (unshare -n), which is how the tests run it.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dev=${TUNTCP_DEV:-tun0}
subnet=${TUNTCP_SUBNET:-10.0.0.0/24}
app=echo_server
run_app=1
app_args=()

die() { echo "up.sh: $*" >&2; exit 1; }

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit "${1:-0}"
}

while [ $# -gt 0 ]; do
	case $1 in
	--dev) [ $# -ge 2 ] || die "--dev needs a name"; dev=$2; shift 2 ;;
	--subnet) [ $# -ge 2 ] || die "--subnet needs a prefix such as 10.0.1.0/24"; subnet=$2; shift 2 ;;
	--no-app) run_app=0; shift ;;
	--app) [ $# -ge 2 ] || die "--app needs a program"; app=$2; shift 2; app_args=("$@"); break ;;
	-h|--help) usage 0 ;;
	*) echo "up.sh: unknown option $1" >&2; usage 2 ;;
	esac
done

# The subnet: a /24 written as A.B.C.0/24 or A.B.C; the host takes .1, the stack .2.
net3=${subnet%/24}
net3=${net3%.0}
if ! [[ $net3 =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] ||
   [ "${BASH_REMATCH[1]}" -gt 223 ] || [ "${BASH_REMATCH[2]}" -gt 255 ] ||
   [ "${BASH_REMATCH[3]}" -gt 255 ] || [ "${BASH_REMATCH[1]}" -eq 127 ]; then
	die "--subnet $subnet: expected a unicast /24 such as 10.0.1.0/24"
fi
host_addr=$net3.1
stack_addr=$net3.2

[ "$(id -u)" -eq 0 ] || die "must run as root, to make the TUN device: sudo $0 $*"
[ -c /dev/net/tun ] || die "/dev/net/tun is missing: load the module (sudo modprobe tun); in a container, pass the device in (--device /dev/net/tun)"
[ ${#dev} -le 15 ] || die "device name $dev is longer than 15 characters"
if ip link show dev "$dev" >/dev/null 2>&1; then
	die "device $dev is busy: it already exists (another lab running, or a crashed one left it); tools/down.sh --dev $dev removes it, or --dev picks another name"
fi
routed=$( { ip -4 route show root "$net3.0/24"; ip -4 route show match "$net3.0/24" | grep -v '^default'; } 2>/dev/null | sort -u | head -n 1 || true)
if [ -n "$routed" ]; then
	die "subnet $net3.0/24 is already routed on this host ($routed); pick another with --subnet, e.g. --subnet 10.$((RANDOM % 200 + 20)).0.0/24"
fi

user=${SUDO_USER:-root}
id "$user" >/dev/null 2>&1 || die "user $user (from SUDO_USER) does not exist"

# The program, built first if need be (as the user, so build/ stays theirs).
if [ $run_app -eq 1 ]; then
	case $app in
	*/*) app_path=$app ;;
	*) app_path=$top/build/$app ;;
	esac
	if [ ! -x "$app_path" ]; then
		echo "up.sh: building $app_path ..."
		if [ "$user" = root ]; then make -s -C "$top" >&2
		else runuser -u "$user" -- make -s -C "$top" >&2; fi
		[ -x "$app_path" ] || die "no program $app_path (try --app tuntcpd)"
	fi
fi

cleanup() {
	trap - EXIT INT TERM
	if [ -n "${app_pid:-}" ] && kill -0 "$app_pid" 2>/dev/null; then
		kill -TERM "$app_pid" 2>/dev/null || true
		wait "$app_pid" 2>/dev/null || true
	fi
	ip link del dev "$dev" 2>/dev/null || true
	echo "up.sh: removed $dev"
}

# Linux's own default (udev) gives /dev/net/tun mode 0666: opening it grants
# nothing, TUNSETIFF checks that the device belongs to the user.  Some
# containers leave it 0600, which would stop the user's program.
if [ "$user" != root ] && ! setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- test -r /dev/net/tun -a -w /dev/net/tun; then
	echo "up.sh: /dev/net/tun was not usable by $user; setting mode 0666 as udev does on Debian"
	chmod 0666 /dev/net/tun
fi

# The device: a persistent TUN owned by the user, with the host's side of the link.
ip tuntap add dev "$dev" mode tun user "$user"
if [ $run_app -eq 1 ]; then trap cleanup EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; fi
# No IPv6 on the lab link: keeps traces and captures to what the lab is about.
sysctl -q -w "net.ipv6.conf.$dev.disable_ipv6=1" >/dev/null 2>&1 || true
ip addr add "$host_addr/24" dev "$dev"
ip link set dev "$dev" up

cat <<MSG
up.sh: device $dev is up, owned by $user.
  host  (this machine's kernel):  $host_addr
  stack (tuntcp, in userspace):   $stack_addr
MSG
if [ $run_app -eq 0 ]; then
	cat <<MSG
Run a stack program on it as $user, e.g.:
  TUNTCP_DEV=$dev TUNTCP_ADDR=$stack_addr build/echo_server
tools/down.sh --dev $dev removes the device.
MSG
	exit 0
fi
cat <<MSG
Running $app_path ${app_args[*]:-} as $user.  From another terminal try:
  ping $stack_addr
  nc $stack_addr 7788
  sudo tshark -i $dev        (or open TUNTCP_PCAP=FILE in Wireshark)
Ctrl-C stops the program and removes $dev.
MSG

# TUNTCP_* variables reach the program: setpriv keeps the environment,
# and execs the program, so $! is its pid.
export TUNTCP_DEV=$dev TUNTCP_ADDR=$stack_addr
unset TUNTCP_SUBNET
if [ "$user" = root ]; then
	"$app_path" "${app_args[@]}" &
else
	setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- \
		"$app_path" "${app_args[@]}" &
fi
app_pid=$!
echo "up.sh: $(basename "$app_path") runs as pid $app_pid"
set +e
wait "$app_pid"
status=$?
app_pid=
exit $status
