#!/usr/bin/env bats
# Hardening, end to end: the --stats endpoint honours the access options
# its address accepts and always serves complete, valid Prometheus text;
# SIGHUP; TCP keepalive on both TCP sides; the per-peer connection limit.
#
# Each test checks what the other side observes: a scraper denied or
# served, a body a real Prometheus parser (python3-prometheus-client)
# takes whole, the keepalive timer ss shows on the relay's own sockets, a
# client refused while another user's is served. Other users are played
# with setpriv (nobody). Waits are bounded loops; servers live in $T or on
# loopback port 0 and are stopped in teardown.

load helpers

: "${BATS_TEST_TIMEOUT:=60}"

setup_file() {
	# The system interpreter: python3-prometheus-client is a Debian
	# package, and a version manager's shim under /root is out of
	# nobody's reach.
	PY=/usr/bin/python3
	[ -x "$PY" ] || PY=$(command -v python3 || true)
	export PY
}

setup() {
	common_setup
	chmod 755 "$T"
}

teardown() {
	common_teardown
}

# --- helpers -----------------------------------------------------------------

# need_nobody: skip unless we are root and can become nobody.
need_nobody() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	command -v setpriv >/dev/null || skip "needs setpriv"
	NOBODY_UID=$(id -u nobody 2>/dev/null) || skip "needs user nobody"
	NOGROUP=$(id -gn nobody)
	AS_NOBODY=(setpriv --reuid=nobody --regid="$NOGROUP" --clear-groups)
}

need_parser() {
	"$PY" -c 'import prometheus_client.parser' 2>/dev/null ||
	    skip "needs python3-prometheus-client (scripts/install-deps --test)"
}

# stats_addr NAME: the address process NAME serves its stats on.
stats_addr() {
	local a
	wait_for 100 grep -q '^sockbridge: stats on ' "$T/$1.err" ||
	    fail "no 'stats on' from $1:" "$(cat "$T/$1.err")"
	sed -n 's/^sockbridge: stats on //p' "$T/$1.err" | head -1
}

# scrape ADDR [curl args...]: GET /metrics from a unix: or tcp: address.
scrape() {
	local a=$1; shift
	case $a in
	unix:*)	timeout 10 curl -sS --max-time 5 "$@" --unix-socket "${a#unix:}" http://x/metrics ;;
	*)	timeout 10 curl -sS --max-time 5 "$@" "http://${a#tcp:}/metrics" ;;
	esac
}

# PROM_CHECK [NAME...]: read a whole HTTP response on stdin; check that
# the body is as long as Content-Length says, strict UTF-8, parses as
# Prometheus text, and that the sockbridge_target_up target labels are the
# NAMEs, in order, whole (bytes that are not UTF-8 read as U+FFFD).
PROM_CHECK='
import os, sys
from prometheus_client.parser import text_string_to_metric_families
raw = sys.stdin.buffer.read()
head, sep, body = raw.partition(b"\r\n\r\n")
assert sep, "no end of the head"
lines = head.decode("ascii").split("\r\n")
assert lines[0] == "HTTP/1.0 200 OK", lines[0]
cl = [int(l.split(":", 1)[1]) for l in lines if l.lower().startswith("content-length:")]
assert cl == [len(body)], "Content-Length %s, body %d bytes" % (cl, len(body))
text = body.decode("utf-8")
assert text.endswith("\n"), "body does not end with a newline"
names = []
for fam in text_string_to_metric_families(text):
	for s in fam.samples:
		if s.name == "sockbridge_target_up":
			names.append(s.labels["target"])
want = [os.fsencode(a).decode("utf-8", "replace") for a in sys.argv[1:]]
assert len(names) == len(want), "%d targets, want %d" % (len(names), len(want))
for i, (g, w) in enumerate(zip(names, want)):
	assert g == w, "target %d: got %d chars %r..., want %d chars %r..." % (
	    i, len(g), g[:60], len(w), w[:60])
print("%d targets, %d bytes" % (len(names), len(body)))
'

# --- 3. every listener honours the options it accepts -------------------------

