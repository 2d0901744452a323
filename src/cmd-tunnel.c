/*
 * cmd-tunnel: "sockbridge tunnel [options] [TARGET...]", either end of a
 * multiplexed tunnel (doc/tunnel-protocol.txt).
 *
 * Without --carrier it is the far end: it speaks the protocol on its own
 * stdin and stdout (run by the carrier: docker exec -i, kubectl exec -i,
 * ssh) and, for each stream the other end opens, dials one of its own
 * TARGETs, the only places it will ever connect to. With --carrier CMD it
 * is the near end: it runs CMD (restarted with back-off) and speaks the
 * protocol over CMD's stdio. Either end may --listen: each connection
 * accepted on the i-th --listen becomes a stream to the other end's
 * target i (with one target there, every stream goes to it). So
 * "relay LISTEN tunnel:CMD" is "tunnel --carrier CMD --listen LISTEN",
 * and a far end with --listen offers the near end's targets inside the
 * container: the reverse direction.
 */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accept.h"
#include "addr.h"
#include "carrier.h"
#include "cmd.h"
#include "dial.h"
#include "end.h"
#include "errbuf.h"
#include "listener.h"
#include "log.h"
#include "loop.h"
#include "num.h"
#include "opt.h"
#include "tunnel.h"

#define TUN_MAX_LISTEN	16
#define TUN_MAX_TARGETS	16
#define TUN_KEEPALIVE_MS	30000

static const char tunnel_help[] =
"usage: sockbridge tunnel [-qv] [options] [TARGET...]\n"
"\n"
"One end of a multiplexed tunnel: many connections as streams over one\n"
"byte stream (a carrier such as docker exec -i, kubectl exec -i or ssh).\n"
"\n"
"Without --carrier, speak the tunnel protocol on stdin and stdout (the far\n"
"end, run by the carrier). Each stream the other end opens for target i is\n"
"connected to the i-th TARGET (from 0); with one TARGET, every stream goes\n"
"there. No other place is ever dialed.\n"
"\n"
"  sockbridge relay unix:/tmp/pg.sock \\\n"
"    'tunnel:docker exec -i db sockbridge tunnel unix:/run/postgresql/.s.PGSQL.5432'\n"
"\n"
"Options:\n"
"  -C, --carrier CMD       the near end: run CMD (sh -c) and speak the\n"
"                          protocol over its stdin and stdout; restart it\n"
"                          with back-off when it exits\n"
"  -l, --listen ADDR       accept connections on ADDR (as relay's LISTEN) and\n"
"                          carry each to the other end's target i, i being\n"
"                          this --listen's position (from 0); up to 16\n"
"      --start launch|connect  with --carrier: start it at once (default)\n"
"                          or on the first connection\n"
"  -T, --connect-timeout S  with --carrier: a connection that arrives while\n"
"                          the carrier is down waits for it; when it fails\n"
"                          to start, those that waited S are reset\n"
"                          (default 10)\n"
"      --keepalive S | off  ping after S idle; a carrier silent for S more\n"
"                          is dead (default 30 with --carrier, off without)\n"
"      --max-streams N     most streams the other end may open to our\n"
"                          targets at once (1-1024, default 1024)\n"
"  -q, --quiet             errors only\n"
"  -v, --verbose           one line per stream event (-vv: more)\n"
"  -h, --help              this text\n"
"\n"
"Reverse (a host socket offered inside the container):\n"
"  sockbridge tunnel -C 'docker exec -i db sockbridge tunnel \\\n"
"    -l unix:/tmp/agent.sock' unix:$SSH_AUTH_SOCK\n"
"Several sockets over one carrier:\n"
"  sockbridge tunnel -C 'docker exec -i db sockbridge tunnel unix:/run/pg.sock\n"
"    unix:/run/redis.sock' -l unix:/tmp/pg.sock -l unix:/tmp/redis.sock\n"
"See sockbridge(1) and doc/tunnel-protocol.txt.\n";

struct tun {
	struct loop	*loop;
	const char	*carrier_cmd;
	int		 lazy;
	int		 keepalive_ms;	/* -1: the default */
	int		 wait_ms;	/* -T; -1: the default */
	int		 max_streams;
	const char	*listen_text[TUN_MAX_LISTEN];
	int		 nlisten;
	struct addr	 listen[TUN_MAX_LISTEN];
	struct listener	 ls[TUN_MAX_LISTEN * 2];
	int		 ls_target[TUN_MAX_LISTEN * 2];
	int		 nls;
	struct acceptor	 acc;
	struct dial_target target[TUN_MAX_TARGETS];
	int		 ntargets;
	struct tunnel	*t;		/* far end: the stdio session */
	struct carrier	*car;		/* near end */
	int		 status;
	int		 verbose, quiet;
	uint64_t	 paused;	/* times accepting paused */
};

