#!/usr/bin/env python3
"""abort_peer: one end of a stream that gets cut off (tests/e2e/aborts.bats).

  abort_peer.py listen ADDR ROLE [options]   serve one connection
  abort_peer.py connect ADDR ROLE [options]  make one connection

ADDR is tcp:HOST:PORT (port 0 picks one) or unix:PATH. "listen" prints
"listening ADDR" on stdout once bound.

ROLE:
  abort    send --bytes (default 3 MiB) as the peer takes them, read
           nothing, then abort: SO_LINGER {1, 0} and close (TCP: an RST;
           unix: the peer's bytes left unread make the relay's next read
           fail with ECONNRESET). --peek: first wait until a byte from the
           peer is queued unread here; --after FILE: first wait for FILE.
  observe  send --bytes (default 0), read slowly (--rate bytes a second),
           and print how the stream ended:
             "observed reset after N bytes (ECONNRESET)"
             "observed eof after N bytes"
           --flag FILE: create FILE once sends have stayed blocked for
           0.3 s: every buffer up to the other peer (which reads nothing)
           is full, so the relay holds bytes of ours unread, for good.
Exit 0 once it ends as above, 2 after --timeout seconds or on a bad end.
"""
import argparse
import errno
import os
import selectors
import socket
import struct
import sys
import time


def parse(addr):
    if addr.startswith("unix:"):
        return socket.AF_UNIX, addr[5:]
    if addr.startswith("tcp:"):
        host, _, port = addr[4:].rpartition(":")
        return socket.AF_INET, (host.strip("[]"), int(port))
    sys.exit("abort_peer: bad address %r" % addr)


def name(sock):
    if sock.family == socket.AF_UNIX:
        return "unix:" + sock.getsockname()
    host, port = sock.getsockname()[:2]
    return "tcp:%s:%d" % (host, port)


def abort(sock):
    # Unix sockets ignore SO_LINGER; there the unread bytes do the work.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    sock.close()


def unread(sock):
    try:
        return len(sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)) > 0
    except BlockingIOError:
        return False


def run(sock, opt, deadline):
    sock.setblocking(False)
    chunk = b"x" * 65536
    sent = got = 0
    next_read = blocked = 0.0
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
    while time.monotonic() < deadline:
        sel.select(timeout=0.01)
        if sent < opt.bytes:
            try:
                sent += sock.send(chunk[:min(len(chunk), opt.bytes - sent)])
                blocked = 0.0
            except BlockingIOError:
                now = time.monotonic()
                blocked = blocked or now
                if opt.flag and now - blocked >= 0.3 and \
                        not os.path.exists(opt.flag):
                    open(opt.flag, "w").close()
            except ConnectionResetError:
                if opt.role == "observe":
                    print("observed reset after %d bytes (ECONNRESET on "
                          "send)" % got)
                    return 0
                raise
            except BrokenPipeError:
                sent = opt.bytes    # the read side says how it ended
        if sent >= opt.bytes:
            sel.modify(sock, selectors.EVENT_READ)
        if opt.role == "abort":
            if sent < opt.bytes:
                continue
            if opt.peek and not unread(sock):
                continue
            if opt.after and not os.path.exists(opt.after):
                continue
            abort(sock)
            return 0
        if time.monotonic() < next_read:
            continue
        try:
            data = sock.recv(max(opt.rate // 50, 1))
        except BlockingIOError:
            continue
        except (ConnectionResetError, BrokenPipeError) as e:
            print("observed reset after %d bytes (%s)" %
                  (got, errno.errorcode[e.errno]))
            return 0
        if not data:
            print("observed eof after %d bytes" % got)
            return 0
        got += len(data)
        next_read = time.monotonic() + 0.02
    print("abort_peer: timed out (sent %d, got %d)" % (sent, got),
          file=sys.stderr)
    return 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["listen", "connect"])
    ap.add_argument("addr")
    ap.add_argument("role", choices=["abort", "observe"])
    ap.add_argument("--bytes", type=int)
    ap.add_argument("--rate", type=int, default=2 << 20)
    ap.add_argument("--rcvbuf", type=int, default=0)
    ap.add_argument("--peek", action="store_true")
    ap.add_argument("--after")
    ap.add_argument("--flag")
    ap.add_argument("--timeout", type=float, default=20)
    opt = ap.parse_args()
    if opt.bytes is None:
        opt.bytes = 3 << 20 if opt.role == "abort" else 0
    deadline = time.monotonic() + opt.timeout
    fam, where = parse(opt.addr)
    sock = socket.socket(fam, socket.SOCK_STREAM)
    if opt.rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, opt.rcvbuf)
    if opt.mode == "listen":
        if fam == socket.AF_INET:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(where)
        sock.listen(1)
        print("listening " + name(sock), flush=True)
        sock.settimeout(opt.timeout)
        conn, _ = sock.accept()
        sock.close()
        sock = conn
    else:
        sock.connect(where)
    return run(sock, opt, deadline)


if __name__ == "__main__":
    sys.exit(main())
