/*
 * conn: see conn.h.
 */
#include <sys/socket.h>

#include <poll.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "end.h"
#include "log.h"
#include "net.h"
#include "proxy.h"
#include "sys.h"

#define SIDE_DOWN	0	/* the accepted connection */
#define SIDE_UP		1	/* the target */
/* Connecting again (a unix target's backlog is full; no target there
 * yet): the delay doubles from RETRY_MIN_MS up to RETRY_MAX_MS. */
#define RETRY_MIN_MS	10
#define RETRY_MAX_MS	1000
/* Delays of RETRY_GRID_MS * 2 and more end on a grid of RETRY_GRID_MS on
 * the loop's clock, so that one wake-up serves many waiting clients: a
 * wake-up costs more than the connect it is for. */
#define RETRY_GRID_MS	50

/* What c's timer does when it fires with no target end (c->retry). */
#define RETRY_TARGET	0	/* connect to the same target again */
#define RETRY_ROUND	1	/* pick targets afresh: a new round */

/* Which sides conn_finish() aborts: a bit per side. */
#define ABORT_DOWN	(1u << SIDE_DOWN)
#define ABORT_UP	(1u << SIDE_UP)
#define ABORT_BOTH	(ABORT_DOWN | ABORT_UP)

struct side {
	struct end	 end;
	struct loop_io	 rio;
	struct loop_io	 wio;		/* used only when end.wfd != end.rfd */
};

struct conn {
	struct conn_env	*env;
	uint64_t	 id;
	struct side	 side[2];
	struct flow	 flow[2];	/* flow[i]: from side[i] to side[!i] */
	int		 connecting;
	int		 dead;
	int		 target;	/* index into env->target, -1: none yet */
	uint32_t	 tried;		/* targets tried, a bit each */
	pid_t		 child;
	uint64_t	 t_start;
	uint64_t	 t_attempt;	/* this connect attempt began */
	uint64_t	 t_dial;	/* the first target was picked */
	uint64_t	 t_active;
	unsigned int	 retry_ms;	/* back-off: the last delay, 0: none */
	int		 retry;		/* RETRY_*: what the timer does next */
	int		 waiting;	/* no target there yet: retrying rounds */
	int		 absent;	/* this round, a target was not there */
	int		 down_sent;	/* waiting: the client sent, or half-closed */
	struct loop_timer timer;	/* connect deadline, retry, idle */
	struct conn	*prev, *next;
	char		 peer[160];
	const struct listener *ls;	/* accepted on; NULL: stdio */
	int		 awaiting_proxy;	/* accept-proxy: no header yet */
	unsigned char	*ph_buf;	/* the header so far, while awaited */
	size_t		 ph_len;
	struct proxy_hdr proxy;		/* what the header said */
	int		 have_proxy;
	struct peer_key	 pkey;		/* counted in env->perpeer */
	int		 pcounted;
};

static void	conn_io(struct loop *, struct loop_io *, unsigned int);
static void	log_safe(char *, size_t);
static void	conn_dial(struct conn *);
static void	conn_attempt(struct conn *);
static void	conn_dial_failed(struct conn *, int);
static void	conn_update(struct conn *);

/*
 * Make s (NUL-terminated, in a buffer of size bytes) safe for a log line:
 * control bytes and backslashes become \xHH and \\, so a peer-supplied
 * string (a PROXY v2 unix path, a peer name) cannot end the line and
 * forge another. Truncates to fit.
 */
static void
log_safe(char *s, size_t size)
{
	char out[512];
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0' &&
	    o + 5 < sizeof(out); p++) {
		if (*p == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (*p < 0x20 || *p == 0x7f)
			o += (size_t)snprintf(out + o, sizeof(out) - o,
			    "\\x%02x", *p);
		else
			out[o++] = (char)*p;
	}
	out[o] = '\0';
	snprintf(s, size, "%s", out);
}

/* Put e (owned from now on) on side s of c, polled by the loop. */
static void
side_init(struct side *s, struct conn *c)
{
	loop_io_init(&s->rio, s->end.rfd, conn_io, c);
	loop_io_init(&s->wio, s->end.rfd == s->end.wfd ? -1 : s->end.wfd,
	    conn_io, c);
}

/* Stop polling side s, then close it, or abort it (see end.h). */
static void
side_close(struct loop *l, struct side *s, int abort)
{
	loop_io_stop(l, &s->rio);
	loop_io_stop(l, &s->wio);
	if (abort)
		end_abort(&s->end);
	else
		end_close(&s->end);
}

/* Shut s for writing: its peer reads EOF. Nothing is written to s again,
 * so a separate write fd is no longer polled (an fd end closes it). */
