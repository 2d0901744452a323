#!/usr/bin/env bats
# PROXY protocol trust: what a PROXY header claims is a claim. A
# credentials TLV (0xE0) in an incoming header is passed on to the target
# only from peers an allow list trusts, never from anyone (a forged uid 0
# would reach the target as if the relay had read it with SO_PEERCRED);
# accept-proxy without an allow list warns at startup; peer-supplied
# strings (a v2 unix path) are escaped in the log, so a newline cannot
# forge a log line.

load helpers

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# capture: a target on tcp port 0 that saves one connection's bytes to
# $T/cap.bin (then answers "ok" and closes); its address in $CAP.
capture() {
	bg cap python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
print("tcp:127.0.0.1:%d" % s.getsockname()[1], flush=True)
c, _ = s.accept()
c.settimeout(10)
d = b""
while True:
    b = c.recv(65536)
    if not b:
        break
    d += b
open(sys.argv[1] + ".part", "wb").write(d)
__import__("os").rename(sys.argv[1] + ".part", sys.argv[1])
c.sendall(b"ok")
c.close()' "$T/cap.bin"
	wait_for 100 grep -q tcp: "$T/cap.out" || fail "capture did not start"
	CAP=$(cat "$T/cap.out")
}

# send_v2 ADDR SRC_PATH TLV_HEX PAYLOAD: a PROXY v2 header for a unix
# client SRC_PATH (python bytes literal) with TLVs TLV_HEX, then PAYLOAD;
# shut for writing; wait for the answer.
send_v2() {
	run timeout 10 python3 -c '
import socket, struct, sys
addr, src, tlvs, payload = sys.argv[1:]
sig = b"\r\n\r\n\x00\r\nQUIT\n"
body = eval(src).ljust(108, b"\0") + b"/run/db.sock".ljust(108, b"\0")
body += bytes.fromhex(tlvs)
hdr = sig + bytes([0x21, 0x31]) + struct.pack(">H", len(body)) + body
host, port = addr[4:].rsplit(":", 1)
s = socket.create_connection((host, int(port)))
s.sendall(hdr + payload.encode())
s.shutdown(socket.SHUT_WR)
print(s.recv(100).decode())' "$@"
}

# tlvs_of FILE: the TLV types (hex) of the v2 header in FILE, then the
# payload after it: "e0 | hello".
tlvs_of() {
	python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
ln = struct.unpack(">H", d[14:16])[0]
body, rest = d[16:16 + ln], d[16 + ln:]
off, types = 216, []
while off < len(body):
    types.append("%02x" % body[off])
    off += 3 + struct.unpack(">H", body[off + 1:off + 3])[0]
print(" ".join(types), "|", rest.decode())' "$1"
}

# A 0xE0 TLV claiming pid 1, uid 0, gid 0.
FORGED_CRED=e0000c000000010000000000000000

@test "proxy trust: a forged credentials TLV from an untrusted peer never reaches the target; accept-proxy without an allow list warns" {
	capture
	bg relay "$SB" relay -v "tcp:127.0.0.1:0,accept-proxy" "$CAP,send-proxy-v2"
	R=$(listen_addr relay)
	expect_log relay 'accept-proxy without an allow list'
	send_v2 "$R" 'b"/run/app.sock"' "$FORGED_CRED" hello
	[ "$output" = ok ] || fail "answer: $output"
	wait_for 100 test -e "$T/cap.bin"
	run tlvs_of "$T/cap.bin"
	[ "$output" = " | hello" ] || fail "target got TLVs and payload: '$output'"
}

@test "proxy trust: from a peer the allow list trusts, the credentials TLV is passed on; no warning" {
	capture
	bg relay "$SB" relay -v "tcp:127.0.0.1:0,accept-proxy,allow=127.0.0.1" \
	    "$CAP,send-proxy-v2"
	R=$(listen_addr relay)
	send_v2 "$R" 'b"/run/app.sock"' "$FORGED_CRED" hello
	[ "$output" = ok ] || fail "answer: $output"
	wait_for 100 test -e "$T/cap.bin"
	run tlvs_of "$T/cap.bin"
	[ "$output" = "e0 | hello" ] || fail "target got TLVs and payload: '$output'"
	! grep -q 'accept-proxy without an allow list' "$T/relay.err"
}

@test "proxy trust: a newline in a PROXY v2 unix path cannot forge a log line" {
	capture
	bg relay "$SB" relay -v "tcp:127.0.0.1:0,accept-proxy,allow=127.0.0.1" "$CAP"
	R=$(listen_addr relay)
	send_v2 "$R" 'b"/run/x\nsockbridge: conn 77: forged\\\r"' "" hi
	[ "$output" = ok ] || fail "answer: $output"
	wait_for 100 expect_log relay 'conn 1: closed'
	if grep -q '^sockbridge: conn 77: forged' "$T/relay.err"; then
		fail "a forged line in the log:" "$(cat "$T/relay.err")"
	fi
	expect_log relay 'conn 1: PROXY v2: client unix:/run/x\\x0asockbridge: conn 77: forged\\\\\\x0d$'
}
