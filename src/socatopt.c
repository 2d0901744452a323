/*
 * socatopt: see socatopt.h. What socat does with each option is from
 * socat(1), OPTIONS; sockbridge's side of each is in sockbridge(1),
 * "socat compatibility".
 */
#include <sys/socket.h>

#include <string.h>

#include "errbuf.h"
#include "num.h"
#include "socatopt.h"

/* socat's options that sockbridge has no counterpart for, with what to
 * do instead. Matched on the whole word, or its start where socat glues
 * the value on (-lp<name>, -L<file>). */
static const struct {
	const char	*name;
	int		 glued;		/* the value may follow at once */
	const char	*why;
} refused[] = {
	{ "-x", 0, "socat's hex dump of the relayed data is not supported; "
	    "sockbridge logs connection events instead (-d -d -d, or "
	    "'sockbridge relay -v'); to see the bytes, run the relay with "
	    "--no-splice under strace -e trace=read,write" },
	{ "-t", 1, "socat's linger after a half-close is not supported: "
	    "sockbridge passes the EOF on and keeps relaying the other way "
	    "until that ends too; to bound an idle connection use -T SEC "
	    "(--idle-timeout)" },
	{ "-ly", 1, "logging to syslog is not supported; sockbridge logs to "
	    "stderr (the journal, under systemd), or to a file with -lf FILE" },
	{ "-lm", 1, "logging to syslog is not supported; sockbridge logs to "
	    "stderr (the journal, under systemd), or to a file with -lf FILE" },
	{ "-D", 0, "socat's file descriptor dump is not supported; "
	    "'sockbridge relay -vv' logs each connection's ends" },
	{ "-r", 1, "socat's raw dump to a file is not supported" },
	{ "-R", 1, "socat's raw dump to a file is not supported" },
	{ "-s", 0, "socat's sloppy mode is not supported: sockbridge refuses "
	    "an option it cannot apply" },
	{ "-g", 0, "socat's unchecked address options are not supported: "
	    "sockbridge refuses an option it cannot apply" },
	{ "-L", 1, "socat's lock file is not supported; --pidfile FILE "
	    "records the relay's process id" },
	{ "-W", 1, "socat's lock file is not supported; --pidfile FILE "
	    "records the relay's process id" },
	{ "-lp", 1, "socat's program name for messages is not supported" },
	{ "-lu", 0, "socat's microsecond log time stamps are not "
	    "supported" },
	{ "-lh", 0, "socat's host name in log lines is not supported" },
};

/* Letters relay has itself; after the word "relay" they are relay's. */
static const char relay_letters[] = "cTidqvh";

void
socatopt_init(struct socatopt *so)
{
	memset(so, 0, sizeof(*so));
	so->debug = -1;
	so->dir = SOCATOPT_BOTH;
	so->idle_ms = -1;
	so->family = AF_UNSPEC;
}

int
socatopt_log_level(int n)
{
	return n < 0 ? 0 : n > 4 ? 4 : n;
}

/*
 * The value of option name (e.g. "-b"): glued to arg after the name, or
 * the next word. Sets *used to the words taken. Returns the value, or NULL
 * with err filled.
 */
static const char *
value(const char *arg, const char *name, const char *next, int *used,
    char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (arg[n] != '\0') {
		*used = 1;
		return arg + n;
	}
	if (next == NULL) {
		errbuf_set(err, errlen, "option %s needs a value", name);
		return NULL;
	}
	*used = 2;
	return next;
}

/* Is arg exactly "-d", "-dd", ... ? Returns the count of d's, else 0. */
static int
d_count(const char *arg)
{
	size_t n = strlen(arg);

	if (n < 2 || arg[0] != '-' || strspn(arg + 1, "d") != n - 1)
		return 0;
	return (int)(n - 1);
}

/* Set the direction for -u or -U; the other one already given is an
 * error. Returns 1 or -1. */
static int
set_dir(struct socatopt *so, enum socatopt_dir dir, char *err,
    size_t errlen)
{
	if (so->dir != SOCATOPT_BOTH && so->dir != dir)
		return errbuf_set(err, errlen, "-u and -U cannot be combined: "
		    "each allows one direction only");
	so->dir = dir;
	return 1;
}

/* -4 or -6. Returns 1 or -1. */
static int
set_family(struct socatopt *so, int family, char *err, size_t errlen)
{
	if (so->family != AF_UNSPEC && so->family != family)
		return errbuf_set(err, errlen, "-4 and -6 cannot be combined");
	so->family = family;
	return 1;
}

