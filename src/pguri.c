/*
 * pguri: see pguri.h. Follows libpq's URI rules: percent-decoding, a host
 * starting with '/' is a socket directory, query parameters host= and port=
 * override the authority, the first of several comma-separated hosts wins.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errbuf.h"
#include "pguri.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..n) into out. Returns 0 or -1 (bad escape, NUL, or
 * too long). */
static int
decode(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			if (c == '\0')
				return -1;
			i += 2;
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

static int
parse_port(const char *s, size_t n, unsigned int *port)
{
	unsigned long v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = (unsigned int)v;
	return 0;
}

int
pguri_from_host(struct pguri *u, const char *host, unsigned int port,
    char *err, size_t errlen)
{
	size_t n;

	memset(u, 0, sizeof(*u));
	if (host == NULL || *host == '\0' || *host == ',')
		host = PGURI_DEFAULT_DIR;
	n = strcspn(host, ",");		/* first of several hosts */
	if (n >= sizeof(u->host))
		return errbuf_set(err, errlen, "host name too long");
	memcpy(u->host, host, n);
	u->host[n] = '\0';
	u->port = port ? port : PGURI_DEFAULT_PORT;
	if (u->host[0] == '/' || u->host[0] == '@') {
		u->is_unix = 1;
		if ((size_t)snprintf(u->path, sizeof(u->path), "%s/.s.PGSQL.%u",
		    u->host, u->port) >= sizeof(u->path))
			return errbuf_set(err, errlen, "socket path too long");
	}
	return 0;
}

int
pguri_parse(struct pguri *u, const char *uri, char *err, size_t errlen)
{
	char host[256] = "", tmp[256];
	const char *p, *auth, *end, *at, *q;
	unsigned int port = 0;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (strncmp(uri, "postgresql://", 13) == 0)
		p = uri + 13;
	else if (strncmp(uri, "postgres://", 11) == 0)
		p = uri + 11;
	else
		return errbuf_set(err, errlen, "not a postgresql:// URI");

	/* Authority: [user[:password]@]hostspec[,hostspec...], up to '/' or
	 * '?'; a hostspec is [host][:port]. libpq tries them in order; the
	 * first is where a client connects first. */
	auth = p;
	end = auth + strcspn(auth, "/?");
	for (at = NULL, q = auth; q < end; q++)
		if (*q == '@')
			at = q;
	if (at != NULL)
		auth = at + 1;
	if (auth < end) {
		const char *colon = NULL, *hend, *first = auth;

		/* The first hostspec ends at a ',' outside brackets. */
		for (int in = 0; first < end && (in || *first != ','); first++)
			if (*first == '[')
				in = 1;
			else if (*first == ']')
				in = 0;
		end = first;
		hend = end;
		if (*auth == '[') {
			const char *rb = memchr(auth, ']', (size_t)(end - auth));

			if (rb == NULL)
				return errbuf_set(err, errlen, "missing ']' in host");
			if (rb == auth + 1)
				return errbuf_set(err, errlen, "empty IPv6 host in []");
			if (decode(auth + 1, (size_t)(rb - auth - 1), host,
			    sizeof(host)) == -1)
				return errbuf_set(err, errlen, "bad host");
			if (rb + 1 < end && rb[1] == ':')
				colon = rb + 1;
			else if (rb + 1 != end)
				return errbuf_set(err, errlen, "junk after ']'");
		} else {
			colon = memchr(auth, ':', (size_t)(end - auth));
			hend = colon ? colon : end;
			if (decode(auth, (size_t)(hend - auth), host,
			    sizeof(host)) == -1)
				return errbuf_set(err, errlen, "bad percent-escape "
				    "or host too long");
		}
		/* An empty port means the default, as in libpq. */
		if (colon != NULL && colon + 1 < end && parse_port(colon + 1,
		    (size_t)(end - colon - 1), &port) == -1)
			return errbuf_set(err, errlen, "bad port '%.*s'",
			    (int)(end - colon - 1), colon + 1);
	}

	/* Query: host= and port= win over the authority. */
	q = strchr(end, '?');
	while (q != NULL && *q != '\0') {
		const char *kv = q + 1, *kend = kv + strcspn(kv, "&"), *eq;

		eq = memchr(kv, '=', (size_t)(kend - kv));
		if (eq != NULL) {
			n = (size_t)(eq - kv);
			/* Lists ("host=/a,/b", "port=5433,5434"): the
			 * first entry counts; an empty one is the default. */
			const char *v = eq + 1;
			size_t vl = strcspn(v, "&,");

			if (vl > (size_t)(kend - v))
				vl = (size_t)(kend - v);
			if (n == 4 && strncmp(kv, "host", 4) == 0) {
				if (decode(v, vl, tmp, sizeof(tmp)) == -1)
					return errbuf_set(err, errlen, "bad host= value");
				memcpy(host, tmp, strlen(tmp) + 1);
			} else if (n == 4 && strncmp(kv, "port", 4) == 0) {
				port = 0;
				if (vl > 0 && parse_port(v, vl, &port) == -1)
					return errbuf_set(err, errlen, "bad port= value");
			}
		}
		q = *kend == '&' ? kend : NULL;
	}
	if (pguri_from_host(u, host, port, err, errlen) == -1)
		return -1;
	u->host_given = host[0] != '\0';
	u->port_given = port != 0;
	return 0;
}

int
pguri_is_conninfo(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	if (!isalpha((unsigned char)*s))
		return 0;
	while (isalnum((unsigned char)*s) || *s == '_')
		s++;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '=';
}

int
pguri_conninfo(struct pguri *u, const char *s, char *err, size_t errlen)
{
	char host[256] = "", key[32], val[256], dbname[128] = "", user[64] = "";
	unsigned int port = 0;
	int pairs = 0;

	memset(u, 0, sizeof(*u));
	for (;;) {
		size_t k = 0, v = 0;

		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		if (!isalpha((unsigned char)*s))
			return errbuf_set(err, errlen, "expected a keyword at "
			    "'%.20s'", s);
		while (isalnum((unsigned char)*s) || *s == '_') {
			if (k + 1 < sizeof(key))
				key[k++] = *s;
			s++;
		}
		key[k] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (k == 0 || *s != '=')
			return errbuf_set(err, errlen, "expected keyword=value "
			    "at '%.20s'", s);
		s++;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\'') {
			for (s++; *s != '\'' && *s != '\0'; s++) {
				if (*s == '\\' && s[1] != '\0')
					s++;
				if (v + 1 < sizeof(val))
					val[v++] = *s;
			}
			if (*s != '\'')
				return errbuf_set(err, errlen, "unterminated "
				    "quoted value for %s", key);
			s++;
		} else
			for (; *s != '\0' && !isspace((unsigned char)*s); s++) {
				if (*s == '\\' && s[1] != '\0')
					s++;
				if (v + 1 < sizeof(val))
					val[v++] = *s;
			}
		val[v] = '\0';
		pairs++;
		if (strcmp(key, "host") == 0)
			snprintf(host, sizeof(host), "%s", val);
		else if (strcmp(key, "port") == 0) {
			/* A list: the first entry counts; empty: default. */
			size_t n = strcspn(val, ",");

			port = 0;
			if (n > 0 && parse_port(val, n, &port) == -1)
				return errbuf_set(err, errlen, "bad port '%s'",
				    val);
		} else if (strcmp(key, "dbname") == 0)
			snprintf(dbname, sizeof(dbname), "%s", val);
		else if (strcmp(key, "user") == 0)
			snprintf(user, sizeof(user), "%s", val);
	}
	if (pairs == 0)
		return errbuf_set(err, errlen, "empty conninfo");
	if (pguri_from_host(u, host, port, err, errlen) == -1)
		return -1;
	u->host_given = host[0] != '\0';
	u->port_given = port != 0;
	snprintf(u->dbname, sizeof(u->dbname), "%s", dbname);
	snprintf(u->user, sizeof(u->user), "%s", user);
	return 0;
}
