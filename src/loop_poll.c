/*
 * loop_poll: the portable backend, poll(2), on every POSIX system. See
 * loop_backend.h. make PORTABLE=1 builds with it alone, and
 * SOCKBRIDGE_LOOP=poll selects it at run time anywhere, so the code a
 * system without epoll or kqueue runs is run by the tests here.
 *
 * A registry of watched fds, dense: pfd[i] watches io[i]->fd and
 * io[i]->slot == i. Removing swaps the last entry into the hole. The
 * arrays grow by doubling, shrink when three quarters are unused, and are
 * freed with the loop; poll(2) costs O(n) per call where epoll costs
 * O(ready), which is the price of running everywhere.
 */
#include "loop_backend.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#define POLL_MINCAP	64

struct poll_state {
	struct pollfd	 *pfd;
	struct loop_io	**io;
	size_t		  n, cap;
	size_t		  start;	/* where the next scan begins */
};

/* Make an empty registry. Returns 0 or -ENOMEM. */
static int
poll_init(void **state)
{
	struct poll_state *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -ENOMEM;
	*state = s;
	return 0;
}

static void
poll_free(void *state)
{
	struct poll_state *s = state;

	if (s == NULL)
		return;
	free(s->pfd);
	free(s->io);
	free(s);
}

/* Resize both arrays to cap entries. Returns 0 or -ENOMEM; s->cap then
 * stays what both arrays can hold. */
static int
poll_resize(struct poll_state *s, size_t cap)
{
	struct pollfd *pfd;
	struct loop_io **io;

	if ((pfd = realloc(s->pfd, cap * sizeof(*pfd))) == NULL)
		return -ENOMEM;
	s->pfd = pfd;
	if ((io = realloc(s->io, cap * sizeof(*io))) == NULL) {
		if (cap < s->cap)
			s->cap = cap;
		return -ENOMEM;
	}
	s->io = io;
	s->cap = cap;
	return 0;
}

static short
poll_events(unsigned int mask)
{
	return (short)(((mask & LOOP_READ) ? POLLIN : 0) |
	    ((mask & LOOP_WRITE) ? POLLOUT : 0));
}

static void
poll_del(void *state, struct loop_io *io)
{
	struct poll_state *s = state;
	size_t i = (size_t)io->slot;

	if (i >= s->n || s->io[i] != io)
		return;		/* not ours: never registered */
	if (i != --s->n) {
		s->pfd[i] = s->pfd[s->n];
		s->io[i] = s->io[s->n];
		s->io[i]->slot = (int)i;
	}
	io->slot = -1;
	if (s->cap > POLL_MINCAP && s->n < s->cap / 4)
		(void)poll_resize(s, s->cap / 2);
}

/* Add, change or remove io's entry. Returns 0 or -ENOMEM. poll accepts
 * any fd (regular files always read as ready), so never -EPERM. */
static int
poll_set(void *state, struct loop_io *io, unsigned int mask)
{
	struct poll_state *s = state;

	if (mask == 0) {
		poll_del(s, io);
		return 0;
	}
	if (io->added) {
		s->pfd[io->slot].events = poll_events(mask);
		return 0;
	}
	if (s->n == s->cap &&
	    poll_resize(s, s->cap ? s->cap * 2 : POLL_MINCAP) != 0)
		return -ENOMEM;
	s->pfd[s->n].fd = io->fd;
	s->pfd[s->n].events = poll_events(mask);
	s->pfd[s->n].revents = 0;
	s->io[s->n] = io;
	io->slot = (int)s->n++;
	return 0;
}

/*
 * One poll(2) over the registry. When more entries are ready than fit in
 * ev, the next scan starts where this one stopped, so the fds at the end
 * of the registry are not starved. Errors, hangups and closed fds
 * (POLLNVAL) are reported as both directions.
 */
static int
poll_wait(void *state, struct loop_event *ev, int max, int timeout)
{
	struct poll_state *s = state;
	int ready, n = 0;
	size_t i;

	if ((ready = poll(s->pfd, (nfds_t)s->n, timeout)) == -1)
		return -errno;
	if (s->start >= s->n)
		s->start = 0;
	i = s->start;
	for (size_t k = 0; k < s->n && ready > 0; k++, i++) {
		short re;

		if (i == s->n)
			i = 0;
		if ((re = s->pfd[i].revents) == 0)
			continue;
		ready--;
		if (n == max) {
			s->start = i;
			return n;
		}
		ev[n].io = s->io[i];
		ev[n].events =
		    ((re & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) ?
		    LOOP_READ : 0) |
		    ((re & (POLLOUT | POLLHUP | POLLERR | POLLNVAL)) ?
		    LOOP_WRITE : 0);
		n++;
	}
	s->start = 0;
	return n;
}

const struct loop_backend loop_backend_poll = {
	.name = "poll",
	.init = poll_init,
	.free = poll_free,
	.set = poll_set,
	.del = poll_del,
	.wait = poll_wait,
};
