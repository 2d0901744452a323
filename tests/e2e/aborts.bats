#!/usr/bin/env bats
# Aborts: when one peer resets (or fails) while bytes are in flight, the
# other peer must see a reset, never a clean end of stream that would pass
# a truncated transfer off as complete. Each test runs the real relay
# between two real peers (tests/tools/abort_peer.py) and checks what the
# OTHER peer observed.
#
# TCP peers get an RST (SO_LINGER {1, 0}). Unix stream sockets have no
# RST: a peer sees ECONNRESET when the relay closes with that peer's bytes
# still unread, so the unix observers here keep sending until every buffer
# up to the aborting peer is full (--flag), and the unix aborters leave a
# byte of their peer's unread (--peek).

load helpers

setup() {
	common_setup
	AP="$BATS_TEST_DIRNAME/../tools/abort_peer.py"
}

teardown() {
	common_teardown
}

# peer NAME listen|connect ADDR ROLE [opts]: start abort_peer in the
# background; for listen, wait for its address and put it in $ADDR.
peer() {
	local name=$1 mode=$2
	shift 2
	bg "$name" python3 "$AP" "$mode" "$@" --timeout "$(t 20)"
	eval "PID_$name=$BG_PID"
	[ "$mode" = listen ] || return 0
	wait_for 100 grep -q '^listening ' "$T/$name.out" ||
	    fail "$name did not listen:" "$(cat "$T/$name.err")"
	ADDR=$(sed -n 's/^listening //p' "$T/$name.out")
}

# relay ARGS...: start the relay (-v), its pid in $RELAY_PID, its first
# address in $RADDR.
relay() {
	bg relay "$SB" relay -v "$@"
	RELAY_PID=$BG_PID
	RADDR=$(listen_addr relay)
}

# expect_observed NAME WHAT: peer NAME exited 0 having printed "observed
# WHAT ..." (reset or eof).
expect_observed() {
	local pid
	eval "pid=\$PID_$1"
	wait_gone "$pid" $((25 * 20)) || fail "$1 did not finish"
	wait "$pid" || fail "$1 failed:" "$(cat "$T/$1.err")"
	grep -q "^observed $2 " "$T/$1.out" ||
	    fail "$1: '$(cat "$T/$1.out")', expected: observed $2" \
	    "relay log:" "$(cat "$T/relay.err")"
}

# --- the target resets mid-response -----------------------------------------

@test "abort: tcp->tcp, the target resets mid-response: the client gets ECONNRESET, not EOF" {
	peer target listen tcp:127.0.0.1:0 abort
	relay tcp:127.0.0.1:0 "$ADDR"
	peer client connect "$RADDR" observe
	expect_observed client reset
	wait_for 100 expect_log relay 'conn 1: closed \(reset\) .*both sides aborted, not delivered: [0-9]+ bytes up, [0-9]+ bytes down$'
}

@test "abort: unix->tcp, the target resets mid-response: the unix client gets ECONNRESET" {
	peer target listen tcp:127.0.0.1:0 abort --rcvbuf 32768 --after "$T/full"
	relay "unix:$T/r.sock" "$ADDR"
	peer client connect "$RADDR" observe --bytes $((64 << 20)) \
	    --flag "$T/full"
	expect_observed client reset
}

@test "abort: tcp->unix, the target resets mid-response: the client gets ECONNRESET" {
	peer target listen "unix:$T/t.sock" abort --peek
	relay tcp:127.0.0.1:0 "unix:$T/t.sock"
	peer client connect "$RADDR" observe --bytes 65536
	expect_observed client reset
}

# --- the client resets mid-upload ------------------------------------------

@test "abort: tcp->tcp, the client resets mid-upload: the target gets ECONNRESET, not EOF" {
	peer target listen tcp:127.0.0.1:0 observe
	relay tcp:127.0.0.1:0 "$ADDR"
	peer client connect "$RADDR" abort
	expect_observed target reset
}

@test "abort: unix->tcp, the unix client resets mid-upload: the target gets ECONNRESET" {
	peer target listen tcp:127.0.0.1:0 observe --bytes 65536
	relay "unix:$T/r.sock" "$ADDR"
	peer client connect "$RADDR" abort --peek
	expect_observed target reset
}

@test "abort: tcp->unix, the client resets mid-upload: the unix target gets ECONNRESET" {
	peer target listen "unix:$T/t.sock" observe --bytes $((64 << 20)) \
	    --flag "$T/full"
	relay tcp:127.0.0.1:0 "unix:$T/t.sock"
	peer client connect "$RADDR" abort --rcvbuf 32768 --after "$T/full"
	expect_observed target reset
}

# --- the relay cuts the stream -----------------------------------------------

@test "abort: the drain timeout cuts a transfer off: both peers get ECONNRESET" {
	peer target listen tcp:127.0.0.1:0 observe --bytes $((256 << 20))
	relay -d 1 tcp:127.0.0.1:0 "$ADDR"
	peer client connect "$RADDR" observe --rate $((1 << 20))
	wait_for 100 expect_log relay 'conn 1: connected to'
	kill -TERM "$RELAY_PID"
	expect_observed client reset
	expect_observed target reset
	wait_for 100 expect_log relay 'conn 1: closed \(drain timeout\) .*both sides aborted'
}

@test "abort: no target reachable after accept: the client gets ECONNRESET, not EOF" {
	relay -T 1 tcp:127.0.0.1:0 "tcp:127.0.0.1:$(free_port)"
	peer client connect "$RADDR" observe
	expect_observed client reset
	expect_log relay 'conn 1: closed \(connect failed\)'
}
