#!/bin/bash
# tests/fuzz/run.sh - run each libFuzzer target for a while.
#
#   usage: tests/fuzz/run.sh SECONDS BIN...
#   e.g.   make build/fuzz/fuzz_rx && tests/fuzz/run.sh 10 build/fuzz/fuzz_rx
#
# Each target NAME keeps its corpus in build/fuzz/corpus-NAME (it grows
# from run to run) and starts from the seeds in tests/fuzz/seeds/NAME/, if
# there are any.  libFuzzer's own output goes to build/fuzz/NAME.log; on a
# crash its tail is printed, and the input that crashed is saved as
# build/fuzz/NAME-crash-<sha1> (replay it: BIN FILE).
#
# Prints "ok - fuzz NAME SECONDSs" or "not ok - fuzz NAME" per target, as
# tests/run.sh counts them; exits 1 if any failed.

set -u

if [ $# -lt 2 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
	echo "usage: $0 SECONDS BIN..." >&2
	exit 2
fi
secs=$1
shift

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$TOP/build/fuzz
mkdir -p "$OUT"
failed=0

for bin in "$@"; do
	name=$(basename "$bin")
	corpus=$OUT/corpus-$name
	seeds=$TOP/tests/fuzz/seeds/$name
	log=$OUT/$name.log
	if [ ! -x "$bin" ]; then
		echo "not ok - fuzz $name (no such program: $bin)"
		failed=1
		continue
	fi
	mkdir -p "$corpus"
	# The first folder is the one libFuzzer adds new inputs to; the seeds
	# are only read.
	dirs=("$corpus")
	[ -d "$seeds" ] && dirs+=("$seeds")
	if "$bin" -max_total_time="$secs" -timeout=10 \
		-artifact_prefix="$OUT/$name-" "${dirs[@]}" >"$log" 2>&1; then
		echo "ok - fuzz $name ${secs}s"
	else
		echo "not ok - fuzz $name"
		tail -n 40 "$log" | sed 's/^/#   /'
		failed=1
	fi
done

exit $failed