@test "stats: allow-user= on a unix --stats: root is served, nobody is refused with nothing read and the refusal logged" {
	need_nobody
	start_relay relay --stats "unix:$T/stats.sock,mode=0666,allow-user=root" \
	    "unix:$T/r.sock" "exec:echo 'secret --password hunter2'" >/dev/null
	s=$(stats_addr relay)
	[ "$s" = "unix:$T/stats.sock" ]

	run scrape "$s"
	expect_status 0
	expect_contains 'sockbridge_connections_total 0'

	run "${AS_NOBODY[@]}" curl -sS --max-time 5 --unix-socket "$T/stats.sock" http://x/metrics
	[ "$status" -ne 0 ] || fail "nobody was served:" "$output"
	[[ "$output" != *hunter2* ]] || fail "nobody read the labels:" "$output"
	[[ "$output" != *sockbridge_* ]] || fail "nobody read counters:" "$output"
	wait_for 100 grep -q "stats: denied unix peer pid [0-9]* uid $NOBODY_UID " "$T/relay.err" ||
	    fail "no denial logged:" "$(cat "$T/relay.err")"
	expect_log relay "stats: denied .* on unix:$T/stats\.sock \(not in its allow list\)$"
	# The refusal is counted; root is still served.
	run scrape "$s"
	expect_status 0
	expect_contains 'sockbridge_errors_total{kind="denied"} 1'
}

@test "stats: mode=0600 on a unix --stats: nobody cannot connect; mode=0666 without an allow list: nobody is served" {
	need_nobody
	start_relay relay --stats "unix:$T/stats.sock,mode=0600" "unix:$T/r.sock" "unix:$T/nowhere.sock" >/dev/null
	stats_addr relay >/dev/null
	[ "$(stat -c %a "$T/stats.sock")" = 600 ]
	run "${AS_NOBODY[@]}" curl -sS --max-time 5 --unix-socket "$T/stats.sock" http://x/metrics
	[ "$status" -ne 0 ] || fail "nobody was served:" "$output"
	expect_contains "Couldn't connect"

	start_relay relay2 --stats "unix:$T/stats2.sock,mode=0666" "unix:$T/r2.sock" "unix:$T/nowhere.sock" >/dev/null
	wait_for 100 test -S "$T/stats2.sock"
	run "${AS_NOBODY[@]}" curl -sS --max-time 5 --unix-socket "$T/stats2.sock" http://x/metrics
	expect_status 0
	expect_contains 'sockbridge_connections_total 0'
}

@test "stats: allow=127.0.0.2/32 on a tcp --stats: a scraper from 127.0.0.1 is refused and logged, one from 127.0.0.2 is served" {
	needs_local_addr 127.0.0.2
	start_relay relay --stats "tcp:127.0.0.1:0,allow=127.0.0.2/32" "unix:$T/r.sock" "unix:$T/nowhere.sock" >/dev/null
	s=$(stats_addr relay)
	run scrape "$s" --interface 127.0.0.1
	[ "$status" -ne 0 ] || fail "127.0.0.1 was served:" "$output"
	[[ "$output" != *sockbridge_* ]] || fail "127.0.0.1 read counters:" "$output"
	wait_for 100 grep -q 'stats: denied tcp:127\.0\.0\.1:[0-9]* on ' "$T/relay.err" ||
	    fail "no denial logged:" "$(cat "$T/relay.err")"
	run scrape "$s" --interface 127.0.0.2
	expect_status 0
	expect_contains 'sockbridge_connections_total 0'
}

