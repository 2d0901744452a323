/*
 * peerlimit: how many connections each peer has open, for
 * --max-conns-per-peer, so that one local user or one remote address
 * cannot take every slot of --max-conns. A peer is a uid on a unix socket
 * (SO_PEERCRED: every process of one user counts together) and a source
 * address on TCP (every port of it; an IPv4-mapped IPv6 address counts as
 * the IPv4 one). The table holds only peers with a connection open, so
 * its size follows the connections, never what peers send.
 */
#ifndef SB_PEERLIMIT_H
#define SB_PEERLIMIT_H

#include <stddef.h>
#include <stdint.h>

struct peer_key {
	int		 family;	/* AF_UNIX (uid), AF_INET, AF_INET6 */
	unsigned char	 a[16];		/* the uid, or the address */
};

struct peer_count;

struct peerlimit {
	int		 max;		/* connections per peer; 0: no limit */
	struct peer_count **bucket;
	size_t		 nbucket;	/* a power of two, or 0 */
	size_t		 n;		/* peers with a connection open */
};

/* An empty table allowing max connections per peer (0: unlimited). */
void	peerlimit_init(struct peerlimit *pl, int max);
void	peerlimit_free(struct peerlimit *pl);

/*
 * The peer of the connected socket fd. Returns 0, or -1 when it has none
 * to count (not a unix or TCP socket, or the kernel will not say).
 */
int	peerlimit_key(int fd, struct peer_key *k);

/*
 * Count one more connection for k if it is under the limit. Returns 1
 * (counted), 0 (at the limit: not counted; *open says how many it has),
 * or -ENOMEM.
 */
int	peerlimit_take(struct peerlimit *pl, const struct peer_key *k,
	    int *open);

/* One connection of k closed (it was counted by peerlimit_take). */
void	peerlimit_put(struct peerlimit *pl, const struct peer_key *k);

/* How many connections k has open (for tests and logs). */
int	peerlimit_open(const struct peerlimit *pl, const struct peer_key *k);

#endif
