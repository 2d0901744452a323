/*
 * loop: a small event loop, the size of redis' ae: fd readiness, timers,
 * signals. loop.c holds what is the same everywhere (timers in a heap,
 * always-ready fds, dispatch, busy polling, signals); one file per
 * readiness backend watches the fds: loop_epoll.c (Linux), loop_kqueue.c
 * (macOS, the BSDs), loop_poll.c (any POSIX system). The build takes the
 * best one the system has; make PORTABLE=1 builds with poll alone.
 *
 * Environment: SOCKBRIDGE_LOOP=poll forces the poll backend at run time
 * on every platform, so the portable path can be run where epoll exists
 * ("epoll" or "kqueue" name those; unset or empty: the best one). With
 * epoll, signals arrive through a signalfd; with the others, through a
 * self-pipe written by a signal handler.
 *
 * Callers embed struct loop_io and struct loop_timer in their own objects;
 * the epoll and kqueue backends allocate nothing per fd, poll keeps one
 * registry entry per watched fd.
 */
#ifndef SB_LOOP_H
#define SB_LOOP_H

#include <stddef.h>
#include <stdint.h>

#define LOOP_READ	0x1
#define LOOP_WRITE	0x2

struct loop;
struct loop_io;
struct loop_timer;

typedef void	loop_io_fn(struct loop *, struct loop_io *, unsigned int events);
typedef void	loop_timer_fn(struct loop *, struct loop_timer *);
typedef void	loop_signal_fn(struct loop *, int signo, void *arg);
typedef void	loop_after_fn(struct loop *, void *arg);

struct loop_io {
	int		 fd;
	unsigned int	 mask;		/* interest the kernel holds */
	int		 added;		/* registered with the backend */
	int		 forced;	/* not pollable: always ready */
	int		 slot;		/* backend's index for it (poll) */
	struct loop_io	*forced_next;
	loop_io_fn	*fn;
	void		*arg;
};

struct loop_timer {
	uint64_t	 when;		/* ms, loop_now() clock */
	size_t		 idx;		/* heap slot + 1, 0 when not armed */
	loop_timer_fn	*fn;
	void		*arg;
};

/* A loop on the backend SOCKBRIDGE_LOOP names, or the best one. Returns
 * NULL with errno set: EINVAL for an unknown name, ENOSYS for a backend
 * this build lacks. */
struct loop	*loop_new(void);
/* The same on the named backend ("epoll", "kqueue", "poll"; NULL: the
 * best one), ignoring the environment: for tests and diagnostics. */
struct loop	*loop_new_backend(const char *name);
/* The backend's name. */
const char	*loop_backend_name(const struct loop *);
/* Free l; its signals go back to the dispositions and mask they had
 * before loop_signal(). NULL-safe. */
void		 loop_free(struct loop *);

/* Run until loop_stop(); each stop ends one run. Returns 0, or -errno
 * (errno set as well) if waiting failed. */
int		 loop_run(struct loop *);
void		 loop_stop(struct loop *);

/* Milliseconds on the monotonic clock, read once per loop pass. */
uint64_t	 loop_now(const struct loop *);

void		 loop_io_init(struct loop_io *, int fd, loop_io_fn *, void *);
/* Set the interest mask (0 removes it). Calls the kernel only when the mask
 * changes. Returns 0 or -errno. */
int		 loop_io_set(struct loop *, struct loop_io *, unsigned int mask);
/* Forget io before its fd is closed; pending events for it are dropped. */
void		 loop_io_stop(struct loop *, struct loop_io *);

void		 loop_timer_init(struct loop_timer *, loop_timer_fn *, void *);
void		 loop_timer_set(struct loop *, struct loop_timer *, uint64_t ms);
void		 loop_timer_stop(struct loop *, struct loop_timer *);

/* Before sleeping, keep polling for up to usec microseconds after the last
 * event (0: off, the default). Saves the wake-up on machines where waking
 * an idle CPU is slow (VMs); costs up to that much CPU per quiet spell. */
void		 loop_busy_poll(struct loop *, unsigned int usec);

/*
 * Call fn from the loop (not from a signal handler) when signo arrives.
 * A signal belongs to one loop in the process at a time: claiming one
 * that another live loop holds returns -EBUSY rather than taking it over
 * (calling again on the same loop replaces fn). Returns 0, -EBUSY,
 * -EINVAL for a bad signo, or -errno.
 */
int		 loop_signal(struct loop *, int signo, loop_signal_fn *, void *);
/* Call fn after each pass, when no event of the pass is pending: the place
 * to free objects whose fds were stopped during the pass. */
void		 loop_after(struct loop *, loop_after_fn *, void *);

#endif
