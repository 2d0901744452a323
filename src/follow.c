/*
 * follow: see follow.h.
 *
 * Options are skipped by name: an option that takes a value ("--pidfile
 * /run/x.pid", "-b 8192") must not be taken for an address, so each
 * tool's value-taking options are listed here. An unknown option is
 * taken to be a flag.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "errbuf.h"
#include "follow.h"

#define ARGS_MAX	64

/* sockbridge relay's options that take a value (cmd-relay.c). */
static const char *const relay_long[] = { "max-conns", "connect-timeout",
	"idle-timeout", "drain-timeout", "exit-idle-time", "mode", "owner",
	"group", "user", "pidfile", "stats", "backlog", "pipe-size",
	"busy-poll", "balance", "keepalive", "max-conns-per-peer", NULL };
static const char relay_short[] = "cTid";
/* socat's options that take a value (socat(1)); sockbridge's short form
 * takes socat's global options too. */
static const char *const socat_val[] = { "-b", "-t", "-T", "-lf", "-lp",
	"-L", "-W", "-S", "-r", "-R", NULL };

static int
in_list(const char *const *l, const char *s, size_t n)
{
	for (int i = 0; l[i] != NULL; i++)
		if (strlen(l[i]) == n && strncmp(l[i], s, n) == 0)
			return 1;
	return 0;
}

/* Does option a (of relay syntax when relay, else socat's) take the next
 * argument as its value? */
static int
takes_value(const char *a, int relay)
{
	if (!relay)
		return in_list(socat_val, a, strlen(a));
	if (a[1] == '-')
		return strchr(a, '=') == NULL &&
		    in_list(relay_long, a + 2, strlen(a + 2));
	/* -qvc 5: the last letter of a group may take the next argument;
	 * -c5 carries its own. */
	for (size_t i = 1; a[i] != '\0'; i++)
		if (strchr(relay_short, a[i]) != NULL)
			return a[i + 1] == '\0';
	return 0;
}

/* Fill t from the address text s. */
static void
take_target(struct follow_target *t, const char *s)
{
	char err[ADDR_ERR_MAX];
	struct addr a;

	memset(t, 0, sizeof(*t));
	snprintf(t->text, sizeof(t->text), "%s", s);
	t->kind = FOLLOW_OTHER;
	if (strncasecmp(s, "tunnel:", 7) == 0) {
		t->kind = FOLLOW_TUNNEL;
		return;
	}
	if (addr_parse(&a, s, err, sizeof(err)) == -1)
		return;
	switch (a.kind) {
	case ADDR_UNIX:
		t->kind = FOLLOW_UNIX;
		snprintf(t->path, sizeof(t->path), "%s", a.path);
		break;
	case ADDR_ABSTRACT:
		if (a.path_len == 0 || memchr(a.path, '\0', a.path_len))
			break;	/* a name with NULs cannot be named here */
		t->kind = FOLLOW_ABSTRACT;
		snprintf(t->path, sizeof(t->path), "%.*s", (int)a.path_len,
		    a.path);
		break;
	case ADDR_TCP:
		t->kind = FOLLOW_TCP;
		snprintf(t->host, sizeof(t->host), "%s", a.host_given ?
		    a.host : "127.0.0.1");
		t->port = a.port;
		break;
	case ADDR_EXEC:
		t->kind = FOLLOW_EXEC;
		break;
	default:
		break;
	}
}

/* Is s a listening address (socat's X-LISTEN, or a native one given
 * first)? Only socat keywords say so themselves. */
static int
is_listen(const char *s)
{
	char err[ADDR_ERR_MAX];
	struct addr a;

	return addr_parse(&a, s, err, sizeof(err)) == 0 &&
	    (a.role == ADDR_ROLE_LISTEN);
}

int
follow_parse(const char *cmd, size_t len, struct follow_relay *r, char *err,
    size_t errlen)
{
	const char *argv[ARGS_MAX], *addrs[ARGS_MAX], *base;
	int argc = 0, naddr = 0, relay = 0, i = 1, socat, opts = 1;
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	/* Split at the NULs; a last argument without one ends at len. */
	while (off < len && argc < ARGS_MAX) {
		const char *nul = memchr(cmd + off, '\0', len - off);
		size_t n = nul ? (size_t)(nul - (cmd + off)) : len - off;

		if (nul == NULL)
			break;	/* unterminated: cmdline always ends in NUL */
		argv[argc++] = cmd + off;
		off += n + 1;
	}
	if (argc == 0)
		return errbuf_set(err, errlen, "empty command line");
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	socat = strcmp(base, "socat") == 0;
	if (!socat && strncmp(base, "sockbridge", 10) != 0)
		return errbuf_set(err, errlen, "%.32s: not sockbridge or socat",
		    base);
	snprintf(r->tool, sizeof(r->tool), "%s", socat ? "socat" :
	    "sockbridge");
	if (!socat && argc > 1 && argv[1][0] != '-' &&
	    strchr(argv[1], ':') == NULL && argv[1][0] != '/' &&
	    argv[1][0] != '.' && argv[1][0] != '@') {
		if (strcmp(argv[1], "relay") != 0)
			return errbuf_set(err, errlen, "sockbridge %.32s: not a "
			    "relay", argv[1]);
		relay = 1;
		i = 2;
	}
	for (; i < argc; i++) {
		const char *a = argv[i];

		if (opts && strcmp(a, "--") == 0) {
			opts = 0;
			continue;
		}
		if (opts && a[0] == '-' && a[1] != '\0' && a[1] != ',') {
			if (relay && strncmp(a, "--stats=", 8) == 0)
				snprintf(r->stats, sizeof(r->stats), "%s", a + 8);
			if (takes_value(a, relay) && i + 1 < argc) {
				if (relay && strcmp(a, "--stats") == 0)
					snprintf(r->stats, sizeof(r->stats),
					    "%s", argv[i + 1]);
				i++;
			}
			continue;
		}
		addrs[naddr++] = a;
	}
	if (naddr < 2)
		return errbuf_set(err, errlen, "%s: no target on its command "
		    "line", r->tool);
	/* socat: the listening address may be either; sockbridge: first. */
	i = socat && naddr == 2 && !is_listen(addrs[0]) && is_listen(addrs[1]);
	snprintf(r->listen, sizeof(r->listen), "%s", addrs[i]);
	for (int k = 0; k < naddr; k++) {
		if (k == i)
			continue;
		if (r->n == FOLLOW_MAX) {
			r->more++;
			continue;
		}
		take_target(&r->t[r->n++], addrs[k]);
	}
	return 0;
}
