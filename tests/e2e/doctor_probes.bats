#!/usr/bin/env bats
# doctor asks the server in its own protocol and never dies doing it:
# peers that close at once (50 runs, text and --json: exit 141 would be
# SIGPIPE), reset, never answer or send garbage (tests/tools/bad-peer.py);
# then real servers, each at its socket file: redis-server (PING), mariadbd
# (its greeting), dockerd (GET /_ping), nginx serving HTTP on a unix
# socket (HEAD /). Each verdict names the client setting to change.

load helpers

bats_require_minimum_version 1.5.0

: "${BATS_TEST_TIMEOUT:=60}"

setup() {
	common_setup
	chmod 0755 "$T"
	U=sbp-$$-$RANDOM
}

teardown() {
	common_teardown
}

# bad_peer NAME PATH MODE: tests/tools/bad-peer.py serving PATH.
bad_peer() {
	bg "$1" python3 "$TOOLS/bad-peer.py" "$2" "$3"
	wait_for 100 grep -q listening "$T/$1.out" ||
	    fail "bad-peer did not start:" "$(cat "$T/$1.err")"
}

# doctor_run ARGS...: run doctor with a time limit; output in $output,
# with doctor's line wrapping undone (a newline and indent: one space).
doctor_run() {
	run timeout 20 "$SB" doctor "$@"
	output=$(sed -e ':a' -e 'N' -e '$!ba' -e 's/\n  */ /g' <<<"$output")
}

@test "doctor never dies on a peer that closes at once: 50 runs, text and --json" {
	local s=$T/.s.PGSQL.$((40000 + RANDOM % 20000)) i
	bad_peer close "$s" close
	for ((i = 0; i < 25; i++)); do
		doctor_run "$s"
		[ "$status" -eq 1 ] || fail "run $i: exit $status" "$output"
		# Closed before or after our request came in: the kernel
		# says EOF or ECONNRESET; doctor reports which.
		[[ $output =~ "accepted the connection, then "("closed it without answering the SSLRequest"|"reset it (ECONNRESET) after the SSLRequest") ]] ||
		    fail "run $i" "$output"
		run timeout 20 "$SB" doctor --json "$s"
		[ "$status" -eq 1 ] || fail "json run $i: exit $status" "$output"
		printf '%s\n' "$output" >>"$T/runs.json"
	done
	# Every --json run printed one whole object with that verdict.
	python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    d = json.loads(line)
    assert d["connect"]["ok"], d
    assert ("closed it without answering" in d["verdict"] or
            "reset it (ECONNRESET)" in d["verdict"]), d["verdict"]
    n += 1
assert n == 25, n' "$T/runs.json" || fail "json runs: $(cat "$T/runs.json")"
	# And a socket of no known protocol: doctor only listens.
	bad_peer close2 "$T/$U.sock" close
	doctor_run "$T/$U.sock"
	expect_status 1
	[[ $output =~ "but it accepted the connection, then "("closed it without answering"|"reset it (ECONNRESET)")": no client gets a reply there" ]] ||
	    fail "$output"
}

@test "doctor: a peer that resets, one that never answers, one that sends garbage" {
	bad_peer reset "$T/reset.sock" reset
	doctor_run --service redis "$T/reset.sock"
	expect_status 1
	expect_contains "then reset it (ECONNRESET) after PING"

	bad_peer silent "$T/.s.PGSQL.5999" silent
	SECONDS=0
	doctor_run "$T/.s.PGSQL.5999"
	expect_status 1
	expect_contains "accepted the connection, but did not answer the SSLRequest in time"
	[ "$SECONDS" -lt 10 ] || fail "took $SECONDS s"

	bad_peer garbage "$T/mysqld.sock" garbage
	doctor_run --service redis "$T/mysqld.sock"
	expect_status 1
	expect_contains 'answered PING, but not as Redis does: "\x01garbage\xff\xfe'
	# --service auto tries each protocol and says what each did.
	doctor_run --service auto "$T/mysqld.sock"
	expect_status 0
	expect_contains "--service auto: tried in turn MySQL/MariaDB: accepted the connection, but sent no greeting in time; PostgreSQL: answered the SSLRequest, but not as PostgreSQL does"
	expect_contains "None of the protocols doctor knows answered"
	expect_contains "Redis: answered PING, but not as Redis does"
	doctor_run --service nosuch "$T/mysqld.sock"
	expect_status 2
	expect_contains "--service nosuch: not one of postgresql, mysql, redis, docker, http, auto"
}

