#!/usr/bin/env bats
# doctor across the container boundary: the socket file is missing on the
# host, and a running container (real dockerd; the image is a busybox-static
# rootfs plus a static sockbridge, "docker import"ed and cached by hash)
# listens on a socket of that name inside, with no network: doctor asks the
# Docker API, finds the container and prints the tunnel line. A container
# that publishes the port: doctor prints the tcp relay line. Each printed
# command (the /proc root relay, the tcp relay) is then run, and bytes go
# through it to the echo server inside.

load helpers

bats_require_minimum_version 1.5.0

: "${BATS_TEST_TIMEOUT:=90}"

REPO=$(cd "$(dirname "$BATS_TEST_FILENAME")/../.." && pwd)
CACHE=/var/cache/sockbridge-test

# The image: busybox and the static sockbridge, built once per content.
setup_file() {
	command -v dockerd >/dev/null || { echo "docker.io is not installed" >&2; return 1; }
	if ! timeout 10 docker info >/dev/null 2>&1; then
		(dockerd --iptables=false >/tmp/dockerd.log 2>&1 3>&- &)
		local i
		for ((i = 0; i < 300; i++)); do
			timeout 5 docker info >/dev/null 2>&1 && break
			sleep 0.1
		done
		timeout 5 docker info >/dev/null 2>&1 ||
		    { tail /tmp/dockerd.log >&2; return 1; }
	fi
	local sb=${SB_STATIC:-$REPO/build-static-x86_64/sockbridge}
	if [ ! -x "$sb" ]; then
		nice make -C "$REPO" -s BUILD=build-static-x86_64 LDFLAGS=-static \
		    CC="$REPO/scripts/zig cc -target x86_64-linux-musl" \
		    build-static-x86_64/sockbridge >&2 || return 1
	fi
	[ -x /bin/busybox ] || { echo "busybox-static is not installed" >&2; return 1; }
	local hash root
	hash=$(cat /bin/busybox "$sb" | sha256sum | cut -c1-12)
	export IMG=sockbridge-test/doctor:$hash
	if ! docker image inspect "$IMG" >/dev/null 2>&1; then
		mkdir -p "$CACHE"
		if [ ! -s "$CACHE/doctor-$hash.tar" ]; then
			root=$(mktemp -d)
			mkdir -p "$root/bin" "$root/usr/bin" "$root/run/db" "$root/tmp"
			cp /bin/busybox "$root/bin/busybox"
			ln -s busybox "$root/bin/sh"
			cp "$sb" "$root/usr/bin/sockbridge"
			tar -C "$root" -cf "$CACHE/doctor-$hash.tar.new" . &&
			    mv "$CACHE/doctor-$hash.tar.new" "$CACHE/doctor-$hash.tar"
			rm -rf "$root"
		fi
		docker import "$CACHE/doctor-$hash.tar" "$IMG" >/dev/null || return 1
	fi
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
	docker run -d --network none --name "$C" "$IMG" \
	    /usr/bin/sockbridge echo "unix:/run/db/$S" >/dev/null
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
	docker run -d -p 127.0.0.1::5432 --name "$C" "$IMG" \
	    /usr/bin/sockbridge echo tcp:0.0.0.0:5432 >/dev/null
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
