/*
 * verdict: what doctor concludes from its checks (a short paragraph with
 * the commands to run) and the plain-words meaning of a connect errno.
 * The probes (diag.c, and later one module per kind of probe) fill in
 * the facts; this module only writes text. Never prints.
 */
#ifndef SB_VERDICT_H
#define SB_VERDICT_H

#include <sys/types.h>

#include <limits.h>
#include <stddef.h>

#include "nsinfo.h"

/* What the checks learned, for the verdict. */
struct verdict_facts {
	int	 too_long;
	char	 bad_dir[PATH_MAX];	/* missing or not searchable */
	int	 bad_dir_errno;
	int	 exists, is_sock, may_connect;
	int	 listening;
	char	 owner[128];		/* "pid 12, postgres" */
	char	 alt[PATH_MAX];		/* a listening socket of that name */
	char	 tcp[128];		/* "tcp:localhost:5432" that answers */
	int	 tcp_is_pg;
	int	 orphan;		/* listener alive, file removed; -1:
					   or in another mount ns */
	pid_t	 ns_pid;		/* listener in another mount ns */
	char	 ns_comm[64];		/* its command */
	int	 ns_known;		/* ns was read */
	struct nsinfo ns;		/* where it lives */
	char	 shared_fs[32];		/* fuse, 9p, nfs ... */
	char	 sib[PATH_MAX];		/* a listening .s.PGSQL.N beside it */
	unsigned int sib_port;		/* its N */
	int	 port_given;		/* the user named the port */
};

/*
 * Write the verdict for a connect to path p (a socket file, abstract name
 * or tcp address as the user wrote it) into v: connect_ok says whether a
 * connect succeeded, pg whether a PostgreSQL server is expected, f what
 * the checks learned. The first finding that explains the failure wins.
 */
void	verdict_write(const char *p, int pg, int connect_ok,
	    const struct verdict_facts *f, char *v, size_t vl);

/* The boundary check's text for f's listener in another mount namespace
 * (f->ns_pid) bound at path p. */
void	verdict_ns_text(const char *p, const struct verdict_facts *f,
	    char *buf, size_t len);

/* "ENOENT" for e ("E?" if the C library cannot name it). */
const char *verdict_errno_name(int e);

/* What e means for a connect, in plain words. */
const char *verdict_errno_meaning(int e);

#endif
