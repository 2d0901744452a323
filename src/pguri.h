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
/* Debian's libpq looks here; upstream's default is /tmp. */
#define PGURI_DEFAULT_DIR	"/var/run/postgresql"

struct pguri {
	char		 host[256];	/* a directory (starts with '/') or a name */
	unsigned int	 port;
	char		 path[256];	/* socket file when host is a directory */
	int		 is_unix;
};

/* Parse a postgresql:// or postgres:// URI. Returns 0, or -1 with err. */
int	pguri_parse(struct pguri *, const char *uri, char *err, size_t errlen);

/* libpq's rules for a host (empty: default dir) and port (0: default). */
int	pguri_from_host(struct pguri *, const char *host, unsigned int port,
	    char *err, size_t errlen);

#endif
