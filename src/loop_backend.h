/*
 * loop_backend: what loop.c asks of a readiness backend (loop_epoll.c,
 * loop_kqueue.c, loop_poll.c). Internal to the loop; callers use loop.h.
 *
 * A backend only watches fds. Timers, forced (unpollable) fds, signals,
 * busy polling and dispatch stay in loop.c, so they behave the same on
 * every backend.
 */
#ifndef SB_LOOP_BACKEND_H
#define SB_LOOP_BACKEND_H

#include "loop.h"

/*
 * Which backends this build has, by feature test rather than by OS name.
 * SB_PORTABLE (make PORTABLE=1) leaves only poll, the one every POSIX
 * system has. kqueue is taken only where epoll is missing: Linux may have
 * a <sys/event.h> from libkqueue without the kernel call behind it.
 */
#if !defined(SB_PORTABLE) && defined(__has_include)
#if __has_include(<sys/epoll.h>)
#define LOOP_HAVE_EPOLL		1
#elif __has_include(<sys/event.h>)
#define LOOP_HAVE_KQUEUE	1
#endif
#endif

/* One ready fd of a pass. io is NULL once the io was stopped during the
 * pass (the stale-event guard in loop_io_stop). */
struct loop_event {
	struct loop_io	*io;
	unsigned int	 events;	/* LOOP_READ | LOOP_WRITE */
};

struct loop_backend {
	const char	*name;
	/* Make the backend's state in *state. Returns 0 or -errno. */
	int		(*init)(void **state);
	/* Release the state; NULL-safe. */
	void		(*free)(void *state);
	/*
	 * Change io's interest from io->mask (registered when io->added) to
	 * mask, which differs from it; mask 0 removes io. Returns 0,
	 * -EPERM when the fd cannot be watched (the loop then treats it as
	 * always ready), or another -errno. The loop updates io->mask and
	 * io->added after success.
	 */
	int		(*set)(void *state, struct loop_io *io, unsigned int mask);
	/* Forget io (registered) before its fd is closed; cannot fail. */
	void		(*del)(void *state, struct loop_io *io);
	/*
	 * Wait up to timeout ms (-1: forever, 0: do not sleep) and fill up
	 * to max events, an io at most once per direction. Returns how many,
	 * or -errno (-EINTR included).
	 */
	int		(*wait)(void *state, struct loop_event *ev, int max,
			    int timeout);
};

#ifdef LOOP_HAVE_EPOLL
extern const struct loop_backend loop_backend_epoll;
#endif
#ifdef LOOP_HAVE_KQUEUE
extern const struct loop_backend loop_backend_kqueue;
#endif
extern const struct loop_backend loop_backend_poll;

#endif