@test "stats: 32 targets with 3,000-byte names full of quotes, backslashes, newlines and non-UTF-8 bytes: one complete body a Prometheus parser takes, every name whole" {
	need_parser
	local targets=() i cmd
	for ((i = 0; i < 32; i++)); do
		# An exec: command line: quotes, a backslash, a newline, a
		# byte that is not UTF-8, and padding to about 3,000 bytes.
		printf -v cmd 'echo "t%d" \\\\ %s\n# \xff %s' "$i" \
		    "$(printf "'q%.0s" {1..20})" "$(printf 'x%.0s' {1..3000})"
		targets+=("exec:$cmd")
	done
	start_relay relay --stats "unix:$T/stats.sock" "unix:$T/r.sock" "${targets[@]}" >/dev/null
	rpid=$BG_PID
	s=$(stats_addr relay)
	scrape "$s" -i >"$T/resp" || fail "scrape failed"
	[ "$(stat -c %s "$T/resp")" -gt 200000 ] ||
	    fail "only $(stat -c %s "$T/resp") bytes"
	run "$PY" -c "$PROM_CHECK" "${targets[@]}" <"$T/resp"
	expect_status 0
	echo "# one scrape: $output" >&3
	# A scraper that reads slowly still gets every byte.
	timeout 20 "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
out = b""
while True:
	time.sleep(0.001)
	b = s.recv(4096)
	if not b:
		break
	out += b
sys.stdout.buffer.write(out)' "$T/stats.sock" >"$T/resp2"
	run "$PY" -c "$PROM_CHECK" "${targets[@]}" <"$T/resp2"
	expect_status 0

	# SIGUSR1 logs the same counters whole.
	kill -USR1 "$rpid"
	wait_for 100 log_has_n relay '^sockbridge: stats: sockbridge_target_failures_total' 32 ||
	    fail "SIGUSR1 logged $(nlines relay 'stats: sockbridge_target_failures_total') of 32 targets"
}

# --- 7. SIGHUP ------------------------------------------------------------------

@test "SIGHUP: the relay keeps serving on its socket file and logs the counters, as often as it is sent" {
	start_echo echo "unix:$T/echo.sock" >/dev/null
	start_relay relay "unix:$T/r.sock" "unix:$T/echo.sock" >/dev/null
	rpid=$BG_PID
	run timeout 10 "$PEER" ping -t 5 "unix:$T/r.sock" before
	expect_status 0
	for i in 1 2 3; do
		kill -HUP "$rpid"
		wait_for 100 log_has_n relay '^sockbridge: SIGHUP: 0 tcp targets resolved again, 0 moved$' "$i" ||
		    fail "no SIGHUP line $i; alive: $(kill -0 "$rpid" 2>&1 && echo yes)" \
		    "$(cat "$T/relay.err")"
	done
	kill -0 "$rpid" || fail "the relay died"
	test -S "$T/r.sock" || fail "the socket file is gone"
	run timeout 10 "$PEER" ping -t 5 "unix:$T/r.sock" after
	expect_status 0
	expect_output after
	# The counters, as SIGUSR1 logs them, once per SIGHUP.
	log_has_n relay '^sockbridge: stats: sockbridge_connections_total ' 3
	# SIGTERM still ends it cleanly: exit 0, socket file removed.
	kill -TERM "$rpid"
	wait "$rpid"
	test ! -e "$T/r.sock"
}

@test "SIGHUP: a tcp target named by host name follows the name to its new address; a name that stops resolving keeps the old one" {
	needs_linux "a mount namespace (unshare -m) over /etc/hosts"
	needs_local_addr 127.0.0.2
	[ "$(id -u)" = 0 ] || skip "needs root (a private /etc/hosts)"
	unshare -m true 2>/dev/null || skip "cannot unshare a mount namespace"
	# Two targets on one port, at 127.0.0.1 and 127.0.0.2, each
	# answering with its own letter.
	start_relay a tcp:127.0.0.1:0 "exec:echo A" >/dev/null
	a=$(listen_addr a)
	port=$(port_of "$a")
	start_relay b "tcp:127.0.0.2:$port" "exec:echo B" >/dev/null
	# The relay sees its own /etc/hosts, which the test rewrites.
	cp /etc/hosts "$T/hosts"
	echo "127.0.0.1 sb-moving-target.test" >>"$T/hosts"
	start_bg relay unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' \
	    sh "$T/hosts" "$SB" relay -v "unix:$T/r.sock" "tcp:sb-moving-target.test:$port"
	rpid=$BG_PID
	listen_addr relay >/dev/null
	run timeout 10 socat -t 5 - "UNIX-CONNECT:$T/r.sock" </dev/null
	expect_output A

	# Rewrite in place: the bind mount holds the inode.
	{ grep -v sb-moving-target "$T/hosts"; echo "127.0.0.2 sb-moving-target.test"; } >"$T/hosts.new"
	cat "$T/hosts.new" >"$T/hosts"
	kill -HUP "$rpid"
	wait_for 100 grep -q "SIGHUP: tcp:sb-moving-target.test:$port: now tcp:127.0.0.2:$port (was tcp:127.0.0.1:$port)" "$T/relay.err" ||
	    fail "no move logged:" "$(cat "$T/relay.err")"
	expect_log relay '^sockbridge: SIGHUP: 1 tcp targets resolved again, 1 moved$'
	run timeout 10 socat -t 5 - "UNIX-CONNECT:$T/r.sock" </dev/null
	expect_output B

	# The name gone: a warning, and the last address stays in use.
	grep -v sb-moving-target "$T/hosts.new" >"$T/hosts"
	kill -HUP "$rpid"
	wait_for 100 grep -q "SIGHUP: tcp:sb-moving-target.test:$port: .*; keeping tcp:127.0.0.2:$port, ignoring" "$T/relay.err" ||
	    fail "no warning:" "$(cat "$T/relay.err")"
	run timeout 10 socat -t 5 - "UNIX-CONNECT:$T/r.sock" </dev/null
	expect_output B
	kill -0 "$rpid"
}

