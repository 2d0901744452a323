/*
 * cidr: networks for allow= ("10.0.0.0/8", "::1/128", a bare address)
 * and whether an address lies inside one.
 *
 * Pure: no I/O, no allocation, no logging.
 */
#ifndef SB_CIDR_H
#define SB_CIDR_H

struct cidr {
	int		 family;	/* AF_INET, AF_INET6 */
	unsigned char	 addr[16];
	int		 prefix;
};

/* Parse s into n. Host bits must be zero ("10.1.2.3/8" is refused as
 * the typo it likely is). Returns 0 or -1; n is zeroed either way. */
int	cidr_parse(const char *s, struct cidr *n);

/* Is the address (family, 4 or 16 bytes) inside n? 1 or 0. IPv4-mapped
 * IPv6 addresses match IPv4 networks. */
int	cidr_match(const struct cidr *n, int family, const unsigned char *addr);

#endif
