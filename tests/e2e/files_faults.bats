#!/usr/bin/env bats
# End-to-end tests of the socket-file rules and of faults, against the real
# binary.
#
# Socket files: a stale file is replaced with a warning; a live server's
# file (even one with a full backlog) and anything that is not a socket are
# refused and left as they were; mode and owner are right from the file's
# first moment; the file goes on SIGTERM/SIGINT unless someone replaced it;
# over-long paths, missing directories and permission problems get an error
# that names the path and the errno.
#
# Faults: target down, client resets (no fd leak), 2,000 connections, a
# low fd limit (pause accepts, no spinning), idle and connect timeouts, the
# connection limit, and the SIGTERM drain.
#
# Servers listen in a per-test temp dir or on port 0 and the address comes
# from their "listening on" line. Events are awaited with bounded polling
# (wait_for, wait_gone), never fixed sleeps. Each test has a time limit
# (BATS_TEST_TIMEOUT) and every client runs under timeout(1) as well.
# Fixed budgets go through t (helpers.bash), which stretches them when
# SB_SLOW is set ("make memcheck": sockbridge under valgrind).

load helpers

: "${BATS_TEST_TIMEOUT:=60}"

setup_file() {
	# The real interpreter, not a version manager's shim: a shim can take
	# a second to start, which would make the tight polls below useless.
	PY=
	if command -v python3 >/dev/null 2>&1; then
		PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) ||
		    PY=
	fi
	export PY
}

setup() {
	common_setup
	STOPPED=()
	NSTALE=0
}

teardown() {
	local p
	# A stopped process would sit on SIGTERM: let it run again first.
	for p in "${STOPPED[@]}"; do
		kill -CONT "$p" 2>/dev/null || true
	done
	# Fifo writers some tests hold open.
	exec 8>&- 9>&-
	common_teardown
}

# --- helpers -----------------------------------------------------------------

# bg_stdin NAME FILE CMD...: bg with stdin from FILE (a plain "CMD <FILE &"
# in a shell without job control would read /dev/null instead).
bg_stdin() {
	local name=$1 file=$2
	shift 2
	bg "$name" bash -c 'f=$1; shift; exec "$@" <"$f"' _ "$file" "$@"
}

# expect_failed: the last run failed on its own (not killed by timeout).
expect_failed() {
	[ "$status" -ne 0 ] && [ "$status" -ne 124 ] ||
	    fail "exit status $status, expected a failure" "output: $output"
}

# not_listening: the last run printed no "listening on" line (it never
# served). "a server ... is listening on it" is an error, not this.
not_listening() {
	! grep -q '^sockbridge: listening on ' <<<"$output" ||
	    fail "it listened:" "$output"
}

# ping_ok ADDR MESSAGE: one round trip that must echo MESSAGE.
ping_ok() {
	run timeout "$(t 10)" "$PEER" ping -t "$(t 8)" "$1" "$2"
	[ "$status" -eq 0 ] && [ "$output" = "$2" ] ||
	    fail "ping $1 failed: status $status" "output: $output"
}

# echo_tcp NAME: start an echo server on a free loopback port; sets ECHO
# (its address) and ECHO_PID.
echo_tcp() {
	bg "$1" "$SB" echo tcp:127.0.0.1:0
	ECHO_PID=$BG_PID
	ECHO=$(listen_addr "$1")
}

# relay NAME ARGS...: start a relay; sets RELAY (its first address) and
# RELAY_PID.
relay() {
	local name=$1
	shift
	bg "$name" "$SB" relay "$@"
	RELAY_PID=$BG_PID
	RELAY=$(listen_addr "$name")
}

# make_stale PATH: leave a socket file nobody listens on, the way a server
# killed with SIGKILL does.
make_stale() {
	local name=stale-$((++NSTALE))
	bg "$name" "$SB" echo "unix:$1"
	listen_addr "$name" >/dev/null
	kill -9 "$BG_PID"
	wait_gone "$BG_PID" 100
	[ -S "$1" ] || fail "no stale socket at $1"
}

# unix_queue PATH: connections waiting in the accept queue of the unix
# listener bound at PATH (ss Recv-Q of a listening socket).
unix_queue() {
	ss -xlH | awk -v p="$1" '$5 == p { print $3; exit }'
}

