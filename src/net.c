/*
 * net: see net.h.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "net.h"

int
net_sockaddr(const struct addr *a, int passive, struct net_sa *sa,
    char *err, size_t errlen)
{
	struct addrinfo hints, *res;
	char port[8];
	const char *host;
	int rc;

	memset(sa, 0, sizeof(*sa));
	if (a->kind == ADDR_UNIX || a->kind == ADDR_ABSTRACT) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&sa->ss;
		size_t off = (a->kind == ADDR_ABSTRACT);

		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path + off, a->path, a->path_len);
		sa->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    off + a->path_len + (off ? 0 : 1));
		return 0;
	}
	if (a->kind != ADDR_TCP) {
		snprintf(err, errlen, "not a socket address");
		return -1;
	}
	host = a->host[0] != '\0' ? a->host : "127.0.0.1";
	snprintf(port, sizeof(port), "%u", a->port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = a->family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "resolve %s: %s", host, gai_strerror(rc));
		return -1;
	}
	memcpy(&sa->ss, res->ai_addr, res->ai_addrlen);
	sa->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int
net_unix_sa(struct net_sa *sa, const char *path, int abstract)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&sa->ss;
	size_t n = strlen(path), off = abstract ? 1 : 0;

	memset(sa, 0, sizeof(*sa));
	if (n + 1 > sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path + off, path, n);
	sa->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + off +
	    n + (abstract ? 0 : 1));
#ifdef SIN6_LEN
	/* The BSDs and macOS carry the length in the address too (sun_len,
	 * beside sa_len; KAME's SIN6_LEN is the test for that layout). */
	sun->sun_len = (unsigned char)sa->len;
#endif
	return 0;
}

const char *
net_sa_str(const struct sockaddr *sa, socklen_t len, char *buf, size_t buflen)
{
	char host[INET6_ADDRSTRLEN];

	switch (sa->sa_family) {
	case AF_UNIX: {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
		size_t n = len > offsetof(struct sockaddr_un, sun_path) ?
		    len - offsetof(struct sockaddr_un, sun_path) : 0;

		if (n == 0)
			snprintf(buf, buflen, "unix:(unnamed)");
		else if (sun->sun_path[0] == '\0')
			snprintf(buf, buflen, "unix:@%.*s", (int)(n - 1),
			    sun->sun_path + 1);
		else
			snprintf(buf, buflen, "unix:%.*s",
			    (int)strnlen(sun->sun_path, n), sun->sun_path);
		break;
	}
	case AF_INET: {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, buflen, "tcp:%s:%u", host, ntohs(sin->sin_port));
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(buf, buflen, "tcp:[%s]:%u", host,
		    ntohs(s6->sin6_port));
		break;
	}
	default:
		snprintf(buf, buflen, "family %d", sa->sa_family);
		break;
	}
	return buf;
}

const char *
net_local_str(int fd, char *buf, size_t buflen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		snprintf(buf, buflen, "fd:%d", fd);
		return buf;
	}
	return net_sa_str((struct sockaddr *)&ss, len, buf, buflen);
}
