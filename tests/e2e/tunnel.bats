#!/usr/bin/env bats
# tunnel: many connections as streams over one carrier ("tunnel:CMD" and
# "sockbridge tunnel"). The carrier here is local (the far end runs as
# "$SB tunnel ..." straight from the relay), so no Docker is needed; the
# checks are made by the peers on either side: bytes, half-close, resets,
# and the carrier's life (killed, restarted, unable to start).

load helpers
load abort_helpers

bats_require_minimum_version 1.5.0

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# echo_at NAME PATH: an echo server on unix:PATH.
echo_at() {
	start_echo "$1" "unix:$2" >/dev/null
}

# carrier_pid: the pid the relay logged for its carrier (the last one).
carrier_pid() {
	sed -n "s/.*carrier '.*' started, pid \([0-9]*\)$/\1/p" \
	    "$T/relay.err" | tail -1
}

# cpu_ticks PID: utime + stime of PID.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

@test "tunnel: 48 concurrent streams of 2 MiB, random write sizes, byte-exact both ways" {
	echo_at echo "$T/e.sock"
	relay_v "unix:$T/r.sock" "tunnel:$SB tunnel unix:$T/e.sock"
	run timeout "$(t 40)" "$PEER" integrity -t "$(t 30)" -c 48 -b 2M \
	    -m 100000 "$RADDR"
	expect_status 0
	[ -S "$T/r.sock" ]
	# One carrier for all of them.
	[ "$(nlines relay "carrier '.*' started")" -eq 1 ]
}

@test "tunnel: half-close passes both ways: the reply follows the client's EOF" {
	echo_at echo "$T/e.sock"
	relay_v "unix:$T/r.sock" "tunnel:$SB tunnel unix:$T/e.sock"
	run timeout "$(t 10)" "$PEER" halfclose -t "$(t 5)" "$RADDR" "GET / after EOF"
	expect_status 0
}

# Unix peers have no RST: a peer sees ECONNRESET when the other closes
# with its bytes unread, so the unix observers keep sending until every
# buffer up to the aborting peer is full (--flag), as in aborts.bats.
@test "tunnel: the target resets mid-response: the client gets ECONNRESET" {
	peer target listen "unix:$T/t.sock" abort --rcvbuf 32768 --after "$T/full"
	relay_v "unix:$T/r.sock" "tunnel:$SB tunnel -v unix:$T/t.sock"
	peer client connect "$RADDR" observe --bytes $((64 << 20)) \
	    --flag "$T/full"
	expect_observed client reset
	wait_for 100 expect_log relay 'reset by the peer: reset by peer'
}

@test "tunnel: the client resets mid-upload: the target gets ECONNRESET" {
	peer target listen "unix:$T/t.sock" observe --bytes $((64 << 20)) \
	    --flag "$T/full"
	relay_v "unix:$T/r.sock" "tunnel:$SB tunnel -v unix:$T/t.sock"
	peer client connect "$RADDR" abort --rcvbuf 32768 --after "$T/full"
	expect_observed target reset
}

@test "tunnel: an unreachable far target resets the client, naming the target" {
	# TCP: the client sees the RST whether or not it sent first.
	relay_v tcp:127.0.0.1:0 "tunnel:$SB tunnel -v unix:$T/none.sock"
	peer client connect "$RADDR" observe --bytes 100
	expect_observed client reset
	wait_for 100 expect_log relay "refused: connect unix:$T/none.sock"
}

@test "tunnel: the carrier killed mid-transfer: clients get resets, the socket stays, the next connection works" {
	echo_at echo "$T/e.sock"
	peer slow listen "unix:$T/t.sock" observe --bytes $((64 << 20)) \
	    --flag "$T/full"
	relay_v "unix:$T/r.sock" "tunnel:$SB tunnel unix:$T/t.sock"
	# The client sends much and reads little (a window's worth, half
	# of which frees the target's sends, takes seconds): bytes are in
	# flight both ways and the target's sends stay blocked.
	peer client connect "$RADDR" observe --bytes $((256 << 20)) \
	    --rate 65536
	wait_for 100 test -e "$T/full"
	pid=$(carrier_pid)
	[ -n "$pid" ]
	kill -KILL "$pid"
	expect_observed client reset
	wait_for 100 expect_log relay "carrier '.*': the carrier (closed|exited) .*killed by signal 9"
	[ -S "$T/r.sock" ]
	wait_for 100 log_has_n relay "carrier '.*' started" 2
	[ -S "$T/r.sock" ]
	kill "$PID_slow" 2>/dev/null || true
	wait_gone "$PID_slow" 100
	# A server at the far target again: the next connection works.
	echo_at echo2 "$T/t.sock"
	run timeout "$(t 10)" "$PEER" ping -t "$(t 5)" "$RADDR" hello
	expect_status 0
}

