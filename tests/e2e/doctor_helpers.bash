# Helpers doctor.bats and the doctor_*.bats files share (loaded after
# helpers.bash): reading doctor's text output, and a real PostgreSQL that
# listens on a socket in a directory of the test's own.

# Doctor's text output, one logical line per element of DL: the header, one
# line per check ("  MARK     TOPIC      text"), "verdict: text"; wrapped
# continuation lines (indented 9 or more spaces) are joined back with one
# space, which is what the wrapping replaced.
doctor_lines() {
	local l
	DL=()
	while IFS= read -r l; do
		if [[ "$l" =~ ^\ {9} ]] && [ "${#DL[@]}" -gt 0 ]; then
			l="${l#"${l%%[! ]*}"}"
			DL[-1]+=" $l"
		else
			DL+=("$l")
		fi
	done <<<"$output"
}

# has_check MARK TOPIC TEXT: a check line with that mark and topic whose
# text contains TEXT (a fixed string).
has_check() {
	local l m t rest
	doctor_lines
	for l in "${DL[@]}"; do
		read -r m t rest <<<"$l"
		if [ "$m" = "$1" ] && [ "$t" = "$2" ] && [[ "$rest" == *"$3"* ]]; then
			return 0
		fi
	done
	fail "no '$1 $2' line containing: $3" "output:" "$output"
}

# no_check MARK [TOPIC]: no check line with that mark (and topic).
no_check() {
	local l m t rest
	doctor_lines
	for l in "${DL[@]}"; do
		read -r m t rest <<<"$l"
		if [ "$m" = "$1" ] && { [ -z "${2:-}" ] || [ "$t" = "$2" ]; }; then
			fail "unexpected line: $l" "output:" "$output"
			return 1
		fi
	done
}

# header_is TARGET: the first line is "sockbridge doctor: TARGET".
header_is() {
	doctor_lines
	[ "${DL[0]}" = "sockbridge doctor: $1" ] ||
	    fail "header: '${DL[0]}'" "expected: 'sockbridge doctor: $1'"
}

# verdict_has TEXT: the verdict (last logical line) contains TEXT; the
# verdict is left in $VERDICT.
verdict_has() {
	doctor_lines
	VERDICT=${DL[-1]}
	[[ "$VERDICT" == "verdict: "* ]] ||
	    fail "last line is not the verdict:" "$output"
	[[ "$VERDICT" == *"$1"* ]] ||
	    fail "verdict: '$VERDICT'" "lacks: '$1'"
}

# verdict_lacks TEXT: the verdict does not contain TEXT.
verdict_lacks() {
	doctor_lines
	[[ "${DL[-1]}" != *"$1"* ]] ||
	    fail "verdict: '${DL[-1]}'" "says: '$1'"
}

# pg_sock_start DIR PORT: initdb and start a PostgreSQL server owned by
# user postgres whose only socket is DIR/.s.PGSQL.PORT (no tcp). Its data
# directory is $PG_DATA; pg_sock_stop stops it (call it from teardown).
pg_sock_start() {
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] ||
	    fail "no PostgreSQL server in /usr/lib/postgresql/*/bin"
	id postgres >/dev/null 2>&1 || fail "no user postgres"
	chmod 0755 "$T"
	mkdir -p "$1" "$T/pgdata"
	touch "$T/pg.log"
	chown postgres: "$1" "$T/pgdata" "$T/pg.log"
	runuser -u postgres -- "$PG_BIN/initdb" -D "$T/pgdata" --auth=trust \
	    -U postgres --no-sync >"$T/initdb.log" 2>&1 ||
	    fail "initdb failed:" "$(cat "$T/initdb.log")"
	PG_DATA=$T/pgdata
	# 3>&-: the postmaster must not keep bats' output descriptor open.
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$T/pgdata" \
	    -o "-c listen_addresses='' -c port=$2 -c unix_socket_directories='$1' -c fsync=off" \
	    -w -t 30 start -l "$T/pg.log" >"$T/pg_ctl.out" 2>&1 3>&- ||
	    fail "pg_ctl start failed:" "$(cat "$T/pg_ctl.out" "$T/pg.log")"
}

pg_sock_stop() {
	if [ -n "${PG_DATA:-}" ]; then
		runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate \
		    -w -t 20 stop >/dev/null 2>&1 3>&- || true
	fi
}

# psql_ok ARGS...: psql with ARGS (connection options) runs "select 1".
psql_ok() {
	run env -u PGHOST -u PGPORT -u PGDATABASE PGCONNECT_TIMEOUT=10 \
	    timeout 20 psql "$@" -Atc 'select 1'
	[ "$status" -eq 0 ] && [ "$output" = 1 ] ||
	    fail "psql $* failed ($status):" "$output"
}
