/*
 * svccheck: see svccheck.h.
 *
 * What decides is what a client would see: the answer to the service's
 * own request, sent through the socket (through the relay, when it is
 * one). The relay's targets, checked one by one, say why.
 */
#include <sys/socket.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "diag_int.h"
#include "dockerfind.h"
#include "follow.h"
#include "net.h"
#include "probe.h"
#include "sockinfo.h"
#include "svccheck.h"
#include "verdict.h"

#define PASSIVE_MS	300	/* how long a server may take to speak first */
#define CMDLINE_MAX	8192

/* What following a relay found. */
struct relay_sum {
	int		 is_relay;
	char		 tool[16];
	pid_t		 pid;
	int		 nlive, ndead, nunknown;
	char		 dead[600];	/* "Y; Y refuses: Connection refused" */
	char		 live[300];	/* the first live target */
	int		 live_probed;	/* it was asked in the service's protocol */
	struct probe_result live_r;
};

/* Append text to the verdict v, after a space. */
static void
v_append(char *v, size_t vl, const char *text)
{
	size_t n = strlen(v);

	if (n + 2 < vl)
		snprintf(v + n, vl - n, "%s%s", n ? " " : "", text);
}

/* Dial a unix path, abstract name or tcp host and port. Returns 0 with
 * *fdp, or an errno. */
static int
dial(int kind, const char *path, const char *host, unsigned int port,
    int *fdp)
{
	char err[ADDR_ERR_MAX];
	struct net_sa sa;
	struct addr a;

	*fdp = -1;
	if (kind == FOLLOW_UNIX || kind == FOLLOW_ABSTRACT) {
		if (net_unix_sa(&sa, path, kind == FOLLOW_ABSTRACT) != 0)
			return ENAMETOOLONG;
	} else {
		addr_init(&a);
		a.kind = ADDR_TCP;
		a.host_given = 1;
		snprintf(a.host, sizeof(a.host), "%s", host);
		a.port = port;
		if (net_sockaddr(&a, 0, &sa, err, sizeof(err)) == -1)
			return EHOSTUNREACH;
	}
	return diag_try_connect((const struct sockaddr *)&sa.ss, sa.len,
	    PROBE_MS, fdp);
}

/* Dial the diag target t. */
static int
dial_target(const struct diag_target *t, int *fdp)
{
	return dial(t->kind == DIAG_UNIX ? FOLLOW_UNIX : t->kind ==
	    DIAG_ABSTRACT ? FOLLOW_ABSTRACT : FOLLOW_TCP, t->path, t->host,
	    t->port, fdp);
}

/* "Y refuses: Connection refused (ECONNREFUSED)" for target text y. */
static void
why_dead(const char *y, int e, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s: %s (%s)", y, e == ECONNREFUSED ? "refuses" :
	    "cannot be reached", strerror(e), verdict_errno_name(e));
}

/* The listener at the socket: pid and name. Returns 0 or -1. */
static int
owner_of(const struct diag_target *t, struct sockinfo_owner *o)
{
	char name[4200];
	long inode;

	if (t->kind == DIAG_TCP)
		return -1;
	snprintf(name, sizeof(name), "%s%s", t->kind == DIAG_ABSTRACT ? "@" :
	    "", t->path);
	if ((inode = sockinfo_listener(name)) <= 0 ||
	    sockinfo_owner((unsigned long)inode, o) != 0)
		return -1;
	return 0;
}

/*
 * The listener is sockbridge or socat: read its targets and check each
 * (in s's protocol where one is known). Fills rs; adds "relay" checks.
 */