static void
side_shut(struct loop *l, struct side *s)
{
	if (s->end.wfd != s->end.rfd)
		loop_io_stop(l, &s->wio);
	(void)end_shut_write(&s->end);
}

static const char *
side_name(const struct conn *c, int i)
{
	if (i == SIDE_DOWN)
		return c->peer;
	return c->target >= 0 ? c->env->target[c->target].name : "target";
}

void
conn_env_init(struct conn_env *env)
{
	env->conns = env->dead = NULL;
	env->nconns = 0;
	env->next_id = 0;
	env->failed = 0;
	/* Seeds only the back-off's jitter: no secret, just unequal. */
	env->rng = ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)env ^
	    0x9e3779b97f4a7c15ULL;
}

/*
 * The one teardown path: close c (both sides at once), aborting the sides
 * in abort (ABORT_*), and log why unless it is NULL. Bytes still queued
 * in the relay are dropped and the log line says how many.
 */
static void
conn_finish(struct conn *c, const char *why, unsigned int abort)
{
	struct conn_env *env = c->env;
	uint64_t ms = loop_now(env->loop) - c->t_start;

	if (c->dead)
		return;
	c->dead = 1;
	if (why != NULL) {
		char bytes[96], lost[96] = "";

		if (env->echo)
			snprintf(bytes, sizeof(bytes), "%llu bytes %s",
			    (unsigned long long)c->flow[SIDE_DOWN].bytes,
			    env->discard ? "discarded" : "echoed");
		else
			snprintf(bytes, sizeof(bytes), "%llu bytes up, %llu "
			    "bytes down",
			    (unsigned long long)c->flow[SIDE_DOWN].bytes,
			    (unsigned long long)c->flow[SIDE_UP].bytes);
		if (c->flow[0].state != FLOW_DONE ||
		    c->flow[1].state != FLOW_DONE)
			snprintf(lost, sizeof(lost), "; %s, not delivered: "
			    "%zu bytes up, %zu bytes down", abort == ABORT_BOTH ?
			    "both sides aborted" : abort == ABORT_DOWN ?
			    "client aborted" : abort == ABORT_UP ?
			    "target aborted" : "closed",
			    c->flow[SIDE_DOWN].queued, c->flow[SIDE_UP].queued);
		log_info("conn %llu: closed (%s) after %llu.%03llu s, %s%s",
		    (unsigned long long)c->id, why,
		    (unsigned long long)(ms / 1000),
		    (unsigned long long)(ms % 1000), bytes, lost);
	}
	if (c->pcounted)
		peerlimit_put(env->perpeer, &c->pkey);
	c->pcounted = 0;
	loop_timer_stop(env->loop, &c->timer);
	free(c->ph_buf);
	c->ph_buf = NULL;
	for (int i = 0; i < 2; i++) {
		flow_release(&c->flow[i], env->pool);
		side_close(env->loop, &c->side[i], (abort >> i) & 1);
	}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		env->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->next = env->dead;
	env->dead = c;
	env->nconns--;
	env->st->bytes_up += c->flow[SIDE_DOWN].bytes;
	env->st->bytes_down += c->flow[SIDE_UP].bytes;
	env->hooks->closed(env->owner);
}

/* Close c at once, FIN both ways: nothing was cut off (or nothing ever
 * relayed). */
static void
conn_close(struct conn *c, const char *why)
{
	conn_finish(c, why, 0);
}

void
conn_close_all(struct conn_env *env, const char *why, int abort)
{
	while (env->conns != NULL)
		conn_finish(env->conns, why, abort ? ABORT_BOTH : 0);
}

void
conn_reap(struct loop *l, void *arg)
{
	struct conn_env *env = arg;
	struct conn *c;

	(void)l;
	while ((c = env->dead) != NULL) {
		env->dead = c->next;
		free(c);
	}
}

void
conn_bytes(const struct conn *c, uint64_t *up, uint64_t *down)
{
	*up = c->flow[SIDE_DOWN].bytes;
	*down = c->flow[SIDE_UP].bytes;
}

void
conn_env_bytes(const struct conn_env *env, uint64_t *up, uint64_t *down)
{
	*up = *down = 0;
	for (const struct conn *c = env->conns; c != NULL; c = c->next) {
		*up += c->flow[SIDE_DOWN].bytes;
		*down += c->flow[SIDE_UP].bytes;
	}
}

/* An error on side: log it and cut both sides off. */
static void
conn_fail(struct conn *c, const char *op, int side, int err)
{
	log_warn("conn %llu: %s %s: %s", (unsigned long long)c->id, op,
	    side_name(c, side), strerror(err));
	conn_finish(c, "error", ABORT_BOTH);
}