# --- 8. TCP keepalive -----------------------------------------------------------

# KA_READ PID: print "FAMILY KEEPALIVE IDLE INTVL CNT" for each connected
# TCP socket process PID holds, read with getsockopt on a copy of its fd
# (pidfd_getfd, Linux 5.6+, needs ptrace rights: root). Exit 3 if the
# kernel cannot copy fds.
KA_READ='
import ctypes, os, socket, sys
pid = int(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
SYS_pidfd_getfd = 438
pidfd = os.pidfd_open(pid)
for name in sorted(os.listdir("/proc/%d/fd" % pid), key=int):
	try:
		if not os.readlink("/proc/%d/fd/%s" % (pid, name)).startswith("socket:"):
			continue
	except OSError:
		continue
	fd = libc.syscall(SYS_pidfd_getfd, pidfd, int(name), 0)
	if fd < 0:
		sys.exit(3)
	s = socket.socket(fileno=fd)
	try:
		if s.family not in (socket.AF_INET, socket.AF_INET6) or s.type != socket.SOCK_STREAM:
			continue
		try:
			s.getpeername()
		except OSError:
			continue	# a listener
		print(s.family.name, s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
		    s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
		    s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
		    s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT))
	finally:
		s.detach()
		os.close(fd)
'

# hold NAME ADDR [WHO...]: a client (bg as NAME, run under WHO, e.g.
# setpriv ...) that connects to ADDR (unix:PATH or
# tcp:HOST:PORT), sends a line, reads it back, prints "ready" and stays
# connected until $T/stop-NAME appears (at most 30 s).
hold() {
	local name=$1 addr=$2; shift 2
	bg "$name" "$@" "$PY" -c '
import os, socket, sys, time
a, stop = sys.argv[1], sys.argv[2]
if a.startswith("unix:"):
	s = socket.socket(socket.AF_UNIX); s.connect(a[5:])
else:
	h, p = a[4:].rsplit(":", 1); s = socket.create_connection((h, int(p)))
s.sendall(b"x\n")
assert s.recv(10) == b"x\n"
print("ready", flush=True)
end = time.time() + 30
while time.time() < end and not os.path.exists(stop):
	time.sleep(0.05)' "$addr" "$T/stop-$name"
	wait_for 200 grep -qx ready "$T/$name.out" ||
	    fail "client $name not served:" "$(cat "$T/$name.err")"
}

# ss_ka PID: the relay's established TCP sockets as ss -tnpo shows them.
ss_ka() {
	ss -tnpo state established | grep "pid=$1,"
}

need_ka_read() {
	needs_linux "pidfd_getfd and /proc/PID/fd"
	[ "$(id -u)" = 0 ] || skip "needs root (pidfd_getfd)"
	needs_tool ss
}