static void
follow_relay(const struct diag_target *t, const char *x,
    const struct probe_svc *s, struct diag *d, struct relay_sum *rs)
{
	static char cmd[CMDLINE_MAX];
	struct sockinfo_owner o;
	struct follow_relay fr;
	char err[256], why[400], desc[300];
	ssize_t n;

	memset(rs, 0, sizeof(*rs));
	if (owner_of(t, &o) == -1 || (strcmp(o.comm, "sockbridge") != 0 &&
	    strcmp(o.comm, "socat") != 0))
		return;
	rs->is_relay = 1;
	rs->pid = o.pid;
	snprintf(rs->tool, sizeof(rs->tool), "%s", o.comm);
	if ((n = sockinfo_cmdline(o.pid, cmd, sizeof(cmd))) < 0) {
		diag_add(d, DIAG_NOTE, "relay", "the listener is %s (pid %d), "
		    "a relay; its command line %s, so its targets are not "
		    "checked", o.comm, (int)o.pid, n == -ENOSYS ? "cannot be "
		    "seen on this system" : strerror((int)-n));
		rs->nunknown++;
		return;
	}
	if (follow_parse(cmd, (size_t)n, &fr, err, sizeof(err)) == -1) {
		diag_add(d, DIAG_NOTE, "relay", "the listener is %s (pid %d): "
		    "%s", o.comm, (int)o.pid, err);
		rs->is_relay = 0;
		return;
	}
	for (int i = 0; i < fr.n; i++) {
		const struct follow_target *ft = &fr.t[i];
		int e, fd;

		if (ft->kind == FOLLOW_EXEC || ft->kind == FOLLOW_TUNNEL ||
		    ft->kind == FOLLOW_OTHER) {
			rs->nunknown++;
			diag_add(d, DIAG_NOTE, "relay", "the relay at %s (%s, "
			    "pid %d) forwards to %s: %s", x, o.comm, (int)o.pid,
			    ft->text, ft->kind == FOLLOW_EXEC ? "a command run "
			    "for each connection, which doctor does not run" :
			    ft->kind == FOLLOW_TUNNEL ? "a tunnel carrier; the "
			    "far side cannot be seen from here" : "an address "
			    "doctor cannot dial");
			continue;
		}
		e = dial((int)ft->kind, ft->path, ft->host, ft->port, &fd);
		if (e != 0) {
			rs->ndead++;
			why_dead(ft->text, e, why, sizeof(why));
			if (rs->dead[0] == '\0')
				snprintf(rs->dead, sizeof(rs->dead), "%s; %s",
				    ft->text, why);
			diag_add(d, DIAG_PROBLEM, "relay", "the relay at %s "
			    "(%s, pid %d) forwards to %s; %s", x, o.comm,
			    (int)o.pid, ft->text, why);
			continue;
		}
		rs->nlive++;
		if (s == NULL) {
			close(fd);
			diag_add(d, DIAG_OK, "relay", "the relay at %s (%s, "
			    "pid %d) forwards to %s, which accepts connections",
			    x, o.comm, (int)o.pid, ft->text);
			if (rs->live[0] == '\0')
				snprintf(rs->live, sizeof(rs->live), "%s",
				    ft->text);
			continue;
		}
		probe_run(fd, s, PROBE_MS, &rs->live_r);
		close(fd);
		if (rs->live[0] == '\0' || rs->live_r.outcome ==
		    PROBE_ANSWERED) {
			snprintf(rs->live, sizeof(rs->live), "%s", ft->text);
			rs->live_probed = 1;
		}
		diag_add(d, rs->live_r.outcome == PROBE_ANSWERED ? DIAG_OK :
		    DIAG_PROBLEM, "relay", "the relay at %s (%s, pid %d) "
		    "forwards to %s, which accepts connections; asked "
		    "directly, %s%s", x, o.comm, (int)o.pid, ft->text,
		    rs->live_r.outcome == PROBE_ANSWERED ? "" : "it ",
		    probe_describe(s, &rs->live_r, desc, sizeof(desc)));
	}
	if (fr.more > 0)
		diag_add(d, DIAG_NOTE, "relay", "%d more targets not checked",
		    fr.more);
}

/* The listening path a diag check found elsewhere ("PATH: listening
 * (...)"), or NULL. */
static const char *
alt_of(const struct diag *d, char *buf, size_t len)
{
	for (int i = 0; i < d->n; i++) {
		const char *c = strstr(d->c[i].text, ": listening (");

		if (strcmp(d->c[i].topic, "elsewhere") == 0 && c != NULL &&
		    d->c[i].text[0] == '/' && (size_t)(c - d->c[i].text) < len) {
			snprintf(buf, len, "%.*s", (int)(c - d->c[i].text),
			    d->c[i].text);
			return buf;
		}
	}
	return NULL;
}

/* Did diag find a server listening on this host under another name (a
 * socket of that name elsewhere, or a .s.PGSQL.N beside it)? Then that
 * is the answer, and containers are not searched. */
static int
local_answer(const struct diag *d)
{
	char alt[PATH_MAX];

	if (alt_of(d, alt, sizeof(alt)) != NULL)
		return 1;
	for (int i = 0; i < d->n; i++)
		if (strcmp(d->c[i].topic, "directory") == 0 &&
		    strstr(d->c[i].text, ": a server listens for port") != NULL)
			return 1;
	return 0;
}

/* Try each service in turn, a new connection each; stop at the first
 * that answers, or when the server closes on every client. Returns the
 * service that answered, or NULL; what each said goes into one check. */