/* Interest from buffer fill: read while there is room, write while there
 * are bytes for this side. Until the target is reached (connecting, or
 * waiting to try again) the client is not read at all: what it sends
 * waits in the kernel, as it would for a slow server. While waiting for a
 * target, the client is watched (not read) until it sends, so that one
 * that leaves is let go at once, not held until the connect timeout. */
static void
conn_update(struct conn *c)
{
	struct conn_env *env = c->env;
	int dialing = c->connecting || c->side[SIDE_UP].end.ops == NULL;

	for (int i = 0; i < 2; i++) {
		struct side *s = &c->side[i];
		unsigned int rd = 0, wr = 0;
		int rc;

		if (dialing) {
			wr = (i == SIDE_UP && c->connecting) ? LOOP_WRITE : 0;
			/* The PROXY header is read before dialing; a waiting
			 * client is watched until it sends. */
			rd = i == SIDE_DOWN && (c->awaiting_proxy ||
			    (c->waiting && !c->down_sent)) ? LOOP_READ : 0;
		} else {
			rd = flow_wants_read(&c->flow[i], env->pool) ?
			    LOOP_READ : 0;
			wr = flow_wants_write(&c->flow[!i]) ? LOOP_WRITE : 0;
		}
		if (s->end.wfd == s->end.rfd)
			rc = loop_io_set(env->loop, &s->rio, rd | wr);
		else {
			rc = loop_io_set(env->loop, &s->rio, rd);
			if (rc == 0)
				rc = loop_io_set(env->loop, &s->wio, wr);
		}
		if (rc < 0) {
			conn_fail(c, "poll", i, -rc);
			return;
		}
	}
}

/* Run flow i (side i -> side !i) and act on how it ended. Returns -1 if
 * the connection was closed. */
static int
conn_pump(struct conn *c, int i)
{
	struct conn_env *env = c->env;
	struct flow *f = &c->flow[i];
	long n;

	if (f->state == FLOW_DONE)
		return 0;
	n = flow_pump(f, env->pool, &c->side[i].end, &c->side[!i].end);
	if (n < 0) {
		int at = f->err_at == FLOW_AT_SRC ? i : !i;

		env->st->err[n == -ECONNRESET || n == -EPIPE ? STATS_RESET :
		    STATS_IO]++;
		if (n == -ECONNRESET || n == -EPIPE) {
			/* Pass the reset on: the other side must not
			 * take a cut-off stream for a complete one. */
			log_info("conn %llu: %s reset the connection",
			    (unsigned long long)c->id, side_name(c, at));
			conn_finish(c, "reset", ABORT_BOTH);
		} else
			conn_fail(c, f->err_at == FLOW_AT_SRC ? "read" : "write",
			    at, (int)-n);
		return -1;
	}
	if (n > 0)
		c->t_active = loop_now(env->loop);
	if (f->state == FLOW_DRAINED) {
		/* Source ended and all is written: pass the EOF on. */
		side_shut(env->loop, &c->side[!i]);
		f->state = FLOW_DONE;
	}
	if (c->flow[0].state == FLOW_DONE && c->flow[1].state == FLOW_DONE) {
		conn_close(c, "done");
		return -1;
	}
	return 0;
}

/*
 * send-proxy: tell the target who connected, before any relayed byte. The
 * connection has just been made, so its send buffer is empty and the
 * header (at most a few hundred bytes) goes out in one send. Returns 0 or
 * -1 (c closed).
 */
