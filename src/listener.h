/*
 * listener: open listening sockets for an address and close them again.
 * Socket files are handled safely: a regular file is never touched, a live
 * server's socket (listening, or bound and not listening yet) is never
 * replaced, a stale one is; the file gets its mode and owner before any
 * peer can connect, through its descriptor, never by path; it is removed
 * on close only if it is still the one we bound (same inode). Starts and
 * stops in one directory take turns (flock on the directory). Who may
 * connect is acl.h's.
 */
#ifndef SB_LISTENER_H
#define SB_LISTENER_H

#include <sys/types.h>

#include "acl.h"
#include "addr.h"
#include "loop.h"

struct listener {
	int		 fd;
	int		 family;	/* AF_UNIX, AF_INET, AF_INET6 */
	char		 name[ADDR_PATH_MAX + 64];	/* "tcp:127.0.0.1:40123" */
	char		 note[ADDR_PATH_MAX + 128];	/* e.g. stale file replaced */
	/* The socket file we created, removed on close if unchanged. */
	char		 path[ADDR_PATH_MAX];
	int		 owns_file;
	dev_t		 dev;
	ino_t		 ino;
	/* For the accept loop. */
	struct loop_io	 io;
	void		*owner;
	struct acl	 acl;
	int		 accept_proxy;	/* read a PROXY header first */
};

/*
 * Open the listening sockets a describes into ls[0..max). Returns how many,
 * or -1 with err saying what and why ("unix:/tmp/x: a server (pid 12,
 * postgres) is listening on it; not replacing it").
 */
int	listener_open(const struct addr *a, struct listener *ls, size_t max,
	    char *err, size_t errlen);

/* Close l; remove its socket file if it is still ours. NULL-safe,
 * idempotent. Returns 1 if the file was removed, 0 if there was none of
 * ours to remove, or -errno if unlinking ours failed. */
int	listener_close(struct listener *l);

/*
 * May the peer on fd, just accepted on l, connect? Returns 1 (yes) or 0,
 * with who describing the peer ("uid 1000 gid 1000", "tcp:10.1.2.3:5555")
 * for the log either way.
 */
int	listener_allows(const struct listener *l, int fd, char *who,
	    size_t wholen);

/* Former names of acl_uid and acl_gid, for the front end that still
 * calls them. */
static inline int
listener_uid(const char *name, uid_t *uid, gid_t *gid)
{
	return acl_uid(name, uid, gid);
}

static inline int
listener_gid(const char *name, gid_t *gid)
{
	return acl_gid(name, gid);
}

#endif
