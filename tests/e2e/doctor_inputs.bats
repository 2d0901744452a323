#!/usr/bin/env bats
# doctor takes what people have at hand, and each form lands on the
# socket psql (or Rails) would use: a libpq error message pasted whole
# (the one psql prints here, and the pre-14 wording), a conninfo string,
# a URI, the PG* environment, Rails' config/database.yml for RAILS_ENV
# with the ERB defaults Rails generates and DATABASE_URL, and relative
# paths. A real PostgreSQL listens at $T/sock/.s.PGSQL.$P only.

load helpers
load doctor_helpers

bats_require_minimum_version 1.5.0

: "${BATS_TEST_TIMEOUT:=90}"

setup_file() {
	# One server for the file: initdb is the slow part.
	export T0
	T0=$(mktemp -d "${TMPDIR:-/tmp}/sb-e2e.XXXXXX")
	T=$T0
	P=$(free_port)
	export P PG_BIN PG_DATA
	pg_sock_start "$T0/sock" "$P"
}

teardown_file() {
	T=$T0
	pg_sock_stop
	rm -rf "$T0"
}

setup() {
	common_setup
	S=$T0/sock/.s.PGSQL.$P
	cd "$T"
}

teardown() {
	common_teardown
}

@test "doctor 'the libpq error': the message psql prints, pasted whole" {
	# The real message, from the real psql, for a directory with no socket.
	mkdir "$T/empty"
	run env -u PGHOST -u PGPORT timeout 20 psql -h "$T/empty" -p "$P" \
	    -U postgres -d postgres -Atc 'select 1'
	[ "$status" -ne 0 ] || fail "psql worked"
	local msg=$output
	[[ "$msg" == *"connection to server on socket \"$T/empty/.s.PGSQL.$P\" failed: No such file or directory"* ]] ||
	    fail "psql said: $msg"

	run "$SB" doctor "$msg"
	expect_status 1
	header_is "unix:$T/empty/.s.PGSQL.$P"
	has_check note input "the libpq message names socket $T/empty/.s.PGSQL.$P and says \"No such file or directory\""
	has_check problem connect "ENOENT"
	has_check note elsewhere "$S: listening (pid "
	verdict_has "Nothing listens at $T/empty/.s.PGSQL.$P, but a server listens at $S. Point the client there (libpq: -h $T0/sock;"

	# libpq before 14 worded it so (with the tabs and breaks).
	run "$SB" doctor "psql: could not connect to server: No such file or directory
	Is the server running locally and accepting
	connections on Unix domain socket \"$S\"?"
	expect_status 0
	header_is "unix:$S"
	has_check note input "the libpq message names socket $S and says \"No such file or directory\""
	has_check ok protocol "PostgreSQL answered the SSLRequest"

	# The tcp forms: a server that is not there.
	local Q
	Q=$(free_port)
	run "$SB" doctor "connection to server at \"localhost\" (127.0.0.1), port $Q failed: Connection refused
	Is the server running on that host and accepting TCP/IP connections?"
	expect_status 1
	header_is "tcp:127.0.0.1:$Q"
	has_check note input "the libpq message names host localhost (127.0.0.1), port $Q and says \"Connection refused\""
	has_check problem connect "ECONNREFUSED"
	run "$SB" doctor "could not connect to server: Connection refused
	Is the server running on host \"localhost\" (127.0.0.1) and accepting
	TCP/IP connections on port $Q?"
	expect_status 1
	header_is "tcp:127.0.0.1:$Q"
}

@test "doctor 'host=DIR port=P dbname=x': a conninfo string, as psql takes it" {
	psql_ok "host=$T0/sock port=$P dbname=postgres user=postgres"
	run "$SB" doctor "host=$T0/sock port=$P dbname=postgres user=postgres"
	expect_status 0
	header_is "unix:$S"
	has_check note input "a conninfo string: host $T0/sock, port $P, dbname postgres, user postgres"
	has_check ok protocol "PostgreSQL answered the SSLRequest"

	run "$SB" doctor "host='$T0/sock' port = $((P + 1))"
	expect_status 1
	header_is "unix:$T0/sock/.s.PGSQL.$((P + 1))"
	verdict_has "use -p $P"

	# What a conninfo lacks comes from PGHOST and PGPORT, as in libpq.
	run env PGHOST="$T0/sock" PGPORT="$P" "$SB" doctor "dbname=postgres"
	expect_status 0
	header_is "unix:$S"
	has_check note input "host from PGHOST=$T0/sock"

	run "$SB" doctor "host='$T0/sock"
	expect_status 2
}

@test "doctor postgresql://...: a URI; what it lacks comes from PGHOST and PGPORT" {
	run "$SB" doctor "postgresql://postgres@/postgres?host=$T0/sock&port=$P"
	expect_status 0
	header_is "unix:$S"
	run env PGHOST="$T0/sock" PGPORT="$P" "$SB" doctor "postgresql:///postgres"
	expect_status 0
	header_is "unix:$S"
	has_check note input "host from PGHOST=$T0/sock; port from PGPORT=$P"
}

