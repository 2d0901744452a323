#!/usr/bin/env python3
"""cut-observer: a client whose stream gets cut, and how it saw the end.

  cut-observer.py ADDR FLAG GO [TIMEOUT]

Connect to ADDR (unix:PATH or tcp:HOST:PORT, an echo behind a relay) and
send 64 KiB chunks without reading until a send has stayed blocked for
0.3 s: every buffer on the way is full, and bytes of ours sit unread at
the relay. Then create FLAG and wait for the file GO (the test cuts the
stream meanwhile), still offering bytes every 10 ms: a relay that reads a
little more meanwhile (a late window update) must not empty our queue, since
on a unix socket the kernel shows the peer's close as a reset only while
bytes of ours are still unread (unix_release_sock). Then read as fast as possible, and print how the
stream ended:
  "observed reset after N bytes (ECONNRESET)"
  "observed eof after N bytes"
Exit 0 once it ended so, 2 on TIMEOUT seconds (default 30).
"""
import errno, os, socket, sys, time

addr, flag, go = sys.argv[1], sys.argv[2], sys.argv[3]
deadline = time.monotonic() + (float(sys.argv[4]) if len(sys.argv) > 4 else 30)
if addr.startswith("unix:"):
    s = socket.socket(socket.AF_UNIX)
    s.connect(addr[5:])
else:
    host, _, port = addr[4:].rpartition(":")
    s = socket.create_connection((host, int(port)))
s.setblocking(False)
chunk = b"c" * 65536
blocked = 0.0
while time.monotonic() < deadline:
    try:
        s.send(chunk)
        blocked = 0.0
    except BlockingIOError:
        now = time.monotonic()
        blocked = blocked or now
        if now - blocked >= 0.3:
            break
        time.sleep(0.01)
open(flag, "w").close()
while not os.path.exists(go) and time.monotonic() < deadline:
    try:
        s.send(chunk)
    except BlockingIOError:
        pass
    except OSError:
        break  # cut already: the read below tells how
    time.sleep(0.01)
s.setblocking(True)
s.settimeout(max(deadline - time.monotonic(), 0.1))
got = 0
try:
    while True:
        d = s.recv(1 << 20)
        if not d:
            print("observed eof after %d bytes" % got)
            sys.exit(0)
        got += len(d)
except (ConnectionResetError, BrokenPipeError) as e:
    print("observed reset after %d bytes (%s)" % (got, errno.errorcode[e.errno]))
    sys.exit(0)
except socket.timeout:
    print("cut-observer: timed out after %d bytes" % got, file=sys.stderr)
    sys.exit(2)
