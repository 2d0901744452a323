/*
 * tunnel: see tunnel.h and doc/tunnel-protocol.txt. This file is the
 * session: the carrier, its output queue, frames in, keepalive, the
 * API. tunstream.c is a stream: its socket, its window, opening one for
 * the peer. tunnel_int.h is what the two share.
 *
 * Bytes from a stream's socket are read straight into the carrier's
 * output queue behind a reserved header, and frames pile up there while
 * the carrier is busy: one write then carries many frames (coalescing
 * without a timer). The carrier is read in large chunks; a DATA payload
 * goes straight to its socket, and only what the socket does not take is
 * copied to the stream's buffer (at most the window).
 *
 * A stream is done when both ways are: FIN sent (its socket reached EOF)
 * and FIN received and delivered (its socket shut for writing). Streams
 * and the session are freed from a zero-delay timer, after the loop pass
 * in which they ended, so no callback runs on freed memory.
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

static void	carrier_io(struct loop *, struct loop_io *, unsigned int);
static void	session_fail(struct tunnel *t, const char *why);


/* Make room for n more bytes at the end of the output queue. Returns a
 * pointer to them, or NULL when out of memory. */
uint8_t *
tunnel_out_reserve(struct tunnel *t, size_t n)
{
	if (t->out_len + n > t->out_cap && t->out_off > 0) {
		memmove(t->out, t->out + t->out_off, tunnel_out_pending(t));
		t->out_len -= t->out_off;
		t->out_off = 0;
	}
	if (t->out_len + n > t->out_cap) {
		size_t cap = t->out_cap * 2 > t->out_len + n ?
		    t->out_cap * 2 : t->out_len + n;
		uint8_t *p = realloc(t->out, cap);

		if (p == NULL)
			return NULL;
		t->out = p;
		t->out_cap = cap;
	}
	return t->out + t->out_len;
}


/* Queue a frame with payload p[0..len) (p may be NULL for none). */
void
tunnel_out_frame(struct tunnel *t, uint8_t type, uint16_t flags, uint32_t id,
    uint32_t length, const void *p, size_t len)
{
	uint8_t *o;

	if (t->dead || t->wshut)
		return;
	if ((o = tunnel_out_reserve(t, TUNFRAME_HDR + len)) == NULL) {
		session_fail(t, "out of memory");
		return;
	}
	tunframe_put(o, type, flags, id, length);
	if (len > 0)
		memcpy(o + TUNFRAME_HDR, p, len);
	t->out_len += TUNFRAME_HDR + len;
}


/* Queue a frame carrying a reason code and text (RESET, GOAWAY). */
void
tunnel_out_reason(struct tunnel *t, uint8_t type, uint32_t id, uint32_t code,
    const char *text)
{
	uint8_t p[4 + TUNFRAME_TEXT_MAX];
	int n = tunframe_reason_put(p, sizeof(p), code, text);

	tunnel_out_frame(t, type, 0, id, (uint32_t)n, p, (size_t)n);
}


/* Poll interest of the carrier from the queue's fill. */
void
tunnel_carrier_update(struct tunnel *t)
{
	unsigned int rd = 0, wr = 0;

	if (t->dead)
		return;
	/* Reading more could only queue more answers: wait while the
	 * queue is far past its mark. */
	if (tunnel_out_pending(t) < 2 * TUNNEL_OUT_HIGH)
		rd = LOOP_READ;
	if (tunnel_out_pending(t) > 0)
		wr = LOOP_WRITE;
	if (t->rfd == t->wfd)
		(void)loop_io_set(t->loop, &t->rio, rd | wr);
	else {
		(void)loop_io_set(t->loop, &t->rio, rd);
		if (t->wfd != -1)
			(void)loop_io_set(t->loop, &t->wio, wr);
	}
}


/* Recompute whether the queue is too full to read streams; on a change,
 * every stream's interest. */
void
tunnel_blocked_update(struct tunnel *t)
{
	int b = tunnel_out_pending(t) >= TUNNEL_OUT_HIGH;

	if (b == t->blocked)
		return;
	t->blocked = b;
	for (struct tstream *s = t->all; s != NULL; s = s->next)
		tunstream_update(s);
}


/* Write what the queue holds to the carrier. A write error fails the
 * session. */
void
tunnel_flush(struct tunnel *t)
{
	while (!t->dead && tunnel_out_pending(t) > 0) {
		ssize_t n = write(t->wfd, t->out + t->out_off,
		    tunnel_out_pending(t));

		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN) {
				char why[128];

				snprintf(why, sizeof(why), "writing to the "
				    "carrier: %s", strerror(errno));
				session_fail(t, why);
				return;
			}
			break;
		}
		t->out_off += (size_t)n;
	}
	if (tunnel_out_pending(t) == 0)
		t->out_off = t->out_len = 0;
	tunnel_blocked_update(t);
	tunnel_carrier_update(t);
}


