#!/usr/bin/env bats
# sockbridge in front of real servers: PostgreSQL (psql, pgbench), nginx
# and python's http.server, systemd (socket activation, readiness), several
# targets, --stats, and the daemon conventions (--pidfile, --user, journald
# priorities). Also checks the syntax of the contrib/ units and container
# files, which cannot run here.
#
# Every server runs in the test's temp dir ($T) on a free loopback port and
# is stopped in teardown: PostgreSQL with "pg_ctl stop -m immediate", nginx
# through its pid file, the rest through start_bg. Waits are bounded loops
# (wait_for), never fixed sleeps; each client runs under timeout(1); each
# test has BATS_TEST_TIMEOUT. The pgbench test over three paths prints its
# tps to the bats output; what it asserts is the count of transactions.

load helpers

: "${BATS_TEST_TIMEOUT:=60}"

PGBIN=/usr/lib/postgresql/15/bin

setup_file() {
	# The real interpreter, not a version manager's shim (slow to start).
	PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PY=
	export PY
	# One initdb for the file; each PostgreSQL test starts a copy.
	PGTPL=
	if [ -x "$PGBIN/initdb" ] && id postgres >/dev/null 2>&1; then
		PGTPL=$(mktemp -d "${TMPDIR:-/tmp}/sb-pgtpl.XXXXXX")
		chmod 755 "$PGTPL"
		chown postgres: "$PGTPL"
		if ! timeout 60 runuser -u postgres -- "$PGBIN/initdb" -N \
		    -D "$PGTPL/data" --auth=trust -U postgres \
		    >"$PGTPL/initdb.log" 2>&1 3>&-; then
			echo "# initdb failed:" >&3
			sed 's/^/# /' "$PGTPL/initdb.log" >&3
			PGTPL=
		fi
	fi
	export PGTPL
}

teardown_file() {
	[ -z "${PGTPL:-}" ] || rm -rf "$PGTPL"
}

setup() {
	common_setup
	# postgres and nginx's workers (nobody) must reach files in $T.
	chmod 755 "$T"
	PGDATA_RUN=
	NGINX_PID=
	unset PGHOST PGPORT PGUSER PGPASSWORD PGSERVICE PGOPTIONS
	export PGDATABASE=postgres
	export PGCONNECT_TIMEOUT=10
}

teardown() {
	if [ -n "$PGDATA_RUN" ]; then
		timeout 20 runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_RUN" \
		    -m immediate -s stop >/dev/null 2>&1 3>&- || true
	fi
	if [ -s "$T/nginx.pid" ]; then
		NGINX_PID=$(cat "$T/nginx.pid")
		kill "$NGINX_PID" 2>/dev/null
		wait_gone "$NGINX_PID" 100 || kill -9 "$NGINX_PID" 2>/dev/null
	fi
	common_teardown
}

# --- helpers -----------------------------------------------------------------

# serve VAR NAME CMD...: bg CMD as NAME and set VAR to the first address it
# listens on. Not a $(...) call, so the pid stays in BG_PIDS for teardown;
# its pid is also in PID_NAME.
serve() {
	local var=$1 name=$2 addr
	shift 2
	bg "$name" "$@"
	printf -v "PID_$name" '%s' "$BG_PID"
	addr=$(listen_addr "$name") || return 1
	printf -v "$var" '%s' "$addr"
}

# echo_on VAR NAME ADDR: a "sockbridge echo" server.
echo_on() {
	serve "$1" "$2" "$SB" echo "$3"
}

# relay_on VAR NAME ARGS...: a "sockbridge relay ARGS" server.
relay_on() {
	local var=$1 name=$2
	shift 2
	serve "$var" "$name" "$SB" relay "$@"
}

need_py() {
	[ -n "$PY" ] || skip "python3 is not installed"
}

# pg_start DIR OPTIONS: start a copy of the template cluster with the given
# server options; PGDATA_RUN is set so teardown stops it.
pg_start() {
	[ -n "${PGTPL:-}" ] || skip "PostgreSQL 15 ($PGBIN) is not installed"
	local dir=$1 opts=$2
	cp -a "$PGTPL/data" "$T/pgdata"
	mkdir -p "$dir"
	chown postgres: "$dir"
	PGDATA_RUN=$T/pgdata
	timeout 40 runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_RUN" \
	    -l "$T/pgdata/server.log" -w -t 30 -s -o "-c fsync=off $opts" start \
	    3>&- || fail "pg_ctl start failed:" "$(cat "$T/pgdata/server.log")"
}

# pg_tcp_only: PostgreSQL on 127.0.0.1:$P, no socket file. Sets P, D (an
# empty directory for a socket file).
pg_tcp_only() {
	need_py
	P=$(free_port)
	D=$T/pg
	pg_start "$D" "-c listen_addresses=127.0.0.1 -c port=$P -c unix_socket_directories=''"
	[ ! -e "$D/.s.PGSQL.$P" ] || fail "PostgreSQL made a socket file"
}

