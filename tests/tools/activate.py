#!/usr/bin/env python3
"""activate: socket activation the way systemd does it for Accept=no.

usage: activate.py [--timeout S] PATH CMD [ARG...]

Bind and listen on the unix socket PATH and hold it. Whenever it is
readable and CMD is not running, start CMD with the socket as fd 3 and
LISTEN_FDS=1, LISTEN_PID set to CMD's own pid (set in the child, between
fork and exec). Never accepts: the queue waits for CMD. Prints
"listening PATH" once, "start N pid P" at each start, and
"exit N status S" (S: exit code, or 128 + signal) when that run ends.
systemd-socket-activate execs its command once; this starts it again
and again, like systemd with a socket unit.

Exits on SIGTERM (after a SIGTERM to a running CMD) or after --timeout
seconds (default 120), and removes PATH.
"""
import argparse
import os
import select
import signal
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("path")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    o = ap.parse_args()
    if not o.cmd:
        sys.exit("activate: no command")
    end = time.monotonic() + o.timeout
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(o.path)
    ls.listen(128)
    print("listening", o.path, flush=True)
    child = None
    starts = 0

    def stop(*_):
        if child is not None:
            try:
                os.kill(child, signal.SIGTERM)
            except OSError:
                pass
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        while time.monotonic() < end:
            if child is None:
                r, _, _ = select.select([ls], [], [], 0.05)
                if not r:
                    continue
                starts += 1
                child = start(ls.fileno(), o.cmd)
                print("start", starts, "pid", child, flush=True)
                continue
            pid, st = os.waitpid(child, os.WNOHANG)
            if pid == 0:
                time.sleep(0.005)
                continue
            code = (os.WEXITSTATUS(st) if os.WIFEXITED(st) else
                    128 + os.WTERMSIG(st))
            print("exit", starts, "status", code, flush=True)
            child = None
    finally:
        ls.close()
        os.unlink(o.path)


def start(fd, cmd):
    """Fork; in the child, put fd at 3 and exec cmd with LISTEN_*."""
    pid = os.fork()
    if pid != 0:
        return pid
    try:
        os.dup2(fd, 3)
        os.set_inheritable(3, True)
        os.environ["LISTEN_FDS"] = "1"
        os.environ["LISTEN_PID"] = str(os.getpid())
        os.environ.pop("LISTEN_FDNAMES", None)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.execv(cmd[0], cmd)
    except OSError as e:
        print("activate: exec %s: %s" % (cmd[0], e), file=sys.stderr,
              flush=True)
    os._exit(127)


if __name__ == "__main__":
    main()
