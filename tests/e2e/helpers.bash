# Shared helpers for the end-to-end tests. Each test gets its own temp dir
# ($T), starts the real binary, and waits on events with bounded loops.
# Every background process started with start_bg is killed in teardown.

SB=${SB_BUILD:?}/sockbridge
PEER=${SB_BUILD:?}/peer
# Helper scripts the tests run (python clients, servers, decoders).
TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)

# SB_SLOW (set by "make memcheck", where sockbridge runs under valgrind,
# 20-50 times slower) stretches fixed time budgets by TSCALE: the tries of
# wait_for, wait_gone and listen_addr, and whatever a test passes through
# t. Not named SLOW: tests use that name for their own servers.
TSCALE=${SB_SLOW:+10}
TSCALE=${TSCALE:-1}

# t SECONDS: a time budget (integer or decimal) scaled by TSCALE; for
# "timeout $(t 10)", "peer -t $(t 5)", "-d $(t 20)s" and the like.
t() {
	if [ "$TSCALE" = 1 ]; then
		echo "$1"
	else
		awk -v n="$1" -v s="$TSCALE" 'BEGIN { print n * s }'
	fi
}

# doctor searches running Docker containers for a socket missing here.
# The container suites run beside the other files (SB_JOBS), so doctor
# sees no Docker unless a file asks for it: doctor_docker.bats and
# tunnel_docker.bats unset this.
export DOCKER_HOST=unix:///nonexistent/sb-e2e-no-docker.sock

common_setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/sb-e2e.XXXXXX")
	BG_PIDS=()
}

common_teardown() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${BG_PIDS[@]}"; do
		wait_gone "$p" 50 || kill -9 "$p" 2>/dev/null
	done
	rm -rf "$T"
}