static int
conn_send_proxy(struct conn *c, int version)
{
	struct sockaddr_storage src, dst;
	socklen_t sl = sizeof(src), dl = sizeof(dst);
	unsigned char buf[PROXY_V2_MAX];
	uint32_t cred[3], *credp = NULL;
	int fd = c->side[SIDE_DOWN].end.rfd, n;
	ssize_t sent;
	pid_t pid;
	uid_t uid;
	gid_t gid;

	if (c->have_proxy) {
		/* Pass on what our own client's header said. Its credentials
		 * TLV is only a claim: passed on only when the listener's
		 * allow list says who may send headers, never when anyone
		 * could have forged it (a uid 0 the target would take for
		 * one we read with SO_PEERCRED). */
		src = c->proxy.src;
		dst = c->proxy.dst;
		sl = c->proxy.srclen;
		dl = c->proxy.dstlen;
		if (c->proxy.has_cred && c->ls != NULL && c->ls->acl.on) {
			cred[0] = c->proxy.pid;
			cred[1] = c->proxy.uid;
			cred[2] = c->proxy.gid;
			credp = cred;
		}
	} else if (c->ls == NULL || getpeername(fd, (struct sockaddr *)&src,
	    &sl) == -1 || getsockname(fd, (struct sockaddr *)&dst, &dl) == -1)
		sl = dl = 0;
	if (!c->have_proxy && sl > 0 && src.ss_family == AF_UNIX &&
	    sys_peercred(fd, &pid, &uid, &gid) == 0) {
		cred[0] = (uint32_t)pid;
		cred[1] = (uint32_t)uid;
		cred[2] = (uint32_t)gid;
		credp = cred;
	}
	n = proxy_build(version, sl ? (struct sockaddr *)&src : NULL, sl,
	    dl ? (struct sockaddr *)&dst : NULL, dl, version == 2 ? credp : NULL,
	    buf, sizeof(buf));
	if (n < 0) {
		conn_fail(c, "send PROXY header to", SIDE_UP, EINVAL);
		return -1;
	}
	sent = send(c->side[SIDE_UP].end.wfd, buf, (size_t)n, MSG_NOSIGNAL);
	if (sent != n) {
		/* A short send set no errno: the buffer had no room. */
		conn_fail(c, "send PROXY header to", SIDE_UP, sent == -1 ?
		    errno : EAGAIN);
		return -1;
	}
	return 0;
}

/* c reached its target (or needs none). Returns 0, or -1 if c closed. */
static int
conn_connected(struct conn *c)
{
	struct conn_env *env = c->env;

	c->connecting = 0;
	c->t_active = loop_now(env->loop);
	loop_timer_stop(env->loop, &c->timer);
	if (c->target >= 0) {
		const struct dial_target *t = &env->target[c->target];

		upstream_done(env->up, c->target, 1, c->t_active);
		log_info("conn %llu: connected to %s", (unsigned long long)c->id,
		    t->name);
		if (t->addr.opt.send_proxy &&
		    conn_send_proxy(c, t->addr.opt.send_proxy) == -1)
			return -1;
	}
	if (env->idle_timeout_ms > 0)
		loop_timer_set(env->loop, &c->timer,
		    (uint64_t)env->idle_timeout_ms);
	return 0;
}

/*
 * How many more header bytes to read without taking any of the data
 * behind the header: 6 tell the versions apart; v1 ends at CRLF, so it is
 * read a byte at a time (once per connection, at most 107 bytes); v2 says
 * its length in bytes 15 and 16.
 */
static size_t
proxy_want(const unsigned char *b, size_t n)
{
	if (n < 6)
		return 6 - n;
	if (b[0] == 'P')
		return 1;
	if (n < 16)
		return 16 - n;
	return 16 + ((size_t)b[14] << 8 | b[15]) - n;
}

/* accept-proxy: read the header, then dial. */
static void
conn_read_proxy(struct conn *c)
{
	struct conn_env *env = c->env;
	char err[128], src[160];
	ssize_t n;
	int rc;

	for (;;) {
		size_t want = proxy_want(c->ph_buf, c->ph_len);

		if (want == 0 || c->ph_len + want > PROXY_V2_MAX)
			want = 1;	/* let the parser say what is wrong */
		n = recv(c->side[SIDE_DOWN].end.rfd, c->ph_buf + c->ph_len,
		    want, 0);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			env->st->err[STATS_PROXY]++;
			log_warn("conn %llu: %s before its PROXY header",
			    (unsigned long long)c->id, n == 0 ? "closed" :
			    strerror(errno));
			conn_close(c, "no PROXY header");
			return;
		}
		c->ph_len += (size_t)n;
		rc = proxy_parse(c->ph_buf, c->ph_len, &c->proxy, err,
		    sizeof(err));
		if (rc < 0 || (rc == 0 && c->ph_len == PROXY_V2_MAX)) {
			env->st->err[STATS_PROXY]++;
			log_warn("conn %llu: bad PROXY header from %s: %s",
			    (unsigned long long)c->id, c->peer, rc < 0 ? err :
			    "too long");
			conn_close(c, "bad PROXY header");
			return;
		}
		if (rc > 0)
			break;
	}
	free(c->ph_buf);
	c->ph_buf = NULL;
	c->awaiting_proxy = 0;
	c->have_proxy = !c->proxy.local;
	loop_timer_stop(env->loop, &c->timer);
	if (c->have_proxy) {
		net_sa_str((struct sockaddr *)&c->proxy.src, c->proxy.srclen,
		    src, sizeof(src));
		log_safe(src, sizeof(src));
		log_info("conn %llu: PROXY v%d: client %s", (unsigned long long)
		    c->id, c->proxy.version, src);
	}
	conn_dial(c);
}

