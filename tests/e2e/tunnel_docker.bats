#!/usr/bin/env bats
# The tunnel across the container boundary, with a real Docker: one
# "docker exec -i C sockbridge tunnel TARGET" carries every connection the
# host relay accepts. The containers run with --network none and no bind
# mount, so each target socket exists only inside its container; the
# images come from tests/tools/mkrootfs (a busybox rootfs, and one with
# PostgreSQL 15 and python3 from the host's packages), and "mkrootfs run"
# docker cp's the static sockbridge into each container before it starts.
# dockerd is started if it is not running. Every check is made on what the other peer observes.
#
# SB_TUNNEL_VIA=exec swaps the target for the per-connection
# "exec:docker exec -i C sockbridge relay - TARGET", to check the harness
# itself; the tunnel-only checks (one carrier, its restart) then fail.

load helpers
load abort_helpers
unset DOCKER_HOST	# the real daemon (helpers.bash hides it)

setup_file() {
	local tools sbs
	tools=$(cd "$BATS_TEST_DIRNAME/../tools" && pwd)
	BB_IMG=$("$tools/mkrootfs" busybox)
	PG_IMG=$("$tools/mkrootfs" postgres)
	sbs=$("$tools/mkrootfs" ${SB_STATIC:+--bin "$SB_STATIC"} static)
	local id
	id=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
	export BB=sbt-bb-$id PGC=sbt-pg-$id BB_IMG PG_IMG
	"$tools/mkrootfs" --bin "$sbs" run --rm --network none --name "$BB" \
	    "$BB_IMG" >/dev/null
	"$tools/mkrootfs" --bin "$sbs" run --rm --network none --shm-size 256m \
	    --name "$PGC" "$PG_IMG" >/dev/null
	docker exec -d "$BB" sockbridge echo unix:/run/echo.sock
	docker exec -d "$BB" sockbridge relay unix:/run/sha.sock exec:sha256sum
	docker cp "$tools/abort_peer.py" "$PGC:/usr/local/bin/abort_peer.py"
	docker cp "$tools/halfclose-server.py" "$PGC:/usr/local/bin/"
	docker exec -d "$PGC" python3 /usr/local/bin/halfclose-server.py \
	    /run/hc.sock
	wait_for 200 docker exec "$BB" test -S /run/echo.sock
	wait_for 200 docker exec "$BB" test -S /run/sha.sock
	wait_for 200 docker exec "$PGC" test -S /run/hc.sock
	wait_for 400 docker exec "$PGC" test -S /run/postgresql/.s.PGSQL.5432 ||
	    fail "PostgreSQL did not start in $PGC:" "$(docker logs "$PGC" 2>&1)"
}

teardown_file() {
	docker rm -f "$BB" "$PGC" >/dev/null 2>&1 || true
}

setup() {
	common_setup
	OBSERVE_SECS=35	# the peers' own timeout is 30 s
	HC="$BATS_TEST_DIRNAME/../tools/halfclose-client.py"
}

teardown() {
	common_teardown
}

# via C TARGET: the relay target that carries a connection into container
# C and on to TARGET there.
via() {
	if [ "${SB_TUNNEL_VIA:-tunnel}" = exec ]; then
		echo "exec:docker exec -i $1 sockbridge relay - $2"
	else
		echo "tunnel:docker exec -i $1 sockbridge tunnel $2"
	fi
}

# relay LISTEN C TARGET: the host relay (-v) from LISTEN through container
# C to TARGET; its pid in $RELAY_PID, its address in $RADDR.
relay() {
	relay_v "$1" "$(via "$2" "$3")"
}

# carriers: pids of the docker processes under the relay.
carriers() {
	relay_children docker
}

# far_ends C: pids of "sockbridge tunnel" processes inside container C.
far_ends() {
	docker exec "$1" ps -o pid,args |
	    awk '$2 ~ /sockbridge$/ && $3 == "tunnel" { print $1 }'
}

# observer NAME ARGS...: abort_peer.py on the host (see aborts.bats).
observer() {
	local name=$1
	shift
	bg "$name" python3 "$AP" "$@" --timeout "$(t 30)"
	eval "PID_$name=$BG_PID"
}

# far_peer NAME ARGS...: abort_peer.py listening inside $PGC.
far_peer() {
	local name=$1 addr=$2
	shift
	bg "$name" docker exec "$PGC" python3 /usr/local/bin/abort_peer.py \
	    listen "$@" --timeout "$(t 30)"
	eval "PID_$name=$BG_PID"
	wait_for 200 grep -q '^listening ' "$T/$name.out" ||
	    fail "$name did not listen:" "$(cat "$T/$name.err")"
}

