#!/usr/bin/env python3
# Slow reader: tests/tools/slow-reader.py PIDFILE CHUNK PAUSE. Listens on a
# free port, takes one connection and reads it to EOF, CHUNK bytes at a
# time with PAUSE seconds between; after each chunk it samples the VmRSS
# of the process in PIDFILE. Prints bytes=, peak_kib=, seconds=.
import socket, sys, time
pidfile, chunk, pause = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
print("listening on tcp:127.0.0.1:%d" % s.getsockname()[1], flush=True)
c, _ = s.accept()
pid = int(open(pidfile).read())

def rss():
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

peak, total, eof = rss(), 0, False
view = memoryview(bytearray(chunk))
t0 = time.monotonic()
while not eof:
    got = 0
    while got < chunk:
        n = c.recv_into(view[got:], chunk - got)
        if n == 0:
            eof = True
            break
        got += n
    total += got
    peak = max(peak, rss())
    if not eof:
        time.sleep(pause)
c.close()
print("bytes=%d peak_kib=%d seconds=%.2f" % (total, peak, time.monotonic() - t0), flush=True)
