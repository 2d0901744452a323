#!/usr/bin/env python3
# tests/tools/proxy-hex.py EXPR...: hex of each EXPR, a line each, with
# helpers: sig, v2(fam, body, cmd=1, ver=2), ip4(src, dst, sport, dport),
# ip6(...), unix(src, dst), tlv(type, bytes).
import socket, struct, sys
sig = b"\r\n\r\n\x00\r\nQUIT\n"
def v2(fam, body, cmd=1, ver=2):
    return sig + bytes([ver << 4 | cmd, fam]) + struct.pack(">H", len(body)) + body
def ip4(s, d, sp, dp):
    return socket.inet_aton(s) + socket.inet_aton(d) + struct.pack(">HH", sp, dp)
def ip6(s, d, sp, dp):
    return (socket.inet_pton(socket.AF_INET6, s) + socket.inet_pton(socket.AF_INET6, d)
            + struct.pack(">HH", sp, dp))
def unix(s, d):
    return s.ljust(108, b"\0") + d.ljust(108, b"\0")
def tlv(t, v):
    return bytes([t]) + struct.pack(">H", len(v)) + v
for e in sys.argv[1:]:
    print(eval(e).hex())
