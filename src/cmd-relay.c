/*
 * cmd-relay: "sockbridge relay [options] LISTEN TARGET", and the option
 * parsing it shares with "sockbridge echo". socat's command line (its
 * global options, -4/-6, -lf) is in cmd-relay-socat.c.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cmd.h"
#include "cmd-relay-socat.h"
#include "errbuf.h"
#include "keepalive.h"
#include "listener.h"
#include "log.h"
#include "num.h"
#include "opt.h"
#include "relay.h"
#include "socatopt.h"
#include "upstream.h"
#include "conn.h"

/* What a bad duration gets told. */
#define DURATION_BAD \
	"not a duration (like 5, 2.5, 250ms, 1m; at most a day)"

static const char relay_help[] =
"usage: sockbridge relay [-qv] [options] LISTEN TARGET [TARGET...]\n"
"       sockbridge LISTEN TARGET\n"
"       sockbridge [socat options] LISTEN TARGET\n"
"\n"
"Accept connections on LISTEN and relay each, both ways, to TARGET.\n"
"With several targets, each connection goes to the next healthy one\n"
"(--balance rr, the default, or first); a target that fails max-fails\n"
"times (default 1) is left out for fail-timeout (default 10s); backup\n"
"targets serve only when the others are down or have failed for that\n"
"connection.\n"
"\n"
"Addresses (options follow as ,key=value):\n"
"  unix:/path          socket file (listen: created safely; target: connect)\n"
"  unix:@name          Linux abstract socket\n"
"  tcp:HOST:PORT       tcp; tcp:[::1]:PORT for IPv6; tcp:PORT listens on\n"
"                      127.0.0.1 only (use tcp:0.0.0.0:PORT for all); port 0\n"
"                      picks a free port\n"
"  - | stdio           one connection over stdin/stdout\n"
"  exec:CMD            target: run CMD (sh -c) per connection on its stdio\n"
"  tunnel:CMD          target: run CMD once and carry every connection as a\n"
"                      stream over its stdio; CMD runs 'sockbridge tunnel\n"
"                      TARGET' at the far end (see sockbridge tunnel --help)\n"
"  fd:N | systemd[:NAME]  listen on an inherited socket / LISTEN_FDS\n"
"  socat forms:        UNIX-LISTEN: UNIX-CONNECT: UNIX-CLIENT: ABSTRACT-LISTEN:\n"
"                      ABSTRACT-CONNECT: TCP-LISTEN: TCP4-LISTEN: TCP6-LISTEN:\n"
"                      TCP: TCP4: TCP6: STDIO EXEC: SYSTEM:\n"
"\n"
"Address options: mode=0660 (perm=), user= (owner=), group=, backlog=N,\n"
"  reuseaddr, unlink-early, unlink-close=0, bind=HOST[:PORT],\n"
"  connect-timeout=S, idle-timeout=S, max-conns=N (max-children=), fork;\n"
"  on targets: max-fails=N, fail-timeout=S, backup\n"
"\n"
"Options:\n"
"  -c, --max-conns N         most connections at once (default 16384)\n"
"      --max-conns-per-peer N  most connections at once from one peer: one\n"
"                            uid on unix sockets, one source address on tcp\n"
"                            (default: no limit)\n"
"  -T, --connect-timeout S   give up reaching the target after S (default 10)\n"
"  -i, --idle-timeout S      close a connection idle for S (default: never)\n"
"      --no-wait-target      fail a connection at once when no target is\n"
"                            there; by default, while a target's socket file\n"
"                            is missing or nothing listens (ENOENT,\n"
"                            ECONNREFUSED), the client is held, unread, and\n"
"                            the targets are tried again with back-off up to\n"
"                            the connect timeout\n"
"  -d, --drain-timeout S     on SIGTERM, wait S for connections (default 10)\n"
"      --exit-idle-time S    exit 0 after S with no connection, as on SIGTERM\n"
"                            (for socket activation: systemd keeps the\n"
"                            socket and starts the relay again on the next\n"
"                            connection; default: never)\n"
"      --mode MODE           socket file mode, e.g. 0660\n"
"      --owner USER          socket file owner\n"
"      --group GROUP         socket file group\n"
"      --user USER[:GROUP]   run as USER once the sockets are bound\n"
"      --pidfile FILE        write the process id to FILE\n"
"      --stats ADDR          serve counters (Prometheus text over HTTP) on\n"
"                            ADDR, e.g. unix:/run/sb-stats.sock; SIGUSR1\n"
"                            writes them to the log; ADDR's mode=, user=,\n"
"                            group= and allow... options apply as on LISTEN\n"
"      --backlog N           listen backlog (default SOMAXCONN)\n"
"      --pipe-size SIZE      splice pipe size to ask for, 4K to 16M\n"
"                            (default 256K, grown to 1M for a bulk flow)\n"
"      --no-splice           copy through user space instead of splice\n"
"      --busy-poll USEC      after traffic, poll up to USEC microseconds\n"
"                            (1 to 1000) before sleeping: lower latency on\n"
"                            VMs where waking an idle CPU is slow, at the\n"
"                            cost of that much CPU (default: off)\n"
"      --balance rr|first    how to spread connections over targets\n"
"      --tunnel-start launch|connect\n"
"                            tunnel: start the carrier at once (default) or\n"
"                            on the first connection; it is started again\n"
"                            with back-off whenever it exits\n"
"      --tunnel-keepalive S | off\n"
"                            tunnel: ping the far end after S idle; no answer\n"
"                            in S more ends the carrier (default 30)\n"
"      --keepalive IDLE[,INTVL[,CNT]] | off\n"
"                            TCP keepalive on accepted and dialed TCP sides\n"
"                            (default 60,10,6: probe after 60 s idle, every\n"
"                            10 s, drop after 6 unanswered; seconds 1-32767,\n"
"                            CNT 1-127)\n"
"  -q, --quiet               errors only\n"
"  -v, --verbose             one line per connection event (-vv: more)\n"
"  -h, --help                this text\n"
"\n"
"socat's global options, before the addresses, as socat means them:\n"
"  -d (each: one log level more; none: errors only; -d -d: notices,\n"
"  -d -d -d: connections), -u / -U (first to second / second to first\n"
"  only), -T S (--idle-timeout), -b SIZE (--pipe-size), -4 / -6 (tcp\n"
"  names in that family), -lf FILE (log to FILE), -ls (stderr). Refused,\n"
"  naming what to use: -v, -x, -t, -ly. After the word relay, -d S, -T S\n"
"  and -v are relay's own (drain, connect timeout, verbose).\n"
"\n"
"A stale socket file (nothing listens) is replaced; a live server's socket\n"
"or a file that is not a socket is never touched. Durations take s, ms, m.\n"
"Signals: TERM/INT drain and exit; USR1 logs the counters; HUP looks tcp\n"
"target host names up again and logs the counters.\n"
"See sockbridge(1).\n";

