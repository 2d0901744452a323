#!/usr/bin/env bats
# Back-off: a unix target whose listen backlog is full (connect says
# EAGAIN) is alive but busy, so each client is kept and the target tried
# again, 10 ms later and then doubling up to 1 s, until the connect
# timeout. Clients waiting so cost little CPU, and are served once the
# target accepts again.

load helpers
load wait_helpers

setup() {
	common_setup
	BACKEND="$BATS_TEST_DIRNAME/../tools/backend.py"
}

teardown() {
	common_teardown
}

# backend ARGS...: tests/tools/backend.py in the background; waits until
# it listens.
backend() {
	bg backend python3 "$BACKEND" --timeout "$(t 90)" "$@"
	wait_for 200 grep -q '^listening' "$T/backend.out" ||
	    fail "the backend did not listen:" "$(cat "$T/backend.err")"
}

@test "backoff: 1,500 clients on a full unix backlog cost the relay little CPU" {
	needs_proc
	local n=1500 t0 c0 t1 c1 used
	# Backlog 1 and never an accept: two connects fit, the rest get
	# EAGAIN for as long as the test runs.
	backend --backlog 1 --no-accept "unix:$T/b.sock"
	relay_v -T 90s "unix:$T/in.sock" "unix:$T/b.sock"
	bg clients "$PEER" hold -c "$n" -t "$(t 90)" "unix:$T/in.sock"
	wait_for 600 log_has_n relay 'accepted' "$n" ||
	    fail "$(nlines relay accepted) of $n accepted"
	t0=$(now_ms) c0=$(cpu_ms "$RELAY_PID")
	# A measuring window, not a wait for an event.
	sleep 3
	t1=$(now_ms) c1=$(cpu_ms "$RELAY_PID")
	used=$((c1 - c0))
	echo "# $n clients on a full backlog: relay CPU $used ms in $((t1 - t0)) ms" >&3
	[ "$(nlines relay 'connected to')" -le 2 ] ||
	    fail "more connects than the backlog holds:" "$(nlines relay 'connected to')"
	# Every 20 ms per client (the old fixed retry) costs about a third
	# of a core here; the back-off about 3%.
	[ "$used" -le $(((t1 - t0) * 12 / 100)) ] ||
	    fail "relay used $used ms of CPU in $((t1 - t0)) ms (over 12%)"
	kill -0 "$RELAY_PID"
}

@test "backoff: clients held on a full backlog are served, intact, once the target accepts" {
	backend --backlog 1 --accept-after 1.5 "unix:$T/b.sock"
	relay_v -T 30s "unix:$T/in.sock" "unix:$T/b.sock"
	run timeout "$(t 60)" "$PEER" integrity -c 20 -b 64K -t "$(t 50)" "unix:$T/in.sock"
	expect_status 0
	expect_contains "ok conns=20 bytes_each_way=$((20 * 65536)) "
	grep -q '^accepting' "$T/backend.out"
	[ "$(nlines relay 'closed \(done\)')" = 20 ] ||
	    fail "relay:" "$(cat "$T/relay.err")"
	! grep -q 'connect unix' "$T/relay.err" ||
	    fail "a connect failed:" "$(cat "$T/relay.err")"
}

@test "backoff: a backlog that stays full: the client is aborted at the connect timeout" {
	backend --backlog 1 --no-accept "unix:$T/b.sock"
	relay_v -T 1s "unix:$T/in.sock" "unix:$T/b.sock"
	# Fill the backlog (two fit), then one more that must wait.
	bg fill "$PEER" hold -c 2 -t "$(t 30)" "unix:$T/in.sock"
	wait_for 200 log_has_n relay 'connected to' 2 ||
	    fail "the backlog did not fill:" "$(cat "$T/relay.err")"
	expect_reset_at_timeout "$T/in.sock"
	wait_for 100 expect_log relay 'connect unix:.*/b.sock: Resource temporarily unavailable \(closing conn 3 '
}