static const struct probe_svc *
try_all(const struct diag_target *t, struct diag *d, struct probe_result *r)
{
	char said[DIAG_TEXT], desc[200];
	const struct probe_svc *found = NULL;
	size_t n;

	snprintf(said, sizeof(said), "--service auto: tried in turn");
	for (int i = 0; probe_all[i] != NULL && found == NULL; i++) {
		const struct probe_svc *s = probe_all[i];
		int fd;

		if (dial_target(t, &fd) != 0)
			break;
		probe_run(fd, s, s->req ? PROBE_MS / 2 : PASSIVE_MS * 2, r);
		close(fd);
		n = strlen(said);
		snprintf(said + n, sizeof(said) - n, "%s %s: %s", i ? ";" : "",
		    s->title, r->outcome == PROBE_ANSWERED ? "answered" :
		    probe_describe(s, r, desc, sizeof(desc)));
		if (r->outcome == PROBE_ANSWERED)
			found = s;
		else if (r->outcome == PROBE_CLOSED || r->outcome == PROBE_RESET)
			break;	/* it does that to every client */
	}
	diag_add(d, found ? DIAG_OK : DIAG_NOTE, "protocol", "%s", said);
	return found;
}

/* The connection worked: is the service there? Returns 1 if not. */
static int
check_live(const struct diag_target *t, const char *x, const char *who,
    const struct probe_svc *s, int autop, struct diag *d)
{
	struct probe_result r;
	struct relay_sum rs;
	char desc[300], adv[1200], v[sizeof(d->verdict)], *vv = d->verdict;
	size_t vl = sizeof(d->verdict);
	int fd, passive = 0, fail = 0, e;

	if (autop) {
		s = try_all(t, d, &r);
		if (s == NULL)
			passive = 1;
	} else {
		if ((e = dial_target(t, &fd)) != 0) {
			diag_add(d, DIAG_NOTE, "protocol", "a second "
			    "connection failed (%s): the server is not asked",
			    strerror(e));
			return 0;
		}
		if (s == NULL) {
			/* No protocol known: listen only. A MySQL greeting
			 * names the service; silence is what most servers
			 * give a client that has said nothing. */
			probe_run(fd, &probe_mysql, PASSIVE_MS, &r);
			if (r.outcome == PROBE_ANSWERED)
				s = &probe_mysql;
			else
				passive = 1;
		} else
			probe_run(fd, s, PROBE_MS, &r);
		close(fd);
	}
	if (passive && !autop) {
		if (r.outcome == PROBE_SILENT)
			diag_add(d, DIAG_NOTE, "protocol", "the server waits "
			    "for the client to speak (protocol not known from "
			    "the name; --service NAME or auto probes it)");
		else if (r.outcome == PROBE_OTHER || r.outcome == PROBE_CUT)
			diag_add(d, DIAG_NOTE, "protocol", "the server spoke "
			    "first: \"%s\"", r.detail);
		else
			diag_add(d, DIAG_PROBLEM, "protocol", "the server %s",
			    probe_describe(NULL, &r, desc, sizeof(desc)));
	} else if (!passive) {
		probe_describe(s, &r, desc, sizeof(desc));
		diag_add(d, r.outcome == PROBE_ANSWERED ? DIAG_OK :
		    DIAG_PROBLEM, "protocol", "%s%s", r.outcome ==
		    PROBE_ANSWERED ? "" : "the server ", desc);
	}
	if (passive)
		probe_describe(NULL, &r, desc, sizeof(desc));
	/* A client gets nothing: closed or reset at once, or (with a
	 * protocol known) no answer in it. */
	fail = passive ? (r.outcome == PROBE_CLOSED || r.outcome ==
	    PROBE_RESET) : r.outcome != PROBE_ANSWERED;

	if (t->kind != DIAG_TCP)
		follow_relay(t, x, s, d, &rs);
	else
		memset(&rs, 0, sizeof(rs));
	if (s)
		s->advice(x, adv, sizeof(adv));
	if (rs.is_relay && rs.ndead > 0 && rs.nlive == 0 && rs.nunknown == 0 &&
	    !(s && !passive && r.outcome == PROBE_ANSWERED))
		fail = 1;
	if (rs.is_relay && fail && rs.nlive == 0 && rs.dead[0]) {
		snprintf(v, sizeof(v), "The relay at %s (%s, pid %d) forwards "
		    "to %s. So nothing answers at %s: the relay %s. Start the "
		    "server behind it, or restart the relay with the address "
		    "where the server listens.", x, rs.tool, (int)rs.pid,
		    rs.dead, x, desc);
	} else if (rs.is_relay && fail) {
		snprintf(v, sizeof(v), "The relay at %s (%s, pid %d) forwards "
		    "to %s, which accepts connections, but %s%s: it %s.%s%s%s",
		    x, rs.tool, (int)rs.pid, rs.live[0] ? rs.live :
		    "its target", s && !passive ? s->title : "a client gets no "
		    "answer", s && !passive ? " does not answer through it" :
		    "", desc, rs.live_probed && rs.live_r.outcome !=
		    PROBE_ANSWERED ? " It is not a " : "", rs.live_probed &&
		    rs.live_r.outcome != PROBE_ANSWERED ? s->title : "",
		    rs.live_probed && rs.live_r.outcome != PROBE_ANSWERED ?
		    " server: point the relay at the right socket or port." :
		    " Check the relay's log.");
	} else if (fail) {
		if (s && !passive)
			snprintf(v, sizeof(v), "A process accepts connections at "
			    "%s%s, but it is not a working %s server: it %s. It "
			    "may be a relay or proxy whose target is down, "
			    "another kind of server, or a server that turns "
			    "you away; its log says why.", x, who, s->title,
			    desc);
		else
			snprintf(v, sizeof(v), "A process accepts connections at "
			    "%s%s, but it %s: no client gets a reply there. It "
			    "may be a relay or proxy whose target is down; its "
			    "log says why.", x, who, desc);
	} else if (s && !passive) {
		char rel[400] = "";

		if (rs.is_relay)
			snprintf(rel, sizeof(rel), ", through the relay (%s, pid "
			    "%d) to %s", rs.tool, (int)rs.pid, rs.live);
		char *cut = strstr(vv, " If your client still fails");

		/* diag's hint names libpq's settings: this service's
		 * follow instead. */
		if (cut != NULL && s != &probe_pg)
			*cut = '\0';
		snprintf(v, sizeof(v), "%s %s%s. Client settings: %s.", vv,
		    probe_describe(s, &r, desc, sizeof(desc)), rel, adv);
		if (rs.is_relay && rs.ndead > 0) {
			size_t n = strlen(v);

			snprintf(v + n, sizeof(v) - n, " Of its targets, %s.",
			    strchr(rs.dead, ';') + 2);
		}
	} else {
		snprintf(v, sizeof(v), "%s", vv);
		if (autop)
			v_append(v, sizeof(v), "None of the protocols doctor "
			    "knows answered (see the protocol check): the server "
			    "speaks another one.");
		if (rs.is_relay && rs.live[0]) {
			size_t n = strlen(v);

			snprintf(v + n, sizeof(v) - n, " It is a relay (%s) to "
			    "%s, which accepts connections.", rs.tool, rs.live);
		}
	}
	snprintf(vv, vl, "%s", v);
	return fail;
}

