/*
 * listener: open listening sockets for an address and close them again.
 * Socket files are handled safely: a regular file is never touched, a live
 * server's socket is never replaced, a stale one is; the file gets its mode
 * before any peer can connect, and is removed on close only if it is still
 * the one we created (same inode).
 */
#ifndef SB_LISTENER_H
#define SB_LISTENER_H

#include <sys/types.h>

#include "addr.h"
#include "loop.h"

#define LISTENER_MAX	16	/* systemd may pass several sockets */

/* Who may connect: any rule that matches lets a peer in. */
struct listener_acl {
	int		 on;		/* any rule given */
	uid_t		 uid[ADDR_ACL_MAX];
	int		 nuid;
	gid_t		 gid[ADDR_ACL_MAX];
	int		 ngid;
	struct cidr	 net[ADDR_ACL_MAX];
	int		 nnet;
};

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
	struct loop_timer backoff;
	int		 backoff_ms;
	void		*owner;
	struct listener_acl acl;
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
 * idempotent. Returns 1 if the file was removed, 0 otherwise. */
int	listener_close(struct listener *l);

/*
 * May the peer on fd, just accepted on l, connect? Returns 1 (yes) or 0,
 * with who describing the peer ("uid 1000 gid 1000", "tcp:10.1.2.3:5555")
 * for the log either way.
 */
int	listener_allows(const struct listener *l, int fd, char *who,
	    size_t wholen);

/* Resolve a user or group name (or number). Returns 0 or -1. */
int	listener_uid(const char *name, uid_t *uid, gid_t *gid);
int	listener_gid(const char *name, gid_t *gid);

#endif
