#!/usr/bin/env bats
# End-to-end tests for bulk transfers through the relay: what moving a
# stream costs in syscalls, counted with strace -c (counts, not timings,
# so the load on the machine does not decide the outcome), and that every
# byte arrives. The client writes 64 KiB at a time over tcp or a unix
# socket; the server counts what it reads.
#
# Run: SB_BUILD=$PWD/build SB_E2E=bulk tests/run

bats_require_minimum_version 1.5.0
load helpers

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-90}

# 48 MiB: enough bursts that a few odd ones do not move the counts.
BULK_BYTES=$((48 * 1024 * 1024))

setup() {
	common_setup
	command -v strace >/dev/null ||
	    fail "strace is not installed (scripts/install-deps --test)"
}

teardown() {
	common_teardown
}

# sink ADDR: a server on ADDR (unix:PATH or tcp:127.0.0.1:0) that reads
# one connection to its end and writes the byte count to $T/got; the
# address it listens on goes to $T/got.addr.
sink() {
	bg sink python3 -c '
import os, socket, sys
a, out = sys.argv[1], sys.argv[2]
if a.startswith("unix:"):
    s = socket.socket(socket.AF_UNIX); s.bind(a[5:]); where = a
else:
    s = socket.socket(); s.bind(("127.0.0.1", 0))
    where = "tcp:127.0.0.1:%d" % s.getsockname()[1]
s.listen(1)
open(out + ".addr", "w").write(where + "\n")
c, _ = s.accept()
n = 0
while True:
    b = c.recv(1 << 20)
    if not b:
        break
    n += len(b)
open(out + ".tmp", "w").write("%d\n" % n)
os.rename(out + ".tmp", out)
' "$1" "$T/got"
	wait_for 100 test -s "$T/got.addr" || fail "the sink did not start"
}

# send ADDR BYTES: connect to ADDR and write BYTES zero bytes, 64 KiB a
# write, then close.
send() {
	timeout "$(t 60)" python3 -c '
import socket, sys
a, n = sys.argv[1], int(sys.argv[2])
if a.startswith("unix:"):
    s = socket.socket(socket.AF_UNIX); s.connect(a[5:])
else:
    h, p = a[4:].rsplit(":", 1); s = socket.create_connection((h, int(p)))
buf = bytes(65536)
while n > 0:
    k = min(n, len(buf)); s.sendall(buf[:k]); n -= k
s.close()
' "$1" "$2"
}

# bulk_strace STRACE_ARGS LISTEN [relay options...]: relay LISTEN -> the
# sink, with strace STRACE_ARGS attached once it listens (what it does at
# start, a sanitizer runtime's reads among it, is left out), send
# BULK_BYTES through it, check that all arrived. strace writes
# $T/strace.txt.
bulk_strace() {
	local sargs=$1 listen=$2 target addr got pid
	shift 2
	target=$(cat "$T/got.addr")
	bg relay "$SB" relay --pidfile "$T/relay.pid" "$@" "$listen" "$target"
	addr=$(listen_addr relay) || fail "the relay did not start"
	wait_for 100 test -s "$T/relay.pid" || fail "no pid file"
	pid=$(cat "$T/relay.pid")
	# shellcheck disable=SC2086
	bg strace strace $sargs -f -p "$pid" -o "$T/strace.txt"
	wait_for 200 grep -q attached "$T/strace.err" ||
	    fail "strace did not attach: $(cat "$T/strace.err")"
	send "$addr" "$BULK_BYTES" || fail "sending failed"
	wait_for 400 test -s "$T/got" || fail "the sink did not finish"
	got=$(cat "$T/got")
	[ "$got" = "$BULK_BYTES" ] ||
	    fail "the sink got $got bytes of $BULK_BYTES"
	# SIGINT: strace detaches and sums up.
	kill -INT "$BG_PID"
	wait_gone "$BG_PID" 200 || fail "strace did not exit"
}

