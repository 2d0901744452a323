/*
 * loop_epoll: the Linux backend. See loop_backend.h.
 *
 * Level-triggered, and the kernel holds the io pointer: nothing is
 * allocated per fd, and an interest change is one epoll_ctl.
 */
#include "loop_backend.h"

#ifdef LOOP_HAVE_EPOLL

#include <sys/epoll.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EPOLL_EVENTS	256

struct epoll_state {
	int			 epfd;
	struct epoll_event	 ev[EPOLL_EVENTS];
};

/* Make an epoll instance. Returns 0 or -errno. */
static int
epoll_init(void **state)
{
	struct epoll_state *s;

	if ((s = malloc(sizeof(*s))) == NULL)
		return -ENOMEM;
	if ((s->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		int rc = -errno;

		free(s);
		return rc;
	}
	*state = s;
	return 0;
}

static void
epoll_free(void *state)
{
	struct epoll_state *s = state;

	if (s == NULL)
		return;
	close(s->epfd);
	free(s);
}

/* ADD, MOD or DEL io for mask. Returns 0, -EPERM for fds epoll refuses
 * (regular files, some ttys), or -errno. */
static int
epoll_set(void *state, struct loop_io *io, unsigned int mask)
{
	struct epoll_state *s = state;
	struct epoll_event ev;
	int op;

	memset(&ev, 0, sizeof(ev));
	ev.events = ((mask & LOOP_READ) ? EPOLLIN : 0) |
	    ((mask & LOOP_WRITE) ? EPOLLOUT : 0);
	ev.data.ptr = io;
	if (mask == 0)
		op = EPOLL_CTL_DEL;
	else
		op = io->added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(s->epfd, op, io->fd, &ev) == -1)
		return -errno;
	return 0;
}

static void
epoll_del(void *state, struct loop_io *io)
{
	struct epoll_state *s = state;

	(void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, io->fd, NULL);
}

/* One epoll_wait. Errors and hangups are reported as both directions:
 * the next read or write tells the handler what happened. */
static int
epoll_wait_events(void *state, struct loop_event *ev, int max, int timeout)
{
	struct epoll_state *s = state;
	int n;

	if (max > EPOLL_EVENTS)
		max = EPOLL_EVENTS;
	if ((n = epoll_wait(s->epfd, s->ev, max, timeout)) == -1)
		return -errno;
	for (int i = 0; i < n; i++) {
		unsigned int e = s->ev[i].events;

		ev[i].io = s->ev[i].data.ptr;
		ev[i].events =
		    ((e & (EPOLLIN | EPOLLHUP | EPOLLERR)) ? LOOP_READ : 0) |
		    ((e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) ? LOOP_WRITE : 0);
	}
	return n;
}

const struct loop_backend loop_backend_epoll = {
	.name = "epoll",
	.init = epoll_init,
	.free = epoll_free,
	.set = epoll_set,
	.del = epoll_del,
	.wait = epoll_wait_events,
};

#endif /* LOOP_HAVE_EPOLL */
