/*
 * relay: the server. See relay.h.
 *
 * Life of a connection: accept -> dial the target (connect in progress,
 * with a deadline) -> relay both flows -> each flow, at its source's EOF,
 * drains and shuts its sink for writing -> both done: close. Errors close
 * both sides at once. One teardown path, conn_close(), copes with a
 * connection in any state; memory is freed after the loop pass so events
 * still queued for it are harmless.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dial.h"
#include "listener.h"
#include "log.h"
#include "loop.h"
#include "net.h"
#include "pump.h"
#include "relay.h"
#include "sys.h"
#include "upstream.h"

#define SIDE_DOWN	0	/* the accepted connection */
#define SIDE_UP		1	/* the target */

#define ACCEPT_BATCH	64
#define BACKOFF_MIN_MS	50
#define BACKOFF_MAX_MS	1000
#define RETRY_MS	20	/* unix target's backlog full: try again */

struct side {
	int		 rfd;
	int		 wfd;		/* == rfd for sockets */
	struct loop_io	 rio;
	struct loop_io	 wio;		/* used only when wfd != rfd */
};

struct conn {
	struct relay	*r;
	uint64_t	 id;
	struct side	 side[2];
	struct flow	 flow[2];	/* flow[i]: from side[i] to side[!i] */
	int		 connecting;
	int		 dead;
	int		 target;	/* index into r->target, -1: none yet */
	uint32_t	 tried;		/* targets tried, a bit each */
	pid_t		 child;
	uint64_t	 t_start;
	uint64_t	 t_attempt;	/* this connect attempt began */
	uint64_t	 t_active;
	struct loop_timer timer;	/* connect deadline, retry, idle */
	struct conn	*prev, *next;
	char		 peer[160];
};

struct relay {
	const struct relay_cfg *cfg;
	struct loop	*loop;
	struct listener	 ls[RELAY_MAX_LISTEN * 2];
	int		 nls;
	struct dial_target target[UPSTREAM_MAX];
	int		 ntargets;
	struct upstream	 up;
	int		 echo;
	struct pump_pool pool;
	struct conn	*conns;
	struct conn	*dead;
	int		 nconns;
	uint64_t	 next_id;
	int		 draining;
	int		 backoff_ms;	/* > 0: accepting paused after EMFILE */
	int		 single;	/* stdio on one side: one connection */
	int		 stdio_target;
	int		 status;
	struct loop_timer backoff;
	struct loop_timer drain;
};

static void	conn_io(struct loop *, struct loop_io *, unsigned int);
static void	conn_dial(struct conn *);
static void	conn_attempt(struct conn *);
static void	conn_dial_failed(struct conn *, int);
static void	conn_update(struct conn *);
static void	relay_update_accept(struct relay *);

void
relay_cfg_init(struct relay_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_conns = 16384;
	cfg->connect_timeout_ms = 10000;
	cfg->idle_timeout_ms = 0;
	cfg->drain_timeout_ms = 10000;
	cfg->pipe_size = 0;
}

/* stdin and stdout flags before we made them nonblocking: the terminal or
 * pipe is shared with other processes, so they are restored on close. */
static int stdio_flags[2] = { -1, -1 };

static void
fd_close(int fd)
{
	if (fd == STDIN_FILENO || fd == STDOUT_FILENO) {
		if (stdio_flags[fd] != -1)
			(void)fcntl(fd, F_SETFL, stdio_flags[fd]);
		stdio_flags[fd] = -1;
	}
	close(fd);
}

static void
side_init(struct side *s, struct conn *c, int rfd, int wfd)
{
	s->rfd = rfd;
	s->wfd = wfd;
	loop_io_init(&s->rio, rfd, conn_io, c);
	loop_io_init(&s->wio, rfd == wfd ? -1 : wfd, conn_io, c);
}

static void
side_close(struct loop *l, struct side *s)
{
	loop_io_stop(l, &s->rio);
	loop_io_stop(l, &s->wio);
	if (s->rfd != -1)
		fd_close(s->rfd);
	if (s->wfd != -1 && s->wfd != s->rfd)
		fd_close(s->wfd);
	s->rfd = s->wfd = -1;
}

