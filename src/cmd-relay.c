/*
 * cmd-relay: "sockbridge relay [options] LISTEN TARGET", and the option
 * parsing it shares with "sockbridge echo".
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cmd.h"
#include "keepalive.h"
#include "log.h"
#include "opt.h"
#include "listener.h"
#include "relay.h"
#include "upstream.h"

static const char relay_help[] =
"usage: sockbridge relay [-qv] [options] LISTEN TARGET [TARGET...]\n"
"       sockbridge LISTEN TARGET\n"
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
"  -d, --drain-timeout S     on SIGTERM, wait S for connections (default 10)\n"
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
"                            (default 64K)\n"
"      --no-splice           copy through user space instead of splice\n"
"      --busy-poll USEC      after traffic, poll up to USEC microseconds\n"
"                            (1 to 1000) before sleeping: lower latency on\n"
"                            VMs where waking an idle CPU is slow, at the\n"
"                            cost of that much CPU (default: off)\n"
"      --balance rr|first    how to spread connections over targets\n"
"      --keepalive IDLE[,INTVL[,CNT]] | off\n"
"                            TCP keepalive on accepted and dialed TCP sides\n"
"                            (default 60,10,6: probe after 60 s idle, every\n"
"                            10 s, drop after 6 unanswered; seconds 1-32767,\n"
"                            CNT 1-127)\n"
"  -q, --quiet               errors only\n"
"  -v, --verbose             one line per connection event (-vv: more)\n"
"  -h, --help                this text\n"
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
"  -d, --drain-timeout S;\n"
"  --mode, --owner, --group, --backlog, --pipe-size, --no-splice,\n"
"  --busy-poll, --keepalive, --user, --pidfile, --stats; -q; -v;\n"
"  -h, --help: as for relay.\n";

enum {
	OPT_MODE = 256,
	OPT_OWNER,
	OPT_USER,
	OPT_STATS,
	OPT_PIDFILE,
	OPT_GROUP,
	OPT_BACKLOG,
	OPT_PIPE,
	OPT_NOSPLICE,
	OPT_DISCARD,
	OPT_BALANCE,
	OPT_BUSY,
	OPT_KEEPALIVE,
	OPT_PERPEER,
};

static const struct option longopts[] = {
	{ "max-conns",		required_argument,	NULL, 'c' },
	{ "connect-timeout",	required_argument,	NULL, 'T' },
	{ "idle-timeout",	required_argument,	NULL, 'i' },
	{ "drain-timeout",	required_argument,	NULL, 'd' },
	{ "mode",		required_argument,	NULL, OPT_MODE },
	{ "owner",		required_argument,	NULL, OPT_OWNER },
	{ "user",		required_argument,	NULL, OPT_USER },
	{ "stats",		required_argument,	NULL, OPT_STATS },
	{ "pidfile",		required_argument,	NULL, OPT_PIDFILE },
	{ "group",		required_argument,	NULL, OPT_GROUP },
	{ "backlog",		required_argument,	NULL, OPT_BACKLOG },
	{ "pipe-size",		required_argument,	NULL, OPT_PIPE },
	{ "no-splice",		no_argument,		NULL, OPT_NOSPLICE },
	{ "busy-poll",		required_argument,	NULL, OPT_BUSY },
	{ "keepalive",		required_argument,	NULL, OPT_KEEPALIVE },
	{ "max-conns-per-peer",	required_argument,	NULL, OPT_PERPEER },
	{ "discard",		no_argument,		NULL, OPT_DISCARD },
	{ "balance",		required_argument,	NULL, OPT_BALANCE },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "help",		no_argument,		NULL, 'h' },
	{ NULL,			0,			NULL, 0 },
};

/* Flags that mirror address options; -1 or "" when not given. */
struct flag_opts {
	int	 max_conns, connect_ms, idle_ms, backlog;
	char	 mode[16], user[ADDR_NAME_MAX], group[ADDR_NAME_MAX];
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
	if (flag[0] == '\0')
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
	char err[ADDR_ERR_MAX], spec[64];

