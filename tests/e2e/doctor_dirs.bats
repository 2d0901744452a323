#!/usr/bin/env bats
# doctor DIR is libpq's -h DIR: the socket checked is DIR/.s.PGSQL.PORT
# for -p, PGPORT or 5432, and the other .s.PGSQL.* sockets in DIR are
# listed; with no port, one listening for another port is named in the
# verdict, with the -p that reaches it. A real PostgreSQL listens at
# DIR/.s.PGSQL.5433 (no tcp); sockbridge echo plays a server at 5432.

load helpers
load doctor_helpers

bats_require_minimum_version 1.5.0

: "${BATS_TEST_TIMEOUT:=60}"

setup() {
	common_setup
	PG_DATA=
}

teardown() {
	pg_sock_stop
	common_teardown
}

@test "doctor DIR: only 5433 there: the verdict names it and -p 5433; with -p 5433 it passes" {
	local d=$T/run
	pg_sock_start "$d" 5433

	run "$SB" doctor "$d"
	expect_status 1
	header_is "unix:$d/.s.PGSQL.5432"
	has_check note input "$d is a directory: checked as libpq's -h $d with the default port"
	has_check problem file "$d/.s.PGSQL.5432 does not exist"
	has_check note directory "$d/.s.PGSQL.5433: a server listens for port 5433 (pid "
	verdict_has "No server on port 5432 in $d ($d/.s.PGSQL.5432), but one listens at $d/.s.PGSQL.5433: use -p 5433 (PGPORT=5433; Rails: port: 5433 in config/database.yml)."
	verdict_lacks "move"
	verdict_lacks "restart"

	# What the verdict says works for psql.
	psql_ok -h "$d" -p 5433 -U postgres -d postgres

	# -h DIR with no port: the same socket named.
	run "$SB" doctor -h "$d"
	expect_status 1
	verdict_has "use -p 5433"

	for args in "-p 5433 $d" "-h $d -p 5433"; do
		run "$SB" doctor $args
		expect_status 0
		header_is "unix:$d/.s.PGSQL.5433"
		has_check ok protocol "PostgreSQL answered the SSLRequest"
		verdict_has "A server accepts connections at $d/.s.PGSQL.5433"
	done

	run env PGPORT=5433 "$SB" doctor "$d"
	expect_status 0
	has_check note input "port from PGPORT=5433"

	# A port asked for that is not there: the one that is, as a maybe.
	run "$SB" doctor -p 5999 "$d"
	expect_status 1
	verdict_has "Nothing listens at $d/.s.PGSQL.5999, but in the same directory a server listens at $d/.s.PGSQL.5433: if that is your server, use -p 5433"
}

@test "doctor DIR: 5432 and 5433 both there: 5432 passes, 5433 is listed" {
	local d=$T/run
	pg_sock_start "$d" 5433
	# 5432 is a relay to the real server on 5433: PostgreSQL answers
	# through it.
	start_bg relay "$SB" relay "unix:$d/.s.PGSQL.5432" "unix:$d/.s.PGSQL.5433"
	listen_addr relay >/dev/null
	local relay_pid=$BG_PID

	run "$SB" doctor "$d"
	expect_status 0
	header_is "unix:$d/.s.PGSQL.5432"
	has_check ok listener "a process listens: pid $relay_pid, sockbridge"
	has_check note directory "$d/.s.PGSQL.5433: a server listens for port 5433"
	verdict_has "PostgreSQL answered the SSLRequest"
}

@test "doctor DIR: only 5432 there; a stale 5434 beside it is marked stale" {
	local d=$T/run
	mkdir "$d"
	start_bg echo "$SB" echo "unix:$d/.s.PGSQL.5432"
	listen_addr echo >/dev/null
	python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)' "$d/.s.PGSQL.5434"

	# An echo server is not PostgreSQL: exit 1, but the stale neighbour
	# is still named.
	run "$SB" doctor "$d"
	expect_status 1
	header_is "unix:$d/.s.PGSQL.5432"
	has_check note directory "$d/.s.PGSQL.5434 exists but nothing listens (stale)"
	verdict_has "not a working PostgreSQL server"

	# With -p 5434: the stale one is checked, and 5432 named.
	run "$SB" doctor -p 5434 "$d"
	expect_status 1
	has_check problem listener "stale"
	verdict_has "a server listens at $d/.s.PGSQL.5432: if that is your server, use -p 5432"
}

@test "doctor DIR: no PostgreSQL socket: says so, names the other sockets, never 'move it away'" {
	local d=$T/app
	mkdir "$d"
	start_bg echo "$SB" echo "unix:$d/web.sock"
	listen_addr echo >/dev/null

	run "$SB" doctor "$d"
	expect_status 1
	header_is "unix:$d/.s.PGSQL.5432"
	has_check note directory "$d holds no PostgreSQL socket (.s.PGSQL.*); other sockets there: web.sock"
	verdict_lacks "move"

	# A relative directory: the same.
	cd "$T"
	run "$SB" doctor ./app
	expect_status 1
	header_is "unix:$d/.s.PGSQL.5432"
	has_check note input "./app is a directory: checked as libpq's -h $d"
}
