#!/usr/bin/env bats
# doctor across the container boundary: the socket file is missing on the
# host, and a running container (real dockerd; tests/tools/mkrootfs's
# busybox image, the static sockbridge docker cp'ed in before it starts)
# listens on a socket of that name inside, with no network: doctor asks the
# Docker API, finds the container and prints the tunnel line. A container
# that publishes the port: doctor prints the tcp relay line. Each printed
# command (the /proc root relay, the tcp relay) is then run, and bytes go
# through it to the echo server inside.

load helpers
unset DOCKER_HOST	# the real daemon (helpers.bash hides it)

bats_require_minimum_version 1.5.0

: "${BATS_TEST_TIMEOUT:=90}"

REPO=$(cd "$(dirname "$BATS_TEST_FILENAME")/../.." && pwd)
MKROOTFS=$REPO/tests/tools/mkrootfs

# The image: mkrootfs's busybox (no sockbridge inside; dockerd started if
# need be), and the static sockbridge that "mkrootfs run" copies in.
setup_file() {
	export IMG SBS
	IMG=$("$MKROOTFS" busybox) || return 1
	SBS=$("$MKROOTFS" ${SB_STATIC:+--bin "$SB_STATIC"} static) || return 1
}

# container ARGS...: a container made by "docker create ARGS" with the
# static sockbridge copied in, started.
container() {
	"$MKROOTFS" --bin "$SBS" run "$@" >/dev/null
}

setup() {
	common_setup
	chmod 0755 "$T"
	C=sbdoc-$$-$RANDOM
	S=sbd-$$-$RANDOM.sock
}

teardown() {
	docker rm -f "$C" >/dev/null 2>&1 || true
	common_teardown
}

# doctor_run ARGS...: doctor with a time limit, its line wrapping undone.
doctor_run() {
	run timeout 30 "$SB" doctor "$@"
	output=$(sed -e ':a' -e 'N' -e '$!ba' -e 's/\n  */ /g' <<<"$output")
}

# through SOCKET: a line sent to SOCKET comes back (the echo inside).
through() {
	local got
	got=$(printf 'hello %s\n' "$C" | timeout 10 socat - "UNIX-CONNECT:$1")
	[ "$got" = "hello $C" ] || fail "through $1: got '$got'"
}

@test "doctor: a socket that exists only inside a container with no network: the tunnel line" {
	container --network none --name "$C" "$IMG" \
	    sh -c "mkdir -p /run/db && exec sockbridge echo unix:/run/db/$S"
	local pid
	pid=$(docker inspect -f '{{.State.Pid}}' "$C")
	wait_for 200 test -S "/proc/$pid/root/run/db/$S" || fail "no socket in the container" "$(docker logs "$C" 2>&1)"
	doctor_run "$T/$S"
	expect_status 1
	expect_contains "container $C (pid $pid on this host) listens on /run/db/$S inside"
	expect_contains "sockbridge relay unix:$T/$S 'tunnel:docker exec -i $C sockbridge tunnel unix:/run/db/$S'"
	expect_contains "sockbridge relay unix:$T/$S unix:/proc/$pid/root/run/db/$S"
	# The other printed command carries bytes to the echo inside.
	start_relay relay "unix:$T/$S" "unix:/proc/$pid/root/run/db/$S" >/dev/null
	through "$T/$S"
	doctor_run "$T/$S"
	expect_status 0
}

@test "doctor: a container that publishes the port: the tcp relay line" {
	container -p 127.0.0.1::5432 --name "$C" "$IMG" \
	    sockbridge echo tcp:0.0.0.0:5432
	local pub
	pub=$(docker port "$C" 5432/tcp | sed -n 's/^127\.0\.0\.1://p' | head -1)
	[ -n "$pub" ] || fail "no published port" "$(docker port "$C")"
	doctor_run "$T/.s.PGSQL.5432"
	expect_status 1
	expect_contains "container $C publishes port 5432 on host port $pub"
	expect_contains "sockbridge relay unix:$T/.s.PGSQL.5432 tcp:127.0.0.1:$pub"
	start_relay relay "unix:$T/.s.PGSQL.5432" "tcp:127.0.0.1:$pub" >/dev/null
	wait_for 100 bash -c "printf x | timeout 2 socat - TCP:127.0.0.1:$pub | grep -q x"
	through "$T/.s.PGSQL.5432"
}
