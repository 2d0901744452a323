/*
 * stats: the relay's counters, and their text in the Prometheus exposition
 * format (served by --stats, logged on SIGUSR1).
 */
#ifndef SB_STATS_H
#define SB_STATS_H

#include <stddef.h>
#include <stdint.h>

enum stats_err {
	STATS_CONNECT_REFUSED = 0,
	STATS_CONNECT_TIMEOUT,
	STATS_CONNECT_OTHER,
	STATS_RESET,
	STATS_IO,
	STATS_IDLE_TIMEOUT,
	STATS_ACCEPT_PAUSED,	/* out of fds: accepting paused */
	STATS_DENIED,		/* not in the listener's allow list */
	STATS_PROXY,		/* bad or missing PROXY header */
	STATS_PEER_LIMIT,	/* over --max-conns-per-peer */
	STATS_NERR,
};

struct stats_target {
	const char	*name;
	int		 up;
	int		 backup;
	uint64_t	 conns, failures;
};

struct stats {
	uint64_t	 conns_active;
	uint64_t	 conns_total;
	uint64_t	 bytes_up, bytes_down;
	uint64_t	 err[STATS_NERR];
	const struct stats_target *targets;
	int		 ntargets;
};

/*
 * Write s in Prometheus text format into buf (NUL-terminated, at most
 * len - 1 bytes; buf may be NULL when len is 0); with help, the # HELP
 * and # TYPE lines too. Returns the length of the whole text, like
 * snprintf: when that is len or more, buf holds only its start, so call
 * once with len 0 to size the buffer. Target names go out whole, escaped
 * as label values.
 */
size_t	stats_format(const struct stats *s, int help, char *buf, size_t len);

#endif
