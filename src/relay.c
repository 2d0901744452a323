/*
 * relay: the server. See relay.h. Wires the modules together: listeners
 * (listener.c), accepting, back-off and draining (accept.c), connections
 * (conn.c), the --stats endpoint (scrape.c), signals. Each owns its own
 * policy; the dependencies run one way, from here down.
 */
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accept.h"
#include "carrier.h"
#include "conn.h"
#include "daemon.h"
#include "dial.h"
#include "end.h"
#include "listener.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "pump.h"
#include "relay.h"
#include "scrape.h"
#include "stats.h"
#include "sys.h"
#include "upstream.h"

struct relay {
	const struct relay_cfg *cfg;
	struct loop	*loop;
	struct listener	 ls[RELAY_MAX_LISTEN * 2];
	int		 nls;
	struct dial_target target[UPSTREAM_MAX];
	struct upstream	 up;
	struct pump_pool pool;
	struct stats	 st;		/* counters, for --stats */
	struct conn_env	 env;
	struct acceptor	 acc;
	struct scrape	 scrape;
	struct loop_timer idle_exit;	/* --exit-idle-time */
	struct peerlimit perpeer;
	struct carrier	*car;		/* tunnel: target; NULL: none */
	int		 status;
};

void
relay_cfg_init(struct relay_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_conns = 16384;
	cfg->connect_timeout_ms = 10000;
	cfg->idle_timeout_ms = 0;
	cfg->drain_timeout_ms = 10000;
	cfg->pipe_size = 0;
	cfg->tunnel_keepalive_ms = 30000;
	keepalive_default(&cfg->keepalive);
}

/*
 * --exit-idle-time: arm the exit timer when no connection is open (at
 * start, when the last one closes), stop it while one is.
 */
static void
relay_idle_update(struct relay *r)
{
	if (r->cfg->exit_idle_ms <= 0)
		return;
	if (r->env.nconns == 0 && !r->acc.draining &&
	    (r->car == NULL || carrier_nstreams(r->car) == 0))
		loop_timer_set(r->loop, &r->idle_exit,
		    (uint64_t)r->cfg->exit_idle_ms);
	else
		loop_timer_stop(r->loop, &r->idle_exit);
}

/*
 * No connection for --exit-idle-time: exit 0, the way SIGTERM with no
 * connection does (our socket files go; a socket from systemd stays with
 * systemd, which starts us again on the next connection). A client
 * already waiting in a listener's queue keeps us: it is accepted in this
 * loop pass (timers run first) and the spell starts again.
 */
static void
relay_idle_exit(struct loop *l, struct loop_timer *t)
{
	struct relay *r = t->arg;

	for (int i = 0; i < r->nls; i++) {
		struct pollfd p = { .fd = r->ls[i].fd, .events = POLLIN };

		if (p.fd != -1 && poll(&p, 1, 0) == 1) {
			relay_idle_update(r);
			return;
		}
	}
	log_notice("no connection for %d ms: exiting (--exit-idle-time)",
	    r->cfg->exit_idle_ms);
	(void)notify("STOPPING=1");
	loop_stop(l);
}

/* conn hooks: a connection closed; out of fds while dialing. */
static void
hook_closed(void *arg)
{
	struct relay *r = arg;

	accept_closed(&r->acc);
	relay_idle_update(r);
}

static void
hook_pause(void *arg, int err, const char *where)
{
	struct relay *r = arg;

	accept_pause(&r->acc, err, where);
}

static int
hook_spend_reserve(void *arg, int err, const char *where)
{
	struct relay *r = arg;

	return accept_spend_reserve(&r->acc, err, where);
}

static const struct conn_hooks relay_conn_hooks = {
	.closed = hook_closed,
	.pause = hook_pause,
	.spend_reserve = hook_spend_reserve,
};

static void	hook_stream_closed(void *);

/*
 * A connection accepted on ls for the tunnel gets what conn_new gives a
 * relayed one: TCP_NODELAY and --keepalive on tcp, and the listener's
 * allow list. Returns 0, or -1 when it is denied (then fd is closed,
 * counted and logged).
 */
