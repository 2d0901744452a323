#!/usr/bin/env bats
# End-to-end tests of "sockbridge doctor" and "sockbridge ls" against real
# processes: a real PostgreSQL that listens on tcp only (no socket file
# where libpq looks for one), stale, live, mis-typed, unreachable and
# forbidden socket files, overlong paths, a socket found in another
# directory, PostgreSQL URIs and libpq's -h/-p, tcp targets, --json, usage
# errors, and ls with listeners, stale files and connected peers.
#
# Everything lives in a per-test temp dir ($T); servers are started there or
# on a free port, and events are awaited with bounded loops (wait_for), never
# fixed sleeps. Each test has a time limit (BATS_TEST_TIMEOUT); the tests
# that drop privileges (setpriv to nobody) and start PostgreSQL need root
# and skip without it.

load helpers
load doctor_helpers

bats_require_minimum_version 1.5.0

: "${BATS_TEST_TIMEOUT:=60}"

setup() {
	common_setup
	PG_DATA=
	# doctor looks for a socket's name all over the machine: names that no
	# other test run (here or in another checkout) listens on.
	U=sbt-$$-$RANDOM
}

teardown() {
	pg_sock_stop
	# The fifo some tests feed a client's stdin from.
	exec 8>&-
	common_teardown
}

# --- helpers -----------------------------------------------------------------

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (setpriv, chown)"
}

# as_nobody CMD...: run CMD as user nobody with no supplementary groups.
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

# stale_socket PATH: a socket file that nothing listens on any more (bound,
# listened on, then the process exits without unlinking it).
stale_socket() {
	python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)' "$1"
	[ -S "$1" ]
}

# echo_at NAME ADDR: "sockbridge echo ADDR" in the background, waited for;
# its pid is in $BG_PID.
echo_at() {
	start_bg "$1" "$SB" echo "$2"
	listen_addr "$1" >/dev/null
}

# usage_error ARGS...: doctor exits 2, prints nothing on stdout and one
# "sockbridge: doctor: ..." message on stderr.
usage_error() {
	run --separate-stderr "$SB" doctor "$@"
	[ "$status" -eq 2 ] ||
	    fail "doctor $*: status $status, expected 2" "stdout: $output" \
	    "stderr: $stderr"
	[ -z "$output" ] || fail "doctor $*: stdout: $output"
	[[ "$stderr" == "sockbridge: doctor: "* ]] ||
	    fail "doctor $*: stderr: '$stderr'"
}

# urlencode S: S with every byte but [A-Za-z0-9_.~-] percent-encoded.
urlencode() {
	python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"
}

# pg_start: initdb and start a PostgreSQL server owned by user postgres in
# $T/pg that listens on 127.0.0.1:$P only (no socket file anywhere).
pg_start() {
	need_root
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] ||
	    skip "no PostgreSQL server in /usr/lib/postgresql/*/bin"
	id postgres >/dev/null 2>&1 || skip "no user postgres"
	command -v psql >/dev/null || skip "no psql"
	chmod 0755 "$T"
	mkdir "$T/pg"
	touch "$T/pg.log"
	chown postgres: "$T/pg" "$T/pg.log"
	runuser -u postgres -- "$PG_BIN/initdb" -D "$T/pg" --auth=trust \
	    -U postgres --no-sync >"$T/initdb.log" 2>&1 ||
	    fail "initdb failed:" "$(cat "$T/initdb.log")"
	P=$(free_port)
	PG_DATA=$T/pg
	# 3>&-: the postmaster must not keep bats' output descriptor open.
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$T/pg" \
	    -o "-c listen_addresses=127.0.0.1 -c port=$P -c unix_socket_directories=''" \
	    -w -t 30 start -l "$T/pg.log" >"$T/pg_ctl.out" 2>&1 3>&- ||
	    fail "pg_ctl start failed:" "$(cat "$T/pg_ctl.out" "$T/pg.log")"
}

