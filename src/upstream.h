/*
 * upstream: choose a target for each connection among several, the way
 * nginx does: round robin (or the first available) over healthy primary
 * targets; a target that fails max_fails times within fail_timeout is
 * marked down for fail_timeout; backup targets serve only while every
 * primary is down. Pure bookkeeping: the caller passes the time.
 */
#ifndef SB_UPSTREAM_H
#define SB_UPSTREAM_H

#include <stdint.h>

#define UPSTREAM_MAX	32

enum upstream_mode {
	UPSTREAM_RR = 0,	/* round robin */
	UPSTREAM_FIRST,		/* first available, in the order given */
};

struct upstream_peer {
	int		 backup;
	int		 max_fails;	/* 0: never marked down */
	uint64_t	 fail_timeout;	/* ms */
	int		 fails;		/* within the current window */
	uint64_t	 window_start;
	uint64_t	 down_until;	/* ms; 0 or past: up */
	uint64_t	 conns, failures;	/* totals, for stats */
};

struct upstream {
	struct upstream_peer p[UPSTREAM_MAX];
	int		 n;
	int		 next;		/* round robin cursor */
	enum upstream_mode mode;
};

/*
 * Pick a peer for a new attempt at time now, skipping those in tried (a
 * bit per peer). Returns its index, or -1 when every peer was tried. When
 * all untried peers are down, the one that comes back first is tried
 * anyway, as nginx does, rather than refusing outright.
 */
int	upstream_pick(struct upstream *, uint64_t now, uint32_t tried);

/* How many peers are not in tried: is there another one to try? */
int	upstream_left(const struct upstream *, uint32_t tried);

/* Record an attempt's outcome. Returns 1 when this failure marked the
 * peer down (the caller logs it), else 0. */
int	upstream_done(struct upstream *, int i, int ok, uint64_t now);

/* Is peer i up at time now? */
int	upstream_up(const struct upstream *, int i, uint64_t now);

#endif
