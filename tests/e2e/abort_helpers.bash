# Helpers for the files whose peers are tests/tools/abort_peer.py
# (aborts.bats, tunnel.bats, tunnel_docker.bats; loaded after
# helpers.bash). $AP is its path; the peers' pids are in $PID_NAME.

AP=$TOOLS/abort_peer.py

# peer NAME listen|connect ADDR ROLE [opts]: start abort_peer in the
# background; for listen, wait for its address and put it in $ADDR.
peer() {
	local name=$1 mode=$2
	shift 2
	bg "$name" python3 "$AP" "$mode" "$@" --timeout "$(t 20)"
	eval "PID_$name=$BG_PID"
	[ "$mode" = listen ] || return 0
	wait_for 100 grep -q '^listening ' "$T/$name.out" ||
	    fail "$name did not listen:" "$(cat "$T/$name.err")"
	ADDR=$(sed -n 's/^listening //p' "$T/$name.out")
}

# expect_observed NAME [WHAT]: peer NAME exited 0 within $OBSERVE_SECS
# (25) seconds, having printed "observed WHAT ..." (reset or eof) if WHAT
# is given.
expect_observed() {
	local pid
	eval "pid=\$PID_$1"
	wait_gone "$pid" $((${OBSERVE_SECS:-25} * 20)) ||
	    fail "$1 did not finish"
	wait "$pid" || fail "$1 failed:" "$(cat "$T/$1.err" "$T/$1.out")" \
	    "relay log:" "$(cat "$T/relay.err" 2>/dev/null)"
	[ -z "${2:-}" ] || grep -q "^observed $2 " "$T/$1.out" ||
	    fail "$1: '$(cat "$T/$1.out")', expected: observed $2" \
	    "relay log:" "$(cat "$T/relay.err")"
}
