#!/usr/bin/env bats
# socat's command line as people type it: socat's global options before
# the two addresses, with or without the word "relay". Each mapped option
# is checked by what the other side sees (-u: the way back carries
# nothing; -T: an idle connection is closed; -b: the relay moves at most
# that much at a time; -4/-6: the family a name resolves in; -lf: the
# log is in the file); each refused one exits 2, creates nothing, and
# names what to use instead.

load helpers

bats_require_minimum_version 1.5.0

: "${BATS_TEST_TIMEOUT:=30}"

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# capture NAME: capture-server.py on $T/NAME.sock; it records what
# each connection sent ($T/NAME.d/conn-K.bin, K from 1) and answers
# "got N\n".
capture() {
	mkdir -p "$T/$1.d"
	bg "$1" python3 "$TOOLS/capture-server.py" "unix:$T/$1.sock" "$T/$1.d"
	wait_for 100 grep -q listening "$T/$1.out" || fail "capture $1 did not start"
}

# echo_on NAME ADDR: "sockbridge echo ADDR" in this shell (so that
# teardown stops it); its bound address is in $E.
echo_on() {
	bg "$1" "$SB" echo "$2"
	E=$(listen_addr "$1")
}

# client ADDR STEPS...: sock-client.py; $output has reply= and end=.
client() {
	run timeout "$(t 25)" python3 "$TOOLS/sock-client.py" "$@"
	expect_status 0
}

# value KEY: KEY=... from the last client run.
value() {
	sed -n "s/^$1=//p" <<<"$output"
}

# refused WANT ARGS...: "sockbridge ARGS" exits 2, stderr is exactly
# WANT, and nothing new appears in $T.
refused() {
	local want=$1 before
	shift
	before=$(ls -A "$T")
	run --separate-stderr timeout "$(t 5)" "$SB" "$@"
	[ "$status" -eq 2 ] || fail "status $status for: $*" "$stderr"
	[ "$stderr" = "$want" ] || fail "for: $*" "got:  $stderr" "want: $want"
	[ "$(ls -A "$T")" = "$before" ] || fail "left behind: $(ls -A "$T")"
}

# sock_up PATH: wait for a socket file.
sock_up() {
	wait_for 100 test -S "$1" || fail "no socket at $1"
}

@test "socat: the write-ups' line works as typed" {
	echo_on echo tcp:127.0.0.1:0
	# sockbridge -d -d UNIX-LISTEN:/tmp/.s.PGSQL.5432,unlink-early,fork TCP:localhost:5433
	bg relay "$SB" -d -d "UNIX-LISTEN:$T/.s.PGSQL.5432,unlink-early,fork" \
	    "TCP:localhost:$(port_of "$E")"
	sock_up "$T/.s.PGSQL.5432"
	run timeout "$(t 20)" "$PEER" ping -t "$(t 10)" "unix:$T/.s.PGSQL.5432" "SSLRequest?"
	expect_status 0
	# -d -d is socat's notice level: the bound address is logged
	expect_log relay "^sockbridge: listening on unix:$T/.s.PGSQL.5432\$"
	# and with the word relay, the same
	bg relay2 "$SB" relay -d -d "UNIX-LISTEN:$T/b.sock,unlink-early,fork" \
	    "TCP:localhost:$(port_of "$E")"
	sock_up "$T/b.sock"
	run timeout "$(t 20)" "$PEER" ping -t "$(t 10)" "unix:$T/b.sock" "again"
	expect_status 0
}

@test "socat: -d counts levels: none is errors only, -ddd adds connections" {
	echo_on echo "unix:$T/e.sock"
	bg quiet "$SB" -u "UNIX-LISTEN:$T/q.sock,fork" "UNIX-CONNECT:$T/e.sock"
	sock_up "$T/q.sock"
	bg loud "$SB" -ddd "UNIX-LISTEN:$T/l.sock,fork" "UNIX-CONNECT:$T/e.sock"
	sock_up "$T/l.sock"
	client "unix:$T/l.sock" "b'hi'" shut
	[ "$(value reply)" = "hi" ] || fail "$output"
	wait_for 100 grep -q "conn 1: accepted" "$T/loud.err" || fail "$(cat "$T/loud.err")"
	client "unix:$T/q.sock" "b'hi'" shut
	[ ! -s "$T/quiet.err" ] || fail "without -d, stderr: $(cat "$T/quiet.err")"
	# -d with relay's own -v is a contradiction
	refused "sockbridge: -d (socat's) cannot be combined with -q or -v" \
	    -d "unix:$T/x.sock" "unix:$T/e2.sock" -v
}

