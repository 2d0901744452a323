/*
 * upstream: see upstream.h.
 */
#include <stddef.h>

#include "upstream.h"

int
upstream_up(const struct upstream *u, int i, uint64_t now)
{
	return u->p[i].down_until <= now;
}

/* The next untried peer of the given class (backup or not) that is up,
 * in round robin or first order; -1 if none. */
static int
pick_class(struct upstream *u, uint64_t now, uint32_t tried, int backup)
{
	int start = u->mode == UPSTREAM_RR ? u->next : 0;

	for (int k = 0; k < u->n; k++) {
		int i = (start + k) % u->n;

		if (u->p[i].backup != backup || (tried & (1u << i)) ||
		    !upstream_up(u, i, now))
			continue;
		if (u->mode == UPSTREAM_RR)
			u->next = (i + 1) % u->n;
		return i;
	}
	return -1;
}

int
upstream_pick(struct upstream *u, uint64_t now, uint32_t tried)
{
	int i, best = -1;

	if ((i = pick_class(u, now, tried, 0)) != -1 ||
	    (i = pick_class(u, now, tried, 1)) != -1)
		return i;
	/* All down: try the one that comes back first. */
	for (i = 0; i < u->n; i++)
		if (!(tried & (1u << i)) && (best == -1 ||
		    u->p[i].down_until < u->p[best].down_until))
			best = i;
	return best;
}

int
upstream_left(const struct upstream *u, uint32_t tried)
{
	int n = 0;

	for (int i = 0; i < u->n; i++)
		n += !(tried & (1u << i));
	return n;
}

int
upstream_done(struct upstream *u, int i, int ok, uint64_t now)
{
	struct upstream_peer *p = &u->p[i];

	p->conns++;
	if (ok) {
		/* nginx forgets failures after a success. */
		p->fails = 0;
		return 0;
	}
	p->failures++;
	if (p->max_fails == 0)
		return 0;
	if (p->fails == 0 || now - p->window_start >= p->fail_timeout) {
		p->fails = 0;
		p->window_start = now;
	}
	if (++p->fails < p->max_fails)
		return 0;
	p->fails = 0;
	p->down_until = now + p->fail_timeout;
	return 1;
}
