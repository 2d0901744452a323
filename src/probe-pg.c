/*
 * probe-pg: PostgreSQL. The client's SSLRequest (length 8, code
 * 80877103): a server answers one byte, 'S' or 'N', which no other
 * protocol does, and waits for the next message. Client setting: libpq's
 * -h DIR / PGHOST and -p / PGPORT, Rails' host: and port:.
 */
#include <stdio.h>
#include <string.h>

#include "probe.h"

static const char *const pg_bases[] = { ".s.PGSQL.*", NULL };

/* 'S' or 'N' as the whole answer so far. */
static int
pg_parse(const unsigned char *buf, size_t len, char *detail, size_t dl)
{
	detail[0] = '\0';
	if (len == 0)
		return PROBE_MORE;
	if (len != 1 || (buf[0] != 'S' && buf[0] != 'N'))
		return PROBE_NOMATCH;
	snprintf(detail, dl, "('%c': %s)", buf[0], buf[0] == 'S' ?
	    "SSL on offer" : "no SSL");
	return PROBE_MATCH;
}

/* "host: /var/run/postgresql, port: 5432" for .../.s.PGSQL.5432. */
static void
pg_advice(const char *path, char *buf, size_t len)
{
	const char *b = strrchr(path, '/');
	const char *port = b && strncmp(b + 1, ".s.PGSQL.", 9) == 0 ?
	    b + 10 : "5432";
	int dl = b ? (b == path ? 1 : (int)(b - path)) : 1;

	snprintf(buf, len, "Rails: host: %.*s and port: %s in "
	    "config/database.yml; libpq: -h %.*s -p %s, or PGHOST and "
	    "PGPORT", dl, b ? path : ".", port, dl, b ? path : ".", port);
}

const struct probe_svc probe_pg = {
	"postgresql", "PostgreSQL", NULL, pg_bases, 5432,
	"\x00\x00\x00\x08\x04\xd2\x16\x2f", 8, "the SSLRequest",
	pg_parse, pg_advice,
};