# --- THE scenario: PostgreSQL on tcp only, the client wants a socket file -----

@test "doctor: nothing at DIR/.s.PGSQL.P while PostgreSQL answers on tcp:P; the suggested relay fixes it" {
	pg_start
	local sock=$T/.s.PGSQL.$P

	# The server really has no socket file: psql through DIR fails.
	run env -u PGHOST -u PGPORT timeout 20 psql -h "$T" -p "$P" \
	    -U postgres -d postgres -Atc 'select 1'
	[ "$status" -ne 0 ] || fail "psql over $sock worked before the relay"

	run "$SB" doctor "$sock"
	expect_status 1
	header_is "unix:$sock"
	has_check ok path "within the 107-byte sun_path limit"
	has_check ok dirs "every directory on the way exists and is searchable"
	has_check problem file "$sock does not exist"
	has_check problem connect "ENOENT: no socket file at this path"
	has_check note elsewhere "no process listens on a socket named .s.PGSQL.$P anywhere on this machine"
	has_check ok tcp "a PostgreSQL server answers on tcp:127.0.0.1:$P (SSLRequest answered '"
	verdict_has "Nothing listens at $sock."
	verdict_has "A PostgreSQL server answers on tcp:127.0.0.1:$P."
	verdict_has "\`sockbridge relay unix:$sock tcp:127.0.0.1:$P\`"
	local text=$output

	# libpq's -h DIR -p PORT names the same socket and gets the same answer.
	run "$SB" doctor -h "$T" -p "$P"
	expect_status 1
	[ "$output" = "$text" ] || fail "-h/-p output differs:" "$output" "path output:" "$text"

	# Run the command the verdict suggests, word for word.
	local cmd
	cmd=$(sed -n 's/.*`\(sockbridge relay [^`]*\)`.*/\1/p' <<<"$VERDICT")
	[ "$cmd" = "sockbridge relay unix:$sock tcp:127.0.0.1:$P" ] ||
	    fail "relay command in the verdict: '$cmd'"
	read -ra words <<<"${cmd#sockbridge }"
	start_bg relay "$SB" "${words[@]}"
	local relay_pid=$BG_PID
	[ "$(listen_addr relay)" = "unix:$sock" ]

	run env -u PGHOST -u PGPORT PGCONNECT_TIMEOUT=10 timeout 20 psql \
	    -h "$T" -p "$P" -U postgres -d postgres -Atc 'select 1'
	expect_status 0
	[ "$output" = "1" ] || fail "psql printed: $output"

	run "$SB" doctor -h "$T" -p "$P"
	expect_status 0
	header_is "unix:$sock"
	has_check ok file "a socket file"
	has_check ok listener "a process listens: pid $relay_pid, sockbridge, user $(id -un)"
	has_check ok protocol "PostgreSQL answered the SSLRequest ("
	has_check ok connect "connect() succeeded"
	no_check problem
	verdict_has "A server accepts connections at $sock (pid $relay_pid"
}

@test "doctor: the PostgreSQL scenario as --json" {
	pg_start
	local sock=$T/.s.PGSQL.$P

	run --separate-stderr "$SB" doctor --json "$sock"
	expect_status 1
	SOCK=$sock PORT=$P python3 -c '
import json, os, sys
d = json.loads(sys.stdin.read())
sock, port = os.environ["SOCK"], os.environ["PORT"]
assert d["target"] == "unix:" + sock, d["target"]
assert d["connect"] == {"ok": False, "errno": "ENOENT"}, d["connect"]
checks = [(c["mark"], c["topic"]) for c in d["checks"]]
assert ("problem", "file") in checks, checks
tcp = [c for c in d["checks"] if c["topic"] == "tcp"]
assert len(tcp) == 1 and tcp[0]["mark"] == "ok", tcp
assert ("a PostgreSQL server answers on tcp:127.0.0.1:" + port) in tcp[0]["text"], tcp
assert ("`sockbridge relay unix:%s tcp:127.0.0.1:%s`" % (sock, port)) in d["verdict"], d["verdict"]
' <<<"$output" || fail "json: $output"
}

