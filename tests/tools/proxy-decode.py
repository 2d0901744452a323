#!/usr/bin/env python3
# tests/tools/proxy-decode.py FILE: a captured stream as lines: the PROXY
# header (v1=LINE, or v2 ver= cmd= fam= len=, src=, dst=, tlv=...), then
# payload= (escaped).
import socket, struct, sys
d = open(sys.argv[1], "rb").read()
sig = b"\r\n\r\n\x00\r\nQUIT\n"
esc = lambda b: b.decode("latin-1").encode("unicode_escape").decode()
rest = d
if sys.argv[2:] == ["raw"]:
    pass
elif d.startswith(sig):
    vc, fam, ln = d[12], d[13], struct.unpack(">H", d[14:16])[0]
    body, rest = d[16:16 + ln], d[16 + ln:]
    print("v2 ver=%d cmd=%d fam=0x%02x len=%d" % (vc >> 4, vc & 15, fam, ln))
    off = 0
    if fam == 0x11:
        sp, dp = struct.unpack(">HH", body[8:12])
        print("src=%s:%d" % (socket.inet_ntoa(body[0:4]), sp))
        print("dst=%s:%d" % (socket.inet_ntoa(body[4:8]), dp))
        off = 12
    elif fam == 0x21:
        sp, dp = struct.unpack(">HH", body[32:36])
        print("src=[%s]:%d" % (socket.inet_ntop(socket.AF_INET6, body[0:16]), sp))
        print("dst=[%s]:%d" % (socket.inet_ntop(socket.AF_INET6, body[16:32]), dp))
        off = 36
    elif fam == 0x31:
        for name, f in (("src", body[0:108]), ("dst", body[108:216])):
            p = f.split(b"\0", 1)[0]
            pad = "ok" if not any(f[len(p):]) else "garbage"
            print("%s=%s\n%s_pad=%s" % (name, esc(p), name, pad))
        off = 216
    while off < len(body):
        t, l = body[off], struct.unpack(">H", body[off + 1:off + 3])[0]
        v = body[off + 3:off + 3 + l]
        if t == 0xE0 and l == 12:
            print("tlv=e0 pid=%d uid=%d gid=%d" % struct.unpack(">III", v))
        else:
            print("tlv=%02x len=%d %s" % (t, l, v.hex()))
        off += 3 + l
    if off != len(body):
        print("tlv_overrun")
elif d.startswith(b"PROXY "):
    end = d.index(b"\r\n") + 2
    print("v1=" + esc(d[:end]))
    rest = d[end:]
print("payload=" + esc(rest))
