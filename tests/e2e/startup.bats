#!/usr/bin/env bats
# Start-up races: a client that connects before its target exists is held
# (unread: the kernel keeps its bytes) and served once the target appears,
# up to the connect timeout; --no-wait-target turns that off. And the
# reverse, on-demand relays: --exit-idle-time exits 0 after a quiet spell,
# and under socket activation (tests/tools/activate.py plays systemd) the
# next connection starts the relay again, with none refused in between.
# Each test checks what the client observes: its bytes echoed intact, or
# an abort.

load helpers
load wait_helpers

setup() {
	common_setup
	BACKEND="$BATS_TEST_DIRNAME/../tools/backend.py"
	ACTIVATE="$BATS_TEST_DIRNAME/../tools/activate.py"
}

teardown() {
	common_teardown
}

# backend NAME ARGS...: start tests/tools/backend.py in the background,
# its pid in $BACKEND_PID.
backend() {
	local name=$1; shift
	bg "$name" python3 "$BACKEND" --timeout "$(t 60)" "$@"
	BACKEND_PID=$BG_PID
}

# client_ok PID: the client process PID (its output in $T/client.*) exits
# 0 within 30 s.
client_ok() {
	wait_gone "$1" $((30 * 20)) || fail "client still running"
	wait "$1" || fail "client failed:" "$(cat "$T/client.err")" \
	    "relay:" "$(cat "$T/relay.err")"
}

# queued PATH: a connection waits in the queue of the unix listener at PATH.
queued() {
	ss -xlnH | awk -v p="$1" '$5 == p && $3 > 0 { found = 1 } END { exit !found }'
}

@test "wait: a client that connects before its unix target exists is served once it appears, bytes intact both ways" {
	relay_v "unix:$T/in.sock" "unix:$T/b.sock"
	bg client "$PEER" integrity -c 1 -b 1M -t "$(t 30)" "unix:$T/in.sock"
	local client=$BG_PID
	# The client is in, and the relay says once why it waits.
	wait_for 200 log_has_n relay 'conn 1: waiting up to [0-9]+ ms for unix:.*/b.sock: No such file or directory \(no socket file yet\)$' 1 ||
	    fail "no waiting line:" "$(cat "$T/relay.err")"
	backend backend --delay 0.5 "unix:$T/b.sock"
	client_ok "$client"
	grep -q '^ok conns=1 bytes_each_way=1048576 ' "$T/client.out" ||
	    fail "client: $(cat "$T/client.out")"
	[ "$(nlines relay 'waiting')" = 1 ] ||
	    fail "more than one waiting line:" "$(cat "$T/relay.err")"
	expect_log relay 'conn 1: connected to unix:'
	expect_log relay 'conn 1: closed \(done\) .* 1048576 bytes up, 1048576 bytes down$'
}

@test "wait: a tcp target that refuses until it listens: the client is served" {
	local port
	port=$(free_port)
	relay_v tcp:127.0.0.1:0 "tcp:127.0.0.1:$port"
	bg client "$PEER" integrity -c 1 -b 256K -t "$(t 30)" "$RADDR"
	local client=$BG_PID
	wait_for 200 log_has_n relay "conn 1: waiting up to [0-9]+ ms for tcp:127.0.0.1:$port: Connection refused \\(nothing listens yet\\)" 1 ||
	    fail "no waiting line:" "$(cat "$T/relay.err")"
	backend backend --delay 1 "tcp:127.0.0.1:$port"
	client_ok "$client"
	grep -q '^ok conns=1 bytes_each_way=262144 ' "$T/client.out"
}

@test "wait: a client that leaves while waiting is let go at once, not held until the connect timeout" {
	relay_v -T 60 "unix:$T/in.sock" "unix:$T/b.sock"
	# A unix client that connects and closes: the relay sees it gone.
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()' "$T/in.sock"
	wait_for 200 log_has_n relay 'conn 1: .* left while waiting for a target \(closed\)$' 1 ||
	    fail "the client was not let go:" "$(cat "$T/relay.err")"
	# Nothing is held, so SIGTERM stops the relay at once, no drain.
	kill -TERM "$RELAY_PID"
	wait_gone "$RELAY_PID" $((5 * 20)) || fail "the relay still runs"
	! grep -q 'draining' "$T/relay.err" || fail "drained a client that had left"
}