/*
 * The client became readable while c waits for a target. Peek: bytes wait
 * in the kernel for the target (stop watching); a reset, or a unix peer
 * that closed both ways, means the client left: close c. An EOF that may
 * be a half-close (tcp cannot tell a close from shutdown(SHUT_WR)) keeps
 * the client waiting: its request may be complete.
 */
static void
conn_watch_down(struct conn *c)
{
	struct pollfd pfd = { c->side[SIDE_DOWN].end.rfd, POLLIN, 0 };
	char b;
	ssize_t n;

	n = recv(pfd.fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 || (n == -1 && errno == ENOTSOCK) || (n == 0 &&
	    (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLHUP)))) {
		c->down_sent = 1;
		conn_update(c);
		return;
	}
	log_info("conn %llu: %s left while waiting for a target (%s)",
	    (unsigned long long)c->id, c->peer, n == 0 ? "closed" :
	    strerror(errno));
	conn_close(c, "client left");
}

static void
conn_io(struct loop *l, struct loop_io *io, unsigned int ev)
{
	struct conn *c = io->arg;

	if (c->awaiting_proxy) {
		conn_read_proxy(c);
		return;
	}
	int i = (io == &c->side[SIDE_UP].rio || io == &c->side[SIDE_UP].wio);
	int rc;

	(void)l;
	if (i == SIDE_DOWN && (c->connecting ||
	    c->side[SIDE_UP].end.ops == NULL)) {
		conn_watch_down(c);
		return;
	}
	if (c->connecting) {
		if ((rc = dial_finish(c->side[SIDE_UP].end.rfd)) != 0) {
			conn_dial_failed(c, -rc);
			return;
		}
		if (conn_connected(c) == -1)
			return;
		ev = LOOP_READ | LOOP_WRITE;	/* try both flows once */
		i = SIDE_DOWN;
		if (conn_pump(c, SIDE_UP) == -1)
			return;
	}
	/* Readable side i feeds flow i; writable side i drains flow !i. */
	if ((ev & LOOP_READ) && conn_pump(c, i) == -1)
		return;
	if ((ev & LOOP_WRITE) && conn_pump(c, !i) == -1)
		return;
	conn_update(c);
}

static void
conn_timer(struct loop *l, struct loop_timer *t)
{
	struct conn *c = t->arg;
	struct conn_env *env = c->env;
	uint64_t now = loop_now(l), idle = (uint64_t)env->idle_timeout_ms;

	if (c->awaiting_proxy) {
		env->st->err[STATS_PROXY]++;
		log_warn("conn %llu: no PROXY header from %s within %d ms",
		    (unsigned long long)c->id, c->peer, PROXY_WAIT_MS);
		conn_close(c, "no PROXY header");
		return;
	}
	if (c->side[SIDE_UP].end.ops == NULL) {
		/* Connect again: the same target after a full backlog, or
		 * a new round over the targets while waiting for one. */
		if (c->retry == RETRY_ROUND) {
			c->tried = 0;
			conn_dial(c);
		} else
			conn_attempt(c);
		return;
	}
	if (c->connecting) {
		conn_dial_failed(c, ETIMEDOUT);
		return;
	}
	/* Idle: the timer is re-armed lazily from the last activity. With
	 * nothing held, no byte is lost: a quiet close, as nginx and HAProxy
	 * do. Bytes held for a sink that stopped reading are lost: abort. */
	if (now - c->t_active >= idle) {
		log_info("conn %llu: idle for %llu ms", (unsigned long long)c->id,
		    (unsigned long long)idle);
		env->st->err[STATS_IDLE_TIMEOUT]++;
		conn_finish(c, "idle timeout", c->flow[0].queued > 0 ||
		    c->flow[1].queued > 0 ? ABORT_BOTH : 0);
	} else
		loop_timer_set(l, t, idle - (now - c->t_active));
}

/*
 * The next back-off delay for c in ms: doubling from RETRY_MIN_MS up to
 * RETRY_MAX_MS, less a random share of up to half, so that clients that
 * began waiting together do not all try again together.
 */
static uint64_t
conn_backoff(struct conn *c)
{
	uint64_t *x = &c->env->rng;

	c->retry_ms = c->retry_ms == 0 ? RETRY_MIN_MS :
	    c->retry_ms >= RETRY_MAX_MS / 2 ? RETRY_MAX_MS : c->retry_ms * 2;
	/* xorshift64: a cheap, uneven enough sequence. */
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return c->retry_ms - *x % (c->retry_ms / 2 + 1);
}

