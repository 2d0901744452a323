#!/usr/bin/env python3
# tests/tools/byte-storm.py ADDR CONNS BYTES: each connection (TCP_NODELAY)
# sends BYTES single-byte writes of its own pattern while reading the echo
# back and checking every byte. Prints ok=, bad=, seconds=.
import socket, sys, threading, time
host, port = sys.argv[1][4:].rsplit(":", 1)
conns, nbytes = int(sys.argv[2]), int(sys.argv[3])
res = {}

def run(k):
    s = socket.create_connection((host, int(port)), 10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(30)
    pat = lambda i: (i * 31 + k * 7) & 0xFF
    def writer():
        for i in range(nbytes):
            s.send(bytes((pat(i),)))
        s.shutdown(socket.SHUT_WR)
    w = threading.Thread(target=writer)
    w.start()
    ok = bad = 0
    while True:
        d = s.recv(65536)
        if not d:
            break
        for b in d:
            if b == pat(ok + bad):
                ok += 1
            else:
                bad += 1
    w.join()
    res[k] = (ok, bad)

t0 = time.monotonic()
ts = [threading.Thread(target=run, args=(k,)) for k in range(conns)]
for t in ts: t.start()
for t in ts: t.join()
print("ok=%d bad=%d seconds=%.2f" % (sum(v[0] for v in res.values()), sum(v[1] for v in res.values()), time.monotonic() - t0))