static const char echo_help[] =
"usage: sockbridge echo [-qv] [options] LISTEN...\n"
"\n"
"Serve every connection on each LISTEN address by sending back what it\n"
"receives; half-close is passed on. Addresses and socket-file rules are\n"
"those of 'sockbridge relay'.\n"
"\n"
"Options:\n"
"      --discard             read and throw away instead of echoing (a sink\n"
"                            for one-way benchmarks); closes at the peer's EOF\n"
"  -c, --max-conns N; --max-conns-per-peer N; -i, --idle-timeout S;\n"
"  -d, --drain-timeout S; --exit-idle-time S; --mode, --owner, --group,\n"
"  --backlog, --pipe-size, --no-splice, --busy-poll, --keepalive, --user,\n"
"  --pidfile, --stats; -q; -v;\n"
"  -h, --help: as for relay.\n";

/* Flags that mirror address options; -1 or NULL when not given. */
struct flag_opts {
	int		 max_conns, connect_ms, idle_ms, backlog;
	const char	*mode, *user, *group;
};

/* What the option handlers fill. */
struct relay_args {
	struct relay_cfg	*cfg;
	struct flag_opts	 fl;
	int			 echo;		/* "echo", not "relay" */
	int			 verbose, quiet;
	int			 tunnel_opt;	/* a --tunnel-... given */
};

