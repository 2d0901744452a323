/*
 * tunstream: one stream of a tunnel session (see tunnel.h, tunnel.c):
 * its socket, the credit each way, bytes the socket has not taken yet,
 * FIN and RESET, and opening a stream the peer asked for. Frames go out
 * through the session's queue (tunnel_int.h).
 *
 * A stream is done when both ways are: FIN sent (its socket reached EOF)
 * and FIN received and delivered (its socket shut for writing). An ended
 * stream is unlinked at once and freed by the session's reap timer,
 * after the loop pass, so no callback runs on freed memory.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sys.h"
#include "tunframe.h"
#include "tunnel.h"
#include "tunnel_int.h"

static void	stream_io(struct loop *, struct loop_io *, unsigned int);


/* Poll interest of s: read while it has credit and the carrier's queue
 * has room; write while bytes wait for its socket. */
void
tunstream_update(struct tstream *s)
{
	unsigned int mask = 0;

	if (s->fd == -1)
		return;
	if (s->connecting)
		mask = LOOP_WRITE;
	else {
		if (!s->eof_in && s->send_credit > 0 && !s->t->blocked &&
		    !s->t->wshut)
			mask |= LOOP_READ;
		if (s->rlen > 0)
			mask |= LOOP_WRITE;
	}
	(void)loop_io_set(s->t->loop, &s->io, mask);
}


struct tstream *
tunstream_find(struct tunnel *t, uint32_t id)
{
	struct tstream *s;

	for (s = t->bucket[id % NBUCKETS]; s != NULL; s = s->hnext)
		if (s->id == id)
			return s;
	return NULL;
}


/* A stream on fd (owned), in the table and the list. NULL: no memory
 * (fd is then closed). */
struct tstream *
tunstream_new(struct tunnel *t, uint32_t id, int fd, int local)
{
	struct tstream *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		close(fd);
		return NULL;
	}
	s->t = t;
	s->id = id;
	s->fd = fd;
	s->local = local;
	s->send_credit = TUNFRAME_WINDOW_INIT;
	s->recv_avail = TUNFRAME_WINDOW_INIT;
	loop_io_init(&s->io, fd, stream_io, s);
	s->hnext = t->bucket[id % NBUCKETS];
	t->bucket[id % NBUCKETS] = s;
	s->next = t->all;
	if (t->all != NULL)
		t->all->prev = s;
	t->all = s;
	t->nstreams++;
	if (local)
		t->nlocal++;
	return s;
}


/*
 * End s: close its socket (abort: SO_LINGER {1, 0}, so the peer sees a
 * reset, see end.h), unlink it, free it after the pass. send_reset, when
 * not TUNR_NORMAL, tells the peer with that reason and text.
 */
