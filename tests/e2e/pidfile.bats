#!/usr/bin/env bats
# The pid file (--pidfile), against the real binary: whatever is already
# at the path (a symlink, another user's file, a FIFO) is refused and left
# as it was, promptly; a pid file is removed only by the process that
# wrote it, so a second start that fails leaves the first one's alone.
#
# Each test works in its own mktemp -d folder and waits with bounded
# loops; every background process is killed in teardown.

load helpers

: "${BATS_TEST_TIMEOUT:=60}"

setup() {
	common_setup
	chmod 755 "$T"
	# The relay's target: nothing needs to answer.
	TARGET=tcp:127.0.0.1:9
}

teardown() {
	common_teardown
}

# snapshot PATH: type, inode, owner, mode, size, link target, contents.
snapshot() {
	stat -c '%F %i %U:%G %a %s' "$1"
	readlink "$1" || true
	if [ -f "$1" ] && [ ! -L "$1" ]; then cat "$1"; fi
}

# refused PIDFILE KIND: a relay with --pidfile PIDFILE exits 1 at once
# (a bounded wait: a relay stuck in open() ignores SIGTERM, so -k) and
# says what it found there; the path is left exactly as it was.
refused() {
	local before
	before=$(snapshot "$1")
	run timeout -k 1 "$(t 5)" "$SB" relay --pidfile "$1" "unix:$T/r.sock" "$TARGET"
	[ "$status" -eq 1 ] || fail "exit status $status, expected 1" "output: $output"
	expect_contains "sockbridge: pid file $1: exists and is $2; not touching it"
	[ "$(snapshot "$1")" = "$before" ] ||
	    fail "$1 changed:" "before: $before" "after: $(snapshot "$1")"
	[ ! -e "$T/r.sock" ] || fail "the relay left its socket file"
}

# has_pid FILE PID: FILE holds exactly "PID\n".
has_pid() {
	[ "$(cat "$1" 2>/dev/null)" = "$2" ]
}

@test "a symlink at the pid file path is refused, not followed and not removed" {
	printf 'keep\n' >"$T/target"
	ln -s "$T/target" "$T/to-file.pid"
	ln -s "$T/nowhere" "$T/dangling.pid"
	local target_before
	target_before=$(snapshot "$T/target")
	refused "$T/to-file.pid" "a symbolic link"
	refused "$T/dangling.pid" "a symbolic link"
	[ "$(snapshot "$T/target")" = "$target_before" ] || fail "the target changed"
	[ ! -e "$T/nowhere" ] || fail "the dangling link's target was created"
}

@test "another user's file at the pid file path is refused, not adopted" {
	[ "$(id -u)" = 0 ] || skip "needs root to make a file of nobody's"
	printf 'theirs\n' >"$T/other.pid"
	chown nobody:nogroup "$T/other.pid"
	chmod 0644 "$T/other.pid"
	refused "$T/other.pid" "$(printf 'a file of uid %s' "$(id -u nobody)")"
}

@test "a FIFO at the pid file path is refused at once, not opened (startup never hangs)" {
	mkfifo "$T/fifo.pid"
	refused "$T/fifo.pid" "a FIFO"
	[ "$(id -u)" = 0 ] || return 0
	# Another user's FIFO, in a directory of theirs.
	mkdir "$T/theirs"
	chown nobody:nogroup "$T/theirs"
	setpriv --reuid=nobody --regid=nogroup --clear-groups mkfifo "$T/theirs/fifo.pid"
	refused "$T/theirs/fifo.pid" "a FIFO"
}

@test "a second start that fails leaves the first one's pid file; the first removes it on exit" {
	local pid1
	bg first "$SB" relay --pidfile "$T/relay.pid" "unix:$T/r.sock" "$TARGET"
	pid1=$BG_PID
	listen_addr first >/dev/null
	wait_for 100 has_pid "$T/relay.pid" "$pid1" ||
	    fail "pid file: '$(cat "$T/relay.pid" 2>&1)', want $pid1"
	run timeout "$(t 5)" "$SB" relay --pidfile "$T/relay.pid" "unix:$T/r.sock" "$TARGET"
	expect_status 1
	expect_contains "is listening on it; not replacing it"
	has_pid "$T/relay.pid" "$pid1" ||
	    fail "after the second start the pid file holds '$(cat "$T/relay.pid" 2>&1)'"
	kill -TERM "$pid1"
	wait_gone "$pid1" 100 || fail "the first relay did not stop"
	[ ! -e "$T/relay.pid" ] || fail "the first relay left its pid file"
}

@test "a pid file replaced while the relay runs is left alone on exit; an old one of ours is replaced" {
	local pid1
	printf '99999\n' >"$T/relay.pid"
	bg first "$SB" relay --pidfile "$T/relay.pid" "unix:$T/r.sock" "$TARGET"
	pid1=$BG_PID
	listen_addr first >/dev/null
	wait_for 100 has_pid "$T/relay.pid" "$pid1" ||
	    fail "pid file: '$(cat "$T/relay.pid" 2>&1)', want $pid1"
	[ "$(stat -c '%a' "$T/relay.pid")" = "$(printf '%o' $((0644 & ~$(umask))))" ] ||
	    fail "mode $(stat -c '%a' "$T/relay.pid")"
	# Someone else's pid file now, even one that names our pid.
	rm "$T/relay.pid"
	printf '%s\n' "$pid1" >"$T/relay.pid"
	kill -TERM "$pid1"
	wait_gone "$pid1" 100 || fail "the relay did not stop"
	has_pid "$T/relay.pid" "$pid1" || fail "the replacement was removed or changed"
	# No temp files left behind.
	[ "$(ls "$T" | grep -c '^relay\.pid\.')" = 0 ] || fail "left: $(ls "$T")"
}
