/*
 * notify: tell systemd (or anyone listening on $NOTIFY_SOCKET) how we are
 * doing: "READY=1", "STOPPING=1", "STATUS=...". A no-op without it.
 */
#ifndef SB_NOTIFY_H
#define SB_NOTIFY_H

/* Send state (newline-separated assignments). Returns 0, or -errno;
 * 0 as well when NOTIFY_SOCKET is not set. */
int	notify(const char *state);

#endif