# pg_socket_only: PostgreSQL on $D/.s.PGSQL.$P only. Sets P and D.
pg_socket_only() {
	need_py
	P=$(free_port)
	D=$T/pg
	pg_start "$D" "-c listen_addresses='' -c port=$P -c unix_socket_directories=$D"
	[ -S "$D/.s.PGSQL.$P" ] || fail "no socket file $D/.s.PGSQL.$P"
}

# sql ARGS...: psql -XAt with ARGS, under a time limit.
sql() {
	timeout 20 psql -X -A -t -U postgres "$@"
}

# tps_of OUTPUT: the tps number from pgbench's report.
tps_of() {
	sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$1" | tail -1
}

# positive NUMBER: NUMBER is a number above zero.
positive() {
	awk -v x="$1" 'BEGIN { exit !(x + 0 > 0) }'
}

# since NAME LINE: NAME's log from line LINE+1 on.
since() {
	tail -n +"$(($2 + 1))" "$T/$1.err"
}

# log_lines NAME: how many lines NAME's log has now.
log_lines() {
	wc -l <"$T/$1.err"
}

# targets_since NAME LINE: the targets of "connected to" lines after LINE,
# one per line, in order.
targets_since() {
	since "$1" "$2" | sed -n 's/^sockbridge: conn [0-9]*: connected to //p'
}

# pings ADDR N: N connections through ADDR, each must echo.
pings() {
	local i
	for ((i = 1; i <= $2; i++)); do
		run timeout 10 "$PEER" ping -t 5 "$1" "ping-$i"
		expect_status 0
		expect_output "ping-$i"
	done
}

# scrape CURL-ARGS...: curl -sS under a time limit.
scrape() {
	timeout 10 curl -sS --max-time 5 "$@"
}

# http_server NAME DIR: python3 -m http.server on a free port serving DIR;
# sets HTTPPORT.
http_server() {
	need_py
	HTTPPORT=$(free_port)
	bg "$1" "$PY" -m http.server "$HTTPPORT" --bind 127.0.0.1 \
	    --directory "$2"
	wait_for 200 curl -sf -o /dev/null "http://127.0.0.1:$HTTPPORT/" ||
	    fail "http.server did not come up:" "$(cat "$T/$1.err")"
}

# --- PostgreSQL ----------------------------------------------------------------

@test "postgres: TCP-only server behind 'relay unix:\$D/.s.PGSQL.\$P tcp:127.0.0.1:\$P': psql, pgbench -i, pgbench -c 8 without failures" {
	pg_tcp_only
	relay_on unused relay "unix:$D/.s.PGSQL.$P" "tcp:127.0.0.1:$P"
	[ -S "$D/.s.PGSQL.$P" ]

	run sql -h "$D" -p "$P" -c 'select 42'
	expect_status 0
	expect_output 42
	# The server saw a TCP client: the relay, not a socket connection.
	run sql -h "$D" -p "$P" -c 'select inet_client_addr()'
	expect_output 127.0.0.1

	run timeout 60 pgbench -h "$D" -p "$P" -U postgres -i -s 1 -q
	expect_status 0
	run sql -h "$D" -p "$P" -c 'select count(*) from pgbench_accounts'
	expect_output 100000

	run timeout 30 pgbench -h "$D" -p "$P" -U postgres -c 8 -j 2 -T 5
	expect_status 0
	[[ "$output" =~ number\ of\ transactions\ actually\ processed:\ ([0-9]+) ]] ||
	    fail "no transaction count:" "$output"
	[ "${BASH_REMATCH[1]}" -gt 0 ] || fail "no transactions: $output"
	if [[ "$output" =~ number\ of\ failed\ transactions:\ ([0-9]+) ]]; then
		[ "${BASH_REMATCH[1]}" = 0 ] || fail "failed transactions:" "$output"
	fi
	! grep -qi 'error\|abort' <<<"$output" || fail "pgbench errors:" "$output"
	tps=$(tps_of "$output")
	positive "$tps" || fail "tps '$tps' is not > 0:" "$output"
}

@test "postgres: socket-only server behind 'relay tcp:127.0.0.1:0 unix:...': psql over TCP" {
	pg_socket_only
	relay_on a relay tcp:127.0.0.1:0 "unix:$D/.s.PGSQL.$P"
	run sql -h 127.0.0.1 -p "$(port_of "$a")" -c 'select 42'
	expect_status 0
	expect_output 42
	# The server saw a socket client (no client address).
	run sql -h 127.0.0.1 -p "$(port_of "$a")" -c \
	    "select coalesce(inet_client_addr()::text, 'local')"
	expect_output local
}

