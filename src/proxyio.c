/*
 * proxyio: see proxyio.h.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proxyio.h"
#include "sys.h"

/*
 * How many more header bytes to read without taking any of the data
 * behind the header: 6 tell the versions apart; v1 ends at CRLF, so it is
 * read a byte at a time (once per connection, at most 107 bytes); v2 says
 * its length in bytes 15 and 16.
 */
static size_t
proxy_want(const unsigned char *b, size_t n)
{
	if (n < 6)
		return 6 - n;
	if (b[0] == 'P')
		return 1;
	if (n < 16)
		return 16 - n;
	return 16 + ((size_t)b[14] << 8 | b[15]) - n;
}

int
proxyio_read(int fd, struct proxyio_rd *rd, struct proxy_hdr *h, int *bad,
    char *err, size_t errlen)
{
	ssize_t n;
	int rc;

	*bad = 0;
	for (;;) {
		size_t want = proxy_want(rd->buf, rd->len);

		if (want == 0 || rd->len + want > sizeof(rd->buf))
			want = 1;	/* let the parser say what is wrong */
		n = recv(fd, rd->buf + rd->len, want, 0);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0) {
			snprintf(err, errlen, "%s before its PROXY header",
			    n == 0 ? "closed" : strerror(errno));
			return -1;
		}
		rd->len += (size_t)n;
		rc = proxy_parse(rd->buf, rd->len, h, err, errlen);
		if (rc < 0 || (rc == 0 && rd->len == sizeof(rd->buf))) {
			if (rc == 0)
				snprintf(err, errlen, "too long");
			*bad = 1;
			return -1;
		}
		if (rc > 0)
			return 1;
	}
}

int
proxyio_send(int up_fd, int down_fd, int version,
    const struct proxy_hdr *got, int trust_cred)
{
	struct sockaddr_storage src, dst;
	socklen_t sl = sizeof(src), dl = sizeof(dst);
	unsigned char buf[PROXY_V2_MAX];
	uint32_t cred[3], *credp = NULL;
	ssize_t sent;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	int n;

	if (got != NULL) {
		/* Pass on what our own client's header said. Its credentials
		 * TLV is only a claim: passed on only when trusted (the
		 * listener's allow list says who may send headers), never
		 * when anyone could have forged it (a uid 0 the target would
		 * take for one we read with SO_PEERCRED). */
		src = got->src;
		dst = got->dst;
		sl = got->srclen;
		dl = got->dstlen;
		if (got->has_cred && trust_cred) {
			cred[0] = got->pid;
			cred[1] = got->uid;
			cred[2] = got->gid;
			credp = cred;
		}
	} else if (down_fd == -1 || getpeername(down_fd,
	    (struct sockaddr *)&src, &sl) == -1 || getsockname(down_fd,
	    (struct sockaddr *)&dst, &dl) == -1)
		sl = dl = 0;
	if (got == NULL && sl > 0 && src.ss_family == AF_UNIX &&
	    sys_peercred(down_fd, &pid, &uid, &gid) == 0) {
		cred[0] = (uint32_t)pid;
		cred[1] = (uint32_t)uid;
		cred[2] = (uint32_t)gid;
		credp = cred;
	}
	n = proxy_build(version, sl ? (struct sockaddr *)&src : NULL, sl,
	    dl ? (struct sockaddr *)&dst : NULL, dl, version == 2 ? credp : NULL,
	    buf, sizeof(buf));
	if (n < 0)
		return -EINVAL;
	sent = send(up_fd, buf, (size_t)n, MSG_NOSIGNAL);
	if (sent == -1)
		return -errno;
	/* A short send set no errno: the buffer had no room. */
	return sent == n ? 0 : -EAGAIN;
}
