/*
 * pgerr: where a libpq error message, pasted whole, says the client
 * tried to connect. libpq 14 and later:
 *   connection to server on socket "/tmp/.s.PGSQL.5432" failed: No such
 *   file or directory
 *   connection to server at "localhost" (127.0.0.1), port 5432 failed:
 *   Connection refused
 * and before:
 *   could not connect to server: No such file or directory
 *   Is the server running locally and accepting connections on Unix
 *   domain socket "/var/run/postgresql/.s.PGSQL.5432"?
 *   ... Is the server running on host "localhost" (127.0.0.1) and
 *   accepting TCP/IP connections on port 5432?
 * with any prefix (psql: error:, PG::ConnectionBad:, ...) and the line
 * breaks and tabs a terminal gives. The first attempt named wins.
 * Pure: no I/O, no allocation.
 */
#ifndef SB_PGERR_H
#define SB_PGERR_H

#include <stddef.h>

struct pgerr {
	char		 path[256];	/* the socket file, or "" for tcp */
	char		 host[256];	/* tcp: the host name given */
	char		 addr[64];	/* tcp: the address tried, if named */
	unsigned int	 port;		/* tcp, or from .s.PGSQL.N */
	char		 reason[128];	/* "No such file or directory" */
};

/* Does text look like a libpq connection error? */
int	pgerr_match(const char *text);

/* Parse text into e. Returns 0, or -1 with a message in err. */
int	pgerr_parse(struct pgerr *e, const char *text, char *err,
	    size_t errlen);

#endif
