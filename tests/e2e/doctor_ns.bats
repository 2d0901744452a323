#!/usr/bin/env bats
# doctor and a listener in another mount namespace, the way systemd's
# PrivateTmp=yes makes one: "unshare -m" with a private tmpfs over the
# socket's directory, sockbridge echo listening inside. The socket shows
# in this network namespace's table, its file does not show here. The
# verdict must say the directory is private to the server and what to do
# (PrivateTmp=no, a shared directory), never "removed, restart"; exit 1.
# As a user who cannot read the server's /proc entries, doctor must say
# it cannot tell. The relay it suggests for root is run word for word.

load helpers
load doctor_helpers

bats_require_minimum_version 1.5.0

: "${BATS_TEST_TIMEOUT:=60}"

setup() {
	common_setup
	[ "$(id -u)" -eq 0 ] || fail "needs root (unshare -m, setpriv)"
	chmod 0755 "$T"
	mkdir -m 0755 "$T/priv"
}

teardown() {
	common_teardown
}

# private_listener NAME: sockbridge echo at $T/priv/NAME in its own mount
# namespace over a tmpfs of its own at $T/priv; its pid is $NS_PID.
private_listener() {
	start_bg private unshare -m --propagation private sh -c \
	    'mount -t tmpfs -o mode=0755 sbtest "$1" && exec "$2" echo "unix:$1/$3"' \
	    sh "$T/priv" "$SB" "$1"
	NS_PID=$BG_PID
	wait_for 100 grep -q "listening on unix:$T/priv/$1" "$T/private.err" ||
	    fail "the private listener did not start:" "$(cat "$T/private.err")"
	# Ours is still an empty directory.
	[ ! -e "$T/priv/$1" ] || fail "the socket file is visible here"
	[ "$(readlink /proc/$NS_PID/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ]
}

@test "doctor: a PrivateTmp-style listener: its directory is private, PrivateTmp=no or a shared directory; never restart" {
	local s=$T/priv/.s.PGSQL.5432
	private_listener .s.PGSQL.5432

	run "$SB" doctor "$s"
	expect_status 1
	has_check problem file "$s does not exist"
	has_check problem boundary "pid $NS_PID (sockbridge) listens on $s in another mount namespace of this host: $T/priv is private to it (its own tmpfs mount, as systemd's PrivateTmp=yes makes)"
	no_check problem listener
	has_check note elsewhere "no process listens on a socket named .s.PGSQL.5432 anywhere else on this machine"
	verdict_has "The server (pid $NS_PID, sockbridge) listens on $s, but in its own mount namespace: its $T/priv is private"
	verdict_has "a restart will not help"
	verdict_has "Turn that off (PrivateTmp=no in the server's systemd unit), or have the server put its socket in a shared directory such as /run/postgresql (PostgreSQL: unix_socket_directories)."
	[[ "$output" != *"was removed"* ]] || fail "says removed:" "$output"
	verdict_lacks "Restart the server"

	run "$SB" doctor --json "$s"
	expect_status 1
	python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
assert d["connect"] == {"ok": False, "errno": "ENOENT"}, d["connect"]
assert "private" in d["verdict"] and "Restart" not in d["verdict"], d["verdict"]
' <<<"$output" || fail "json: $output"

	# The relay the verdict gives root, word for word, reaches the server.
	local cmd
	cmd=$(sed -n 's/.*`\(sockbridge relay [^`]*\)`.*/\1/p' <<<"$VERDICT")
	[ "$cmd" = "sockbridge relay unix:$s unix:/proc/$NS_PID/root$s" ] ||
	    fail "relay in the verdict: '$cmd'"
	read -ra words <<<"${cmd#sockbridge }"
	start_bg relay "$SB" "${words[@]}"
	listen_addr relay >/dev/null
	run python3 -c '
import socket, sys
c = socket.socket(socket.AF_UNIX); c.settimeout(10); c.connect(sys.argv[1])
c.sendall(b"through the namespace"); c.shutdown(socket.SHUT_WR)
b = b""
while True:
    x = c.recv(100)
    if not x: break
    b += x
print(b.decode())' "$s"
	expect_status 0
	[ "$output" = "through the namespace" ] || fail "echo: $output"
}

@test "doctor: the same listener seen by a user who cannot read its /proc: doctor says it cannot tell" {
	local s=$T/priv/app.sock
	private_listener app.sock

	run setpriv --reuid=nobody --regid=nogroup --clear-groups "$SB" doctor "$s"
	expect_status 1
	has_check problem listener "a process listens on a socket bound to this path (process hidden: run as root to see it), but the file is not here: it was removed, or the process sees another file system (a mount namespace); doctor cannot tell which without root"
	verdict_has "doctor cannot tell which without root"
	verdict_has "systemd PrivateTmp, a container"
	has_check note elsewhere "anywhere else on this machine"
}

@test "doctor: a listener whose file was really removed (same namespace) still gets 'removed, restart'" {
	start_bg echo "$SB" echo "unix:$T/gone.sock"
	listen_addr echo >/dev/null
	rm "$T/gone.sock"
	run "$SB" doctor "$T/gone.sock"
	expect_status 1
	has_check problem listener "its file was removed"
	no_check problem boundary
	verdict_has "Restart the server to recreate the file"
	has_check note elsewhere "anywhere else on this machine"
}
