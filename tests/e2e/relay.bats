#!/usr/bin/env bats
# End-to-end tests of "sockbridge relay" against the real binary: every
# transport, stdio, exec targets, byte-exact integrity under load,
# half-close, the socat address forms, usage errors, -v logging, socket
# activation and signals. The far end is "sockbridge echo" (or a command),
# the near end is tests/tools/peer.c.
#
# Servers listen in a per-test temp dir or on port 0 and the address is read
# from their "listening on" line; events are awaited with bounded polling
# (wait_for), never fixed sleeps. Each test has a time limit
# (BATS_TEST_TIMEOUT) and client commands run under timeout(1) as well.
# Fixed budgets go through t (helpers.bash), which stretches them when
# SB_SLOW is set ("make memcheck": sockbridge under valgrind).

load helpers

: "${BATS_TEST_TIMEOUT:=60}"

setup() {
	common_setup
	STOPPED=()
}

teardown() {
	local p
	# A stopped process would sit on SIGTERM: let it run again first.
	for p in "${STOPPED[@]}"; do
		kill -CONT "$p" 2>/dev/null || true
	done
	# Descriptors some tests hold open (fifo writers, queued connects).
	exec 7>&- 8>&- 9>&-
	common_teardown
}

# --- helpers -----------------------------------------------------------------

# expect_match ERE: the last run's output matches ERE.
expect_match() {
	[[ "$output" =~ $1 ]] || fail "output: '$output'" "does not match: $1"
}

# wait_log NAME ERE: wait up to 5 s (times TSCALE) for that line.
wait_log() {
	wait_for 100 grep -Eq -- "$2" "$T/$1.err" ||
	    fail "no line matching /$2/ in $1's log after $(t 5) s:" \
	    "$(cat "$T/$1.err")"
}

# serve VAR NAME CMD...: start CMD in the background as NAME (start_bg) and
# set VAR to the first address it listens on.  Not a $(...) call, so the
# pid stays in BG_PIDS and teardown kills it.
serve() {
	local var=$1 name=$2 addr
	shift 2
	start_bg "$name" "$@"
	addr=$(listen_addr "$name") || return 1
	printf -v "$var" '%s' "$addr"
}

# echo_on VAR NAME ADDR: a "sockbridge echo -v" server.
echo_on() {
	serve "$1" "$2" "$SB" echo -v "$3"
}

# relay_on VAR NAME ARGS...: a "sockbridge relay -v ARGS" server.
relay_on() {
	local var=$1 name=$2
	shift 2
	serve "$var" "$name" "$SB" relay -v "$@"
}

# both_ways ADDR [ECHO]: one round trip (peer ping) and one request,
# half-close, complete reply (peer halfclose) through ADDR.  With ECHO (a
# server name), also check that the echo server behind served both, so a
# relay that answered by itself would not pass.
both_ways() {
	local addr=$1 echo=${2:-} msg="ping-$$-$RANDOM" req="request $RANDOM, then EOF"
	local before=0 after

	if [ -n "$echo" ]; then
		before=$(grep -c 'accepted' "$T/$echo.err" || true)
	fi
	run timeout "$(t 20)" "$PEER" ping -t "$(t 10)" "$addr" "$msg"
	expect_status 0
	expect_output "$msg"
	run timeout "$(t 20)" "$PEER" halfclose -t "$(t 10)" "$addr" "$req"
	expect_status 0
	expect_output "$req"
	if [ -n "$echo" ]; then
		after=$(grep -c 'accepted' "$T/$echo.err" || true)
		[ "$after" -eq $((before + 2)) ] ||
		    fail "echo server $echo accepted $((after - before)) " \
		    "connections, expected 2:" "$(cat "$T/$echo.err")"
	fi
}

# has_ipv6_loopback: ::1 is configured (off Linux, where there is no
# /proc/net/if_inet6: a socket can bind it).
has_ipv6_loopback() {
	if [ "$(uname -s)" != Linux ]; then
		python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' \
		    2>/dev/null
		return
	fi
	grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 \
	    2>/dev/null
}