@test "tunnel docker: 64 streams, 256 MiB each way in random write sizes, over one docker exec" {
	relay "unix:$T/s" "$BB" unix:/run/echo.sock
	run timeout "$(t 150)" "$PEER" integrity -t "$(t 140)" -c 64 \
	    -b $((4 << 20)) -m 65536 -s "$RANDOM" "$RADDR"
	expect_status 0
	[[ "$output" == "ok conns=64 bytes_each_way=268435456 "* ]] ||
	    fail "peer: $output"
	# One carrier carried them all, and it is still there.
	[ "$(carriers | wc -l)" = 1 ] ||
	    fail "carriers: '$(carriers)'" "$(ps --ppid "$RELAY_PID" -f)"
	[ "$(far_ends "$BB" | wc -l)" = 1 ] ||
	    fail "far ends in $BB: '$(far_ends "$BB")'"
}

@test "tunnel docker: half-close up: the far side gets every byte, then EOF, and its reply still comes back" {
	relay "unix:$T/s" "$BB" unix:/run/sha.sock
	run timeout "$(t 60)" python3 "$HC" up "$RADDR" $((8 << 20)) "$(t 50)"
	expect_status 0
	[[ "$output" == "ok up 8388608 "* ]] || fail "$output"
}

@test "tunnel docker: half-close down: the client reads the far side's EOF, then sends, and the far side counts every byte" {
	relay "unix:$T/s" "$PGC" unix:/run/hc.sock
	docker exec "$PGC" rm -f /run/hc.sock.count
	run timeout "$(t 60)" python3 "$HC" down "$RADDR" $((3 << 20)) "$(t 50)"
	expect_status 0
	expect_output "ok down hello"
	wait_for 200 docker exec "$PGC" test -e /run/hc.sock.count
	run docker exec "$PGC" cat /run/hc.sock.count
	expect_output $((3 << 20))
}

@test "tunnel docker: the far target resets mid-response: the client gets ECONNRESET, not EOF" {
	far_peer target unix:/run/ab1.sock abort --peek
	relay tcp:127.0.0.1:0 "$PGC" unix:/run/ab1.sock
	observer client connect "$RADDR" observe --bytes 65536
	expect_observed client reset
	expect_observed target
}

@test "tunnel docker: the client resets mid-transfer: the far target gets ECONNRESET, not EOF" {
	far_peer target unix:/run/ab2.sock observe --bytes $((64 << 20)) \
	    --flag /tmp/ab2.full
	relay tcp:127.0.0.1:0 "$PGC" unix:/run/ab2.sock
	observer client connect "$RADDR" abort --rcvbuf 32768 --after "$T/full"
	# The far target's sends have stayed blocked: every buffer up to the
	# client is full, and bytes of the target's sit unread on the far end.
	wait_for 400 docker exec "$PGC" test -e /tmp/ab2.full ||
	    fail "the target's sends never blocked" "$(cat "$T/relay.err")"
	touch "$T/full"
	expect_observed target reset
	expect_observed client
}

# pgbench_ok ARGS...: pgbench through $T/pg processed every transaction
# it was asked for (-t), none failed.
pgbench_ok() {
	local done
	run timeout "$(t 90)" pgbench -h "$T/pg" -p 5432 -U postgres -n "$@" bench
	expect_status 0
	done=$(sed -n 's/^number of transactions actually processed: //p' <<<"$output")
	[[ "$done" =~ ^([0-9]+)/([0-9]+)$ ]] &&
	    [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] &&
	    [ "${BASH_REMATCH[1]}" -gt 0 ] || fail "pgbench: $output"
	! grep -Eq 'number of failed transactions: [1-9]' <<<"$output" ||
	    fail "pgbench: $output"
	echo "pgbench $*: $done, $(grep '^tps' <<<"$output")" >&3
}

@test "tunnel docker: pgbench (TPC-B, -S, -C -S) against PostgreSQL whose socket is only inside the container" {
	mkdir "$T/pg"
	relay "unix:$T/pg/.s.PGSQL.5432" "$PGC" \
	    unix:/run/postgresql/.s.PGSQL.5432
	# The socket the server listens on is not on the host.
	[ ! -e /run/postgresql/.s.PGSQL.5432 ] ||
	    [ "$(stat -c %i /run/postgresql/.s.PGSQL.5432)" != \
	    "$(docker exec "$PGC" stat -c %i /run/postgresql/.s.PGSQL.5432)" ]
	pgbench_ok -c 8 -j 2 -t 50
	pgbench_ok -S -c 8 -j 2 -t 200
	pgbench_ok -C -S -c 4 -j 2 -t 10
	run psql -h "$T/pg" -U postgres -Atc 'select inet_server_addr() is null, current_setting($$listen_addresses$$)' bench
	expect_output "t|"
}