/* Merge a flag into an address option; both given and different is an
 * error. Returns 0 or -1 (logged). */
static int
merge_int(int *opt, int flag, const char *name, const char *where)
{
	if (flag == -1)
		return 0;
	if (*opt != -1 && *opt != flag)
		return log_fail("%s given both as a flag and in %s, with "
		    "different values", name, where);
	*opt = flag;
	return 0;
}

static int
merge_str(char *opt, size_t len, const char *flag, const char *name,
    const char *where)
{
	if (flag == NULL)
		return 0;
	if (opt[0] != '\0' && strcmp(opt, flag) != 0)
		return log_fail("%s given both as a flag and in %s, with "
		    "different values", name, where);
	snprintf(opt, len, "%s", flag);
	return 0;
}

/* Apply listen-side flags to a listen address. */
static int
apply_listen_flags(struct addr *a, const struct flag_opts *fl, const char *text)
{
	if (fl->mode != NULL) {
		int mode;

		if (addr_parse_mode(fl->mode, &mode) == -1)
			return log_fail("--mode %s: not an octal mode "
			    "(like 0660)", fl->mode);
		if (merge_int(&a->opt.mode, mode, "mode", text) == -1)
			return -1;
	}
	if (merge_str(a->opt.user, sizeof(a->opt.user), fl->user, "user",
	    text) == -1 ||
	    merge_str(a->opt.group, sizeof(a->opt.group), fl->group, "group",
	    text) == -1 ||
	    merge_int(&a->opt.backlog, fl->backlog, "backlog", text) == -1)
		return -1;
	return 0;
}

/* Users and groups named in a listen address must exist: say so now,
 * not after binding. */
static int
check_names(const struct addr *a, const char *text)
{
	const struct addr_opts *o = &a->opt;
	uid_t uid;
	gid_t gid;

	for (int i = 0; i < o->nallow_user; i++)
		if (acl_uid(o->allow_user[i], &uid, NULL) == -1)
			return log_fail("%s: allow-user=%s: no such user", text,
			    o->allow_user[i]);
	for (int i = 0; i < o->nallow_group; i++)
		if (acl_gid(o->allow_group[i], &gid) == -1)
			return log_fail("%s: allow-group=%s: no such group",
			    text, o->allow_group[i]);
	if (o->user[0] != '\0' && acl_uid(o->user, &uid, NULL) == -1)
		return log_fail("%s: user=%s: no such user", text, o->user);
	if (o->group[0] != '\0' && acl_gid(o->group, &gid) == -1)
		return log_fail("%s: group=%s: no such group", text, o->group);
	return 0;
}


/* Parse and check one address for a role. Returns 0 or -1 (logged). */
static int
parse_addr(struct addr *a, const char *text, enum addr_role role)
{
	char err[ADDR_ERR_MAX];

	if (addr_parse(a, text, err, sizeof(err)) == -1 ||
	    addr_check_role(a, role, err, sizeof(err)) == -1) {
		log_err("%s: %s", text, err);
		return -1;
	}
	return 0;
}

/* --connect-timeout: a duration above 0. */
static int
opt_connect_timeout(const char *v, void *ctx, char *err, size_t errlen)
{
	struct relay_args *ra = ctx;

	if (num_parse_duration(v, &ra->fl.connect_ms) == -1)
		return errbuf_set(err, errlen, "--connect-timeout %s: %s", v,
		    DURATION_BAD);
	if (ra->fl.connect_ms == 0)
		return errbuf_set(err, errlen, "--connect-timeout %s: must be "
		    "more than 0", v);
	return 0;
}

