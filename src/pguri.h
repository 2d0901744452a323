/*
 * pguri: where a PostgreSQL client would connect, from a connection URI
 * ("postgresql://user@%2Ftmp:5432/db", "postgresql:///db?host=/var/run/
 * postgresql") or libpq-style host and port ("-h /tmp -p 5432").
 * Pure: no I/O, no allocation; the environment is passed in.
 */
#ifndef SB_PGURI_H
#define SB_PGURI_H

#include <stddef.h>

#define PGURI_DEFAULT_PORT	5432
/* Debian's libpq looks here; upstream's default, which Postgres.app and
 * Homebrew's libpq keep on macOS, is /tmp. */
#ifdef __APPLE__
#define PGURI_DEFAULT_DIR	"/tmp"
#else
#define PGURI_DEFAULT_DIR	"/var/run/postgresql"
#endif

struct pguri {
	char		 host[256];	/* a directory (starts with '/') or a name */
	unsigned int	 port;
	char		 path[256];	/* socket file when host is a directory */
	int		 is_unix;
	int		 host_given;	/* the URI or conninfo named a host */
	int		 port_given;	/* ... a port */
	char		 dbname[128];	/* conninfo dbname=, URI path */
	char		 user[64];	/* conninfo user=, URI user */
};

/* Parse a postgresql:// or postgres:// URI. Returns 0, or -1 with err. */
int	pguri_parse(struct pguri *, const char *uri, char *err, size_t errlen);

/*
 * Parse a libpq conninfo string ("host=/tmp port=5433 dbname=x", values
 * in single quotes with \\ and \' escapes). Unknown keywords are
 * skipped, as doctor checks only where the client connects. Returns 0, or
 * -1 with err (no "key=value" pair, an unterminated quote, a bad port).
 */
int	pguri_conninfo(struct pguri *, const char *s, char *err, size_t errlen);

/* Does s look like a conninfo string: it starts with "keyword ="? */
int	pguri_is_conninfo(const char *s);

/* libpq's rules for a host (empty: default dir) and port (0: default). */
int	pguri_from_host(struct pguri *, const char *host, unsigned int port,
	    char *err, size_t errlen);

#endif
