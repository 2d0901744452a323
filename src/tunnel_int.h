/*
 * tunnel_int: what tunnel.c (the session: the carrier, its output queue,
 * frames, keepalive) and tunstream.c (a stream: its socket, its window,
 * opening one for the peer) share. Private to those two files: tunnel.h
 * is the API.
 */
#ifndef SB_TUNNEL_INT_H
#define SB_TUNNEL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "tunframe.h"
#include "tunnel.h"

#define IN_CAP		(TUNFRAME_DATA_MAX + TUNFRAME_HDR + 256 * 1024)
#define OUT_CAP0	(2 * TUNNEL_OUT_HIGH + TUNFRAME_DATA_MAX)
#define NBUCKETS	256
#define READS_PER_WAKE	4

struct tstream {
	struct tunnel	*t;
	uint32_t	 id;
	unsigned int	 target;
	int		 fd;
	struct loop_io	 io;
	int		 connecting;	/* dial pending: wait for writability */
	int		 local;		/* we opened it */
	uint32_t	 send_credit;	/* bytes we may still send */
	uint32_t	 recv_avail;	/* credit the peer still holds */
	uint32_t	 owed;		/* delivered, not yet granted back */
	uint8_t		*rbuf;		/* from the peer, for the socket */
	size_t		 roff, rlen;
	int		 eof_in;	/* socket ended, FIN sent */
	int		 fin_in;	/* FIN received */
	int		 shut;		/* socket shut for writing */
	struct tstream	*hnext;		/* hash bucket */
	struct tstream	*prev, *next;	/* all open streams */
	struct tstream	*dnext;		/* dead, to free */
};

struct tunnel {
	struct loop	*loop;
	int		 rfd, wfd;
	struct loop_io	 rio, wio;	/* wio unused when rfd == wfd */
	struct tunnel_cfg cfg;
	const struct tunnel_hooks *hooks;
	void		*arg;
	uint8_t		*in;
	size_t		 in_len;
	uint8_t		*out;
	size_t		 out_off, out_len, out_cap;
	uint32_t	 next_id;
	uint32_t	 peer_last;	/* highest id the peer opened */
	int		 nstreams, nlocal;
	uint32_t	 peer_max;
	int		 hello;		/* the peer's HELLO arrived */
	int		 goaway_sent, goaway_rcvd, wshut;
	int		 dead, blocked;
	uint64_t	 last_rx, ping_sent;
	struct loop_timer ka, reap;
	struct tstream	*bucket[NBUCKETS];
	struct tstream	*all, *dead_list;
	char		 garbage[96];
};

/* Bytes queued for the carrier. */
static inline size_t
tunnel_out_pending(const struct tunnel *t)
{
	return t->out_len - t->out_off;
}

/* tunnel.c: the carrier's output queue and polling. */
/* Make room for n more bytes at the end of the output queue. Returns a
 * pointer to them, or NULL when out of memory. */
uint8_t	*tunnel_out_reserve(struct tunnel *t, size_t n);
/* Queue a frame with payload p[0..len) (p may be NULL for none). */
void	 tunnel_out_frame(struct tunnel *t, uint8_t type, uint16_t flags,
	    uint32_t id, uint32_t length, const void *p, size_t len);
/* Queue a frame carrying a reason code and text (RESET, GOAWAY). */
void	 tunnel_out_reason(struct tunnel *t, uint8_t type, uint32_t id,
	    uint32_t code, const char *text);
/* Poll interest of the carrier from the queue's fill. */
void	 tunnel_carrier_update(struct tunnel *t);
/* Recompute whether the queue is too full to read streams; on a change,
 * every stream's interest. */
void	 tunnel_blocked_update(struct tunnel *t);
/* Write what the queue holds to the carrier. A write error fails the
 * session. */
void	 tunnel_flush(struct tunnel *t);
/* All sent after GOAWAY: shut the write side (close a write-only fd). */
void	 tunnel_shut_write(struct tunnel *t);

/* tunstream.c: streams. */
/* The open stream with this id, or NULL. */
struct tstream *tunstream_find(struct tunnel *t, uint32_t id);
/* A stream on fd (owned), in the table and the list. NULL: no memory
 * (fd is then closed). */
struct tstream *tunstream_new(struct tunnel *t, uint32_t id, int fd,
	    int local);
/* End s (abort: the local peer sees a reset) and free it after the
 * pass; send_reset, when not TUNR_NORMAL, tells the peer with text. */
void	 tunstream_end(struct tstream *s, int abort, uint32_t send_reset,
	    const char *text);
/* Poll interest of s from its credit, buffer and the carrier's queue. */
void	 tunstream_update(struct tstream *s);
/* Write buffered bytes to s's socket. Returns 0, or -1 if s ended. */
int	 tunstream_drain(struct tstream *s);
/* Read a new local stream's socket once, so that what the client sent
 * already goes with the OPEN. */
void	 tunstream_read_now(struct tstream *s);
/* DATA p[0..len) from the peer for s: write through, keep the rest. */
void	 tunstream_data(struct tstream *s, const uint8_t *p, size_t len);
/* The peer opened stream id; p[0..len) is the OPEN payload. Dials the
 * target, or answers RESET. */
void	 tunstream_peer_open(struct tunnel *t, uint32_t id, const uint8_t *p,
	    size_t len);

#endif
