#!/usr/bin/env bats
# Socket files without races, against the real binary:
# - a symlink swapped in at the path the moment bind() creates the file
#   never receives root's chmod or chown (special mode bits, a group, a
#   directory owned by another user who runs the racer);
# - a server that has bound the path but not called listen() yet is not
#   taken for stale: its file is neither removed nor replaced;
# - many relays started at once on one path: exactly one serves, every
#   other exits 1 saying why, and none is left running unseen.
#
# Each test works in its own mktemp -d folder and waits with bounded
# loops; every background process is killed in teardown.

load helpers

: "${BATS_TEST_TIMEOUT:=120}"

RACER=$BATS_TEST_DIRNAME/../tools/symlink-racer.py
AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)

setup_file() {
	# The real interpreter, not a version manager's shim (slow to start).
	PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PY=
	export PY
}

setup() {
	common_setup
	chmod 755 "$T"
	[ -n "$PY" ] || skip "needs python3"
}

teardown() {
	common_teardown
}

# need_nobody: root, setpriv, and a python3 that user nobody can run.
need_nobody() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	command -v setpriv >/dev/null || skip "needs setpriv"
	"${AS_NOBODY[@]}" "$PY" -c 'pass' 2>/dev/null ||
	    skip "user nobody cannot run $PY"
}

file_has_line() {
	grep -qx -- "$2" "$1"
}

# started NAME: process NAME has either said it listens or has exited.
started() {
	grep -q '^sockbridge: listening on ' "$T/$1.err" 2>/dev/null ||
	    ! kill -0 "$2" 2>/dev/null
}

@test "a symlink swapped in as the socket file appears never gets root's chmod or chown (mode=2770,group=daemon, directory of nobody's)" {
	need_nobody
	getent group daemon >/dev/null || skip "needs group daemon"
	local i d sb racer refused=0 served=0 victim=$T/victim
	printf 'root only\n' >"$victim"
	chmod 0600 "$victim"
	local before
	before=$(stat -c '%a %U %G %s' "$victim")
	# The racer may lose any one race: try until it has won a few.
	for ((i = 1; i <= 40 && refused < 3; i++)); do
		d=$T/d$i
		mkdir "$d"
		chown nobody:nogroup "$d"
		bg "racer$i" "${AS_NOBODY[@]}" "$PY" "$RACER" "$d/s" "$victim" "$(t 10)"
		racer=$BG_PID
		wait_for 100 file_has_line "$T/racer$i.out" ready ||
		    fail "racer $i: $(cat "$T/racer$i.err")"
		bg "sb$i" "$SB" echo "unix:$d/s,mode=2770,group=daemon"
		sb=$BG_PID
		wait_gone "$racer" 200 || fail "racer $i never saw the socket file"
		wait_for 200 started "sb$i" "$sb" || fail "sb $i neither served nor exited"
		# Whoever won, root's chmod and chown went nowhere near the
		# victim or the symlink.
		[ "$(stat -c '%a %U %G %s' "$victim")" = "$before" ] ||
		    fail "attempt $i: victim now $(stat -c '%a %U %G %s' "$victim"), was $before" \
		    "$(cat "$T/sb$i.err")"
		[ "$(cat "$victim")" = "root only" ] || fail "victim's content changed"
		[ -L "$d/s" ] || fail "attempt $i: no symlink at $d/s"
		[ "$(stat -c '%U %G' "$d/s")" = "nobody nogroup" ] ||
		    fail "attempt $i: the symlink is now $(stat -c '%U %G' "$d/s")"
		if grep -q "^sockbridge: unix:$d/s: replaced by someone else while starting; not touching it$" "$T/sb$i.err"; then
			wait_gone "$sb" 100 || fail "sb $i refused but did not exit"
			refused=$((refused + 1))
		else
			grep -q '^sockbridge: listening on ' "$T/sb$i.err" ||
			    fail "attempt $i: $(cat "$T/sb$i.err")"
			served=$((served + 1))
			kill "$sb"
			wait_gone "$sb" 100
		fi
	done
	echo "# $((i - 1)) attempts: the racer won $refused (refused, victim untouched), lost $served" >&3
	# The racer must have got in between bind() and the fix-up at least
	# once, or this test proved nothing.
	[ "$refused" -ge 1 ] || fail "the racer never won a race in $((i - 1)) attempts"
}

# Python server: bind PATH, say "bound", wait for GO to exist, listen,
# then answer one connection with "python" and the line it got.
bind_wait_listen='
import os, socket, sys, time
path, go = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
print("bound", flush=True)
end = time.monotonic() + 20
while not os.path.exists(go):
    if time.monotonic() > end:
        sys.exit(1)
    time.sleep(0.01)
s.listen(1)
c, _ = s.accept()
c.sendall(b"python " + c.recv(100))
'

