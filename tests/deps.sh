#!/usr/bin/env bash
# tests/deps.sh - install what the tests need, if anything is missing
# (Debian packages only).  Run by `make test`; needs root to install.
set -eu
pkgs="build-essential libcmocka-dev iproute2 iputils-ping netcat-openbsd tshark python3 python3-scapy nftables clang gdb util-linux"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "tests/deps.sh: missing packages:$missing; run the tests as root (sudo make test) to install them" >&2
	exit 1
fi
echo "tests/deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; the answer does not matter here.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
