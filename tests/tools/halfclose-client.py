#!/usr/bin/env python3
"""halfclose-client: check half-closes across a relay, from the client side.

  halfclose-client.py up ADDR BYTES [TIMEOUT]
      send BYTES random bytes in writes of random size (1..64 KiB), then
      shutdown(SHUT_WR), and read to EOF. The far side is a sha256sum that
      replies only once it has seen EOF: the reply must be the SHA-256 of
      what was sent. Prints "ok up BYTES SHA".
  halfclose-client.py down ADDR BYTES [TIMEOUT]
      read to EOF first (the far side wrote a greeting and closed its
      write side), print it, then send BYTES and shutdown(SHUT_WR), and
      wait for the far side's close. Prints "ok down GREETING".

ADDR is unix:PATH or tcp:HOST:PORT. Exits 1 (with the reason) on a reset,
a wrong reply or the timeout (default 60 s).
"""
import hashlib, os, random, socket, sys

mode, addr, nbytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
if addr.startswith("unix:"):
    s = socket.socket(socket.AF_UNIX)
    target = addr[5:]
else:
    host, _, port = addr[4:].rpartition(":")
    s = socket.socket()
    target = (host, int(port))
s.settimeout(timeout)
s.connect(target)


def read_to_eof():
    got = bytearray()
    while True:
        d = s.recv(65536)
        if not d:
            return bytes(got)
        got += d


try:
    if mode == "up":
        data = os.urandom(nbytes)
        i = 0
        while i < nbytes:
            n = random.randint(1, 65536)
            s.sendall(data[i:i + n])
            i += n
        s.shutdown(socket.SHUT_WR)
        reply = read_to_eof().decode(errors="replace").split()
        want = hashlib.sha256(data).hexdigest()
        if not reply or reply[0] != want:
            sys.exit("reply %r, want %s" % (reply, want))
        print("ok up %d %s" % (nbytes, want))
    else:
        greeting = read_to_eof().decode(errors="replace").strip()
        s.sendall(os.urandom(nbytes))
        s.shutdown(socket.SHUT_WR)
        rest = read_to_eof()
        if rest:
            sys.exit("%d bytes after the far side's EOF" % len(rest))
        print("ok down %s" % greeting)
except OSError as e:
    sys.exit("%s: %s" % (mode, e))