# hold_conns NAME ADDR N: N connections to ADDR, each echoed once, kept
# open until fd 9 (a fifo into peer's stdin) is closed.
hold_conns() {
	mkfifo "$T/$1.in"
	start_bg "$1" sh -c 'exec "$0" hold -w -t "$4" -c "$1" "$2" <"$3"' \
	    "$PEER" "$3" "$2" "$T/$1.in" "$(t 50)"
	# Read-write: does not block on a fifo, and is the only writer, so
	# closing it gives peer EOF.
	HOLD_PID=$BG_PID
	exec 9<>"$T/$1.in"
	wait_for 200 grep -q "^held $3/$3\$" "$T/$1.out" ||
	    fail "hold: $(cat "$T/$1.out" "$T/$1.err")"
}

# reap PID: wait up to 5 s (times TSCALE) for background PID (a child of
# this shell, so not from a $(...) subshell) to end; its exit status goes
# to $REAPED.
reap() {
	REAPED=
	wait_gone "$1" 100 || fail "pid $1 still running after $(t 5) s"
	REAPED=0
	wait "$1" || REAPED=$?
}

# --- 1. transports -------------------------------------------------------------

@test "transport: unix listen -> tcp target" {
	echo_on E echo tcp:127.0.0.1:0
	relay_on R relay "unix:$T/r.sock" "$E"
	[ "$R" = "unix:$T/r.sock" ]
	both_ways "$R" echo
	expect_log relay "connected to $E"
}

@test "transport: tcp listen -> unix target" {
	echo_on E echo "unix:$T/echo.sock"
	relay_on R relay tcp:127.0.0.1:0 "$E"
	[[ "$R" =~ ^tcp:127\.0\.0\.1:[0-9]+$ ]]
	[ "${R##*:}" != 0 ]
	both_ways "$R" echo
	expect_log relay "accepted tcp:127\.0\.0\.1:[0-9]+ on $R"
}

@test "transport: unix listen -> unix target" {
	echo_on E echo "unix:$T/echo.sock"
	relay_on R relay "unix:$T/r.sock" "$E"
	both_ways "$R" echo
}

@test "transport: tcp listen -> tcp target" {
	echo_on E echo tcp:127.0.0.1:0
	relay_on R relay tcp:127.0.0.1:0 "$E"
	[ "$R" != "$E" ]
	both_ways "$R" echo
}