/* --user USER[:GROUP]: both must exist; checked now, not after binding. */
static int
opt_user(const char *v, void *ctx, char *err, size_t errlen)
{
	struct relay_args *ra = ctx;
	char name[ADDR_NAME_MAX], *colon;
	uid_t uid;
	gid_t gid;

	snprintf(name, sizeof(name), "%s", v);
	if ((colon = strchr(name, ':')) != NULL)
		*colon++ = '\0';
	if (acl_uid(name, &uid, &gid) == -1)
		return errbuf_set(err, errlen, "--user %s: no such user", name);
	if (colon != NULL && acl_gid(colon, &gid) == -1)
		return errbuf_set(err, errlen, "--user %s: no such group %s", v,
		    colon);
	if (gid == (gid_t)-1)
		return errbuf_set(err, errlen, "--user %s: give a group too "
		    "(USER:GROUP)", v);
	/* Said now, before anything is bound: dropping to USER would fail
	 * only after the sockets were made. */
	if (geteuid() != 0)
		return errbuf_set(err, errlen, "--user %s: only root can change "
		    "user (this is uid %d); start the relay as root, or leave "
		    "--user out to run as yourself", v, (int)geteuid());
	ra->cfg->user = v;
	return 0;
}

/* --stats ADDR: a unix or tcp address to listen on. */
static int
opt_stats(const char *v, void *ctx, char *err, size_t errlen)
{
	struct relay_args *ra = ctx;
	struct addr *a = &ra->cfg->stats;
	char aerr[ADDR_ERR_MAX];

	if (addr_parse(a, v, aerr, sizeof(aerr)) == -1 ||
	    addr_check_role(a, ADDR_ROLE_LISTEN, aerr, sizeof(aerr)) == -1)
		return errbuf_set(err, errlen, "--stats %s: %s", v, aerr);
	if (a->kind != ADDR_UNIX && a->kind != ADDR_ABSTRACT &&
	    a->kind != ADDR_TCP)
		return errbuf_set(err, errlen, "--stats %s: use a unix or tcp "
		    "address", v);
	return 0;
}

/* --balance rr|round-robin|first, relay only. */
static int
opt_balance(const char *v, void *ctx, char *err, size_t errlen)
{
	struct relay_args *ra = ctx;

	if (ra->echo)
		return errbuf_set(err, errlen, "--balance is a relay option");
	if (strcmp(v, "rr") == 0 || strcmp(v, "round-robin") == 0)
		ra->cfg->balance = UPSTREAM_RR;
	else if (strcmp(v, "first") == 0)
		ra->cfg->balance = UPSTREAM_FIRST;
	else
		return errbuf_set(err, errlen, "--balance %s: use rr or first",
		    v);
	return 0;
}

/* --no-wait-target, relay only. */
static int
opt_no_wait(const char *v, void *ctx, char *err, size_t errlen)
{
	struct relay_args *ra = ctx;

	(void)v;
	if (ra->echo)
		return errbuf_set(err, errlen, "--no-wait-target is a relay "
		    "option");
	ra->cfg->no_wait_target = 1;
	return 0;
}

/* --exit-idle-time: a duration above 0. */
static int
opt_exit_idle(const char *v, void *ctx, char *err, size_t errlen)
{
	struct relay_args *ra = ctx;

	if (num_parse_duration(v, &ra->cfg->exit_idle_ms) == -1)
		return errbuf_set(err, errlen, "--exit-idle-time %s: %s", v,
		    DURATION_BAD);
	if (ra->cfg->exit_idle_ms == 0)
		return errbuf_set(err, errlen, "--exit-idle-time %s: must be "
		    "more than 0", v);
	return 0;
}