# tcp_queue PORT: the same for a tcp listener on PORT.
tcp_queue() {
	ss -ltnH "( sport = :$1 )" | awk '{ print $2; exit }'
}

queue_is() {
	[ "$(unix_queue "$1")" = "$2" ]
}

tcp_queue_is() {
	[ "$(tcp_queue "$1")" = "$2" ]
}

# cpu_ticks PID: user + system time so far, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

fd_at_most() {
	[ "$(nfds "$1")" -le "$2" ]
}

is_gone() {
	[ ! -e "$1" ] && [ ! -L "$1" ]
}

file_has_line() {
	grep -qx -- "$2" "$1"
}

# Run a command as nobody:nogroup: timeout 5 "${AS_NOBODY[@]}" CMD...
AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)

# need_nobody: skip unless we are root, and nobody can run the binaries
# and reach $T.
need_nobody() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	command -v setpriv >/dev/null || skip "needs setpriv"
	chmod 0755 "$T"
	"${AS_NOBODY[@]}" test -x "$SB" -a -x "$PEER" ||
	    skip "user nobody cannot run $SB_BUILD"
}

need_ss() {
	needs_tool ss
}

# first_stat PATH SECONDS: wait (up to SECONDS) for PATH to appear, in a
# tight loop, and print "MODE UID GID" (octal mode) from the very first
# lstat that finds it. Start it before the process that creates PATH; it
# prints "ready" on its stdout first.
first_stat_script='
import os, sys, time
path = sys.argv[1]
end = time.monotonic() + float(sys.argv[2])
print("ready", flush=True)
while True:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        if time.monotonic() > end:
            sys.exit(1)
        continue
    print("%o %d %d" % (st.st_mode & 0o7777, st.st_uid, st.st_gid), flush=True)
    sys.exit(0)
'

# check_first_mode NAME PATH WANT RELAYARGS...: start a relay that creates
# PATH and check the mode of the first observation of PATH is WANT (octal).
check_first_mode() {
	local name=$1 path=$2 want=$3 first
	shift 3
	[ -n "$PY" ] || skip "needs python3 for a tight lstat loop"
	bg "$name-poll" "$PY" -c "$first_stat_script" "$path" "$(t 5)"
	local poll=$BG_PID
	wait_for 100 file_has_line "$T/$name-poll.out" ready
	relay "$name" "$@"
	wait_gone "$poll" 100
	first=$(sed -n 2p "$T/$name-poll.out")
	[ -n "$first" ] || fail "the poll never saw $path"
	[ "${first%% *}" = "$want" ] ||
	    fail "first observation of $path: mode ${first%% *}, want $want"
}

# --- socket files ------------------------------------------------------------

@test "stale socket file is replaced with a warning, then served (unix: and UNIX-LISTEN:,unlink-early)" {
	local sock=$T/stale.sock form
	echo_tcp echo
	for form in "unix:$sock" "UNIX-LISTEN:$sock,unlink-early"; do
		make_stale "$sock"
		# Really stale: a connect is refused.
		run timeout 5 "$PEER" ping -t 2 "unix:$sock" x
		expect_failed
		relay "relay-$NSTALE" "$form" "$ECHO"
		[ "$RELAY" = "unix:$sock" ] || fail "listening on $RELAY"
		expect_log "relay-$NSTALE" "^sockbridge: unix:$sock: replaced a stale socket file"
		ping_ok "unix:$sock" hello
		kill "$RELAY_PID"
		wait_gone "$RELAY_PID" 100
		is_gone "$sock"
	done
}

@test "live server's socket is refused naming its pid; the server keeps working (also with unlink-early)" {
	needs_proc
	local sock=$T/live.sock form ino comm
	bg live "$SB" echo "unix:$sock"
	local live_pid=$BG_PID
	listen_addr live >/dev/null
	# Its process name as the refusal gives it (not "sockbridge" under
	# valgrind).
	comm=$(cat "/proc/$live_pid/comm")
	ino=$(stat -c %i "$sock")
	for form in "unix:$sock" "UNIX-LISTEN:$sock,unlink-early" \
	    "unix:$sock,mode=0600"; do
		run timeout "$(t 5)" "$SB" relay "$form" tcp:127.0.0.1:9
		expect_failed
		not_listening
		expect_contains "unix:$sock: a server (pid $live_pid, $comm) is listening on it"
		[ "$(stat -c '%i %F' "$sock")" = "$ino socket" ] ||
		    fail "socket file changed: $(stat -c '%i %F' "$sock")"
		ping_ok "unix:$sock" still-here
	done
}

