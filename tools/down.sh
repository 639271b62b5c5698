#!/usr/bin/env bash
# tools/down.sh - remove the lab's TUN device.
#
#   sudo tools/down.sh               removes tun0
#   sudo tools/down.sh --dev tun1
set -eu
dev=${TUNTCP_DEV:-tun0}
while [ $# -gt 0 ]; do
	case $1 in
	--dev) dev=${2:?--dev needs a name}; shift 2 ;;
	-h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "down.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "down.sh: must run as root: sudo $0" >&2; exit 1; }
if ! ip link show dev "$dev" >/dev/null 2>&1; then
	echo "down.sh: there is no device $dev" >&2
	exit 1
fi
ip link del dev "$dev"
echo "down.sh: removed $dev"