/*
 * Arm c's timer to connect again (what: RETRY_*) after the next back-off
 * delay, cut short so that the last try falls at deadline (loop ms).
 * Returns 1 if armed, 0 if deadline has passed (give up). The client is
 * not read meanwhile, and no fd is held for the target.
 */
static int
conn_retry(struct conn *c, uint64_t deadline, int what)
{
	struct conn_env *env = c->env;
	uint64_t now = loop_now(env->loop), ms;

	if (now >= deadline)
		return 0;
	ms = conn_backoff(c);
	if (ms >= 2 * RETRY_GRID_MS)
		ms += RETRY_GRID_MS - (now + ms) % RETRY_GRID_MS;
	if (ms > deadline - now)
		ms = deadline - now;
	c->retry = what;
	loop_timer_set(env->loop, &c->timer, ms);
	conn_update(c);
	return 1;
}

/* When c stops trying to connect: the connect timeout after the first
 * pick while waiting for a target, else after this target's attempt. */
static uint64_t
conn_deadline(const struct conn *c)
{
	return (c->waiting ? c->t_dial : c->t_attempt) +
	    (uint64_t)c->env->connect_timeout_ms;
}

/* Does err say the target is not there yet (the socket file is missing,
 * or nothing listens on it), rather than broken? */
static int
conn_absent(const struct conn *c, int err)
{
	return (err == ENOENT || err == ECONNREFUSED) &&
	    c->env->target[c->target].addr.kind != ADDR_EXEC;
}

/* Why err means "not there yet", for the log. */
static const char *
absent_hint(int err)
{
	return err == ENOENT ? "no socket file yet" : "nothing listens yet";
}

/*
 * A connect while waiting for a target failed with errno err: try the
 * next target of the round, or wait for the next round, or give up at the
 * deadline. The wait logged itself once; these failures are the same
 * story again, so they go to the debug log and are not counted against
 * the targets (a success is).
 */
static void
conn_wait_failed(struct conn *c, int err)
{
	struct conn_env *env = c->env;
	const char *name = env->target[c->target].name;
	uint64_t waited = loop_now(env->loop) - c->t_dial;
	char why[160];

	log_debug("conn %llu: connect %s: %s, still waiting",
	    (unsigned long long)c->id, name, strerror(err));
	if (upstream_left(env->up, c->tried) > 0) {
		conn_dial(c);
		return;
	}
	if (conn_retry(c, conn_deadline(c), RETRY_ROUND))
		return;
	env->st->err[STATS_CONNECT_TIMEOUT]++;
	snprintf(why, sizeof(why), "%s%s%s", strerror(err),
	    conn_absent(c, err) ? ", " : "", conn_absent(c, err) ?
	    absent_hint(err) : "");
	log_err("connect %s%s: %s; waited %llu ms, the connect timeout "
	    "(closing conn %llu from %s)", env->up->n > 1 ? "to every target "
	    "failed, the last " : "", name, why, (unsigned long long)waited,
	    (unsigned long long)c->id, c->peer);
	if (env->single)
		env->failed = 1;
	conn_finish(c, "connect failed", ABORT_DOWN);
}

/*
 * The attempt on c's target failed with errno err: log it, count it
 * against the target, and try the next one, or wait for one to appear
 * (none answered, one is not there yet; unless --no-wait-target), or
 * give up on c. A client given up on is aborted: it was accepted, so a
 * clean EOF would read as "the server had nothing to say".
 */
