#!/usr/bin/env bats
# Text in the --json outputs of "ls" and "doctor": socket paths that are
# not ASCII come out as the same characters (café, not cafÃ©), control
# characters are escaped, and a path byte that is not UTF-8 comes out as
# \udcXX, which Python's json.loads plus surrogateescape turns back into
# the very bytes on disk, so it can never be mistaken for a real character.
# Each output is read by python3's json module, as a user's script would.

load helpers

bats_require_minimum_version 1.5.0

: "${BATS_TEST_TIMEOUT:=90}"

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# bind_stale PATH: a socket file nobody listens on (python binds and exits).
bind_stale() {
	python3 -c 'import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(os.fsencode(sys.argv[1]))' "$1"
}

@test "ls --json and doctor --json: a UTF-8 path comes out as itself" {
	local p="$T/café-€-😀.sock"
	start_bg echo "$SB" echo "unix:$p"
	listen_addr echo >/dev/null
	run --separate-stderr "$SB" ls --json "$T"
	expect_status 0
	[[ "$output" == *'café-€-😀.sock"'* ]] || fail "ls: $output"
	WANT=$p python3 -c '
import json, os, sys
rows = [json.loads(l) for l in sys.stdin.read().splitlines()]
paths = [r["path"] for r in rows]
assert paths == [os.environ["WANT"]], paths
' <<<"$output" || fail "ls json: $output"
	run --separate-stderr "$SB" doctor --json "$p"
	expect_status 0
	WANT="unix:$p" python3 -c '
import json, os, sys
d = json.loads(sys.stdin.read())
assert d["target"] == os.environ["WANT"], d["target"]
assert d["connect"]["ok"] is True, d
' <<<"$output" || fail "doctor json: $output"
}

@test "ls --json: bytes that are not UTF-8 and control characters stay apart from text" {
	# A Latin-1 "é" (one byte, 0xe9), a UTF-8 "é" (0xc3 0xa9), a UTF-8
	# surrogate (0xed 0xa0 0x80), an overlong "/" (0xc0 0xaf), and a
	# newline and a tab: six different names, six different strings.
	local names=($'caf\xe9' $'caf\xc3\xa9' $'s\xed\xa0\x80' $'o\xc0\xaf' \
	    $'nl\nx' $'tab\tx')
	local n
	for n in "${names[@]}"; do
		bind_stale "$T/$n"
	done
	run --separate-stderr "$SB" ls --json "$T"
	expect_status 0
	[ "${#lines[@]}" -eq 6 ] || fail "lines: $output"
	[[ "$output" == *'caf\udce9"'* ]] || fail "latin-1: $output"
	[[ "$output" == *'caf'$'\xc3\xa9''"'* ]] || fail "utf-8: $output"
	[[ "$output" == *'nl\nx"'* && "$output" == *'tab\tx"'* ]] ||
	    fail "controls: $output"
	DIR=$T python3 -c '
import json, os, sys
d = os.fsencode(os.environ["DIR"])
got = set()
for line in sys.stdin.buffer.read().splitlines():
    p = json.loads(line)["path"].encode("utf-8", "surrogateescape")
    assert p.startswith(d + b"/"), p
    got.add(p[len(d) + 1:])
want = {b"caf\xe9", b"caf\xc3\xa9", b"s\xed\xa0\x80", b"o\xc0\xaf",
        b"nl\nx", b"tab\tx"}
assert got == want, (got, want)
' <<<"$output" || fail "json: $output"
}
