#!/usr/bin/env bash
# Build sockbridge and run every test:
#   gcc, warnings as errors: unit and end-to-end tests
#   clang, warnings as errors: unit tests
#   gcc with AddressSanitizer + UndefinedBehaviorSanitizer: unit and e2e
#   (but for the files in the Makefile's SAN_SKIP_E2E: bench figures,
#   strace counts, the Docker and ssh suites)
#   libFuzzer: the regression inputs, then each parser fuzzed FUZZ_SECONDS
#   valgrind memcheck: the relay e2e suite, no errors, no leaks
#   cross-builds (zig cc): macOS arm64 and x86_64 linked, checked Mach-O;
#   static x86_64 against the relay suite; static aarch64 under qemu (unit
#   tests, relay smoke test); the PORTABLE build (poll, no splice): unit,
#   relay, files/faults and security suites; under ASan+UBSan: unit, relay
#   and files/faults
# Installs missing Debian packages first (scripts/install-deps --test: the
# build set and the test set). Skips beyond SB_SKIP_MAX (default 0, see
# tests/run) fail the run. Ends with one summary line.
set -u
cd "$(dirname "$0")"
bash scripts/install-deps --test || exit 1
export WERROR=1
: "${SB_JOBS:=3}" "${FUZZ_SECONDS:=6}"
export SB_JOBS
total_p=0 total_f=0 total_s=0 failed=0
start=$(date +%s)

# run LABEL make-args...: one make run; its "N passed, N failed" line (if
# any) is added to the totals, and a failing run counts as a failure.
run() {
	local label=$1 out rc line t0=$(date +%s); shift
	echo "== $label"
	out=$(mktemp)
	make -s "$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
	rm -f "$out"
	if [ -n "$line" ]; then
		set -- $line
		total_p=$((total_p + $1)); total_f=$((total_f + $3))
		total_s=$((total_s + ${5:-0}))
	elif [ "$rc" = 0 ]; then
		total_p=$((total_p + 1))
	fi
	if [ "$rc" != 0 ]; then
		echo "$label: FAILED (status $rc)"
		[ -n "$line" ] || total_f=$((total_f + 1))
		failed=1
	fi
	echo "== $label: $(( $(date +%s) - t0 )) s"
}

run "gcc" CC=gcc BUILD=build check
run "clang" CC=clang BUILD=build-clang all unit
run "gcc ASan+UBSan" CC=gcc sanitize
run "fuzz" fuzz-regress fuzz FUZZ_SECONDS="$FUZZ_SECONDS"
run "valgrind" memcheck VG_E2E=relay SB_JOBS=1
run "cross macOS" cross-macos
run "static x86_64 relay" static-check
run "static aarch64 qemu" static-arm64
run "PORTABLE" portable-check
run "PORTABLE ASan+UBSan" portable-sanitize
echo "(took $(( $(date +%s) - start )) s)"
echo "all: $total_p passed, $total_f failed, $total_s skipped"
exit $failed
