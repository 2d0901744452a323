/*
 * keepalive: the TCP keepalive settings of --keepalive, parsed (pure: no
 * I/O, no allocation, no logging) and applied to a socket. Keepalive is on
 * by default on every TCP side, accepted and dialed, so that a peer that
 * vanished (a host powered off, a NAT that forgot the flow) is noticed
 * and its connection freed without -i.
 */
#ifndef SB_KEEPALIVE_H
#define SB_KEEPALIVE_H

#include <stddef.h>

/* The defaults: probe after 60 s idle, then every 10 s, give up after 6
 * unanswered probes: a dead peer is dropped about 2 minutes after it
 * went quiet (Linux's own defaults take 2 hours 11 minutes). */
#define KEEPALIVE_IDLE_S	60
#define KEEPALIVE_INTVL_S	10
#define KEEPALIVE_CNT		6

/* The kernel's ranges (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT). */
#define KEEPALIVE_TIME_MAX	32767
#define KEEPALIVE_CNT_MAX	127

struct keepalive {
	int	 on;
	int	 idle_s, intvl_s, cnt;
};

/* The defaults above, on. */
void	keepalive_default(struct keepalive *ka);

/*
 * Parse "off" or "IDLE[,INTVL[,CNT]]" (IDLE and INTVL durations in whole
 * seconds from 1 to 32767, like 90, 2m or 30s; CNT 1 to 127; parts left
 * out keep their defaults) into ka. Returns 0, or -1 with err saying which
 * part is wrong and why.
 */
int	keepalive_parse(const char *s, struct keepalive *ka, char *err,
	    size_t errlen);

/*
 * Turn keepalive on fd on with ka's timings, if fd is a TCP socket (a unix
 * socket or a pipe is left alone), or off if ka is off. Returns 0 or
 * -errno.
 */
int	keepalive_apply(int fd, const struct keepalive *ka);

#endif