/*
 * Shut s for writing: the peer reads EOF. A pipe (stdout, say) cannot be
 * half-closed, so it is closed.
 */
static void
side_shut(struct loop *l, struct side *s)
{
	if (s->wfd == -1)
		return;
	if (shutdown(s->wfd, SHUT_WR) == 0 || errno != ENOTSOCK)
		return;
	if (s->wfd != s->rfd) {
		loop_io_stop(l, &s->wio);
		fd_close(s->wfd);
		s->wfd = -1;
	}
}

static const char *
side_name(const struct conn *c, int i)
{
	if (i == SIDE_DOWN)
		return c->peer;
	return c->target >= 0 ? c->r->target[c->target].name : "target";
}

static void
conn_close(struct conn *c, const char *why)
{
	struct relay *r = c->r;
	uint64_t ms = loop_now(r->loop) - c->t_start;

	if (c->dead)
		return;
	c->dead = 1;
	if (why != NULL)
		log_info("conn %llu: closed (%s) after %llu.%03llu s, "
		    "%llu bytes up, %llu bytes down", (unsigned long long)c->id,
		    why, (unsigned long long)(ms / 1000),
		    (unsigned long long)(ms % 1000),
		    (unsigned long long)c->flow[SIDE_DOWN].bytes,
		    (unsigned long long)c->flow[SIDE_UP].bytes);
	loop_timer_stop(r->loop, &c->timer);
	for (int i = 0; i < 2; i++) {
		flow_release(&c->flow[i], &r->pool);
		side_close(r->loop, &c->side[i]);
	}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		r->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->next = r->dead;
	r->dead = c;
	r->nconns--;
	if (r->single || (r->draining && r->nconns == 0))
		loop_stop(r->loop);
	else
		relay_update_accept(r);
}

/* Free connections closed during the pass. */
static void
relay_reap(struct loop *l, void *arg)
{
	struct relay *r = arg;
	struct conn *c;

	(void)l;
	while ((c = r->dead) != NULL) {
		r->dead = c->next;
		free(c);
	}
}

static void
conn_fail(struct conn *c, const char *op, int side, int err)
{
	log_warn("conn %llu: %s %s: %s", (unsigned long long)c->id, op,
	    side_name(c, side), strerror(err));
	conn_close(c, "error");
}

/* Interest from buffer fill: read while there is room, write while there
 * are bytes for this side. */