@test "tunnel: after a carrier restart, new connections are carried again" {
	echo_at echo "$T/e.sock"
	relay_v "unix:$T/r.sock" "tunnel:$SB tunnel unix:$T/e.sock"
	run timeout "$(t 10)" "$PEER" ping -t "$(t 5)" "$RADDR" one
	expect_status 0
	kill -TERM "$(carrier_pid)"
	wait_for 100 log_has_n relay "carrier '.*' started" 2
	[ -S "$T/r.sock" ]
	run timeout "$(t 10)" "$PEER" ping -t "$(t 5)" "$RADDR" two
	expect_status 0
}

@test "tunnel: a carrier that cannot start: one clear error with the command, status and stderr" {
	bg relay "$SB" relay -T 1 tcp:127.0.0.1:0 \
	    "tunnel:sh -c 'echo Error: No such container: db >&2; exit 3'"
	RADDR=$(listen_addr relay)
	# Held while the carrier is tried again, then reset (-T 1). Over
	# tcp: a unix client sees the reset only if bytes of its own were
	# still unread when the relay closed (the kernel's rule), and the
	# carrier may have taken them all before it exited.
	peer client connect "$RADDR" observe --bytes $((64 << 20))
	expect_observed client reset
	expect_log relay "^sockbridge: carrier 'sh -c 'echo Error: No such container: db >&2; exit 3'' did not start the tunnel: exited with status 3: Error: No such container: db$"
	# Said once, however many times it is tried again.
	[ "$(nlines relay "did not start the tunnel")" -eq 1 ] ||
	    fail "$(cat "$T/relay.err")"
	[ "$(nlines relay "^sockbridge: carrier: Error")" -eq 1 ] ||
	    fail "$(cat "$T/relay.err")"
}

@test "tunnel: a carrier that does not speak the protocol: the error quotes what it wrote" {
	relay_v "unix:$T/r.sock" "tunnel:echo 'OCI runtime exec failed'; sleep 5"
	wait_for 100 expect_log relay "did not start the tunnel: .*it wrote: OCI runtime exec failed"
}

@test "tunnel: a carrier that stops answering is ended by the keepalive and started again" {
	relay_v --tunnel-keepalive 300ms "unix:$T/r.sock" "tunnel:sleep 30"
	wait_for 100 expect_log relay "did not start the tunnel: .*keepalive timeout: no answer in 300 ms"
	wait_for 100 log_has_n relay "carrier '.*' started" 2
	[ -S "$T/r.sock" ]
}

@test "tunnel: one stalled reader does not slow a busy stream" {
	echo_at echo "$T/e.sock"
	relay_v "unix:$T/r.sock" "tunnel:$SB tunnel unix:$T/e.sock"
	# Sends 64 MiB to the echo and reads nothing back: its stream's
	# window fills and stays full.
	peer stalled connect "$RADDR" observe --bytes $((64 << 20)) \
	    --rate 1 --flag "$T/full"
	wait_for 200 test -e "$T/full"
	run timeout "$(t 20)" "$PEER" integrity -t "$(t 15)" -c 1 -b 32M "$RADDR"
	expect_status 0
	kill -0 "$PID_stalled"
}

@test "tunnel: the far end's --max-streams limit resets the stream over it" {
	echo_at echo "$T/e.sock"
	relay_v tcp:127.0.0.1:0 "tunnel:$SB tunnel -vv --max-streams 2 unix:$T/e.sock"
	bg h1 python3 "$TOOLS/sock-client.py" "$RADDR" "@4"
	bg h2 python3 "$TOOLS/sock-client.py" "$RADDR" "@4"
	wait_for 100 expect_log relay "stream 3 opened"
	peer client connect "$RADDR" observe --bytes 100
	expect_observed client reset
	wait_for 100 expect_log relay "refused: the far end's limit of 2 streams"
}

@test "tunnel: an idle carrier costs no CPU" {
	echo_at echo "$T/e.sock"
	relay_v "unix:$T/r.sock" "tunnel:$SB tunnel unix:$T/e.sock"
	run timeout "$(t 10)" "$PEER" ping -t "$(t 5)" "$RADDR" warm
	expect_status 0
	far=$(carrier_pid)
	a=$(cpu_ticks "$RELAY_PID") b=$(cpu_ticks "$far")
	s1=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$RELAY_PID/status")
	sleep 1.5
	s2=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$RELAY_PID/status")
	[ "$(cpu_ticks "$RELAY_PID")" -eq "$a" ] || fail "relay used CPU while idle"
	[ "$(cpu_ticks "$far")" -eq "$b" ] || fail "far end used CPU while idle"
	# No wake-ups at all in 1.5 s (the keepalive is 30 s).
	[ "$s2" -eq "$s1" ] || fail "relay woke up $((s2 - s1)) times"
}