static void
conn_dial_failed(struct conn *c, int err)
{
	struct conn_env *env = c->env;
	const char *name = env->target[c->target].name;
	uint64_t now = loop_now(env->loop);
	char why[128];
	int more, wait;

	loop_timer_stop(env->loop, &c->timer);
	side_close(env->loop, &c->side[SIDE_UP], 0);
	c->connecting = 0;
	if (err == EMFILE || err == ENFILE) {
		/* Out of fds: the target is not at fault, and accepting
		 * more clients would only drop them too. */
		env->st->err[STATS_CONNECT_OTHER]++;
		env->hooks->pause(env->owner, err, "connect");
		conn_finish(c, "out of fds", ABORT_DOWN);
		return;
	}
	if (c->waiting) {
		conn_wait_failed(c, err);
		return;
	}
	if (err == ETIMEDOUT)
		snprintf(why, sizeof(why), "timed out after %d ms",
		    env->connect_timeout_ms);
	else
		snprintf(why, sizeof(why), "%s", strerror(err));
	env->st->err[err == ECONNREFUSED ? STATS_CONNECT_REFUSED :
	    err == ETIMEDOUT ? STATS_CONNECT_TIMEOUT : STATS_CONNECT_OTHER]++;
	if (conn_absent(c, err))
		c->absent = 1;
	more = upstream_left(env->up, c->tried) > 0;
	/* None answered and one is not there yet: wait for it, unless the
	 * first round took the whole connect timeout already. */
	wait = !more && env->wait_target && c->absent &&
	    now < c->t_dial + (uint64_t)env->connect_timeout_ms;
	if (!wait)
		log_err("connect %s: %s (%s conn %llu from %s)", name, why,
		    more ? "trying the next target for" : "closing",
		    (unsigned long long)c->id, c->peer);
	if (upstream_done(env->up, c->target, 0, now))
		log_warn("%s: marked down for %llu ms after %d failed "
		    "connect%s", name,
		    (unsigned long long)env->up->p[c->target].fail_timeout,
		    env->up->p[c->target].max_fails,
		    env->up->p[c->target].max_fails == 1 ? "" : "s");
	if (more) {
		conn_dial(c);
		return;
	}
	if (wait) {
		uint64_t left = c->t_dial + (uint64_t)env->connect_timeout_ms -
		    now;

		c->waiting = 1;
		c->retry_ms = 0;
		if (env->up->n > 1)
			log_warn("conn %llu: waiting up to %llu ms for a target: "
			    "none of %d answers (the last, %s: %s)",
			    (unsigned long long)c->id, (unsigned long long)left,
			    env->up->n, name, why);
		else
			log_warn("conn %llu: waiting up to %llu ms for %s: %s "
			    "(%s)", (unsigned long long)c->id,
			    (unsigned long long)left, name, why,
			    absent_hint(err));
		if (conn_retry(c, conn_deadline(c), RETRY_ROUND))
			return;
	}
	if (env->single)
		env->failed = 1;
	conn_finish(c, "connect failed", ABORT_DOWN);
}

/* Connect c to its chosen target (again, after a full backlog). */
static void
conn_attempt(struct conn *c)
{
	struct conn_env *env = c->env;
	const struct dial_target *t = &env->target[c->target];
	uint64_t now = loop_now(env->loop), deadline = conn_deadline(c);
	int pending, fd;

	fd = dial_start(t, &pending, &c->child);
	if ((fd == -EMFILE || fd == -ENFILE) &&
	    env->hooks->spend_reserve(env->owner, -fd, "connect")) {
		/* The spare fd kept for this moment: this client, accepted
		 * already, is served, and accepting pauses until fds free. */
		fd = dial_start(t, &pending, &c->child);
	}
	/* A unix listener's backlog is full: it is alive, so try it again,
	 * backing off, until the connect timeout. */
	if (fd == -EAGAIN && t->sa.ss.ss_family == AF_UNIX &&
	    conn_retry(c, deadline, RETRY_TARGET))
		return;
	if (fd < 0) {
		conn_dial_failed(c, -fd);
		return;
	}
	if (c->child > 0)
		log_info("conn %llu: started pid %d for %s",
		    (unsigned long long)c->id, (int)c->child, t->name);
	if (t->addr.kind == ADDR_TCP)
		(void)keepalive_apply(fd, &env->keepalive);
	end_socket(&c->side[SIDE_UP].end, fd);
	side_init(&c->side[SIDE_UP], c);
	if (pending) {
		c->connecting = 1;
		loop_timer_set(env->loop, &c->timer, deadline > now ?
		    deadline - now : 0);
		conn_update(c);
		return;
	}
	if (conn_connected(c) == 0)
		conn_update(c);
}

/* Choose a target for c (or echo) and start reaching it. */
static void
conn_dial(struct conn *c)
{
	struct conn_env *env = c->env;

	if (env->echo) {
		/* Echo: the up side is the down end again, read never.
		 * Discard: the up side is /dev/null. */
		struct side *down = &c->side[SIDE_DOWN];
		int fd;

		if (env->discard) {
			if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1) {
				conn_fail(c, "open /dev/null for", SIDE_DOWN,
				    errno);
				return;
			}
			end_fd(&c->side[SIDE_UP].end, fd, fd);
		} else {
			if ((fd = dup(down->end.wfd)) == -1) {
				conn_fail(c, "dup", SIDE_DOWN, errno);
				return;
			}
			if (down->end.ops == &end_socket_ops)
				end_socket(&c->side[SIDE_UP].end, fd);
			else
				end_fd(&c->side[SIDE_UP].end, fd, fd);
		}
		side_init(&c->side[SIDE_UP], c);
		c->flow[SIDE_UP].state = FLOW_DONE;
		if (conn_connected(c) == 0)
			conn_update(c);
		return;
	}
	if (env->stdio_target) {
		end_fd(&c->side[SIDE_UP].end, STDIN_FILENO, STDOUT_FILENO);
		side_init(&c->side[SIDE_UP], c);
		if (conn_connected(c) == 0)
			conn_update(c);
		return;
	}
	c->target = upstream_pick(env->up, loop_now(env->loop), c->tried);
	c->tried |= 1u << c->target;
	c->t_attempt = loop_now(env->loop);
	if (c->t_dial == 0)
		c->t_dial = c->t_attempt;
	if (!c->waiting)
		c->retry_ms = 0;	/* a fresh target: a fresh back-off */
	conn_attempt(c);
}