static int
tunnel_admit(struct relay *r, int fd, const struct listener *ls)
{
	char peer[160];
	int one = 1;

	if (ls->family != AF_UNIX) {
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		(void)keepalive_apply(fd, &r->cfg->keepalive);
	}
	if (listener_allows(ls, fd, peer, sizeof(peer)))
		return 0;
	log_escape(peer, sizeof(peer));
	r->st.err[STATS_DENIED]++;
	log_warn("tunnel: denied %s on %s (not in its allow list)", peer,
	    ls->name);
	close(fd);
	return -1;
}

/* accept hooks: a new connection; how many are open; drain expired. */
static void
hook_conn(void *arg, int fd, const struct listener *ls)
{
	struct relay *r = arg;

	if (r->car != NULL) {
		/* tunnel: target: a stream on the carrier (carrier.h), once
		 * admitted as conn_new admits a relayed connection. */
		if (tunnel_admit(r, fd, ls) == -1) {
			hook_stream_closed(r);
			return;
		}
		(void)carrier_accept(r->car, fd, 0);
		relay_idle_update(r);
		return;
	}
	conn_new(&r->env, fd, fd, ls);
	relay_idle_update(r);
}

static int
hook_nconns(void *arg)
{
	struct relay *r = arg;

	return r->env.nconns + (r->car != NULL ? carrier_nstreams(r->car) : 0);
}

/* A tunnel stream ended (carrier_cfg hook). */
static void
hook_stream_closed(void *arg)
{
	struct relay *r = arg;

	accept_closed(&r->acc);
	relay_idle_update(r);
}

/* The drain deadline cut these connections off: both sides see an abort,
 * not a clean end. */
static void
hook_drain_expired(void *arg)
{
	struct relay *r = arg;

	conn_close_all(&r->env, "drain timeout", 1);
}

static const struct accept_hooks relay_accept_hooks = {
	.conn = hook_conn,
	.nconns = hook_nconns,
	.drain_expired = hook_drain_expired,
};

/* The counters now, live connections included (scrape_snapshot_fn). */
static void
relay_snapshot(void *arg, struct stats *st, struct stats_target *t)
{
	struct relay *r = arg;
	uint64_t now = loop_now(r->loop), up, down;

	*st = r->st;
	st->conns_active = (uint64_t)r->env.nconns;
	conn_env_bytes(&r->env, &up, &down);
	st->bytes_up += up;
	st->bytes_down += down;
	for (int i = 0; i < r->up.n; i++) {
		t[i].name = r->target[i].name;
		t[i].up = upstream_up(&r->up, i, now);
		t[i].backup = r->up.p[i].backup;
		t[i].conns = r->up.p[i].conns;
		t[i].failures = r->up.p[i].failures;
	}
	st->targets = t;
	st->ntargets = r->up.n;
}

/* SIGUSR1: the same counters in the log, one line each, shown even under
 * -q since they were asked for. */
