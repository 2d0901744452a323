#!/usr/bin/env python3
# Client: tests/tools/sock-client.py ADDR [--bind=HOST|PATH] STEP...
# Connects, prints local=, local_port=, pid=, uid=, gid=, then runs the
# steps: a python bytes literal is sent, "x:HEX" sends raw bytes, "@S"
# waits S seconds (reading what comes), "shut" half-closes. Then reads to
# EOF (at most 20 s from the connect) and prints reply= (escaped), end=
# (eof, reset or timeout) and elapsed= (seconds since the connect).
import ast, os, select, socket, sys, time
args = sys.argv[1:]
addr = args.pop(0)
bind = None
if args and args[0].startswith("--bind="):
    bind = args.pop(0)[7:]
if addr.startswith("unix:"):
    s = socket.socket(socket.AF_UNIX)
    if bind:
        s.bind(bind)
    target = addr[5:]
else:
    host, port = addr[4:].rsplit(":", 1)
    host = host.strip("[]")
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    if bind:
        s.bind((bind, 0))
    target = (host, int(port))
s.settimeout(10)
s.connect(target)
t0 = time.monotonic()
s.setblocking(False)
loc = s.getsockname()
if s.family == socket.AF_UNIX:
    print("local=unix:" + (loc.decode() if isinstance(loc, bytes) else loc))
else:
    print("local=tcp:%s:%d" % ("[%s]" % loc[0] if ":" in loc[0] else loc[0], loc[1]))
    print("local_port=%d" % loc[1])
print("pid=%d\nuid=%d\ngid=%d" % (os.getpid(), os.getuid(), os.getgid()), flush=True)
reply, end = b"", None

def take(timeout):
    global reply, end
    r, _, _ = select.select([s], [], [], max(timeout, 0))
    if not r:
        return
    try:
        d = s.recv(65536)
    except ConnectionResetError:
        end = "reset"
        return
    except BlockingIOError:
        return
    if d:
        reply += d
    else:
        end = "eof"

for step in args:
    if end:
        break
    try:
        if step.startswith("@"):
            until = time.monotonic() + float(step[1:])
            while end is None and time.monotonic() < until:
                take(until - time.monotonic())
        elif step == "shut":
            s.shutdown(socket.SHUT_WR)
        else:
            data = bytes.fromhex(step[2:]) if step.startswith("x:") else ast.literal_eval(step)
            s.setblocking(True)
            s.sendall(data)
            s.setblocking(False)
    except OSError:
        print("send=failed")
        break
while end is None:
    left = t0 + 20 - time.monotonic()
    if left <= 0:
        end = "timeout"
        break
    take(left)
print("reply=" + reply.decode("latin-1").encode("unicode_escape").decode())
print("end=%s\nelapsed=%.3f" % (end, time.monotonic() - t0))