static int
opt_listen(const char *v, void *ctx, char *err, size_t errlen)
{
	struct tun *tn = ctx;

	if (tn->nlisten == TUN_MAX_LISTEN)
		return errbuf_set(err, errlen, "at most %d --listen",
		    TUN_MAX_LISTEN);
	tn->listen_text[tn->nlisten++] = v;
	return 0;
}

static int
opt_start(const char *v, void *ctx, char *err, size_t errlen)
{
	struct tun *tn = ctx;

	if (strcmp(v, "launch") == 0)
		tn->lazy = 0;
	else if (strcmp(v, "connect") == 0)
		tn->lazy = 1;
	else
		return errbuf_set(err, errlen, "--start %s: not launch or "
		    "connect", v);
	return 0;
}

static int
opt_connect_timeout(const char *v, void *ctx, char *err, size_t errlen)
{
	struct tun *tn = ctx;

	if (num_parse_duration(v, &tn->wait_ms) == -1 || tn->wait_ms <= 0)
		return errbuf_set(err, errlen, "--connect-timeout %s: not a "
		    "duration above 0", v);
	return 0;
}

static int
opt_keepalive(const char *v, void *ctx, char *err, size_t errlen)
{
	struct tun *tn = ctx;

	if (strcmp(v, "off") == 0 || strcmp(v, "0") == 0) {
		tn->keepalive_ms = 0;
		return 0;
	}
	if (num_parse_duration(v, &tn->keepalive_ms) == -1 ||
	    tn->keepalive_ms < 100)
		return errbuf_set(err, errlen, "--keepalive %s: not a duration "
		    "of at least 100ms (or off)", v);
	return 0;
}

/* Dial target i for a stream the other end opened (tunnel_hooks). */
static int
tun_dial(void *arg, unsigned int i, int *pending, char *err, size_t errlen)
{
	struct tun *tn = arg;
	pid_t pid = -1;
	int fd;

	if (tn->ntargets == 0) {
		errbuf_set(err, errlen, "this end has no targets");
		return -ENOENT;
	}
	if (tn->ntargets == 1)
		i = 0;
	if (i >= (unsigned int)tn->ntargets) {
		errbuf_set(err, errlen, "no target %u: this end has %d", i,
		    tn->ntargets);
		return -ENOENT;
	}
	*pending = 0;
	fd = dial_start(&tn->target[i], pending, &pid);
	if (fd < 0)
		errbuf_set(err, errlen, "connect %s: %s", tn->target[i].name,
		    strerror(-fd));
	return fd < 0 ? (fd == -ENOENT ? -ECONNREFUSED : fd) : fd;
}

static void
tun_closed(void *arg)
{
	struct tun *tn = arg;

	if (tn->nls > 0)
		accept_closed(&tn->acc);
}

/* The far end's session ended: exit. */
static void
tun_dead(void *arg, const char *why)
{
	struct tun *tn = arg;

	if (strcmp(why, "closed") == 0 || strcmp(why, "the carrier closed") == 0)
		log_info("tunnel: %s", why);
	else {
		log_err("tunnel: %s", why);
		tn->status = 1;
	}
	loop_stop(tn->loop);
}

static const struct tunnel_hooks tun_hooks = {
	.dial = tun_dial,
	.dial_finish = dial_finish,
	.stream_closed = tun_closed,
	.dead = tun_dead,
};

/* accept hooks */
static void
acc_conn(void *arg, int fd, const struct listener *ls)
{
	struct tun *tn = arg;
	unsigned int target = (unsigned int)tn->ls_target[ls - tn->ls];
	char peer[160];
	int rc;

	if (!listener_allows(ls, fd, peer, sizeof(peer))) {
		log_escape(peer, sizeof(peer));
		log_warn("%s: denied %s (not in its allow list)", ls->name,
		    peer);
		close(fd);
		accept_closed(&tn->acc);
		return;
	}
	if (tn->car != NULL)
		rc = carrier_accept(tn->car, fd, target);
	else if ((rc = tunnel_open(tn->t, fd, target)) < 0)
		accept_closed(&tn->acc);
	if (rc < 0)
		log_info("%s: connection refused: %s", ls->name,
		    rc == -EAGAIN ? "the other end's stream limit" :
		    strerror(-rc));
}

static int
acc_nconns(void *arg)
{
	struct tun *tn = arg;

	return tn->car != NULL ? carrier_nstreams(tn->car) :
	    tn->t != NULL ? tunnel_nstreams(tn->t) : 0;
}

static void
acc_drain_expired(void *arg)
{
	(void)arg;
}