	if (fl->mode[0] != '\0') {
		struct addr tmp;

		snprintf(spec, sizeof(spec), "unix:/x,mode=%s", fl->mode);
		if (addr_parse(&tmp, spec, err, sizeof(err)) == -1)
			return log_fail("--mode %s: not an octal mode "
			    "(like 0660)", fl->mode);
		if (merge_int(&a->opt.mode, tmp.opt.mode, "mode", text) == -1)
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
		if (listener_uid(o->allow_user[i], &uid, NULL) == -1)
			return log_fail("%s: allow-user=%s: no such user", text,
			    o->allow_user[i]);
	for (int i = 0; i < o->nallow_group; i++)
		if (listener_gid(o->allow_group[i], &gid) == -1)
			return log_fail("%s: allow-group=%s: no such group",
			    text, o->allow_group[i]);
	if (o->user[0] != '\0' && listener_uid(o->user, &uid, NULL) == -1)
		return log_fail("%s: user=%s: no such user", text, o->user);
	if (o->group[0] != '\0' && listener_gid(o->group, &gid) == -1)
		return log_fail("%s: group=%s: no such group", text, o->group);
	return 0;
}

static int
parse_duration_flag(const char *name, const char *v, int *ms)
{
	if (addr_parse_duration(v, ms) == -1)
		return log_fail("%s %s: not a duration (like 5, 2.5, 250ms, "
		    "1m; at most a day)", name, v);
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

/*
 * Parse the options and addresses of relay (echo == 0: LISTEN TARGET) or
 * echo (echo == 1: LISTEN...) into cfg. Returns 0, 1 when --help was
 * printed, or -1 on a usage error (logged).
 */
static int
parse_args(int argc, char **argv, int echo, struct relay_cfg *cfg)
{
	struct flag_opts fl = { -1, -1, -1, -1, "", "", "" };
	int ch, verbose = 0, quiet = 0, nlisten, li = -1;
	const char *bad;
	long n;

	relay_cfg_init(cfg);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, echo ? "+c:T:i:d:qvh" :
	    "c:T:i:d:qvh", longopts, &li)) != -1) {
		if (li >= 0 && opt_exact(argv, optind, &longopts[li], &bad) == -1)
			return log_fail("unknown option '%s' (did you mean "
			    "--%s?)", bad, longopts[li].name);
		li = -1;
		switch (ch) {
		case 'c':
			if (addr_parse_int(optarg, 1, 1000000, &n) == -1)
				return log_fail("--max-conns %s: not a number "
				    "from 1 to 1000000", optarg);
			fl.max_conns = (int)n;
			break;
		case 'T':
			if (parse_duration_flag("--connect-timeout", optarg,
			    &fl.connect_ms) == -1)
				return -1;
			if (fl.connect_ms == 0)
				return log_fail("--connect-timeout %s: must be "
				    "more than 0", optarg);
			break;
		case 'i':
			if (parse_duration_flag("--idle-timeout", optarg,
			    &fl.idle_ms) == -1)
				return -1;
			break;
		case 'd':
			if (parse_duration_flag("--drain-timeout", optarg,
			    &cfg->drain_timeout_ms) == -1)
				return -1;
			break;
		case OPT_MODE:
			snprintf(fl.mode, sizeof(fl.mode), "%s", optarg);
			break;
		case OPT_OWNER:
			snprintf(fl.user, sizeof(fl.user), "%s", optarg);
			break;
		case OPT_USER: {
			char name[ADDR_NAME_MAX], *colon;
			uid_t uid;
			gid_t gid;

			/* Check now, not after binding. */
			snprintf(name, sizeof(name), "%s", optarg);
			if ((colon = strchr(name, ':')) != NULL)
				*colon++ = '\0';
			if (listener_uid(name, &uid, &gid) == -1)
				return log_fail("--user %s: no such user", name);
			if (colon != NULL && listener_gid(colon, &gid) == -1)
				return log_fail("--user %s: no such group %s",
				    optarg, colon);
			cfg->user = optarg;
			break;
		}
		case OPT_PIDFILE:
			cfg->pidfile = optarg;
			break;
		case OPT_STATS: {
			char err[ADDR_ERR_MAX];

			if (addr_parse(&cfg->stats, optarg, err,
			    sizeof(err)) == -1 ||
			    addr_check_role(&cfg->stats, ADDR_ROLE_LISTEN, err,
			    sizeof(err)) == -1)
				return log_fail("--stats %s: %s", optarg, err);
			if (cfg->stats.kind != ADDR_UNIX &&
			    cfg->stats.kind != ADDR_ABSTRACT &&
			    cfg->stats.kind != ADDR_TCP)
				return log_fail("--stats %s: use a unix or tcp "
				    "address", optarg);
			break;
		}
		case OPT_GROUP:
			snprintf(fl.group, sizeof(fl.group), "%s", optarg);
			break;
		case OPT_BACKLOG:
			if (addr_parse_int(optarg, 1, 65535, &n) == -1)
				return log_fail("--backlog %s: not a number "
				    "from 1 to 65535", optarg);
			fl.backlog = (int)n;
			break;
		case OPT_PIPE: {
			size_t sz;

			if (addr_parse_size(optarg, 4096, 16 * 1024 * 1024,
			    &sz) == -1)
				return log_fail("--pipe-size %s: not a size "
				    "from 4K to 16M", optarg);
			cfg->pipe_size = (int)sz;
			break;
		}
		case OPT_NOSPLICE:
			cfg->no_splice = 1;
			break;
		case OPT_PERPEER:
			if (addr_parse_int(optarg, 1, 1000000, &n) == -1)
				return log_fail("--max-conns-per-peer %s: not a "
				    "number from 1 to 1000000", optarg);
			cfg->max_conns_per_peer = (int)n;
			break;
		case OPT_KEEPALIVE: {
			char err[ADDR_ERR_MAX];

			if (keepalive_parse(optarg, &cfg->keepalive, err,
			    sizeof(err)) == -1)
				return log_fail("--keepalive %s: %s", optarg, err);
			break;
		}
		case OPT_BUSY:
			if (addr_parse_int(optarg, 1, 1000, &n) == -1)
				return log_fail("--busy-poll %s: not a number "
				    "of microseconds from 1 to 1000", optarg);
			cfg->busy_poll_us = (int)n;
			break;
		case OPT_BALANCE:
			if (echo)
				return log_fail("--balance is a relay option");
			if (strcmp(optarg, "rr") == 0 ||
			    strcmp(optarg, "round-robin") == 0)
				cfg->balance = UPSTREAM_RR;
			else if (strcmp(optarg, "first") == 0)
				cfg->balance = UPSTREAM_FIRST;
			else
				return log_fail("--balance %s: use rr or first",
				    optarg);
			break;
		case OPT_DISCARD:
			if (!echo)
				return log_fail("--discard is an echo option");
			cfg->discard = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			fputs(echo ? echo_help : relay_help, stdout);
			return 1;
		default:
			if (optopt != 0 && strchr("cTid", optopt) != NULL)
				return log_fail("option -%c needs a value",
				    optopt);
			return log_fail("unknown option '%s' (see "
			    "'sockbridge %s --help')", argv[optind - 1],
			    echo ? "echo" : "relay");
		}
	}
	if (quiet && verbose)
		return log_fail("-q and -v cannot be combined");
	log_level = quiet ? LOG_ERR : verbose == 0 ? LOG_NOTICE :
	    verbose == 1 ? LOG_INFO : LOG_DEBUG;

	argc -= optind;
	argv += optind;
	nlisten = echo ? argc : 1;
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
		    apply_listen_flags(a, &fl, argv[i]) == -1 ||
		    check_names(a, argv[i]) == -1)
			return -1;
		if (echo && a->kind == ADDR_STDIO)
			return log_fail("%s: echo cannot listen on stdio",
			    argv[i]);
		if (a->opt.mode != -1 && a->kind != ADDR_UNIX)
			return log_fail("%s: --mode, --owner and --group need a "
			    "socket file (unix:/path)", argv[i]);
		if (merge_int(&fl.max_conns, a->opt.max_conns, "max-conns",
		    argv[i]) == -1 ||
		    merge_int(&fl.idle_ms, a->opt.idle_timeout_ms,
		    "idle-timeout", argv[i]) == -1)
			return -1;
	}
	cfg->nlisten = nlisten;
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
		if (merge_int(&fl.connect_ms, t->opt.connect_timeout_ms,
		    "connect-timeout", argv[i]) == -1 ||
		    merge_int(&fl.idle_ms, t->opt.idle_timeout_ms,
		    "idle-timeout", argv[i]) == -1 ||
		    merge_int(&fl.max_conns, t->opt.max_conns, "max-conns",
		    argv[i]) == -1)
			return -1;
	}
	if (echo && fl.connect_ms != -1)
		return log_fail("echo has no target: --connect-timeout does "
		    "not apply");
	if (fl.max_conns != -1)
		cfg->max_conns = fl.max_conns;
	if (cfg->max_conns_per_peer > cfg->max_conns)
		return log_fail("--max-conns-per-peer %d: more than the %d "
		    "connections allowed in all (--max-conns); it would never "
		    "apply", cfg->max_conns_per_peer, cfg->max_conns);
	if (fl.connect_ms > 0)
		cfg->connect_timeout_ms = fl.connect_ms;
	if (fl.idle_ms != -1)
		cfg->idle_timeout_ms = fl.idle_ms;
	return 0;
}