/* --keepalive off | IDLE[,INTVL[,CNT]]. */
static int
opt_keepalive(const char *v, void *ctx, char *err, size_t errlen)
{
	struct relay_args *ra = ctx;
	char kerr[ADDR_ERR_MAX];

	if (keepalive_parse(v, &ra->cfg->keepalive, kerr, sizeof(kerr)) == -1)
		return errbuf_set(err, errlen, "--keepalive %s: %s", v, kerr);
	return 0;
}

/* --discard, echo only. */
static int
opt_discard(const char *v, void *ctx, char *err, size_t errlen)
{
	struct relay_args *ra = ctx;

	(void)v;
	if (!ra->echo)
		return errbuf_set(err, errlen, "--discard is an echo option");
	ra->cfg->discard = 1;
	return 0;
}

/* --tunnel-start launch|connect */
static int
opt_tunnel_start(const char *v, void *ctx, char *err, size_t errlen)
{
	struct relay_args *ra = ctx;

	ra->tunnel_opt = 1;
	if (strcmp(v, "launch") == 0)
		ra->cfg->tunnel_lazy = 0;
	else if (strcmp(v, "connect") == 0)
		ra->cfg->tunnel_lazy = 1;
	else
		return errbuf_set(err, errlen, "--tunnel-start %s: not launch "
		    "or connect", v);
	return 0;
}

/* --tunnel-keepalive S | off */
static int
opt_tunnel_keepalive(const char *v, void *ctx, char *err, size_t errlen)
{
	struct relay_args *ra = ctx;

	ra->tunnel_opt = 1;
	if (strcmp(v, "off") == 0) {
		ra->cfg->tunnel_keepalive_ms = 0;
		return 0;
	}
	if (num_parse_duration(v, &ra->cfg->tunnel_keepalive_ms) == -1 ||
	    ra->cfg->tunnel_keepalive_ms < 100)
		return errbuf_set(err, errlen, "--tunnel-keepalive %s: not a "
		    "duration of at least 100ms (or off)", v);
	return 0;
}

/*
 * A tunnel: target carries streams, not relayed connections: it is the
 * only target, and the options of the relay's own connections do not
 * apply. Returns 0 or -1 (logged).
 */
static int
check_tunnel(const struct relay_args *ra, const struct relay_cfg *cfg)
{
	const struct flag_opts *fl = &ra->fl;
	int tunnel = 0;

	for (int i = 0; i < cfg->ntargets; i++)
		if (cfg->targets[i].kind == ADDR_TUNNEL)
			tunnel = 1;
	if (!tunnel) {
		if (ra->tunnel_opt)
			return log_fail("--tunnel-start and --tunnel-keepalive "
			    "need a tunnel:CMD target");
		return 0;
	}
	if (cfg->ntargets > 1)
		return log_fail("tunnel:CMD cannot be one of several targets "
		    "(the far end chooses among its own: sockbridge tunnel "
		    "TARGET...)");
	if (cfg->listen[0].kind == ADDR_STDIO)
		return log_fail("tunnel:CMD needs a socket to listen on, not "
		    "stdio");
	if (fl->idle_ms != -1 ||
	    cfg->no_wait_target || cfg->max_conns_per_peer > 0 ||
	    cfg->pipe_size > 0 || cfg->no_splice || cfg->busy_poll_us > 0 ||
	    cfg->listen[0].opt.accept_proxy ||
	    cfg->targets[0].opt.send_proxy > 0)
		return log_fail("tunnel:CMD: --idle-timeout, --no-wait-target, --max-conns-per-peer, --pipe-size, "
		    "--no-splice, --busy-poll, accept-proxy and send-proxy apply "
		    "to relayed connections, not to tunnel streams");
	if (cfg->oneway != CONN_ONEWAY_NONE)
		return log_fail("tunnel:CMD: socat's -u and -U (one direction "
		    "only) apply to relayed connections, not to tunnel "
		    "streams");
	if (cfg->stats.kind != ADDR_NONE)
		return log_fail("tunnel:CMD: --stats does not count tunnel "
		    "streams yet; leave it out");
	return 0;
}

