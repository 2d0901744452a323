#!/usr/bin/env bats
# Access control and the PROXY protocol end to end: who may connect
# (allow-uid/gid/user/group on unix listeners, allow=CIDR on tcp
# listeners), the PROXY protocol sent (send-proxy, send-proxy-v2, the UNIX
# family 0x31 with the peer-credentials TLV 0xE0) and received
# (accept-proxy, strictly, with a 3 s deadline, only from allowed peers),
# interop with haproxy and nginx as real peers, and faults under load (slow
# reader, idle client, a PostgreSQL target restarted under pgbench, SIGTERM
# under load, kill -9, fd exhaustion, a storm of 1-byte writes).
#
# The python helpers live in tests/tools/: targets that must prove they saw
# nothing are capture-server.py (it notes every connection it accepts and
# saves what each one sent); clients are sock-client.py, which prints its
# own address, pid, uid and gid, so that the relay's log and the PROXY
# header can be compared with the truth; proxy-decode.py turns a captured
# stream into lines, proxy-hex.py builds PROXY headers. Other users are
# played with setpriv (nobody, extra groups).
#
# Every server runs in the test's temp dir ($T) or on a free loopback port
# and is stopped in teardown. Waits are bounded loops, never fixed sleeps
# (the pauses inside the python clients are the stimulus under test, not a
# wait). The fault tests print their figures (peak RSS, fd counts, ...) to
# the bats output as "# ..." lines.

load helpers

: "${BATS_TEST_TIMEOUT:=60}"
# 20 PostgreSQL stops and starts take 25-45 s here alone (each start about
# 0.5 s, plus the load reaching the server again): more under a loaded CI.
[[ $BATS_TEST_NAME != *PostgreSQL_restarted_20_times* ]] ||
    BATS_TEST_TIMEOUT=$((BATS_TEST_TIMEOUT * 2))

PGBIN=/usr/lib/postgresql/15/bin

setup_file() {
	# The real interpreter, not a version manager's shim (slow to start,
	# and under /root, where nobody cannot reach it).
	PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PY=
	export PY
}

setup() {
	common_setup
	# nobody's clients, nginx's workers and postgres reach files in $T.
	chmod 755 "$T"
	[ -n "$PY" ] || skip "needs python3"
	PGDATA_RUN=
	unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE
}

teardown() {
	# A background load loop stops at this file.
	touch "$T/stop" 2>/dev/null || true
	if [ -n "$PGDATA_RUN" ]; then
		timeout 20 runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_RUN" \
		    -m immediate -s stop >/dev/null 2>&1 3>&- || true
	fi
	common_teardown
}

# --- helpers -----------------------------------------------------------------

# serve VAR NAME CMD...: bg CMD as NAME, wait for its "listening on" line
# (sockbridge's on stderr, the python servers' on stdout) and set VAR to
# the address; the pid is in PID_NAME.
serve() {
	local var=$1 name=$2 i a=
	shift 2
	bg "$name" "$@"
	printf -v "PID_${name//[^A-Za-z0-9_]/_}" '%s' "$BG_PID"
	for ((i = 0; i < 200; i++)); do
		a=$(sed -n 's/^\(sockbridge: \)\{0,1\}listening on //p' \
		    "$T/$name.err" "$T/$name.out" 2>/dev/null | head -1)
		[ -n "$a" ] && break
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -n "$a" ] || fail "$name never listened:" "$(cat "$T/$name.err")"
	printf -v "$var" '%s' "$a"
}

# relay VAR NAME ARGS...: "sockbridge relay -v ARGS" as NAME.
relay() {
	local var=$1 name=$2
	shift 2
	serve "$var" "$name" "$SB" relay -v "$@"
}

# echo_srv VAR NAME ADDR: "sockbridge echo -v ADDR".
echo_srv() {
	serve "$1" "$2" "$SB" echo -v "$3"
}

# capture VAR NAME ADDR: the capture server on ADDR (tcp:127.0.0.1:0,
# unix:PATH). Connection k is noted in $T/NAME.d/accepted as it is
# accepted; what it sent up to its EOF is saved in $T/NAME.d/conn-k.bin,
# and then it is answered "got LEN\n" and closed.
capture() {
	mkdir -p "$T/$2.d"
	serve "$1" "$2" "$PY" "$TOOLS/capture-server.py" "$3" "$T/$2.d"
}

# accepted NAME: how many connections capture server NAME has accepted.
accepted() {
	if [ -e "$T/$1.d/accepted" ]; then wc -l <"$T/$1.d/accepted"; else echo 0; fi
}

# client ARGS...: run the python client (tests/tools/sock-client.py) under a limit.
client() {
	run timeout 30 "$PY" "$TOOLS/sock-client.py" "$@"
}

# client_as WHO-ARGS... -- ARGS...: the client under setpriv WHO-ARGS.
client_as() {
	local who=()
	while [ "$1" != -- ]; do who+=("$1"); shift; done
	shift
	run timeout 30 setpriv "${who[@]}" "$PYN" "$TOOLS/sock-client.py" "$@"
}

# field KEY: the value of KEY=... in the last run's output.
field() {
	sed -n "s/^$1=//p" <<<"$output" | head -1
}

# expect_line LINE: the last run printed LINE as a whole line.
expect_line() {
	grep -Fxq -- "$1" <<<"$output" ||
	    fail "no line '$1' in:" "$output"
}

# served REPLY: the client's exchange went through, answered REPLY.
served() {
	expect_status 0
	[ "$(field reply)" = "$1" ] ||
	    fail "reply '$(field reply)', expected '$1'" "$output"
}

# answered: the client's exchange went through (the capture server's
# "got LEN" answer, LEN counting a PROXY header too).
answered() {
	expect_status 0
	[[ "$(field reply)" =~ ^got\ [0-9]+\\n$ ]] ||
	    fail "no answer from the capture server:" "$output"
}

# refused: the client was closed without a byte of answer.
refused() {
	expect_status 0
	[ "$(field reply)" = "" ] && [[ "$(field end)" =~ ^(eof|reset)$ ]] ||
	    fail "expected to be closed without an answer:" "$output"
}

no_log() {
	! grep -Eq -- "$2" "$T/$1.err" ||
	    fail "unexpected line matching /$2/ in $1's log:" \
	    "$(cat "$T/$1.err")"
}

# wait_log NAME ERE: wait up to 5 s for a line matching ERE.
wait_log() {
	wait_for 100 grep -Eq -- "$2" "$T/$1.err" ||
	    fail "no line matching /$2/ in $1's log after 5 s:" \
	    "$(cat "$T/$1.err")"
}

# decode FILE [raw]: the capture FILE as text (tests/tools/proxy-decode.py) in $output;
# raw: all of it as payload=.
decode() {
	run "$PY" "$TOOLS/proxy-decode.py" "$@"
	expect_status 0
}

# pphex EXPR...: the bytes of python expressions (helpers of proxy-hex.py in
# scope) as hex, one line each, for client steps "x:HEX".
pphex() {
	"$PY" "$TOOLS/proxy-hex.py" "$@"
}

# cases_hex CASE...: split each "EXPR|TEXT" into HEXES[i] (EXPR as hex)
# and TEXTS[i], with a single python run.
cases_hex() {
	local c exprs=()
	TEXTS=()
	for c in "$@"; do
		exprs+=("${c%%|*}")
		TEXTS+=("${c#*|}")
	done
	mapfile -t HEXES < <(pphex "${exprs[@]}")
	[ "${#HEXES[@]}" = "${#TEXTS[@]}" ] || fail "pphex failed"
}