@test "socat: -u relays the first address to the second only" {
	capture cap
	bg relay "$SB" -u "UNIX-LISTEN:$T/in.sock,fork" "UNIX-CONNECT:$T/cap.sock"
	sock_up "$T/in.sock"
	client "unix:$T/in.sock" "b'one way'" shut
	# the target got the bytes and answered; the answer was not relayed
	wait_for 100 test -f "$T/cap.d/conn-1.bin" || fail "capture saw nothing"
	[ "$(cat "$T/cap.d/conn-1.bin")" = "one way" ] || fail "target got: $(cat "$T/cap.d/conn-1.bin")"
	[ "$(value reply)" = "" ] || fail "the way back carried: $(value reply)"
	[ "$(value end)" = eof ] || fail "$output"
}

@test "socat: -U relays the second address to the first only" {
	capture cap
	bg relay "$SB" -U "UNIX-LISTEN:$T/in.sock,fork" "UNIX-CONNECT:$T/cap.sock"
	sock_up "$T/in.sock"
	client "unix:$T/in.sock" "b'never sent'" "@0.3" shut
	# the client's bytes never reach the target; its answer comes back
	[ "$(value reply)" = 'got 0\n' ] || fail "$output"
	wait_for 100 test -f "$T/cap.d/conn-1.bin" || fail "capture saw nothing"
	[ ! -s "$T/cap.d/conn-1.bin" ] || fail "target got: $(cat "$T/cap.d/conn-1.bin")"
	# with the word relay, too
	bg relay2 "$SB" relay -U "UNIX-LISTEN:$T/in2.sock,fork" "UNIX-CONNECT:$T/cap.sock"
	sock_up "$T/in2.sock"
	client "unix:$T/in2.sock" "b'never'" "@0.3" shut
	[ "$(value reply)" = 'got 0\n' ] || fail "$output"
}

@test "socat: -T closes a connection idle that long" {
	echo_on echo "unix:$T/e.sock"
	bg relay "$SB" -T 0.5 "UNIX-LISTEN:$T/in.sock,fork" "UNIX-CONNECT:$T/e.sock"
	sock_up "$T/in.sock"
	# echoed, then nothing for 0.5 s: closed, long before the 20 s
	client "unix:$T/in.sock" "b'ping'" "@8"
	[ "$(value reply)" = ping ] || fail "$output"
	[ "$(value end)" = eof ] || fail "$output"
	awk -v e="$(value elapsed)" 'BEGIN { exit !(e >= 0.4 && e < 5) }' ||
	    fail "closed after $(value elapsed) s, -T 0.5"
	# relay's -T stays relay's --connect-timeout after the word relay
	bg relay2 "$SB" relay -T 5 "unix:$T/in2.sock" "unix:$T/e.sock"
	sock_up "$T/in2.sock"
	client "unix:$T/in2.sock" "b'x'" "@1.2" shut
	[ "$(value reply)" = x ] || fail "relay -T 5 closed an idle connection: $output"
}

@test "socat: -b bounds what the relay moves at a time" {
	command -v strace >/dev/null || fail "strace is not installed"
	echo_on echo "unix:$T/e.sock"
	bg relay strace -f -qq -e trace=splice,read -o "$T/trace" \
	    "$SB" -b 16K --pidfile "$T/relay.pid" "UNIX-LISTEN:$T/in.sock,fork" \
	    "UNIX-CONNECT:$T/e.sock"
	sock_up "$T/in.sock"
	BG_PIDS+=("$(cat "$T/relay.pid")")	# killing strace leaves it running
	run timeout "$(t 20)" "$PEER" integrity -t "$(t 10)" -c 1 -b 1M "unix:$T/in.sock"
	expect_status 0
	# every splice or read of the relay asks for 16K at most
	run awk -F', ' '/^[0-9]+ +(splice|read)\(/ { n++; if ($0 ~ /splice/) len = $5; else len = $3; sub(/\).*/, "", len); if (len + 0 > 16384) bad = $0 } END { if (n < 8 || bad != "") { print n, bad; exit 1 } }' "$T/trace"
	[ "$status" -eq 0 ] || fail "over 16K or too few calls: $output"
}

@test "socat: -b out of range is refused" {
	refused "sockbridge: -b 1000: not a size from 4K to 16M (sockbridge's --pipe-size: the most bytes one direction holds and moves at a time)" \
	    -b 1000 "UNIX-LISTEN:$T/in.sock" "UNIX-CONNECT:$T/e.sock"
}

