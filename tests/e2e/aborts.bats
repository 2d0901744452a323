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
load abort_helpers

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# --- the target resets mid-response -----------------------------------------

@test "abort: tcp->tcp, the target resets mid-response: the client gets ECONNRESET, not EOF" {
	peer target listen tcp:127.0.0.1:0 abort
	relay_v tcp:127.0.0.1:0 "$ADDR"
	peer client connect "$RADDR" observe
	expect_observed client reset
	wait_for 100 expect_log relay 'conn 1: closed \(reset\) .*both sides aborted, not delivered: [0-9]+ bytes up, [0-9]+ bytes down$'
}

@test "abort: unix->tcp, the target resets mid-response: the unix client gets ECONNRESET" {
	peer target listen tcp:127.0.0.1:0 abort --rcvbuf 32768 --after "$T/full"
	relay_v "unix:$T/r.sock" "$ADDR"
	peer client connect "$RADDR" observe --bytes $((64 << 20)) \
	    --flag "$T/full"
	expect_observed client reset
}

@test "abort: tcp->unix, the target resets mid-response: the client gets ECONNRESET" {
	peer target listen "unix:$T/t.sock" abort --peek
	relay_v tcp:127.0.0.1:0 "unix:$T/t.sock"
	peer client connect "$RADDR" observe --bytes 65536
	expect_observed client reset
}

# --- the client resets mid-upload ------------------------------------------

@test "abort: tcp->tcp, the client resets mid-upload: the target gets ECONNRESET, not EOF" {
	peer target listen tcp:127.0.0.1:0 observe
	relay_v tcp:127.0.0.1:0 "$ADDR"
	peer client connect "$RADDR" abort
	expect_observed target reset
}

@test "abort: unix->tcp, the unix client resets mid-upload: the target gets ECONNRESET" {
	peer target listen tcp:127.0.0.1:0 observe --bytes 65536
	relay_v "unix:$T/r.sock" "$ADDR"
	peer client connect "$RADDR" abort --peek
	expect_observed target reset
}

@test "abort: tcp->unix, the client resets mid-upload: the unix target gets ECONNRESET" {
	peer target listen "unix:$T/t.sock" observe --bytes $((64 << 20)) \
	    --flag "$T/full"
	relay_v tcp:127.0.0.1:0 "unix:$T/t.sock"
	peer client connect "$RADDR" abort --rcvbuf 32768 --after "$T/full"
	expect_observed target reset
}

# --- the relay cuts the stream -----------------------------------------------

@test "abort: the drain timeout cuts a transfer off: both peers get ECONNRESET" {
	peer target listen tcp:127.0.0.1:0 observe --bytes $((256 << 20))
	relay_v -d 1 tcp:127.0.0.1:0 "$ADDR"
	peer client connect "$RADDR" observe --rate $((1 << 20))
	wait_for 100 expect_log relay 'conn 1: connected to'
	kill -TERM "$RELAY_PID"
	expect_observed client reset
	expect_observed target reset
	wait_for 100 expect_log relay 'conn 1: closed \(drain timeout\) .*both sides aborted'
}

@test "abort: no target reachable after accept: the client gets ECONNRESET, not EOF" {
	relay_v -T 1 tcp:127.0.0.1:0 "tcp:127.0.0.1:$(free_port)"
	peer client connect "$RADDR" observe
	expect_observed client reset
	expect_log relay 'conn 1: closed \(connect failed\)'
}
