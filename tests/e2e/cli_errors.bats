#!/usr/bin/env bats
# What a new user typing the obvious thing is told: a misspelt option
# names the one meant (every option of relay and echo, with or without
# the word relay); HOST:PORT gets the tcp: form; a tcp port in use names
# the process that holds it; a low port as non-root says what allows it;
# --user as non-root is refused before anything is bound; ls on a
# regular file is an error; ls columns fit long paths. Each message is
# checked word for word.

load helpers

bats_require_minimum_version 1.5.0

: "${BATS_TEST_TIMEOUT:=30}"

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# refused STATUS WANT ARGS...: "sockbridge ARGS" exits STATUS, stderr is
# exactly WANT, and nothing new appears in $T.
refused() {
	local st=$1 want=$2 before
	shift 2
	before=$(ls -A "$T")
	run --separate-stderr timeout "$(t 5)" "$SB" "$@"
	[ "$status" -eq "$st" ] || fail "status $status for: $*" "$stderr"
	[ "$stderr" = "$want" ] || fail "for: $*" "got:  $stderr" "want: $want"
	[ "$(ls -A "$T")" = "$before" ] || fail "left behind: $(ls -A "$T")"
}

# as_nobody ARGS...: sockbridge ARGS as user nobody; $status, $stderr.
as_nobody() {
	[ "$(id -u)" = 0 ] || fail "these checks need root (to become nobody)"
	run --separate-stderr timeout "$(t 5)" setpriv --reuid=nobody \
	    --regid=nogroup --clear-groups "$SB" "$@"
}

# nobody_dir: a directory under $T that nobody may write; prints it.
nobody_dir() {
	chmod 755 "$T"
	mkdir -m 777 "$T/n"
	echo "$T/n"
}