@test "keepalive: on by default on both TCP sides (accepted and dialed): ss shows the timer, getsockopt reads 60,10,6" {
	need_ka_read
	bg echo "$SB" echo tcp:127.0.0.1:0
	e=$(listen_addr echo)
	bg relay "$SB" relay tcp:127.0.0.1:0 "$e"
	rpid=$BG_PID
	r=$(listen_addr relay)
	hold c "$r"
	run ss_ka "$rpid"
	echo "# ss: $(echo "$output" | tr -s ' ' | tr '\n' '|')" >&3
	[ "$(grep -c 'timer:(keepalive,' <<<"$output")" = 2 ] ||
	    fail "not 2 sockets with a keepalive timer:" "$output"
	run "$PY" -c "$KA_READ" "$rpid"
	[ "$status" != 3 ] || skip "pidfd_getfd refused"
	expect_status 0
	[ "$(grep -c '^AF_INET 1 60 10 6$' <<<"$output")" = 2 ] ||
	    fail "getsockopt on the relay's sockets:" "$output"
	touch "$T/stop-c"
}

@test "keepalive: --keepalive 30,5,3 applies to the dialed TCP side of a unix listener; --keepalive off leaves both TCP sides without" {
	need_ka_read
	bg echo "$SB" echo tcp:127.0.0.1:0
	e=$(listen_addr echo)
	bg relay "$SB" relay --keepalive 30,5,3 "unix:$T/r.sock" "$e"
	rpid=$BG_PID
	listen_addr relay >/dev/null
	hold c "unix:$T/r.sock"
	run ss_ka "$rpid"
	[ "$(grep -c 'timer:(keepalive,' <<<"$output")" = 1 ] ||
	    fail "not 1 socket with a keepalive timer:" "$output"
	grep -Eq 'timer:\(keepalive,(2[0-9]|30)sec' <<<"$output" ||
	    fail "not a 30 s idle timer:" "$output"
	run "$PY" -c "$KA_READ" "$rpid"
	[ "$status" != 3 ] || skip "pidfd_getfd refused"
	expect_output "AF_INET 1 30 5 3"
	touch "$T/stop-c"

	bg relay2 "$SB" relay --keepalive off tcp:127.0.0.1:0 "$e"
	rpid2=$BG_PID
	r2=$(listen_addr relay2)
	hold c2 "$r2"
	run ss_ka "$rpid2"
	[ "$(wc -l <<<"$output")" = 2 ] || fail "not 2 sockets:" "$output"
	[[ "$output" != *keepalive* ]] || fail "keepalive is on:" "$output"
	run "$PY" -c "$KA_READ" "$rpid2"
	[ "$(grep -c '^AF_INET 0 ' <<<"$output")" = 2 ] ||
	    fail "SO_KEEPALIVE not 0 on both:" "$output"
	touch "$T/stop-c2"
}

@test "keepalive: --keepalive values out of range or malformed are refused at start (exit 2), each with its reason" {
	for bad in 0 32768 1.5 60,0 60,10,0 60,10,128 60,10,6,1 on ,10; do
		run "$SB" relay --keepalive "$bad" "unix:$T/r.sock" tcp:127.0.0.1:1
		[ "$status" = 2 ] || fail "--keepalive $bad: exit $status" "$output"
		[[ "$output" == "sockbridge: --keepalive $bad: "* ]] ||
		    fail "--keepalive $bad:" "$output"
		test ! -e "$T/r.sock"
	done
}

# --- 9. fairness: connections per peer ------------------------------------------

# PROBE: connect to argv[1] (unix:PATH or tcp:HOST:PORT, from source
# address argv[2] if given), send a line and print what comes back:
# "echo", a close as "eof", "reset" or "epipe" (closed before the line was
# sent), or "timeout".
PROBE='
import socket, sys
a = sys.argv[1]
if a.startswith("unix:"):
	s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(a[5:])
else:
	h, p = a[4:].rsplit(":", 1)
	s = socket.socket(); s.settimeout(5)
	if len(sys.argv) > 2:
		s.bind((sys.argv[2], 0))
	s.connect((h, int(p)))
try:
	s.sendall(b"x\n")
	b = s.recv(10)
	print("echo" if b == b"x\n" else "eof" if b == b"" else "other %r" % b)
except ConnectionResetError:
	print("reset")
