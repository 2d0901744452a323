#!/usr/bin/env bash
# tests/tools/bind-scope.sh SB PEER DIR PORT: run in a fresh network
# namespace ("unshare -n"), where loopback gets one more address,
# 192.0.2.99. Starts an echo on DIR/ns-echo.sock, a relay on the bare
# "tcp:PORT" and, as the control, one on "tcp:0.0.0.0:0", and prints one
# line per probe: "bare 127.0.0.1: served|not served", "bare 192.0.2.99:
# ...", "any 192.0.2.99: ...". Exit 3 when the namespace or a server
# could not be set up.
set -u
sb=$1 peer=$2 dir=$3 port=$4
ip link set lo up && ip addr add 192.0.2.99/32 dev lo ||
    { echo "netns setup failed"; exit 3; }
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT
"$sb" echo "unix:$dir/ns-echo.sock" 2>"$dir/ns-echo.err" &
pids+=($!)
"$sb" relay "tcp:$port" "unix:$dir/ns-echo.sock" 2>"$dir/ns-bare.err" &
pids+=($!)
"$sb" relay tcp:0.0.0.0:0 "unix:$dir/ns-echo.sock" 2>"$dir/ns-any.err" &
pids+=($!)
for ((i = 0; i < 100; i++)); do
	grep -q 'listening on' "$dir/ns-echo.err" &&
	    grep -q 'listening on' "$dir/ns-bare.err" &&
	    grep -q 'listening on' "$dir/ns-any.err" && break
	sleep 0.05
done
any=$(sed -n 's/^sockbridge: listening on tcp:0\.0\.0\.0://p' "$dir/ns-any.err")
[ -n "$any" ] && grep -q 'listening on' "$dir/ns-bare.err" ||
    { echo "servers did not come up"; cat "$dir"/ns-*.err; exit 3; }

# probe LABEL ADDR: one round trip through ADDR.
probe() {
	if timeout 10 "$peer" ping -t 5 "$2" "$1" >/dev/null 2>&1; then
		echo "$1: served"
	else
		echo "$1: not served"
	fi
}
probe "bare 127.0.0.1" "tcp:127.0.0.1:$port"
probe "bare 192.0.2.99" "tcp:192.0.2.99:$port"
probe "any 192.0.2.99" "tcp:192.0.2.99:$any"