static void
log_stats(struct relay *r)
{
	struct stats_target t[UPSTREAM_MAX];
	struct stats st;
	char *body, *line, *save = NULL;
	size_t n;

	relay_snapshot(r, &st, t);
	n = stats_format(&st, 0, NULL, 0);
	if ((body = malloc(n + 1)) == NULL) {
		log_warn("stats: out of memory, ignoring");
		return;
	}
	stats_format(&st, 0, body, n + 1);
	for (line = strtok_r(body, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		log_force(LOG_NOTICE, "stats: %s", line);
	free(body);
}

/*
 * SIGHUP: look the tcp targets' host names up again, so new connections
 * follow a name that moved (connections already open keep theirs); a name
 * that no longer resolves keeps its old address, with a warning. Then log
 * the counters as SIGUSR1 does. The lookups block the loop for as long as
 * the resolver takes: an operator's act, not a peer's. There is no log
 * file to reopen: the log is stderr, owned by whoever started us.
 */
static void
relay_reload(struct relay *r)
{
	int n = 0, moved = 0;

	for (int i = 0; i < r->up.n && !r->env.stdio_target; i++) {
		struct dial_target *cur = &r->target[i], t;
		char err[ADDR_ERR_MAX + 256], spec[ADDR_HOST_MAX + 16];

		if (cur->addr.kind != ADDR_TCP)
			continue;	/* unix paths and exec: nothing to resolve */
		n++;
		addr_str(&cur->addr, spec, sizeof(spec));
		if (dial_prepare(&t, &cur->addr, err, sizeof(err)) == -1) {
			log_warn("SIGHUP: %s: %s; keeping %s, ignoring", spec, err,
			    cur->name);
			continue;
		}
		if (t.sa.len != cur->sa.len ||
		    memcmp(&t.sa.ss, &cur->sa.ss, t.sa.len) != 0) {
			log_notice("SIGHUP: %s: now %s (was %s)", spec, t.name,
			    cur->name);
			moved++;
		}
		*cur = t;
	}
	log_notice("SIGHUP: %d tcp targets resolved again, %d moved", n, moved);
	log_stats(r);
}

static void
on_signal(struct loop *l, int signo, void *arg)
{
	struct relay *r = arg;

	if (signo == SIGCHLD) {
		int st;
		pid_t pid;

		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			if (!carrier_reaped(r->car, pid, st))
				log_debug("pid %d exited with status %d", (int)pid,
			    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		return;
	}
	if (signo == SIGUSR1) {
		log_stats(r);
		return;
	}
	if (signo == SIGHUP) {
		relay_reload(r);
		return;
	}
	if (r->acc.draining || hook_nconns(r) == 0) {
		(void)notify("STOPPING=1");
		loop_stop(l);
		return;
	}
	/* Stop accepting and remove socket files now; let open
	 * connections finish, up to the drain timeout. */
	accept_drain(&r->acc, r->cfg->drain_timeout_ms);
	log_notice("%s: draining %d connections (up to %d ms)",
	    strsignal(signo), r->env.nconns, r->cfg->drain_timeout_ms);
	(void)notify("STOPPING=1\nSTATUS=draining connections");
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
			/* A PROXY header is a claim: without an allow list
			 * anyone who can connect makes it. */
			if (ls->accept_proxy && !ls->acl.on)
				log_warn("%s: accept-proxy without an allow list: "
				    "any peer can claim any client address "
				    "(add allow=, allow-uid= or allow-gid=)",
				    ls->name);
			log_notice("listening on %s", ls->name);
		}
		r->nls += n;
	}
	if (cfg->stats.kind != ADDR_NONE) {
		if (scrape_open(&r->scrape, r->loop, &cfg->stats,
		    relay_snapshot, r, err, sizeof(err)) == -1) {
			log_err("--stats %s", err);
			return -1;
		}
		r->scrape.denied = &r->st.err[STATS_DENIED];
		log_notice("stats on %s", r->scrape.ls.name);
	}
	return 0;
}

/*
 * Close the listeners at exit, removing the socket files we bound. After
 * --user the directory may not be ours to write: say so.
 */
static void
relay_unlisten(struct relay *r)
{
	for (int i = 0; i < r->nls; i++) {
		int rc = listener_close(&r->ls[i]);

		if (rc < 0)
			log_warn("unix:%s: cannot remove the socket file%s: %s, "
			    "ignoring", r->ls[i].path, r->cfg->user != NULL ?
			    " after --user" : "", strerror(-rc));
	}
}

int
relay_run(const struct relay_cfg *cfg)
{
	struct relay *r;
	char err[ADDR_CMD_MAX + 256] = "";
	long nofile;
	int stdio_listen = 0, status, rc;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_err("out of memory");
		return 1;
	}
	r->cfg = cfg;
	scrape_none(&r->scrape);
	if (pump_pool_init(&r->pool, cfg->pipe_size, cfg->no_splice) < 0) {
		log_err("out of memory");
		pump_pool_free(&r->pool);
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
	r->env.echo = cfg->ntargets == 0;
	r->env.discard = cfg->discard;
	r->env.oneway = cfg->oneway;
	r->env.stdio_target = cfg->ntargets == 1 &&
	    cfg->targets[0].kind == ADDR_STDIO;
	r->env.single = stdio_listen || r->env.stdio_target;

	r->up.n = cfg->ntargets;
	r->up.mode = cfg->balance;
	for (int i = 0; i < cfg->ntargets && !r->env.stdio_target; i++) {
		const struct addr *a = &cfg->targets[i];

		if (a->kind == ADDR_TUNNEL)
			continue;	/* the carrier, below */

		if (dial_prepare(&r->target[i], a, err, sizeof(err)) == -1) {
			char name[256];

			log_err("%s: %s", addr_str(a, name, sizeof(name)), err);
			pump_pool_free(&r->pool);
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
		pump_pool_free(&r->pool);
		free(r);
		return 1;
	}
	r->env.loop = r->loop;
	r->env.target = r->target;
	r->env.up = &r->up;
	r->env.pool = &r->pool;
	r->env.st = &r->st;
	r->env.connect_timeout_ms = cfg->connect_timeout_ms;
	r->env.wait_target = !cfg->no_wait_target;
	r->env.idle_timeout_ms = cfg->idle_timeout_ms;
	r->env.keepalive = cfg->keepalive;
	peerlimit_init(&r->perpeer, cfg->max_conns_per_peer);
	if (cfg->max_conns_per_peer > 0)
		r->env.perpeer = &r->perpeer;
	r->env.hooks = &relay_conn_hooks;
	r->env.owner = r;
	loop_timer_init(&r->idle_exit, relay_idle_exit, r);
	conn_env_init(&r->env);
	loop_after(r->loop, conn_reap, &r->env);
	loop_busy_poll(r->loop, (unsigned int)cfg->busy_poll_us);
	loop_signal(r->loop, SIGINT, on_signal, r);
	loop_signal(r->loop, SIGTERM, on_signal, r);
	loop_signal(r->loop, SIGCHLD, on_signal, r);
	loop_signal(r->loop, SIGUSR1, on_signal, r);
	loop_signal(r->loop, SIGHUP, on_signal, r);

	if (relay_listen(r) == -1) {
		/* The listeners opened so far still need closing. */
		accept_init(&r->acc, r->loop, r->ls, r->nls, cfg->max_conns,
		    r->env.single, &r->st.err[STATS_ACCEPT_PAUSED],
		    &relay_accept_hooks, r);
		r->status = 1;
		goto out;
	}
	accept_init(&r->acc, r->loop, r->ls, r->nls, cfg->max_conns,
	    r->env.single, &r->st.err[STATS_ACCEPT_PAUSED],
	    &relay_accept_hooks, r);
	if ((cfg->pidfile != NULL && daemon_pidfile(cfg->pidfile, err,
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
	if (cfg->ntargets == 1 && cfg->targets[0].kind == ADDR_TUNNEL) {
		struct carrier_cfg cc;

		memset(&cc, 0, sizeof(cc));
		cc.cmd = cfg->targets[0].cmd;
		cc.lazy = cfg->tunnel_lazy;
		cc.wait_ms = cfg->connect_timeout_ms;
		cc.keepalive_ms = cfg->tunnel_keepalive_ms;
		cc.stream_closed = hook_stream_closed;
		cc.arg = r;
		if ((r->car = carrier_new(r->loop, &cc)) == NULL) {
			log_err("out of memory");
			r->status = 1;
			goto out;
		}
	}
	if (r->env.single)
		end_stdio_prepare();
	if (stdio_listen) {
		accept_taken(&r->acc);
		conn_new(&r->env, STDIN_FILENO, STDOUT_FILENO, NULL);
	}
	accept_update(&r->acc);
	relay_idle_update(r);
	if ((rc = loop_run(r->loop)) < 0) {
		log_err("event loop: %s", strerror(-rc));
		r->status = 1;
	}
	if (r->env.failed)
		r->status = 1;
out:
	/* Whatever is still open was cut short (a second signal, a failed
	 * loop): an abort, not a clean end, and not logged one by one. */
	conn_close_all(&r->env, NULL, 1);
	conn_reap(r->loop, &r->env);
	carrier_free(r->car);
	relay_unlisten(r);
	scrape_close(&r->scrape);
	if (cfg->pidfile != NULL &&
	    (rc = daemon_pidfile_remove(cfg->pidfile)) < 0 && rc != -ENOENT)
		log_warn("pid file %s: %s, ignoring", cfg->pidfile,
		    strerror(-rc));
	accept_free(&r->acc);
	peerlimit_free(&r->perpeer);
	pump_pool_free(&r->pool);
	loop_free(r->loop);
	status = r->status;
	free(r);
	return status;
}
