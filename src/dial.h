/*
 * dial: reach a target. Sockets connect without blocking; exec targets run
 * a command whose stdin and stdout are one end of a socketpair, so the relay
 * treats them like any socket (half-close included).
 */
#ifndef SB_DIAL_H
#define SB_DIAL_H

#include <sys/types.h>

#include "addr.h"
#include "net.h"

struct dial_target {
	struct addr	 addr;
	struct net_sa	 sa;		/* resolved once, at start */
	struct net_sa	 bind_sa;	/* bind= source address */
	int		 has_bind;
	char		 name[ADDR_CMD_MAX + 8];	/* for logs */
};

/* Resolve a. Returns 0, or -1 with err. */
int	dial_prepare(struct dial_target *t, const struct addr *a, char *err,
	    size_t errlen);

/*
 * Start reaching t. Returns a nonblocking fd, with *pending set when the
 * connect is still in progress (wait for writability, then dial_finish()),
 * or -errno. For exec targets *pid is the child.
 */
int	dial_start(const struct dial_target *t, int *pending, pid_t *pid);

/* Result of a pending connect: 0 or -errno. */
int	dial_finish(int fd);

#endif
