#!/usr/bin/env python3
"""halfclose-server: the far side of "halfclose-client.py down".

  halfclose-server.py PATH
      listen on the unix socket PATH; for each connection, send "hello",
      shutdown(SHUT_WR), read to EOF and write the byte count (or
      "reset" on ECONNRESET) to PATH.count, then close. Runs inside the
      test container, which has python3 and no network.
"""
import os, socket, sys

path = sys.argv[1]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
ls = socket.socket(socket.AF_UNIX)
ls.bind(path)
ls.listen(8)
while True:
    c, _ = ls.accept()
    c.sendall(b"hello\n")
    c.shutdown(socket.SHUT_WR)
    n = 0
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            n += len(d)
        res = str(n)
    except ConnectionResetError:
        res = "reset"
    with open(path + ".count.tmp", "w") as f:
        f.write(res + "\n")
    os.rename(path + ".count.tmp", path + ".count")
    c.close()
