#!/usr/bin/env python3
"""backend: a test target that can come up late or never serve.

usage: backend.py [--delay S] [--backlog N] [--no-accept | --accept-after S]
                  [--timeout S] ADDR

ADDR is unix:/path or tcp:HOST:PORT (port 0 picks one). After --delay
seconds (a timer: the point is to be late), bind and listen on ADDR with
--backlog, print "listening ADDR" (the bound port filled in) and flush.
Then echo every connection byte for byte, passing a half-close on (EOF in:
shutdown for writing once all is echoed), or with --no-accept never accept
anything, so that once the backlog is full, connect() says EAGAIN (unix) or
hangs (tcp); --accept-after waits that long after listening before it
accepts. Prints "served N" at each connection's end. Exits after
--timeout seconds (default 60) or on SIGTERM; removes its socket file.
"""
import argparse
import os
import selectors
import signal
import socket
import sys
import time


def parse_addr(text):
    if text.startswith("unix:"):
        return socket.AF_UNIX, text[5:]
    if text.startswith("tcp:"):
        host, _, port = text[4:].rpartition(":")
        return socket.AF_INET, (host, int(port))
    sys.exit("backend: %s: want unix:/path or tcp:HOST:PORT" % text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--backlog", type=int, default=128)
    ap.add_argument("--no-accept", action="store_true")
    ap.add_argument("--accept-after", type=float, default=0.0)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("addr")
    o = ap.parse_args()
    fam, where = parse_addr(o.addr)
    end = time.monotonic() + o.timeout
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    if o.delay > 0:
        time.sleep(o.delay)
    ls = socket.socket(fam, socket.SOCK_STREAM)
    if fam == socket.AF_INET:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(where)
    ls.listen(o.backlog)
    try:
        name = ("unix:" + where if fam == socket.AF_UNIX else
                "tcp:%s:%d" % ls.getsockname())
        print("listening", name, flush=True)
        if o.no_accept:
            while time.monotonic() < end:
                time.sleep(min(1.0, max(0.0, end - time.monotonic())))
            return
        if o.accept_after > 0:
            time.sleep(o.accept_after)
            print("accepting", flush=True)
        serve(ls, end)
    finally:
        ls.close()
        if fam == socket.AF_UNIX:
            try:
                os.unlink(where)
            except OSError:
                pass


def serve(ls, end):
    """Echo every connection on ls until the monotonic time end."""
    sel = selectors.DefaultSelector()
    ls.setblocking(False)
    sel.register(ls, selectors.EVENT_READ, None)
    conns = {}     # socket -> [pending bytes, eof seen, bytes echoed]
    while time.monotonic() < end:
        for key, ev in sel.select(timeout=max(0.0, min(1.0, end -
                                                        time.monotonic()))):
            s = key.fileobj
            if s is ls:
                try:
                    c, _ = ls.accept()
                except BlockingIOError:
                    continue
                c.setblocking(False)
                conns[c] = [b"", False, 0]
                sel.register(c, selectors.EVENT_READ, None)
                continue
            st = conns[s]
            try:
                if ev & selectors.EVENT_READ and not st[1] and \
                        len(st[0]) < (1 << 20):
                    d = s.recv(65536)
                    if d:
                        st[0] += d
                    else:
                        st[1] = True
                if st[0]:
                    n = s.send(st[0])
                    st[0] = st[0][n:]
                    st[2] += n
            except BlockingIOError:
                pass
            except OSError as e:
                print("error", e, flush=True)
                sel.unregister(s)
                s.close()
                del conns[s]
                continue
            if st[1] and not st[0]:
                try:
                    s.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                print("served", st[2], flush=True)
                sel.unregister(s)
                s.close()
                del conns[s]
                continue
            want = 0
            if not st[1] and len(st[0]) < (1 << 20):
                want |= selectors.EVENT_READ
            if st[0]:
                want |= selectors.EVENT_WRITE
            sel.modify(s, want, None)


if __name__ == "__main__":
    main()
