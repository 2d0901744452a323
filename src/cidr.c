/*
 * cidr: parse and match networks for allow=. See cidr.h.
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <string.h>

#include "cidr.h"
#include "num.h"

int
cidr_parse(const char *s, struct cidr *n)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	long prefix;

	memset(n, 0, sizeof(*n));
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, n->addr) == 1)
		n->family = AF_INET;
	else if (inet_pton(AF_INET6, host, n->addr) == 1)
		n->family = AF_INET6;
	else
		return -1;
	n->prefix = n->family == AF_INET ? 32 : 128;
	if (slash != NULL) {
		if (num_parse_int(slash + 1, 0, n->prefix, &prefix) == -1)
			return -1;
		n->prefix = (int)prefix;
	}
	/* Host bits must be zero, as in "10.0.0.0/8": "10.1.2.3/8" is
	 * more likely a typo than a network. */
	for (int bit = n->prefix; bit < (n->family == AF_INET ? 32 : 128); bit++)
		if (n->addr[bit / 8] & (0x80 >> (bit % 8)))
			return -1;
	return 0;
}

int
cidr_match(const struct cidr *n, int family, const unsigned char *a)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	int bits = n->prefix;

	if (family == AF_INET6 && n->family == AF_INET &&
	    memcmp(a, mapped, 12) == 0) {
		a += 12;
		family = AF_INET;
	}
	if (family != n->family)
		return 0;
	if (memcmp(a, n->addr, (size_t)bits / 8) != 0)
		return 0;
	if (bits % 8 != 0) {
		unsigned char mask = (unsigned char)(0xff << (8 - bits % 8));

		if ((a[bits / 8] & mask) != (n->addr[bits / 8] & mask))
			return 0;
	}
	return 1;
}