# --- socket files --------------------------------------------------------------

@test "doctor: a stale socket file" {
	stale_socket "$T/$U-stale.sock"
	run "$SB" doctor "$T/$U-stale.sock"
	expect_status 1
	header_is "unix:$T/$U-stale.sock"
	has_check ok file "a socket file, s"
	has_check problem listener "stale: the file exists but nothing listens on it"
	has_check problem connect "ECONNREFUSED"
	has_check note elsewhere "no process listens on a socket named $U-stale.sock"
	verdict_has "$T/$U-stale.sock is stale: the file exists but nothing listens"
	verdict_has "\`rm $T/$U-stale.sock\`"
}

@test "doctor: a live socket names its listener's pid; exit 0" {
	echo_at echo "unix:$T/$U.sock"
	run "$SB" doctor "$T/$U.sock"
	expect_status 0
	header_is "unix:$T/$U.sock"
	has_check ok path "bytes, within the 107-byte sun_path limit"
	has_check ok file "a socket file, srw"
	has_check ok permission "you (uid $(id -u)) may connect"
	has_check ok listener "a process listens: pid $BG_PID, sockbridge, user $(id -un)"
	has_check ok connect "connect() succeeded"
	no_check problem
	# Not a PostgreSQL name: no protocol probe, no search elsewhere.
	no_check ok protocol
	no_check note elsewhere
	verdict_has "A server accepts connections at $T/$U.sock (pid $BG_PID, sockbridge"

	# unix:PATH is the same target.
	run "$SB" doctor "unix:$T/$U.sock"
	expect_status 0
	header_is "unix:$T/$U.sock"
}

@test "doctor: a regular file at the path" {
	echo data >"$T/$U-file"
	run "$SB" doctor "$T/$U-file"
	expect_status 1
	has_check problem file "$T/$U-file is a regular file, not a socket (-rw"
	has_check problem connect "ECONNREFUSED"
	no_check ok listener
	no_check ok connect
	verdict_has "$T/$U-file is not a socket."

	# A directory is libpq's -h DIR (tests/e2e/doctor_dirs.bats): never
	# "move it away".
	mkdir "$T/$U-dir"
	run "$SB" doctor "$T/$U-dir"
	expect_status 1
	header_is "unix:$T/$U-dir/.s.PGSQL.5432"
	has_check note directory "$T/$U-dir holds no PostgreSQL socket"
	[[ "$output" != *"moved away"* ]] || fail "advises moving it:" "$output"
}

@test "doctor: a directory on the way that the user cannot search (as nobody)" {
	need_root
	chmod 0755 "$T"
	mkdir -m 0700 "$T/priv"
	echo_at echo "unix:$T/priv/s.sock"
	run as_nobody "$SB" doctor "$T/priv/s.sock"
	expect_status 1
	has_check problem dirs "directory $T/priv is not searchable by you (uid $(id -u nobody)): drwx------ root:"
	has_check problem connect "EACCES: permission denied"
	verdict_has "You cannot reach $T/priv/s.sock: directory $T/priv is not searchable for you."

	# The same socket as root: fine.
	run "$SB" doctor "$T/priv/s.sock"
	expect_status 0
}

@test "doctor: a 0600 root socket checked as nobody: may not connect" {
	need_root
	chmod 0755 "$T"
	echo_at echo "unix:$T/perm.sock,mode=0600"
	[ "$(stat -c %a "$T/perm.sock")" = 600 ]
	run as_nobody "$SB" doctor "$T/perm.sock"
	expect_status 1
	has_check ok dirs "every directory on the way exists and is searchable"
	has_check ok file "a socket file, srw------- root:"
	has_check problem permission "you (uid $(id -u nobody)) may not connect: connecting needs write permission; only user root may"
	# Another user's process: listening, but not who.
	has_check ok listener "a process listens: process hidden: run as root"
	has_check problem connect "EACCES"
	verdict_has "$T/perm.sock exists and a server listens, but you may not connect"

	# Group-writable: the check names who may.
	chmod 0660 "$T/perm.sock"
	run "$SB" doctor "$T/perm.sock"
	expect_status 0
	has_check ok permission "user root and members of group $(id -gn root) may"
}

