/*
 * pgerr: see pgerr.h.
 */
#include <stdio.h>
#include <string.h>

#include "errbuf.h"
#include "pgerr.h"

#define NEW_SOCK	"connection to server on socket \""
#define NEW_TCP		"connection to server at \""
#define OLD_SOCK	"Unix domain socket \""
#define OLD_TCP		"Is the server running on host \""
#define OLD_HEAD	"could not connect to server: "

int
pgerr_match(const char *text)
{
	return strstr(text, NEW_SOCK) != NULL || strstr(text, NEW_TCP) !=
	    NULL || strstr(text, OLD_SOCK) != NULL || strstr(text, OLD_TCP) !=
	    NULL;
}

/* Copy the quoted text starting at s (just past the opening quote) up to
 * the closing quote into out. Returns a pointer past the quote, or NULL. */
static const char *
quoted(const char *s, char *out, size_t outlen)
{
	const char *q = strchr(s, '"');

	if (q == NULL || q == s || (size_t)(q - s) >= outlen)
		return NULL;
	memcpy(out, s, (size_t)(q - s));
	out[q - s] = '\0';
	return q + 1;
}

/* The reason after "failed: " or "could not connect to server: ", to the
 * end of its line. */
static void
reason(const char *s, char *out, size_t outlen)
{
	size_t n = strcspn(s, "\r\n");

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	snprintf(out, outlen, "%.*s", (int)(n < outlen ? n : outlen - 1), s);
}

/* A port number at s ("5432"). Returns it, or 0. */
static unsigned int
port_at(const char *s)
{
	unsigned long v = 0;
	int n = 0;

	while (*s >= '0' && *s <= '9' && n < 6) {
		v = v * 10 + (unsigned long)(*s++ - '0');
		n++;
	}
	return n > 0 && n < 6 && v > 0 && v <= 65535 ? (unsigned int)v : 0;
}

/* The port a socket path names: ".../.s.PGSQL.5432". */
static unsigned int
sock_port(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	return strncmp(b, ".s.PGSQL.", 9) == 0 ? port_at(b + 9) : 0;
}

/* After the host: ` (ADDR), port N` (new) or ` (ADDR) and accepting ...
 * on port N` (old). */
static int
tcp_rest(struct pgerr *e, const char *s, const char *portkw)
{
	const char *p;
	size_t n;

	while (*s == ' ')
		s++;
	if (*s == '(' && (p = strchr(s, ')')) != NULL) {
		n = (size_t)(p - s - 1);
		if (n < sizeof(e->addr) && memchr(s + 1, '\n', n) == NULL) {
			memcpy(e->addr, s + 1, n);
			e->addr[n] = '\0';
		}
		s = p + 1;
	}
	if ((p = strstr(s, portkw)) == NULL)
		return -1;
	e->port = port_at(p + strlen(portkw));
	return e->port ? 0 : -1;
}

int
pgerr_parse(struct pgerr *e, const char *text, char *err, size_t errlen)
{
	const char *s, *ns, *nt, *os, *ot, *first = NULL, *r;

	memset(e, 0, sizeof(*e));
	ns = strstr(text, NEW_SOCK);
	nt = strstr(text, NEW_TCP);
	os = strstr(text, OLD_SOCK);
	ot = strstr(text, OLD_TCP);
	/* The first attempt the message names. */
	for (const char *c[] = { ns, nt, os, ot }, **p = c; p < c + 4; p++)
		if (*p != NULL && (first == NULL || *p < first))
			first = *p;
	if (first == NULL)
		return errbuf_set(err, errlen, "not a libpq connection error");
	if (first == ns || first == os) {
		s = first + (first == ns ? strlen(NEW_SOCK) : strlen(OLD_SOCK));
		if ((r = quoted(s, e->path, sizeof(e->path))) == NULL)
			return errbuf_set(err, errlen, "no socket path in quotes");
		e->port = sock_port(e->path);
		if (first == ns && strncmp(r, " failed: ", 9) == 0)
			reason(r + 9, e->reason, sizeof(e->reason));
	} else {
		s = first + (first == nt ? strlen(NEW_TCP) : strlen(OLD_TCP));
		if ((r = quoted(s, e->host, sizeof(e->host))) == NULL)
			return errbuf_set(err, errlen, "no host in quotes");
		if (tcp_rest(e, r, first == nt ? ", port " : "on port ") == -1)
			return errbuf_set(err, errlen, "no port");
		if (first == nt && (r = strstr(r, " failed: ")) != NULL)
			reason(r + 9, e->reason, sizeof(e->reason));
	}
	/* The old form puts the reason before: "could not connect to
	 * server: No such file or directory". */
	if (e->reason[0] == '\0' && (r = strstr(text, OLD_HEAD)) != NULL &&
	    r < first)
		reason(r + strlen(OLD_HEAD), e->reason, sizeof(e->reason));
	return 0;
}