static void
conn_update(struct conn *c)
{
	struct relay *r = c->r;

	for (int i = 0; i < 2; i++) {
		struct side *s = &c->side[i];
		unsigned int rd = 0, wr = 0;
		int rc;

		if (c->connecting) {
			wr = (i == SIDE_UP) ? LOOP_WRITE : 0;
		} else {
			rd = flow_wants_read(&c->flow[i], &r->pool) ?
			    LOOP_READ : 0;
			wr = flow_wants_write(&c->flow[!i]) ? LOOP_WRITE : 0;
		}
		if (s->wfd == s->rfd)
			rc = loop_io_set(r->loop, &s->rio, rd | wr);
		else {
			rc = loop_io_set(r->loop, &s->rio, rd);
			if (rc == 0)
				rc = loop_io_set(r->loop, &s->wio, wr);
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
	struct relay *r = c->r;
	struct flow *f = &c->flow[i];
	long n;

	if (f->state == FLOW_DONE)
		return 0;
	n = flow_pump(f, &r->pool, c->side[i].rfd, c->side[!i].wfd);
	if (n < 0) {
		int at = f->err_at == FLOW_AT_SRC ? i : !i;

		if (n == -ECONNRESET || n == -EPIPE) {
			log_info("conn %llu: %s reset the connection",
			    (unsigned long long)c->id, side_name(c, at));
			conn_close(c, "reset");
		} else
			conn_fail(c, f->err_at == FLOW_AT_SRC ? "read" : "write",
			    at, (int)-n);
		return -1;
	}
	if (n > 0)
		c->t_active = loop_now(r->loop);
	if (f->state == FLOW_DRAINED) {
		/* Source ended and all is written: pass the EOF on. */
		side_shut(r->loop, &c->side[!i]);
		f->state = FLOW_DONE;
	}
	if (c->flow[0].state == FLOW_DONE && c->flow[1].state == FLOW_DONE) {
		conn_close(c, "done");
		return -1;
	}
	return 0;
}

static void
conn_connected(struct conn *c)
{
	c->connecting = 0;
	c->t_active = loop_now(c->r->loop);
	if (c->target >= 0) {
		upstream_done(&c->r->up, c->target, 1, c->t_active);
		log_info("conn %llu: connected to %s", (unsigned long long)c->id,
		    c->r->target[c->target].name);
	}
	loop_timer_stop(c->r->loop, &c->timer);
	if (c->r->cfg->idle_timeout_ms > 0)
		loop_timer_set(c->r->loop, &c->timer,
		    (uint64_t)c->r->cfg->idle_timeout_ms);
}

static void
conn_io(struct loop *l, struct loop_io *io, unsigned int ev)
{
	struct conn *c = io->arg;
	int i = (io == &c->side[SIDE_UP].rio || io == &c->side[SIDE_UP].wio);
	int rc;

	(void)l;
	if (c->connecting) {
		if ((rc = dial_finish(c->side[SIDE_UP].rfd)) != 0) {
			conn_dial_failed(c, -rc);
			return;
		}
		conn_connected(c);
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
	struct relay *r = c->r;
	uint64_t now = loop_now(l), idle = (uint64_t)r->cfg->idle_timeout_ms;

	if (c->side[SIDE_UP].rfd == -1) {
		conn_attempt(c);	/* retry after a full backlog */
		return;
	}
	if (c->connecting) {
		conn_dial_failed(c, ETIMEDOUT);
		return;
	}
	/* Idle: the timer is re-armed lazily from the last activity. */
	if (now - c->t_active >= idle) {
		log_info("conn %llu: idle for %llu ms", (unsigned long long)c->id,
		    (unsigned long long)idle);
		conn_close(c, "idle timeout");
	} else
		loop_timer_set(l, t, idle - (now - c->t_active));
}

/*
 * The attempt on c's target failed with errno err: log it, count it
 * against the target, and try the next one or give up on c.
 */
static void
conn_dial_failed(struct conn *c, int err)
{
	struct relay *r = c->r;
	const char *name = r->target[c->target].name;
	uint64_t now = loop_now(r->loop);
	char why[128];
	int more;

	loop_timer_stop(r->loop, &c->timer);
	side_close(r->loop, &c->side[SIDE_UP]);
	c->connecting = 0;
	if (err == ETIMEDOUT)
		snprintf(why, sizeof(why), "timed out after %d ms",
		    r->cfg->connect_timeout_ms);
	else
		snprintf(why, sizeof(why), "%s", strerror(err));
	more = upstream_pick(&r->up, now, c->tried) != -1;
	log_err("connect %s: %s (%s conn %llu from %s)", name, why, more ?
	    "trying the next target for" : "closing", (unsigned long long)c->id,
	    c->peer);
	if (upstream_done(&r->up, c->target, 0, now))
		log_warn("%s: marked down for %llu ms after %d failed "
		    "connect%s", name,
		    (unsigned long long)r->up.p[c->target].fail_timeout,
		    r->up.p[c->target].max_fails,
		    r->up.p[c->target].max_fails == 1 ? "" : "s");
	if (more) {
		conn_dial(c);
		return;
	}
	if (r->single)
		r->status = 1;
	conn_close(c, "connect failed");
}

/* Connect c to its chosen target (again, after a full backlog). */
static void
conn_attempt(struct conn *c)
{
	struct relay *r = c->r;
	const struct dial_target *t = &r->target[c->target];
	uint64_t waited = loop_now(r->loop) - c->t_attempt;
	int pending, fd;

	fd = dial_start(t, &pending, &c->child);
	if (fd == -EAGAIN && t->sa.ss.ss_family == AF_UNIX &&
	    waited + RETRY_MS < (uint64_t)r->cfg->connect_timeout_ms) {
		/* A unix listener's backlog is full: it is alive, so wait. */
		loop_timer_set(r->loop, &c->timer, RETRY_MS);
		return;
	}
	if (fd < 0) {
		conn_dial_failed(c, -fd);
		return;
	}
	if (c->child > 0)
		log_info("conn %llu: started pid %d for %s",
		    (unsigned long long)c->id, (int)c->child, t->name);
	side_init(&c->side[SIDE_UP], c, fd, fd);
	if (pending) {
		c->connecting = 1;
		loop_timer_set(r->loop, &c->timer,
		    (uint64_t)r->cfg->connect_timeout_ms - waited);
		conn_update(c);
		return;
	}
	conn_connected(c);
	conn_update(c);
}

/* Choose a target for c and start reaching it. */
static void
conn_dial(struct conn *c)
{
	struct relay *r = c->r;

	if (r->stdio_target) {
		side_init(&c->side[SIDE_UP], c, STDIN_FILENO, STDOUT_FILENO);
		conn_connected(c);
		conn_update(c);
		return;
	}
	c->target = upstream_pick(&r->up, loop_now(r->loop), c->tried);
	c->tried |= 1u << c->target;
	c->t_attempt = loop_now(r->loop);
	conn_attempt(c);
}

/* Describe the peer of an accepted socket for logs. */
static void
describe_peer(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	pid_t pid;
	uid_t uid;
	gid_t gid;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == -1) {
		snprintf(buf, len, "fd %d", fd);
		return;
	}
	if (ss.ss_family == AF_UNIX && sys_peercred(fd, &pid, &uid, &gid) == 0)
		snprintf(buf, len, "unix peer pid %d uid %u gid %u", (int)pid,
		    (unsigned)uid, (unsigned)gid);
	else
		net_sa_str((struct sockaddr *)&ss, sl, buf, len);
}

/* A new connection on side down (rfd/wfd). Returns the conn or NULL. */
static struct conn *
conn_new(struct relay *r, int rfd, int wfd, const char *via)
{
	struct conn *c;
	int one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_err("accept: out of memory, dropping a connection");
		close(rfd);
		if (wfd != rfd)
			close(wfd);
		return NULL;
	}
	c->r = r;
	c->id = ++r->next_id;
	c->child = -1;
	c->target = -1;
	c->t_start = c->t_active = loop_now(r->loop);
	flow_init(&c->flow[0]);
	flow_init(&c->flow[1]);
	side_init(&c->side[SIDE_DOWN], c, rfd, wfd);
	side_init(&c->side[SIDE_UP], c, -1, -1);
	loop_timer_init(&c->timer, conn_timer, c);
	c->next = r->conns;
	if (r->conns != NULL)
		r->conns->prev = c;
	r->conns = c;
	r->nconns++;

	if (rfd == wfd) {
		(void)setsockopt(rfd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		describe_peer(rfd, c->peer, sizeof(c->peer));
	} else
		snprintf(c->peer, sizeof(c->peer), "stdio");
	log_info("conn %llu: accepted %s on %s", (unsigned long long)c->id,
	    c->peer, via);

	if (r->echo) {
		/* Echo: the up side is the down socket again, read never.
		 * Discard: the up side is /dev/null. */
		int fd = r->cfg->discard ? open("/dev/null", O_WRONLY |
		    O_CLOEXEC) : dup(rfd);

		if (fd == -1) {
			conn_fail(c, "dup", SIDE_DOWN, errno);
			return NULL;
		}
		side_init(&c->side[SIDE_UP], c, fd, fd);
		c->flow[SIDE_UP].state = FLOW_DONE;
		conn_connected(c);
		conn_update(c);
		return c;
	}
	conn_dial(c);
	return c;
}

/* Enable accepting unless draining, backing off, or at the limit. */
static void
relay_update_accept(struct relay *r)
{
	int on = !r->draining && r->backoff_ms == 0 &&
	    r->nconns < r->cfg->max_conns && !(r->single && r->next_id > 0);

	for (int i = 0; i < r->nls; i++)
		if (r->ls[i].fd != -1)
			(void)loop_io_set(r->loop, &r->ls[i].io,
			    on ? LOOP_READ : 0);
}

static void
backoff_done(struct loop *l, struct loop_timer *t)
{
	struct relay *r = t->arg;

	(void)l;
	r->backoff_ms = 0;
	relay_update_accept(r);
}

static void
on_accept(struct loop *l, struct loop_io *io, unsigned int ev)
{
	struct listener *ls = io->arg;
	struct relay *r = ls->owner;
	static int backoff_next = BACKOFF_MIN_MS;

	(void)ev;
	for (int n = 0; n < ACCEPT_BATCH && r->nconns < r->cfg->max_conns &&
	    !r->draining && io->mask != 0; n++) {
		int fd = sys_accept(ls->fd);

		if (fd >= 0) {
			backoff_next = BACKOFF_MIN_MS;
			conn_new(r, fd, fd, ls->name);
			continue;
		}
		if (fd == -EAGAIN || fd == -EINTR)
			break;
		if (fd == -EMFILE || fd == -ENFILE || fd == -ENOBUFS ||
		    fd == -ENOMEM) {
			/* Out of fds: pause instead of spinning on a
			 * listener that stays readable. */
			r->backoff_ms = backoff_next;
			log_warn("accept %s: %s; pausing accepts for %d ms "
			    "(%d connections open)", ls->name, strerror(-fd),
			    r->backoff_ms, r->nconns);
			loop_timer_set(l, &r->backoff, (uint64_t)r->backoff_ms);
			if (backoff_next < BACKOFF_MAX_MS)
				backoff_next *= 2;
			break;
		}
		/* ECONNABORTED and the like concern one peer only. */
		log_info("accept %s: %s", ls->name, strerror(-fd));
	}
	relay_update_accept(r);
}

static void
drain_done(struct loop *l, struct loop_timer *t)
{
	struct relay *r = t->arg;

	log_warn("drain timeout: closing %d connections", r->nconns);
	while (r->conns != NULL)
		conn_close(r->conns, "drain timeout");
	loop_stop(l);
}

static void
on_signal(struct loop *l, int signo, void *arg)
{
	struct relay *r = arg;

	if (signo == SIGCHLD) {
		int st;
		pid_t pid;

		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			log_debug("pid %d exited with status %d", (int)pid,
			    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		return;
	}
	if (r->draining || r->nconns == 0) {
		loop_stop(l);
		return;
	}
	/* Stop accepting and remove socket files now; let open
	 * connections finish, up to the drain timeout. */
	r->draining = 1;
	for (int i = 0; i < r->nls; i++) {
		loop_io_stop(l, &r->ls[i].io);
		listener_close(&r->ls[i]);
	}
	log_notice("%s: draining %d connections (up to %d ms)",
	    strsignal(signo), r->nconns, r->cfg->drain_timeout_ms);
	loop_timer_set(l, &r->drain, (uint64_t)r->cfg->drain_timeout_ms);
}

/* Open every listen address. Returns 0 or -1 (logged). */
static int
relay_listen(struct relay *r)
{
	const struct relay_cfg *cfg = r->cfg;
	char err[ADDR_PATH_MAX + 256];

	for (int i = 0; i < cfg->nlisten; i++) {
		int n;

		if (cfg->listen[i].kind == ADDR_STDIO)
			continue;
		n = listener_open(&cfg->listen[i], &r->ls[r->nls],
		    sizeof(r->ls) / sizeof(r->ls[0]) - (size_t)r->nls,
		    err, sizeof(err));
		if (n < 0) {
			log_err("%s", err);
			return -1;
		}
		for (int k = r->nls; k < r->nls + n; k++) {
			struct listener *ls = &r->ls[k];

			if (ls->note[0] != '\0')
				log_warn("%s", ls->note);
			ls->owner = r;
			loop_io_init(&ls->io, ls->fd, on_accept, ls);
			log_notice("listening on %s", ls->name);
		}
		r->nls += n;
	}
	return 0;
}

/* stdio as one side: stdin and stdout nonblocking for the loop. */
static void
stdio_prepare(void)
{
	for (int fd = 0; fd < 2; fd++) {
		stdio_flags[fd] = fcntl(fd, F_GETFL);
		if (stdio_flags[fd] != -1)
			(void)fcntl(fd, F_SETFL, stdio_flags[fd] | O_NONBLOCK);
	}
}

int
relay_run(const struct relay_cfg *cfg)
{
	struct relay *r;
	char err[ADDR_CMD_MAX + 256];
	long nofile;
	int stdio_listen = 0, status;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_err("out of memory");
		return 1;
	}
	r->cfg = cfg;
	r->echo = cfg->ntargets == 0;
	pump_pool_init(&r->pool, cfg->pipe_size, cfg->no_splice);
	signal(SIGPIPE, SIG_IGN);
	nofile = sys_raise_nofile();
	if (nofile < 2L * cfg->max_conns + 64)
		log_info("fd limit %ld allows about %ld connections", nofile,
		    (nofile - 64) / 2);

	for (int i = 0; i < cfg->nlisten; i++)
		if (cfg->listen[i].kind == ADDR_STDIO)
			stdio_listen = 1;
	r->stdio_target = cfg->ntargets == 1 &&
	    cfg->targets[0].kind == ADDR_STDIO;
	r->single = stdio_listen || r->stdio_target;

	r->ntargets = r->up.n = cfg->ntargets;
	r->up.mode = cfg->balance;
	for (int i = 0; i < cfg->ntargets && !r->stdio_target; i++) {
		const struct addr *a = &cfg->targets[i];

		if (dial_prepare(&r->target[i], a, err, sizeof(err)) == -1) {
			char name[256];

			log_err("%s: %s", addr_str(a, name, sizeof(name)), err);
			free(r);
			return 1;
		}
		/* nginx's defaults: one failure marks a target down for
		 * 10 s; alone, a target is never marked down. */
		r->up.p[i].backup = a->opt.backup;
		r->up.p[i].max_fails = a->opt.max_fails >= 0 ?
		    a->opt.max_fails : cfg->ntargets > 1 ? 1 : 0;
		r->up.p[i].fail_timeout = (uint64_t)(a->opt.fail_timeout_ms >= 0 ?
		    a->opt.fail_timeout_ms : 10000);
	}
	if ((r->loop = loop_new()) == NULL) {
		log_err("event loop: %s", strerror(errno));
		free(r);
		return 1;
	}
	loop_after(r->loop, relay_reap, r);
	loop_timer_init(&r->backoff, backoff_done, r);
	loop_timer_init(&r->drain, drain_done, r);
	loop_signal(r->loop, SIGINT, on_signal, r);
	loop_signal(r->loop, SIGTERM, on_signal, r);
	loop_signal(r->loop, SIGCHLD, on_signal, r);

	if (relay_listen(r) == -1) {
		r->status = 1;
		goto out;
	}
	if (r->single)
		stdio_prepare();
	if (stdio_listen)
		conn_new(r, STDIN_FILENO, STDOUT_FILENO, "stdio");
	relay_update_accept(r);
	if (loop_run(r->loop) < 0) {
		log_err("event loop: %s", strerror(errno));
		r->status = 1;
	}
out:
	while (r->conns != NULL)
		conn_close(r->conns, NULL);
	relay_reap(r->loop, r);
	for (int i = 0; i < r->nls; i++)
		listener_close(&r->ls[i]);
	pump_pool_free(&r->pool);
	loop_free(r->loop);
	status = r->status;
	free(r);
	return status;
}
