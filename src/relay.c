/*
 * relay: the server. See relay.h. Listeners, accepting with back-off,
 * signals and draining, stats; each connection's life is in conn.c.
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

#include "conn.h"
#include "daemon.h"
#include "dial.h"
#include "listener.h"
#include "log.h"
#include "loop.h"
#include "net.h"
#include "notify.h"
#include "pump.h"
#include "relay.h"
#include "sys.h"
#include "upstream.h"

#define ACCEPT_BATCH	64
#define BACKOFF_MIN_MS	50
#define BACKOFF_MAX_MS	1000

static void	relay_update_accept(struct relay *);

void
relay_conn_closed(struct relay *r)
{
	if (r->reserve_fd == -1)
		r->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (r->single || (r->draining && r->nconns == 0))
		loop_stop(r->loop);
	else
		relay_update_accept(r);
}

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

void
relay_pause_accept(struct relay *r, int err, const char *where)
{
	if (r->backoff_ms > 0)
		return;
	if (r->backoff_next == 0)
		r->backoff_next = BACKOFF_MIN_MS;
	r->backoff_ms = r->backoff_next;
	r->st.err[STATS_ACCEPT_PAUSED]++;
	log_warn("%s: %s; pausing accepts for %d ms (%d connections open)",
	    where, strerror(err), r->backoff_ms, r->nconns);
	loop_timer_set(r->loop, &r->backoff, (uint64_t)r->backoff_ms);
	r->backoff_next = r->backoff_next * 2 > BACKOFF_MAX_MS ?
	    BACKOFF_MAX_MS : r->backoff_next * 2;
	relay_update_accept(r);
}

static void
on_accept(struct loop *l, struct loop_io *io, unsigned int ev)
{
	struct listener *ls = io->arg;
	struct relay *r = ls->owner;

	(void)l;
	(void)ev;
	for (int n = 0; n < ACCEPT_BATCH && r->nconns < r->cfg->max_conns &&
	    !r->draining && io->mask != 0; n++) {
		int fd = sys_accept(ls->fd);

		if (fd >= 0) {
			conn_new(r, fd, fd, ls);
			if (r->backoff_ms == 0)
				r->backoff_next = BACKOFF_MIN_MS;
			continue;
		}
		if (fd == -EAGAIN || fd == -EINTR)
			break;
		if (fd == -EMFILE || fd == -ENFILE || fd == -ENOBUFS ||
		    fd == -ENOMEM) {
			/* Out of fds: pause instead of spinning on a
			 * listener that stays readable. */
			char where[sizeof(ls->name) + 8];

			snprintf(where, sizeof(where), "accept %s", ls->name);
			relay_pause_accept(r, -fd, where);
			break;
		}
		/* ECONNABORTED and the like concern one peer only. */
		log_info("accept %s: %s", ls->name, strerror(-fd));
	}
	relay_update_accept(r);
}

/* The counters now, live connections included. */
static void
stats_snapshot(struct relay *r, struct stats *st, struct stats_target *t)
{
	uint64_t now = loop_now(r->loop);

	*st = r->st;
	st->conns_active = (uint64_t)r->nconns;
	for (struct conn *c = r->conns; c != NULL; c = c->next) {
		st->bytes_up += c->flow[SIDE_DOWN].bytes;
		st->bytes_down += c->flow[SIDE_UP].bytes;
	}
	for (int i = 0; i < r->ntargets; i++) {
		t[i].name = r->target[i].name;
		t[i].up = upstream_up(&r->up, i, now);
		t[i].backup = r->up.p[i].backup;
		t[i].conns = r->up.p[i].conns;
		t[i].failures = r->up.p[i].failures;
	}
	st->targets = t;
	st->ntargets = r->ntargets;
}

/*
 * --stats: each client gets the counters in Prometheus text as an HTTP
 * response, so Prometheus and curl can scrape them. The request is read
 * (and ignored) first: closing on unread bytes would reset the connection
 * under the response. A client that sends nothing (nc -U) gets the
 * response after STATS_WAIT_MS. At most STATS_CLIENTS at once.
 */