@test "doctor: a stale 0600 socket checked as nobody: the verdict does not claim a listener" {
	need_root
	chmod 0755 "$T"
	stale_socket "$T/$U-st.sock"
	chmod 0600 "$T/$U-st.sock"
	run as_nobody "$SB" doctor "$T/$U-st.sock"
	expect_status 1
	has_check problem permission "may not connect"
	has_check problem listener "stale: the file exists but nothing listens on it"
	doctor_lines
	[[ "${DL[-1]}" != *"a server listens"* ]] ||
	    fail "the verdict says a server listens, the listener check says stale:" "$output"
	verdict_has "stale"
}

# tmp cleaners (systemd-tmpfiles) delete a live server's socket file: the
# server still listens on that name, connect() gets ENOENT.
@test "doctor: the socket file was deleted while its server still listens" {
	echo_at echo "unix:$T/$U-gone.sock"
	rm "$T/$U-gone.sock"
	run "$SB" doctor "$T/$U-gone.sock"
	expect_status 1
	has_check problem file "$T/$U-gone.sock does not exist"
	[[ "$output" != *"no process listens on a socket named $U-gone.sock"* ]] ||
	    fail "doctor says nothing listens on that name; pid $BG_PID does:" "$output"
	[[ "$output" == *"pid $BG_PID"* ]] ||
	    fail "doctor does not name the listener, pid $BG_PID:" "$output"
}