@test "doctor: a real redis-server answers PING; the verdict names REDIS_URL" {
	command -v redis-server >/dev/null || fail "redis-server is not installed (scripts/install-deps --test)"
	bg redis redis-server --port 0 --unixsocket "$T/redis.sock" \
	    --save '' --appendonly no --dir "$T"
	wait_for 200 test -S "$T/redis.sock" || fail "redis did not start" "$(cat "$T/redis.out")"
	doctor_run "$T/redis.sock"
	expect_status 0
	expect_contains "Redis answered PING: +PONG"
	expect_contains "REDIS_URL=unix://$T/redis.sock"
	# With a password it is still Redis, and says so.
	kill "$BG_PID"; wait_gone "$BG_PID"
	bg redis2 redis-server --port 0 --unixsocket "$T/r2.sock" \
	    --save '' --appendonly no --dir "$T" --requirepass s3cret
	wait_for 200 test -S "$T/r2.sock" || fail "redis did not start"
	doctor_run --service redis "$T/r2.sock"
	expect_status 0
	expect_contains "-NOAUTH"
	expect_contains "it wants a password"
	# Missing: the verdict still names the setting.
	doctor_run "$T/redis-gone.sock"
	expect_status 1
	expect_contains "REDIS_URL=unix://$T/redis-gone.sock"
}

@test "doctor: a real mariadbd greets; the verdict names socket= and DATABASE_URL" {
	command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] ||
	    fail "mariadbd is not installed (scripts/install-deps --test)"
	local md
	md=$(command -v mariadbd || echo /usr/sbin/mariadbd)
	mariadb-install-db --no-defaults --datadir="$T/db" --user=root \
	    --auth-root-authentication-method=normal --skip-test-db \
	    >"$T/install-db.log" 2>&1 || fail "mariadb-install-db:" "$(cat "$T/install-db.log")"
	bg mariadb "$md" --no-defaults --datadir="$T/db" --user=root \
	    --socket="$T/mysqld.sock" --skip-networking --pid-file="$T/md.pid" \
	    --skip-grant-tables --innodb-buffer-pool-size=8M --log-error="$T/md.log"
	wait_for 600 test -S "$T/mysqld.sock" || fail "mariadbd did not start:" "$(cat "$T/md.log")"
	doctor_run "$T/mysqld.sock"
	expect_status 0
	expect_contains "MySQL/MariaDB spoke first: a server greeting, version"
	expect_contains "MariaDB"
	expect_contains "socket=$T/mysqld.sock under [client]"
	expect_contains "DATABASE_URL=mysql2://USER@localhost/DB?socket=$T/mysqld.sock"
	expect_contains "socket: $T/mysqld.sock in config/database.yml"
}

@test "doctor: a real dockerd answers GET /_ping; the verdict names DOCKER_HOST" {
	unset DOCKER_HOST	# the real daemon (helpers.bash hides it)
	command -v dockerd >/dev/null || fail "docker.io is not installed"
	if ! timeout 10 docker info >/dev/null 2>&1; then
		(dockerd --iptables=false >/tmp/dockerd.log 2>&1 3>&- &)
		wait_for 600 timeout 5 docker info || fail "dockerd did not start:" "$(tail /tmp/dockerd.log)"
	fi
	doctor_run /var/run/docker.sock
	expect_status 0
	expect_contains "Docker answered GET /_ping: OK, HTTP 200"
	expect_contains "DOCKER_HOST=unix:///var/run/docker.sock"
	# An HTTP server that is not Docker, at a docker.sock name.
	nginx_start "server { listen unix:$T/docker.sock; return 200 'hi'; }"
	wait_for 100 test -S "$T/docker.sock"
	doctor_run "$T/docker.sock"
	expect_status 1
	expect_contains "answered GET /_ping, but not as Docker does"
}

@test "doctor: an HTTP app socket served by a real nginx answers HEAD /; the verdict names upstream" {
	nginx_start "server { listen unix:$T/app.sock; location / { return 200 'ok'; } }"
	wait_for 100 test -S "$T/app.sock" || fail "nginx did not listen"
	doctor_run "$T/app.sock"
	expect_status 0
	expect_contains "HTTP answered HEAD /: HTTP status 200 (Server: nginx"
	expect_contains "upstream app { server unix:$T/app.sock; }"
	# A redis at an HTTP-looking name: --service http says it is not HTTP.
	bg redis redis-server --port 0 --unixsocket "$T/web.sock" --save '' --appendonly no --dir "$T"
	wait_for 200 test -S "$T/web.sock" || fail "redis did not start"
	doctor_run "$T/web.sock"
	expect_status 1
	expect_contains "but it is not a working HTTP server: it accepted the connection, then closed it without answering HEAD /"
}