/* All sent after GOAWAY: shut the write side so that the peer sees end
 * of file. A socket is shut (stdin may be the same one); a pipe only
 * ends when closed. */
void
tunnel_shut_write(struct tunnel *t)
{
	t->wshut = 1;
	if (t->wfd == -1 || shutdown(t->wfd, SHUT_WR) == 0 ||
	    t->rfd == t->wfd)
		return;
	loop_io_stop(t->loop, &t->wio);
	close(t->wfd);
	t->wfd = -1;
}


/* Handle one frame. Returns 0, or -1 when the session failed. */
static int
frame(struct tunnel *t, const struct tunframe *f, const uint8_t *p)
{
	char err[256], text[TUNFRAME_TEXT_MAX + 1];
	struct tstream *s = NULL;
	uint32_t code;

	if (!t->hello && f->type != TUNFRAME_HELLO) {
		session_fail(t, "the peer did not begin with HELLO");
		return -1;
	}
	if (f->stream != 0)
		s = tunstream_find(t, f->stream);
	switch (f->type) {
	case TUNFRAME_HELLO: {
		struct tunframe_hello h;

		if (t->hello ||
		    tunframe_hello_get(p, f->length, &h, err, sizeof(err)) ==
		    -1) {
			session_fail(t, t->hello ? "a second HELLO" : err);
			return -1;
		}
		t->hello = 1;
		t->peer_max = h.max_streams;
		log_debug("%s: peer %s speaks version %u, up to %u streams",
		    t->cfg.name, h.name, h.version, h.max_streams);
		if (t->hooks->ready != NULL)
			t->hooks->ready(t->arg);
		break;
	}
	case TUNFRAME_OPEN:
		/* The peer's ids have the other parity and only grow. */
		if ((f->stream & 1) == (t->cfg.opener ? 1u : 0u) ||
		    f->stream <= t->peer_last) {
			snprintf(err, sizeof(err), "OPEN of stream %u out of "
			    "order", f->stream);
			session_fail(t, err);
			return -1;
		}
		t->peer_last = f->stream;
		tunstream_peer_open(t, f->stream, p, f->length);
		break;
	case TUNFRAME_DATA:
		/* Frames for a stream already ended are dropped. */
		if (s != NULL)
			tunstream_data(s, p, f->length);
		break;
	case TUNFRAME_WINDOW:
		if (s == NULL)
			break;
		if ((uint64_t)s->send_credit + f->length > 0x7fffffffu) {
			tunstream_end(s, 1, TUNR_PROTOCOL, "window past 2^31");
			break;
		}
		s->send_credit += f->length;
		tunstream_update(s);
		break;
	case TUNFRAME_FIN:
		if (s == NULL)
			break;
		s->fin_in = 1;
		if (s->rlen == 0 && !s->connecting)
			(void)tunstream_drain(s);
		break;
	case TUNFRAME_RESET:
		if (tunframe_reason_get(p, f->length, &code, text,
		    sizeof(text), err, sizeof(err)) == -1) {
			code = TUNR_ABORT;
			snprintf(text, sizeof(text), "%s", err);
		}
		if (s == NULL)
			break;
		log_info("%s: stream %u reset by the peer: %s%s%s",
		    t->cfg.name, s->id, tunframe_reason_name(code),
		    text[0] != '\0' ? ": " : "", text);
		tunstream_end(s, 1, TUNR_NORMAL, NULL);
		break;
	case TUNFRAME_PING:
		if (f->flags & TUNFRAME_F_ACK)
			t->ping_sent = 0;
		else
			tunnel_out_frame(t, TUNFRAME_PING, TUNFRAME_F_ACK, 0,
			    f->length, NULL, 0);
		break;
	case TUNFRAME_GOAWAY:
		if (tunframe_reason_get(p, f->length, &code, text,
		    sizeof(text), err, sizeof(err)) == -1) {
			session_fail(t, err);
			return -1;
		}
		t->goaway_rcvd = 1;
		if (code != TUNR_NORMAL)
			log_notice("%s: the peer goes away: %s%s%s",
			    t->cfg.name, tunframe_reason_name(code),
			    text[0] != '\0' ? ": " : "", text);
		break;
	}
	return t->dead ? -1 : 0;
}


/* Keep what the carrier said when it was not the protocol. */
static void
keep_garbage(struct tunnel *t)
{
	size_t i, n = t->in_len < sizeof(t->garbage) - 1 ? t->in_len :
	    sizeof(t->garbage) - 1;

	for (i = 0; i < n && t->in[i] != '\n'; i++)
		t->garbage[i] = t->in[i] >= 0x20 && t->in[i] < 0x7f ?
		    (char)t->in[i] : '?';
	t->garbage[i] = '\0';
}


