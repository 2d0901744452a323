/*
 * acl: who may connect to a listener: the allow-user=, allow-group= and
 * allow= rules of an address, resolved once (names to ids), and checked
 * for each accepted peer (SO_PEERCRED and its groups on unix, the source
 * address on tcp). Also resolves the user and group names the listener
 * and --user take.
 */
#ifndef SB_ACL_H
#define SB_ACL_H

#include <sys/types.h>

#include <stddef.h>

#include "addr.h"

/* Who may connect: any rule that matches lets a peer in. */
struct acl {
	int		 on;		/* any rule given */
	uid_t		 uid[ADDR_ACL_MAX];
	int		 nuid;
	gid_t		 gid[ADDR_ACL_MAX];
	int		 ngid;
	struct cidr	 net[ADDR_ACL_MAX];
	int		 nnet;
};

/* Resolve the allow-... rules of o into acl. Returns 0, or -1 with err
 * naming the user or group that does not exist. */
int	acl_resolve(const struct addr_opts *o, struct acl *acl, char *err,
	    size_t errlen);

/*
 * May the peer on fd, just accepted, connect? Returns 1 (yes) or 0, with
 * who describing the peer ("unix peer pid 12 uid 1000 gid 1000",
 * "tcp:10.1.2.3:5555") for the log either way.
 */
int	acl_allows(const struct acl *acl, int fd, char *who, size_t wholen);

/* Resolve a user name (or number) to its uid and, if gid is not NULL,
 * its primary group ((gid_t)-1 for a bare number). Returns 0 or -1. */
int	acl_uid(const char *name, uid_t *uid, gid_t *gid);

/* Resolve a group name (or number). Returns 0 or -1. */
int	acl_gid(const char *name, gid_t *gid);

#endif