@test "socat: -4 and -6 pick the family a name resolves in" {
	echo_on echo tcp:127.0.0.1:0
	bg v4 "$SB" -4 "UNIX-LISTEN:$T/v4.sock,fork" "TCP:localhost:$(port_of "$E")"
	sock_up "$T/v4.sock"
	client "unix:$T/v4.sock" "b'v4'" shut
	[ "$(value reply)" = v4 ] || fail "$output"
	# with -6, localhost is ::1, where the echo server does not listen,
	# or (with no "::1 localhost" in /etc/hosts) no address at all
	bg v6 "$SB" -6 -d "UNIX-LISTEN:$T/v6.sock,fork" "TCP:localhost:$(port_of "$E")"
	wait_for 100 test -S "$T/v6.sock" -o -s "$T/v6.err"
	if grep -q "resolve localhost" "$T/v6.err"; then
		wait_gone "$BG_PID" 100 || fail "still running: $(cat "$T/v6.err")"
	else
		sock_up "$T/v6.sock"
		client "unix:$T/v6.sock" "b'v6'" shut
		[ "$(value reply)" = "" ] || fail "$output"
		wait_for 100 grep -q '\[::1\]' "$T/v6.err" || fail "$(cat "$T/v6.err")"
	fi
	# TCP-LISTEN with -6 listens on every IPv6 address
	bg l6 "$SB" -6 -d -d TCP-LISTEN:0 "UNIX-CONNECT:$T/none.sock"
	[ "$(listen_addr l6)" != "" ]
	expect_log l6 '^sockbridge: listening on tcp:\[::\]:[0-9]+$'
	refused "sockbridge: TCP:127.0.0.1:1: '127.0.0.1' is an IPv4 address, but -6 asks for IPv6" \
	    -6 "UNIX-LISTEN:$T/x.sock" TCP:127.0.0.1:1
}

@test "socat: -lf writes the log to a file, -ls to stderr" {
	echo_on echo "unix:$T/e.sock"
	bg relay "$SB" -d -d -d -lf "$T/relay.log" "UNIX-LISTEN:$T/in.sock,fork" "UNIX-CONNECT:$T/e.sock"
	sock_up "$T/in.sock"
	client "unix:$T/in.sock" "b'logged'" shut
	[ "$(value reply)" = logged ] || fail "$output"
	wait_for 100 grep -q "conn 1: accepted" "$T/relay.log" || fail "log: $(cat "$T/relay.log")"
	grep -q "^sockbridge: listening on unix:$T/in.sock\$" "$T/relay.log"
	[ ! -s "$T/relay.err" ] || fail "stderr: $(cat "$T/relay.err")"
	bg relay2 "$SB" -d -d -ls "UNIX-LISTEN:$T/in2.sock,fork" "UNIX-CONNECT:$T/e.sock"
	[ "$(listen_addr relay2)" = "unix:$T/in2.sock" ]
	run --separate-stderr "$SB" -lf "$T/no/such/dir/log" "UNIX-LISTEN:$T/x.sock" "UNIX-CONNECT:$T/e.sock"
	[ "$status" -eq 1 ] && [ "$stderr" = "sockbridge: -lf $T/no/such/dir/log: No such file or directory" ] ||
	    fail "status $status: $stderr"
	[ ! -e "$T/x.sock" ]
}

@test "socat: the options sockbridge cannot honour are refused, naming what to use" {
	local a=(UNIX-LISTEN:/nonexistent/a.sock TCP:localhost:1)
	refused "sockbridge: -x: socat's hex dump of the relayed data is not supported; sockbridge logs connection events instead (-d -d -d, or 'sockbridge relay -v'); to see the bytes, run the relay with --no-splice under strace -e trace=read,write" \
	    -x "${a[@]}"
	refused "sockbridge: -v: socat's text dump of the relayed data is not supported; for sockbridge's log of connection events use -d -d -d, or 'sockbridge relay -v LISTEN TARGET'" \
	    -v "${a[@]}"
	refused "sockbridge: -t: socat's linger after a half-close is not supported: sockbridge passes the EOF on and keeps relaying the other way until that ends too; to bound an idle connection use -T SEC (--idle-timeout)" \
	    -d -d -t 5 "${a[@]}"
	refused "sockbridge: -ly: logging to syslog is not supported; sockbridge logs to stderr (the journal, under systemd), or to a file with -lf FILE" \
	    -lylocal0 "${a[@]}"
	refused "sockbridge: -x: socat's hex dump of the relayed data is not supported; sockbridge logs connection events instead (-d -d -d, or 'sockbridge relay -v'); to see the bytes, run the relay with --no-splice under strace -e trace=read,write" \
	    relay -x "${a[@]}"
	refused "sockbridge: -u and -U cannot be combined: each allows one direction only" \
	    -u -U "${a[@]}"
	refused "sockbridge: -T 0: not a duration above 0 (like 5, 2.5, 250ms, 1m; at most a day)" \
	    -T 0 "${a[@]}"
	refused "sockbridge: -q: not one of socat's global options that sockbridge takes (-d, -u, -U, -T, -b, -4, -6, -lf, -ls); sockbridge's own options go after the command, as in 'sockbridge relay -q LISTEN TARGET'" \
	    -q "${a[@]}"
	# sockbridge's long options are taken there, and misspelt ones named
	refused "sockbridge: relay: unknown option '--mdoe' (did you mean --mode?)" \
	    -d -d --mdoe 0660 "${a[@]}"
}
