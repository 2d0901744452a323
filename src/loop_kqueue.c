/*
 * loop_kqueue: the backend for macOS and the BSDs. See loop_backend.h.
 *
 * kqueue differs from epoll in ways that bite (libuv's src/unix/kqueue.c
 * learnt them):
 * - a filter per direction: EVFILT_READ and EVFILT_WRITE are added and
 *   deleted separately, and one fd can come back as two events in a pass.
 *   The loop copes: the second one is filtered by the io's mask, or
 *   dropped if the first handler stopped the io;
 * - EV_EOF on a read filter does not mean "nothing to read": data may
 *   still be queued before the end. It is reported as readable and the
 *   handler's read finds the bytes, then 0 or the error;
 * - a closed fd leaves the kqueue by itself, so deleting a filter of a
 *   closed fd fails with EBADF or ENOENT, which is harmless.
 * Changes are applied at once, one kevent() per filter, rather than
 * batched into the next wait: loop_io_set() reports its errors, and a
 * change for an fd closed before the wait cannot fail the whole wait.
 *
 * The kernel holds the io pointer in udata: nothing is allocated per fd.
 * Signals do not use EVFILT_SIGNAL; loop.c's self-pipe serves them, as on
 * every backend but epoll.
 */
#include "loop_backend.h"

#ifdef LOOP_HAVE_KQUEUE

#include <sys/types.h>
#include <sys/event.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KQ_EVENTS	256

struct kq_state {
	int		 kq;
	struct kevent	 ev[KQ_EVENTS];
};

/* Make a kqueue, close-on-exec. Returns 0 or -errno. */
static int
kq_init(void **state)
{
	struct kq_state *s;

	if ((s = malloc(sizeof(*s))) == NULL)
		return -ENOMEM;
	if ((s->kq = kqueue()) == -1 ||
	    fcntl(s->kq, F_SETFD, FD_CLOEXEC) == -1) {
		int rc = -errno;

		if (s->kq != -1)
			close(s->kq);
		free(s);
		return rc;
	}
	*state = s;
	return 0;
}

static void
kq_free(void *state)
{
	struct kq_state *s = state;

	if (s == NULL)
		return;
	close(s->kq);
	free(s);
}

/* Add or delete one filter of io. Returns 0 or -errno. */
static int
kq_change(struct kq_state *s, struct loop_io *io, short filter, int add)
{
	struct kevent kev;

	EV_SET(&kev, io->fd, filter, add ? EV_ADD : EV_DELETE, 0, 0, io);
	if (kevent(s->kq, &kev, 1, NULL, 0, NULL) == -1)
		return -errno;
	return 0;
}

/*
 * Move io from io->mask to mask, one filter per direction that changes.
 * Returns 0, -EPERM for fds kqueue cannot watch usefully, or -errno.
 * Regular files are always ready: their read filter fires only before
 * the end of the file, so they are refused up front and the loop calls
 * them on every pass, as epoll's EPERM makes it do on Linux.
 */
static int
kq_set(void *state, struct loop_io *io, unsigned int mask)
{
	struct kq_state *s = state;
	unsigned int old = io->added ? io->mask : 0;
	int rc;

	if (!io->added) {
		struct stat st;

		if (fstat(io->fd, &st) == -1)
			return -errno;
		if (S_ISREG(st.st_mode))
			return -EPERM;
	}
	if ((mask & LOOP_READ) != (old & LOOP_READ) &&
	    (rc = kq_change(s, io, EVFILT_READ, mask & LOOP_READ)) != 0 &&
	    (mask & LOOP_READ))
		return rc == -EINVAL && !io->added ? -EPERM : rc;
	if ((mask & LOOP_WRITE) != (old & LOOP_WRITE) &&
	    (rc = kq_change(s, io, EVFILT_WRITE, mask & LOOP_WRITE)) != 0 &&
	    (mask & LOOP_WRITE)) {
		/* Undo the read half so io is left as it was. */
		if ((mask & LOOP_READ) != (old & LOOP_READ))
			(void)kq_change(s, io, EVFILT_READ, old & LOOP_READ);
		return rc == -EINVAL && !io->added ? -EPERM : rc;
	}
	return 0;
}

static void
kq_del(void *state, struct loop_io *io)
{
	struct kq_state *s = state;

	if (io->mask & LOOP_READ)
		(void)kq_change(s, io, EVFILT_READ, 0);
	if (io->mask & LOOP_WRITE)
		(void)kq_change(s, io, EVFILT_WRITE, 0);
}

/* One kevent() wait. An fd ready both ways comes back as two events. */
static int
kq_wait(void *state, struct loop_event *ev, int max, int timeout)
{
	struct kq_state *s = state;
	struct timespec ts, *tsp = NULL;
	int n, out = 0;

	if (timeout >= 0) {
		ts.tv_sec = timeout / 1000;
		ts.tv_nsec = (long)(timeout % 1000) * 1000000;
		tsp = &ts;
	}
	if (max > KQ_EVENTS)
		max = KQ_EVENTS;
	if ((n = kevent(s->kq, NULL, 0, s->ev, max, tsp)) == -1)
		return -errno;
	for (int i = 0; i < n; i++) {
		struct kevent *k = &s->ev[i];

		/* EV_ERROR here would be a failed change; there are none
		 * in this list, but do not dispatch one as readiness. */
		if (k->flags & EV_ERROR)
			continue;
		ev[out].io = k->udata;
		ev[out].events = k->filter == EVFILT_READ ? LOOP_READ :
		    k->filter == EVFILT_WRITE ? LOOP_WRITE : 0;
		if (ev[out].events != 0)
			out++;
	}
	return out;
}

const struct loop_backend loop_backend_kqueue = {
	.name = "kqueue",
	.init = kq_init,
	.free = kq_free,
	.set = kq_set,
	.del = kq_del,
	.wait = kq_wait,
};

#endif /* LOOP_HAVE_KQUEUE */
