/*
 * addr: parse relay addresses. See addr.h.
 *
 * Grammar:  ADDRESS  := FORM [ "," OPTION ]*
 *           FORM     := native ("unix:", "tcp:", "exec:", "fd:", "systemd",
 *                       "-", "stdio", or a path starting with "/" or ".")
 *                     | socat keyword ":" arguments
 *           OPTION   := key [ "=" value ]
 * Commas inside '...' or "..." or after a backslash do not split, so an exec
 * command may hold them.
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errbuf.h"
#include "addr.h"
#include "cidr.h"
#include "num.h"
#include "sys.h"

/* socat keywords for stream addresses, and what each one means here. */
static const struct {
	const char	*name;
	enum addr_kind	 kind;
	enum addr_role	 role;
	int		 family;
} socat_kw[] = {
	{ "UNIX-LISTEN",	ADDR_UNIX,	ADDR_ROLE_LISTEN,	AF_UNSPEC },
	{ "UNIX-CONNECT",	ADDR_UNIX,	ADDR_ROLE_CONNECT,	AF_UNSPEC },
	{ "UNIX-CLIENT",	ADDR_UNIX,	ADDR_ROLE_CONNECT,	AF_UNSPEC },
	{ "ABSTRACT-LISTEN",	ADDR_ABSTRACT,	ADDR_ROLE_LISTEN,	AF_UNSPEC },
	{ "ABSTRACT-CONNECT",	ADDR_ABSTRACT,	ADDR_ROLE_CONNECT,	AF_UNSPEC },
	{ "ABSTRACT-CLIENT",	ADDR_ABSTRACT,	ADDR_ROLE_CONNECT,	AF_UNSPEC },
	{ "TCP-LISTEN",		ADDR_TCP,	ADDR_ROLE_LISTEN,	AF_UNSPEC },
	{ "TCP4-LISTEN",	ADDR_TCP,	ADDR_ROLE_LISTEN,	AF_INET },
	{ "TCP6-LISTEN",	ADDR_TCP,	ADDR_ROLE_LISTEN,	AF_INET6 },
	{ "TCP-CONNECT",	ADDR_TCP,	ADDR_ROLE_CONNECT,	AF_UNSPEC },
	{ "TCP",		ADDR_TCP,	ADDR_ROLE_CONNECT,	AF_UNSPEC },
	{ "TCP4",		ADDR_TCP,	ADDR_ROLE_CONNECT,	AF_INET },
	{ "TCP6",		ADDR_TCP,	ADDR_ROLE_CONNECT,	AF_INET6 },
	{ "STDIO",		ADDR_STDIO,	ADDR_ROLE_ANY,		AF_UNSPEC },
	{ "EXEC",		ADDR_EXEC,	ADDR_ROLE_CONNECT,	AF_UNSPEC },
	{ "SYSTEM",		ADDR_EXEC,	ADDR_ROLE_CONNECT,	AF_UNSPEC },
};

/* socat options that exist but that sockbridge does not implement: named so
 * the error can say "not supported" rather than "unknown". */
static const char *const socat_unsupported[] = {
	"pty", "stderr", "setsid", "ctty", "crlf", "cr", "ignoreeof", "raw",
	"echo", "su", "su-d", "chroot", "nofork", "pipes", "sigint", "sigquit",
	"range", "tcpwrap", "retry", "forever", "interval", "keepalive",
	"linger", "rcvbuf", "sndbuf", "mss", "ttl", "tos", "sourceport",
	"lowport", "pf", "ipv4", "ipv6", "so-reuseport", "reuseport",
	"unlink", "unlink-late", "user-late", "group-late", "perm-late",
	"umask", "setuid", "setgid", "accept-timeout", "readbytes", "end-close",
	"shut-none", "shut-down", "shut-close", "shut-null", "null-eof",
	"cool-write", "lockfile", "waitlock", "escape", "fdin", "fdout",
	"nonblock", "o-append", "creat", "lseek", "verbose", "b", "mode-late",
};

