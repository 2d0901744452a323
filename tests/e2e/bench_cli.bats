#!/usr/bin/env bats
# End-to-end tests for what "sockbridge bench" says about its own run: the
# Go client's command line (one user, once, counted at the server), the
# --input label, the did-you-mean for --loops, whose CPU it counts (a
# forking socat relay, an outside --address server, a system without
# /proc). The real binary against real peers: socat with fork, sockbridge
# echo; every command under timeout(1), every wait a bounded loop.
#
# Run: SB_BUILD=$PWD/build SB_E2E=bench_cli tests/run

bats_require_minimum_version 1.5.0
load helpers

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}

setup() {
	common_setup
	seq -f 'line %g of the input, some words to echo' 1 500 >"$T/in.txt"
}

teardown() {
	common_teardown
}

# sb ARGS...: run sockbridge under a timeout; stdout in $T/out, stderr in
# $T/err, exit status in $RC.
sb() {
	RC=0
	timeout "$(t 40)" "$SB" "$@" >"$T/out" 2>"$T/err" || RC=$?
}

# expect_rc N: $RC is N, else show what the command printed.
expect_rc() {
	if [ "$RC" != "$1" ]; then
		echo "exit status $RC, expected $1"
		echo "--- stdout:"; cat "$T/out"
		echo "--- stderr:"; cat "$T/err"
		return 1
	fi
}

# has FILE TEXT / hasnt FILE TEXT: FILE does (not) contain TEXT.
has() {
	grep -qF -- "$2" "$1" || { echo "expected '$2' in $1:"; cat "$1"; return 1; }
}
hasnt() {
	! grep -qF -- "$2" "$1" || { echo "did not expect '$2' in $1:"; cat "$1"; return 1; }
}

# pyjson FILE CODE: run CODE with rows = the JSON lines of FILE.
pyjson() {
	python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert rows, "no JSON rows"
exec(sys.argv[2])
' "$@" || { echo "--- JSON:"; cat "$1"; return 1; }
}

# counting_echo NAME: socat on $T/NAME.sock, a fork per connection, each
# appending a line to $T/NAME.conns and then echoing with cat.
counting_echo() {
	: >"$T/$1.conns"
	start_bg "$1" socat "UNIX-LISTEN:$T/$1.sock,fork,backlog=64" \
	    "SYSTEM:echo c >>$T/$1.conns; exec cat"
	wait_for 100 test -S "$T/$1.sock" || fail "socat did not listen"
}

@test "bench: the Go client's line runs one user once; two dashes keep the full comparison" {
	counting_echo g
	cd "$T"
	head -n 50 in.txt >go.txt
	sb bench -network unix -address ./g.sock -input go.txt -loop 10
	expect_rc 0
	[ "$(wc -l <"$T/g.conns")" -eq 1 ] || { cat "$T/g.conns"; cat "$T/out"; false; }
	[ "$(awk '$1 == "unix"' "$T/out" | wc -l)" -eq 1 ] || { cat "$T/out"; false; }
	awk '$1 == "unix" && $2 == "1"' "$T/out" | grep -q . || { cat "$T/out"; false; }
	hasnt "$T/out" "median of"
	# the same line as JSON: every line of the file, ten times, once
	: >"$T/g.conns"
	sb bench -network unix -address ./g.sock -input go.txt -loop 10 --warmup 0 --json
	expect_rc 0
	[ "$(wc -l <"$T/g.conns")" -eq 1 ]
	pyjson "$T/out" "
assert len(rows) == 1, rows
r = rows[0]
assert r['users'] == 1 and r['runs'] == 1 and r['loop'] == 10, r
assert r['messages_total'] == 50 * 10, r
"
	# -users N with one dash: N users, still once
	: >"$T/g.conns"
	sb bench -network unix -address ./g.sock -input go.txt -loop 1 -users 3 --json
	expect_rc 0
	[ "$(wc -l <"$T/g.conns")" -eq 3 ]
	pyjson "$T/out" "assert [(r['users'], r['runs']) for r in rows] == [(3, 1)], rows"
	# two dashes: 1 and 10 users, as before (one run each here: 11)
	: >"$T/g.conns"
	sb bench --network unix --address ./g.sock --input go.txt --repeat 1 --json
	expect_rc 0
	[ "$(wc -l <"$T/g.conns")" -eq 11 ]
	pyjson "$T/out" "assert [r['users'] for r in rows] == [1, 10], rows"
}