@test "postgres: socket-only server through the exec/stdio path, exec:'sockbridge relay - unix:...'" {
	pg_socket_only
	relay_on a relay -v tcp:127.0.0.1:0 "exec:$SB relay - unix:$D/.s.PGSQL.$P"
	for i in 1 2 3; do
		run sql -h 127.0.0.1 -p "$(port_of "$a")" -c "select 40 + $i"
		expect_status 0
		expect_output $((40 + i))
	done
	# A few hundred rows both ways through the child's stdin/stdout.
	run sql -h 127.0.0.1 -p "$(port_of "$a")" -c \
	    "select sum(length(repeat('x', g))) from generate_series(1, 500) g"
	expect_output 125250
}

@test "postgres: the container recipe without containers, unix -> relay A -> tcp -> relay B -> PostgreSQL's socket file" {
	pg_socket_only
	# B: the sidecar next to the database, socket file to TCP.
	relay_on b relayB tcp:127.0.0.1:0 "unix:$D/.s.PGSQL.$P"
	# A: on the client's side, TCP back to a socket file libpq finds.
	mkdir "$T/client"
	relay_on unused relayA "unix:$T/client/.s.PGSQL.$P" "$b"
	run sql -h "$T/client" -p "$P" -c 'select 6 * 7'
	expect_status 0
	expect_output 42
	run sql -h "$T/client" -p "$P" -c \
	    'create table t(x int); insert into t select generate_series(1, 1000); select sum(x) from t'
	expect_status 0
	[ "${lines[-1]}" = 500500 ] || fail "output: $output"
}

@test "postgres: pgbench -S -t 250 with 4 clients, direct, through sockbridge and through socat: every transaction processed" {
	command -v socat >/dev/null || skip "socat is not installed"
	pg_tcp_only
	mkdir "$T/sb" "$T/socat"
	relay_on unused relay -v "unix:$T/sb/.s.PGSQL.$P" "tcp:127.0.0.1:$P"
	bg socat socat "UNIX-LISTEN:$T/socat/.s.PGSQL.$P,fork" "TCP:127.0.0.1:$P"
	wait_for 100 test -S "$T/socat/.s.PGSQL.$P"
	run timeout 60 pgbench -h 127.0.0.1 -p "$P" -U postgres -i -s 1 -q
	expect_status 0

	# A fixed count instead of a duration: each path must carry exactly
	# 4 x 250 transactions without a failure, whatever the speed.
	declare -A host=([direct]=127.0.0.1 [sockbridge]=$T/sb [socat]=$T/socat)
	local via c0
	for via in direct sockbridge socat; do
		c0=$(nlines relay 'accepted')
		run timeout 60 pgbench -h "${host[$via]}" -p "$P" \
		    -U postgres -n -S -c 4 -j 2 -t 250
		expect_status 0
		[[ "$output" =~ number\ of\ transactions\ actually\ processed:\ 1000/1000 ]] ||
		    fail "$via: not 1000/1000 transactions:" "$output"
		if [[ "$output" =~ number\ of\ failed\ transactions:\ ([0-9]+) ]]; then
			[ "${BASH_REMATCH[1]}" = 0 ] || fail "$via: failed transactions:" "$output"
		fi
		echo "# pgbench -S -c 4 -t 250 via $via: $(tps_of "$output") tps" >&3
		if [ "$via" = sockbridge ]; then
			# The 4 clients' connections (and pgbench's own).
			[ $(( $(nlines relay 'accepted') - c0 )) -ge 4 ] ||
			    fail "the relay saw $(( $(nlines relay 'accepted') - c0 )) connections"
		else
			[ "$(nlines relay 'accepted')" = "$c0" ] ||
			    fail "$via went through the relay"
		fi
	done
}

# --- nginx ---------------------------------------------------------------------