@test "errors: every relay and echo option, misspelt, is named" {
	local o n cmd got bad=
	# each long option in --help, its last letter dropped
	for cmd in relay echo; do
		for o in $("$SB" $cmd --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			n=${o#--}
			got=$("$SB" $cmd "--${n%?}" "unix:$T/a.sock" "unix:$T/b.sock" 2>&1) && bad="$bad"$'\n'"$cmd --${n%?}: exit 0"
			[ "$got" = "sockbridge: $cmd: unknown option '--${n%?}' (did you mean $o?)" ] ||
			    bad="$bad"$'\n'"$cmd --${n%?}: $got"
		done
	done
	[ -z "$bad" ] || fail "$bad"
	[ -z "$(ls -A "$T")" ] || fail "left behind: $(ls -A "$T")"
	refused 2 "sockbridge: relay: unknown option '--mdoe' (did you mean --mode?)" \
	    relay --mdoe 0660 "unix:$T/a.sock" "unix:$T/b.sock"
	# without the word relay, before or after the addresses
	refused 2 "sockbridge: relay: unknown option '--mdoe' (did you mean --mode?)" \
	    --mdoe 0660 "unix:$T/a.sock" "unix:$T/b.sock"
	refused 2 "sockbridge: relay: unknown option '--mdoe' (did you mean --mode?)" \
	    "unix:$T/a.sock" "unix:$T/b.sock" --mdoe 0660
}

@test "errors: HOST:PORT as an address is told to write tcp:" {
	refused 2 "sockbridge: localhost:5432: not an address; for tcp, write tcp:localhost:5432" \
	    "unix:$T/a.sock" localhost:5432
	refused 2 "sockbridge: localhost:5432: not an address; for tcp, write tcp:localhost:5432" \
	    relay localhost:5432 "unix:$T/a.sock"
	refused 2 "sockbridge: [::1]:5432: not an address; for tcp, write tcp:[::1]:5432" \
	    relay "unix:$T/a.sock" "[::1]:5432"
	refused 2 "sockbridge: 5432: not an address; for tcp port 5432, write tcp:5432 (127.0.0.1) or tcp:HOST:5432" \
	    relay 5432 "unix:$T/a.sock"
}

@test "errors: a tcp port in use names the process holding it" {
	bg echo "$SB" echo tcp:127.0.0.1:0
	E=$(listen_addr echo)
	local pid=$BG_PID port
	port=$(port_of "$E")
	refused 1 "sockbridge: bind tcp:127.0.0.1:$port: Address already in use (held by pid $pid, sockbridge)" \
	    relay "tcp:127.0.0.1:$port" "unix:$T/b.sock"
	# socat's TCP-LISTEN (every address) collides with it too
	refused 1 "sockbridge: bind tcp:0.0.0.0:$port: Address already in use (held by pid $pid, sockbridge)" \
	    relay "TCP-LISTEN:$port" "unix:$T/b.sock"
	# another user cannot see root's process: it is told how to
	as_nobody relay "tcp:127.0.0.1:$port" "unix:/nonexistent/b.sock"
	[ "$status" -eq 1 ] || fail "status $status: $stderr"
	[ "$stderr" = "sockbridge: bind tcp:127.0.0.1:$port: Address already in use (a process this user cannot see listens on port $port; as root, ss -ltnp 'sport = :$port' names it)" ] ||
	    fail "got: $stderr"
}

@test "errors: a port below 1024 as non-root says what allows it" {
	local start
	start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	[ "$start" -gt 1000 ] || fail "net.ipv4.ip_unprivileged_port_start is $start here: port 1000 would not need root"
	as_nobody relay tcp:127.0.0.1:1000 "unix:/nonexistent/b.sock"
	[ "$status" -eq 1 ] || fail "status $status: $stderr"
	[ "$stderr" = "sockbridge: bind tcp:127.0.0.1:1000: Permission denied: ports below $start need root or CAP_NET_BIND_SERVICE; use a port of $start or more, or grant the capability (sudo setcap cap_net_bind_service=+ep \"\$(command -v sockbridge)\"), or lower the sysctl net.ipv4.ip_unprivileged_port_start" ] ||
	    fail "got: $stderr"
}

@test "errors: --user as non-root is refused before anything is bound" {
	local d
	d=$(nobody_dir)
	as_nobody relay --user root "unix:$d/a.sock" "unix:$d/b.sock"
	[ "$status" -eq 2 ] || fail "status $status: $stderr"
	[ "$stderr" = "sockbridge: --user root: only root can change user (this is uid $(id -u nobody)); start the relay as root, or leave --user out to run as yourself" ] ||
	    fail "got: $stderr"
	[ -z "$(ls -A "$d")" ] || fail "left behind: $(ls -A "$d")"
	as_nobody echo --user nobody "unix:$d/a.sock"
	[ "$status" -eq 2 ] || fail "status $status: $stderr"
	[ -z "$(ls -A "$d")" ] || fail "left behind: $(ls -A "$d")"
}

@test "errors: ls on a regular file is an error" {
	echo x >"$T/file"
	refused 1 "sockbridge: ls: $T/file: not a socket or a directory (a regular file)" \
	    ls "$T/file"
	mkfifo "$T/fifo"
	refused 1 "sockbridge: ls: $T/fifo: not a socket or a directory (a named pipe)" \
	    ls "$T/fifo"
}

@test "errors: ls columns line up with 100-character paths" {
	local d s1 s2 hdr table
	d="$T/$(printf 'd%.0s' $(seq 1 $((60 - ${#T}))))"
	mkdir -p "$d"
	s1="$d/$(printf 'a%.0s' $(seq 1 $((100 - ${#d} - 1))))"
	s2="$d/short.sock"
	[ ${#s1} -eq 100 ] || fail "path is ${#s1} long"
	bg e1 "$SB" echo "unix:$s1" "unix:$s2"
	listen_addr e1 >/dev/null
	: >"$d/stale.sock" # not a socket: not listed
	run timeout "$(t 5)" "$SB" ls "$d"
	expect_status 0
	table=$output
	# every row's STATE starts where the header's does, after the path
	hdr=$(head -1 <<<"$table")
	run awk -v col="$(awk '{ print index($0, "STATE") }' <<<"$hdr")" \
	    'NR > 1 && NF { n++; if (substr($0, col - 1, 1) != " " || substr($0, col, 9) != "listening") bad = bad "\n" $0 } END { if (n != 2 || bad != "") { print n, bad; exit 1 } }' <<<"$table"
	[ "$status" -eq 0 ] || fail "misaligned: $output" "$table"
	[ "$(awk 'NR > 1 && NF { print $1 }' <<<"$table" | sort)" = "$(printf '%s\n' "$s1" "$s2" | sort)" ] ||
	    fail "paths:" "$table"
}