/*
 * Count c against its peer's share (--max-conns-per-peer). Returns 0, or
 * -1 when the peer has its share open already (or memory ran out): then
 * c is closed, before the target is dialed or a byte is read, and the
 * log says why.
 */
static int
conn_per_peer(struct conn *c, int fd, const char *via)
{
	struct conn_env *env = c->env;
	int open = 0, rc;

	if (peerlimit_key(fd, &c->pkey) == -1)
		return 0;	/* nothing to count it by */
	if ((rc = peerlimit_take(env->perpeer, &c->pkey, &open)) == 1) {
		c->pcounted = 1;
		return 0;
	}
	env->st->err[STATS_PEER_LIMIT]++;
	if (rc < 0)
		log_warn("conn %llu: refused %s on %s: out of memory counting "
		    "its connections", (unsigned long long)c->id, c->peer, via);
	else
		log_warn("conn %llu: refused %s on %s: this %s has %d open "
		    "already, the most allowed (--max-conns-per-peer)",
		    (unsigned long long)c->id, c->peer, via,
		    c->pkey.family == AF_UNIX ? "user" : "address", open);
	conn_close(c, "per-peer limit");
	return -1;
}

struct conn *
conn_new(struct conn_env *env, int rfd, int wfd, const struct listener *ls)
{
	const char *via = ls != NULL ? ls->name : "stdio";
	struct conn *c;
	int one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_err("accept: out of memory, dropping a connection");
		close(rfd);
		if (wfd != rfd)
			close(wfd);
		return NULL;
	}
	c->env = env;
	c->id = ++env->next_id;
	c->child = -1;
	c->target = -1;
	c->t_start = c->t_active = loop_now(env->loop);
	flow_init(&c->flow[0]);
	flow_init(&c->flow[1]);
	if (ls != NULL)
		end_socket(&c->side[SIDE_DOWN].end, rfd);
	else
		end_fd(&c->side[SIDE_DOWN].end, rfd, wfd);
	side_init(&c->side[SIDE_DOWN], c);
	end_none(&c->side[SIDE_UP].end);
	side_init(&c->side[SIDE_UP], c);
	loop_timer_init(&c->timer, conn_timer, c);
	c->next = env->conns;
	if (env->conns != NULL)
		env->conns->prev = c;
	env->conns = c;
	env->nconns++;
	env->st->conns_total++;

	c->ls = ls;
	if (ls != NULL) {
		(void)setsockopt(rfd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		(void)keepalive_apply(rfd, &env->keepalive);
		/* The rules first: a denied peer never reaches the target. */
		int allowed = listener_allows(ls, rfd, c->peer, sizeof(c->peer));

		log_safe(c->peer, sizeof(c->peer));
		if (!allowed) {
			env->st->err[STATS_DENIED]++;
			log_warn("conn %llu: denied %s on %s (not in its allow "
			    "list)", (unsigned long long)c->id, c->peer, via);
			conn_close(c, "denied");
			return NULL;
		}
		if (env->perpeer != NULL && conn_per_peer(c, rfd, via) == -1)
			return NULL;
	} else
		snprintf(c->peer, sizeof(c->peer), "stdio");
	log_info("conn %llu: accepted %s on %s", (unsigned long long)c->id,
	    c->peer, via);
	if (ls != NULL && ls->accept_proxy) {
		/* Wait for the PROXY header before anything else. */
		c->awaiting_proxy = 1;
		if ((c->ph_buf = malloc(PROXY_V2_MAX)) == NULL) {
			conn_fail(c, "accept", SIDE_DOWN, ENOMEM);
			return NULL;
		}
		loop_timer_set(env->loop, &c->timer, PROXY_WAIT_MS);
		conn_update(c);
		return c;
	}

	conn_dial(c);
	return c->dead ? NULL : c;
}