@test "wait: the target never appears: the client is aborted at the connect timeout, the reason in the log" {
	relay_v -T 1s "unix:$T/in.sock" "unix:$T/b.sock"
	# The client's unread bytes turn the relay's close into ECONNRESET
	# on a unix socket (see end.h): an abort, never a clean EOF.
	expect_reset_at_timeout "$T/in.sock"
	wait_for 100 expect_log relay 'connect unix:.*/b.sock: No such file or directory, no socket file yet; waited [0-9]+ ms, the connect timeout \(closing conn 1 '
	expect_log relay 'conn 1: closed \(connect failed\) .*client aborted'
}

@test "wait: --no-wait-target fails a client at once when the target is missing" {
	relay_v -T 10s --no-wait-target "unix:$T/in.sock" "unix:$T/b.sock"
	run timeout "$(t 20)" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
t0 = time.monotonic()
try:
    s.sendall(b"request")
    d = s.recv(100)
    what = "eof" if d == b"" else "data"
except (ConnectionResetError, BrokenPipeError):
    what = "reset"
print(what, "%.2f" % (time.monotonic() - t0))' "$T/in.sock"
	expect_status 0
	[[ "$output" =~ ^(reset|eof)\ ([0-9.]+)$ ]] || fail "client saw: $output"
	# Far sooner than the 10 s it would have waited.
	awk -v s="${BASH_REMATCH[2]}" 'BEGIN { exit !(s < 5) }' ||
	    fail "closed after ${BASH_REMATCH[2]} s"
	expect_log relay 'connect unix:.*/b.sock: No such file or directory \(closing conn 1 '
	[ "$(nlines relay 'waiting')" = 0 ]
}

@test "wait: with several targets, a healthy one serves at once; waiting only when none answers" {
	start_echo echo "unix:$T/e.sock" >/dev/null
	relay_v "unix:$T/in.sock" "unix:$T/a.sock" "unix:$T/e.sock"
	for i in 1 2 3; do
		run timeout "$(t 10)" "$PEER" ping -t "$(t 5)" "unix:$T/in.sock" "hello$i"
		expect_status 0
		expect_output "hello$i"
	done
	[ "$(nlines relay 'waiting')" = 0 ] ||
	    fail "waited with a healthy target:" "$(cat "$T/relay.err")"

	# Neither there: wait; the second appears and serves.
	kill "$RELAY_PID"
	wait_gone "$RELAY_PID" 100
	relay_v "unix:$T/in2.sock" "unix:$T/a.sock" "unix:$T/b.sock"
	bg client "$PEER" integrity -c 1 -b 64K -t "$(t 30)" "unix:$T/in2.sock"
	local client=$BG_PID
	wait_for 200 log_has_n relay 'conn 1: waiting up to [0-9]+ ms for a target: none of 2 answers' 1 ||
	    fail "no waiting line:" "$(cat "$T/relay.err")"
	backend backend --delay 0.5 "unix:$T/b.sock"
	client_ok "$client"
	expect_log relay 'conn 1: connected to unix:.*/b.sock'
}

@test "wait: 500 clients wait at once: little CPU, no fd each for the target, all served when it appears" {
	needs_proc
	local n=500 t0 c0 t1 c1 fds
	relay_v -T 60s "unix:$T/in.sock" "unix:$T/b.sock"
	bg clients "$PEER" integrity -c "$n" -b 16K -t "$(t 90)" "unix:$T/in.sock"
	local clients=$BG_PID
	wait_for 600 log_has_n relay 'waiting up to' "$n" ||
	    fail "$(nlines relay 'waiting up to') of $n waiting" \
	    "$(tail -5 "$T/relay.err")"
	t0=$(now_ms) c0=$(cpu_ms "$RELAY_PID")
	fds=$(nfds "$RELAY_PID")
	backend backend --delay 2 "unix:$T/b.sock"
	wait_for 400 grep -q '^listening' "$T/backend.out" ||
	    fail "the backend did not start:" "$(cat "$T/backend.err")"
	t1=$(now_ms) c1=$(cpu_ms "$RELAY_PID")
	echo "# $n clients waiting: relay CPU $((c1 - c0)) ms in $((t1 - t0)) ms, $fds fds" >&3
	# One fd per client, none per waiting attempt: the relay's own few
	# (listener, loop, reserve, stdio) on top.
	[ "$fds" -le $((n + 16)) ] || fail "$fds fds for $n waiting clients"
	# Back-off: retrying every 20 ms would cost 500 x 50 connects a
	# second, a good share of a core; backing off costs a few percent.
	[ $((c1 - c0)) -le $(((t1 - t0) / 10)) ] ||
	    fail "relay used $((c1 - c0)) ms of CPU in $((t1 - t0)) ms"
	wait_gone "$clients" $((90 * 20)) || fail "clients still running"
	wait "$clients" || fail "clients failed:" "$(cat "$T/clients.err")"
	grep -q "^ok conns=$n bytes_each_way=$((n * 16384)) " "$T/clients.out" ||
	    fail "clients: $(cat "$T/clients.out")"
}

