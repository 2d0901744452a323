/*
 * backoff: see backoff.h.
 */
#include "backoff.h"

uint64_t
backoff_next(unsigned int *last, uint64_t *rng, uint64_t now,
    uint64_t deadline)
{
	uint64_t ms;

	if (now >= deadline)
		return 0;
	*last = *last == 0 ? BACKOFF_MIN_MS : *last >= BACKOFF_MAX_MS / 2 ?
	    BACKOFF_MAX_MS : *last * 2;
	/* xorshift64: a cheap, uneven enough sequence. */
	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	ms = *last - *rng % (*last / 2 + 1);
	if (ms >= 2 * BACKOFF_GRID_MS)
		ms += BACKOFF_GRID_MS - (now + ms) % BACKOFF_GRID_MS;
	if (ms > deadline - now)
		ms = deadline - now;
	return ms;
}