except BrokenPipeError:
	print("epipe")
except socket.timeout:
	print("timeout")
'

@test "max-conns-per-peer 2 on a unix socket: root's third connection is closed unserved and logged, nobody is still served; a slot freed lets root in again" {
	need_nobody
	bg echo "$SB" echo "unix:$T/echo.sock"
	listen_addr echo >/dev/null
	bg relay "$SB" relay -v --max-conns-per-peer 2 "unix:$T/r.sock,mode=0666" "unix:$T/echo.sock"
	listen_addr relay >/dev/null
	hold c1 "unix:$T/r.sock"
	hold c2 "unix:$T/r.sock"
	run timeout 10 "$PY" -c "$PROBE" "unix:$T/r.sock"
	expect_status 0
	[[ "$output" == eof || "$output" == reset || "$output" == epipe ]] ||
	    fail "root's third connection: $output"
	echo "# root's third connection observed: $output" >&3
	wait_for 100 grep -q "conn 3: refused unix peer pid [0-9]* uid 0 gid 0 on unix:$T/r.sock: this user has 2 open already, the most allowed (--max-conns-per-peer)" "$T/relay.err" ||
	    fail "no refusal logged:" "$(cat "$T/relay.err")"
	expect_log relay 'conn 3: closed \(per-peer limit\)'
	# Refused before the target was dialed.
	! grep -q 'conn 3: connected' "$T/relay.err" ||
	    fail "conn 3 reached the target:" "$(cat "$T/relay.err")"
	# Another user is still served while root is at its limit.
	run timeout 10 "${AS_NOBODY[@]}" "$PY" -c "$PROBE" "unix:$T/r.sock"
	expect_output echo
	run timeout 10 "${AS_NOBODY[@]}" "$PY" -c "$PROBE" "unix:$T/r.sock"
	expect_output echo
	# One of root's connections closes: root gets a slot back.
	touch "$T/stop-c1"
	wait_for 200 grep -q 'conn 1: closed' "$T/relay.err" ||
	    fail "conn 1 did not close:" "$(cat "$T/relay.err")"
	run timeout 10 "$PY" -c "$PROBE" "unix:$T/r.sock"
	expect_output echo
	touch "$T/stop-c2"
}

@test "max-conns-per-peer 1 on tcp: a second connection from 127.0.0.1 is refused and logged, one from 127.0.0.2 is served" {
	needs_local_addr 127.0.0.2
	bg echo "$SB" echo tcp:127.0.0.1:0
	e=$(listen_addr echo)
	bg relay "$SB" relay --max-conns-per-peer 1 tcp:127.0.0.1:0 "$e"
	r=$(listen_addr relay)
	hold c1 "$r"
	run timeout 10 "$PY" -c "$PROBE" "$r" 127.0.0.1
	expect_status 0
	[[ "$output" == eof || "$output" == reset || "$output" == epipe ]] ||
	    fail "the second connection from 127.0.0.1: $output"
	wait_for 100 grep -q "refused tcp:127\.0\.0\.1:[0-9]* on $r: this address has 1 open already, the most allowed (--max-conns-per-peer)" "$T/relay.err" ||
	    fail "no refusal logged:" "$(cat "$T/relay.err")"
	run timeout 10 "$PY" -c "$PROBE" "$r" 127.0.0.2
	expect_output echo
	touch "$T/stop-c1"
}

@test "max-conns-per-peer: 0, junk, or more than --max-conns is refused at start (exit 2)" {
	for bad in 0 -1 x 1000001; do
		run "$SB" relay --max-conns-per-peer "$bad" "unix:$T/r.sock" tcp:127.0.0.1:1
		[ "$status" = 2 ] || fail "--max-conns-per-peer $bad: exit $status" "$output"
		expect_output "sockbridge: --max-conns-per-peer $bad: not a number from 1 to 1000000"
	done
	run "$SB" relay -c 10 --max-conns-per-peer 11 "unix:$T/r.sock" tcp:127.0.0.1:1
	[ "$status" = 2 ]
	expect_contains "--max-conns-per-peer 11: more than the 10 connections"
	test ! -e "$T/r.sock"
}