void
tunstream_end(struct tstream *s, int abort, uint32_t send_reset,
    const char *text)
{
	struct tunnel *t = s->t;
	struct tstream **pp;

	if (s->fd != -1) {
		loop_io_stop(t->loop, &s->io);
		if (abort)
			sys_abort_close(s->fd);
		else
			close(s->fd);
		s->fd = -1;
	}
	if (send_reset != TUNR_NORMAL)
		tunnel_out_reason(t, TUNFRAME_RESET, s->id, send_reset, text);
	for (pp = &t->bucket[s->id % NBUCKETS]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		t->all = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	t->nstreams--;
	if (s->local)
		t->nlocal--;
	free(s->rbuf);
	s->rbuf = NULL;
	s->dnext = t->dead_list;
	t->dead_list = s;
	loop_timer_set(t->loop, &t->reap, 0);
	if (t->hooks->stream_closed != NULL)
		t->hooks->stream_closed(t->arg);
	/* GOAWAY sent and the last stream gone: the peer may see the end. */
	if (t->goaway_sent && t->nstreams == 0 && !t->wshut && !t->dead) {
		tunnel_flush(t);
		if (tunnel_out_pending(t) == 0)
			tunnel_shut_write(t);
	}
}


/* A socket error on s: reset the stream both ways. */
static void
stream_fail(struct tstream *s, const char *op, int err)
{
	char text[128];

	snprintf(text, sizeof(text), "%s: %s", op, strerror(err));
	log_debug("%s: stream %u: %s", s->t->cfg.name, s->id, text);
	tunstream_end(s, 1, TUNR_ABORT, text);
}


/* Both ways done: close quietly. Returns 1 if s ended. */
static int
stream_check_done(struct tstream *s)
{
	if (s->eof_in && s->shut) {
		tunstream_end(s, 0, TUNR_NORMAL, NULL);
		return 1;
	}
	return 0;
}


/* Grant the peer credit for what the socket took, once it is worth a
 * frame (half the window), or at once when the buffer is empty and the
 * peer is low. */
static void
stream_grant(struct tstream *s)
{
	if (s->owed == 0 || s->fin_in)
		return;
	if (s->owed >= TUNFRAME_WINDOW_INIT / 2 ||
	    (s->rlen == 0 && s->recv_avail < TUNFRAME_WINDOW_INIT / 4)) {
		tunnel_out_frame(s->t, TUNFRAME_WINDOW, 0, s->id, s->owed,
		    NULL, 0);
		s->recv_avail += s->owed;
		s->owed = 0;
	}
}


/* Write buffered bytes to s's socket. Returns 0, or -1 if s ended. */
int
tunstream_drain(struct tstream *s)
{
	while (s->rlen > 0) {
		ssize_t n = write(s->fd, s->rbuf + s->roff, s->rlen);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			stream_fail(s, "write", errno);
			return -1;
		}
		s->roff += (size_t)n;
		s->rlen -= (size_t)n;
		s->owed += (uint32_t)n;
	}
	if (s->rlen == 0) {
		s->roff = 0;
		/* An idle stream holds no buffer. */
		free(s->rbuf);
		s->rbuf = NULL;
	}
	stream_grant(s);
	if (s->rlen == 0 && s->fin_in && !s->shut) {
		(void)shutdown(s->fd, SHUT_WR);
		s->shut = 1;
	}
	return stream_check_done(s) ? -1 : 0;
}


/* DATA for s: write through, keep the rest. */
void
tunstream_data(struct tstream *s, const uint8_t *p, size_t len)
{
	size_t off = 0;

	if (s->fin_in || len > s->recv_avail) {
		log_info("%s: stream %u: %s", s->t->cfg.name, s->id,
		    s->fin_in ? "DATA after FIN" : "window overrun");
		tunstream_end(s, 1, TUNR_PROTOCOL, s->fin_in ?
		    "DATA after FIN" : "window overrun");
		return;
	}
	s->recv_avail -= (uint32_t)len;
	if (s->rlen == 0 && !s->connecting) {
		while (off < len) {
			ssize_t n = write(s->fd, p + off, len - off);

			if (n == -1) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN)
					break;
				stream_fail(s, "write", errno);
				return;
			}
			off += (size_t)n;
		}
		s->owed += (uint32_t)off;
	}
	if (off < len) {
		if (s->rbuf == NULL &&
		    (s->rbuf = malloc(TUNFRAME_WINDOW_INIT)) == NULL) {
			tunstream_end(s, 1, TUNR_ABORT, "out of memory");
			return;
		}
		if (s->roff + s->rlen + (len - off) > TUNFRAME_WINDOW_INIT) {
			memmove(s->rbuf, s->rbuf + s->roff, s->rlen);
			s->roff = 0;
		}
		memcpy(s->rbuf + s->roff + s->rlen, p + off, len - off);
		s->rlen += len - off;
	}
	stream_grant(s);
	tunstream_update(s);
}


/* Read from s's socket into a DATA frame (or FIN, or RESET). Returns 1
 * when the read filled what was asked (more may be there), else 0. */
static int
stream_read(struct tstream *s)
{
	struct tunnel *t = s->t;
	size_t want = s->send_credit < TUNFRAME_DATA_MAX ? s->send_credit :
	    TUNFRAME_DATA_MAX;
	uint8_t *o;
	ssize_t n;

	if ((o = tunnel_out_reserve(t, TUNFRAME_HDR + want)) == NULL) {
		tunstream_end(s, 1, TUNR_ABORT, "out of memory");
		return 0;
	}
	do
		n = read(s->fd, o + TUNFRAME_HDR, want);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno != EAGAIN)
			stream_fail(s, "read", errno);
		return 0;
	}
	if (n == 0) {
		tunnel_out_frame(t, TUNFRAME_FIN, 0, s->id, 0, NULL, 0);
		s->eof_in = 1;
		if (!stream_check_done(s))
			tunstream_update(s);
		return 0;
	}
	tunframe_put(o, TUNFRAME_DATA, 0, s->id, (uint32_t)n);
	t->out_len += TUNFRAME_HDR + (size_t)n;
	s->send_credit -= (uint32_t)n;
	if (s->send_credit == 0)
		tunstream_update(s);
	return (size_t)n == want;
}


