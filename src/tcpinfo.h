/*
 * tcpinfo: which socket listens on a TCP port, read from /proc/net/tcp
 * and /proc/net/tcp6 (Linux), so that "address already in use" can name
 * the process holding the port (sockinfo_owner() maps the socket inode to
 * it). Elsewhere the lookup answers -ENOSYS: "cannot tell".
 */
#ifndef SB_TCPINFO_H
#define SB_TCPINFO_H

#include <stddef.h>

#define TCPINFO_LISTEN	0x0A	/* the kernel's TCP_LISTEN state */

struct tcpinfo_entry {
	int		 family;	/* AF_INET, AF_INET6 */
	unsigned char	 addr[16];	/* as in struct in_addr / in6_addr */
	unsigned int	 port;
	unsigned int	 state;		/* TCPINFO_LISTEN, ... */
	unsigned long	 inode;
};

/*
 * Parse one line of /proc/net/tcp (family AF_INET) or tcp6 (AF_INET6)
 * into e: "  0: 0100007F:1538 00000000:0000 0A ... 23456 1 ...". Pure.
 * Returns 0, or -1 for the header line or anything else.
 */
int	tcpinfo_parse_line(const char *line, int family,
	    struct tcpinfo_entry *e);

/*
 * The inode of a socket of this network namespace listening on port at
 * addr (family AF_INET or AF_INET6, addr a struct in_addr or in6_addr),
 * or on a wildcard address that covers it, or of any listener on port if
 * none matches more closely. Returns the inode, 0 if none listens, or
 * -errno (-ENOSYS where there is no /proc/net/tcp).
 */
long	tcpinfo_listener(int family, const void *addr, unsigned int port);

/*
 * The lowest port an unprivileged process may bind here, from
 * net.ipv4.ip_unprivileged_port_start. Returns it, or -errno (-ENOSYS
 * where there is no such setting).
 */
int	tcpinfo_unprivileged_start(void);

#endif
