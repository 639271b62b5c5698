#!/usr/bin/env bash
# tests/run.sh - everything `make test` runs, ending with "N passed, N failed".
#
#   1. install missing test dependencies (tests/deps.sh);
#   2. build twice: build/ (as shipped) and build/san/ (AddressSanitizer +
#      UBSan), with the cmocka unit tests and the fuzz targets;
#   3. run the unit tests in both builds;
#   4. run every integration test (tests/integration/test_*.sh), each in a
#      network namespace of its own, against the sanitized programs, and the
#      ping test once more against the plain build;
#   5. a short bounded run of each fuzz target.
# Each check prints "ok - ..." or "not ok - ..."; the counts are the last line.
# TESTS="ping updown" runs only those integration tests.
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)
LOG=$TOP/build/test.log
mkdir -p build
: >"$LOG"
unset SUDO_USER	# the tests run the stack programs as users they choose

say() { echo "$@" | tee -a "$LOG"; }

tests/deps.sh || { say "not ok - test dependencies missing"; }

build() {
	if make -s -j2 "$@" all units >build/make.out 2>&1; then
		say "ok - build $*"
	else
		say "not ok - build $*"; tail -20 build/make.out | sed 's/^/#   /'
	fi
}
build
build BUILD=build/san SAN=1
fuzzers=$(ls tests/fuzz/fuzz_*.c 2>/dev/null | sed 's|tests/fuzz/\(.*\)\.c|build/fuzz/\1|')
if [ -n "$fuzzers" ]; then
	if make -s $fuzzers >build/make.out 2>&1; then say "ok - build fuzz targets"
	else say "not ok - build fuzz targets"; tail -20 build/make.out | sed 's/^/#   /'; fi
fi

# cmocka prints "[       OK ] name" and "[  FAILED  ] name" per test.
run_unit() {
	local bin=$1 tag=$2 out status
	out=$("$bin" 2>&1)
	status=$?
	echo "$out" | sed -n "s/^\[       OK \] \(.*\)/ok - $tag $(basename "$bin"): \1/p" | tee -a "$LOG"
	echo "$out" | sed -n "s/^\[  FAILED  \] \([a-z_0-9]*\)$/not ok - $tag $(basename "$bin"): \1/p" | tee -a "$LOG"
	# A skipped test is a known bug: it counts against us until fixed.
	echo "$out" | sed -n "s/^\[  SKIPPED \] \([a-z_0-9]*\)$/not ok - $tag $(basename "$bin"): \1 (skipped)/p" | tee -a "$LOG"
	if [ $status -ne 0 ] && ! echo "$out" | grep -q '^\[  FAILED  \]'; then
		say "not ok - $tag $(basename "$bin") crashed (status $status)"
		echo "$out" | tail -20 | sed 's/^/#   /'
	elif [ $status -ne 0 ]; then
		echo "$out" | grep -v '^\[' | tail -20 | sed 's/^/#   /'
	fi
}
for b in build/tests/test_*; do [ -x "$b" ] && run_unit "$b" unit; done
for b in build/san/tests/test_*; do [ -x "$b" ] && run_unit "$b" unit-san; done

run_integration() {
	local t=$1 build=$2 name out status
	name=$(basename "$t" .sh)
	echo "# $name ($build)"
	TUNTCP_BUILD=$build timeout 900 bash "$t" >build/it.out 2>&1
	status=$?
	sed -n "s/^ok - /ok - $name: /p; s/^not ok - /not ok - $name: /p; /^#/p" build/it.out | tee -a "$LOG"
	if [ $status -ne 0 ] && ! grep -q '^not ok' build/it.out; then
		say "not ok - $name exited with status $status"
		tail -20 build/it.out | sed 's/^/#   /'
	fi
}
for t in tests/integration/test_*.sh; do
	name=$(basename "$t" .sh); name=${name#test_}
	if [ -n "${TESTS:-}" ] && ! [[ " $TESTS " == *" $name "* ]]; then continue; fi
	run_integration "$t" build/san
done
if [ -z "${TESTS:-}" ] || [[ " $TESTS " == *" ping "* ]]; then
	run_integration tests/integration/test_ping.sh build
fi

if [ -n "$fuzzers" ]; then
	tests/fuzz/run.sh "${FUZZ_SECONDS:-20}" $fuzzers 2>&1 | tee -a "$LOG"
fi

passed=$(grep -c '^ok ' "$LOG")
failed=$(grep -c '^not ok ' "$LOG")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