/*
 * Parse and check the addresses, argv[0..argc): LISTEN TARGET... for relay,
 * LISTEN... for echo; merge the flags in fl with their address options
 * into cfg. Returns 0 or -1 (logged).
 */
static int
parse_addrs(int argc, char **argv, int echo, struct flag_opts *fl,
    struct relay_cfg *cfg)
{
	int nlisten = echo ? argc : 1;

	if (echo && argc < 1)
		return log_fail("echo needs at least one address to listen "
		    "on");
	if (!echo && argc < 2)
		return log_fail("relay needs LISTEN and at least one TARGET "
		    "(got %d address%s)", argc, argc == 1 ? "" : "es");
	if (!echo && argc - 1 > UPSTREAM_MAX)
		return log_fail("at most %d targets", UPSTREAM_MAX);
	if (nlisten > RELAY_MAX_LISTEN)
		return log_fail("at most 16 listen addresses");

	for (int i = 0; i < nlisten; i++) {
		struct addr *a = &cfg->listen[i];

		if (parse_addr(a, argv[i], ADDR_ROLE_LISTEN) == -1 ||
		    apply_listen_flags(a, fl, argv[i]) == -1 ||
		    check_names(a, argv[i]) == -1)
			return -1;
		if (echo && a->kind == ADDR_STDIO)
			return log_fail("%s: echo cannot listen on stdio",
			    argv[i]);
		if (a->opt.mode != -1 && a->kind != ADDR_UNIX)
			return log_fail("%s: --mode, --owner and --group need a "
			    "socket file (unix:/path)", argv[i]);
		if (merge_int(&fl->max_conns, a->opt.max_conns, "max-conns",
		    argv[i]) == -1 ||
		    merge_int(&fl->idle_ms, a->opt.idle_timeout_ms,
		    "idle-timeout", argv[i]) == -1)
			return -1;
	}
	cfg->nlisten = nlisten;
	if (cfg->exit_idle_ms > 0 && cfg->listen[0].kind == ADDR_STDIO)
		return log_fail("--exit-idle-time does not apply to stdio: the "
		    "relay ends with its one connection");
	for (int i = nlisten; !echo && i < argc; i++) {
		struct addr *t = &cfg->targets[cfg->ntargets++];

		if (parse_addr(t, argv[i], ADDR_ROLE_CONNECT) == -1)
			return -1;
		if (t->kind == ADDR_STDIO && cfg->listen[0].kind == ADDR_STDIO)
			return log_fail("stdio cannot be both LISTEN and "
			    "TARGET");
		if (t->kind == ADDR_STDIO && argc - nlisten > 1)
			return log_fail("stdio cannot be one of several "
			    "targets");
		if (t->kind == ADDR_FD || t->kind == ADDR_SYSTEMD)
			return log_fail("%s: inherited sockets are listen "
			    "addresses", argv[i]);
		if (t->opt.reuseaddr != -1)
			return log_fail("%s: reuseaddr applies to the listen "
			    "address", argv[i]);
		if (merge_int(&fl->connect_ms, t->opt.connect_timeout_ms,
		    "connect-timeout", argv[i]) == -1 ||
		    merge_int(&fl->idle_ms, t->opt.idle_timeout_ms,
		    "idle-timeout", argv[i]) == -1 ||
		    merge_int(&fl->max_conns, t->opt.max_conns, "max-conns",
		    argv[i]) == -1)
			return -1;
	}
	if (echo && fl->connect_ms != -1)
		return log_fail("echo has no target: --connect-timeout does "
		    "not apply");
	if (fl->max_conns != -1)
		cfg->max_conns = fl->max_conns;
	if (fl->connect_ms > 0)
		cfg->connect_timeout_ms = fl->connect_ms;
	if (fl->idle_ms != -1)
		cfg->idle_timeout_ms = fl->idle_ms;
	if (cfg->max_conns_per_peer > cfg->max_conns)
		return log_fail("--max-conns-per-peer %d: more than the %d "
		    "connections allowed in all (--max-conns); it would never "
		    "apply", cfg->max_conns_per_peer, cfg->max_conns);
	return 0;
}
/*
 * Parse the options and addresses of relay (echo == 0: LISTEN TARGET) or
 * echo (echo == 1: LISTEN...) into cfg. bare: socat's command line, with
 * no word "relay" (see socat_take_all). Returns 0, 1 when --help was
 * printed, or -1 on a usage error (logged).
 */