fds_at_most() {
	[ "$(nfds "$1")" -le "$2" ]
}

rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# reap PID: wait for PID (a child of this shell) to end; its status is
# in REAPED.
reap() {
	REAPED=
	wait_gone "$1" "${2:-100}" || fail "pid $1 still running"
	REAPED=0
	wait "$1" || REAPED=$?
}

# note TEXT: a figure worth reading (RSS, fds, timings), on the bats output.
note() {
	echo "# $*" >&3
}

# need_nobody: skip unless we are root and nobody can run the client.
# PYN is a python3 that nobody may run.
need_nobody() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	command -v setpriv >/dev/null || skip "needs setpriv"
	NOBODY_UID=$(id -u nobody 2>/dev/null) || skip "needs user nobody"
	NOGROUP=$(id -gn nobody)
	PYN=
	local p
	for p in "$PY" /usr/bin/python3; do
		if setpriv --reuid=nobody --regid="$NOGROUP" --clear-groups \
		    "$p" -c 'pass' 2>/dev/null; then
			PYN=$p
			break
		fi
	done
	[ -n "$PYN" ] || skip "nobody cannot run python3"
	# A group id that is not nobody's uid, for credentials where a uid
	# and gid swapped would show.
	OTHER_GID=100
	[ "$OTHER_GID" != "$NOBODY_UID" ] || OTHER_GID=101
}

need_v6() {
	"$PY" -c 'import socket
socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null ||
	    skip "no IPv6 loopback"
}

# wait_port PORT: wait up to 10 s until something listens on PORT (asked
# of ss, so that no probe connection reaches the server).
wait_port() {
	wait_for 200 port_open "$1" ||
	    fail "nothing listens on 127.0.0.1:$1"
}

port_open() {
	[ -n "$(ss -ltnH "( sport = :$1 )" 2>/dev/null)" ]
}

need_haproxy() {
	command -v haproxy >/dev/null 2>&1 || skip "haproxy is not installed"
}

# haproxy_start CONF: run haproxy -db on $T/haproxy.cfg made of a
# defaults section and CONF; waits until each "bind 127.0.0.1:P" listens.
haproxy_start() {
	need_haproxy
	cat >"$T/haproxy.cfg" <<-EOF
	global
	    log stdout format raw local0 info
	defaults
	    log global
	    timeout connect 5s
	    timeout client 10s
	    timeout server 10s
	$1
	EOF
	bg haproxy haproxy -db -f "$T/haproxy.cfg"
	local p
	for p in $(grep -o 'bind 127\.0\.0\.1:[0-9]*' "$T/haproxy.cfg" |
	    cut -d: -f2); do
		wait_port "$p" ||
		    fail "haproxy did not come up:" "$(cat "$T/haproxy.out" \
		    "$T/haproxy.err")"
	done
}

# curl_through ARGS...: curl -sS, body and then " port=LOCALPORT".
curl_through() {
	run timeout 15 curl -sS --max-time 10 -w ' port=%{local_port}' "$@"
}

# pg_start: a fresh PostgreSQL 15 on 127.0.0.1:$PGP only; PGDATA_RUN is set
# so that teardown stops it.
pg_start() {
	[ -x "$PGBIN/initdb" ] && id postgres >/dev/null 2>&1 ||
	    skip "PostgreSQL 15 ($PGBIN) is not installed"
	command -v pgbench >/dev/null || skip "pgbench is not installed"
	mkdir -p "$T/pg"
	chown postgres: "$T/pg"
	timeout 60 runuser -u postgres -- "$PGBIN/initdb" -N -D "$T/pg/data" \
	    --auth=trust -U postgres >"$T/initdb.log" 2>&1 3>&- ||
	    fail "initdb failed:" "$(cat "$T/initdb.log")"
	PGP=$(free_port)
	PGDATA_RUN=$T/pg/data
	pg_ctl_start
}

# pg_ctl_start, pg_ctl_stop MODE: start (waiting until it answers) or stop
# the server of pg_start.
pg_ctl_start() {
	timeout 40 runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_RUN" \
	    -l "$T/pg/pg.log" -w -t 30 -s -o "-c fsync=off -c listen_addresses=127.0.0.1 -c port=$PGP -c unix_socket_directories=''" \
	    start 3>&- || fail "pg_ctl start failed:" "$(tail "$T/pg/pg.log")"
}

pg_ctl_stop() {
	timeout 20 runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_RUN" \
	    -m "$1" -w -s stop 3>&- || fail "pg_ctl stop failed"
}

# --- 1. who may connect --------------------------------------------------------

@test "allow-uid: nobody is served; root is denied before the target sees a connection, logged with its pid" {
	need_nobody
	capture CAP cap tcp:127.0.0.1:0
	relay R relay "unix:$T/r.sock,mode=0666,allow-uid=$NOBODY_UID" "$CAP"

	client "$R" "b'secret'" shut
	refused
	local pid
	pid=$(field pid)
	wait_log relay "conn 1: closed \(denied\)"
	expect_log relay "^sockbridge: conn 1: denied unix peer pid $pid uid 0 gid 0 on unix:$T/r\.sock \(not in its allow list\)$"
	no_log relay 'conn 1: connected'

	client_as --reuid=nobody --regid="$NOGROUP" --clear-groups -- \
	    "$R" "b'hello'" shut
	served 'got 5\n'
	[ "$(field uid)" = "$NOBODY_UID" ]
	expect_log relay "conn 2: accepted unix peer pid $(field pid) uid $NOBODY_UID "
	# The capture server met one connection, nobody's: root's "secret"
	# never left the relay.
	[ "$(accepted cap)" = 1 ]
	decode "$T/cap.d/conn-1.bin"
	expect_line 'payload=hello'

	# The same with sockbridge echo as the target and peer as the client.
	echo_srv E echo "unix:$T/echo.sock"
	relay R2 relay2 "unix:$T/r2.sock,mode=0666,allow-uid=$NOBODY_UID" "$E"
	run timeout 10 setpriv --reuid=nobody --regid="$NOGROUP" --clear-groups \
	    "$PEER" ping -t 5 "$R2" as-nobody
	expect_status 0
	[ "$output" = as-nobody ]
	run timeout 10 "$PEER" ping -t 5 "$R2" as-root
	[ "$status" -ne 0 ]
	wait_log relay2 'conn 2: closed \(denied\)'
	expect_log relay2 'conn 2: denied unix peer pid [0-9]+ uid 0 '
	[ "$(nlines echo 'accepted')" = 1 ]
}