# --- --exit-idle-time ---------------------------------------------------------

# activate ARGS...: tests/tools/activate.py holding $T/act.sock and
# starting "sockbridge ARGS" on demand; waits until it listens.
activate() {
	bg act python3 "$ACTIVATE" --timeout "$(t 120)" "$T/act.sock" "$SB" "$@"
	ACT_PID=$BG_PID
	wait_for 200 grep -q '^listening' "$T/act.out" ||
	    fail "the activator did not start:" "$(cat "$T/act.err")"
}

# exits N: how many runs the activator has seen end.
exits() {
	grep -c '^exit ' "$T/act.out" || true
}

@test "exit-idle: a relay that owns its socket file exits 0 after the idle spell and removes the file" {
	start_echo echo "unix:$T/e.sock" >/dev/null
	relay_v --exit-idle-time 1s "unix:$T/in.sock" "unix:$T/e.sock"
	run timeout "$(t 10)" "$PEER" ping -t "$(t 5)" "unix:$T/in.sock" hello
	expect_status 0
	expect_output hello
	wait_gone "$RELAY_PID" $((10 * 20)) || fail "the relay did not exit"
	wait "$RELAY_PID" || fail "exit status $?:" "$(cat "$T/relay.err")"
	expect_log relay 'no connection for 1000 ms: exiting \(--exit-idle-time\)'
	[ ! -e "$T/in.sock" ] || fail "socket file left behind"
}

@test "exit-idle: an open connection keeps the relay, however long it is quiet" {
	start_echo echo "unix:$T/e.sock" >/dev/null
	relay_v -v --exit-idle-time 3s "unix:$T/in.sock" "unix:$T/e.sock"
	# One connection held open, quiet, for 7 s (more than two idle
	# spells), then used. The spell is 3 s so that a slow python start
	# on a loaded machine still connects within the first one.
	run timeout "$(t 20)" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
time.sleep(7)
s.sendall(b"still here")
s.shutdown(socket.SHUT_WR)
d = b""
while True:
    b = s.recv(100)
    if not b:
        break
    d += b
print(d.decode())' "$T/in.sock"
	expect_status 0
	expect_output "still here"
	expect_log relay 'conn 1: closed \(done\) after ([6-9]|[1-9][0-9])\.'
	# Once it closed, the spell runs out and the relay goes.
	wait_gone "$RELAY_PID" $((10 * 20)) || fail "the relay did not exit"
	wait "$RELAY_PID"
}

@test "exit-idle: under socket activation the relay exits 0 when idle and the next connection starts it again, 20 times; the socket stays" {
	start_echo echo "unix:$T/e.sock" >/dev/null
	activate relay -v --exit-idle-time 1s systemd "unix:$T/e.sock"
	for ((i = 1; i <= 20; i++)); do
		run timeout "$(t 10)" "$PEER" ping -t "$(t 5)" "unix:$T/act.sock" "round-$i"
		expect_status 0
		expect_output "round-$i"
		wait_for 200 grep -q "^exit $i " "$T/act.out" ||
		    fail "run $i did not exit:" "$(cat "$T/act.out")"
		grep -q "^exit $i status 0$" "$T/act.out" ||
		    fail "run $i:" "$(cat "$T/act.out")" "$(tail "$T/act.err")"
		# The socket is systemd's (here the activator's): not removed.
		[ -S "$T/act.sock" ] || fail "run $i removed the socket file"
	done
	[ "$(grep -c '^start ' "$T/act.out")" = 20 ]
	[ "$(nlines act 'exiting \(--exit-idle-time\)')" = 20 ]
}

