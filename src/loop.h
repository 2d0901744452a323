/*
 * loop: a small event loop, the size of redis' ae: fd readiness, timers,
 * signals. The epoll backend in loop.c is one half of the Linux seam (sys.c
 * is the other); a poll or kqueue backend can replace it without touching
 * the relay.
 *
 * Callers embed struct loop_io and struct loop_timer in their own objects;
 * the loop allocates nothing per fd.
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

struct loop	*loop_new(void);
void		 loop_free(struct loop *);

/* Run until loop_stop(). Returns 0, or -errno if waiting failed. */
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

/* Call fn from the loop (not from the handler) when signo arrives. */
int		 loop_signal(struct loop *, int signo, loop_signal_fn *, void *);
/* Call fn after each pass, when no event of the pass is pending: the place
 * to free objects whose fds were stopped during the pass. */
void		 loop_after(struct loop *, loop_after_fn *, void *);

#endif
