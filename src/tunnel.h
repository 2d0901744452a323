/*
 * tunnel: one session of the tunnel protocol (doc/tunnel-protocol.txt)
 * over a carrier's byte stream (rfd, wfd), on the event loop. Streams
 * are multiplexed over it: each stream joins a local socket (an accepted
 * client, or a dialed target) to one stream id. Both ends run the same
 * engine; which one opens streams is a matter of who calls tunnel_open()
 * (a listener's side) and who has a dial hook (a target's side). Either
 * end may do both: that is the reverse direction.
 *
 * Flow control: every stream starts with TUNFRAME_WINDOW bytes of credit
 * each way; a sender never sends past it, and a receiver grants more
 * (WINDOW) only as its local socket takes the bytes. So a stalled reader
 * stalls its own stream, never the carrier: bytes held per stream are at
 * most the window, and bytes held for the carrier's write side at most
 * TUNNEL_OUT_HIGH plus the control frames of one carrier read.
 *
 * Resets: an error or reset on a stream's socket sends RESET with a
 * reason; a RESET received aborts the socket (SO_LINGER {1, 0}, see
 * end.h), so the local peer sees a reset, never a clean end. The session
 * failing (carrier closed, protocol error, keepalive timeout) aborts
 * every stream.
 *
 * An idle session sets no timer but the keepalive's.
 */
#ifndef SB_TUNNEL_H
#define SB_TUNNEL_H

#include <stdint.h>

#include "loop.h"

#define TUNNEL_OUT_HIGH	(1024 * 1024)	/* stop reading streams above */
#define TUNNEL_MAX_STREAMS	1024	/* default and upper limit */

struct tunnel;

struct tunnel_hooks {
	/* The peer opened a stream to target (index): return a nonblocking
	 * socket, with *pending set while its connect is in progress, or
	 * -errno (-ENOENT: no such target; err says what failed). NULL: this
	 * end accepts no stream. */
	int	(*dial)(void *arg, unsigned int target, int *pending,
		    char *err, size_t errlen);
	/* A connect dial() left pending ended: 0 or -errno. */
	int	(*dial_finish)(int fd);
	/* A stream ended (any way). */
	void	(*stream_closed)(void *arg);
	/* The peer's HELLO arrived: streams opened from now on reach it.
	 * Called from the loop, inside the session's read; NULL: not told. */
	void	(*ready)(void *arg);
	/* The session failed or ended; why says how ("carrier closed").
	 * Called once, from the loop; free the session after the pass
	 * (tunnel_free() is safe from a zero-delay timer). */
	void	(*dead)(void *arg, const char *why);
};

struct tunnel_cfg {
	const char	*name;		/* for logs: "carrier", "stdio" */
	int		 opener;	/* 1: odd stream ids, 0: even */
	int		 max_streams;	/* we accept at most; 0: default */
	int		 keepalive_ms;	/* ping after this long idle; 0: off */
	int		 ntargets;	/* dial hook's targets (for HELLO) */
};

/* A session on rfd and wfd (owned from now on; may be equal). Sends
 * HELLO. Returns NULL with errno set. */
struct tunnel	*tunnel_new(struct loop *, int rfd, int wfd,
		    const struct tunnel_cfg *, const struct tunnel_hooks *,
		    void *arg);

/* Carry fd (a connected socket, owned from now on) as a new stream to
 * the peer's target. Returns 0, or -errno with fd aborted: -EAGAIN when
 * the peer's stream limit is reached, -EPIPE when the session is going
 * away. */
int		 tunnel_open(struct tunnel *, int fd, unsigned int target);

/* Streams open now. */
int		 tunnel_nstreams(const struct tunnel *);

/* The most streams the peer accepts (its HELLO; 1024 before). */
int		 tunnel_peer_max(const struct tunnel *);

/* Has the peer's HELLO arrived? */
int		 tunnel_ready(const struct tunnel *);

/* Orderly close: send GOAWAY, open no more streams; once the last stream
 * ends, the write side is shut (the peer sees the end) and dead() is
 * called with "closed". */
void		 tunnel_goaway(struct tunnel *);

/* End the session now, as a failure: streams aborted, dead() called
 * with why. */
void		 tunnel_fail(struct tunnel *, const char *why);

/* Abort every stream (reason TUNR_CARRIER locally), close the carrier
 * fds, free. NULL-safe. */
void		 tunnel_free(struct tunnel *);

/* The first bytes seen from the carrier, when they were not the
 * protocol (printable text, for an error message); "" otherwise. */
const char	*tunnel_garbage(const struct tunnel *);

#endif
