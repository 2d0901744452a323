/*
 * tcpinfo: see tcpinfo.h.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpinfo.h"

/* Parse n hex digits at s into *v. Returns 0 or -1. */
static int
hex(const char *s, size_t n, unsigned long *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return -1;
		*v = *v << 4 | (unsigned long)d;
	}
	return 0;
}

/* Skip blanks. */
static const char *
blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Skip one field and the blanks after it. */
static const char *
field(const char *p)
{
	while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	return blanks(p);
}

int
tcpinfo_parse_line(const char *line, int family, struct tcpinfo_entry *e)
{
	size_t words = family == AF_INET6 ? 4 : 1;
	const char *p = blanks(line);
	unsigned long v;
	char *end;

	if (family != AF_INET && family != AF_INET6)
		return -1;
	memset(e, 0, sizeof(*e));
	e->family = family;
	/* "sl:" */
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p++ != ':')
		return -1;
	p = blanks(p);
	/* local address: 8 hex digits per 32-bit word, each the word as
	 * the kernel holds it (network order bytes, printed as a host
	 * integer), then ":PORT" */
	for (size_t i = 0; i < words; i++) {
		unsigned int w;

		if (hex(p, 8, &v) == -1)
			return -1;
		w = (unsigned int)v;
		memcpy(e->addr + 4 * i, &w, 4);
		p += 8;
	}
	if (*p++ != ':' || hex(p, 4, &v) == -1)
		return -1;
	e->port = (unsigned int)v;
	p += 4;
	if (*p != ' ')
		return -1;
	p = field(blanks(p));		/* remote address */
	if (hex(p, 2, &v) == -1)
		return -1;
	e->state = (unsigned int)v;
	p += 2;
	if (*p != ' ')
		return -1;
	/* tx:rx, tr:when, retrnsmt, uid, timeout, then the inode */
	p = blanks(p);
	for (int i = 0; i < 5; i++) {
		if (*p == '\0')
			return -1;
		p = field(p);
	}
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	e->inode = strtoul(p, &end, 10);
	if (errno != 0 || (*end != ' ' && *end != '\0' && *end != '\n'))
		return -1;
	return 0;
}

#ifdef __linux__

/* How closely e covers addr: 3 the same address, 2 a wildcard of the
 * same family, 1 a v6 wildcard for a v4 address, 0 not at all. */
static int
closeness(const struct tcpinfo_entry *e, int family, const void *addr)
{
	static const unsigned char zero[16];
	size_t len = family == AF_INET6 ? 16 : 4;

	if (e->family == family && memcmp(e->addr, addr, len) == 0)
		return 3;
	if (e->family == family && memcmp(e->addr, zero, len) == 0)
		return 2;
	if (family == AF_INET && e->family == AF_INET6 &&
	    memcmp(e->addr, zero, 16) == 0)
		return 1;
	return 0;
}

long
tcpinfo_listener(int family, const void *addr, unsigned int port)
{
	static const struct {
		const char	*file;
		int		 family;
	} tab[] = { { "/proc/net/tcp", AF_INET }, { "/proc/net/tcp6", AF_INET6 } };
	unsigned long best = 0, any = 0;
	int best_c = 0, opened = 0;
	char line[512];

	for (size_t i = 0; i < 2; i++) {
		struct tcpinfo_entry e;
		FILE *f;

		if ((f = fopen(tab[i].file, "re")) == NULL)
			continue;
		opened++;
		while (fgets(line, sizeof(line), f) != NULL) {
			int c;

			if (tcpinfo_parse_line(line, tab[i].family, &e) == -1 ||
			    e.state != TCPINFO_LISTEN || e.port != port)
				continue;
			if (any == 0)
				any = e.inode;
			if ((c = closeness(&e, family, addr)) > best_c) {
				best_c = c;
				best = e.inode;
			}
		}
		fclose(f);
	}
	if (opened == 0)
		return -ENOSYS;
	return (long)(best != 0 ? best : any);
}

int
tcpinfo_unprivileged_start(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");
	int v, n;

	if (f == NULL)
		return errno == ENOENT ? -ENOSYS : -errno;
	n = fscanf(f, "%d", &v);
	fclose(f);
	return n == 1 && v >= 0 ? v : -EINVAL;
}

#else

int
tcpinfo_unprivileged_start(void)
{
	return -ENOSYS;
}

long
tcpinfo_listener(int family, const void *addr, unsigned int port)
{
	(void)family;
	(void)addr;
	(void)port;
	return -ENOSYS;
}

#endif