static int
parse_args(int argc, char **argv, int echo, int bare, struct relay_cfg *cfg,
    struct socatopt *so)
{
	struct relay_args ra = {
		cfg, { -1, -1, -1, -1, NULL, NULL, NULL }, echo, 0, 0, 0
	};
	struct flag_opts *fl = &ra.fl;
	const struct opt_entry opts[] = {
		{ "max-conns", 'c', OPT_INT, 1, 1000000, &fl->max_conns, NULL,
		    "not a number from 1 to 1000000" },
		{ "connect-timeout", 'T', OPT_FUNC_ARG, 0, 0, NULL,
		    opt_connect_timeout, NULL },
		{ "idle-timeout", 'i', OPT_DURATION, 0, 0, &fl->idle_ms, NULL,
		    DURATION_BAD },
		{ "drain-timeout", 'd', OPT_DURATION, 0, 0,
		    &cfg->drain_timeout_ms, NULL, DURATION_BAD },
		{ "no-wait-target", 0, OPT_FUNC, 0, 0, NULL, opt_no_wait,
		    NULL },
		{ "exit-idle-time", 0, OPT_FUNC_ARG, 0, 0, NULL,
		    opt_exit_idle, NULL },
		{ "mode", 0, OPT_STR, 0, 0, &fl->mode, NULL, NULL },
		{ "owner", 0, OPT_STR, 0, 0, &fl->user, NULL, NULL },
		{ "group", 0, OPT_STR, 0, 0, &fl->group, NULL, NULL },
		{ "user", 0, OPT_FUNC_ARG, 0, 0, NULL, opt_user, NULL },
		{ "pidfile", 0, OPT_STR, 0, 0, &cfg->pidfile, NULL, NULL },
		{ "stats", 0, OPT_FUNC_ARG, 0, 0, NULL, opt_stats, NULL },
		{ "backlog", 0, OPT_INT, 1, 65535, &fl->backlog, NULL,
		    "not a number from 1 to 65535" },
		{ "pipe-size", 0, OPT_SIZE, 4096, 16 * 1024 * 1024,
		    &cfg->pipe_size, NULL, "not a size from 4K to 16M" },
		{ "no-splice", 0, OPT_FLAG, 0, 0, &cfg->no_splice, NULL, NULL },
		{ "busy-poll", 0, OPT_INT, 1, 1000, &cfg->busy_poll_us, NULL,
		    "not a number of microseconds from 1 to 1000" },
		{ "discard", 0, OPT_FUNC, 0, 0, NULL, opt_discard, NULL },
		{ "balance", 0, OPT_FUNC_ARG, 0, 0, NULL, opt_balance, NULL },
		{ "keepalive", 0, OPT_FUNC_ARG, 0, 0, NULL, opt_keepalive, NULL },
		{ "tunnel-start", 0, OPT_FUNC_ARG, 0, 0, NULL, opt_tunnel_start,
		    NULL },
		{ "tunnel-keepalive", 0, OPT_FUNC_ARG, 0, 0, NULL,
		    opt_tunnel_keepalive, NULL },
		{ "max-conns-per-peer", 0, OPT_INT, 1, 1000000,
		    &cfg->max_conns_per_peer, NULL,
		    "not a number from 1 to 1000000" },
		{ "quiet", 'q', OPT_FLAG, 0, 0, &ra.quiet, NULL, NULL },
		{ "verbose", 'v', OPT_COUNT, 0, 0, &ra.verbose, NULL, NULL },
		{ "help", 'h', OPT_HELP, 0, 0, NULL, NULL, NULL },
		{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
	};
	char err[ADDR_ERR_MAX + 128];
	int first, rc;

	relay_cfg_init(cfg);
	socatopt_init(so);
	if (!echo && socat_take_all(opts, bare, &argc, argv, so) == -1)
		return -1;
	rc = opt_parse(opts, echo ? "echo" : "relay", echo ? OPT_IN_ORDER : 0,
	    argc, argv, &first, &ra, err, sizeof(err));
	if (rc == 1) {
		fputs(echo ? echo_help : relay_help, stdout);
		return 1;
	}
	if (rc == -1)
		return log_fail("%s", err);
	if (ra.quiet && ra.verbose)
		return log_fail("-q and -v cannot be combined");
	if (so->debug != -1 && (ra.quiet || ra.verbose))
		return log_fail("-d (socat's) cannot be combined with -q or -v");
	log_level = ra.quiet ? LOG_ERR : ra.verbose == 0 ? LOG_NOTICE :
	    ra.verbose == 1 ? LOG_INFO : LOG_DEBUG;
	/* socat's levels: without -d errors only, each -d one level more */
	if (so->debug != -1 || (bare && !ra.quiet && !ra.verbose))
		log_level = socatopt_log_level(so->debug);
	if (socat_apply(so, &fl->idle_ms, cfg) == -1 ||
	    parse_addrs(argc - first, argv + first, echo, fl, cfg) == -1)
		return -1;
	for (int i = 0; i < cfg->nlisten; i++)
		if (socat_family(&cfg->listen[i], argv[first + i],
		    so->family) == -1)
			return -1;
	for (int i = 0; i < cfg->ntargets; i++)
		if (socat_family(&cfg->targets[i],
		    argv[first + cfg->nlisten + i], so->family) == -1)
			return -1;
	return check_tunnel(&ra, cfg);
}
/*
 * "sockbridge relay", "sockbridge echo" and "sockbridge LISTEN TARGET":
 * main() passes the command name as argv[0], so "echo" picks the echo
 * server (no target: relay_run() echoes). Returns the exit status.
 */
static int
relay_main(int argc, char **argv, int bare)
{
	struct relay_cfg *cfg;
	struct socatopt so;
	int rc;

	if ((cfg = malloc(sizeof(*cfg))) == NULL) {
		log_err("out of memory");
		return 1;
	}
	rc = parse_args(argc, argv, strcmp(argv[0], cmd_echo.name) == 0, bare,
	    cfg, &so);
	if (rc == 0 && so.logfile != NULL &&
	    socat_log_to_file(so.logfile) == -1)
		rc = -2;
	if (rc == 0)
		rc = relay_run(cfg);
	else if (rc == -2)
		rc = 1;
	else
		rc = rc == 1 ? 0 : EXIT_USAGE;
	free(cfg);
	return rc;
}

static int
run_relay(int argc, char **argv)
{
	return relay_main(argc, argv, 0);
}

/* socat's command line: "sockbridge -d -d LISTEN TARGET" (main() saw an
 * option where a command or an address goes). */
static int
run_socat(int argc, char **argv)
{
	return relay_main(argc, argv, 1);
}

const struct cmd cmd_relay_socat = {
	"relay", "[socat options] LISTEN TARGET",
	"socat's command line: relay with socat's global options",
	run_socat,
};

const struct cmd cmd_relay = {
	"relay", "[-qv] [options] LISTEN TARGET [TARGET...]",
	"relay connections between unix sockets, tcp, stdio and commands",
	run_relay,
};

const struct cmd cmd_echo = {
	"echo", "[-qv] [options] LISTEN...",
	"echo server: send back what each connection sends",
	run_relay,
};
