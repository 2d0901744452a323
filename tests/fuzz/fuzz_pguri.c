/*
 * libFuzzer target for src/pguri.c: pguri_parse() on the input as a URI,
 * and pguri_from_host() on the input as a libpq host list.
 *
 * The input is copied into a heap buffer of exactly its length plus the
 * NUL, so AddressSanitizer sees a read past the end. A broken invariant
 * calls abort(), which libFuzzer reports as a crash:
 *  - both return 0, or -1 with a NUL-terminated message;
 *  - on success the host is one non-empty host (no comma): the first of a
 *    list, or the default directory when that is empty; the port is 1 to
 *    65535 (pguri_from_host: the one given, or 5432 for 0);
 *  - is_unix exactly when the host is a directory ('/') or abstract ('@'),
 *    and then path is "HOST/.s.PGSQL.PORT"; otherwise path is empty;
 *  - what pguri_parse() found, given back to pguri_from_host(), gives the
 *    same result (the URI and the -h/-p forms agree);
 *  - pguri_conninfo() on the input obeys the same rules, and succeeds
 *    only where pguri_is_conninfo() (or blank-then-keyword) holds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pguri.h"

static void
check_uri(const struct pguri *u)
{
	char want[sizeof(u->path) + 32];

	check(memchr(u->host, '\0', sizeof(u->host)) != NULL);
	check(memchr(u->path, '\0', sizeof(u->path)) != NULL);
	check(u->host[0] != '\0');
	check(strchr(u->host, ',') == NULL);
	check(u->port >= 1 && u->port <= 65535);
	check(u->is_unix == (u->host[0] == '/' || u->host[0] == '@'));
	if (u->is_unix) {
		snprintf(want, sizeof(want), "%s/.s.PGSQL.%u", u->host,
		    u->port);
		check(strcmp(u->path, want) == 0);
	} else
		check(u->path[0] == '\0');
}

static void
fuzz_parse(const char *text)
{
	struct pguri u, v;
	char err[128];
	int rc;

	memset(err, 'x', sizeof(err));
	memset(&u, 0xa5, sizeof(u));
	rc = pguri_parse(&u, text, err, sizeof(err));
	check_rc(rc, err, sizeof(err));
	if (rc == -1)
		return;
	check(strncmp(text, "postgresql://", 13) == 0 ||
	    strncmp(text, "postgres://", 11) == 0);
	check_uri(&u);

	memset(err, 'x', sizeof(err));
	rc = pguri_from_host(&v, u.host, u.port, err, sizeof(err));
	check_rc(rc, err, sizeof(err));
	check(rc == 0);
	check(strcmp(u.host, v.host) == 0 && u.port == v.port &&
	    u.is_unix == v.is_unix && strcmp(u.path, v.path) == 0);
}

static void
fuzz_from_host(const char *text, unsigned int port)
{
	struct pguri u;
	char err[128];
	size_t n;
	int rc;

	memset(err, 'x', sizeof(err));
	memset(&u, 0xa5, sizeof(u));
	rc = pguri_from_host(&u, text, port, err, sizeof(err));
	check_rc(rc, err, sizeof(err));
	if (rc == -1)
		return;
	check(u.port == (port ? port : PGURI_DEFAULT_PORT));
	if (text[0] == '\0' || text[0] == ',') {
		/* libpq: an empty host, or an empty first entry of a
		 * list, is the default socket directory. */
		check(strcmp(u.host, PGURI_DEFAULT_DIR) == 0);
	} else {
		n = strcspn(text, ",");
		check(strlen(u.host) == n && memcmp(u.host, text, n) == 0);
	}
	if (port <= 65535)
		check_uri(&u);
}

static void
fuzz_conninfo(const char *text)
{
	struct pguri u;
	char err[128];
	int rc;

	memset(err, 'x', sizeof(err));
	memset(&u, 0xa5, sizeof(u));
	rc = pguri_conninfo(&u, text, err, sizeof(err));
	check_rc(rc, err, sizeof(err));
	if (rc == -1)
		return;
	check(pguri_is_conninfo(text));
	check_uri(&u);
	check(memchr(u.dbname, '\0', sizeof(u.dbname)) != NULL);
	check(memchr(u.user, '\0', sizeof(u.user)) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	unsigned int port;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	fuzz_parse(text);
	fuzz_conninfo(text);
	/* The default port, the extremes, and one from the input. */
	port = size >= 2 ? (unsigned int)(data[0] << 8 | data[1]) : 0;
	fuzz_from_host(text, 0);
	fuzz_from_host(text, 65535);
	fuzz_from_host(text, port);
	free(text);
	return 0;
}
