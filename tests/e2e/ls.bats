#!/usr/bin/env bats
# ls never calls a live socket file stale. A file no bound socket's path
# names may still be live: its server bound it by a relative name, or
# from another network namespace (a container sharing the directory), or
# bound it and has not called listen() yet. Only a file no socket is
# bound to, whose connect is refused, is "stale".

load helpers

bats_require_minimum_version 1.5.0

: "${BATS_TEST_TIMEOUT:=60}"

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# row PATH [ARGS...]: run "ls --json ARGS" (default: PATH's directory)
# and put PATH's object in $ROW; fails if there is none.
row() {
	local p=$1
	shift
	run --separate-stderr "$SB" ls --json "${@:-${p%/*}}"
	expect_status 0
	ROW=$(P=$p python3 -c 'import json, os, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["path"] == os.environ["P"]:
        print(json.dumps(o, sort_keys=True))' <<<"$output")
	[ -n "$ROW" ] || fail "no row for $p in:" "$output" "$stderr"
}

# field NAME: that field of $ROW.
field() {
	python3 -c 'import json, sys; v = json.loads(sys.argv[1])[sys.argv[2]]; print("null" if v is None else v)' "$ROW" "$1"
}

# expect_row PATH STATE PID [ARGS...]: PATH's row says STATE and PID.
expect_row() {
	local p=$1 state=$2 pid=$3
	shift 3
	row "$p" "$@"
	[ "$(field state)" = "$state" ] && [ "$(field pid)" = "$pid" ] ||
	    fail "$p: expected $state, pid $pid; got $ROW"
}

# pybind NAME PATH listen|bound: a python3 server in the background that
# binds PATH (relative to its working directory, the current one) and
# listens or not; waited for until the file is there.
pybind() {
	bg "$1" python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
if sys.argv[2] == "listen":
    s.listen(8)
time.sleep(120)' "$2" "$3"
	wait_for 200 test -S "$2" || fail "$1 did not bind $2" "$(cat "$T/$1.err")"
}

@test "ls: a socket bound by a relative name is listed at its full path with its process, never stale" {
	needs_linux
	mkdir "$T/d"
	cd "$T/d"
	start_bg echo "$SB" echo unix:rel.sock
	listen_addr echo >/dev/null
	local pid=$BG_PID
	cd /
	expect_row "$T/d/rel.sock" listening "$pid"
	expect_row "$T/d/rel.sock" listening "$pid" "$T/d/rel.sock"
	expect_row "$T/d/rel.sock" listening "$pid" ""
	run "$SB" ls "$T/d"
	expect_status 0
	[[ "$output" =~ "$T/d/rel.sock"\ +listening\ +0\ .*" $pid sockbridge" ]] ||
	    fail "text: $output"

	# The server's working directory no longer holds it: the file is
	# found by what the kernel says is bound to it, still not stale.
	mkdir "$T/e"
	mv "$T/d/rel.sock" "$T/e/moved.sock"
	expect_row "$T/e/moved.sock" listening "$pid"
	[ "$(field command)" = sockbridge ] || fail "command: $ROW"

	# And once the server is gone, the file is stale.
	kill "$pid"
	wait_gone "$pid" 100 || fail "echo did not exit"
	expect_row "$T/e/moved.sock" stale null
}

@test "ls: bound but not listening is 'bound'; a file nothing is bound to is 'stale'" {
	needs_linux
	cd "$T"
	pybind srv b.sock bound
	local pid=$BG_PID
	pybind dead d.sock bound
	kill "$BG_PID"
	wait_gone "$BG_PID" 100 || fail "python did not exit"
	cd /
	expect_row "$T/b.sock" bound "$pid"
	expect_row "$T/d.sock" stale null
	expect_row "$T/b.sock" bound "$pid" "$T/b.sock"
	expect_row "$T/d.sock" stale null "$T/d.sock"
}

@test "ls: a socket listening from another network namespace is 'listening', not stale" {
	needs_linux
	needs_root
	needs_tool unshare
	bg ns unshare -n python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
time.sleep(120)' "$T/ns.sock"
	wait_for 200 test -S "$T/ns.sock" || fail "no socket:" "$(cat "$T/ns.err")"
	# Not in this namespace's table: the kernel knows no socket bound
	# to the file here, and a connect is accepted.
	! grep -q " $T/ns.sock\$" /proc/net/unix || fail "in our /proc/net/unix"
	expect_row "$T/ns.sock" listening null
	expect_row "$T/ns.sock" listening null "$T/ns.sock"
	run "$SB" ls "$T"
	expect_status 0
	[[ "$output" =~ "$T/ns.sock"\ +listening\  ]] || fail "text: $output"
}

@test "ls: what a user cannot tell is 'unknown', never stale (another namespace's socket, mode 0600)" {
	needs_linux
	needs_root
	needs_tool unshare
	needs_tool setpriv
	chmod 0755 "$T"
	bg ns unshare -n python3 -c 'import os, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o600)
s.listen(8)
time.sleep(120)' "$T/p.sock"
	wait_for 200 eval '[ "$(stat -c %a "$T/p.sock" 2>/dev/null)" = 600 ]' ||
	    fail "no socket:" "$(cat "$T/ns.err")"
	# nobody's connect gets EACCES, and no socket of this namespace is
	# bound to the file: ls cannot tell.
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup \
	    --clear-groups "$SB" ls --json "$T"
	expect_status 0
	[[ "$output" == *'{"path":"'"$T/p.sock"'","state":"unknown",'* ]] ||
	    fail "as nobody: $output" "$stderr"
	# root can connect: listening.
	expect_row "$T/p.sock" listening null
}