# carrier_dies HOW: four echo streams are open and full (their clients'
# bytes unread at the relay: tests/tools/cut-observer.py) when the carrier
# dies (HOW: kill the host's docker exec, or the sockbridge tunnel inside
# the container). Each client sees ECONNRESET, the carrier comes back, the
# next connection works, and the socket file stays, same inode, all along.
carrier_dies() {
	local how=$1 ino i c
	relay "unix:$T/s" "$BB" unix:/run/echo.sock
	ino=$(stat -c %i "$T/s")
	bg watch bash -c 'while :; do
		i=$(stat -c %i "$1" 2>/dev/null) && [ -S "$1" ] &&
		    [ "$i" = "$2" ] || echo "socket file changed or gone: $i"
		sleep 0.01; done' watch "$T/s" "$ino"
	for i in 1 2 3 4; do
		bg "c$i" python3 "$TOOLS/cut-observer.py" "$RADDR" "$T/full$i" \
		    "$T/go" "$(t 40)"
		eval "PID_c$i=$BG_PID"
	done
	for i in 1 2 3 4; do
		wait_for 400 test -e "$T/full$i" ||
		    fail "c$i: sends never blocked" "$(cat "$T/c$i.err")"
	done
	c=$(carriers)
	[ -n "$c" ] || fail "no carrier"
	case $how in
	host)	kill -9 $c ;;
	far)	docker exec "$BB" kill -9 $(far_ends "$BB") ;;
	esac
	touch "$T/go"
	for i in 1 2 3 4; do
		expect_observed "c$i" reset
	done
	# The carrier comes back, and a new connection is served.
	wait_for 600 "$PEER" ping -t 5 "$RADDR" after-carrier-death ||
	    fail "no new connection after the carrier died" \
	    "$(cat "$T/relay.err")"
	run "$PEER" integrity -t "$(t 30)" -c 4 -b $((1 << 20)) "$RADDR"
	expect_status 0
	kill -0 "$RELAY_PID"
	[ "$(stat -c %i "$T/s")" = "$ino" ]
	[ ! -s "$T/watch.out" ] || fail "$(head -3 "$T/watch.out")"
	[ "$(carriers | wc -l)" = 1 ] || fail "carriers: '$(carriers)'"
	[ "$(far_ends "$BB" | wc -l)" = 1 ] ||
	    fail "far ends: '$(far_ends "$BB")'"
}

@test "tunnel docker: the host's docker exec is killed mid-transfer: streams reset, the carrier comes back, the socket file stays" {
	carrier_dies host
}

@test "tunnel docker: the far sockbridge is killed mid-transfer: streams reset, the carrier comes back, the socket file stays" {
	carrier_dies far
}

# busy_secs: seconds one 32 MiB echo stream takes through $RADDR.
busy_secs() {
	local out
	out=$(timeout "$(t 60)" "$PEER" integrity -t "$(t 50)" -c 1 \
	    -b $((32 << 20)) "$RADDR") || fail "busy stream: $out"
	sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' <<<"$out"
}

@test "tunnel docker: one stalled reader does not slow a busy stream on the same carrier" {
	local b0 b1 b2 s
	relay "unix:$T/s" "$BB" unix:/run/echo.sock
	b0=$(busy_secs)
	# A client that sends 64 MiB and reads 50 bytes a second: its echo
	# fills its window, and stays there.
	observer stalled connect "$RADDR" observe --bytes $((64 << 20)) \
	    --rate 1 --flag "$T/stalled"
	wait_for 400 test -e "$T/stalled" || fail "the stalled client never blocked"
	b1=$(busy_secs)
	b2=$(busy_secs)
	echo "busy stream alone ${b0}s, beside a stalled one ${b1}s, ${b2}s" >&3
	# Its pace: within 2x of alone (the machine is shared), both times.
	for s in "$b1" "$b2"; do
		awk -v a="$b0" -v b="$s" 'BEGIN { exit !(b <= 2 * a + 0.5) }' ||
		    fail "busy stream took ${s}s beside a stalled one, ${b0}s alone"
	done
	# The stalled stream is still open, not reset.
	kill -0 "$PID_stalled" || fail "stalled client ended: $(cat "$T/stalled.out")"
}