@test "bench --input: the heading names the file and its line count" {
	start_bg e "$SB" echo "unix:$T/e.sock"
	wait_for 100 test -S "$T/e.sock"
	sb bench --address "unix:$T/e.sock" --input "$T/in.txt" --loop 2 --users 1 --repeat 1
	expect_rc 0
	has "$T/out" "lines workload: $T/in.txt (500 lines) x 2 loops"
	hasnt "$T/out" "line corpus"
	# a last line without a newline is a line too
	printf 'one\ntwo\nthree' >"$T/three.txt"
	sb bench --address "unix:$T/e.sock" --input "$T/three.txt" --users 1 --repeat 1 --warmup 0
	expect_rc 0
	has "$T/out" "three.txt (3 lines) x 1 loop,"
}

@test "bench: --loops and -loops suggest --loop" {
	sb bench --loops 3
	expect_rc 2
	has "$T/err" "sockbridge: bench: unknown option '--loops' (did you mean --loop?)"
	sb bench -network unix -address x.sock -loops 3
	expect_rc 2
	has "$T/err" "unknown option '-loops' (did you mean --loop?)"
	[ ! -s "$T/out" ]
}

@test "bench --compare socat: the relay's CPU counts its forks, > 0 and plausible" {
	command -v socat >/dev/null || fail "socat is not installed (scripts/install-deps --test)"
	seq -f 'line %g of the input, some words to echo' 1 2000 >"$T/big.txt"
	sb bench --compare socat --no-relay --network tcp --input "$T/big.txt" \
	    --loop 2 --users 1,2 --repeat 1 --warmup 0 --json
	expect_rc 0
	pyjson "$T/out" "
import os
socat = [r for r in rows if r['path'] == 'unix->socat->tcp']
assert [r['users'] for r in socat] == [1, 2], rows
for r in socat:
    c = r['cpu_s']
    # socat moves every line through select, read and write twice:
    # it cannot cost nothing, nor more than the whole run on every CPU
    assert c['relay'] is not None and c['relay'] > 0, r
    assert c['relay'] <= r['wall_s'] * os.cpu_count() + 0.05, r
    assert c['relay'] >= 0.2 * c['server'], r
    assert r['cpu_us_per_msg'] > 0, r
tcp = [r for r in rows if r['path'] == 'tcp']
assert all(r['cpu_s']['relay'] is None for r in tcp), tcp
"
	sb bench --compare socat --no-relay --network tcp --input "$T/in.txt" --users 1 --repeat 1
	expect_rc 0
	has "$T/out" "CPU: client + server + relay (with the processes it forks)"
}

@test "bench --address: the footer and JSON claim no server CPU" {
	start_bg e "$SB" echo "unix:$T/e.sock"
	wait_for 100 test -S "$T/e.sock"
	sb bench --address "unix:$T/e.sock" --input "$T/in.txt" --users 1 --repeat 1
	expect_rc 0
	has "$T/out" "CPU: the client's (bench) only; the server at --address was not started by bench"
	hasnt "$T/out" "server + relay"
	sb bench --address "unix:$T/e.sock" --input "$T/in.txt" --users 1 --repeat 1 --json
	expect_rc 0
	pyjson "$T/out" "
r = rows[0]
assert r['cpu_s']['server'] is None and r['cpu_s']['relay'] is None, r
assert r['cpu_s']['client'] > 0 and r['cpu_us_per_msg'] > 0, r
"
}

@test "bench without /proc: CPU not measured, never a 0 that looks measured" {
	mkdir "$T/noproc"
	SOCKBRIDGE_PROC=$T/noproc sb bench --input "$T/in.txt" --users 1 --repeat 1 --warmup 0
	expect_rc 0
	has "$T/out" "CPU: not measured on this system"
	hasnt "$T/out" "client + server"
	# the CPU column of every row is "-"
	awk '$1 == "tcp" || $1 == "unix" || $1 == "unix->relay->tcp" { n++; if ($11 != "-") bad = 1 }
	    END { exit !(n == 3 && !bad) }' "$T/out" || { cat "$T/out"; false; }
	SOCKBRIDGE_PROC=$T/noproc sb bench --input "$T/in.txt" --users 1 --repeat 1 --warmup 0 --json
	expect_rc 0
	pyjson "$T/out" "
assert len(rows) == 3, rows
for r in rows:
    assert r['cpu_s']['server'] is None and r['cpu_s']['relay'] is None, r
    assert r['cpu_us_per_msg'] is None, r
    assert r['cpu_s']['client'] > 0 and r['messages'] > 0, r
"
	# with /proc, the same run measures all three
	head -n 100 "$T/in.txt" >"$T/short.txt"
	sb bench --input "$T/short.txt" --users 1 --repeat 1 --warmup 0 --json
	expect_rc 0
	pyjson "$T/out" "
for r in rows:
    assert r['cpu_s']['server'] is not None and r['cpu_us_per_msg'] > 0, r
assert rows[2]['cpu_s']['relay'] is not None, rows[2]
"
}
