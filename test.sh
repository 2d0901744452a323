#!/usr/bin/env bash
# Build sockbridge and run every test: with gcc and with clang (warnings as
# errors), then under AddressSanitizer + UndefinedBehaviorSanitizer.
# Installs missing Debian packages first. Ends with one summary line.
set -u
cd "$(dirname "$0")"
bash scripts/install-deps || exit 1
export WERROR=1
total_p=0 total_f=0 total_s=0 failed=0

# run LABEL make-args...: one build + test pass, its counts added up.
run() {
	local label=$1 out; shift
	echo "== $label"
	out=$(mktemp)
	make -s "$@" 2>&1 | tee "$out"
	local rc=${PIPESTATUS[0]}
	local line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
	rm -f "$out"
	if [ -z "$line" ]; then
		echo "$label: build or test run failed (status $rc)"
		total_f=$((total_f + 1)); failed=1
		return
	fi
	set -- $line
	total_p=$((total_p + $1)); total_f=$((total_f + $3)); total_s=$((total_s + ${5:-0}))
	[ "$rc" = 0 ] || failed=1
}

run "gcc" CC=gcc BUILD=build check
run "clang" CC=clang BUILD=build-clang check
run "gcc ASan+UBSan" CC=gcc sanitize
echo "all: $total_p passed, $total_f failed, $total_s skipped"
exit $failed