@test "allow-user=nobody, allow-gid=, and repeated allow-uid= entries" {
	need_nobody
	echo_srv E echo "unix:$T/echo.sock"
	local as_nobody=(setpriv --reuid=nobody --regid="$NOGROUP" --clear-groups)
	local as_daemon=(setpriv --reuid=1 --regid=1 --clear-groups)

	relay U ru "unix:$T/u.sock,mode=0666,allow-user=nobody" "$E"
	run timeout 10 "${as_nobody[@]}" "$PEER" ping -t 5 "$U" u1
	expect_status 0
	run timeout 10 "${as_daemon[@]}" "$PEER" ping -t 5 "$U" u2
	[ "$status" -ne 0 ]
	run timeout 10 "$PEER" ping -t 5 "$U" u3
	[ "$status" -ne 0 ]
	wait_log ru 'conn 3: closed \(denied\)'
	expect_log ru 'conn 2: denied unix peer pid [0-9]+ uid 1 gid 1 '
	expect_log ru 'conn 3: denied unix peer pid [0-9]+ uid 0 gid 0 '

	# allow-gid= matches the primary group.
	relay G rg "unix:$T/g.sock,mode=0666,allow-gid=100" "$E"
	run timeout 10 setpriv --reuid=nobody --regid=100 --clear-groups \
	    "$PEER" ping -t 5 "$G" g1
	expect_status 0
	run timeout 10 "${as_nobody[@]}" "$PEER" ping -t 5 "$G" g2
	[ "$status" -ne 0 ]
	wait_log rg 'conn 2: closed \(denied\)'

	# Entries add up: any one that matches lets the peer in.
	relay M rm "unix:$T/m.sock,mode=0666,allow-uid=1,allow-uid=$NOBODY_UID" "$E"
	run timeout 10 "${as_nobody[@]}" "$PEER" ping -t 5 "$M" m1
	expect_status 0
	run timeout 10 "${as_daemon[@]}" "$PEER" ping -t 5 "$M" m2
	expect_status 0
	run timeout 10 "$PEER" ping -t 5 "$M" m3
	[ "$status" -ne 0 ]
	wait_log rm 'conn 3: closed \(denied\)'
	[ "$(nlines rm 'denied unix peer')" = 1 ]
}

@test "allow-group=: a supplementary group lets the peer in, its absence keeps it out" {
	need_nobody
	echo_srv E echo "unix:$T/echo.sock"
	relay R relay "unix:$T/r.sock,mode=0666,allow-group=users,allow-group=adm" "$E"
	local as=(setpriv --reuid=nobody --regid="$NOGROUP")

	run timeout 10 "${as[@]}" --groups=100 "$PEER" ping -t 5 "$R" users
	expect_status 0
	[ "$output" = users ]
	run timeout 10 "${as[@]}" --groups=1,4 "$PEER" ping -t 5 "$R" adm
	expect_status 0
	run timeout 10 "${as[@]}" --clear-groups "$PEER" ping -t 5 "$R" none
	[ "$status" -ne 0 ]
	run timeout 10 "${as[@]}" --groups=1,2,3 "$PEER" ping -t 5 "$R" others
	[ "$status" -ne 0 ]
	wait_log relay 'conn 4: closed \(denied\)'
	[ "$(nlines relay 'denied unix peer')" = 2 ]
	[ "$(nlines echo accepted)" = 2 ]
}

@test "allow-group=: a peer in 65 or 1000 supplementary groups, the allowed one among them, is let in" {
	need_nobody
	echo_srv E echo "unix:$T/echo.sock"
	relay R relay "unix:$T/r.sock,mode=0666,allow-group=1050" "$E"
	local as=(setpriv --reuid=nobody --regid="$NOGROUP") n
	# 64 groups fit the relay's buffer for SO_PEERGROUPS; for more the
	# kernel says ERANGE, and the relay must ask again with room for all
	# of them rather than take the peer for one without groups.
	for n in 64 65 1000; do
		run timeout 10 "${as[@]}" --groups="$(seq -s, 1000 $((999 + n)))" \
		    "$PEER" ping -t 5 "$R" "groups-$n"
		[ "$status" -eq 0 ] && [ "$output" = "groups-$n" ] ||
		    fail "a peer in $n groups (1050 among them): status $status" \
		    "$output" "$(grep denied "$T/relay.err")"
	done
}

@test "allow=127.0.0.2/32 on a tcp listener: a client from 127.0.0.1 is denied, one bound to 127.0.0.2 is served" {
	needs_local_addr 127.0.0.2 127.0.0.3 127.0.0.4
	capture CAP cap tcp:127.0.0.1:0
	relay R relay "tcp:127.0.0.1:0,allow=127.0.0.2/32" "$CAP"

	client "$R" "b'from-one'" shut
	refused
	wait_log relay 'conn 1: closed \(denied\)'
	expect_log relay "^sockbridge: conn 1: denied tcp:127\.0\.0\.1:$(field local_port) on $R \(not in its allow list\)$"

	client "$R" --bind=127.0.0.2 "b'from-two'" shut
	served 'got 8\n'
	expect_log relay "conn 2: accepted tcp:127\.0\.0\.2:$(field local_port) on $R"
	[ "$(accepted cap)" = 1 ]
	decode "$T/cap.d/conn-1.bin"
	expect_line 'payload=from-two'

	# Several networks: 10.0.0.0/8 and 127.0.0.0/30 (127.0.0.0-3).
	relay N relay-n "tcp:127.0.0.1:0,allow=10.0.0.0/8,allow=127.0.0.0/30" "$CAP"
	client "$N" --bind=127.0.0.3 "b'x'" shut
	served 'got 1\n'
	client "$N" --bind=127.0.0.4 "b'y'" shut
	refused
	wait_log relay-n 'conn 2: closed \(denied\)'
	expect_log relay-n 'conn 2: denied tcp:127\.0\.0\.4:'
	[ "$(accepted cap)" = 2 ]
}

