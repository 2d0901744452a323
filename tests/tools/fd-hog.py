#!/usr/bin/env python3
# tests/tools/fd-hog.py ADDR N: open N unix connections at once, each
# sending 8 bytes of its own; wait until the picture is stable (served:
# echoed, dropped: closed without echo, waiting: neither) and print it
# ("full ..."). Then close the served ones, and every one served from then
# on, until none waits; print the totals ("after ... seconds=").
import select, socket, sys, time
path, n = sys.argv[1][5:], int(sys.argv[2])
socks, state, got = [], {}, {}
t0 = time.monotonic()
for i in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(path)
    s.sendall(b"%07d\n" % i)
    s.setblocking(False)
    socks.append(s)
    state[s] = "waiting"
    got[s] = b""

def poll(timeout, close_served):
    live = [s for s in socks if state[s] == "waiting"]
    r, _, _ = select.select(live, [], [], timeout)
    for s in r:
        try:
            d = s.recv(64)
        except OSError:
            d = b""
        if d:
            got[s] += d
            if len(got[s]) >= 8:
                state[s] = "served"
                if close_served:
                    s.close()
        else:
            state[s] = "dropped"

def count(what):
    return list(state.values()).count(what)

# Phase 1: hold everything until the picture has not changed for 1.5 s
# (longer than the relay's longest accept pause), at most 4 s.
last, quiet = None, time.monotonic()
while time.monotonic() - t0 < 4 and count("waiting") and time.monotonic() - quiet < 1.5:
    poll(0.1, False)
    now = (count("served"), count("dropped"))
    if now != last:
        last, quiet = now, time.monotonic()
print("full served=%d dropped=%d waiting=%d" % (count("served"), count("dropped"), count("waiting")), flush=True)

# Phase 2: the served leave, and each one served from now on leaves at
# once; every waiting client must get its turn (at most 30 s).
for s in socks:
    if state[s] == "served":
        s.close()
t1 = time.monotonic()
while count("waiting") and time.monotonic() - t1 < 30:
    poll(0.1, True)
print("after served=%d dropped=%d waiting=%d seconds=%.1f" % (count("served"), count("dropped"), count("waiting"), time.monotonic() - t1), flush=True)
for s in socks:
    s.close()