/* Parse and handle the complete frames read so far. */
static void
parse(struct tunnel *t)
{
	size_t off = 0;

	while (!t->dead) {
		struct tunframe f;
		char err[128], why[256];
		int rc = tunframe_decode(t->in + off, t->in_len - off, &f,
		    err, sizeof(err));
		size_t plen;

		if (rc == -1) {
			if (!t->hello && off == 0) {
				keep_garbage(t);
				snprintf(why, sizeof(why), "the carrier does not "
				    "speak the tunnel protocol; it said \"%s\"",
				    t->garbage);
			} else
				snprintf(why, sizeof(why), "protocol error: %s",
				    err);
			session_fail(t, why);
			return;
		}
		if (rc == 0)
			break;
		plen = tunframe_payload_len(&f);
		if (t->in_len - off < TUNFRAME_HDR + plen)
			break;
		if (frame(t, &f, t->in + off + TUNFRAME_HDR) == -1)
			return;
		off += TUNFRAME_HDR + plen;
	}
	if (off > 0) {
		memmove(t->in, t->in + off, t->in_len - off);
		t->in_len -= off;
	}
}


static void
carrier_io(struct loop *l, struct loop_io *io, unsigned int ev)
{
	struct tunnel *t = io->arg;

	if ((ev & LOOP_WRITE) && tunnel_out_pending(t) > 0) {
		tunnel_flush(t);
		if (t->dead)
			return;
	}
	if (!(ev & LOOP_READ) || io != &t->rio)
		return;
	for (int i = 0; i < READS_PER_WAKE && !t->dead &&
	    tunnel_out_pending(t) < 2 * TUNNEL_OUT_HIGH; i++) {
		ssize_t n = read(t->rfd, t->in + t->in_len, IN_CAP - t->in_len);

		if (n == -1) {
			char why[128];

			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			snprintf(why, sizeof(why), "reading the carrier: %s",
			    strerror(errno));
			session_fail(t, why);
			return;
		}
		if (n == 0) {
			if (t->in_len > 0 && !t->hello)
				keep_garbage(t);
			session_fail(t, t->goaway_sent || t->goaway_rcvd ?
			    "closed" : "the carrier closed");
			return;
		}
		t->last_rx = loop_now(l);
		t->in_len += (size_t)n;
		parse(t);
		if ((size_t)n < IN_CAP / 2)
			break;
	}
	if (!t->dead)
		tunnel_flush(t);
}


/* Keepalive: ping after keepalive_ms with nothing heard; fail when the
 * answer takes as long again. */
static void
keepalive_fire(struct loop *l, struct loop_timer *tm)
{
	struct tunnel *t = tm->arg;
	uint64_t now = loop_now(l), ka = (uint64_t)t->cfg.keepalive_ms;

	if (t->dead)
		return;
	if (t->ping_sent != 0 && t->last_rx < t->ping_sent) {
		if (now - t->ping_sent >= ka) {
			char why[96];

			snprintf(why, sizeof(why), "keepalive timeout: no "
			    "answer in %d ms", t->cfg.keepalive_ms);
			session_fail(t, why);
			return;
		}
		loop_timer_set(l, tm, t->ping_sent + ka - now);
		return;
	}
	if (now - t->last_rx >= ka) {
		t->ping_sent = now;
		tunnel_out_frame(t, TUNFRAME_PING, 0, 0, (uint32_t)now, NULL,
		    0);
		tunnel_flush(t);
		loop_timer_set(l, tm, ka);
		return;
	}
	t->ping_sent = 0;
	loop_timer_set(l, tm, t->last_rx + ka - now);
}


/* Free the streams that ended during the last pass. */
static void
reap_fire(struct loop *l, struct loop_timer *tm)
{
	struct tunnel *t = tm->arg;

	(void)l;
	while (t->dead_list != NULL) {
		struct tstream *s = t->dead_list;

		t->dead_list = s->dnext;
		free(s);
	}
}


/* The session is over: abort every stream, stop polling, tell the
 * owner once. */
static void
session_fail(struct tunnel *t, const char *why)
{
	if (t->dead)
		return;
	t->dead = 1;
	loop_io_stop(t->loop, &t->rio);
	if (t->wfd != t->rfd)
		loop_io_stop(t->loop, &t->wio);
	loop_timer_stop(t->loop, &t->ka);
	while (t->all != NULL)
		tunstream_end(t->all, 1, TUNR_NORMAL, NULL);
	if (t->hooks->dead != NULL)
		t->hooks->dead(t->arg, why);
}