#define STATS_CLIENTS	16
#define STATS_WAIT_MS	500

struct stats_client {
	struct relay	*r;
	struct loop_io	 io;
	struct loop_timer timer;
	char		 req[8];	/* the last bytes seen */
};

static struct stats_client stats_clients[STATS_CLIENTS];

static void
stats_reply(struct stats_client *sc)
{
	struct relay *r = sc->r;
	struct stats_target t[UPSTREAM_MAX];
	struct stats st;
	char body[16384], head[160];
	int fd = sc->io.fd, hl;
	size_t n;

	stats_snapshot(r, &st, t);
	n = stats_format(&st, 1, body, sizeof(body));
	hl = snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\nContent-Type: "
	    "text/plain; version=0.0.4\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", n);
	/* One response fits a socket buffer; a client too slow for that
	 * gets a short read. */
	if (send(fd, head, (size_t)hl, MSG_NOSIGNAL | MSG_MORE) == hl)
		(void)!send(fd, body, n, MSG_NOSIGNAL);
	loop_timer_stop(r->loop, &sc->timer);
	loop_io_stop(r->loop, &sc->io);
	close(fd);
	sc->r = NULL;
}

static void
stats_read(struct loop *l, struct loop_io *io, unsigned int ev)
{
	struct stats_client *sc = io->arg;
	char buf[1024];
	ssize_t n;

	(void)l;
	(void)ev;
	while ((n = recv(io->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		/* Keep the tail to spot the blank line ending the head. */
		size_t keep = (size_t)n < sizeof(sc->req) ? (size_t)n :
		    sizeof(sc->req);

		memmove(sc->req, sc->req + keep, sizeof(sc->req) - keep);
		memcpy(sc->req + sizeof(sc->req) - keep, buf + n - keep, keep);
		if (memcmp(sc->req + 4, "\r\n\r\n", 4) == 0 ||
		    memcmp(sc->req + 6, "\n\n", 2) == 0)
			break;
	}
	if (n >= 0 || (errno != EAGAIN && errno != EINTR))
		stats_reply(sc);
}

static void
stats_timeout(struct loop *l, struct loop_timer *t)
{
	(void)l;
	stats_reply(t->arg);
}

static void
on_stats(struct loop *l, struct loop_io *io, unsigned int ev)
{
	struct relay *r = io->arg;
	struct stats_client *sc = NULL;
	int fd;

	(void)ev;
	if ((fd = sys_accept(r->stats_ls.fd)) < 0)
		return;
	for (int i = 0; i < STATS_CLIENTS && sc == NULL; i++)
		if (stats_clients[i].r == NULL)
			sc = &stats_clients[i];
	if (sc == NULL) {
		close(fd);		/* a scraper storm: drop, stay bounded */
		return;
	}
	memset(sc, 0, sizeof(*sc));
	sc->r = r;
	loop_io_init(&sc->io, fd, stats_read, sc);
	loop_timer_init(&sc->timer, stats_timeout, sc);
	loop_timer_set(l, &sc->timer, STATS_WAIT_MS);
	if (loop_io_set(l, &sc->io, LOOP_READ) < 0)
		stats_reply(sc);
}

/* SIGUSR1: the same counters in the log, one line each. */
static void
log_stats(struct relay *r)
{
	struct stats_target t[UPSTREAM_MAX];
	struct stats st;
	char body[16384], *line, *save = NULL;

	int level = log_level;

	stats_snapshot(r, &st, t);
	stats_format(&st, 0, body, sizeof(body));
	/* Asked for with a signal: shown even under -q. */
	if (log_level < LOG_NOTICE)
		log_level = LOG_NOTICE;
	for (line = strtok_r(body, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		log_notice("stats: %s", line);
	log_level = level;
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
	if (signo == SIGUSR1) {
		log_stats(r);
		return;
	}
	if (r->draining || r->nconns == 0) {
		(void)notify("STOPPING=1");
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
	(void)notify("STOPPING=1\nSTATUS=draining connections");
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
	if (cfg->stats.kind != ADDR_NONE) {
		if (listener_open(&cfg->stats, &r->stats_ls, 1, err,
		    sizeof(err)) < 0) {
			log_err("--stats %s", err);
			return -1;
		}
		loop_io_init(&r->stats_ls.io, r->stats_ls.fd, on_stats, r);
		if (loop_io_set(r->loop, &r->stats_ls.io, LOOP_READ) < 0)
			return -1;
		log_notice("stats on %s", r->stats_ls.name);
	}
	return 0;
}

int
relay_run(const struct relay_cfg *cfg)
{
	struct relay *r;
	char err[ADDR_CMD_MAX + 256] = "";
	long nofile;
	int stdio_listen = 0, status;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_err("out of memory");
		return 1;
	}
	r->cfg = cfg;
	r->echo = cfg->ntargets == 0;
	if (pump_pool_init(&r->pool, cfg->pipe_size, cfg->no_splice) < 0) {
		log_err("out of memory");
		free(r);
		return 1;
	}
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
	loop_after(r->loop, conn_reap, r);
	loop_busy_poll(r->loop, (unsigned int)cfg->busy_poll_us);
	loop_timer_init(&r->backoff, backoff_done, r);
	loop_timer_init(&r->drain, drain_done, r);
	loop_signal(r->loop, SIGINT, on_signal, r);
	loop_signal(r->loop, SIGTERM, on_signal, r);
	loop_signal(r->loop, SIGCHLD, on_signal, r);
	loop_signal(r->loop, SIGUSR1, on_signal, r);
	r->stats_ls.fd = -1;
	r->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (relay_listen(r) == -1 ||
	    (cfg->pidfile != NULL && daemon_pidfile(cfg->pidfile, err,
	    sizeof(err)) == -1) ||
	    (cfg->user != NULL && daemon_drop(cfg->user, err,
	    sizeof(err)) == -1)) {
		if (err[0] != '\0')
			log_err("%s", err);
		r->status = 1;
		goto out;
	}
	{
		char state[sizeof(r->ls[0].name) + 64];

		snprintf(state, sizeof(state), "READY=1\nSTATUS=listening on %s",
		    r->nls > 0 ? r->ls[0].name : "stdio");
		(void)notify(state);
	}
	if (r->single)
		conn_stdio_prepare();
	if (stdio_listen)
		conn_new(r, STDIN_FILENO, STDOUT_FILENO, NULL);
	relay_update_accept(r);
	if (loop_run(r->loop) < 0) {
		log_err("event loop: %s", strerror(errno));
		r->status = 1;
	}
out:
	while (r->conns != NULL)
		conn_close(r->conns, NULL);
	conn_reap(r->loop, r);
	for (int i = 0; i < r->nls; i++)
		if (r->ls[i].owns_file && (errno = 0,
		    listener_close(&r->ls[i]) == 0) && errno == EACCES)
			log_warn("unix:%s: cannot remove the socket file after "
			    "--user: %s, ignoring", r->ls[i].path,
			    strerror(errno));
		else
			listener_close(&r->ls[i]);
	for (int i = 0; i < STATS_CLIENTS; i++)
		if (stats_clients[i].r != NULL)
			stats_reply(&stats_clients[i]);
	listener_close(&r->stats_ls);
	if (cfg->pidfile != NULL && daemon_pidfile_remove(cfg->pidfile) < 0 &&
	    errno != ENOENT)
		log_warn("pid file %s: %s, ignoring", cfg->pidfile,
		    strerror(errno));
	pump_pool_free(&r->pool);
	if (r->reserve_fd != -1)
		close(r->reserve_fd);
	loop_free(r->loop);
	status = r->status;
	free(r);
	return status;
}