/* Read a new local stream's socket once, before its OPEN is written: a
 * client that speaks first has sent already, as a rule, and its bytes
 * then go to the carrier in the same write as the OPEN. */
void
tunstream_read_now(struct tstream *s)
{
	if (s->fd != -1 && !s->eof_in && s->send_credit > 0 &&
	    !s->t->blocked && !s->t->wshut)
		(void)stream_read(s);
}


static void
stream_io(struct loop *l, struct loop_io *io, unsigned int ev)
{
	struct tstream *s = io->arg;
	struct tunnel *t = s->t;
	int waiting = tunnel_out_pending(t) > 0;

	(void)l;
	if (s->connecting) {
		int rc = t->hooks->dial_finish(s->fd);

		if (rc < 0) {
			char text[128];

			snprintf(text, sizeof(text), "connect: %s",
			    strerror(-rc));
			tunstream_end(s, 0, TUNR_REFUSED, text);
			goto out;
		}
		s->connecting = 0;
		if (tunstream_drain(s) == -1)
			goto out;
		tunstream_update(s);
		goto out;
	}
	if ((ev & LOOP_WRITE) && s->rlen > 0 && tunstream_drain(s) == -1)
		goto out;
	if ((ev & LOOP_READ) && !s->eof_in && s->send_credit > 0) {
		/* A full read may leave more: take a few chunks now, so
		 * that one write to the carrier carries them all. */
		for (int i = 0; i < READS_PER_WAKE && stream_read(s) &&
		    s->fd != -1 && !s->eof_in && s->send_credit > 0 &&
		    tunnel_out_pending(t) < TUNNEL_OUT_HIGH; i++)
			;
	} else
		tunstream_update(s);
out:
	/* Already waiting on the carrier: the frames go with the next
	 * write, many at once. */
	if (!waiting)
		tunnel_flush(t);
	else {
		tunnel_blocked_update(t);
		tunnel_carrier_update(t);
	}
}


/* The peer opened stream id to target. */
void
tunstream_peer_open(struct tunnel *t, uint32_t id, const uint8_t *p, size_t len)
{
	char err[256] = "";
	uint16_t target;
	int fd, pending = 0;
	struct tstream *s;

	if (tunframe_open_get(p, len, &target, err, sizeof(err)) == -1) {
		tunnel_out_reason(t, TUNFRAME_RESET, id, TUNR_PROTOCOL, err);
		return;
	}
	if (t->goaway_sent) {
		tunnel_out_reason(t, TUNFRAME_RESET, id, TUNR_SHUTDOWN,
		    "going away");
		return;
	}
	if (t->hooks->dial == NULL) {
		tunnel_out_reason(t, TUNFRAME_RESET, id, TUNR_NO_TARGET,
		    "this end offers no targets");
		return;
	}
	if (t->nstreams - t->nlocal >= t->cfg.max_streams) {
		snprintf(err, sizeof(err), "%d streams open, the limit",
		    t->nstreams - t->nlocal);
		log_info("%s: stream %u refused: %s", t->cfg.name, id, err);
		tunnel_out_reason(t, TUNFRAME_RESET, id, TUNR_LIMIT, err);
		return;
	}
	fd = t->hooks->dial(t->arg, target, &pending, err, sizeof(err));
	if (fd < 0) {
		log_info("%s: stream %u: %s", t->cfg.name, id, err);
		tunnel_out_reason(t, TUNFRAME_RESET, id, fd == -ENOENT &&
		    target >= (unsigned int)t->cfg.ntargets ? TUNR_NO_TARGET :
		    TUNR_REFUSED, err);
		return;
	}
	if ((s = tunstream_new(t, id, fd, 0)) == NULL) {
		tunnel_out_reason(t, TUNFRAME_RESET, id, TUNR_REFUSED,
		    "out of memory");
		return;
	}
	s->target = target;
	s->connecting = pending;
	log_debug("%s: stream %u opened to target %u", t->cfg.name, id,
	    target);
	tunstream_update(s);
}
