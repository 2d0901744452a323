/*
 * proxy: HAProxy's PROXY protocol (doc/proxy-protocol.txt), versions 1
 * (text) and 2 (binary), to tell a backend who really connected. Pure:
 * parse from and build into caller buffers; no I/O, no allocation.
 *
 * sockbridge adds one TLV in the custom range for unix peers:
 * PROXY_TLV_PEERCRED (0xE0), 12 bytes: pid, uid, gid, each a big-endian
 * uint32, from SO_PEERCRED.
 */
#ifndef SB_PROXY_H
#define SB_PROXY_H

#include <sys/socket.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define PROXY_V1_MAX		107	/* the spec's limit, CRLF included */
#define PROXY_V2_MAX		1024	/* ours: header plus TLVs */
#define PROXY_TLV_PEERCRED	0xE0

struct proxy_hdr {
	int		 version;	/* 1 or 2 */
	int		 local;		/* v2 LOCAL, v1 UNKNOWN: no addresses */
	struct sockaddr_storage src, dst;	/* AF_INET, AF_INET6, AF_UNIX */
	socklen_t	 srclen, dstlen;
	int		 has_cred;	/* PROXY_TLV_PEERCRED was present */
	uint32_t	 pid, uid, gid;
};

/*
 * Parse a header at the start of buf[0..len). Returns its length (> 0),
 * 0 when more bytes are needed, or -1 when it is not a valid header (err
 * says why).
 */
int	proxy_parse(const unsigned char *buf, size_t len, struct proxy_hdr *h,
	    char *err, size_t errlen);

/*
 * Build a header for a connection from src to dst (either may be NULL or
 * of another family: v1 sends UNKNOWN, v2 a LOCAL-less UNSPEC). cred, if
 * not NULL, adds the peer credentials TLV (v2 only). Returns the length,
 * or -1 if it does not fit in buflen.
 */
int	proxy_build(int version, const struct sockaddr *src, socklen_t srclen,
	    const struct sockaddr *dst, socklen_t dstlen, const uint32_t *cred,
	    unsigned char *buf, size_t buflen);

#endif
