/*
 * backoff: how long to wait before trying to connect again (a unix
 * target's backlog is full; no target is there yet). Pure: no I/O.
 *
 * The delay doubles from BACKOFF_MIN_MS up to BACKOFF_MAX_MS, less a
 * random share of up to half, so that clients that began waiting together
 * do not all try again together. Delays of BACKOFF_GRID_MS * 2 and more
 * end on a grid of BACKOFF_GRID_MS on the caller's clock, so that one
 * wake-up serves many waiting clients: a wake-up costs more than the
 * connect it is for.
 */
#ifndef SB_BACKOFF_H
#define SB_BACKOFF_H

#include <stdint.h>

#define BACKOFF_MIN_MS	10
#define BACKOFF_MAX_MS	1000
#define BACKOFF_GRID_MS	50

/*
 * The next delay in ms from now (ms, any clock), never past deadline (same
 * clock). *last is the previous delay (0: none yet) and is updated; *rng
 * is a nonzero random state, updated. Returns 0 if deadline has passed.
 */
uint64_t	backoff_next(unsigned int *last, uint64_t *rng, uint64_t now,
		    uint64_t deadline);

#endif