@test "live server with a full accept queue is refused, not taken for stale" {
	needs_proc
	need_ss
	local sock=$T/full.sock comm
	bg live "$SB" echo "unix:$sock,backlog=1"
	local live_pid=$BG_PID
	listen_addr live >/dev/null
	comm=$(cat "/proc/$live_pid/comm")
	kill -STOP "$live_pid"
	STOPPED+=("$live_pid")
	# backlog=1 queues two connections; a third connect gets EAGAIN.
	bg fill "$PEER" hold -c 2 -t "$(t 20)" "unix:$sock"
	local fill_pid=$BG_PID
	wait_for 100 queue_is "$sock" 2 ||
	    fail "accept queue: '$(unix_queue "$sock")', want 2"
	run timeout "$(t 5)" "$SB" relay "unix:$sock" tcp:127.0.0.1:9
	expect_failed
	not_listening
	expect_contains "is listening on it"
	expect_contains "pid $live_pid, $comm"
	[ -S "$sock" ]
	# The server, woken up, still serves the queued clients.
	kill -CONT "$live_pid"
	wait_gone "$fill_pid" 200
	grep -qx 'held 2/2' "$T/fill.out" ||
	    fail "fill: $(cat "$T/fill.out" "$T/fill.err")"
}

@test "live server that bound a relative path: the refusal still names its pid" {
	needs_proc
	# /proc/net/unix shows the path as the server passed it to bind(), so
	# matching on the path string misses "live.sock" vs "$T/live.sock".
	local sock=$T/live.sock comm
	bg live bash -c 'cd "$1" && exec "$2" echo unix:live.sock' _ "$T" "$SB"
	local live_pid=$BG_PID
	listen_addr live >/dev/null
	comm=$(cat "/proc/$live_pid/comm")
	[ -S "$sock" ]
	run timeout "$(t 5)" "$SB" relay "unix:$sock" tcp:127.0.0.1:9
	expect_failed
	not_listening
	expect_contains "is listening on it"
	expect_contains "pid $live_pid, $comm"
}

@test "regular file, directory and symlinks at the path are refused and left untouched" {
	local p before after
	printf 'precious data\n' >"$T/file.sock"
	touch -d '2001-02-03 04:05:06' "$T/file.sock"
	mkdir "$T/dir.sock"
	touch "$T/dir.sock/keep"
	ln -s "$T/nowhere" "$T/dangling.sock"
	make_stale "$T/target.sock"
	ln -s "$T/target.sock" "$T/tostale.sock"
	ln -s "$T/file.sock" "$T/tofile.sock"

	# snapshot PATH: inode, type, size, mode, mtime, link target.
	snapshot() {
		stat -c '%i %F %s %a %Y' "$1"
		readlink "$1" || true
	}
	declare -A kind=(
		[file]="a regular file" [dir]="a directory"
		[dangling]="a symbolic link" [tostale]="a symbolic link"
		[tofile]="a symbolic link"
	)
	local target_before file_sum
	target_before=$(snapshot "$T/target.sock")
	file_sum=$(cksum <"$T/file.sock")
	for p in file dir dangling tostale tofile; do
		before=$(snapshot "$T/$p.sock")
		run timeout "$(t 5)" "$SB" relay "unix:$T/$p.sock" tcp:127.0.0.1:9
		expect_failed
		not_listening
		expect_contains "unix:$T/$p.sock: exists and is not a socket (${kind[$p]}); not touching it"
		after=$(snapshot "$T/$p.sock")
		[ "$before" = "$after" ] ||
		    fail "$p.sock changed:" "before: $before" "after: $after"
	done
	[ "$(cksum <"$T/file.sock")" = "$file_sum" ]
	[ "$(ls "$T/dir.sock")" = keep ]
	is_gone "$T/nowhere"
	[ "$(snapshot "$T/target.sock")" = "$target_before" ]
}

@test "--mode 0660 --owner nobody --group nogroup: exact mode and owner, never wider" {
	needs_root
	needs_tool getent
	getent passwd nobody >/dev/null && getent group nogroup >/dev/null ||
	    skip "needs user nobody and group nogroup"
	echo_tcp echo
	local sock=$T/owned.sock
	check_first_mode relay "$sock" 660 --mode 0660 --owner nobody \
	    --group nogroup "unix:$sock" "$ECHO"
	[ "$(stat -c '%a %U %G %F' "$sock")" = "660 nobody nogroup socket" ] ||
	    fail "got $(stat -c '%a %U %G %F' "$sock")"
	ping_ok "unix:$sock" owned
}