@test "allow= with IPv6: allow=::1 on tcp:[::1]:0; a v4-mapped listener matches IPv4 rules" {
	needs_local_addr 127.0.0.2
	need_v6
	capture CAP cap tcp:127.0.0.1:0
	relay R relay "tcp:[::1]:0,allow=::1" "$CAP"
	[[ "$R" == tcp:\[::1\]:* ]]
	client "$R" "b'six'" shut
	served 'got 3\n'
	expect_log relay "conn 1: accepted tcp:\[::1\]:$(field local_port) on "

	# An AF_INET6 listener sees IPv4 peers as ::ffff:a.b.c.d; an IPv4
	# rule must still apply to them, and an IPv6 rule must not.
	relay M relay-m "tcp:[::ffff:127.0.0.1]:0,allow=127.0.0.2" "$CAP"
	local port=${M##*:}
	client "tcp:127.0.0.1:$port" --bind=127.0.0.2 "b'mapped'" shut
	served 'got 6\n'
	client "tcp:127.0.0.1:$port" "b'other'" shut
	refused
	wait_log relay-m 'conn 2: closed \(denied\)'
	relay S relay-s "tcp:[::ffff:127.0.0.1]:0,allow=::1" "$CAP"
	client "tcp:127.0.0.1:${S##*:}" "b'v4'" shut
	refused
	wait_log relay-s 'conn 1: closed \(denied\)'
	[ "$(accepted cap)" = 2 ]
}

@test "usage: access and PROXY options in the wrong place, or malformed, are refused (exit 2, named)" {
	local bad=(
	    "tcp:127.0.0.1:0,allow-uid=0|need a unix listener"
	    "tcp:127.0.0.1:0,allow-group=users|need a unix listener"
	    "unix:$T/x.sock,allow=127.0.0.1|allow= needs a tcp listener"
	    "tcp:127.0.0.1:0,send-proxy|send-proxy belongs on target"
	    "tcp:127.0.0.1:0,allow=10.1.2.3/8|allow=10.1.2.3/8: not an address or network"
	    "tcp:127.0.0.1:0,allow=127.0.0.1/33|allow=127.0.0.1/33: not an address"
	    "tcp:127.0.0.1:0,allow=|allow=: not an address"
	    "unix:$T/x.sock,allow-uid=nobody|allow-uid=nobody: not a number"
	    "unix:$T/x.sock,allow-gid=-1|allow-gid=-1: not a number"
	    "tcp:127.0.0.1:0,accept-proxy=maybe|accept-proxy=maybe: not 0 or 1"
	)
	local b
	for b in "${bad[@]}"; do
		run timeout 5 "$SB" relay "${b%%|*}" tcp:127.0.0.1:1
		expect_status 2
		expect_contains "${b#*|}"
	done
	run timeout 5 "$SB" relay tcp:127.0.0.1:0 "tcp:127.0.0.1:1,accept-proxy"
	expect_status 2
	expect_contains 'accept-proxy apply to the listen side'
	run timeout 5 "$SB" relay "unix:$T/x.sock,allow-user=no-such-user" tcp:127.0.0.1:1
	[ "$status" -ne 0 ] && [ "$status" -ne 124 ]
	expect_contains 'allow-user=no-such-user: no such user'
	[ ! -e "$T/x.sock" ]
}

# --- 2. sending the PROXY protocol -----------------------------------------------

@test "send-proxy: the v1 line is exactly 'PROXY TCP4 client server cport rport', then the client's bytes" {
	capture CAP cap tcp:127.0.0.1:0
	relay R relay tcp:127.0.0.1:0 "$CAP,send-proxy"
	local cport
	client "$R" "b'hello'" shut
	answered
	cport=$(field local_port)
	decode "$T/cap.d/conn-1.bin"
	expect_line "v1=PROXY TCP4 127.0.0.1 127.0.0.1 $cport $(port_of "$R")\\r\\n"
	expect_line 'payload=hello'
	[ "$(sed -n '$=' <<<"$output")" = 2 ]
}

@test "send-proxy-v2: a tcp client gives family 0x11 with both addresses and ports, no TLV" {
	needs_local_addr 127.0.0.2
	capture CAP cap tcp:127.0.0.1:0
	relay R relay tcp:127.0.0.1:0 "$CAP,send-proxy-v2"
	local cport
	client "$R" --bind=127.0.0.2 "b'again'" shut
	answered
	cport=$(field local_port)
	decode "$T/cap.d/conn-1.bin"
	[ "$output" = "v2 ver=2 cmd=1 fam=0x11 len=12
src=127.0.0.2:$cport
dst=127.0.0.1:$(port_of "$R")
payload=again" ] || fail "decoded:" "$output"
}

@test "send-proxy and send-proxy-v2 over IPv6: 'PROXY TCP6 ::1 ::1 ...' and family 0x21" {
	need_v6
	capture CAP cap tcp:127.0.0.1:0
	relay R1 relay1 "tcp:[::1]:0" "$CAP,send-proxy"
	relay R2 relay2 "tcp:[::1]:0" "$CAP,send-proxy-v2"
	local cport
	client "$R1" "b'v1'" shut
	answered
	cport=$(field local_port)
	decode "$T/cap.d/conn-1.bin"
	expect_line "v1=PROXY TCP6 ::1 ::1 $cport $(port_of "$R1")\\r\\n"
	expect_line 'payload=v1'
	client "$R2" "b'v2'" shut
	answered
	cport=$(field local_port)
	decode "$T/cap.d/conn-2.bin"
	[ "$output" = "v2 ver=2 cmd=1 fam=0x21 len=36
src=[::1]:$cport
dst=[::1]:$(port_of "$R2")
payload=v2" ] || fail "decoded:" "$output"
}

@test "send-proxy-v2 from a unix client: family 0x31, the paths in 108-byte fields, TLV 0xE0 = the client's pid, uid, gid" {
	need_nobody
	capture CAP cap tcp:127.0.0.1:0
	relay R relay "unix:$T/r.sock,mode=0666" "$CAP,send-proxy-v2"
	local pid uid gid

	# An unnamed client (the usual case), run as nobody with group
	# $OTHER_GID, so that the credentials are not zero and uid != gid: a
	# uid and gid swapped in the TLV shows.
	client_as --reuid=nobody --regid="$OTHER_GID" --clear-groups -- \
	    "unix:$T/r.sock" "b'hello'" shut
	answered
	pid=$(field pid) uid=$(field uid) gid=$(field gid)
	[ "$uid" = "$NOBODY_UID" ] && [ "$gid" = "$OTHER_GID" ] ||
	    fail "client ran as uid $uid gid $gid"
	decode "$T/cap.d/conn-1.bin"
	[ "$output" = "v2 ver=2 cmd=1 fam=0x31 len=231
src=
src_pad=ok
dst=$T/r.sock
dst_pad=ok
tlv=e0 pid=$pid uid=$uid gid=$gid
payload=hello" ] || fail "decoded:" "$output"

	# A client bound to a path of its own: that path is the source.
	mkdir -m 1777 "$T/cl"
	client_as --reuid=nobody --regid="$OTHER_GID" --clear-groups -- \
	    "unix:$T/r.sock" --bind="$T/cl/me.sock" "b'named'" shut
	answered
	pid=$(field pid)
	decode "$T/cap.d/conn-2.bin"
	expect_line "src=$T/cl/me.sock"
	expect_line "dst=$T/r.sock"
	expect_line "tlv=e0 pid=$pid uid=$NOBODY_UID gid=$OTHER_GID"
	expect_line 'payload=named'

	# Root, through the same relay: uid 0 gid 0 and root's pid.
	client "unix:$T/r.sock" "b'root'" shut
	answered
	pid=$(field pid)
	decode "$T/cap.d/conn-3.bin"
	expect_line "tlv=e0 pid=$pid uid=0 gid=0"

	# v1 has no unix family: a unix client is "PROXY UNKNOWN".
	relay R1 relay1 "unix:$T/r1.sock" "$CAP,send-proxy"
	client "unix:$T/r1.sock" "b'v1'" shut
	answered
	decode "$T/cap.d/conn-4.bin"
	[ "$output" = 'v1=PROXY UNKNOWN\r\n
payload=v1' ] || fail "decoded:" "$output"
}

@test "send-proxy behind accept-proxy: a chain of two relays tells the target about the first client" {
	needs_local_addr 127.0.0.2
	need_nobody
	capture CAP cap tcp:127.0.0.1:0
	relay B relay-b "tcp:127.0.0.1:0,accept-proxy" "$CAP,send-proxy"
	relay A relay-a tcp:127.0.0.1:0 "$B,send-proxy-v2"
	local cport
	client "$A" --bind=127.0.0.2 "b'chained'" shut
	answered
	cport=$(field local_port)
	wait_log relay-b "conn 1: PROXY v2: client tcp:127\.0\.0\.2:$cport$"
	decode "$T/cap.d/conn-1.bin"
	expect_line "v1=PROXY TCP4 127.0.0.2 127.0.0.1 $cport $(port_of "$A")\\r\\n"
	expect_line 'payload=chained'

	# A unix client's header, credentials included, is passed on as is
	# by a relay whose allow list trusts the relay in front.
	relay B2 relay-b2 "tcp:127.0.0.1:0,accept-proxy,allow=127.0.0.1" "$CAP,send-proxy-v2"
	relay A2 relay-a2 "unix:$T/a2.sock,mode=0666" "$B2,send-proxy-v2"
	client_as --reuid=nobody --regid="$OTHER_GID" --clear-groups -- \
	    "unix:$T/a2.sock" "b'cred'" shut
	answered
	local pid=$(field pid) gid=$(field gid)
	[ "$gid" = "$OTHER_GID" ] || fail "client ran as gid $gid"
	decode "$T/cap.d/conn-2.bin"
	[ "$output" = "v2 ver=2 cmd=1 fam=0x31 len=231
src=
src_pad=ok
dst=$T/a2.sock
dst_pad=ok
tlv=e0 pid=$pid uid=$NOBODY_UID gid=$gid
payload=cred" ] || fail "decoded:" "$output"
}

# --- 3. interop with haproxy and nginx -----------------------------------------

# expect_client_seen WHO RELAY...: through each relay (tcp, with a PROXY
# header to WHO, which answers "ADDR:PORT" of the client it was told of),
# curl from 127.0.0.2 is the client WHO names, port and all.
expect_client_seen() {
	local who=$1 r p
	shift
	for r in "$@"; do
		curl_through --interface 127.0.0.2 "http://127.0.0.1:$(port_of "$r")/"
		expect_status 0
		p=${output##* port=}
		[ "$output" = "127.0.0.2:$p port=$p" ] ||
		    fail "through $r $who saw: $output"
	done
}

@test "haproxy receives: 'bind ... accept-proxy' takes sockbridge's v1 and v2 headers and sees the real client" {
	needs_tool ss
	needs_local_addr 127.0.0.2
	local H
	H=$(free_port)
	haproxy_start "
listen web
    mode http
    bind 127.0.0.1:$H accept-proxy
    http-request return status 200 content-type text/plain lf-string \"%[src]:%[src_port]\"
"
	relay R1 relay1 tcp:127.0.0.1:0 "tcp:127.0.0.1:$H,send-proxy"
	relay R2 relay2 tcp:127.0.0.1:0 "tcp:127.0.0.1:$H,send-proxy-v2"
	# The relay connects from 127.0.0.1; the client is 127.0.0.2.
	expect_client_seen haproxy "$R1" "$R2"
	# A unix client: v1 says UNKNOWN, which haproxy accepts and then
	# uses the connection's own address (the relay's).
	relay R3 relay3 "unix:$T/r3.sock" "tcp:127.0.0.1:$H,send-proxy"
	curl_through --unix-socket "$T/r3.sock" http://localhost/
	expect_status 0
	[[ "$output" =~ ^127\.0\.0\.1:[0-9]+\ port= ]] || fail "haproxy saw: $output"
	! grep -q 'invalid PROXY' "$T/haproxy.out" ||
	    fail "haproxy rejected a header:" "$(cat "$T/haproxy.out")"
}

@test "haproxy sends: 'server ... send-proxy' and 'send-proxy-v2' (tcp and unix@) into accept-proxy; data flows, the client is logged" {
	needs_tool ss
	needs_local_addr 127.0.0.2
	echo_srv E echo tcp:127.0.0.1:0
	relay R relay "tcp:127.0.0.1:0,accept-proxy" "$E"
	relay U relay-u "unix:$T/pp.sock,accept-proxy" "$E"
	local H1 H2 H3
	H1=$(free_port) H2=$(free_port) H3=$(free_port)
	haproxy_start "
listen v1
    mode tcp
    bind 127.0.0.1:$H1
    server s $(echo "${R#tcp:}") send-proxy
listen v2
    mode tcp
    bind 127.0.0.1:$H2
    server s $(echo "${R#tcp:}") send-proxy-v2
listen v2unix
    mode tcp
    bind 127.0.0.1:$H3
    server s unix@$T/pp.sock send-proxy-v2
"
	local cport
	client "tcp:127.0.0.1:$H1" --bind=127.0.0.2 "b'hello v1'" shut
	served 'hello v1'
	cport=$(field local_port)
	wait_log relay "PROXY v1: client tcp:127\.0\.0\.2:$cport$"

	client "tcp:127.0.0.1:$H2" --bind=127.0.0.2 "b'hello v2'" shut
	served 'hello v2'
	cport=$(field local_port)
	wait_log relay "PROXY v2: client tcp:127\.0\.0\.2:$cport$"

	client "tcp:127.0.0.1:$H3" --bind=127.0.0.2 "b'hello unix'" shut
	served 'hello unix'
	cport=$(field local_port)
	wait_log relay-u "PROXY v2: client tcp:127\.0\.0\.2:$cport$"

	# Bulk data right behind haproxy's header arrives intact.
	run timeout 30 "$PEER" integrity -t 25 -c 4 -b 4M "tcp:127.0.0.1:$H2"
	expect_status 0
	expect_contains 'ok conns=4'
	no_log relay 'bad PROXY header|no PROXY header'
	no_log relay-u 'bad PROXY header|no PROXY header'
}

@test "nginx sends: stream 'proxy_protocol on' into accept-proxy; data flows, the client is logged" {
	needs_tool ss
	needs_local_addr 127.0.0.2
	echo_srv E echo tcp:127.0.0.1:0
	relay R relay "tcp:127.0.0.1:0,accept-proxy" "$E"
	local N
	N=$(free_port)
	# proxy_half_close: nginx would otherwise end the session at the
	# client's EOF, before the echo comes back.
	nginx_start "" "
    server {
        listen 127.0.0.1:$N;
        proxy_pass ${R#tcp:};
        proxy_protocol on;
        proxy_half_close on;
    }"
	wait_port "$N"
	local cport
	client "tcp:127.0.0.1:$N" --bind=127.0.0.2 "b'through nginx'" shut
	served "through nginx"
	cport=$(field local_port)
	wait_log relay "PROXY v1: client tcp:127\.0\.0\.2:$cport$"
	run timeout 30 "$PEER" integrity -t 25 -c 4 -b 4M "tcp:127.0.0.1:$N"
	expect_status 0
	no_log relay 'bad PROXY header'
}

@test "nginx receives: 'listen ... proxy_protocol' takes v1, v2 and the unix family 0x31; \$proxy_protocol_addr is the client" {
	needs_tool ss
	needs_local_addr 127.0.0.2
	local M
	M=$(free_port)
	nginx_start "
    server {
        listen 127.0.0.1:$M proxy_protocol;
        return 200 \"\$proxy_protocol_addr:\$proxy_protocol_port\";
    }"
	wait_port "$M"
	relay R1 relay1 tcp:127.0.0.1:0 "tcp:127.0.0.1:$M,send-proxy"
	relay R2 relay2 tcp:127.0.0.1:0 "tcp:127.0.0.1:$M,send-proxy-v2"
	expect_client_seen nginx "$R1" "$R2"
	# 0x31 with the credentials TLV: nginx has no unix family, so it
	# keeps the connection's address and leaves \$proxy_protocol_addr
	# empty, but it must accept the header (a 200, not a reset).
	relay R3 relay3 "unix:$T/r3.sock" "tcp:127.0.0.1:$M,send-proxy-v2"
	run timeout 15 curl -sS -f --max-time 10 --unix-socket "$T/r3.sock" \
	    -w ' code=%{http_code}' http://localhost/
	expect_status 0
	[ "$output" = ": code=200" ] || fail "nginx answered: $output"
	! grep -q 'broken header' "$T/nginx-error.log" ||
	    fail "nginx rejected a header:" "$(cat "$T/nginx-error.log")"
}

# --- 4. accept-proxy: strict, bounded, only after the allow check ---------------

# pp_relay: a relay that wants a PROXY header, in front of the capture
# server; sets R and CAP.
pp_relay() {
	capture CAP cap tcp:127.0.0.1:0
	relay R relay "tcp:127.0.0.1:${1:-0},accept-proxy" "$CAP"
}

@test "accept-proxy: malformed headers are refused at once, logged with the reason, and never reach the target" {
	pp_relay
	cases_hex \
	    'b"GET / HTTP/1.0\r\n\r\n"|no PROXY protocol header' \
	    'b"hi\n"|no PROXY protocol header' \
	    'b"\r\n\r\n\x00\r\nQUIX\n\x21\x11\x00\x0c"|no PROXY protocol header' \
	    'b"PROXY TCP4 1.2.3.4 5.6.7.8 01111 80\r\n"|PROXY v1: bad port' \
	    'b"PROXY TCP4 1.2.3.4 5.6.7.8 1111 080\r\n"|PROXY v1: bad port' \
	    'b"PROXY TCP4 1.2.3.4 5.6.7.8 65536 80\r\n"|PROXY v1: bad port' \
	    'b"PROXY TCP4 1.2.3.256 5.6.7.8 1111 80\r\n"|PROXY v1: bad address' \
	    'b"PROXY TCP4 ::1 ::1 1111 80\r\n"|PROXY v1: bad address' \
	    'b"PROXY TCP4 1.2.3.4  5.6.7.8 1111 80\r\n"|PROXY v1: expected 4 fields after the protocol' \
	    'b"PROXY TCP4 1.2.3.4 5.6.7.8 1111 80 \r\n"|PROXY v1: trailing space' \
	    'b"PROXY UDP4 1.2.3.4 5.6.7.8 1111 80\r\n"|PROXY v1: unknown protocol' \
	    'b"PROXY TCP4 1.2.3.4 5.6.7.8 1111 80\n"|bad PROXY v1 line' \
	    'b"PROXY UNKNOWN " + b"x" * 100|PROXY v1 line longer than 107 bytes' \
	    'b"PROXY UNKNOWN " + b"x" * 92 + b"\r\n"|PROXY v1 line longer than 107 bytes' \
	    'v2(0x11, ip4("1.2.3.4", "5.6.7.8", 1111, 80), ver=1)|PROXY v2: version 1' \
	    'v2(0x11, ip4("1.2.3.4", "5.6.7.8", 1111, 80), ver=3)|PROXY v2: version 3' \
	    'v2(0x11, ip4("1.2.3.4", "5.6.7.8", 1111, 80), cmd=2)|PROXY v2: unknown command 2' \
	    'v2(0x41, ip4("1.2.3.4", "5.6.7.8", 1111, 80))|PROXY v2: unknown family or protocol' \
	    'v2(0x11, bytes(8))|PROXY v2: address block too short' \
	    'v2(0x11, ip4("1.2.3.4", "5.6.7.8", 1111, 80) + b"\x04\x00")|PROXY v2: truncated TLV' \
	    'v2(0x11, ip4("1.2.3.4", "5.6.7.8", 1111, 80) + b"\x04\x00\x0a" + bytes(5))|PROXY v2: TLV overruns the header' \
	    'v2(0x11, ip4("1.2.3.4", "5.6.7.8", 1111, 80) + tlv(0xE0, bytes(8)))|PROXY v2: bad peer credentials TLV' \
	    'sig + b"\x21\x11\x07\xd0"|PROXY v2 header of 2016 bytes: more than 1024'
	local i n why
	for i in "${!HEXES[@]}"; do
		n=$((i + 1)) why=${TEXTS[i]}
		client "$R" "x:${HEXES[i]}" "b'PAYLOAD'"
		refused
		awk -v t="$(field elapsed)" 'BEGIN { exit !(t < 2) }' ||
		    fail "case $n ($why): closed only after $(field elapsed) s"
		wait_log relay "conn $n: closed \(bad PROXY header\)"
		grep -Fq -- "conn $n: bad PROXY header from tcp:127.0.0.1:$(field local_port): $why" \
		    "$T/relay.err" || fail "case $n: no '$why' for it:" \
		    "$(grep "conn $n:" "$T/relay.err")"
	done
	[ "$(accepted cap)" = 0 ]
	no_log relay 'connected to'
}

@test "accept-proxy: valid headers, at the size limits too, are taken off; the bytes behind them reach the target unchanged" {
	pp_relay
	local ff=ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff
	# Each case: the header, and the "PROXY vN: client ..." line it must
	# log (none for LOCAL and UNKNOWN).
	cases_hex \
	    'b"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n"|PROXY v1: client tcp:192.0.2.1:56324' \
	    'b"PROXY TCP4 192.0.2.1 198.51.100.2 0 65535\r\n"|PROXY v1: client tcp:192.0.2.1:0' \
	    "b'PROXY TCP6 $ff $ff 65535 65535\\r\\n'|PROXY v1: client tcp:\\[$ff\\]:65535" \
	    'b"PROXY UNKNOWN " + b"x" * 91 + b"\r\n"|' \
	    'b"PROXY UNKNOWN\r\n"|' \
	    'v2(0x11, ip4("192.0.2.7", "198.51.100.2", 4242, 5432))|PROXY v2: client tcp:192.0.2.7:4242' \
	    'v2(0x11, ip4("192.0.2.8", "198.51.100.2", 4243, 5432) + tlv(1, b"h2") + tlv(4, bytes(10)) + tlv(0xEF, b""))|PROXY v2: client tcp:192.0.2.8:4243' \
	    'v2(0x21, ip6("2001:db8::1", "2001:db8::2", 4244, 5432))|PROXY v2: client tcp:\[2001:db8::1\]:4244' \
	    'v2(0x31, unix(b"/run/app.sock", b"/run/db.sock") + tlv(0xE0, bytes(12)))|PROXY v2: client unix:/run/app.sock' \
	    'v2(0x11, ip4("192.0.2.9", "198.51.100.2", 1, 2), cmd=0)|' \
	    'v2(0x00, b"")|'
	# What follows each header looks like a header itself: it must be
	# passed on, not parsed. 48 bytes.
	local tail='PROXY TCP4 6.6.6.6 6.6.6.6 1 1\r\n\r\n\r\n\x00\r\nQUIT\nrest'
	[ "$(pphex "b'$tail'" | awk '{ print length($0) / 2 }')" = 48 ]
	local i n want
	for i in "${!HEXES[@]}"; do
		n=$((i + 1)) want=${TEXTS[i]}
		client "$R" "x:${HEXES[i]}" "b'$tail'" shut
		served 'got 48\n'
		decode "$T/cap.d/conn-$n.bin" raw
		[ "$output" = "payload=$tail" ] ||
		    fail "case $n ($want): the target got:" "$output"
		if [ -n "$want" ]; then
			expect_log relay "conn $n: $want$"
		else
			no_log relay "conn $n: PROXY"
		fi
	done
	[ "$n" = 11 ]
	no_log relay 'bad PROXY header|no PROXY header'
}

@test "accept-proxy: a header split across several writes with pauses is still accepted" {
	pp_relay
	local v2
	v2=$(pphex 'v2(0x11, ip4("192.0.2.1", "198.51.100.2", 1111, 80) + tlv(1, b"h2"))')
	# 5 bytes, the rest of the signature, the length, half the addresses,
	# the rest and the TLV, then data.
	client "$R" "x:${v2:0:10}" @0.3 "x:${v2:10:18}" @0.3 "x:${v2:28:4}" \
	    @0.3 "x:${v2:32:12}" @0.3 "x:${v2:44}" @0.3 "b'data'" shut
	served 'got 4\n'
	expect_log relay 'conn 1: PROXY v2: client tcp:192\.0\.2\.1:1111$'
	client "$R" "b'PROXY TC'" @0.3 "b'P4 192.0.2.3 198.51.'" @0.3 \
	    "b'100.2 3333 80\r'" @0.3 "b'\n'" @0.3 "b'more data'" shut
	served 'got 9\n'
	expect_log relay 'conn 2: PROXY v1: client tcp:192\.0\.2\.3:3333$'
	decode "$T/cap.d/conn-2.bin"
	expect_line 'payload=more data'
}

@test "accept-proxy: no header within 3 s closes the connection after about 3 s, logged 'no PROXY header'; dripping bytes does not extend it" {
	pp_relay
	local t
	client "$R" @10
	refused
	t=$(field elapsed)
	awk -v t="$t" 'BEGIN { exit !(t >= 2.7 && t <= 4.5) }' ||
	    fail "closed after $t s, expected about 3 s"
	expect_log relay "conn 1: no PROXY header from tcp:127\.0\.0\.1:$(field local_port) within 3000 ms$"
	expect_log relay 'conn 1: closed \(no PROXY header\)'
	note "accept-proxy: silent client closed after $t s"

	# One byte every 0.2 s of a line that never ends: the 3 s are a
	# deadline for the whole header, not an idle timer.
	local steps=("b'PROXY TCP4 '") i
	for ((i = 0; i < 40; i++)); do steps+=(@0.2 "b'1'"); done
	client "$R" "${steps[@]}"
	expect_status 0
	[ "$(field reply)" = "" ] || fail "$output"
	t=$(field elapsed)
	awk -v t="$t" 'BEGIN { exit !(t >= 2.7 && t <= 4.5) }' ||
	    fail "dripping client closed after $t s, expected about 3 s"
	expect_log relay 'conn 2: no PROXY header from .* within 3000 ms$'

	# A client that gives up half-way is closed at once, and said so.
	client "$R" "b'PROXY TCP4 1.2'" shut
	refused
	wait_log relay 'conn 3: closed before its PROXY header'
	[ "$(accepted cap)" = 0 ]
}

@test "accept-proxy behind allow=: a denied peer's header is never read; the allow list judges the real peer, not the header" {
	needs_local_addr 127.0.0.2
	need_nobody
	capture CAP cap tcp:127.0.0.1:0
	relay R relay "tcp:127.0.0.1:0,allow=127.0.0.2/32,accept-proxy" "$CAP"

	# From 127.0.0.1, claiming to be 127.0.0.2: denied, header unread.
	client "$R" "b'PROXY TCP4 127.0.0.2 127.0.0.1 1111 80\r\nspoofed'" shut
	refused
	awk -v t="$(field elapsed)" 'BEGIN { exit !(t < 2) }'
	wait_log relay 'conn 1: closed \(denied\)'
	expect_log relay "conn 1: denied tcp:127\.0\.0\.1:$(field local_port) on "
	# Garbage from a denied peer is not even looked at.
	client "$R" "b'garbage garbage garbage'"
	refused
	wait_log relay 'conn 2: closed \(denied\)'
	no_log relay 'PROXY v1|bad PROXY header|no PROXY header'

	# From 127.0.0.2, claiming to be someone else: let in (the rule is
	# about the real peer), and the header is believed.
	client "$R" --bind=127.0.0.2 "b'PROXY TCP4 10.9.8.7 127.0.0.1 4321 80\r\nok'" shut
	served 'got 2\n'
	expect_log relay 'conn 3: PROXY v1: client tcp:10\.9\.8\.7:4321$'

	# The same on a unix listener with allow-uid=.
	relay U relay-u "unix:$T/u.sock,mode=0666,allow-uid=$NOBODY_UID,accept-proxy" "$CAP"
	client "$U" "b'PROXY TCP4 1.1.1.1 2.2.2.2 1 2\r\nroot'" shut
	refused
	wait_log relay-u 'conn 1: closed \(denied\)'
	client_as --reuid=nobody --regid="$NOGROUP" --clear-groups -- \
	    "$U" "b'PROXY TCP4 1.1.1.1 2.2.2.2 1 2\r\nnobody'" shut
	served 'got 6\n'
	expect_log relay-u 'conn 2: PROXY v1: client tcp:1\.1\.1\.1:1$'
	[ "$(grep -c 'PROXY v1' "$T/relay-u.err")" = 1 ]
	[ "$(accepted cap)" = 2 ]
}

@test "echo with accept-proxy: echoes only what follows the header, logs the client it names, refuses a stream without one" {
	echo_srv E echo "tcp:127.0.0.1:0,accept-proxy"
	client "$E" "b'PROXY TCP4 192.0.2.1 192.0.2.2 1111 80\r\nhello'" shut
	served hello
	wait_log echo 'conn 1: closed \(done\)'
	expect_log echo '^sockbridge: conn 1: PROXY v1: client tcp:192\.0\.2\.1:1111$'
	expect_log echo 'conn 1: closed \(done\) .* 5 bytes echoed'

	# v2 as well, with the bytes that follow in the same write.
	cases_hex "v2(0x11, ip4('198.51.100.7', '192.0.2.2', 4242, 80)) + b'v2 data'|v2"
	client "$E" "x:${HEXES[0]}" shut
	served 'v2 data'
	wait_log echo 'conn 2: closed \(done\)'
	expect_log echo '^sockbridge: conn 2: PROXY v2: client tcp:198\.51\.100\.7:4242$'

	# No header: closed without an echo, the reason logged.
	client "$E" "b'hello there\r\n'" shut
	refused
	wait_log echo 'conn 3: closed \(bad PROXY header\)'
	expect_log echo 'conn 3: bad PROXY header from tcp:127\.0\.0\.1:[0-9]+: no PROXY protocol header'
}

# --- 5. faults under load ------------------------------------------------------

# slow_reader_run ARGS...: 1 GiB from peer send through "relay ARGS unix ->
# slow reader"; checks and reports the relay's peak VmRSS.
slow_reader_run() {
	local label=$1 base peak secs
	shift
	serve SLOW slow "$PY" "$TOOLS/slow-reader.py" "$T/relay.pid" $((1 << 20)) 0.002
	relay R relay --pidfile "$T/relay.pid" "$@" "unix:$T/r.sock" "$SLOW"
	base=$(rss_kib "$PID_relay")
	run timeout 120 "$PEER" send -t 110 -b 1G "$R"
	expect_status 0
	expect_contains 'sent 1073741824 '
	wait_for 200 grep -q '^bytes=' "$T/slow.out" ||
	    fail "the reader did not finish:" "$(cat "$T/slow.out" "$T/slow.err")"
	grep -q '^bytes=1073741824 ' "$T/slow.out" ||
	    fail "the reader got:" "$(cat "$T/slow.out")"
	peak=$(sed -n 's/.*peak_kib=\([0-9]*\).*/\1/p' "$T/slow.out")
	secs=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$T/slow.out")
	note "slow reader, 1 GiB ($label): relay VmRSS peak $((peak / 1024)) MiB ($peak KiB), idle $base KiB, $secs s"
	[ "$peak" -lt $((64 * 1024)) ] ||
	    fail "relay VmRSS peaked at $peak KiB (limit 64 MiB)"
}

@test "fault: slow reader while a producer pushes 1 GiB (splice): relay RSS stays bounded" {
	needs_proc
	slow_reader_run splice
}

@test "fault: slow reader while a producer pushes 1 GiB (--no-splice): relay RSS stays bounded" {
	needs_proc
	slow_reader_run no-splice --no-splice
}

@test "fault: a client that connects and sends nothing is closed by -i 1s; an active one is not" {
	echo_srv E echo "unix:$T/echo.sock"
	relay R relay -i 1s "unix:$T/r.sock" "$E"
	local t
	client "$R" @10
	refused
	t=$(field elapsed)
	awk -v t="$t" 'BEGIN { exit !(t >= 0.9 && t <= 3) }' ||
	    fail "closed after $t s, expected about 1 s"
	expect_log relay 'conn 1: idle for 1000 ms$'
	expect_log relay 'conn 1: closed \(idle timeout\)'
	note "idle client closed after $t s (-i 1s)"

	# Busy for 2.5 s in steps of 0.5 s: never idle for a whole second.
	client "$R" "b'a'" @0.5 "b'b'" @0.5 "b'c'" @0.5 "b'd'" @0.5 "b'e'" @0.5 shut
	served abcde
	awk -v t="$(field elapsed)" 'BEGIN { exit !(t >= 2.4) }'
	expect_log relay 'conn 2: closed \(done\)'
}

@test "fault: PostgreSQL restarted 20 times under pgbench through the relay: no crash, fds back to the baseline" {
	needs_proc
	needs_tool runuser
	pg_start
	mkdir -p "$T/pgs"
	relay R relay "unix:$T/pgs/.s.PGSQL.$PGP" "tcp:127.0.0.1:$PGP"
	local base i c0 tx refused
	base=$(nfds "$PID_relay")
	echo 'SELECT 1;' >"$T/select1.sql"
	bg load bash -c '
	    while [ ! -e "$1/stop" ]; do
		pgbench -n -C -c 4 -j 2 -T 1 -f "$1/select1.sql" -h "$1/pgs" \
		    -p "$2" -U postgres postgres >>"$1/pgbench.log" 2>&1
	    done' _ "$T" "$PGP"
	local load=$BG_PID
	for ((i = 1; i <= 20; i++)); do
		# Let the load reach the server before taking it away.
		c0=$(nlines relay 'connected to')
		wait_for 200 log_has_n relay 'connected to' $((c0 + 10)) ||
		    fail "restart $i: no load reached the server"
		if ((i % 2)); then pg_ctl_stop immediate; else pg_ctl_stop fast; fi
		kill -0 "$PID_relay" || fail "relay died at restart $i"
		pg_ctl_start
	done
	c0=$(nlines relay 'connected to')
	wait_for 200 log_has_n relay 'connected to' $((c0 + 10))
	touch "$T/stop"
	reap "$load" 300
	kill -0 "$PID_relay" || fail "the relay died"
	run timeout 20 psql -X -A -t -h "$T/pgs" -p "$PGP" -U postgres -c 'select 42'
	expect_status 0
	[ "$output" = 42 ]
	wait_for 200 fds_at_most "$PID_relay" $((base + 8)) ||
	    fail "relay fds: $(nfds "$PID_relay"), baseline $base"
	tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' \
	    "$T/pgbench.log" | awk '{ s += $1 } END { print s + 0 }')
	refused=$(nlines relay 'Connection refused')
	note "pgbench under 20 PostgreSQL restarts: $tx transactions, $(nlines relay 'connected to') connections, $refused refused while down; relay fds $base before, $(nfds "$PID_relay") after"
	[ "$tx" -gt 0 ]
	no_log relay 'out of memory|event loop'
}

@test "fault: SIGTERM during 500 active transfers: all complete within the drain time, socket removed, exit 0" {
	echo_srv E echo tcp:127.0.0.1:0
	relay R relay -d 30s "unix:$T/r.sock" "$E"
	bg peer "$PEER" integrity -t 60 -c 500 -b 1M "$R"
	local peer=$BG_PID n t0 t1
	wait_for 400 log_has_n relay 'connected to' 500 ||
	    fail "only $(nlines relay 'connected to') connections came up"
	t0=$(date +%s.%N)
	kill -TERM "$PID_relay"
	wait_log relay 'draining [0-9]+ connections'
	n=$(sed -n 's/.*: draining \([0-9]*\) connections.*/\1/p' "$T/relay.err")
	# The file goes at once, before the connections are done.
	wait_for 40 test ! -e "$T/r.sock" || fail "socket file still there"
	reap "$peer" 1200
	[ "$REAPED" = 0 ] || fail "peer: status $REAPED" "$(cat "$T/peer.out" "$T/peer.err")"
	grep -q '^ok conns=500 ' "$T/peer.out" || fail "$(cat "$T/peer.out")"
	reap "$PID_relay" 200
	t1=$(date +%s.%N)
	[ "$REAPED" = 0 ] || fail "relay exit status $REAPED"
	no_log relay 'drain timeout'
	note "SIGTERM with $n of 500 transfers active: all completed, relay exited 0 after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
	[ "$n" -ge 100 ] || fail "only $n connections were active at SIGTERM"
}

@test "fault: kill -9, then a restart on the same path replaces the stale file (logged) and serves" {
	echo_srv E echo "unix:$T/echo.sock"
	relay R relay "unix:$T/r.sock" "$E"
	run timeout 10 "$PEER" ping -t 5 "$R" before
	expect_status 0
	kill -9 "$PID_relay"
	wait_gone "$PID_relay" 100
	[ -S "$T/r.sock" ] || fail "no stale socket file left by kill -9"
	run timeout 10 "$PEER" ping -t 5 "$R" dead
	[ "$status" -ne 0 ]
	relay R2 relay2 "unix:$T/r.sock" "$E"
	expect_log relay2 "^sockbridge: unix:$T/r\.sock: replaced a stale socket file \(nothing was listening\)$"
	run timeout 10 "$PEER" ping -t 5 "$R2" after
	expect_status 0
	[ "$output" = after ]
}

@test "fault: fd exhaustion (ulimit -n 128, 300 clients): accepts pause, no client is stranded, the service recovers" {
	needs_proc
	echo_srv E echo "unix:$T/echo.sock"
	bg relay bash -c 'ulimit -n 128 && exec "$@"' _ "$SB" relay -v "unix:$T/r.sock" "$E"
	local rpid=$BG_PID base full after
	wait_for 100 grep -q 'listening on' "$T/relay.err"
	base=$(nfds "$rpid")
	run timeout 60 "$PY" "$TOOLS/fd-hog.py" "unix:$T/r.sock" 300
	expect_status 0
	full=$(sed -n 's/^full //p' <<<"$output")
	after=$(sed -n 's/^after //p' <<<"$output")
	note "fd exhaustion, 300 clients at ulimit -n 128: at the limit $full; after the served ones left $after"
	kill -0 "$rpid" || fail "the relay died"
	expect_log relay 'Too many open files; pausing accepts'
	# Nobody is left hanging: once fds free up, every waiting client is
	# served (or at worst told to go away).
	[[ "$after" == *" waiting=0 "* ]] || fail "clients stranded: $after"
	wait_for 200 fds_at_most "$rpid" $((base + 8)) ||
	    fail "relay fds: $(nfds "$rpid"), baseline $base"
	run timeout 30 "$PEER" integrity -t 25 -c 20 -b 256K "unix:$T/r.sock"
	expect_status 0
	expect_contains 'ok conns=20'
}

@test "fault: a storm of 1-byte writes (4 connections x 100,000, TCP_NODELAY) is echoed back complete and in order" {
	echo_srv E echo tcp:127.0.0.1:0
	relay R relay tcp:127.0.0.1:0 "$E"
	run timeout 60 "$PY" "$TOOLS/byte-storm.py" "$R" 4 100000
	expect_status 0
	[[ "$output" == "ok=400000 bad=0 "* ]] || fail "storm: $output"
	note "1-byte storm: 4 x 100000 single-byte writes echoed in ${output##*seconds=} s"
	wait_for 100 log_has_n relay 'closed \(done\) .* 100000 bytes up, 100000 bytes down' 4 ||
	    fail "byte counts:" "$(grep closed "$T/relay.err")"
}
