#!/usr/bin/env python3
"""bad-peer: a unix socket server that misbehaves, for doctor's probes
(tests/e2e/doctor_probes.bats).

  bad-peer.py PATH MODE

Binds PATH, prints "listening PATH" on stdout, and serves every
connection in MODE until killed:
  close    accept and close at once, reading nothing
  reset    wait until the client's first bytes are queued, then close
           without reading them (the client's read gets ECONNRESET)
  silent   accept and hold the connection, never answering
  garbage  read the client's first bytes, answer with bytes no protocol
           sends, then hold
"""
import os
import select
import socket
import sys
import threading

path, mode = sys.argv[1], sys.argv[2]
if mode not in ("close", "reset", "silent", "garbage"):
    sys.exit("bad-peer: unknown mode " + mode)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(128)
print("listening", path, flush=True)
held = []


def serve(c):
    if mode == "reset":
        select.select([c], [], [], 10)
        c.close()
    elif mode == "garbage":
        select.select([c], [], [], 10)
        try:
            c.recv(4096)
            c.sendall(b"\x01garbage\xff\xfe\x00 not a protocol\r\n")
        except OSError:
            pass
        held.append(c)
    else:
        held.append(c)


while True:
    c, _ = srv.accept()
    if mode == "close":
        c.close()
        continue
    threading.Thread(target=serve, args=(c,), daemon=True).start()