static const struct accept_hooks tun_accept_hooks = {
	.conn = acc_conn,
	.nconns = acc_nconns,
	.drain_expired = acc_drain_expired,
};

static void
on_signal(struct loop *l, int signo, void *arg)
{
	struct tun *tn = arg;

	if (signo == SIGCHLD) {
		pid_t pid;
		int st;

		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			(void)carrier_reaped(tn->car, pid, st);
		return;
	}
	loop_stop(l);
}

/* Parse argv into tn. Returns 0, 1 after --help, or -1 (logged). */
static int
tun_parse(struct tun *tn, int argc, char **argv)
{
	const struct opt_entry opts[] = {
		{ "carrier", 'C', OPT_STR, 0, 0, &tn->carrier_cmd, NULL, NULL },
		{ "listen", 'l', OPT_FUNC_ARG, 0, 0, NULL, opt_listen, NULL },
		{ "start", 0, OPT_FUNC_ARG, 0, 0, NULL, opt_start, NULL },
		{ "connect-timeout", 'T', OPT_FUNC_ARG, 0, 0, NULL,
		    opt_connect_timeout, NULL },
		{ "keepalive", 0, OPT_FUNC_ARG, 0, 0, NULL, opt_keepalive,
		    NULL },
		{ "max-streams", 0, OPT_INT, 1, TUNNEL_MAX_STREAMS,
		    &tn->max_streams, NULL, "not a number from 1 to 1024" },
		{ "quiet", 'q', OPT_FLAG, 0, 0, &tn->quiet, NULL, NULL },
		{ "verbose", 'v', OPT_COUNT, 0, 0, &tn->verbose, NULL, NULL },
		{ "help", 'h', OPT_HELP, 0, 0, NULL, NULL, NULL },
		{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
	};
	char err[ADDR_ERR_MAX + 128];
	int first, rc, start_given;

	tn->keepalive_ms = -1;
	tn->wait_ms = -1;
	tn->lazy = -1;
	rc = opt_parse(opts, "tunnel", 0, argc, argv, &first, tn, err,
	    sizeof(err));
	if (rc == 1) {
		fputs(tunnel_help, stdout);
		return 1;
	}
	if (rc == -1)
		return log_fail("%s", err);
	if (tn->quiet && tn->verbose)
		return log_fail("-q and -v cannot be combined");
	log_level = tn->quiet ? LOG_ERR : tn->verbose == 0 ? LOG_NOTICE :
	    tn->verbose == 1 ? LOG_INFO : LOG_DEBUG;
	start_given = tn->lazy != -1;
	if (tn->lazy == -1)
		tn->lazy = 0;
	if (start_given && tn->carrier_cmd == NULL)
		return log_fail("--start needs --carrier");
	if (tn->wait_ms != -1 && tn->carrier_cmd == NULL)
		return log_fail("--connect-timeout needs --carrier (the far end "
		    "dials its targets as the kernel allows)");
	if (tn->wait_ms == -1)
		tn->wait_ms = 10000;
	if (tn->carrier_cmd != NULL && tn->carrier_cmd[0] == '\0')
		return log_fail("--carrier: empty command");
	if (tn->keepalive_ms == -1)
		tn->keepalive_ms = tn->carrier_cmd != NULL ? TUN_KEEPALIVE_MS : 0;
	if (argc - first > TUN_MAX_TARGETS)
		return log_fail("at most %d targets", TUN_MAX_TARGETS);
	if (tn->carrier_cmd != NULL && tn->nlisten == 0 && argc == first)
		return log_fail("--carrier needs --listen or a TARGET: nothing "
		    "would use the tunnel");
	if (tn->carrier_cmd == NULL && tn->nlisten == 0 && argc == first)
		return log_fail("tunnel needs a TARGET or --listen (see "
		    "sockbridge tunnel --help)");
	for (int i = 0; i < tn->nlisten; i++) {
		struct addr *a = &tn->listen[i];

		if (addr_parse(a, tn->listen_text[i], err, sizeof(err)) == -1 ||
		    addr_check_role(a, ADDR_ROLE_LISTEN, err, sizeof(err)) == -1)
			return log_fail("%s: %s", tn->listen_text[i], err);
		if (a->kind == ADDR_STDIO)
			return log_fail("%s: the tunnel's stdio is the carrier; "
			    "listen on a socket", tn->listen_text[i]);
		if (a->opt.accept_proxy)
			return log_fail("%s: accept-proxy does not apply to "
			    "tunnel streams", tn->listen_text[i]);
	}
	for (int i = first; i < argc; i++) {
		struct addr a;

		if (addr_parse(&a, argv[i], err, sizeof(err)) == -1 ||
		    addr_check_role(&a, ADDR_ROLE_CONNECT, err, sizeof(err)) == -1)
			return log_fail("%s: %s", argv[i], err);
		if (a.kind == ADDR_STDIO || a.kind == ADDR_FD ||
		    a.kind == ADDR_SYSTEMD)
			return log_fail("%s: a tunnel target is a socket or "
			    "exec:CMD", argv[i]);
		if (a.opt.send_proxy > 0)
			return log_fail("%s: send-proxy does not apply to "
			    "tunnel streams", argv[i]);
		if (dial_prepare(&tn->target[tn->ntargets], &a, err,
		    sizeof(err)) == -1)
			return log_fail("%s: %s", argv[i], err);
		tn->ntargets++;
	}
	return 0;
}

/* Open the --listen addresses. Returns 0 or -1 (logged). */
static int
tun_listen(struct tun *tn)
{
	char err[ADDR_PATH_MAX + 256];

	for (int i = 0; i < tn->nlisten; i++) {
		int n = listener_open(&tn->listen[i], &tn->ls[tn->nls],
		    sizeof(tn->ls) / sizeof(tn->ls[0]) - (size_t)tn->nls,
		    err, sizeof(err));

		if (n < 0) {
			log_err("%s", err);
			return -1;
		}
		for (int k = tn->nls; k < tn->nls + n; k++) {
			tn->ls_target[k] = i;
			if (tn->ls[k].note[0] != '\0')
				log_warn("%s", tn->ls[k].note);
			log_notice("listening on %s", tn->ls[k].name);
		}
		tn->nls += n;
	}
	return 0;
}

static int
run_tunnel(int argc, char **argv)
{
	struct tun *tn = calloc(1, sizeof(*tn));
	int rc;

	if (tn == NULL) {
		log_err("out of memory");
		return 1;
	}
	if ((rc = tun_parse(tn, argc, argv)) != 0) {
		free(tn);
		return rc == 1 ? 0 : EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((tn->loop = loop_new()) == NULL) {
		log_err("event loop: %s", strerror(errno));
		free(tn);
		return 1;
	}
	loop_signal(tn->loop, SIGINT, on_signal, tn);
	loop_signal(tn->loop, SIGTERM, on_signal, tn);
	loop_signal(tn->loop, SIGCHLD, on_signal, tn);
	if (tun_listen(tn) == -1) {
		tn->status = 1;
		goto out;
	}
	accept_init(&tn->acc, tn->loop, tn->ls, tn->nls, 16384, 0, &tn->paused,
	    &tun_accept_hooks, tn);
	if (tn->carrier_cmd != NULL) {
		struct carrier_cfg cc;

		memset(&cc, 0, sizeof(cc));
		cc.cmd = tn->carrier_cmd;
		cc.lazy = tn->lazy;
		cc.wait_ms = tn->wait_ms;
		cc.keepalive_ms = tn->keepalive_ms;
		cc.max_streams = tn->max_streams;
		cc.ntargets = tn->ntargets;
		cc.dial = tn->ntargets > 0 ? tun_dial : NULL;
		cc.dial_finish = dial_finish;
		cc.stream_closed = tun_closed;
		cc.arg = tn;
		if ((tn->car = carrier_new(tn->loop, &cc)) == NULL) {
			log_err("out of memory");
			tn->status = 1;
			goto out_acc;
		}
	} else {
		struct tunnel_cfg tc;

		memset(&tc, 0, sizeof(tc));
		tc.name = "tunnel";
		tc.opener = 0;
		tc.max_streams = tn->max_streams;
		tc.keepalive_ms = tn->keepalive_ms;
		tc.ntargets = tn->ntargets;
		end_stdio_prepare();
		if ((tn->t = tunnel_new(tn->loop, STDIN_FILENO, STDOUT_FILENO,
		    &tc, &tun_hooks, tn)) == NULL) {
			log_err("tunnel: %s", strerror(errno));
			tn->status = 1;
			goto out_acc;
		}
	}
	accept_update(&tn->acc);
	if ((rc = loop_run(tn->loop)) < 0) {
		log_err("event loop: %s", strerror(-rc));
		tn->status = 1;
	}
out_acc:
	carrier_free(tn->car);
	tunnel_free(tn->t);
	accept_free(&tn->acc);
out:
	for (int i = 0; i < tn->nls; i++)
		(void)listener_close(&tn->ls[i]);
	loop_free(tn->loop);
	rc = tn->status;
	free(tn);
	return rc;
}

const struct cmd cmd_tunnel = {
	"tunnel", "[-qv] [-C CMD] [-l LISTEN]... [TARGET...]",
	"one end of a multiplexed tunnel over a carrier (docker exec, ssh)",
	run_tunnel,
};