struct tunnel *
tunnel_new(struct loop *l, int rfd, int wfd, const struct tunnel_cfg *cfg,
    const struct tunnel_hooks *hooks, void *arg)
{
	struct tunnel *t = calloc(1, sizeof(*t));
	struct tunframe_hello h;
	uint8_t p[128];
	int n;

	if (t == NULL)
		return NULL;
	t->in = malloc(IN_CAP);
	t->out = malloc(OUT_CAP0);
	if (t->in == NULL || t->out == NULL) {
		free(t->in);
		free(t->out);
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->out_cap = OUT_CAP0;
	t->loop = l;
	t->rfd = rfd;
	t->wfd = wfd;
	t->cfg = *cfg;
	if (t->cfg.max_streams <= 0 || t->cfg.max_streams > TUNNEL_MAX_STREAMS)
		t->cfg.max_streams = TUNNEL_MAX_STREAMS;
	t->hooks = hooks;
	t->arg = arg;
	t->next_id = cfg->opener ? 1 : 2;
	t->peer_max = TUNNEL_MAX_STREAMS;
	t->last_rx = loop_now(l);
	loop_io_init(&t->rio, rfd, carrier_io, t);
	loop_io_init(&t->wio, wfd, carrier_io, t);
	loop_timer_init(&t->ka, keepalive_fire, t);
	loop_timer_init(&t->reap, reap_fire, t);
	memset(&h, 0, sizeof(h));
	h.version = TUNFRAME_VERSION;
	h.max_streams = (uint32_t)t->cfg.max_streams;
	snprintf(h.name, sizeof(h.name), "sockbridge %s", cfg->name);
	n = tunframe_hello_put(p, sizeof(p), &h);
	tunnel_out_frame(t, TUNFRAME_HELLO, 0, 0, (uint32_t)n, p, (size_t)n);
	if (cfg->keepalive_ms > 0)
		loop_timer_set(l, &t->ka, (uint64_t)cfg->keepalive_ms);
	tunnel_flush(t);
	return t;
}


int
tunnel_open(struct tunnel *t, int fd, unsigned int target)
{
	struct tstream *s;
	uint8_t p[2];
	int waiting = tunnel_out_pending(t) > 0;

	if (t->dead || t->goaway_sent || t->goaway_rcvd) {
		sys_abort_close(fd);
		return -EPIPE;
	}
	if (t->nlocal >= (int)t->peer_max || t->nlocal >= TUNNEL_MAX_STREAMS) {
		sys_abort_close(fd);
		return -EAGAIN;
	}
	if ((s = tunstream_new(t, t->next_id, fd, 1)) == NULL)
		return -ENOMEM;
	t->next_id += 2;
	s->target = target;
	(void)tunframe_open_put(p, sizeof(p), (uint16_t)target);
	tunnel_out_frame(t, TUNFRAME_OPEN, 0, s->id, 2, p, 2);
	if (!waiting)
		tunstream_read_now(s);
	tunstream_update(s);
	if (!waiting)
		tunnel_flush(t);
	return 0;
}


int
tunnel_nstreams(const struct tunnel *t)
{
	return t->nstreams;
}


int
tunnel_peer_max(const struct tunnel *t)
{
	return (int)t->peer_max;
}


int
tunnel_ready(const struct tunnel *t)
{
	return t->hello;
}


void
tunnel_goaway(struct tunnel *t)
{
	if (t->dead || t->goaway_sent)
		return;
	tunnel_out_reason(t, TUNFRAME_GOAWAY, 0, TUNR_NORMAL, NULL);
	t->goaway_sent = 1;
	tunnel_flush(t);
	if (t->nstreams == 0 && tunnel_out_pending(t) == 0 && !t->dead)
		tunnel_shut_write(t);
}


void
tunnel_fail(struct tunnel *t, const char *why)
{
	session_fail(t, why);
}


void
tunnel_free(struct tunnel *t)
{
	if (t == NULL)
		return;
	if (!t->dead) {
		const struct tunnel_hooks *h = t->hooks;
		struct tunnel_hooks quiet = *h;

		/* Freeing is not failing: no dead() call from here. */
		quiet.dead = NULL;
		t->hooks = &quiet;
		session_fail(t, "freed");
		t->hooks = h;
	}
	loop_timer_stop(t->loop, &t->reap);
	reap_fire(t->loop, &t->reap);
	close(t->rfd);
	if (t->wfd != t->rfd && t->wfd != -1)
		close(t->wfd);
	free(t->in);
	free(t->out);
	free(t);
}


const char *
tunnel_garbage(const struct tunnel *t)
{
	return t->garbage;
}
