/*
 * proxyio: the PROXY protocol on a connection's sockets. Reading an
 * incoming header off an accepted socket without taking a byte of the
 * data behind it, and sending our own header to a target. The parsing and
 * building are proxy.c's (pure); this module does the socket calls.
 */
#ifndef SB_PROXYIO_H
#define SB_PROXYIO_H

#include <stddef.h>

#include "proxy.h"

/* An incoming header, read so far. */
struct proxyio_rd {
	unsigned char	 buf[PROXY_V2_MAX];
	size_t		 len;
};

/*
 * Read more of the header on fd into rd and parse it into h. Returns 1
 * when the header is complete (h filled; the next byte on fd is data), 0
 * when more must arrive first, or -1 with err saying why it failed: the
 * peer closed or reset before the header ended (*bad 0), or what was sent
 * is not a valid header (*bad 1).
 */
int	proxyio_read(int fd, struct proxyio_rd *rd, struct proxy_hdr *h,
	    int *bad, char *err, size_t errlen);

/*
 * Send a version 1 or 2 header to up_fd, just connected (its send buffer
 * is empty, so the header, a few hundred bytes at most, goes in one send).
 * It names the client on down_fd: as got says, when our own client sent a
 * header (got != NULL; its credentials TLV passed on only if trust_cred),
 * else from the socket itself (down_fd -1: stdio, no addresses), with the
 * peer's credentials from the kernel on unix sockets. Returns 0, -EINVAL
 * if the header cannot be built, or -errno from send (-EAGAIN: no room).
 */
int	proxyio_send(int up_fd, int down_fd, int version,
	    const struct proxy_hdr *got, int trust_cred);

#endif