@test "doctor: a path longer than sun_path holds" {
	local dir=$T/$(printf 'd%.0s' {1..60})
	mkdir "$dir"
	local long=$dir/$(printf 'e%.0s' {1..60}).sock
	[ "${#long}" -gt 107 ]
	run "$SB" doctor "$long"
	expect_status 1
	has_check problem path "${#long} bytes: longer than the 107 bytes sun_path holds (ENAMETOOLONG)"
	has_check ok dirs "every directory on the way exists"
	has_check problem connect "ENAMETOOLONG"
	verdict_has "The path is ${#long} bytes; a unix socket address holds 107."

	# 107 bytes is the most that fits.
	local fits=$T/$(printf 'f%.0s' $(seq $((107 - ${#T} - 1))))
	[ "${#fits}" -eq 107 ]
	run "$SB" doctor "$fits"
	expect_status 1
	has_check ok path "107 bytes, within the 107-byte sun_path limit"
	has_check problem connect "ENOENT"
}

@test "doctor: a directory on the way is missing" {
	run "$SB" doctor "$T/nope/$U.sock"
	expect_status 1
	has_check problem dirs "directory $T/nope: does not exist"
	has_check problem connect "ENOENT"
	verdict_has "Directory $T/nope does not exist"
}

@test "doctor: the socket listens in another directory: elsewhere note and relay" {
	local P2
	P2=$(free_port)
	mkdir "$T/a" "$T/b"
	echo_at echo "unix:$T/b/.s.PGSQL.$P2"
	local echo_pid=$BG_PID
	run "$SB" doctor "$T/a/.s.PGSQL.$P2"
	expect_status 1
	has_check problem file "$T/a/.s.PGSQL.$P2 does not exist"
	has_check note elsewhere "$T/b/.s.PGSQL.$P2: listening (pid $echo_pid, sockbridge, user $(id -un))"
	has_check note tcp "nothing answers on localhost tcp port $P2 (ECONNREFUSED)"
	verdict_has "Nothing listens at $T/a/.s.PGSQL.$P2, but a server listens at $T/b/.s.PGSQL.$P2."
	verdict_has "libpq: -h $T/b;"
	verdict_has "\`sockbridge relay unix:$T/a/.s.PGSQL.$P2 unix:$T/b/.s.PGSQL.$P2\`"

	# The suggested relay makes the first path work.
	start_bg relay "$SB" relay "unix:$T/a/.s.PGSQL.$P2" "unix:$T/b/.s.PGSQL.$P2"
	listen_addr relay >/dev/null
	run "$SB" doctor "$T/a/.s.PGSQL.$P2"
	# It reaches the echo server, which is not PostgreSQL: exit 1.
	expect_status 1
	has_check problem protocol "the server answered the SSLRequest, but not as PostgreSQL does"
}

# --- targets: URIs, libpq host and port, tcp -----------------------------------

@test "doctor: postgresql:// URIs and -h/-p resolve to DIR/.s.PGSQL.PORT" {
	local P enc
	P=$(free_port)
	enc=$(urlencode "$T")
	[[ "$enc" == %2F* ]]
	echo_at echo "unix:$T/.s.PGSQL.$P"
	local want="unix:$T/.s.PGSQL.$P"
	# Each form reaches the echo server, which is not PostgreSQL: exit 1
	# with the SSLRequest's answer checked.

	run "$SB" doctor "postgresql://x@$enc:$P/db"
	expect_status 1
	header_is "$want"
	has_check ok listener "a process listens: pid $BG_PID"
	has_check problem protocol "the server answered the SSLRequest, but not as PostgreSQL does"

	run "$SB" doctor "postgresql://x:secret@$enc:$P/db?sslmode=disable"
	expect_status 1
	header_is "$want"

	run "$SB" doctor "postgresql:///db?host=$T&port=$P"
	expect_status 1
	header_is "$want"

	run "$SB" doctor "postgres:///db?port=$P&host=$enc"
	expect_status 1
	header_is "$want"

	run "$SB" doctor "postgresql://localhost:1/db?host=$T&port=$P"
	expect_status 1
	header_is "$want"

	run "$SB" doctor -h "$T" -p "$P"
	expect_status 1
	header_is "$want"

	run "$SB" doctor --host "$T" --port "$P"
	expect_status 1
	header_is "$want"

	run env PGHOST="$T" PGPORT="$P" "$SB" doctor --pg
	expect_status 1
	header_is "$want"

	# Without a socket there: the same target, exit 1.
	run "$SB" doctor "postgresql:///db?host=$T&port=$((P == 65535 ? 65534 : P + 1))"
	expect_status 1
	header_is "unix:$T/.s.PGSQL.$((P == 65535 ? 65534 : P + 1))"

	# A tcp host in a URI is a tcp target.
	run "$SB" doctor "postgresql://localhost:$P/db"
	header_is "tcp:127.0.0.1:$P"
}

# libpq takes a host starting with '@' as an abstract socket: psql -h @name
# connects to the abstract address "@name/.s.PGSQL.PORT".
@test "doctor: -h @name and postgresql://%40name are abstract sockets, as in libpq" {
	local P name=sbtest-$$-$RANDOM
	P=$(free_port)
	echo_at echo "unix:@$name/.s.PGSQL.$P"

	# Both reach the echo server (not PostgreSQL: exit 1, with the
	# SSLRequest answered).
	run "$SB" doctor -h "@$name" -p "$P"
	[ "$status" -eq 1 ] || fail "doctor -h @$name -p $P: status $status" "$output"
	has_check problem protocol "the server answered the SSLRequest, but not as PostgreSQL does"
	run "$SB" doctor "postgresql://%40$name:$P/db"
	[ "$status" -eq 1 ] || fail "doctor postgresql://%40$name:$P/db: status $status" "$output"
	has_check problem protocol "the server answered the SSLRequest, but not as PostgreSQL does"
}

@test "doctor: abstract unix:@name, dead and live: only the live one passes" {
	local name=sbtest-$$-$RANDOM
	run "$SB" doctor "unix:@$name"
	expect_status 1
	header_is "unix:@$name"
	has_check problem listener "no process listens on this abstract name"
	has_check problem connect "ECONNREFUSED"
	no_check ok
	verdict_has "Nothing listens at unix:@$name."
	run "$SB" doctor --json "unix:@$name"
	expect_status 1
	python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
assert d["connect"] == {"ok": False, "errno": "ECONNREFUSED"}, d
assert [c["mark"] for c in d["checks"]] == ["problem", "problem"], d
' <<<"$output" || fail "json: $output"

	echo_at echo "unix:@$name"
	run "$SB" doctor "unix:@$name"
	expect_status 0
	has_check ok listener "a process listens: pid $BG_PID, sockbridge"
	has_check ok connect "connect() succeeded"
	no_check problem
	verdict_has "A server accepts connections at unix:@$name (pid $BG_PID"
}

@test "doctor: tcp targets" {
	local P
	P=$(free_port)
	run "$SB" doctor "tcp:127.0.0.1:$P"
	expect_status 1
	header_is "tcp:127.0.0.1:$P"
	has_check problem connect "ECONNREFUSED: no server listens on that port"
	verdict_has "Nothing accepts connections on tcp:127.0.0.1:$P."

	run "$SB" doctor --json "tcp:127.0.0.1:$P"
	expect_status 1
	python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
assert d["connect"] == {"ok": False, "errno": "ECONNREFUSED"}, d
' <<<"$output" || fail "json: $output"

	local addr
	start_bg echo "$SB" echo tcp:127.0.0.1:0
	addr=$(listen_addr echo)
	run "$SB" doctor "$addr"
	expect_status 0
	header_is "$addr"
	has_check ok connect "connect() succeeded"
	verdict_has "A server accepts connections on ${addr}."

	run "$SB" doctor "tcp:localhost:${addr##*:}"
	expect_status 0
	header_is "$addr"

	run "$SB" doctor "tcp:not-an-address.invalid:${addr##*:}"
	expect_status 1
	has_check problem address "is not an IP address"
}

# --- --json ----------------------------------------------------------------

@test "doctor --json: one object with target, connect, checks and verdict" {
	stale_socket "$T/stale.sock"
	echo_at echo "unix:$T/live.sock"
	local f
	for f in stale live; do
		run --separate-stderr "$SB" doctor --json "$T/$f.sock"
		[ "$status" -eq $([ $f = live ] && echo 0 || echo 1) ] ||
		    fail "$f: status $status" "$output"
		[ "$(wc -l <<<"$output")" -eq 1 ] || fail "not one line: $output"
		WANT=$f TARGET="unix:$T/$f.sock" PID=$BG_PID python3 -c '
import json, os, sys
d = json.loads(sys.stdin.read())
assert set(d) == {"target", "connect", "checks", "verdict"}, d.keys()
assert d["target"] == os.environ["TARGET"], d["target"]
live = os.environ["WANT"] == "live"
assert d["connect"]["ok"] is live, d["connect"]
assert d["connect"]["errno"] == (None if live else "ECONNREFUSED"), d["connect"]
assert isinstance(d["checks"], list) and d["checks"], d["checks"]
for c in d["checks"]:
    assert set(c) == {"mark", "topic", "text"}, c
    assert c["mark"] in ("ok", "note", "problem"), c
    assert isinstance(c["topic"], str) and c["topic"], c
    assert isinstance(c["text"], str) and c["text"], c
listener = [c for c in d["checks"] if c["topic"] == "listener"]
assert len(listener) == 1, listener
if live:
    assert listener[0]["mark"] == "ok", listener
    assert ("pid %s, sockbridge" % os.environ["PID"]) in listener[0]["text"], listener
else:
    assert listener[0]["mark"] == "problem" and "stale" in listener[0]["text"], listener
assert isinstance(d["verdict"], str) and d["verdict"], d["verdict"]
' <<<"$output" || fail "$f json: $output"
	done
}

# --- usage errors ------------------------------------------------------------

@test "doctor: usage errors exit 2 with a sockbridge: message" {
	usage_error
	usage_error "$T/a" "$T/b"
	usage_error -p 0
	usage_error -p 65536
	usage_error -p x "$T/a"
	usage_error --bogus "$T/a"
	usage_error -x
	usage_error -h
	usage_error -h "$T" "$T/a"
	usage_error --pg "$T/a"
	usage_error "postgresql://%zz/db"
	usage_error "postgresql://h:0/db"
	usage_error "ftp://x"
	usage_error "$T/$(printf 'p%.0s' {1..5000})"

	run "$SB" doctor --help
	expect_status 0
	[[ "$output" == "usage: sockbridge doctor "* ]]
}

# --- ls --------------------------------------------------------------------------

# ls_row PATH: the text row of the last "ls" run for PATH, in $ROW.
ls_row() {
	ROW=$(awk -v p="$1" '$1 == p' <<<"$output")
	[ -n "$ROW" ] || fail "no row for $1 in:" "$output"
}

@test "ls DIR: the listening socket with its pid and command; stale files marked" {
	echo_at echo "unix:$T/live.sock"
	local pid=$BG_PID
	stale_socket "$T/stale.sock"
	echo "not a socket" >"$T/plain"

	run --separate-stderr "$SB" ls "$T"
	expect_status 0
	[[ "${lines[0]}" =~ ^PATH\ +STATE\ +PEERS\ +MODE\ +OWNER\ +PID\ +COMMAND$ ]] ||
	    fail "header: ${lines[0]}"
	local owner
	owner="$(id -un):$(id -gn)"
	ls_row "$T/live.sock"
	[[ "$ROW" =~ ^"$T/live.sock"\ +listening\ +0\ +0[0-7]{3}\ +"$owner"\ +"$pid"\ sockbridge$ ]] ||
	    fail "live row: $ROW"
	ls_row "$T/stale.sock"
	[[ "$ROW" =~ ^"$T/stale.sock"\ +stale\ +0\ +0[0-7]{3}\ +"$owner"\ +-\ -$ ]] ||
	    fail "stale row: $ROW"
	# Only sockets, only under $T.
	[ "$(grep -c "^$T/" <<<"$output")" -eq 2 ] || fail "rows: $output"

	# One path: only that socket.
	run "$SB" ls "$T/live.sock"
	expect_status 0
	[ "${#lines[@]}" -eq 2 ] || fail "ls PATH: $output"
	ls_row "$T/live.sock"
	run "$SB" ls "$T/stale.sock"
	expect_status 0
	ls_row "$T/stale.sock"
	[[ "$ROW" == *" stale "* ]] || fail "stale row: $ROW"

	# Without an argument: every bound socket, ours among them.
	run "$SB" ls
	expect_status 0
	ls_row "$T/live.sock"
	[[ "$ROW" == *" $pid sockbridge" ]] || fail "ls row: $ROW"
}

@test "ls --json: one object per line with path, state, peers, mode, owner, pid, command" {
	echo_at echo "unix:$T/live.sock"
	stale_socket "$T/stale.sock"
	run --separate-stderr "$SB" ls --json "$T"
	expect_status 0
	[ "${#lines[@]}" -eq 2 ] || fail "lines: $output"
	DIR=$T PID=$BG_PID OWNER="$(id -un):$(id -gn)" python3 -c '
import json, os, sys
d, pid = os.environ["DIR"], int(os.environ["PID"])
rows = {}
for line in sys.stdin.read().splitlines():
    o = json.loads(line)
    assert set(o) == {"path", "state", "peers", "mode", "owner", "pid", "command"}, o
    rows[o["path"]] = o
live, stale = rows[d + "/live.sock"], rows[d + "/stale.sock"]
assert live["state"] == "listening" and live["pid"] == pid, live
assert live["command"] == "sockbridge" and live["peers"] == 0, live
assert live["owner"] == os.environ["OWNER"] and len(live["mode"]) == 4, live
assert stale["state"] == "stale" and stale["pid"] is None, stale
assert stale["command"] is None and stale["peers"] == 0, stale
' <<<"$output" || fail "json: $output"
}

# peers_of PATH: the peers field of "ls --json PATH".
peers_of() {
	"$SB" ls --json "$1" | python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["peers"])'
}

peers_at_least() {
	[ "$(peers_of "$1")" -ge "$2" ]
}

@test "ls: connected clients count as peers of the listener" {
	echo_at echo "unix:$T/live.sock"
	mkfifo "$T/hold.in"
	exec 8<>"$T/hold.in"
	# Not start_bg: a background command's stdin would be /dev/null. And
	# 8>&-: the client must not hold the fifo's write end itself.
	"$PEER" hold -t 30 -c 2 -w "unix:$T/live.sock" <"$T/hold.in" \
	    >"$T/hold.out" 2>"$T/hold.err" 8>&- &
	local hold_pid=$!
	BG_PIDS+=("$hold_pid")
	wait_for 200 grep -q '^held 2/2$' "$T/hold.out" ||
	    fail "hold did not connect:" "$(cat "$T/hold.out" "$T/hold.err")"
	wait_for 100 peers_at_least "$T/live.sock" 2 ||
	    fail "peers: $(peers_of "$T/live.sock")" "$("$SB" ls "$T")"

	run "$SB" ls "$T"
	expect_status 0
	ls_row "$T/live.sock"
	[[ "$ROW" =~ ^"$T/live.sock"\ +listening\ +2\  ]] || fail "row: $ROW"

	# The client goes away: back to no peers.
	exec 8>&-
	wait_gone "$hold_pid" 100 || fail "hold did not exit at EOF"
	wait_for 100 eval '[ "$(peers_of "$T/live.sock")" -eq 0 ]' ||
	    fail "peers after close: $(peers_of "$T/live.sock")"
}

@test "ls: a nonexistent path fails with the errno message; usage errors exit 2" {
	run --separate-stderr "$SB" ls "$T/nope"
	expect_status 1
	[ -z "$output" ] || fail "stdout: $output"
	[ "$stderr" = "sockbridge: ls: $T/nope: No such file or directory" ] ||
	    fail "stderr: $stderr"

	# A relative path is taken from the current directory.
	run --separate-stderr "$SB" ls relative/path
	expect_status 1
	[ "$stderr" = "sockbridge: ls: relative/path: No such file or directory" ] ||
	    fail "stderr: $stderr"
	run --separate-stderr "$SB" ls "$T" "$T"
	expect_status 2
	[[ "$stderr" == "sockbridge: ls: "* ]] || fail "stderr: $stderr"
	run --separate-stderr "$SB" ls --bogus
	expect_status 2
	[[ "$stderr" == "sockbridge: ls: unknown option"* ]] || fail "stderr: $stderr"
}

@test "doctor: a server that accepts and closes at once never kills doctor (50 runs, text and --json)" {
	mkdir "$T/pg"
	bg closer python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(64)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    c.close()' "$T/pg/.s.PGSQL.5999"
	wait_for 100 grep -q ready "$T/closer.out" || fail "the closing server did not start"
	local i
	for ((i = 0; i < 50; i++)); do
		run "$SB" doctor $([ $((i % 2)) = 1 ] && echo --json) "$T/pg/.s.PGSQL.5999"
		[ "$status" = 0 ] || [ "$status" = 1 ] ||
		    fail "run $i: exit $status" "$output"
		[ -n "$output" ] || fail "run $i: no output"
	done
}