# bulk_counts LISTEN [relay options...]: bulk_strace with strace -c; sets
# SPLICE, COPY (read + write) and TOTAL: syscalls per MiB, times 100
# (integers for the shell).
bulk_counts() {
	bulk_strace -c "$@"
	read -r SPLICE COPY TOTAL < <(awk -v mib=$((BULK_BYTES >> 20)) '
		$NF == "splice" { s = $4 }
		$NF == "read" || $NF == "write" { c += $4 }
		$NF == "total" { t = $4 }
		END { printf "%d %d %d\n", s * 100 / mib, c * 100 / mib,
		    t * 100 / mib }' "$T/strace.txt")
	echo "per MiB x100: splice $SPLICE, read+write $COPY, all $TOTAL" >&2
	cat "$T/strace.txt" >&2
}

@test "bulk tcp->unix: the relay splices in 256 KiB pieces (under 16 splices a MiB, under 24 syscalls)" {
	sink "unix:$T/sink.sock"
	bulk_counts tcp:127.0.0.1:0
	# A 64 KiB pipe needs 2 splices per 64 KiB: 32 a MiB at least.
	[ "$SPLICE" -le 1600 ] || fail "splice: $SPLICE per 100 MiB"
	[ "$TOTAL" -le 2400 ] || fail "syscalls: $TOTAL per 100 MiB"
	[ "$COPY" -le 50 ] || fail "read+write: $COPY per 100 MiB"
}

@test "bulk unix->tcp: every byte arrives, spliced (under 0.5 read+write a MiB, under 40 syscalls)" {
	sink tcp:127.0.0.1:0
	bulk_counts "unix:$T/relay.sock"
	# A unix source gives at most what it holds (often one 64 KiB
	# write) a splice, whatever the pipe: 2 splices, an EAGAIN and a
	# wait per 64 KiB at worst, about 32 a MiB.
	[ "$TOTAL" -le 4000 ] || fail "syscalls: $TOTAL per 100 MiB"
	[ "$COPY" -le 50 ] || fail "read+write: $COPY per 100 MiB"
}

# bulk_pipes LISTEN [relay options...]: bulk_strace of splice, fcntl and
# setsockopt; sets BIGGEST (the most one splice moved), GROWN (how many
# pipes were asked to grow to 1 MiB) and BUFS (the tcp source's receive
# buffer and the unix sink's send buffer raised: 2 when both were).
bulk_pipes() {
	bulk_strace "-e trace=splice,fcntl,setsockopt" "$@"
	BUFS=$(grep -Ec 'SO_RCVBUF, \[2621440\]|SO_SNDBUF, \[1048576\]' \
	    "$T/strace.txt" || true)
	BIGGEST=$(sed -n 's/.*splice(.*) = \([0-9]*\)$/\1/p' "$T/strace.txt" |
	    sort -n | tail -1)
	GROWN=$(grep -Ec 'F_SETPIPE_SZ, 1048576\) += 1048576' "$T/strace.txt" || true)
	echo "biggest splice $BIGGEST, pipes grown $GROWN, buffers $BUFS" >&2
}

@test "bulk tcp->unix: a flow that fills its pipe gets 1 MiB and bigger socket buffers; --pipe-size keeps the size asked" {
	sink "unix:$T/sink.sock"
	bulk_pipes tcp:127.0.0.1:0
	[ "$GROWN" -ge 1 ] || fail "no pipe grew" "$(head -20 "$T/strace.txt")"
	[ "$BUFS" -eq 2 ] || fail "buffers raised: $BUFS" "$(grep setsockopt "$T/strace.txt")"
	# 256 KiB pipes move at most 256 KiB a splice.
	[ "$BIGGEST" -gt 262144 ] && [ "$BIGGEST" -le 1048576 ] ||
	    fail "biggest splice: $BIGGEST"
	local first
	first=$(cat "$T/relay.pid")
	kill "$first"
	wait_gone "$first" 100 || fail "the first relay did not exit"
	rm -f "$T/got" "$T/got.addr" "$T/relay.pid"
	sink "unix:$T/sink2.sock"
	bulk_pipes tcp:127.0.0.1:0 --pipe-size 256K
	[ "$GROWN" -eq 0 ] || fail "a --pipe-size pipe grew"
	[ "$BUFS" -eq 0 ] || fail "buffers raised for a 256 KiB pipe"
	[ "$BIGGEST" -le 262144 ] || fail "biggest splice: $BIGGEST"
}
