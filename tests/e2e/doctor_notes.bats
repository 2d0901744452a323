#!/usr/bin/env bats
# doctor's notes never contradict each other or the verdict: when a
# process listens at the very path checked, the search elsewhere says "no
# process listens on a socket named X anywhere ELSE", also when the path
# is behind a directory the user cannot search (EACCES); a socket bound
# by a relative name is found by its file, not called stale; and when
# connect() succeeds, the listener check never says "stale".

load helpers
load doctor_helpers

bats_require_minimum_version 1.5.0

: "${BATS_TEST_TIMEOUT:=60}"

setup() {
	common_setup
	U=sbn-$$-$RANDOM
}

teardown() {
	common_teardown
}

# no_line_has TEXT: no line of the output contains TEXT.
no_line_has() {
	[[ "$output" != *"$1"* ]] || fail "output says: $1" "$output"
}

@test "doctor: EACCES on the way: the listener at the path is named, and the search says 'anywhere else'" {
	[ "$(id -u)" -eq 0 ] || fail "needs root (setpriv)"
	chmod 0755 "$T"
	mkdir -m 0700 "$T/priv"
	start_bg echo "$SB" echo "unix:$T/priv/$U.sock"
	listen_addr echo >/dev/null

	run setpriv --reuid=nobody --regid=nogroup --clear-groups "$SB" doctor "$T/priv/$U.sock"
	expect_status 1
	has_check problem connect "EACCES"
	has_check note listener "a process listens on a socket bound to this path (process hidden: run as root to see it)"
	has_check note elsewhere "no process listens on a socket named $U.sock anywhere else on this machine"
	no_line_has "anywhere on this machine"
	verdict_has "directory $T/priv is not searchable for you"
}

@test "doctor: a 0600 socket as nobody (EACCES on the file): 'anywhere else'" {
	[ "$(id -u)" -eq 0 ] || fail "needs root (setpriv)"
	chmod 0755 "$T"
	start_bg echo "$SB" echo "unix:$T/$U.sock,mode=0600"
	listen_addr echo >/dev/null
	run setpriv --reuid=nobody --regid=nogroup --clear-groups "$SB" doctor "$T/$U.sock"
	expect_status 1
	has_check problem connect "EACCES"
	has_check note elsewhere "anywhere else on this machine"
	no_line_has "anywhere on this machine"
}

@test "doctor: a socket bound by a relative name is found by its file, not called stale" {
	mkdir "$T/d"
	cd "$T/d"
	start_bg echo "$SB" echo "unix:$U.sock"
	listen_addr echo >/dev/null
	local pid=$BG_PID
	cd /
	run "$SB" doctor "$T/d/$U.sock"
	expect_status 0
	has_check ok listener "a process listens: pid $pid, sockbridge"
	no_line_has "stale"
	verdict_has "A server accepts connections at $T/d/$U.sock (pid $pid"
}

@test "doctor: nothing anywhere: 'anywhere on this machine' (no 'else')" {
	run "$SB" doctor "$T/$U.sock"
	expect_status 1
	has_check note elsewhere "no process listens on a socket named $U.sock anywhere on this machine"
}
