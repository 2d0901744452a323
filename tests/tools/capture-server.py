#!/usr/bin/env python3
# Capture server: tests/tools/capture-server.py ADDR DIR.
import os, socket, sys, threading
addr, out = sys.argv[1], sys.argv[2]
if addr.startswith("unix:"):
    s = socket.socket(socket.AF_UNIX)
    s.bind(addr[5:])
    os.chmod(addr[5:], 0o666)
    name = addr
else:
    host, port = addr[4:].rsplit(":", 1)
    host = host.strip("[]")
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.bind((host, int(port)))
    h, p = s.getsockname()[:2]
    name = "tcp:%s:%d" % ("[%s]" % h if ":" in h else h, p)
s.listen(512)
print("listening on " + name, flush=True)

def serve(c, k):
    data = b""
    c.settimeout(30)
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            data += d
    except OSError:
        pass
    tmp = os.path.join(out, ".conn-%d" % k)
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, os.path.join(out, "conn-%d.bin" % k))
    try:
        c.sendall(b"got %d\n" % len(data))
        c.close()
    except OSError:
        pass

n = 0
while True:
    c, _ = s.accept()
    n += 1
    with open(os.path.join(out, "accepted"), "a") as f:
        f.write("%d\n" % n)
    threading.Thread(target=serve, args=(c, n), daemon=True).start()