void
addr_init(struct addr *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = ADDR_NONE;
	a->family = AF_UNSPEC;
	a->fd = -1;
	a->opt.mode = -1;
	a->opt.backlog = -1;
	a->opt.reuseaddr = -1;
	a->opt.unlink_close = -1;
	a->opt.connect_timeout_ms = -1;
	a->opt.idle_timeout_ms = -1;
	a->opt.max_conns = -1;
	a->opt.max_fails = -1;
	a->opt.fail_timeout_ms = -1;
}

int
addr_parse_mode(const char *s, int *mode)
{
	unsigned long m;
	char *end;

	if (s == NULL || *s < '0' || *s > '7')
		return -1;
	errno = 0;
	m = strtoul(s, &end, 8);
	if (errno != 0 || *end != '\0' || m > 07777)
		return -1;
	*mode = (int)m;
	return 0;
}

/*
 * Copy the next comma-separated field of *sp into out, honouring quotes and
 * backslashes. keep_quotes leaves them in (an exec command goes to the
 * shell, which strips them itself). Returns the field length or -1 if it does
 * not fit or a quote is left open.
 */
static int
next_field(const char **sp, char *out, size_t outlen, int keep_quotes)
{
	const char *s = *sp;
	char quote = 0;
	size_t n = 0;

	for (; *s != '\0'; s++) {
		char c = *s;

		if (quote == 0 && c == ',')
			break;
		if (c == '\\' && s[1] != '\0' && quote != '\'') {
			if (keep_quotes && s[1] != ',') {
				if (n + 1 >= outlen)
					return -1;
				out[n++] = c;
			}
			c = *++s;
		} else if (quote == 0 && (c == '\'' || c == '"')) {
			quote = c;
			if (!keep_quotes)
				continue;
		} else if (quote != 0 && c == quote) {
			quote = 0;
			if (!keep_quotes)
				continue;
		}
		if (n + 1 >= outlen)
			return -1;
		out[n++] = c;
	}
	if (quote != 0)
		return -1;
	out[n] = '\0';
	*sp = (*s == ',') ? s + 1 : s;
	return (int)n;
}

