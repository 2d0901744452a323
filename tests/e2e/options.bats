#!/usr/bin/env bats
# Command-line options of relay, echo and bench, as the user meets them:
# a misspelt long option is refused with the option it most likely meant,
# a value where none belongs and a missing value are named, and a refused
# command line leaves nothing behind (exit 2, nothing created).

load helpers

bats_require_minimum_version 1.5.0

: "${BATS_TEST_TIMEOUT:=30}"

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# refused WANT ARGS...: "sockbridge ARGS" exits 2 and stderr is exactly
# the one line WANT; no socket file appears in $T.
refused() {
	local want=$1
	shift
	run --separate-stderr timeout "$(t 5)" "$SB" "$@"
	[ "$status" -eq 2 ] || fail "status $status for: $*" "$stderr"
	[ "$stderr" = "$want" ] || fail "for: $*" "got:  $stderr" "want: $want"
	[ -z "$(ls -A "$T")" ] || fail "left behind: $(ls -A "$T")"
}

@test "options: a misspelt long option names the one meant" {
	refused "sockbridge: relay: unknown option '--mdoe' (did you mean --mode?)" \
	    relay --mdoe 0660 "unix:$T/a.sock" "unix:$T/b.sock"
	refused "sockbridge: relay: unknown option '--conect-timeout' (did you mean --connect-timeout?)" \
	    relay --conect-timeout=5 "unix:$T/a.sock" "unix:$T/b.sock"
	refused "sockbridge: echo: unknown option '--discrad' (did you mean --discard?)" \
	    echo --discrad "unix:$T/a.sock"
	refused "sockbridge: bench: unknown option '--dration' (did you mean --duration?)" \
	    bench --dration 1s
	refused "sockbridge: bench: unknown option '-netwrok' (did you mean --network?)" \
	    bench -netwrok tcp
	# an abbreviation is not taken for the option
	refused "sockbridge: relay: unknown option '--max-conn' (did you mean --max-conns?)" \
	    relay --max-conn 5 "unix:$T/a.sock" "unix:$T/b.sock"
	# nothing near: no guess
	refused "sockbridge: relay: unknown option '--frobnicate' (see 'sockbridge relay --help')" \
	    relay --frobnicate "unix:$T/a.sock" "unix:$T/b.sock"
}

@test "options: values missing, unwanted or out of range are named" {
	refused "sockbridge: option -c needs a value" relay -c
	refused "sockbridge: option '--mode' needs a value" \
	    relay "unix:$T/a.sock" "unix:$T/b.sock" --mode
	refused "sockbridge: option '--no-splice' takes no value" \
	    relay --no-splice=1 "unix:$T/a.sock" "unix:$T/b.sock"
	refused "sockbridge: --max-conns 0: not a number from 1 to 1000000" \
	    relay -c0 "unix:$T/a.sock" "unix:$T/b.sock"
	refused "sockbridge: --balance is a relay option" \
	    echo --balance rr "unix:$T/a.sock"
	refused "sockbridge: --repeat 101: not a number from 1 to 100" \
	    bench --repeat 101
}

@test "options: grouped letters and options after the addresses still work" {
	start_bg r "$SB" relay "unix:$T/a.sock" "unix:$T/b.sock" -qc 5
	wait_for 100 test -S "$T/a.sock" || fail "relay never listened" "$(cat "$T/r.err")"
	[ ! -s "$T/r.err" ] || fail "-q still logged: $(cat "$T/r.err")"
}