@test "nginx: proxy_pass to a socket file sockbridge creates with mode=0666, in front of python http.server" {
	mkdir "$T/www"
	echo "hello from the app $$" >"$T/www/file.txt"
	http_server app "$T/www"
	relay_on unused relay "unix:$T/app.sock,mode=0666" "tcp:127.0.0.1:$HTTPPORT"
	# Control: the same relay with mode 0600 only lets root in.
	relay_on unused relay600 "unix:$T/app600.sock,mode=0600" "tcp:127.0.0.1:$HTTPPORT"
	run stat -c %a "$T/app.sock"
	expect_output 666
	NGINXPORT=$(free_port)
	nginx_start "
	    upstream app { server unix:$T/app.sock fail_timeout=0; }
	    upstream app600 { server unix:$T/app600.sock fail_timeout=0; }
	    server {
	        listen 127.0.0.1:$NGINXPORT;
	        location / { proxy_pass http://app; }
	        location /600/ { proxy_pass http://app600/; }
	    }"
	wait_for 200 curl -s -o /dev/null "http://127.0.0.1:$NGINXPORT/"
	# The workers are not root: that is why the mode matters.
	run ps -o uid= --ppid "$NGINX_PID"
	[ -n "$output" ] && ! grep -qw 0 <<<"$output" ||
	    fail "nginx workers' uids: '$output'"

	run scrape "http://127.0.0.1:$NGINXPORT/file.txt"
	expect_status 0
	expect_output "hello from the app $$"
	run scrape -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINXPORT/600/file.txt"
	expect_output 502
	grep -q 'Permission denied' "$T/nginx-error.log" ||
	    fail "no EACCES in nginx's log:" "$(cat "$T/nginx-error.log")"
}

@test "nginx: listening on a socket file, reached over TCP through 'relay tcp:127.0.0.1:0 unix:nginx.sock'" {
	mkdir "$T/static"
	echo "static $$" >"$T/static/file.txt"
	chmod 755 "$T/static"
	nginx_start "
	    server {
	        listen unix:$T/nginx.sock;
	        root $T/static;
	    }"
	wait_for 200 test -S "$T/nginx.sock" || fail "no $T/nginx.sock"
	relay_on a relay "tcp:127.0.0.1:0" "unix:$T/nginx.sock"
	run scrape "http://$(sed 's/^tcp://' <<<"$a")/file.txt"
	expect_status 0
	expect_output "static $$"
	run scrape -o /dev/null -w '%{http_code}' "http://${a#tcp:}/missing"
	expect_output 404
}

# --- several targets -----------------------------------------------------------

@test "targets: round robin over two live echoes, a down third is marked down; A stops and comes back after fail-timeout" {
	need_py
	echo_on A echoA tcp:127.0.0.1:0
	echo_on B echoB tcp:127.0.0.1:0
	C=tcp:127.0.0.1:$(free_port)
	relay_on r relay -v tcp:127.0.0.1:0 "$A,fail-timeout=500ms" "$B" "$C"

	pings "$r" 6
	mapfile -t got < <(targets_since relay 0)
	[ "${#got[@]}" = 6 ] || fail "connected to: ${got[*]}"
	[ "${got[0]}" = "$A" ] && [ "${got[1]}" = "$B" ] ||
	    fail "first two went to ${got[0]}, ${got[1]}; expected $A then $B"
	na=$(grep -cx "$A" <<<"$(printf '%s\n' "${got[@]}")")
	nb=$(grep -cx "$B" <<<"$(printf '%s\n' "${got[@]}")")
	[ "$na" = 3 ] && [ "$nb" = 3 ] || fail "A $na, B $nb of 6: ${got[*]}"
	expect_log relay "^sockbridge: connect $C: .*\(trying the next target for conn"
	expect_log relay "^sockbridge: $C: marked down for 10000 ms after 1 failed connect$"
	[ "$(grep -c "marked down" "$T/relay.err")" = 1 ]

	# A stops: every connection goes to B.
	kill "$PID_echoA"
	wait_gone "$PID_echoA"
	n=$(log_lines relay)
	pings "$r" 4
	mapfile -t got < <(targets_since relay "$n")
	[ "${got[*]}" = "$B $B $B $B" ] || fail "after A stopped: ${got[*]}"
	since relay "$n" | grep -q "^sockbridge: $A,\?.*marked down for 500 ms" ||
	    fail "A not marked down:" "$(since relay "$n")"

	# A comes back on its port: used again once its 500 ms are over.
	echo_on unused echoA2 "$A"
	n=$(log_lines relay)
	back=
	for ((i = 0; i < 100; i++)); do
		run timeout 10 "$PEER" ping -t 5 "$r" again
		expect_status 0
		if targets_since relay "$n" | grep -qx "$A"; then back=1; break; fi
		sleep 0.05
	done
	[ -n "$back" ] || fail "A never used again:" "$(since relay "$n")"
}

@test "targets: round robin keeps alternating over the live targets across a failover (no target twice in a row)" {
	echo_on A echoA tcp:127.0.0.1:0
	echo_on B echoB tcp:127.0.0.1:0
	need_py
	C=tcp:127.0.0.1:$(free_port)
	relay_on r relay -v tcp:127.0.0.1:0 "$A" "$B" "$C"
	# Third connection: C refuses, the relay fails over. With A and B
	# alternating, the failover must go to A (B just had one).
	pings "$r" 6
	mapfile -t got < <(targets_since relay 0)
	for ((i = 1; i < ${#got[@]}; i++)); do
		[ "${got[i]}" != "${got[i - 1]}" ] ||
		    fail "connections $i and $((i + 1)) both went to ${got[i]}:" \
		    "${got[*]}" "$(grep -v 'accepted\|closed' "$T/relay.err")"
	done
}

@test "targets: a backup target serves only while the primaries are down" {
	echo_on A echoA tcp:127.0.0.1:0
	echo_on K backup tcp:127.0.0.1:0
	relay_on r relay -v tcp:127.0.0.1:0 "$A,fail-timeout=500ms" "$K,backup"
	pings "$r" 4
	mapfile -t got < <(targets_since relay 0)
	[ "${got[*]}" = "$A $A $A $A" ] || fail "with A up: ${got[*]}"

	kill "$PID_echoA"
	wait_gone "$PID_echoA"
	n=$(log_lines relay)
	pings "$r" 3
	mapfile -t got < <(targets_since relay "$n")
	[ "${got[*]}" = "$K $K $K" ] || fail "with A down: ${got[*]}"

	# A back: the backup is left again after A's fail-timeout.
	echo_on unused echoA2 "$A"
	n=$(log_lines relay)
	for ((i = 0; i < 100; i++)); do
		run timeout 10 "$PEER" ping -t 5 "$r" x
		expect_status 0
		targets_since relay "$n" | grep -qx "$A" && break
		sleep 0.05
	done
	n=$(log_lines relay)
	pings "$r" 3
	mapfile -t got < <(targets_since relay "$n")
	[ "${got[*]}" = "$A $A $A" ] || fail "with A back: ${got[*]}"
}

@test "targets: --balance first always picks the first healthy target" {
	echo_on A echoA tcp:127.0.0.1:0
	echo_on B echoB tcp:127.0.0.1:0
	relay_on r relay -v --balance first tcp:127.0.0.1:0 "$A" "$B"
	pings "$r" 4
	mapfile -t got < <(targets_since relay 0)
	[ "${got[*]}" = "$A $A $A $A" ] || fail "with A up: ${got[*]}"
	kill "$PID_echoA"
	wait_gone "$PID_echoA"
	n=$(log_lines relay)
	pings "$r" 3
	mapfile -t got < <(targets_since relay "$n")
	[ "${got[*]}" = "$B $B $B" ] || fail "with A down: ${got[*]}"
}

# --- --stats -------------------------------------------------------------------

# idle unix:PATH | tcp:HOST:PORT: the stats say no connection is open.
idle() {
	case $1 in
	unix:*)	scrape --unix-socket "${1#unix:}" http://x/metrics ;;
	*)	scrape "http://${1#tcp:}/metrics" ;;
	esac | grep -qx 'sockbridge_connections_active 0'
}

@test "stats: --stats unix: counts connections and bytes up and down apart; SIGUSR1 logs the same" {
	# The target is "wc -c": what goes up (N bytes) and what comes down
	# ("N\n") differ in size, so up and down swapped would show.
	relay_on r relay --stats "unix:$T/stats.sock" tcp:127.0.0.1:0 "exec:wc -c"
	wait_for 100 test -S "$T/stats.sock"
	expect_log relay "^sockbridge: stats on unix:$T/stats.sock$"
	local up=0 down=0 n req
	for n in 1000 2345 77 60000 5; do
		req=$(head -c "$n" /dev/zero | tr '\0' u)
		run timeout 10 "$PEER" halfclose -t 5 "$r" "$req"
		expect_status 0
		expect_output "$n"
		up=$((up + n))
		down=$((down + ${#n} + 1))
	done
	[ "$up" != "$down" ]
	want_total="sockbridge_connections_total 5"
	want_up="sockbridge_bytes_total{direction=\"up\"} $up"
	want_down="sockbridge_bytes_total{direction=\"down\"} $down"
	# Counters settle once the relay has closed the connections.
	wait_for 100 idle "unix:$T/stats.sock"
	run scrape --unix-socket "$T/stats.sock" http://x/metrics
	expect_status 0
	grep -qx "$want_total" <<<"$output" || fail "no '$want_total':" "$output"
	grep -qxF "$want_up" <<<"$output" || fail "no '$want_up':" "$output"
	grep -qxF "$want_down" <<<"$output" || fail "no '$want_down':" "$output"
	grep -q '^# TYPE sockbridge_connections_total counter$' <<<"$output"
	# Headers: a Prometheus text response.
	run scrape -D - -o /dev/null --unix-socket "$T/stats.sock" http://x/metrics
	grep -qi '^content-type: text/plain; version=0.0.4' <<<"$output" ||
	    fail "headers:" "$output"

	kill -USR1 "$PID_relay"
	wait_for 100 grep -qx "sockbridge: stats: $want_total" "$T/relay.err" ||
	    fail "no stats in the log:" "$(cat "$T/relay.err")"
	grep -qxF "sockbridge: stats: $want_up" "$T/relay.err" ||
	    fail "no '$want_up' in the log:" "$(cat "$T/relay.err")"
	grep -qxF "sockbridge: stats: $want_down" "$T/relay.err" ||
	    fail "no '$want_down' in the log:" "$(cat "$T/relay.err")"
	# Still running after SIGUSR1.
	kill -0 "$PID_relay"
}

@test "stats: --stats tcp:127.0.0.1:0 works, target_up is 0 for a down target and 1 for a live one" {
	need_py
	echo_on e echo tcp:127.0.0.1:0
	dead=tcp:127.0.0.1:$(free_port)
	relay_on r relay --stats tcp:127.0.0.1:0 tcp:127.0.0.1:0 "$e" "$dead"
	wait_for 100 grep -q '^sockbridge: stats on tcp:' "$T/relay.err"
	s=$(sed -n 's/^sockbridge: stats on tcp://p' "$T/relay.err")
	pings "$r" 3
	wait_for 100 idle "tcp:$s"
	run scrape "http://$s/metrics"
	expect_status 0
	grep -qxF "sockbridge_target_up{target=\"$dead\",backup=\"0\"} 0" <<<"$output" ||
	    fail "down target not 0:" "$output"
	grep -qxF "sockbridge_target_up{target=\"$e\",backup=\"0\"} 1" <<<"$output" ||
	    fail "live target not 1:" "$output"
	grep -qxF "sockbridge_target_failures_total{target=\"$dead\"} 1" <<<"$output"
	grep -qxF 'sockbridge_errors_total{kind="connect_refused"} 1' <<<"$output"
	grep -qx 'sockbridge_connections_total 3' <<<"$output"
}

# --- systemd -------------------------------------------------------------------

@test "systemd: systemd-socket-activate with two sockets, --fdname=one:two, listens only on 'systemd:two'" {
	needs_tool systemd-socket-activate
	echo_on unused echo "unix:$T/echo.sock"
	bg sa systemd-socket-activate -l "$T/a.sock" -l "$T/b.sock" \
	    --fdname=one:two "$SB" relay -v systemd:two "unix:$T/echo.sock"
	wait_for 100 test -S "$T/b.sock"
	run timeout 10 "$PEER" ping -t 5 "unix:$T/b.sock" via-two
	expect_status 0
	expect_output via-two
	expect_log sa "^sockbridge: listening on unix:$T/b.sock$"
	run grep -c '^sockbridge: listening on' "$T/sa.err"
	expect_output 1
	# Nothing serves "one": the connect is queued, never answered.
	run timeout 5 "$PEER" ping -t 1 "unix:$T/a.sock" via-one
	[ "$status" != 0 ] || fail "a.sock answered: $output"
	run grep -c 'accepted' "$T/sa.err"
	expect_output 1
}

# notify_listen: a NOTIFY_SOCKET at $T/notify.sock; each datagram it gets
# becomes a line of $T/notify.log.
notify_listen() {
	cat >"$T/notify.py" <<-'EOF'
	import socket, sys
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	s.bind(sys.argv[1])
	with open(sys.argv[2], "ab", buffering=0) as f:
	    while True:
	        f.write(s.recv(4096) + b"\n")
	EOF
	bg notify "$PY" "$T/notify.py" "$T/notify.sock" "$T/notify.log"
	wait_for 200 test -S "$T/notify.sock" || fail "no notify socket"
}

@test "systemd: NOTIFY_SOCKET gets READY=1 and STATUS= after binding, STOPPING=1 on SIGTERM" {
	need_py
	echo_on unused echo "unix:$T/echo.sock"
	notify_listen
	bg relay env NOTIFY_SOCKET="$T/notify.sock" "$SB" relay "unix:$T/r.sock" "unix:$T/echo.sock"
	pid=$BG_PID
	wait_for 100 grep -qx READY=1 "$T/notify.log" ||
	    fail "no READY=1:" "$(cat "$T/notify.log" 2>/dev/null)" "$(cat "$T/relay.err")"
	grep -qx "STATUS=listening on unix:$T/r.sock" "$T/notify.log" ||
	    fail "no STATUS=:" "$(cat "$T/notify.log")"
	# Ready means bound: the socket answers without waiting.
	run timeout 10 "$PEER" ping -t 5 "unix:$T/r.sock" ready
	expect_output ready
	! grep -q STOPPING "$T/notify.log" || fail "STOPPING=1 before SIGTERM"

	kill -TERM "$pid"
	wait_for 100 grep -qx STOPPING=1 "$T/notify.log" ||
	    fail "no STOPPING=1:" "$(cat "$T/notify.log")"
	wait_gone "$pid"
	[ "$(grep -c READY=1 "$T/notify.log")" = 1 ]
}

@test "systemd: exec: children do not inherit NOTIFY_SOCKET (one READY=1, from the relay itself)" {
	need_py
	echo_on unused echo "unix:$T/echo.sock"
	notify_listen
	bg relay env NOTIFY_SOCKET="$T/notify.sock" "$SB" relay \
	    tcp:127.0.0.1:0 "exec:$SB relay - unix:$T/echo.sock"
	a=$(listen_addr relay)
	wait_for 100 grep -qx READY=1 "$T/notify.log"
	pings "$a" 2
	# A marker sent now is queued after anything the children sent.
	"$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"SYNC", sys.argv[1])' "$T/notify.sock"
	wait_for 100 grep -qx SYNC "$T/notify.log"
	# sd_notify(3): a service's children must not talk to systemd in its
	# name (under NotifyAccess=main each such message is logged as
	# rejected; under NotifyAccess=all it overwrites the STATUS=).
	run grep -c '^READY=1$' "$T/notify.log"
	[ "$output" = 1 ] ||
	    fail "$output READY=1 messages, expected 1:" "$(cat "$T/notify.log")"
}

# --- daemon conventions --------------------------------------------------------

@test "daemon: --pidfile holds the relay's pid and is removed on exit" {
	echo_on e echo tcp:127.0.0.1:0
	relay_on unused relay --pidfile "$T/sb.pid" tcp:127.0.0.1:0 "$e"
	pid=$PID_relay
	wait_for 100 test -s "$T/sb.pid"
	run cat "$T/sb.pid"
	expect_output "$pid"
	kill -TERM "$pid"
	wait_gone "$pid"
	[ ! -e "$T/sb.pid" ] || fail "pid file left behind"
}

@test "daemon: --user nobody:nogroup drops to uid 65534 after binding in a root-only dir, and still serves" {
	needs_root
	needs_proc
	id nobody >/dev/null 2>&1 && getent group nogroup >/dev/null ||
	    skip "no user nobody or group nogroup"
	echo_on e echo tcp:127.0.0.1:0
	mkdir -m 0755 "$T/run"
	relay_on unused relay --user nobody:nogroup "unix:$T/run/r.sock" "$e"
	pid=$PID_relay
	[ "$(stat -c %U "$T/run")" = root ]
	run timeout 10 "$PEER" ping -t 5 "unix:$T/run/r.sock" as-nobody
	expect_output as-nobody
	run grep -E '^(Uid|Gid|Groups):' "/proc/$pid/status"
	grep -qP '^Uid:\t65534\t65534\t65534\t65534$' <<<"$output" ||
	    fail "uids: $output"
	grep -qP '^Gid:\t65534\t65534\t65534\t65534$' <<<"$output" ||
	    fail "gids: $output"
	grep -qP '^Groups:\t(65534 ?)?$' <<<"$output" || fail "groups: $output"
	run grep '^CapEff:' "/proc/$pid/status"
	expect_output "$(printf 'CapEff:\t0000000000000000')"
	# And again, now certainly as nobody.
	run timeout 10 "$PEER" ping -t 5 "unix:$T/run/r.sock" again
	expect_output again
	# As nobody it cannot remove its file from a root-owned directory: it
	# says so, and the next start replaces the stale file.
	kill -TERM "$pid"
	wait_gone "$pid"
	expect_log relay "^sockbridge: unix:$T/run/r.sock: cannot remove the socket file after --user: Permission denied, ignoring$"
	relay_on unused relay2 --user nobody:nogroup "unix:$T/run/r.sock" "$e"
	expect_log relay2 "stale"
	run timeout 10 "$PEER" ping -t 5 "unix:$T/run/r.sock" restarted
	expect_output restarted
}

@test "daemon: with JOURNAL_STREAM naming stderr, lines carry journald priorities (<5> listening, <6> -v, <3> errors)" {
	need_py
	dead=tcp:127.0.0.1:$(free_port)
	: >"$T/relay.err"
	js=$(stat -c '%d:%i' "$T/relay.err")
	bg relay env JOURNAL_STREAM="$js" "$SB" relay -v --no-wait-target tcp:127.0.0.1:0 "$dead"
	wait_for 100 grep -q '^<5>sockbridge: listening on tcp:127.0.0.1:' "$T/relay.err" ||
	    fail "log:" "$(cat "$T/relay.err")"
	a=$(sed -n 's/^<5>sockbridge: listening on //p' "$T/relay.err")
	run timeout 10 "$PEER" ping -t 2 "$a" x
	wait_for 100 grep -q "^<3>sockbridge: connect $dead: Connection refused" "$T/relay.err" ||
	    fail "log:" "$(cat "$T/relay.err")"
	expect_log relay '^<6>sockbridge: conn 1: accepted '
	# Every line has a priority.
	! grep -v '^<[0-7]>sockbridge: ' "$T/relay.err" || fail "lines without <N>"

	# A JOURNAL_STREAM for another file: plain lines.
	: >"$T/other.err"
	bg plain env JOURNAL_STREAM="$(stat -c '%d:%i' "$T/other.err")" "$SB" relay tcp:127.0.0.1:0 "$dead"
	listen_addr plain >/dev/null
	! grep -q '^<' "$T/plain.err" || fail "prefixes for another stream:" "$(cat "$T/plain.err")"
}

# --- contrib/ ------------------------------------------------------------------

CONTRIB=$BATS_TEST_DIRNAME/../../contrib

@test "contrib: Dockerfile has a debian:12 build stage and a runtime stage that copies the binary" {
	f=$CONTRIB/Dockerfile
	[ -f "$f" ] || fail "missing contrib/Dockerfile"
	run grep -Ec '^FROM ' "$f"
	[ "$output" -ge 2 ] || fail "want two stages, got $output FROM lines"
	grep -Eq '^FROM debian:12 AS build$' "$f"
	grep -Eq 'apt-get install .*gcc.*make|apt-get install .*make.*gcc' "$f"
	grep -Eq '^RUN make ' "$f"
	grep -Eq '^COPY --from=build .*/sockbridge /usr/local/bin/sockbridge$' "$f"
	grep -Eq '^ENTRYPOINT \["/usr/local/bin/sockbridge"\]$' "$f"
	# The make lines build what the build stage copied in.
	for d in $(sed -n 's/^COPY \([a-z]*\)\/ .*/\1/p' "$f"); do
		[ -d "$CONTRIB/../$d" ] || fail "COPY $d/: no such directory"
	done
}

@test "contrib: compose.yml parses and has the sidecar recipe (db, sockbridge sharing /var/run/postgresql, app)" {
	f=$CONTRIB/compose.yml
	[ -f "$f" ] || fail "missing contrib/compose.yml"
	python3 -c 'import yaml' 2>/dev/null ||
	    skip "needs python3's yaml module (Debian package python3-yaml)"
	run timeout 20 python3 - "$f" <<-'EOF'
	import sys, yaml
	d = yaml.safe_load(open(sys.argv[1]))
	s = d["services"]
	assert {"db", "sockbridge", "app"} <= set(s), sorted(s)
	def vols(svc):
	    return {v.split(":")[0] for v in s[svc].get("volumes", [])
	            if v.split(":")[1] == "/var/run/postgresql"}
	shared = vols("db") & vols("sockbridge")
	assert shared and shared <= set(d["volumes"]), shared
	cmd = s["sockbridge"]["command"]
	assert cmd == ["relay", "tcp:0.0.0.0:5433",
	               "unix:/var/run/postgresql/.s.PGSQL.5432"], cmd
	assert s["sockbridge"]["build"]["dockerfile"] == "contrib/Dockerfile"
	assert s["app"]["environment"]["PGHOST"] == "sockbridge"
	assert s["app"]["environment"]["PGPORT"] == "5433"
	print("ok")
	EOF
	expect_status 0
	expect_output ok
}

@test "contrib: sockbridge@.socket, sockbridge@.service and sockbridge-relay@.service pass systemd-analyze verify" {
	command -v systemd-analyze >/dev/null ||
	    skip "systemd-analyze is not installed"
	for f in sockbridge@.service sockbridge@.socket sockbridge-relay@.service; do
		[ -f "$CONTRIB/$f" ] || fail "missing contrib/$f"
	done
	grep -qx 'ListenStream=/run/sockbridge/%i.sock' "$CONTRIB/sockbridge@.socket"
	grep -qx 'SocketMode=0660' "$CONTRIB/sockbridge@.socket"
	grep -qx 'Type=notify' "$CONTRIB/sockbridge@.service"
	grep -qx 'EnvironmentFile=/etc/sockbridge/%i.conf' "$CONTRIB/sockbridge@.service"
	grep -Eqx 'ExecStart=/usr/local/bin/sockbridge relay .*systemd \$\{TARGET\}' \
	    "$CONTRIB/sockbridge@.service"
	grep -qx 'RuntimeDirectory=sockbridge' "$CONTRIB/sockbridge-relay@.service"
	for k in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes \
	    PrivateTmp=yes PrivateDevices=yes CapabilityBoundingSet= \
	    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
	    SystemCallFilter=@system-service MemoryDenyWriteExecute=yes \
	    LockPersonality=yes RestrictNamespaces=yes; do
		grep -qxF "$k" "$CONTRIB/sockbridge@.service" ||
		    fail "sockbridge@.service lacks $k"
		grep -qxF "$k" "$CONTRIB/sockbridge-relay@.service" ||
		    fail "sockbridge-relay@.service lacks $k"
	done
	# /usr/local/bin/sockbridge is not installed here: verify copies that
	# run the build. Documentation=man:sockbridge(1) resolves to man/.
	mkdir -p "$T/units" "$T/man/man1"
	for f in sockbridge@.service sockbridge@.socket sockbridge-relay@.service; do
		sed "s#/usr/local/bin/sockbridge#$SB#" "$CONTRIB/$f" >"$T/units/$f"
	done
	cp "$CONTRIB/../man/sockbridge.1" "$T/man/man1/"
	man_opt=--man=yes
	command -v man >/dev/null || man_opt=--man=no
	cd "$T/units"
	# Unknown keys and bad values are only warnings (exit 0): any output
	# at all is a failure.
	run env MANPATH="$T/man" timeout 30 systemd-analyze verify "$man_opt" \
	    ./sockbridge@.socket ./sockbridge@.service ./sockbridge-relay@.service
	expect_status 0
	expect_output ""
}