# start_bg NAME CMD...: run CMD in the background, stderr to $T/NAME.err,
# stdout to $T/NAME.out; its pid is in $BG_PID.
start_bg() {
	local name=$1; shift
	"$@" >"$T/$name.out" 2>"$T/$name.err" &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# wait_for TRIES CMD...: retry CMD every 0.05 s up to TRIES (times
# TSCALE) times.
wait_for() {
	local tries=$(($1 * TSCALE)) i; shift
	for ((i = 0; i < tries; i++)); do
		"$@" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# wait_gone PID TRIES: wait for a process to exit, TRIES (times TSCALE)
# polls 0.05 s apart.
wait_gone() {
	local pid=$1 tries=$((${2:-100} * TSCALE)) i
	for ((i = 0; i < tries; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

# listen_addr NAME: the first "listening on ADDR" that process NAME logged,
# waiting up to 5 s (times TSCALE) for it.
listen_addr() {
	local f="$T/$1.err" i a
	for ((i = 0; i < 100 * TSCALE; i++)); do
		a=$(sed -n 's/^sockbridge: listening on //p' "$f" 2>/dev/null | head -1)
		if [ -n "$a" ]; then echo "$a"; return 0; fi
		sleep 0.05
	done
	echo "no 'listening on' from $1:" >&2
	cat "$f" >&2
	return 1
}

# start_echo NAME ADDR: start "sockbridge echo ADDR"; prints its address.
start_echo() {
	start_bg "$1" "$SB" echo "$2"
	listen_addr "$1"
}

# start_relay NAME [args...]: start "sockbridge relay args"; prints the
# first bound address.
start_relay() {
	local name=$1; shift
	start_bg "$name" "$SB" relay "$@"
	listen_addr "$name"
}

# fail MSG...: print the lines to stderr, return 1 (fails the test).
fail() {
	printf '%s\n' "$@" >&2
	return 1
}

# bg NAME CMD...: start_bg without bats' fd 3, so that nothing left behind
# can hang bats.
bg() {
	start_bg "$@" 3>&-
}

# relay_v ARGS...: start "sockbridge relay -v ARGS" as process relay, its
# pid in $RELAY_PID, its first address in $RADDR.
relay_v() {
	bg relay "$SB" relay -v "$@"
	RELAY_PID=$BG_PID
	RADDR=$(listen_addr relay)
}

# relay_children COMM: pids of the processes named COMM under the relay
# $RELAY_PID (a command is run through /bin/sh -c, so they may be
# grandchildren).
relay_children() {
	ps -e -o pid=,ppid=,comm= | awk -v root="$RELAY_PID" -v comm="$1" '
		{ parent[$1] = $2; name[$1] = $3 }
		END {
			for (p in name) {
				if (name[p] != comm) continue
				for (q = parent[p]; q > 1; q = parent[q])
					if (q == root) { print p; break }
			}
		}'
}

# expect_status N: the last run exited with N.
expect_status() {
	[ "$status" -eq "$1" ] ||
	    fail "exit status $status, expected $1" "output: $output"
}

# expect_log NAME ERE: process NAME's stderr has a line matching ERE.
expect_log() {
	grep -Eq -- "$2" "$T/$1.err" ||
	    fail "no line matching /$2/ in $1's log:" "$(cat "$T/$1.err")"
}

# expect_output TEXT: the last run printed exactly TEXT.
expect_output() {
	[ "$output" = "$1" ] ||
	    fail "output: '$output'" "expected: '$1'"
}

# expect_contains TEXT: the last run's output contains TEXT.
expect_contains() {
	[[ "$output" == *"$1"* ]] ||
	    fail "output: '$output'" "does not contain: '$1'"
}

# nlines NAME ERE: lines of NAME's log matching ERE.
nlines() {
	grep -Ec -- "$2" "$T/$1.err" || true
}

# log_has_n NAME ERE N: at least N such lines.
log_has_n() {
	[ "$(nlines "$1" "$2")" -ge "$3" ]
}

# nfds PID: how many fds the process holds.
nfds() {
	ls "/proc/$1/fd" | wc -l
}

# free_port: a loopback port nothing listens on (bind port 0, close).
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# port_of ADDR: the port of tcp:HOST:PORT.
port_of() {
	echo "${1##*:}"
}

NGX_STREAM=/usr/lib/nginx/modules/ngx_stream_module.so

# nginx_start HTTP [STREAM]: nginx in the foreground ($NGINX_PID) with
# HTTP as the body of its http block and STREAM, if given, as that of a
# stream block (the stream module is then loaded); workers run as nobody,
# nginx's default user when started as root. Waits for the pid file.
nginx_start() {
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ||
	    skip "nginx is not installed"
	local ngx stream=
	ngx=$(command -v nginx || echo /usr/sbin/nginx)
	if [ -n "${2:-}" ]; then
		[ -e "$NGX_STREAM" ] || skip "no nginx stream module"
		stream="load_module $NGX_STREAM;"
	fi
	mkdir -p "$T/nginx-tmp"
	{
		echo "$stream"
		cat <<-EOF
		worker_processes 1;
		pid $T/nginx.pid;
		error_log $T/nginx-error.log info;
		events { worker_connections 64; }
		http {
		    access_log $T/nginx-access.log;
		    client_body_temp_path $T/nginx-tmp/body;
		    proxy_temp_path $T/nginx-tmp/proxy;
		    fastcgi_temp_path $T/nginx-tmp/fastcgi;
		    uwsgi_temp_path $T/nginx-tmp/uwsgi;
		    scgi_temp_path $T/nginx-tmp/scgi;
		$1
		}
		EOF
		[ -z "${2:-}" ] || printf 'stream {\n%s\n}\n' "$2"
	} >"$T/nginx.conf"
	bg nginx "$ngx" -p "$T/" -e "$T/nginx-error.log" -c "$T/nginx.conf" \
	    -g 'daemon off;'
	NGINX_PID=$BG_PID
	wait_for 200 test -s "$T/nginx.pid" ||
	    fail "nginx did not start:" "$(cat "$T/nginx.err" \
	    "$T/nginx-error.log" 2>/dev/null)"
}

# --- platform guards ----------------------------------------------------------
# The macOS CI job runs some of these files on a Mac; a test that needs
# something only Linux has says so and skips there (that job sets
# SB_SKIP_MAX to allow it). On Linux they never skip (needs_root aside,
# which skips for any user but root): a missing tool or address fails
# the test instead, as install-deps should have installed it.

# needs_linux [WHAT]: skip, saying why, unless this is Linux.
needs_linux() {
	[ "$(uname -s)" = Linux ] ||
	    skip "needs Linux${1:+ ($1)}; this is $(uname -s)"
}

# needs_proc: skip unless /proc shows processes' fds and status (Linux).
needs_proc() {
	[ -d /proc/self/fd ] && [ -r /proc/self/status ] && return 0
	if [ "$(uname -s)" = Linux ]; then fail "no /proc on Linux"; return; fi
	skip "needs /proc; this is $(uname -s)"
}

# needs_tool NAME...: each NAME is a command on PATH; off Linux, skip
# naming the first one missing, on Linux fail.
needs_tool() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		if [ "$(uname -s)" = Linux ]; then
			fail "needs $c, not installed"; return
		fi
		skip "needs $c; this is $(uname -s)"
	done
}

# needs_root: skip unless running as root (CI on Linux is; a Mac runner
# is not).
needs_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
}

# needs_local_addr ADDR...: each IPv4 ADDR can be bound. Linux serves all
# of 127.0.0.0/8 on lo; macOS only 127.0.0.1 unless aliases are added
# ("ifconfig lo0 alias 127.0.0.2", as the macOS CI job does). Off Linux a
# missing one skips, on Linux it fails.
needs_local_addr() {
	local a
	for a in "$@"; do
		python3 -c 'import socket, sys
socket.socket().bind((sys.argv[1], 0))' "$a" 2>/dev/null && continue
		if [ "$(uname -s)" = Linux ]; then fail "cannot bind $a"; return; fi
		skip "needs $a on the loopback; this is $(uname -s)"
	done
}