@test "address forms mode=0600 and perm=0666,user=nobody: exact mode and owner, never wider" {
	needs_root
	echo_tcp echo
	check_first_mode r600 "$T/a.sock" 600 "unix:$T/a.sock,mode=0600" "$ECHO"
	[ "$(stat -c '%a %U %G' "$T/a.sock")" = "600 root root" ] ||
	    fail "a.sock: $(stat -c '%a %U %G' "$T/a.sock")"
	check_first_mode r666 "$T/b.sock" 666 \
	    "UNIX-LISTEN:$T/b.sock,perm=0666,user=nobody" "$ECHO"
	[ "$(stat -c '%a %U' "$T/b.sock")" = "666 nobody" ] ||
	    fail "b.sock: $(stat -c '%a %U' "$T/b.sock")"
	ping_ok "unix:$T/a.sock" a
	ping_ok "unix:$T/b.sock" b
}

@test "another user cannot connect to a 0600 socket but can to a 0666 one" {
	need_nobody
	echo_tcp echo
	relay r600 "unix:$T/private.sock,mode=0600" "$ECHO"
	relay r666 "unix:$T/public.sock,mode=0666" "$ECHO"
	run timeout "$(t 10)" "${AS_NOBODY[@]}" "$PEER" ping -t "$(t 5)" "unix:$T/private.sock" x
	expect_failed
	expect_contains "Permission denied"
	run timeout "$(t 10)" "${AS_NOBODY[@]}" "$PEER" ping -t "$(t 5)" "unix:$T/public.sock" hi
	expect_status 0
	[ "$output" = hi ]
	# Root still gets through the 0600 one: the relay itself works.
	ping_ok "unix:$T/private.sock" root
}

@test "socket file is removed on SIGTERM and on SIGINT, exit status 0" {
	local sig rc
	echo_tcp echo
	for sig in TERM INT; do
		relay "r$sig" "unix:$T/$sig.sock" "$ECHO"
		[ -S "$T/$sig.sock" ]
		ping_ok "unix:$T/$sig.sock" "$sig"
		kill -"$sig" "$RELAY_PID"
		wait_gone "$RELAY_PID" 100 || fail "no exit on SIG$sig"
		rc=0
		wait "$RELAY_PID" || rc=$?
		[ "$rc" -eq 0 ] || fail "exit status $rc on SIG$sig"
		is_gone "$T/$sig.sock" || fail "$sig.sock left behind"
	done
}

@test "socket file replaced meanwhile is not removed on exit" {
	local rc ino
	echo_tcp echo
	relay relay "unix:$T/r.sock" "$ECHO"
	mv "$T/r.sock" "$T/r.moved"
	# Someone else's server takes the path.
	bg other "$SB" echo "unix:$T/r.sock"
	listen_addr other >/dev/null
	ino=$(stat -c %i "$T/r.sock")
	kill -TERM "$RELAY_PID"
	wait_gone "$RELAY_PID" 100
	rc=0
	wait "$RELAY_PID" || rc=$?
	[ "$rc" -eq 0 ] || fail "exit status $rc"
	[ -S "$T/r.sock" ] || fail "the other server's socket was removed"
	[ "$(stat -c %i "$T/r.sock")" = "$ino" ]
	ping_ok "unix:$T/r.sock" other-server
}

