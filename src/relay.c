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
#include "dial.h"
#include "listener.h"
#include "log.h"
#include "loop.h"
#include "net.h"
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
	loop_after(r->loop, conn_reap, r);
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
		conn_stdio_prepare();
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
	conn_reap(r->loop, r);
	for (int i = 0; i < r->nls; i++)
		listener_close(&r->ls[i]);
	pump_pool_free(&r->pool);
	loop_free(r->loop);
	status = r->status;
	free(r);
	return status;
}