@test "tunnel: two listeners share one carrier, each to its own far target" {
	bg one "$SB" echo "unix:$T/one.sock"
	wait_for 100 test -S "$T/one.sock"
	bg near "$SB" tunnel -v -C "$SB tunnel unix:$T/one.sock 'exec:echo two'" \
	    -l "unix:$T/a.sock" -l "unix:$T/b.sock"
	wait_for 100 test -S "$T/b.sock"
	run timeout "$(t 10)" "$PEER" ping -t "$(t 5)" "unix:$T/a.sock" hello-one
	expect_status 0
	run timeout 5 python3 "$TOOLS/sock-client.py" "unix:$T/b.sock" 2>&1
	expect_contains two
	[ "$(nlines near "carrier '.*' started")" -eq 1 ]
}

@test "tunnel: reverse: the far end listens, the near end dials its own target" {
	echo_at echo "$T/e.sock"
	bg near "$SB" tunnel -v -C "$SB tunnel -l unix:$T/in.sock" "unix:$T/e.sock"
	wait_for 100 test -S "$T/in.sock"
	run timeout "$(t 20)" "$PEER" integrity -t "$(t 15)" -c 8 -b 1M \
	    "unix:$T/in.sock"
	expect_status 0
}

@test "tunnel: a listener's allow list holds for tunnel streams too" {
	needs_local_addr 127.0.0.2
	echo_at echo "$T/e.sock"
	relay_v "tcp:127.0.0.1:0,allow=127.0.0.2/32" "tunnel:$SB tunnel unix:$T/e.sock"
	local port=${RADDR##*:}
	# From 127.0.0.1: closed unserved, never carried.
	run python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
try:
    s.sendall(b"hello")
    print("got", s.recv(100))
except OSError as e:
    print("error", e.__class__.__name__)' "$port"
	expect_status 0
	[[ "$output" == "got b''" || "$output" == error* ]] || fail "denied client saw: $output"
	wait_for 100 grep -q 'tunnel: denied tcp:127\.0\.0\.1:[0-9]* on .* (not in its allow list)' "$T/relay.err" ||
	    fail "no denial logged:" "$(cat "$T/relay.err")"
	# From 127.0.0.2: echoed through the tunnel.
	run python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10,
    source_address=("127.0.0.2", 0))
s.sendall(b"hello"); s.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = s.recv(100)
    if not b: break
    got += b
print("got", got)' "$port"
	expect_status 0
	[ "$output" = "got b'hello'" ] || fail "allowed client saw: $output"
}

@test "tunnel: usage errors name the problem" {
	run "$SB" relay --stats "unix:$T/st.sock" "unix:$T/r.sock" "tunnel:cat"
	expect_status 2
	expect_contains "--stats does not count tunnel streams"
	run "$SB" -u "unix:$T/r.sock" "tunnel:cat"
	expect_status 2
	expect_contains "one direction only"
	run "$SB" tunnel "unix:$T/x,send-proxy"
	expect_status 2
	expect_contains "send-proxy does not apply to tunnel streams"
	run "$SB" relay "unix:$T/r.sock" "tunnel:$SB tunnel x" "unix:$T/y"
	expect_status 2
	expect_contains "tunnel:CMD cannot be one of several targets"
	run "$SB" relay --tunnel-start connect "unix:$T/r.sock" "unix:$T/y"
	expect_status 2
	run "$SB" relay --tunnel-start soon "unix:$T/r.sock" "tunnel:cat"
	expect_status 2
	run "$SB" tunnel
	expect_status 2
	run "$SB" tunnel --max-streams 0 unix:/x
	expect_status 2
	run --separate-stderr "$SB" tunnel -T 1 unix:/x
	expect_status 2
	[ "$stderr" = "sockbridge: --connect-timeout needs --carrier (the far end dials its targets as the kernel allows)" ] ||
	    fail "stderr: $stderr"
	run --separate-stderr "$SB" tunnel -C cat -T 0 -l "unix:$T/t.sock"
	expect_status 2
	[ "$stderr" = "sockbridge: --connect-timeout 0: not a duration above 0" ] ||
	    fail "stderr: $stderr"
	[ ! -e "$T/t.sock" ]
}

@test "tunnel -C: -T bounds how long a connection waits for a carrier that cannot start" {
	local t0 t1
	bg tun "$SB" tunnel -T 2 -C "echo no such container >&2; exit 3" \
	    -l tcp:127.0.0.1:0
	RADDR=$(listen_addr tun)
	t0=$(date +%s%N)
	# Over tcp, as in the relay's -T test above.
	peer client connect "$RADDR" observe --bytes $((64 << 20))
	expect_observed client reset
	t1=$(date +%s%N)
	# Held for its -T 2 (the carrier is tried again meanwhile), not reset
	# at the first failure.
	[ $(((t1 - t0) / 1000000)) -ge 1900 ] ||
	    fail "reset after $(((t1 - t0) / 1000000)) ms, before -T 2"
	expect_log tun "did not start the tunnel: exited with status 3: no such container"
}