@test "socket path of 107 bytes works; 108 and more is a usage error naming sun_path" {
	needs_linux "a 108-byte sun_path; macOS and the BSDs have 104"
	echo_tcp echo
	local base=$T/ n
	n=$((107 - ${#base}))
	local p107=$base$(printf 'a%.0s' $(seq "$n"))
	local p108=${p107}b
	[ "${#p107}" -eq 107 ] && [ "${#p108}" -eq 108 ]
	relay r107 "unix:$p107" "$ECHO"
	ping_ok "unix:$p107" short-enough
	for p in "$p108" "$p108$(printf 'c%.0s' $(seq 100))"; do
		run timeout "$(t 5)" "$SB" relay "unix:$p" "$ECHO"
		expect_status 2
		not_listening
		expect_contains "sun_path"
		expect_contains "${#p} bytes"
		is_gone "$p"
	done
}

@test "missing directory: the error names the directory and ENOENT" {
	run timeout "$(t 5)" "$SB" relay "unix:$T/nodir/sub/x.sock" tcp:127.0.0.1:9
	expect_failed
	not_listening
	expect_contains "unix:$T/nodir/sub/x.sock"
	expect_contains "No such file or directory"
	expect_contains "$T/nodir/sub"
	is_gone "$T/nodir"
}

@test "no permission to create the file: the error names the path and EACCES" {
	need_nobody
	mkdir -m 0755 "$T/rootonly"
	run timeout "$(t 5)" "${AS_NOBODY[@]}" "$SB" relay "unix:$T/rootonly/x.sock" \
	    tcp:127.0.0.1:9
	expect_failed
	not_listening
	expect_contains "unix:$T/rootonly/x.sock"
	expect_contains "Permission denied"
	[ -z "$(ls -A "$T/rootonly")" ]
}

# --- faults ------------------------------------------------------------------

@test "target down: the client is closed, the error is logged, the relay goes on and recovers" {
	local port
	port=$(free_port)
	relay relay --no-wait-target "unix:$T/r.sock" "tcp:127.0.0.1:$port"
	run timeout "$(t 10)" "$PEER" ping -t "$(t 5)" "unix:$T/r.sock" x
	expect_failed
	# Closed by the relay (EOF, a reset, or gone before the client's
	# write: EPIPE), not by the peer's own timeout.
	[[ "$output" =~ "EOF after 0 of 1 bytes"|"Connection reset"|"Broken pipe" ]] &&
	    [[ "$output" != *"timed out"* ]] ||
	    fail "the client was not closed by the relay:" "$output"
	wait_for 100 log_has_n relay "connect tcp:127\.0\.0\.1:$port: Connection refused" 1 ||
	    fail "no connect error:" "$(cat "$T/relay.err")"
	kill -0 "$RELAY_PID"
	bg echo "$SB" echo "tcp:127.0.0.1:$port"
	[ "$(listen_addr echo)" = "tcp:127.0.0.1:$port" ]
	ping_ok "unix:$T/r.sock" back-up
	kill -0 "$RELAY_PID"
}

# resets N ADDR: N clients at once, each sending 8 MiB it never reads
# back, then closing with a reset.
resets() {
	local i pids=() p
	for ((i = 0; i < $1; i++)); do
		timeout "$(t 20)" "$PEER" reset -b 8M "$2" >"$T/reset$i.out" 2>&1 3>&- &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || fail "peer reset failed: $(cat "$T"/reset*.out)"
	done
}

@test "clients resetting mid-transfer: the relay survives and leaks no fds" {
	needs_proc
	local base
	bg echo "$SB" echo "unix:$T/echo.sock"
	listen_addr echo >/dev/null
	relay relay -v tcp:127.0.0.1:0 "unix:$T/echo.sock"
	# A first round fills the pipe pool as far as 4 at once need it.
	resets 4 "$RELAY"
	wait_for 200 log_has_n relay 'closed \(' 4 ||
	    fail "connections not closed:" "$(cat "$T/relay.err")"
	base=$(nfds "$RELAY_PID")
	# 12 more: leaking even one fd per connection shows.
	resets 4 "$RELAY"
	resets 4 "$RELAY"
	resets 4 "$RELAY"
	wait_for 200 log_has_n relay 'closed \(' 16 ||
	    fail "connections not closed:" "$(cat "$T/relay.err")"
	# Pooled pipes may come and go: allow slack.
	wait_for 100 fd_at_most "$RELAY_PID" $((base + 8)) ||
	    fail "fds: $(nfds "$RELAY_PID"), baseline $base" \
	    "$(ls -l "/proc/$RELAY_PID/fd")"
	ping_ok "$RELAY" after-resets
	kill -0 "$RELAY_PID"
}

@test "2,000 simultaneous connections through unix -> relay -> tcp echo" {
	[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 8500 ] ||
	    skip "hard fd limit $(ulimit -Hn) is too low for 2,000 connections"
	echo_tcp echo
	relay relay "unix:$T/r.sock" "$ECHO"
	run timeout "$(t 60)" "$PEER" hold -c 2000 -t "$(t 40)" "unix:$T/r.sock"
	expect_status 0
	[ "$output" = "held 2000/2000" ] || fail "output: $output"
	kill -0 "$RELAY_PID"
	ping_ok "unix:$T/r.sock" after-2000
}

# emfile_relay NAME LIMIT: start a relay to $ECHO under "ulimit -n LIMIT".
emfile_relay() {
	bg "$1" bash -c 'ulimit -n "$1" && shift && exec "$@"' _ "$2" \
	    "$SB" relay "unix:$T/$1.sock" "$ECHO"
	RELAY_PID=$BG_PID
	listen_addr "$1" >/dev/null
}

# check_fd_limit LIMIT: 100 clients at a relay that has fds for fewer.
# Whether the last free fd goes to an accept or to the dial of the target
# depends on how many fds are taken, so the tests run this with LIMIT 64
# and 65: both must end up pausing accepts.
check_fd_limit() {
	local t0 t1 held
	echo_tcp echo
	emfile_relay relay "$1"
	t0=$(cpu_ticks "$RELAY_PID")
	run timeout "$(t 20)" "$PEER" hold -c 100 -t "$(t 2)" "unix:$T/relay.sock"
	expect_failed
	held=$(sed -n 's|^held \([0-9]*\)/100$|\1|p' <<<"$output")
	[ -n "$held" ] && [ "$held" -gt 0 ] && [ "$held" -lt 100 ] ||
	    fail "expected some but not all held: $output"
	expect_log relay "Too many open files"
	kill -0 "$RELAY_PID" || fail "relay exited: $(cat "$T/relay.err")"
	# Once those connections are gone, a new one is served (after at
	# most one back-off period).
	ping_ok "unix:$T/relay.sock" recovered
	t1=$(cpu_ticks "$RELAY_PID")
	# Less than half of a core over the hold's time: 1 s of CPU in about
	# 2 s, both stretched alike by TSCALE.
	[ $((t1 - t0)) -lt $((100 * TSCALE)) ] ||
	    fail "relay used $((t1 - t0)) ticks of CPU: spinning?"
	# Out of fds, accepting is paused: clients wait in the backlog
	# rather than being accepted only to be dropped.
	grep -q "Too many open files; pausing accepts" "$T/relay.err" ||
	    fail "accepts never paused; $(nlines relay 'connect .*Too many open files') accepted connections were dropped instead:" \
	    "$(head -4 "$T/relay.err")"
}

@test "fd limit 64: accepts pause on EMFILE, no spinning, service resumes" {
	needs_proc
	check_fd_limit 64
}

@test "fd limit 65: accepts pause on EMFILE, no spinning, service resumes" {
	needs_proc
	check_fd_limit 65
}

@test "EMFILE back-off stays within its 1 s cap" {
	# relay.c: BACKOFF_MAX_MS 1000, doubling from 50 ms.
	local lim name= ms
	echo_tcp echo
	# One of two adjacent limits makes accept(2) the call that fails.
	for lim in 32 33; do
		emfile_relay "relay$lim" "$lim"
		bg "hold$lim" "$PEER" hold -c 40 -t "$(t 10)" "unix:$T/relay$lim.sock"
		if wait_for 40 log_has_n "relay$lim" 'pausing accepts for' 1; then
			name=relay$lim
			break
		fi
		kill "$BG_PID" "$RELAY_PID" 2>/dev/null || true
	done
	# Broken back-off looks exactly like this: fail, never skip.
	[ -n "$name" ] ||
	    fail "accepts never paused at fd limit 32 or 33:" \
	    "$(cat "$T/relay32.err" "$T/relay33.err")"
	# 50+100+200+400+800 ms: the 6th pause is the first one to be capped.
	wait_for 100 log_has_n "$name" 'pausing accepts for' 6 ||
	    fail "fewer than 6 pauses:" "$(cat "$T/$name.err")"
	for ms in $(sed -n 's/.*pausing accepts for \([0-9]*\) ms.*/\1/p' \
	    "$T/$name.err"); do
		[ "$ms" -le 1000 ] ||
		    fail "paused for $ms ms:" "$(grep pausing "$T/$name.err")"
	done
}

@test "idle timeout: an active connection lives on, an idle one is closed after ~1 s" {
	echo_tcp echo
	relay relay -v -i 1s tcp:127.0.0.1:0 "$ECHO"
	local port=${RELAY##*:}
	# 8 round trips 300 ms apart (longer than the idle timeout in all,
	# with room for a loaded machine's stalls),
	# then silence: the relay must close, so read sees EOF (status 1),
	# not its own 5 s timeout (status > 128). Those read budgets (and
	# timeout 15) stretch with TSCALE; the bounds on "ms" do not, since
	# the relay's idle timer does not.
	run timeout "$(t 15)" bash -c '
		exec 7<>"/dev/tcp/127.0.0.1/$1" || exit 9
		for i in 1 2 3 4 5 6 7 8; do
			printf x >&7
			IFS= read -r -n 1 -t "$2" c <&7 ||
			    { echo "no echo for byte $i"; exit 1; }
			sleep 0.3
		done
		t0=$(date +%s%N)
		IFS= read -r -n 1 -t "$3" c <&7
		rc=$?
		t1=$(date +%s%N)
		echo "read=$rc ms=$(( (t1 - t0) / 1000000 ))"
	' _ "$port" "$(t 2)" "$(t 5)"
	expect_status 0
	[[ "$output" =~ ^read=1\ ms=([0-9]+)$ ]] ||
	    fail "expected EOF from the relay: $output"
	local ms=${BASH_REMATCH[1]}
	[ "$ms" -ge 500 ] && [ "$ms" -lt 4000 ] ||
	    fail "closed $ms ms after the last byte (idle timeout 1 s)"
	expect_log relay 'conn 1: idle for 1000 ms'
	kill -0 "$RELAY_PID"
}

@test "connect timeout: a target that never answers the SYN is given up after -T 300ms" {
	need_ss
	bg echo "$SB" echo "tcp:127.0.0.1:0,backlog=1"
	local echo_pid=$BG_PID echo_addr
	echo_addr=$(listen_addr echo)
	kill -STOP "$echo_pid"
	STOPPED+=("$echo_pid")
	# With its accept queue full the kernel drops further SYNs.
	bg fill "$PEER" hold -c 2 -t "$(t 20)" "$echo_addr"
	wait_for 100 tcp_queue_is "${echo_addr##*:}" 2 ||
	    fail "accept queue: '$(tcp_queue "${echo_addr##*:}")', want 2"
	relay relay -T 300ms "unix:$T/r.sock" "$echo_addr"
	local t0 t1
	t0=$(date +%s%N)
	run timeout "$(t 10)" "$PEER" ping -t "$(t 8)" "unix:$T/r.sock" x
	t1=$(date +%s%N)
	expect_failed
	local ms=$(((t1 - t0) / 1000000))
	[ "$ms" -ge 250 ] && [ "$ms" -lt 3000 ] ||
	    fail "client closed after $ms ms (connect timeout 300 ms)"
	expect_log relay "connect $echo_addr: timed out after 300 ms"
	kill -0 "$RELAY_PID"
}

@test "max connections -c 2: a third connection waits in the backlog until one closes" {
	need_ss
	echo_tcp echo
	relay relay -v -c 2 "unix:$T/r.sock" "$ECHO"
	mkfifo "$T/f1" "$T/f2"
	exec 8<>"$T/f1" 9<>"$T/f2"
	bg_stdin h1 "$T/f1" "$PEER" hold -w -c 1 -t "$(t 30)" "unix:$T/r.sock" 8>&- 9>&-
	local h1=$BG_PID
	bg_stdin h2 "$T/f2" "$PEER" hold -w -c 1 -t "$(t 30)" "unix:$T/r.sock" 8>&- 9>&-
	wait_for 100 file_has_line "$T/h1.out" 'held 1/1'
	wait_for 100 file_has_line "$T/h2.out" 'held 1/1'
	bg p3 timeout "$(t 30)" "$PEER" ping -t "$(t 25)" "unix:$T/r.sock" third 8>&- 9>&-
	local p3=$BG_PID
	wait_for 100 queue_is "$T/r.sock" 1 ||
	    fail "accept queue: '$(unix_queue "$T/r.sock")', want 1"
	# Queued, so not accepted: two accepts logged, no echo yet.
	[ "$(nlines relay 'accepted')" -eq 2 ] ||
	    fail "accepted: $(grep accepted "$T/relay.err")"
	[ ! -s "$T/p3.out" ]
	kill -0 "$p3"
	exec 8>&-		# h1 ends, closing its connection
	wait_gone "$h1" 100
	wait_gone "$p3" 100 || fail "third connection not served"
	[ "$(cat "$T/p3.out")" = third ] ||
	    fail "p3: $(cat "$T/p3.out" "$T/p3.err")"
	[ "$(nlines relay 'accepted')" -eq 3 ]
}

@test "SIGTERM drains: socket file goes at once, the open connection completes, exit 0" {
	local sock=$T/r.sock rc
	echo_tcp echo
	relay relay -d "$(t 20)s" "unix:$sock" "$ECHO"
	mkfifo "$T/in"
	exec 8<>"$T/in"
	# The client: stdin from the fifo, the echo on stdout.
	bg_stdin client "$T/in" "$SB" relay - "unix:$sock" 8>&-
	local client=$BG_PID
	echo one >&8
	wait_for 100 file_has_line "$T/client.out" one
	kill -TERM "$RELAY_PID"
	wait_for 40 is_gone "$sock" || fail "socket file still there"
	kill -0 "$RELAY_PID" || fail "relay exited with a connection open"
	# The file goes first, the message follows.
	wait_for 100 log_has_n relay 'draining 1 connections' 1 ||
	    fail "no drain message:" "$(cat "$T/relay.err")"
	run timeout "$(t 5)" "$PEER" ping -t "$(t 2)" "unix:$sock" x
	expect_failed
	# Mid-request: more data, then the client's EOF ends the connection.
	echo two >&8
	wait_for 100 file_has_line "$T/client.out" two ||
	    fail "no echo during the drain: $(cat "$T/client.out")"
	exec 8>&-
	wait_gone "$RELAY_PID" 100 || fail "relay still running after the drain"
	rc=0
	wait "$RELAY_PID" || rc=$?
	[ "$rc" -eq 0 ] || fail "relay exit status $rc"
	wait_gone "$client" 100
	rc=0
	wait "$client" || rc=$?
	[ "$rc" -eq 0 ] || fail "client exit status $rc: $(cat "$T/client.err")"
	[ "$(cat "$T/client.out")" = "$(printf 'one\ntwo')" ]
}

@test "SIGTERM with a held connection: the drain deadline (-d 1s) closes it and the relay exits 0" {
	local sock=$T/r.sock t0 t1 ms rc
	echo_tcp echo
	relay relay -d 1s "unix:$sock" "$ECHO"
	mkfifo "$T/in"
	exec 8<>"$T/in"
	# A client that never ends on its own: stdin stays open.
	bg_stdin client "$T/in" "$SB" relay - "unix:$sock" 8>&-
	echo one >&8
	wait_for 100 file_has_line "$T/client.out" one ||
	    fail "no echo through the relay"
	t0=$(date +%s%N)
	kill -TERM "$RELAY_PID"
	# 1 s of drain, then a margin of 3 s (times TSCALE) for a loaded box.
	wait_gone "$RELAY_PID" $((20 + 60)) ||
	    fail "relay still running 4 s after SIGTERM with -d 1s:" \
	    "$(cat "$T/relay.err")"
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	rc=0
	wait "$RELAY_PID" || rc=$?
	[ "$rc" -eq 0 ] || fail "relay exit status $rc"
	[ "$ms" -ge 900 ] || fail "exited after $ms ms, before the 1 s drain"
	expect_log relay 'drain timeout: closing 1 connections'
	[ ! -e "$sock" ] || fail "socket file left behind"
}

@test "a second SIGTERM during the drain exits at once" {
	local sock=$T/r.sock
	echo_tcp echo
	relay relay -d "$(t 20)s" "unix:$sock" "$ECHO"
	mkfifo "$T/in"
	exec 8<>"$T/in"
	bg_stdin client "$T/in" "$SB" relay - "unix:$sock" 8>&-
	echo one >&8
	wait_for 100 file_has_line "$T/client.out" one
	kill -TERM "$RELAY_PID"
	wait_for 40 is_gone "$sock"
	wait_for 100 log_has_n relay 'draining 1 connections' 1 ||
	    fail "no drain message:" "$(cat "$T/relay.err")"
	kill -0 "$RELAY_PID"
	kill -TERM "$RELAY_PID"
	# Well within the 20 s drain timeout: 3 s, both times TSCALE.
	wait_gone "$RELAY_PID" 60 || fail "relay still draining"
}
