#!/usr/bin/env bash
# tests/bench.sh - `make bench`: throughput of one connection between the
# Linux kernel and tuntcp, each direction, on a clean link and through the
# fault injector.  Prints figures; it passes or fails nothing.
#
#   BENCH_MB=100 make bench       bytes per run (default 50 MB clean, 10 MB faulty)
# Runs in a network namespace of its own, like every test.
. "$(dirname "$0")/lib.sh"
ns_enter "$@"
BIN=$TOP/build
MB=${BENCH_MB:-50}
FAULTY_MB=${BENCH_FAULTY_MB:-10}
FAULTS="loss=0.05,reorder=0.02,dup=0.01,corrupt=0.005,seed=7"

# run LABEL FAULTS BYTES DIRECTION
run() {
	local label=$1 faults=$2 bytes=$3 dir=$4 out
	"$TOP/tools/up.sh" --no-app >/dev/null 2>&1
	if [ "$dir" = in ]; then	# kernel sends, tuntcp receives
		TUNTCP_FAULTS=$faults TUNTCP_RTO_MIN=${RTO_MIN:-200} timeout 600 "$BIN/blast" recv 9000 >"$T/r.log" 2>&1 &
		local pid=$!
		sleep 0.3
		timeout 600 "$BIN/kernel/blast" send 10.0.0.2 9000 "$bytes" >"$T/s.log" 2>&1
		wait $pid
		out=$(grep -h 'blast recv:.*Mbit' "$T/r.log")
	else				# tuntcp sends, kernel receives
		timeout 600 "$BIN/kernel/blast" recv 9000 >"$T/r.log" 2>&1 &
		local pid=$!
		sleep 0.3
		TUNTCP_FAULTS=$faults TUNTCP_RTO_MIN=${RTO_MIN:-200} timeout 600 "$BIN/blast" send 10.0.0.1 9000 "$bytes" >"$T/s.log" 2>&1
		wait $pid
		out=$(grep -h 'blast recv:.*Mbit' "$T/r.log")
	fi
	printf '%-44s %s\n' "$label" "${out#blast recv: }"
	"$TOP/tools/down.sh" >/dev/null 2>&1
}

make -s -C "$TOP" all >/dev/null
echo "tuntcp bench ($(date -u +%F), $(nproc) cores); RTO_MIN=${RTO_MIN:-200} ms"
run "kernel -> tuntcp, clean link"         ""       $((MB << 20))       in
run "tuntcp -> kernel, clean link"         ""       $((MB << 20))       out
run "kernel -> tuntcp, $FAULTS"            "$FAULTS" $((FAULTY_MB << 20)) in
run "tuntcp -> kernel, $FAULTS"            "$FAULTS" $((FAULTY_MB << 20)) out