int
socatopt_take(struct socatopt *so, int flags, const char *arg,
    const char *next, char *err, size_t errlen)
{
	const char *v;
	size_t sz;
	int used = 1, ms, n;

	if (arg[0] != '-' || arg[1] == '\0' || arg[1] == '-')
		return 0;
	if (strcmp(arg, "-h") == 0)
		return 0;
	if ((flags & SOCATOPT_RELAY) && strchr(relay_letters, arg[1]) != NULL) {
		/* "-d 5" and "-d5" are relay's --drain-timeout; "-dd", "-d
		 * -d" or "-d ADDR" cannot be, so that -d is socat's. */
		if (arg[1] != 'd' || (d_count(arg) == 0 && arg[2] != '\0') ||
		    (arg[2] == '\0' && next != NULL &&
		    num_parse_duration(next, &ms) == 0))
			return 0;
	}
	if ((n = d_count(arg)) > 0) {
		so->debug = (so->debug < 0 ? 0 : so->debug) + n;
		if (so->debug > 4)
			so->debug = 4;
		return 1;
	}
	if (strcmp(arg, "-v") == 0)
		return errbuf_set(err, errlen, "-v: socat's text dump of the "
		    "relayed data is not supported; for sockbridge's log of "
		    "connection events use -d -d -d, or 'sockbridge relay -v "
		    "LISTEN TARGET'");
	if (strcmp(arg, "-u") == 0)
		return set_dir(so, SOCATOPT_LEFT_TO_RIGHT, err, errlen);
	if (strcmp(arg, "-U") == 0)
		return set_dir(so, SOCATOPT_RIGHT_TO_LEFT, err, errlen);
	if (strcmp(arg, "-4") == 0)
		return set_family(so, AF_INET, err, errlen);
	if (strcmp(arg, "-6") == 0)
		return set_family(so, AF_INET6, err, errlen);
	if (strcmp(arg, "-ls") == 0) {
		so->log_stderr = 1;
		if (so->logfile != NULL)
			return errbuf_set(err, errlen, "-ls and -lf cannot be "
			    "combined");
		return 1;
	}
	if (strncmp(arg, "-lf", 3) == 0) {
		if ((v = value(arg, "-lf", next, &used, err, errlen)) == NULL)
			return -1;
		if (v[0] == '\0')
			return errbuf_set(err, errlen, "-lf: an empty file "
			    "name");
		if (so->log_stderr)
			return errbuf_set(err, errlen, "-ls and -lf cannot be "
			    "combined");
		if (so->logfile != NULL && strcmp(so->logfile, v) != 0)
			return errbuf_set(err, errlen, "-lf given twice");
		so->logfile = v;
		return used;
	}
	if (strncmp(arg, "-b", 2) == 0) {
		if ((v = value(arg, "-b", next, &used, err, errlen)) == NULL)
			return -1;
		if (num_parse_size(v, SOCATOPT_BUF_MIN, SOCATOPT_BUF_MAX,
		    &sz) == -1)
			return errbuf_set(err, errlen, "-b %s: not a size from "
			    "4K to 16M (sockbridge's --pipe-size: the most "
			    "bytes one direction holds and moves at a time)",
			    v);
		so->bufsize = (int)sz;
		return used;
	}
	if (strncmp(arg, "-T", 2) == 0) {
		if ((v = value(arg, "-T", next, &used, err, errlen)) == NULL)
			return -1;
		if (num_parse_duration(v, &ms) == -1 || ms == 0)
			return errbuf_set(err, errlen, "-T %s: not a duration "
			    "above 0 (like 5, 2.5, 250ms, 1m; at most a day)",
			    v);
		so->idle_ms = ms;
		return used;
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		size_t len = strlen(refused[i].name);

		if (strncmp(arg, refused[i].name, len) == 0 &&
		    (arg[len] == '\0' || refused[i].glued))
			return errbuf_set(err, errlen, "%s: %s",
			    refused[i].name, refused[i].why);
	}
	if (flags & SOCATOPT_RELAY)
		return 0;
	return errbuf_set(err, errlen, "%s: not one of socat's global options "
	    "that sockbridge takes (-d, -u, -U, -T, -b, -4, -6, -lf, -ls); "
	    "sockbridge's own options go after the command, as in "
	    "'sockbridge relay -q LISTEN TARGET'", arg);
}