static int
run_relay(int argc, char **argv)
{
	struct relay_cfg *cfg;
	int rc;

	if ((cfg = malloc(sizeof(*cfg))) == NULL) {
		log_err("out of memory");
		return 1;
	}
	rc = parse_args(argc, argv, 0, cfg);
	if (rc == 0)
		rc = relay_run(cfg);
	else
		rc = rc == 1 ? 0 : EXIT_USAGE;
	free(cfg);
	return rc;
}

static int
run_echo(int argc, char **argv)
{
	struct relay_cfg *cfg;
	int rc;

	if ((cfg = malloc(sizeof(*cfg))) == NULL) {
		log_err("out of memory");
		return 1;
	}
	rc = parse_args(argc, argv, 1, cfg);
	if (rc == 0)
		rc = relay_run(cfg);	/* target ADDR_NONE: echo */
	else
		rc = rc == 1 ? 0 : EXIT_USAGE;
	free(cfg);
	return rc;
}

const struct cmd cmd_relay = {
	"relay", "[-qv] [options] LISTEN TARGET [TARGET...]",
	"relay connections between unix sockets, tcp, stdio and commands",
	run_relay,
};

const struct cmd cmd_echo = {
	"echo", "[-qv] [options] LISTEN...",
	"echo server: send back what each connection sends",
	run_echo,
};
