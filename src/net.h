/*
 * net: turn a parsed address into a socket address and back into text.
 */
#ifndef SB_NET_H
#define SB_NET_H

#include <sys/socket.h>

#include <stddef.h>

#include "addr.h"

struct net_sa {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
};

/*
 * Socket address for a unix, abstract or tcp address. A tcp host is
 * resolved (getaddrinfo); without one, 127.0.0.1. passive: for bind.
 * Returns 0, or -1 with err ("resolve tcp:nohost:80: Name or service not
 * known").
 */
int	net_sockaddr(const struct addr *a, int passive, struct net_sa *sa,
	    char *err, size_t errlen);

/*
 * Socket address for the unix socket file path, or with abstract set for
 * the abstract name path (no leading '@' or NUL). Returns 0, or
 * -ENAMETOOLONG when it does not fit in sun_path (a file path needs room
 * for its NUL, an abstract name for the leading NUL).
 */
int	net_unix_sa(struct net_sa *sa, const char *path, int abstract);

/* "unix:/path", "unix:@name", "tcp:127.0.0.1:80", "tcp:[::1]:80". */
const char *net_sa_str(const struct sockaddr *sa, socklen_t len, char *buf,
	    size_t buflen);

/* The local address fd is bound to, as text. */
const char *net_local_str(int fd, char *buf, size_t buflen);

#endif
