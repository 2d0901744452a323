#!/usr/bin/env bats
# doctor follows relays: when the process listening on the socket is
# sockbridge or socat, doctor reads its targets from /proc/PID/cmdline,
# checks each, and lets the end-to-end answer (PostgreSQL's SSLRequest
# through the relay) decide. A relay whose target is dead is exit 1 with
# the relay and the target named; a relay to a live PostgreSQL is ok; a
# relay to a live server that is not PostgreSQL says so.

load helpers

bats_require_minimum_version 1.5.0

: "${BATS_TEST_TIMEOUT:=60}"

setup() {
	common_setup
	chmod 0755 "$T"
	PG_DATA=
	N=$((40000 + RANDOM % 20000))
}

teardown() {
	if [ -n "$PG_DATA" ]; then
		runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate \
		    -w -t 20 stop >/dev/null 2>&1 3>&- || true
	fi
	common_teardown
}

# doctor_run ARGS...: doctor with a time limit, its line wrapping undone.
doctor_run() {
	run timeout 20 "$SB" doctor "$@"
	output=$(sed -e ':a' -e 'N' -e '$!ba' -e 's/\n  */ /g' <<<"$output")
}

# socat_at NAME SOCKET ARGS...: "socat ARGS", waited for until SOCKET
# exists; pid in $BG_PID.
socat_at() {
	local name=$1 sock=$2; shift 2
	bg "$name" socat "$@"
	wait_for 100 test -S "$sock" || fail "socat did not listen" "$(cat "$T/$name.err")"
}

# pg_unix: a PostgreSQL whose socket is $T/pgrun/.s.PGSQL.$N.
pg_unix() {
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -x "$PG_BIN/initdb" ] || fail "no PostgreSQL server (scripts/install-deps --test)"
	mkdir "$T/pg" "$T/pgrun"
	touch "$T/pg.log"
	chown postgres: "$T/pg" "$T/pgrun" "$T/pg.log"
	runuser -u postgres -- "$PG_BIN/initdb" -D "$T/pg" --auth=trust \
	    -U postgres --no-sync >"$T/initdb.log" 2>&1 ||
	    fail "initdb failed:" "$(cat "$T/initdb.log")"
	PG_DATA=$T/pg
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$T/pg" \
	    -o "-c listen_addresses='' -c port=$N -c unix_socket_directories=$T/pgrun" \
	    -w -t 30 start -l "$T/pg.log" >"$T/pg_ctl.out" 2>&1 3>&- ||
	    fail "pg_ctl start failed:" "$(cat "$T/pg_ctl.out" "$T/pg.log")"
}

@test "doctor: a sockbridge relay to a dead target is exit 1, naming the relay and the target" {
	local dead s=$T/.s.PGSQL.$N
	dead=$(free_port)
	start_relay relay "unix:$s" "tcp:127.0.0.1:$dead" >/dev/null
	local pid=$BG_PID
	doctor_run "$s"
	expect_status 1
	expect_contains "the relay at $s (sockbridge, pid $pid) forwards to tcp:127.0.0.1:$dead; tcp:127.0.0.1:$dead refuses: Connection refused (ECONNREFUSED)"
	expect_contains "verdict: The relay at $s (sockbridge, pid $pid) forwards to tcp:127.0.0.1:$dead; tcp:127.0.0.1:$dead refuses"
	doctor_run --json "$s"
	expect_status 1
	# A socket of no known protocol: the dead target decides alone.
	start_relay relay2 "unix:$T/plain.sock" "unix:$T/gone.sock" >/dev/null
	doctor_run "$T/plain.sock"
	expect_status 1
	expect_contains "forwards to unix:$T/gone.sock; unix:$T/gone.sock cannot be reached: No such file or directory (ENOENT)"
}

@test "doctor: a socat relay to a dead target is exit 1, naming socat and the target" {
	local s=$T/.s.PGSQL.$N
	socat_at socat "$s" "UNIX-LISTEN:$s,fork" "UNIX-CONNECT:$T/gone.sock"
	local pid=$BG_PID
	doctor_run "$s"
	expect_status 1
	expect_contains "verdict: The relay at $s (socat, pid $pid) forwards to UNIX-CONNECT:$T/gone.sock; UNIX-CONNECT:$T/gone.sock cannot be reached: No such file or directory (ENOENT)"
	[[ $output =~ "the relay "("accepted the connection, then closed it without answering the SSLRequest"|"accepted the connection, then reset it") ]] ||
	    fail "$output"
	# socat's own options before the addresses, the listener second.
	socat_at socat2 "$T/x.sock" -d -d -b 8192 "UNIX-LISTEN:$T/x.sock,fork" "TCP:127.0.0.1:$(free_port)"
	doctor_run "$T/x.sock"
	expect_status 1
	expect_contains "refuses: Connection refused (ECONNREFUSED)"
}

@test "doctor: a relay to a live PostgreSQL is ok; to a live server that is not PostgreSQL, it says so" {
	pg_unix
	local s=$T/.s.PGSQL.$N
	start_relay relay "unix:$s" "unix:$T/pgrun/.s.PGSQL.$N" >/dev/null
	local pid=$BG_PID
	doctor_run "$s"
	expect_status 0
	expect_contains "protocol   PostgreSQL answered the SSLRequest ('N': no SSL)"
	expect_contains "the relay at $s (sockbridge, pid $pid) forwards to unix:$T/pgrun/.s.PGSQL.$N, which accepts connections; asked directly, PostgreSQL answered the SSLRequest"
	expect_contains "PostgreSQL answered the SSLRequest ('N': no SSL), through the relay (sockbridge, pid $pid) to unix:$T/pgrun/.s.PGSQL.$N. Client settings: Rails: host: $T and port: $N in config/database.yml"
	# socat in front of the same server.
	mkdir "$T/s2" "$T/e"
	socat_at socat "$T/s2/.s.PGSQL.$N" "UNIX-LISTEN:$T/s2/.s.PGSQL.$N,fork" "UNIX-CONNECT:$T/pgrun/.s.PGSQL.$N"
	doctor_run "$T/s2/.s.PGSQL.$N"
	expect_status 0
	expect_contains "through the relay (socat, pid $BG_PID) to UNIX-CONNECT:$T/pgrun/.s.PGSQL.$N"
	# A relay to an echo server: it accepts, but it is not PostgreSQL.
	start_echo echo "unix:$T/echo.sock" >/dev/null
	start_relay relay3 "unix:$T/e/.s.PGSQL.$N" "unix:$T/echo.sock" >/dev/null
	doctor_run "$T/e/.s.PGSQL.$N"
	expect_status 1
	expect_contains "forwards to unix:$T/echo.sock, which accepts connections, but PostgreSQL does not answer through it"
	expect_contains "It is not a PostgreSQL server: point the relay at the right socket or port."
}