@test "a server that has bound the path but not listened yet is refused naming it, never replaced" {
	needs_proc
	local sock=$T/bound.sock ino
	bg py "$PY" -c "$bind_wait_listen" "$sock" "$T/go"
	local py=$BG_PID
	wait_for 100 file_has_line "$T/py.out" bound || fail "$(cat "$T/py.err")"
	ino=$(stat -c %i "$sock")
	# A connect is refused, which is what a stale file looks like too.
	run timeout "$(t 5)" "$PEER" ping -t 2 "unix:$sock" x
	[ "$status" -ne 0 ] || fail "connected before listen()?"
	for form in "unix:$sock" "UNIX-LISTEN:$sock,unlink-early" \
	    "unix:$sock,mode=0600"; do
		run timeout "$(t 5)" "$SB" relay "$form" tcp:127.0.0.1:9
		[ "$status" -eq 1 ] || fail "$form: exit status $status" "$output"
		expect_contains "unix:$sock: a server (pid $py, $(cat /proc/$py/comm)) has bound it and is not listening yet; not replacing it"
		[ "$(stat -c '%i %F' "$sock")" = "$ino socket" ] ||
		    fail "$form: the file changed: $(stat -c '%i %F' "$sock")"
	done
	# The server goes on to listen and is the one a client reaches.
	touch "$T/go"
	run timeout "$(t 10)" "$PY" -c '
import socket, sys, time
end = time.monotonic() + 5
while True:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(sys.argv[1]); break
    except ConnectionRefusedError:
        if time.monotonic() > end: raise
        time.sleep(0.02)
s.sendall(b"hi")
print(s.recv(100).decode())' "$sock"
	expect_status 0
	expect_output "python hi"
}

# race_starts DIR N EXTRA: start N "sockbridge echo unix:DIR/s$EXTRA" at
# the same moment: each says it is ready, then blocks reading a line
# from a FIFO; once all are ready, N lines release them together. Their
# pids are in STARTS. The FIFO stays open (fd RACE_FD) for reading and
# writing until race_done, so that no open blocks and a line waits there
# for a reader that comes late.
race_starts() {
	local dir=$1 n=$2 extra=$3 k
	mkfifo "$dir/go"
	exec {RACE_FD}<>"$dir/go"
	STARTS=()
	for ((k = 1; k <= n; k++)); do
		bash -c 'touch "$4"; read -r _ <"$1"; exec "$2" echo "unix:$3"' _ \
		    "$dir/go" "$SB" "$dir/s$extra" "$dir/ready$k" \
		    >"$dir/start$k.out" 2>"$dir/start$k.err" 3>&- {RACE_FD}>&- &
		STARTS+=($!)
		BG_PIDS+=($!)
	done
	wait_for 200 nready "$dir" "$n" || fail "the starts never got ready"
	printf '\n%.0s' $(seq "$n") >&"$RACE_FD"
}

race_done() {
	exec {RACE_FD}>&-
}

# nready DIR N: N starts have said they are ready.
nready() {
	[ "$(ls "$1" | grep -c '^ready')" -eq "$2" ]
}

# nalive PIDS...: how many are still running.
nalive() {
	local p n=0
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && n=$((n + 1))
	done
	echo "$n"
}

alive_is() {
	[ "$(nalive "${@:2}")" = "$1" ]
}

@test "10 relays started at once on one path: exactly one serves, the others exit 1 saying why, none is orphaned" {
	needs_tool ss
	local r k n=10 dir p status_k winner alive
	# Many names to look up make each start slower, so the starts
	# overlap more.
	local acl=
	for k in $(seq 16); do acl+=",allow-user=root,allow-group=root"; done
	for r in 1 2 3 4 5 6 7 8; do
		dir=$T/c$r
		mkdir "$dir"
		# Half the rounds start from a stale file: all of them see it.
		if ((r % 2 == 0)); then
			"$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$dir/s"
		fi
		race_starts "$dir" "$n" "$acl"
		wait_for 200 alive_is 1 "${STARTS[@]}" ||
		    fail "round $r: $(nalive "${STARTS[@]}") of $n still running" \
		    "$(cat "$dir"/start*.err)"
		race_done
		winner=
		for k in "${!STARTS[@]}"; do
			p=${STARTS[$k]}
			if kill -0 "$p" 2>/dev/null; then
				winner=$p
				continue
			fi
			status_k=0
			wait "$p" || status_k=$?
			[ "$status_k" -eq 1 ] ||
			    fail "round $r: start $((k + 1)) exited $status_k" \
			    "$(cat "$dir/start$((k + 1)).err")"
			grep -Eq "^sockbridge: (unix:$dir/s: a server \(pid [0-9]+, [^)]*\) (is listening on it|has bound it and is not listening yet); not replacing it|bind unix:$dir/s: Address already in use \(another process created it meanwhile\); not replacing it)$" \
			    "$dir/start$((k + 1)).err" ||
			    fail "round $r: start $((k + 1)) said:" \
			    "$(cat "$dir/start$((k + 1)).err")"
		done
		# The one left serves the file at the path.
		run timeout "$(t 10)" "$PEER" ping -t "$(t 5)" "unix:$dir/s" "round-$r"
		expect_status 0
		expect_output "round-$r"
		[ "$(ss -xlpH | awk -v s="$dir/s" '$5 == s' | grep -c "pid=$winner,")" = 1 ] ||
		    fail "round $r: the listener at $dir/s is not pid $winner:" \
		    "$(ss -xlpH | grep "$dir/s")"
		kill "$winner"
		wait_gone "$winner" 100 || fail "round $r: the winner did not stop"
		[ ! -e "$dir/s" ] || fail "round $r: the winner left its file"
	done
}