int
svccheck_run(const struct diag_target *t, const char *service, struct diag *d)
{
	const struct probe_svc *s = NULL;
	struct sockinfo_owner o;
	char x[4200], who[128], alt[PATH_MAX], adv[1200];
	int autop = 0;

	if (service != NULL && strcmp(service, "auto") == 0)
		autop = 1;
	else if (service != NULL)
		s = probe_by_name(service);
	else if (t->pg)
		s = &probe_pg;
	else if (t->kind == DIAG_UNIX)
		s = probe_by_path(t->path);
	else if (t->kind == DIAG_TCP)
		s = probe_by_port(t->port);
	if (t->kind == DIAG_TCP)
		snprintf(x, sizeof(x), strchr(t->host, ':') ? "tcp:[%s]:%u" :
		    "tcp:%s:%u", t->host, t->port);
	else
		snprintf(x, sizeof(x), "%s%s", t->kind == DIAG_ABSTRACT ? "@" :
		    "", t->path);
	if (!d->connect_ok) {
		if (t->kind == DIAG_UNIX && d->connect_errno == ENOENT &&
		    !local_answer(d))
			dockerfind_check(t->path, s ? s->port : t->pg_port, d);
		if (s != NULL && t->kind == DIAG_UNIX) {
			const char *p = alt_of(d, alt, sizeof(alt));

			s->advice(p ? p : t->path, adv, sizeof(adv));
			if (s != &probe_pg || strstr(d->verdict, "database.yml")
			    == NULL) {
				size_t n = strlen(adv);

				snprintf(adv + n, sizeof(adv) - n, ".");
				v_append(d->verdict, sizeof(d->verdict), p ?
				    "Client settings:" : "Once it listens, "
				    "client settings:");
				v_append(d->verdict, sizeof(d->verdict), adv);
			}
		}
		return 0;
	}
	who[0] = '\0';
	if (owner_of(t, &o) == 0)
		snprintf(who, sizeof(who), " (%s, pid %d)", o.comm, (int)o.pid);
	return check_live(t, x, who, s, autop, d);
}
