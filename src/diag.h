/*
 * diag: find out why a connection to a socket file, abstract socket or tcp
 * port fails, and what to do about it (sockbridge doctor). Each finding is
 * a check with a mark; the verdict is a short paragraph with commands.
 * Never prints: the front end decides how to show the result.
 */
#ifndef SB_DIAG_H
#define SB_DIAG_H

#include <stddef.h>

#define DIAG_MAX	64
#define DIAG_TEXT	640

enum diag_mark {
	DIAG_OK = 0,
	DIAG_NOTE,
	DIAG_PROBLEM,
};

struct diag_check {
	enum diag_mark	 mark;
	char		 topic[16];	/* path, file, listener, connect ... */
	char		 text[DIAG_TEXT];
};

enum diag_kind {
	DIAG_UNIX = 0,
	DIAG_ABSTRACT,
	DIAG_TCP,
};

struct diag_target {
	enum diag_kind	 kind;
	char		 path[4096];	/* may be too long for sun_path */
	char		 host[256];	/* tcp */
	unsigned int	 port;		/* tcp */
	int		 pg;		/* a PostgreSQL server is expected */
	unsigned int	 pg_port;	/* its port, from .s.PGSQL.N or a URI */
	int		 dir_given;	/* the target was a directory */
	int		 port_given;	/* a port was given (-p, PGPORT ...) */
	char		 from[600];	/* where the target came from, or "" */
};

struct diag {
	struct diag_check c[DIAG_MAX];
	int		 n;
	int		 connect_ok;
	int		 connect_errno;
	char		 verdict[2048];
};

/* Run every check on t into d. */
void	diag_run(const struct diag_target *t, struct diag *d);

#endif
