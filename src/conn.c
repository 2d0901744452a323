/*
 * conn: see conn.h. A connection's life: flows, teardown, PROXY headers.
 * Reaching the target is conn_dial.c's; the two share conn_int.h.
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

#include "conn_int.h"
#include "keepalive.h"
#include "log.h"
#include "net.h"
#include "peerlimit.h"
#include "sys.h"

static void	conn_io(struct loop *, struct loop_io *, unsigned int);

/* Put e (owned from now on) on side s of c, polled by the loop. */
void
side_init(struct side *s, struct conn *c)
{
	loop_io_init(&s->rio, s->end.rfd, conn_io, c);
	loop_io_init(&s->wio, s->end.rfd == s->end.wfd ? -1 : s->end.wfd,
	    conn_io, c);
}

/* Stop polling side s, then close it, or abort it (see end.h). */
void
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

const char *
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
void
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
	free(c->ph);
	c->ph = NULL;
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
void
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
void
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
void
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
 * send-proxy: tell the target who connected, before any relayed byte (see
 * proxyio_send). Returns 0 or -1 (c closed).
 */
static int
conn_send_proxy(struct conn *c, int version)
{
	int rc;

	rc = proxyio_send(c->side[SIDE_UP].end.wfd, c->ls != NULL ?
	    c->side[SIDE_DOWN].end.rfd : -1, version, c->have_proxy ?
	    &c->proxy : NULL, c->ls != NULL && c->ls->acl.on);
	if (rc < 0) {
		conn_fail(c, "send PROXY header to", SIDE_UP, -rc);
		return -1;
	}
	return 0;
}

/* c reached its target (or needs none). Returns 0, or -1 if c closed. */
int
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
	if (env->oneway != CONN_ONEWAY_NONE) {
		/* One direction only: the other flow is done from the
		 * start. Its source is never read, and its sink is shut for
		 * writing at once, so that side reads EOF instead of
		 * waiting for bytes that will never come. */
		int off = env->oneway == CONN_ONEWAY_DOWN_UP ? SIDE_UP :
		    SIDE_DOWN;

		c->flow[off].state = FLOW_DONE;
		side_shut(env->loop, &c->side[!off]);
	}
	if (env->idle_timeout_ms > 0)
		loop_timer_set(env->loop, &c->timer,
		    (uint64_t)env->idle_timeout_ms);
	return 0;
}

/* accept-proxy: read the header, then dial. */
static void
conn_read_proxy(struct conn *c)
{
	struct conn_env *env = c->env;
	char err[128], src[160];
	int rc, bad;

	rc = proxyio_read(c->side[SIDE_DOWN].end.rfd, c->ph, &c->proxy, &bad,
	    err, sizeof(err));
	if (rc == 0)
		return;
	if (rc < 0) {
		env->st->err[STATS_PROXY]++;
		if (bad)
			log_warn("conn %llu: bad PROXY header from %s: %s",
			    (unsigned long long)c->id, c->peer, err);
		else
			log_warn("conn %llu: %s", (unsigned long long)c->id,
			    err);
		conn_close(c, bad ? "bad PROXY header" : "no PROXY header");
		return;
	}
	free(c->ph);
	c->ph = NULL;
	c->awaiting_proxy = 0;
	c->have_proxy = !c->proxy.local;
	loop_timer_stop(env->loop, &c->timer);
	if (c->have_proxy) {
		net_sa_str((struct sockaddr *)&c->proxy.src, c->proxy.srclen,
		    src, sizeof(src));
		log_escape(src, sizeof(src));
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
		if (ls->family != AF_UNIX) {
			(void)setsockopt(rfd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
			(void)keepalive_apply(rfd, &env->keepalive);
		}
		/* The rules first: a denied peer never reaches the target. */
		int allowed = listener_allows(ls, rfd, c->peer, sizeof(c->peer));

		log_escape(c->peer, sizeof(c->peer));
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
		if ((c->ph = calloc(1, sizeof(*c->ph))) == NULL) {
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
