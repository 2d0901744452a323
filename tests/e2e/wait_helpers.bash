# Helpers startup.bats and backoff.bats share (loaded after helpers.bash):
# clocks, and a client held while the relay waits for its target.

# cpu_ms PID: CPU time (user + system) the process has used, in ms.
cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' \
	    "/proc/$1/stat"
}

# now_ms: the monotonic clock in ms.
now_ms() {
	awk '{ print int($1 * 1000) }' /proc/uptime
}

# expect_reset_at_timeout PATH: a client of the unix socket PATH that
# sends a request is held until the relay's 1 s connect timeout, then
# reset, never given a clean EOF: the relay's close finds the request
# unread, which a unix socket reports as ECONNRESET (see end.h).
expect_reset_at_timeout() {
	run timeout "$(t 20)" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
t0 = time.monotonic()
s.sendall(b"request")
try:
    d = s.recv(100)
    what = "eof" if d == b"" else "data"
except ConnectionResetError:
    what = "reset"
print(what, "%.2f" % (time.monotonic() - t0))' "$1"
	expect_status 0
	[[ "$output" =~ ^reset\ ([0-9.]+)$ ]] || fail "client saw: $output"
	# Held for the connect timeout (1 s), not refused at once.
	awk -v s="${BASH_REMATCH[1]}" 'BEGIN { exit !(s >= 0.9) }' ||
	    fail "closed after ${BASH_REMATCH[1]} s, before the connect timeout"
}