@test "transport: a bare tcp:PORT listens on 127.0.0.1 only, never on every interface" {
	needs_tool ss
	local port
	port=$(free_port)
	echo_on E echo "unix:$T/echo.sock"
	relay_on R relay "tcp:$port" "$E"
	[ "$R" = "tcp:127.0.0.1:$port" ] || fail "listening on $R"
	# What the kernel has bound: one socket, on the loopback address.
	run ss -ltnH "( sport = :$port )"
	expect_status 0
	[ "$(awk '{ print $4 }' <<<"$output")" = "127.0.0.1:$port" ] ||
	    fail "ss -ltn for port $port:" "$output"
	both_ways "$R" echo
	# Seen from outside: in a network namespace of its own, where this
	# host has a second address, the bare port is not served there while
	# a tcp:0.0.0.0 relay is.
	if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
		run timeout "$(t 30)" unshare -n "$TOOLS/bind-scope.sh" "$SB" \
		    "$PEER" "$T" "$port"
		expect_status 0
		[ "$output" = "bare 127.0.0.1: served
bare 192.0.2.99: not served
any 192.0.2.99: served" ] || fail "probes in a network namespace:" "$output"
	fi
}

@test "transport: abstract unix socket as listen and as target" {
	needs_linux "abstract unix sockets"
	local name="sb-e2e-$$-$RANDOM"
	echo_on E echo "unix:@$name-echo"
	[ "$E" = "unix:@$name-echo" ]
	relay_on R relay "unix:@$name-relay" "$E"
	[ "$R" = "unix:@$name-relay" ]
	both_ways "$R" echo
	# Abstract names leave nothing in the file system.
	local extra
	extra=$(find "$T" -mindepth 1 ! -name '*.err' ! -name '*.out')
	[ -z "$extra" ] || fail "files appeared: $extra"
}

@test "transport: IPv6 tcp:[::1]:0 as listen and as target" {
	has_ipv6_loopback || skip "no IPv6 loopback address (::1) configured"
	echo_on E echo 'tcp:[::1]:0'
	[[ "$E" =~ ^tcp:\[::1\]:[0-9]+$ ]]
	relay_on R relay 'tcp:[::1]:0' "$E"
	[[ "$R" =~ ^tcp:\[::1\]:[0-9]+$ ]]
	both_ways "$R" echo
	expect_log relay "accepted tcp:\[::1\]:[0-9]+ on "
}

# --- 2. stdio --------------------------------------------------------------------

@test "stdio: '-' listen carries a line to the target and back, exit 0" {
	echo_on E echo "unix:$T/echo.sock"
	run bash -c 'printf "hello\n" | timeout "$4" "$1" relay - "$2" 2>"$3"' \
	    _ "$SB" "$E" "$T/stdio.err" "$(t 10)"
	expect_status 0
	expect_output hello
}

@test "stdio: 5 MB through a pipe comes back whole (stdin EOF is passed on as half-close)" {
	echo_on E echo "unix:$T/echo.sock"
	head -c 5000000 /dev/urandom >"$T/in.bin"
	run bash -c 'set -o pipefail
	    cat "$2" | timeout "$6" "$1" relay - "$3" 2>"$4" | cat >"$5"' \
	    _ "$SB" "$T/in.bin" "$E" "$T/stdio.err" "$T/out.bin" "$(t 30)"
	expect_status 0
	cmp "$T/in.bin" "$T/out.bin"
}

@test "stdio: regular files as stdin and stdout (not pollable) work too" {
	echo_on E echo "unix:$T/echo.sock"
	head -c 3000000 /dev/urandom >"$T/in.bin"
	run bash -c 'timeout "$6" "$1" relay - "$2" <"$3" >"$4" 2>"$5"' \
	    _ "$SB" "$E" "$T/in.bin" "$T/out.bin" "$T/stdio.err" "$(t 30)"
	expect_status 0
	cmp "$T/in.bin" "$T/out.bin"
}

@test "stdio: '-' as target serves exactly one client, then exits 0" {
	printf 'from stdin\n' >"$T/stdin.txt"
	start_bg stdio sh -c 'exec "$0" relay "$1" - <"$2"' \
	    "$SB" "unix:$T/in.sock" "$T/stdin.txt"
	local pid=$BG_PID
	[ "$(listen_addr stdio)" = "unix:$T/in.sock" ]
	# stdin goes to the client; what the client sends goes to stdout.
	run timeout "$(t 20)" "$PEER" halfclose -t "$(t 10)" "unix:$T/in.sock" "to stdout"
	expect_status 0
	expect_output "from stdin"
	reap "$pid"
	[ "$REAPED" = 0 ]
	[ "$(cat "$T/stdio.out")" = "to stdout" ]
	# One connection only: the socket file is gone with the relay.
	[ ! -e "$T/in.sock" ]
}

# --- 3. exec targets ----------------------------------------------------------------

@test "exec: 'exec:cat' target carries data both ways" {
	relay_on R relay "unix:$T/x.sock" 'exec:cat'
	both_ways "$R"
	expect_log relay 'started pid [0-9]+ for exec:cat'
}

@test "exec: 'exec:tr a-z A-Z' really runs the command" {
	relay_on R relay "unix:$T/x.sock" 'exec:tr a-z A-Z'
	run timeout "$(t 20)" "$PEER" halfclose -t "$(t 10)" "$R" "hello, world 42"
	expect_status 0
	expect_output "HELLO, WORLD 42"
}

@test "exec: nested relay over stdio, exec:'sockbridge relay - TARGET'" {
	echo_on E echo "unix:$T/echo.sock"
	relay_on R relay "unix:$T/a.sock" "exec:$SB relay - unix:$T/echo.sock"
	both_ways "$R" echo
	run timeout "$(t 60)" "$PEER" integrity -t "$(t 50)" -c 4 -b 1M "$R"
	expect_status 0
	expect_match '^ok conns=4 bytes_each_way=4194304 '
}

# --- 4. integrity --------------------------------------------------------------------

@test "integrity: unix -> relay -> tcp echo, 64 conns, 256 MiB each way" {
	echo_on E echo tcp:127.0.0.1:0
	serve R relay "$SB" relay "unix:$T/r.sock" "$E"
	run timeout "$(t 60)" "$PEER" integrity -t "$(t 50)" -c 64 -b 4M -m 1M "$R"
	expect_status 0
	expect_match '^ok conns=64 bytes_each_way=268435456 checksum=[0-9a-f]{16} '
}

# proc_field PID NAME: a "NAME:" line's value from /proc/PID/status.
proc_field() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

# proc_state PID: the one-letter state in /proc/PID/stat (S: asleep).
proc_state() {
	sed 's/^.*) //' "/proc/$1/stat" | cut -c1
}

@test "busy-poll: --busy-poll 1000 (--pipe-size 256K) relays intact, sleeps far less per round trip" {
	needs_proc
	local n=2000 quiet busy q0 q1 b0 b1
	echo_on E echo tcp:127.0.0.1:0
	serve Q quiet "$SB" relay "unix:$T/q.sock" "$E"
	quiet=$BG_PID
	serve B busy "$SB" relay --busy-poll 1000 --pipe-size 256K \
	    "unix:$T/b.sock" "$E"
	busy=$BG_PID
	run timeout "$(t 60)" "$PEER" integrity -t "$(t 50)" -c 8 -b 1M "$B"
	expect_status 0
	expect_match '^ok conns=8 '
	# Under valgrind a round trip outlasts any spell: only integrity.
	[ "$TSCALE" = 1 ] || return 0
	q0=$(proc_field "$quiet" voluntary_ctxt_switches)
	run timeout 60 "$SB" bench pingpong --address "$Q" --users 1 \
	    --count "$n" --json
	expect_status 0
	q1=$(proc_field "$quiet" voluntary_ctxt_switches)
	b0=$(proc_field "$busy" voluntary_ctxt_switches)
	run timeout 60 "$SB" bench pingpong --address "$B" --users 1 \
	    --count "$n" --json
	expect_status 0
	b1=$(proc_field "$busy" voluntary_ctxt_switches)
	# Without it the relay sleeps once or twice per round trip.
	[ $((q1 - q0)) -ge "$n" ] ||
	    fail "plain relay slept $((q1 - q0)) times in $n round trips"
	[ $(((b1 - b0) * 4)) -le $((q1 - q0)) ] ||
	    fail "busy relay slept $((b1 - b0)) times, plain $((q1 - q0))"
	# Idle again, it goes back to sleep.
	wait_for 100 test "$(proc_state "$busy")" = S ||
	    fail "busy relay still $(proc_state "$busy") after the run"
}

@test "integrity: --no-splice copy path, unix -> relay -> tcp echo, 16 conns" {
	echo_on E echo tcp:127.0.0.1:0
	serve R relay "$SB" relay --no-splice "unix:$T/r.sock" "$E"
	run timeout "$(t 60)" "$PEER" integrity -t "$(t 50)" -c 16 -b 2M -m 1M "$R"
	expect_status 0
	expect_match '^ok conns=16 bytes_each_way=33554432 checksum=[0-9a-f]{16} '
}

@test "integrity: tcp -> relay -> unix echo, 64 conns, 256 MiB each way" {
	echo_on E echo "unix:$T/echo.sock"
	serve R relay "$SB" relay tcp:127.0.0.1:0 "$E"
	run timeout "$(t 60)" "$PEER" integrity -t "$(t 50)" -c 64 -b 4M -m 1M "$R"
	expect_status 0
	expect_match '^ok conns=64 bytes_each_way=268435456 checksum=[0-9a-f]{16} '
}

# --- 5. half-close -------------------------------------------------------------------

@test "half-close: a 100 KB request then EOF gets its complete reply" {
	echo_on E echo "unix:$T/echo.sock"
	relay_on R relay tcp:127.0.0.1:0 "$E"
	local req
	req=$(head -c 100000 /dev/zero | tr '\0' 'q')
	run timeout "$(t 20)" "$PEER" halfclose -t "$(t 10)" "$R" "$req"
	expect_status 0
	[ "${#output}" -eq 100000 ]
	[ "$output" = "$req" ]
}

@test "half-close: reply that only comes after EOF crosses two relays" {
	# client -> relay1 (unix -> tcp) -> relay2 (tcp -> wc -c): wc answers
	# only once it sees EOF, so the half-close must pass both relays and
	# the reply must come back on the still-open other direction.
	relay_on R2 relay2 tcp:127.0.0.1:0 'exec:wc -c'
	relay_on R1 relay1 "unix:$T/r1.sock" "$R2"
	run timeout "$(t 20)" "$PEER" halfclose -t "$(t 10)" "$R1" "0123456789abc"
	expect_status 0
	[ "$(echo "$output" | tr -d ' ')" = 13 ]
	wait_log relay1 'closed \(done\).* 13 bytes up, [0-9]+ bytes down'
}

@test "half-close: 8 MiB upload then EOF, the echo's 8 MiB come back byte for byte, then EOF" {
	echo_on E echo "unix:$T/echo.sock"
	relay_on R relay "unix:$T/r.sock" "$E"
	# peer integrity writes up to 4 MiB ahead of the echo, half-closes
	# after the last byte, checks every byte that comes back and then
	# wants EOF: a relay that lost, reordered or cut short the reply fails.
	run timeout "$(t 60)" "$PEER" integrity -t "$(t 50)" -c 1 -b 8M "$R"
	expect_status 0
	expect_match '^ok conns=1 bytes_each_way=8388608 checksum=[0-9a-f]{16} '
	# The same checksum as the upload of "peer send": the echo is the
	# stream that went up.
	local up=${output#*checksum=}
	up=${up%% *}
	run timeout "$(t 60)" "$PEER" send -t "$(t 50)" -b 8M "$R"
	expect_status 0
	expect_output "sent 8388608 checksum=$up"
	# The relay moved all 8 MiB each way and closed cleanly, twice.
	wait_for 100 log_has_n relay 'closed \(done\) .* 8388608 bytes up, 8388608 bytes down' 2 ||
	    fail "byte counts:" "$(grep closed "$T/relay.err")"
}

# --- 6. socat compatibility ----------------------------------------------------------

@test "socat: UNIX-LISTEN:...,unlink-early,fork TCP:localhost:PORT replaces a stale file and relays" {
	echo_on E echo tcp:127.0.0.1:0
	local port=${E##*:}
	# A stale socket file left by a killed server, as after a crash.
	start_bg stale "$SB" echo "unix:$T/.s.PGSQL.5432"
	local stale=$BG_PID
	listen_addr stale >/dev/null
	kill -9 "$stale"
	wait_gone "$stale"
	[ -S "$T/.s.PGSQL.5432" ]

	serve R relay "$SB" "UNIX-LISTEN:$T/.s.PGSQL.5432,unlink-early,fork" \
	    "TCP:localhost:$port"
	[ "$R" = "unix:$T/.s.PGSQL.5432" ]
	both_ways "$R" echo
}

@test "socat: unlink-early never removes a live server's socket" {
	echo_on E echo "unix:$T/live.sock"
	run timeout "$(t 5)" "$SB" "UNIX-LISTEN:$T/live.sock,unlink-early,fork" \
	    "UNIX-CONNECT:$T/elsewhere.sock"
	expect_status 1
	expect_match "^sockbridge: unix:$T/live\.sock: a server .*is listening on it"
	# The live server still owns its socket and still answers.
	both_ways "$E" echo
}

@test "socat: TCP-LISTEN:0,reuseaddr,fork UNIX-CONNECT:path binds 0.0.0.0, as socat does" {
	echo_on E echo "unix:$T/echo.sock"
	serve R relay "$SB" TCP-LISTEN:0,reuseaddr,fork "UNIX-CONNECT:$T/echo.sock"
	# socat's TCP-LISTEN listens on every interface.
	[[ "$R" =~ ^tcp:0\.0\.0\.0:[0-9]+$ ]]
	both_ways "tcp:127.0.0.1:${R##*:}" echo
}

@test "socat: keywords and options are case-insensitive" {
	echo_on E echo "unix:$T/echo.sock"
	serve R relay "$SB" relay "unix-listen:$T/ci.sock,FORK,Unlink-Early" \
	    "unix-connect:$T/echo.sock"
	[ "$R" = "unix:$T/ci.sock" ]
	both_ways "$R" echo
}

@test "socat: mode= and perm= set the socket file's mode" {
	echo_on E echo "unix:$T/echo.sock"
	serve R1 r1 "$SB" relay "UNIX-LISTEN:$T/m.sock,mode=0600" "$E"
	serve R2 r2 "$SB" relay "UNIX-LISTEN:$T/p.sock,perm=0640" "$E"
	serve R3 r3 "$SB" relay "UNIX-LISTEN:$T/q.sock,MODE=0666" "$E"
	[ "$(stat -c %a "$T/m.sock")" = 600 ]
	[ "$(stat -c %a "$T/p.sock")" = 640 ]
	[ "$(stat -c %a "$T/q.sock")" = 666 ]
	both_ways "$R2" echo
}

@test "socat: max-children=2 serves two connections at once, the third waits" {
	echo_on E echo "unix:$T/echo.sock"
	relay_on R relay "UNIX-LISTEN:$T/mc.sock,fork,max-children=2" "$E"
	hold_conns hold "$R" 2
	# The third is queued by the kernel, not served: no echo in 0.5 s
	# (times TSCALE).
	run timeout "$(t 10)" "$PEER" ping -t "$(t 0.5)" "$R" third
	expect_status 1
	expect_match 'timed out'
	[ "$(grep -c 'accepted' "$T/relay.err")" -eq 2 ]
	# Freeing the two slots lets new connections through.
	exec 9>&-
	wait_gone "$HOLD_PID" 100
	wait_log relay 'conn 2: closed'
	run timeout "$(t 20)" "$PEER" ping -t "$(t 10)" "$R" fourth
	expect_status 0
	expect_output fourth
}

@test "socat: connect-timeout= on the target gives up on a target that does not answer" {
	# A tcp listener that stopped accepting, its queue (backlog 1: two
	# connections) filled: the next SYN goes unanswered.
	serve S stuck "$SB" echo tcp:127.0.0.1:0,backlog=1
	kill -STOP "$BG_PID"
	STOPPED+=("$BG_PID")
	local port=${S##*:}
	relay_on R relay "UNIX-LISTEN:$T/r.sock,fork" \
	    "TCP:127.0.0.1:$port,connect-timeout=300ms"
	# After the relay starts, so that it does not inherit them.
	exec 7<>"/dev/tcp/127.0.0.1/$port" 8<>"/dev/tcp/127.0.0.1/$port"

	run timeout "$(t 20)" "$PEER" ping -t "$(t 10)" "$R" hello
	expect_status 1
	expect_log relay "connect tcp:127\.0\.0\.1:$port: timed out after 300 ms"
	expect_log relay 'conn 1: closed \([^)]*\) after 0\.[0-9]+ s, 0 bytes up'
}

@test "socat: unsupported option ',pty' is rejected, exit 2, nothing created" {
	echo_on E echo "unix:$T/echo.sock"
	run timeout "$(t 10)" "$SB" "UNIX-LISTEN:$T/pty.sock,pty" "$E"
	expect_status 2
	expect_match "^sockbridge: .*'pty'.*not supported"
	[ ! -e "$T/pty.sock" ]
	# On the target side too.
	run timeout "$(t 10)" "$SB" "UNIX-LISTEN:$T/pty2.sock" "EXEC:cat,pty"
	expect_status 2
	expect_match "^sockbridge: .*'pty'.*not supported"
	[ ! -e "$T/pty2.sock" ]
}

@test "socat: unknown option ',bogus' is rejected, exit 2, nothing created" {
	echo_on E echo "unix:$T/echo.sock"
	run timeout "$(t 10)" "$SB" "UNIX-LISTEN:$T/bogus.sock,bogus" "$E"
	expect_status 2
	expect_match "^sockbridge: .*unknown option 'bogus'"
	[ ! -e "$T/bogus.sock" ]
}

# --- 7. usage errors ----------------------------------------------------------------

# usage_error EXPECTED-ERE ARGS...: sockbridge ARGS exits 2 with one
# "sockbridge: " message matching EXPECTED-ERE and creates nothing in $T.
usage_error() {
	local want=$1
	shift
	# A usage error is immediate; a relay that started anyway is cut
	# short (status 124).
	run timeout "$(t 5)" "$SB" "$@"
	expect_status 2
	[[ "$output" =~ ^sockbridge:\  ]] ||
	    fail "message does not start with 'sockbridge: ': $output"
	expect_match "$want"
	[ ! -e "$T/a.sock" ] || fail "$T/a.sock was created"
}

@test "usage: no arguments, or one address, exit 2" {
	run timeout "$(t 10)" "$SB"
	expect_status 2
	expect_match 'usage:'
	usage_error 'LISTEN.*TARGET.*got 0' relay
	usage_error 'LISTEN.*TARGET.*got 1' relay "unix:$T/a.sock"
	usage_error 'LISTEN.*TARGET.*got 1' "unix:$T/a.sock"
}

@test "usage: a typo'd long flag '--max-conn 5' is an error naming it" {
	usage_error "'--max-conn'" relay --max-conn 5 "unix:$T/a.sock" "unix:$T/b.sock"
}

@test "usage: unknown flags are errors naming them" {
	usage_error "unknown option '--max-connections'" \
	    relay --max-connections 5 "unix:$T/a.sock" "unix:$T/b.sock"
	usage_error "unknown option '--bogus'" \
	    relay --bogus "unix:$T/a.sock" "unix:$T/b.sock"
}

@test "usage: bad flag values are range-checked" {
	usage_error '--max-conns 0' relay -c 0 "unix:$T/a.sock" "unix:$T/b.sock"
	usage_error '--mode 999' relay --mode 999 "unix:$T/a.sock" "unix:$T/b.sock"
	usage_error '--connect-timeout abc' \
	    relay -T abc "unix:$T/a.sock" "unix:$T/b.sock"
	usage_error 'connect-timeout=abc' \
	    relay "unix:$T/a.sock" "unix:$T/b.sock,connect-timeout=abc"
	usage_error 'max-children=0' \
	    relay "unix:$T/a.sock" "unix:$T/b.sock,max-children=0"
	usage_error '--busy-poll 0: not a number of microseconds from 1 to 1000' \
	    relay --busy-poll 0 "unix:$T/a.sock" "unix:$T/b.sock"
	usage_error '--busy-poll 1001' \
	    relay --busy-poll 1001 "unix:$T/a.sock" "unix:$T/b.sock"
	usage_error '--pipe-size 3K: not a size from 4K to 16M' \
	    relay --pipe-size 3K "unix:$T/a.sock" "unix:$T/b.sock"
	usage_error '--pipe-size 1G' \
	    relay --pipe-size 1G "unix:$T/a.sock" "unix:$T/b.sock"
}

@test "usage: bad addresses and conflicting options" {
	usage_error "unknown address type 'foo'" relay foo:bar "unix:$T/b.sock"
	usage_error "unknown address type 'foo'" relay "unix:$T/a.sock" foo:bar
	usage_error 'exec:cat: cannot be used as the listen address' \
	    relay exec:cat "unix:$T/a.sock"
	usage_error '-q and -v' relay -q -v "unix:$T/a.sock" "unix:$T/b.sock"
	usage_error 'stdio cannot be both' relay - -
}

@test "usage: relay --help exits 0 and prints usage on stdout" {
	run timeout "$(t 10)" "$SB" relay --help
	expect_status 0
	expect_match '^usage: sockbridge relay'
	# On stdout, not stderr.
	run bash -c '"$1" relay --help 2>/dev/null' _ "$SB"
	expect_status 0
	expect_match '^usage: sockbridge relay'
	run timeout "$(t 10)" "$SB" echo --help
	expect_status 0
	expect_match '^usage: sockbridge echo'
}

# --- 8. verbose logging ------------------------------------------------------------

@test "verbose: -v logs accepted (unix peer credentials), connected, closed with byte counts" {
	echo_on E echo "unix:$T/echo.sock"
	relay_on R relay "unix:$T/r.sock" "$E"
	run timeout "$(t 20)" "$PEER" halfclose -t "$(t 10)" "$R" "0123456789abcdef"
	expect_status 0
	expect_output 0123456789abcdef
	wait_log relay 'conn 1: closed'
	expect_log relay "^sockbridge: conn 1: accepted unix peer pid [0-9]+ uid $(id -u) gid $(id -g) on unix:$T/r\.sock$"
	expect_log relay "^sockbridge: conn 1: connected to unix:$T/echo\.sock$"
	expect_log relay '^sockbridge: conn 1: closed \(done\) after [0-9]+\.[0-9]{3} s, 16 bytes up, 16 bytes down$'
}

@test "verbose: byte counts keep their direction (7 bytes up, 3 down)" {
	relay_on R relay tcp:127.0.0.1:0 'exec:cat >/dev/null; printf xyz'
	run timeout "$(t 20)" "$PEER" halfclose -t "$(t 10)" "$R" "abcdefg"
	expect_status 0
	expect_output xyz
	wait_log relay 'conn 1: closed'
	expect_log relay '^sockbridge: conn 1: accepted tcp:127\.0\.0\.1:[0-9]+ on tcp:127\.0\.0\.1:[0-9]+$'
	expect_log relay '^sockbridge: conn 1: connected to exec:'
	expect_log relay '^sockbridge: conn 1: closed \(done\) .*, 7 bytes up, 3 bytes down$'
}

@test "verbose: without -v a connection logs nothing" {
	echo_on E echo "unix:$T/echo.sock"
	serve R relay "$SB" relay "unix:$T/r.sock" "$E"
	both_ways "$R" echo
	run grep -E 'accepted|connected|closed' "$T/relay.err"
	expect_status 1
}

# --- 9. socket activation -----------------------------------------------------------

@test "systemd: LISTEN_FDS from systemd-socket-activate, 'systemd' listen address" {
	needs_tool systemd-socket-activate
	echo_on E echo "unix:$T/echo.sock"
	start_bg act systemd-socket-activate -l "$T/act.sock" \
	    "$SB" relay -v systemd "$E"
	wait_for 100 test -S "$T/act.sock"
	# The relay starts at the first connection and keeps serving.
	both_ways "unix:$T/act.sock" echo
	expect_log act "^sockbridge: listening on unix:$T/act\.sock$"
	[ "$(grep -c 'closed (done)' "$T/act.err")" -eq 2 ]
	# The socket file is systemd's: the relay leaves it when it exits.
	kill -TERM "$BG_PID"
	reap "$BG_PID"
	[ "$REAPED" = 0 ]
	[ -S "$T/act.sock" ]
}

@test "systemd: an inherited listening socket as 'fd:3'" {
	needs_tool systemd-socket-activate
	echo_on E echo "unix:$T/echo.sock"
	start_bg act systemd-socket-activate -l "$T/fd.sock" \
	    "$SB" relay -v fd:3 "$E"
	wait_for 100 test -S "$T/fd.sock"
	both_ways "unix:$T/fd.sock" echo
	expect_log act "^sockbridge: listening on unix:$T/fd\.sock$"
}

@test "systemd: 'systemd' without LISTEN_FDS and fd:N that is no socket fail clearly" {
	run env -u LISTEN_FDS -u LISTEN_PID timeout "$(t 10)" "$SB" relay systemd "unix:$T/b.sock"
	[ "$status" -ne 0 ]
	expect_match '^sockbridge: systemd: LISTEN_FDS is not set'
	: >"$T/file"
	run timeout "$(t 10)" "$SB" relay fd:5 "unix:$T/b.sock" 5<"$T/file"
	[ "$status" -ne 0 ]
	expect_match '^sockbridge: fd:5: not a socket'
}

# --- 10. signals ----------------------------------------------------------------------

@test "signals: SIGTERM ends the relay with status 0 and removes its socket" {
	echo_on E echo "unix:$T/echo.sock"
	serve R relay "$SB" relay "unix:$T/r.sock" "$E"
	local pid=$BG_PID
	both_ways "$R" echo
	[ -S "$T/r.sock" ]
	kill -TERM "$pid"
	reap "$pid"
	[ "$REAPED" = 0 ]
	[ ! -e "$T/r.sock" ]
}

@test "signals: SIGINT ends the relay with status 0 and removes its socket" {
	echo_on E echo "unix:$T/echo.sock"
	serve R relay "$SB" relay "unix:$T/r.sock" "$E"
	local pid=$BG_PID
	both_ways "$R" echo
	kill -INT "$pid"
	reap "$pid"
	[ "$REAPED" = 0 ]
	[ ! -e "$T/r.sock" ]
}

@test "signals: SIGTERM with a connection open removes the socket at once, exits 0 when it ends" {
	echo_on E echo "unix:$T/echo.sock"
	relay_on R relay "unix:$T/r.sock" "$E"
	local pid=$BG_PID
	hold_conns hold "$R" 1
	kill -TERM "$pid"
	wait_for 100 test ! -e "$T/r.sock"
	wait_log relay 'draining 1 connections'
	kill -0 "$pid"
	run timeout "$(t 10)" "$PEER" ping -t "$(t 5)" "$R" late
	expect_status 1
	# The held connection ends: the relay follows, status 0.
	exec 9>&-
	reap "$pid"
	[ "$REAPED" = 0 ]
	expect_log relay 'conn 1: closed \(done\)'
}