static int
parse_bool(const char *v, int *out)
{
	if (v == NULL || strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 ||
	    strcasecmp(v, "true") == 0 || strcasecmp(v, "on") == 0)
		*out = 1;
	else if (strcmp(v, "0") == 0 || strcasecmp(v, "no") == 0 ||
	    strcasecmp(v, "false") == 0 || strcasecmp(v, "off") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int
copy_name(char *dst, size_t dstlen, const char *v)
{
	size_t n;

	if (v == NULL || *v == '\0')
		return -1;
	n = strlen(v);
	if (n >= dstlen)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && strchr("._-$", v[i]) == NULL)
			return -1;
	memcpy(dst, v, n + 1);
	return 0;
}

/* Apply one "key[=value]" option to a. */
static int
parse_option(struct addr *a, char *kv, char *err, size_t errlen)
{
	struct addr_opts *o = &a->opt;
	char *v = strchr(kv, '=');
	long n;
	size_t i;

	if (v != NULL)
		*v++ = '\0';
	for (char *p = kv; *p != '\0'; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (*p == '_')
			*p = '-';
	}
	if (*kv == '\0')
		return errbuf_set(err, errlen, "empty option");

	if (strcmp(kv, "fork") == 0) {
		/* Always concurrent: every connection is served. */
		return 0;
	} else if (strcmp(kv, "mode") == 0 || strcmp(kv, "perm") == 0) {
		if (v == NULL || *v == '\0')
			return errbuf_set(err, errlen, "option '%s' needs a value", kv);
		if (addr_parse_mode(v, &o->mode) == -1)
			return errbuf_set(err, errlen,
			    "%s=%s: not an octal mode (like 0660)", kv, v);
	} else if (strcmp(kv, "user") == 0 || strcmp(kv, "owner") == 0) {
		if (copy_name(o->user, sizeof(o->user), v) == -1)
			return errbuf_set(err, errlen, "%s=%s: not a user name or id",
			    kv, v ? v : "");
	} else if (strcmp(kv, "group") == 0) {
		if (copy_name(o->group, sizeof(o->group), v) == -1)
			return errbuf_set(err, errlen, "%s=%s: not a group name or id",
			    kv, v ? v : "");
	} else if (strcmp(kv, "backlog") == 0) {
		if (num_parse_int(v, 1, 65535, &n) == -1)
			return errbuf_set(err, errlen,
			    "backlog=%s: not a number from 1 to 65535", v ? v : "");
		o->backlog = (int)n;
	} else if (strcmp(kv, "reuseaddr") == 0) {
		if (parse_bool(v, &o->reuseaddr) == -1)
			return errbuf_set(err, errlen, "reuseaddr=%s: not 0 or 1", v);
	} else if (strcmp(kv, "unlink-early") == 0) {
		if (parse_bool(v, &o->unlink_early) == -1)
			return errbuf_set(err, errlen, "unlink-early=%s: not 0 or 1", v);
	} else if (strcmp(kv, "unlink-close") == 0) {
		if (parse_bool(v, &o->unlink_close) == -1)
			return errbuf_set(err, errlen, "unlink-close=%s: not 0 or 1", v);
	} else if (strcmp(kv, "connect-timeout") == 0) {
		if (num_parse_duration(v, &o->connect_timeout_ms) == -1)
			return errbuf_set(err, errlen,
			    "connect-timeout=%s: not a duration (like 5 or 250ms)",
			    v ? v : "");
	} else if (strcmp(kv, "idle-timeout") == 0) {
		if (num_parse_duration(v, &o->idle_timeout_ms) == -1)
			return errbuf_set(err, errlen,
			    "idle-timeout=%s: not a duration (like 60 or 2m)",
			    v ? v : "");
	} else if (strcmp(kv, "max-children") == 0 ||
	    strcmp(kv, "max-conns") == 0) {
		if (num_parse_int(v, 1, 1000000, &n) == -1)
			return errbuf_set(err, errlen,
			    "%s=%s: not a number from 1 to 1000000", kv, v ? v : "");
		o->max_conns = (int)n;
	} else if (strcmp(kv, "bind") == 0) {
		if (v == NULL || *v == '\0' || strlen(v) >= sizeof(o->bind))
			return errbuf_set(err, errlen, "bind needs an address");
		memcpy(o->bind, v, strlen(v) + 1);
	} else if (strcmp(kv, "max-fails") == 0) {
		if (num_parse_int(v, 0, 1000, &n) == -1)
			return errbuf_set(err, errlen,
			    "max-fails=%s: not a number from 0 to 1000", v ? v : "");
		o->max_fails = (int)n;
	} else if (strcmp(kv, "fail-timeout") == 0) {
		if (num_parse_duration(v, &o->fail_timeout_ms) == -1)
			return errbuf_set(err, errlen,
			    "fail-timeout=%s: not a duration (like 10s)", v ? v : "");
	} else if (strcmp(kv, "backup") == 0) {
		if (parse_bool(v, &o->backup) == -1)
			return errbuf_set(err, errlen, "backup=%s: not 0 or 1", v);
	} else if (strcmp(kv, "allow-uid") == 0 || strcmp(kv, "allow-user") == 0 ||
	    strcmp(kv, "allow-gid") == 0 || strcmp(kv, "allow-group") == 0) {
		int user = kv[6] == 'u';
		int numeric = strcmp(kv + 6, "uid") == 0 ||
		    strcmp(kv + 6, "gid") == 0;
		int *cnt = user ? &o->nallow_user : &o->nallow_group;
		char (*list)[ADDR_NAME_MAX] = user ? o->allow_user :
		    o->allow_group;

		if (*cnt == ADDR_ACL_MAX)
			return errbuf_set(err, errlen, "more than %d %s entries",
			    ADDR_ACL_MAX, kv);
		if ((numeric && num_parse_int(v, 0, INT_MAX, &n) == -1) ||
		    copy_name(list[*cnt], sizeof(list[0]), v) == -1)
			return errbuf_set(err, errlen, "%s=%s: not a %s", kv, v ? v : "",
			    numeric ? "number" : "name or number");
		(*cnt)++;
	} else if (strcmp(kv, "allow") == 0) {
		if (o->nallow_net == ADDR_ACL_MAX)
			return errbuf_set(err, errlen, "more than %d allow= entries",
			    ADDR_ACL_MAX);
		if (v == NULL || cidr_parse(v, &o->allow_net[o->nallow_net])
		    == -1)
			return errbuf_set(err, errlen, "allow=%s: not an address or "
			    "network (like 10.0.0.0/8 or ::1)", v ? v : "");
		o->nallow_net++;
	} else if (strcmp(kv, "accept-proxy") == 0) {
		if (parse_bool(v, &o->accept_proxy) == -1)
			return errbuf_set(err, errlen, "accept-proxy=%s: not 0 or 1", v);
	} else if (strcmp(kv, "send-proxy") == 0 ||
	    strcmp(kv, "send-proxy-v2") == 0) {
		int on;

		if (parse_bool(v, &on) == -1)
			return errbuf_set(err, errlen, "%s=%s: not 0 or 1", kv, v);
		o->send_proxy = on ? (kv[10] == '\0' ? 1 : 2) : 0;
	} else if (strcmp(kv, "nodelay") == 0) {
		/* TCP_NODELAY is always on for relayed tcp sockets. */
		return 0;
	} else {
		for (i = 0; i < sizeof(socat_unsupported) /
		    sizeof(socat_unsupported[0]); i++)
			if (strcmp(kv, socat_unsupported[i]) == 0)
				return errbuf_set(err, errlen,
				    "socat option '%s' is not supported", kv);
		return errbuf_set(err, errlen, "unknown option '%s'", kv);
	}
	return 0;
}

/* Parse "PORT" into a->port. */
static int
parse_port(struct addr *a, const char *p, char *err, size_t errlen)
{
	long n;

	if (num_parse_int(p, 0, 65535, &n) == -1)
		return errbuf_set(err, errlen, "port '%s' is not a number from 0 to 65535",
		    p);
	a->port = (unsigned int)n;
	return 0;
}

/*
 * TCP arguments: "PORT", "HOST:PORT", "[V6]:PORT". socat listen keywords
 * take only a port; the host comes from bind=.
 */
static int
parse_tcp(struct addr *a, char *s, char *err, size_t errlen)
{
	char *colon;
	size_t hl;

	if (*s == '\0')
		return errbuf_set(err, errlen, "missing port");
	if (*s == '[') {
		char *end = strchr(s, ']');

		if (end == NULL)
			return errbuf_set(err, errlen, "missing ']' after IPv6 address");
		if (end[1] != ':')
			return errbuf_set(err, errlen, "missing port after ']'");
		hl = (size_t)(end - s - 1);
		if (hl == 0 || hl >= sizeof(a->host))
			return errbuf_set(err, errlen, "bad IPv6 address");
		memcpy(a->host, s + 1, hl);
		a->host[hl] = '\0';
		if (strchr(a->host, ':') == NULL)
			return errbuf_set(err, errlen, "'[%s]' is not an IPv6 address",
			    a->host);
		a->host_given = 1;
		if (a->family == AF_UNSPEC)
			a->family = AF_INET6;
		return parse_port(a, end + 2, err, errlen);
	}
	colon = strrchr(s, ':');
	if (colon == NULL)
		return parse_port(a, s, err, errlen);
	if (strchr(s, ':') != colon)
		return errbuf_set(err, errlen,
		    "IPv6 address needs brackets: tcp:[::1]:PORT");
	hl = (size_t)(colon - s);
	if (hl == 0)
		return errbuf_set(err, errlen, "empty host before ':'");
	if (hl >= sizeof(a->host))
		return errbuf_set(err, errlen, "host name too long");
	for (size_t i = 0; i < hl; i++)
		if (!isalnum((unsigned char)s[i]) && strchr(".-_", s[i]) == NULL)
			return errbuf_set(err, errlen, "bad character in host name");
	memcpy(a->host, s, hl);
	a->host[hl] = '\0';
	a->host_given = 1;
	return parse_port(a, colon + 1, err, errlen);
}

int
addr_parse_hostport(struct addr *a, const char *s, char *err, size_t errlen)
{
	char buf[ADDR_HOST_MAX + 16];
	const char *close;
	int bare6;

	addr_init(a);
	a->kind = ADDR_TCP;
	if (s == NULL || *s == '\0')
		return errbuf_set(err, errlen, "empty address");
	if (strlen(s) >= ADDR_HOST_MAX + 8)
		return errbuf_set(err, errlen, "host name too long");
	/* parse_tcp takes "HOST:PORT" and "[V6]:PORT": add a port 0 where
	 * none is given, and brackets around a bare IPv6 address. */
	close = *s == '[' ? strchr(s, ']') : NULL;
	/* Several colons and only what an IPv6 literal holds ("fe80::1%lo"). */
	bare6 = *s != '[' && strchr(s, ':') != strrchr(s, ':') &&
	    (s[strspn(s, "0123456789abcdefABCDEF:.")] == '\0' ||
	    s[strspn(s, "0123456789abcdefABCDEF:.")] == '%');
	if (bare6)
		snprintf(buf, sizeof(buf), "[%s]:0", s);
	else if (close != NULL && close[1] == '\0')
		snprintf(buf, sizeof(buf), "%s:0", s);
	else if (*s != '[' && strchr(s, ':') == NULL)
		snprintf(buf, sizeof(buf), "%s:0", s);
	else
		snprintf(buf, sizeof(buf), "%s", s);
	return parse_tcp(a, buf, err, errlen);
}

/* Unix path or, after '@', an abstract name. */
static int
parse_unix(struct addr *a, const char *s, char *err, size_t errlen)
{
	size_t n = strlen(s);

	if (a->kind == ADDR_ABSTRACT || *s == '@') {
		if (*s == '@') {
			s++;
			n--;
		}
		a->kind = ADDR_ABSTRACT;
#ifndef SYS_HAVE_ABSTRACT
		return errbuf_set(err, errlen, "abstract socket names "
		    "(unix:@name) exist only on Linux; use a path");
#endif
		/* One byte of sun_path holds the leading NUL. */
		if (n == 0)
			return errbuf_set(err, errlen, "empty abstract socket name");
		if (n > ADDR_PATH_MAX - 1)
			return errbuf_set(err, errlen,
			    "abstract name is %zu bytes, the limit is %d", n,
			    ADDR_PATH_MAX - 1);
	} else {
		a->kind = ADDR_UNIX;
		if (n == 0)
			return errbuf_set(err, errlen, "empty socket path");
		if (n > ADDR_PATH_MAX - 1)
			return errbuf_set(err, errlen,
			    "socket path is %zu bytes, longer than the %d that "
			    "sun_path allows", n, ADDR_PATH_MAX - 1);
	}
	memcpy(a->path, s, n);
	a->path[n] = '\0';
	a->path_len = n;
	return 0;
}

/* Does text start with "word:" (case-insensitive)? Returns the rest. */
static const char *
prefix(const char *text, const char *word)
{
	size_t n = strlen(word);

	if (strncasecmp(text, word, n) == 0 && text[n] == ':')
		return text + n + 1;
	return NULL;
}

int
addr_parse(struct addr *a, const char *text, char *err, size_t errlen)
{
	char head[ADDR_CMD_MAX], opt[ADDR_CMD_MAX];
	const char *rest, *p;
	size_t i;
	int keep_quotes = 0;

	addr_init(a);
	if (text == NULL || *text == '\0')
		return errbuf_set(err, errlen, "empty address");
	if (strlen(text) >= ADDR_CMD_MAX)
		return errbuf_set(err, errlen, "address longer than %d bytes",
		    ADDR_CMD_MAX - 1);

	/* Identify the form; rest points at its arguments. */
	rest = NULL;
	if ((p = prefix(text, "unix")) != NULL) {
		a->kind = ADDR_UNIX;
		rest = p;
	} else if ((p = prefix(text, "tcp")) != NULL) {
		/* "tcp:..." is native; socat's "TCP:host:port" reads the
		 * same way, so the two agree. */
		a->kind = ADDR_TCP;
		rest = p;
	} else if ((p = prefix(text, "exec")) != NULL ||
	    (p = prefix(text, "system")) != NULL) {
		a->kind = ADDR_EXEC;
		a->role = ADDR_ROLE_CONNECT;
		rest = p;
		keep_quotes = 1;
	} else if ((p = prefix(text, "tunnel")) != NULL) {
		a->kind = ADDR_TUNNEL;
		a->role = ADDR_ROLE_CONNECT;
		rest = p;
		keep_quotes = 1;
	} else if ((p = prefix(text, "fd")) != NULL) {
		a->kind = ADDR_FD;
		a->role = ADDR_ROLE_LISTEN;
		rest = p;
	} else if (strncasecmp(text, "systemd", 7) == 0 &&
	    (text[7] == '\0' || text[7] == ':' || text[7] == ',')) {
		a->kind = ADDR_SYSTEMD;
		a->role = ADDR_ROLE_LISTEN;
		rest = text[7] == ':' ? text + 8 : text + 7;
	} else if (strcmp(text, "-") == 0 || strncmp(text, "-,", 2) == 0 ||
	    strcasecmp(text, "stdio") == 0 || strncasecmp(text, "stdio,", 6) == 0) {
		a->kind = ADDR_STDIO;
		rest = strchr(text, ',') ? strchr(text, ',') : "";
	} else if (text[0] == '/' || text[0] == '.' || text[0] == '@') {
		a->kind = ADDR_UNIX;
		rest = text;
	} else {
		for (i = 0; i < sizeof(socat_kw) / sizeof(socat_kw[0]); i++) {
			if ((p = prefix(text, socat_kw[i].name)) != NULL) {
				a->kind = socat_kw[i].kind;
				a->role = socat_kw[i].role;
				a->family = socat_kw[i].family;
				a->socat = 1;
				rest = p;
				break;
			}
		}
		if (rest == NULL) {
			const char *colon = strrchr(text, ':');
			size_t hl = colon != NULL ? (size_t)(colon - text) : 0;
			int v6 = hl > 2 && text[0] == '[' &&
			    text[hl - 1] == ']';

			/* HOST:PORT or [V6]:PORT, as other tools take it:
			 * say how to write it */
			if (colon != NULL && hl > 0 && colon[1] != '\0' &&
			    (v6 || memchr(text, ':', hl) == NULL) &&
			    strspn(colon + 1, "0123456789") ==
			    strlen(colon + 1) && strlen(colon + 1) <= 5 &&
			    strspn(text, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:[]%") ==
			    strlen(text))
				return errbuf_set(err, errlen,
				    "not an address; for tcp, write tcp:%s",
				    text);
			if (strchr(text, ':') != NULL)
				return errbuf_set(err, errlen,
				    "unknown address type '%.*s'",
				    (int)(strchr(text, ':') - text), text);
			if (text[0] != '\0' && strlen(text) <= 5 &&
			    strspn(text, "0123456789") == strlen(text))
				return errbuf_set(err, errlen,
				    "not an address; for tcp port %s, write "
				    "tcp:%s (127.0.0.1) or tcp:HOST:%s", text,
				    text, text);
			return errbuf_set(err, errlen,
			    "not an address (try unix:/path or tcp:HOST:PORT)");
		}
	}

	/* The first field holds the form's argument, the rest options. */
	if (a->kind != ADDR_STDIO && a->kind != ADDR_SYSTEMD) {
		if (next_field(&rest, head, sizeof(head), keep_quotes) == -1)
			return errbuf_set(err, errlen, "unbalanced quote or too long");
	} else {
		head[0] = '\0';
		if (a->kind == ADDR_SYSTEMD && *rest != ',' && *rest != '\0') {
			if (next_field(&rest, head, sizeof(head), 0) == -1)
				return errbuf_set(err, errlen, "bad systemd name");
			if (copy_name(a->name, sizeof(a->name), head) == -1)
				return errbuf_set(err, errlen,
				    "bad systemd socket name '%s'", head);
		}
		if (*rest == ',')
			rest++;
	}

	switch (a->kind) {
	case ADDR_UNIX:
	case ADDR_ABSTRACT:
		if (parse_unix(a, head, err, errlen) == -1)
			return -1;
		break;
	case ADDR_TCP:
		if (a->role == ADDR_ROLE_LISTEN && a->socat) {
			/* socat: TCP-LISTEN:PORT, host only through bind=. */
			if (parse_port(a, head, err, errlen) == -1)
				return -1;
		} else if (parse_tcp(a, head, err, errlen) == -1)
			return -1;
		break;
	case ADDR_EXEC:
	case ADDR_TUNNEL:
		if (head[0] == '\0')
			return errbuf_set(err, errlen, "empty command");
		memcpy(a->cmd, head, strlen(head) + 1);
		break;
	case ADDR_FD: {
		long n;

		if (num_parse_int(head, 0, INT_MAX, &n) == -1)
			return errbuf_set(err, errlen, "fd:%s: not a file descriptor",
			    head);
		a->fd = (int)n;
		break;
	}
	default:
		break;
	}

	while (*rest != '\0') {
		if (next_field(&rest, opt, sizeof(opt), 0) == -1)
			return errbuf_set(err, errlen, "unbalanced quote in options");
		if (parse_option(a, opt, err, errlen) == -1)
			return -1;
	}

	/* socat's TCP-LISTEN binds every interface unless bind= says less;
	 * keep that meaning so existing scripts behave the same. */
	if (a->kind == ADDR_TCP && a->role == ADDR_ROLE_LISTEN && a->socat) {
		if (a->opt.bind[0] != '\0') {
			const char *b = a->opt.bind;
			size_t bl = strlen(b);

			if (b[0] == '[' && bl > 2 && b[bl - 1] == ']') {
				b++;
				bl -= 2;
			}
			if (bl == 0 || bl >= sizeof(a->host))
				return errbuf_set(err, errlen, "bad bind address");
			for (size_t k = 0; k < bl; k++)
				if (!isalnum((unsigned char)b[k]) &&
				    strchr(".-_:%", b[k]) == NULL)
					return errbuf_set(err, errlen,
					    "bad character in bind address");
			memcpy(a->host, b, bl);
			a->host[bl] = '\0';
			a->opt.bind[0] = '\0';
		} else
			snprintf(a->host, sizeof(a->host), "%s",
			    a->family == AF_INET6 ? "::" : "0.0.0.0");
		a->host_given = 1;
	}
	/* TCP4 and TCP6 fix the family; a literal of the other one would
	 * only fail later, when resolved. */
	if (a->kind == ADDR_TCP && a->family == AF_INET &&
	    strchr(a->host, ':') != NULL)
		return errbuf_set(err, errlen, "'%s' is an IPv6 address; this is an "
		    "IPv4 address type", a->host);
	if (a->kind == ADDR_TCP && a->family == AF_INET6 && a->host[0] != '\0' &&
	    strchr(a->host, ':') == NULL && strspn(a->host, "0123456789.") ==
	    strlen(a->host))
		return errbuf_set(err, errlen, "'%s' is an IPv4 address; this is an "
		    "IPv6 address type", a->host);
	return 0;
}

int
addr_check_role(const struct addr *a, enum addr_role role, char *err,
    size_t errlen)
{
	const char *what = role == ADDR_ROLE_LISTEN ? "listen" : "target";

	if (a->role != ADDR_ROLE_ANY && a->role != role)
		return errbuf_set(err, errlen, "cannot be used as the %s address "
		    "(it is a %s address)", what,
		    a->role == ADDR_ROLE_LISTEN ? "listen" : "connect");
	if (role == ADDR_ROLE_LISTEN) {
		if (a->opt.bind[0] != '\0')
			return errbuf_set(err, errlen,
			    "bind= applies to connecting addresses");
		if (a->opt.connect_timeout_ms != -1)
			return errbuf_set(err, errlen,
			    "connect-timeout= belongs on the target address");
		if (a->opt.max_fails != -1 || a->opt.fail_timeout_ms != -1 ||
		    a->opt.backup)
			return errbuf_set(err, errlen, "max-fails=, fail-timeout= and "
			    "backup belong on target addresses");
		if (a->opt.send_proxy)
			return errbuf_set(err, errlen, "send-proxy belongs on target "
			    "addresses");
		if ((a->opt.nallow_user || a->opt.nallow_group) &&
		    a->kind != ADDR_UNIX && a->kind != ADDR_ABSTRACT &&
		    a->kind != ADDR_FD && a->kind != ADDR_SYSTEMD)
			return errbuf_set(err, errlen, "allow-uid/gid/user/group need "
			    "a unix listener (peer credentials)");
		if (a->opt.nallow_net && a->kind != ADDR_TCP &&
		    a->kind != ADDR_FD && a->kind != ADDR_SYSTEMD)
			return errbuf_set(err, errlen, "allow= needs a tcp listener");
	} else {
		if (a->opt.mode != -1 || a->opt.user[0] != '\0' ||
		    a->opt.group[0] != '\0')
			return errbuf_set(err, errlen, "mode=, user= and group= apply "
			    "to a socket file the relay creates (listen side)");
		if (a->opt.backlog != -1 || a->opt.unlink_early > 0)
			return errbuf_set(err, errlen,
			    "backlog= and unlink-early apply to the listen side");
		if (a->opt.nallow_user || a->opt.nallow_group ||
		    a->opt.nallow_net || a->opt.accept_proxy)
			return errbuf_set(err, errlen, "allow... and accept-proxy apply "
			    "to the listen side");
		if (a->opt.bind[0] != '\0' && a->kind != ADDR_TCP)
			return errbuf_set(err, errlen, "bind= is supported on tcp only");
	}
	if ((a->opt.mode != -1 || a->opt.user[0] != '\0' ||
	    a->opt.group[0] != '\0') && a->kind != ADDR_UNIX)
		return errbuf_set(err, errlen,
		    "mode=, user= and group= need a socket file (unix:/path)");
	return 0;
}

const char *
addr_str(const struct addr *a, char *buf, size_t len)
{
	switch (a->kind) {
	case ADDR_UNIX:
		snprintf(buf, len, "unix:%s", a->path);
		break;
	case ADDR_ABSTRACT:
		snprintf(buf, len, "unix:@%.*s", (int)a->path_len, a->path);
		break;
	case ADDR_TCP:
		if (strchr(a->host, ':') != NULL)
			snprintf(buf, len, "tcp:[%s]:%u", a->host, a->port);
		else if (a->host[0] != '\0')
			snprintf(buf, len, "tcp:%s:%u", a->host, a->port);
		else
			snprintf(buf, len, "tcp:%u", a->port);
		break;
	case ADDR_STDIO:
		snprintf(buf, len, "stdio");
		break;
	case ADDR_EXEC:
		snprintf(buf, len, "exec:%s", a->cmd);
		break;
	case ADDR_TUNNEL:
		snprintf(buf, len, "tunnel:%s", a->cmd);
		break;
	case ADDR_FD:
		snprintf(buf, len, "fd:%d", a->fd);
		break;
	case ADDR_SYSTEMD:
		snprintf(buf, len, "systemd%s%s", a->name[0] ? ":" : "",
		    a->name);
		break;
	default:
		snprintf(buf, len, "(none)");
		break;
	}
	return buf;
}