@test "exit-idle: a client queued when the idle spell ends is served, not dropped" {
	needs_proc
	needs_tool ss
	start_echo echo "unix:$T/e.sock" >/dev/null
	relay_v --exit-idle-time 1s "unix:$T/in.sock" "unix:$T/e.sock"
	# Stop the relay, queue a client on its listener and let the spell
	# run out: when the relay runs again, its exit timer is due and a
	# client waits. It must serve the client, not exit under it.
	kill -STOP "$RELAY_PID"
	bg client timeout "$(t 20)" python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"queued")
s.shutdown(socket.SHUT_WR)
d = b""
while True:
    b = s.recv(100)
    if not b:
        break
    d += b
print(d.decode())' "$T/in.sock"
	local client=$BG_PID until
	until=$(( $(now_ms) + 1500 ))
	# The client waits in the listener's queue (ss: Recv-Q of a unix
	# listener counts pending connections) ...
	wait_for 200 queued "$T/in.sock" || fail "the client never queued"
	# ... and the spell ends while the relay is stopped: let the clock
	# pass it, with room to spare.
	while [ "$(now_ms)" -lt "$until" ]; do
		sleep 0.05
	done
	kill -CONT "$RELAY_PID"
	wait_gone "$client" $((20 * 20)) || fail "client still running"
	wait "$client" || fail "client failed:" "$(cat "$T/client.err")"
	[ "$(cat "$T/client.out")" = queued ] ||
	    fail "client got '$(cat "$T/client.out")', want 'queued'" "$(cat "$T/relay.err")"
	wait_gone "$RELAY_PID" $((10 * 20)) || fail "the relay did not exit"
	wait "$RELAY_PID" || fail "exit status $?"
}

@test "exit-idle: connections arriving as the relay exits are all served by the next one (none refused)" {
	start_echo echo "unix:$T/e.sock" >/dev/null
	activate relay --exit-idle-time 100ms systemd "unix:$T/e.sock"
	# 80 clients, each after a gap of 60-140 ms: many arrive right at
	# the end of an idle spell, while a relay is deciding to exit.
	run timeout "$(t 60)" python3 -c '
import random, socket, sys, time
bad = 0
for i in range(80):
    time.sleep(random.uniform(0.06, 0.14))
    msg = b"client-%d" % i
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(sys.argv[1])
        s.sendall(msg)
        s.shutdown(socket.SHUT_WR)
        d = b""
        while True:
            b = s.recv(100)
            if not b:
                break
            d += b
        s.close()
    except OSError as e:
        d = repr(e).encode()
    if d != msg:
        bad += 1
        print("client", i, "got", d, flush=True)
print("bad", bad)' "$T/act.sock"
	expect_status 0
	[ "${lines[-1]}" = "bad 0" ] || fail "$output"
	local n
	n=$(grep -c '^start ' "$T/act.out")
	echo "# 80 clients, $n relay starts" >&3
	# The handover was exercised, and every run that ended exited 0.
	[ "$n" -ge 5 ] || fail "only $n starts: the relay did not exit between clients"
	! grep '^exit ' "$T/act.out" | grep -v ' status 0$' ||
	    fail "a run failed:" "$(cat "$T/act.out")"
}

@test "exit-idle: usage errors" {
	run "$SB" relay --exit-idle-time 0 "unix:$T/in.sock" "unix:$T/e.sock"
	expect_status 2
	expect_output "sockbridge: --exit-idle-time 0: must be more than 0"
	run "$SB" relay --exit-idle-time soon "unix:$T/in.sock" "unix:$T/e.sock"
	expect_status 2
	expect_contains "--exit-idle-time soon: not a duration"
	run "$SB" relay --exit-idle-time 1s - "unix:$T/e.sock"
	expect_status 2
	expect_contains "--exit-idle-time does not apply to stdio"
	run "$SB" echo --no-wait-target "unix:$T/in.sock"
	expect_status 2
	expect_contains "--no-wait-target is a relay option"
}