@test "doctor with no target: the PG* environment" {
	psql_ok -h "$T0/sock" -p "$P" -U postgres -d postgres
	run env -u DATABASE_URL PGHOST="$T0/sock" PGPORT="$P" PGDATABASE=postgres \
	    PGUSER=postgres "$SB" doctor
	expect_status 0
	header_is "unix:$S"
	has_check note input "the PG* environment: PGHOST=$T0/sock PGPORT=$P PGDATABASE=postgres PGUSER=postgres"

	run env -u DATABASE_URL -u PGHOST -u PGPORT -u PGDATABASE -u PGUSER "$SB" doctor
	expect_status 2
}

@test "doctor in a Rails app: config/database.yml for RAILS_ENV, ERB defaults, DATABASE_URL" {
	mkdir -p "$T/app/config"
	# As "rails new --database=postgresql" writes it, with the host and
	# port lines people add.
	cat >"$T/app/config/database.yml" <<YML
# PostgreSQL. Versions 9.3 and up are supported.
default: &default
  adapter: postgresql
  encoding: unicode
  # For details on connection pooling, see Rails configuration guide
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>
  host: <%= ENV.fetch("DATABASE_HOST") { "$T0/sock" } %>
  port: <%= ENV["DATABASE_PORT"] || $P %>

development:
  <<: *default
  database: app_development

test:
  <<: *default
  database: app_test
  host: $T/nowhere
YML
	cd "$T/app"
	run env -u RAILS_ENV -u DATABASE_URL -u PGHOST -u PGPORT "$SB" doctor
	expect_status 0
	header_is "unix:$S"
	has_check note input "config/database.yml, development (RAILS_ENV unset, the default): adapter postgresql, host $T0/sock, port $P, database app_development"
	has_check ok protocol "PostgreSQL answered the SSLRequest"

	# The file named, from elsewhere; the ERB's variables set.
	cd "$T"
	run env -u RAILS_ENV -u DATABASE_URL DATABASE_PORT=$((P + 1)) "$SB" doctor app/config/database.yml
	expect_status 1
	header_is "unix:$T0/sock/.s.PGSQL.$((P + 1))"
	verdict_has "use -p $P (PGPORT=$P; Rails: port: $P in config/database.yml)"

	run env -u DATABASE_URL RAILS_ENV=test "$SB" doctor app/config/database.yml
	expect_status 1
	header_is "unix:$T/nowhere/.s.PGSQL.$P"
	has_check note input "test (RAILS_ENV=test)"
	verdict_has "Nothing listens at $T/nowhere/.s.PGSQL.$P, but a server listens at $S. Point the client there (libpq: -h $T0/sock; Rails: host: $T0/sock in config/database.yml)"

	# DATABASE_URL wins over the file, as in Rails.
	run env -u RAILS_ENV DATABASE_URL="postgresql:///x?host=$T/elsewhere" "$SB" doctor app/config/database.yml
	expect_status 1
	header_is "unix:$T/elsewhere/.s.PGSQL.$P"
	has_check note input "DATABASE_URL is set and wins over the file"

	# An unset ENV.fetch with no default stops Rails, and doctor says so.
	printf 'development:\n  adapter: postgresql\n  host: <%%= ENV.fetch("SB_NOPE") %%>\n' >"$T/bad.yml"
	run --separate-stderr env -u SB_NOPE "$SB" doctor "$T/bad.yml"
	expect_status 2
	[[ "$stderr" == *'ENV.fetch("SB_NOPE") with SB_NOPE unset and no default'* ]] ||
	    fail "stderr: $stderr"
}

@test "doctor and ls with relative paths: sock, ./dir, dir/sock" {
	cd "$T0/sock"
	run "$SB" doctor ".s.PGSQL.$P"
	expect_status 0
	header_is "unix:$S"
	has_check note input ".s.PGSQL.$P is relative: checked as $S, from the current directory"
	has_check ok listener "a process listens: pid "

	cd "$T0"
	run "$SB" doctor "./sock/.s.PGSQL.$P"
	expect_status 0
	header_is "unix:$S"
	run "$SB" doctor -p "$P" ./sock
	expect_status 0
	header_is "unix:$S"

	# A socket bound by a relative name, checked from elsewhere.
	mkdir "$T/rel"
	cd "$T/rel"
	start_bg echo "$SB" echo unix:rel.sock
	listen_addr echo >/dev/null
	local pid=$BG_PID
	cd /
	run "$SB" doctor "$T/rel/rel.sock"
	expect_status 0
	has_check ok listener "a process listens: pid $pid, sockbridge"

	# ls DIR and ls DIR/SOCK, relative (a socket bound by its full name:
	# ls matches listeners by the name they were bound with).
	start_bg echo2 "$SB" echo "unix:$T/rel/full.sock"
	listen_addr echo2 >/dev/null
	cd "$T"
	run "$SB" ls rel
	expect_status 0
	[[ "$output" =~ "$T/rel/full.sock"\ +listening\ .*\ $BG_PID\ sockbridge ]] ||
	    fail "ls rel: $output"
	run "$SB" ls ./rel/full.sock
	expect_status 0
	[ "${#lines[@]}" -eq 2 ] && [[ "${lines[1]}" == "$T/rel/full.sock "* ]] ||
	    fail "ls ./rel/full.sock: $output"
}
