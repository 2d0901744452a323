/*
 * loop: epoll backend. See loop.h.
 *
 * Level-triggered: a handler that leaves data unread is called again, so
 * handlers may bound their work per pass for fairness.
 */
#include <sys/epoll.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define LOOP_EVENTS	256
#define LOOP_SIGMAX	65

struct loop {
	int			 epfd;
	int			 running;
	uint64_t		 now;
	struct epoll_event	 ev[LOOP_EVENTS];
	int			 nev;		/* events of the pass */
	struct loop_io		*forced;	/* unpollable fds */
	struct loop_timer	**heap;
	size_t			 nheap, heapcap;
	/* Signals arrive through a self-pipe so handlers run in the loop. */
	int			 sigpipe[2];
	struct loop_io		 sigio;
	loop_signal_fn		*sigfn[LOOP_SIGMAX];
	void			*sigarg[LOOP_SIGMAX];
	loop_after_fn		*after;
	void			*after_arg;
	uint64_t		 busy_ns;	/* --busy-poll; 0: off */
};

static int loop_sigfd = -1;	/* write end, for the signal handler */

static uint64_t
clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static uint64_t
clock_ms(void)
{
	return clock_ns() / 1000000;
}

static void
signal_handler(int signo)
{
	unsigned char c = (unsigned char)signo;
	int saved = errno;

	(void)!write(loop_sigfd, &c, 1);
	errno = saved;
}

static void
signal_read(struct loop *l, struct loop_io *io, unsigned int events)
{
	unsigned char buf[64];
	ssize_t n;

	(void)events;
	while ((n = read(io->fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] < LOOP_SIGMAX && l->sigfn[buf[i]] != NULL)
				l->sigfn[buf[i]](l, buf[i], l->sigarg[buf[i]]);
}

struct loop *
loop_new(void)
{
	struct loop *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->sigpipe[0] = l->sigpipe[1] = -1;
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		goto fail;
	if (pipe2(l->sigpipe, O_NONBLOCK | O_CLOEXEC) == -1)
		goto fail;
	loop_sigfd = l->sigpipe[1];
	loop_io_init(&l->sigio, l->sigpipe[0], signal_read, NULL);
	if (loop_io_set(l, &l->sigio, LOOP_READ) != 0)
		goto fail;
	l->now = clock_ms();
	l->running = 1;
	return l;
fail:
	loop_free(l);
	return NULL;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	if (l->epfd != -1)
		close(l->epfd);
	if (l->sigpipe[0] != -1)
		close(l->sigpipe[0]);
	if (l->sigpipe[1] != -1) {
		close(l->sigpipe[1]);
		loop_sigfd = -1;
	}
	free(l->heap);
	free(l);
}

uint64_t
loop_now(const struct loop *l)
{
	return l->now;
}

void
loop_stop(struct loop *l)
{
	l->running = 0;
}

void
loop_io_init(struct loop_io *io, int fd, loop_io_fn *fn, void *arg)
{
	memset(io, 0, sizeof(*io));
	io->fd = fd;
	io->fn = fn;
	io->arg = arg;
}

static void
forced_unlink(struct loop *l, struct loop_io *io)
{
	for (struct loop_io **p = &l->forced; *p != NULL; p = &(*p)->forced_next)
		if (*p == io) {
			*p = io->forced_next;
			break;
		}
	io->forced = 0;
}

int
loop_io_set(struct loop *l, struct loop_io *io, unsigned int mask)
{
	struct epoll_event ev;
	int op;

	if (io->fd == -1 || (mask == io->mask && (io->added || io->forced)))
		return 0;
	if (io->forced) {
		io->mask = mask;
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = ((mask & LOOP_READ) ? EPOLLIN : 0) |
	    ((mask & LOOP_WRITE) ? EPOLLOUT : 0);
	ev.data.ptr = io;
	if (mask == 0)
		op = io->added ? EPOLL_CTL_DEL : -1;
	else
		op = io->added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (op != -1 && epoll_ctl(l->epfd, op, io->fd, &ev) == -1) {
		/* Regular files and some ttys cannot be polled; they are
		 * always ready, so call them on every pass. */
		if (errno == EPERM && op == EPOLL_CTL_ADD) {
			io->forced = 1;
			io->mask = mask;
			io->forced_next = l->forced;
			l->forced = io;
			return 0;
		}
		return -errno;
	}
	io->added = (mask != 0);
	io->mask = mask;
	return 0;
}

void
loop_io_stop(struct loop *l, struct loop_io *io)
{
	if (io->fd == -1)
		return;
	if (io->forced)
		forced_unlink(l, io);
	else if (io->added)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	/* Drop events of this pass that still point at io. */
	for (int i = 0; i < l->nev; i++)
		if (l->ev[i].data.ptr == io)
			l->ev[i].data.ptr = NULL;
	io->added = 0;
	io->mask = 0;
	io->fd = -1;
}

/* Timers: a binary min-heap on 'when'; idx is the slot + 1. */

static void
heap_swap(struct loop *l, size_t a, size_t b)
{
	struct loop_timer *t = l->heap[a];

	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->idx = a + 1;
	l->heap[b]->idx = b + 1;
}

static void
heap_up(struct loop *l, size_t i)
{
	while (i > 0 && l->heap[(i - 1) / 2]->when > l->heap[i]->when) {
		heap_swap(l, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(struct loop *l, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1, m = i;

		if (c < l->nheap && l->heap[c]->when < l->heap[m]->when)
			m = c;
		if (c + 1 < l->nheap && l->heap[c + 1]->when < l->heap[m]->when)
			m = c + 1;
		if (m == i)
			return;
		heap_swap(l, i, m);
		i = m;
	}
}

void
loop_timer_init(struct loop_timer *t, loop_timer_fn *fn, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->arg = arg;
}

void
loop_timer_stop(struct loop *l, struct loop_timer *t)
{
	size_t i;

	if (t->idx == 0)
		return;
	i = t->idx - 1;
	t->idx = 0;
	if (i != --l->nheap) {
		l->heap[i] = l->heap[l->nheap];
		l->heap[i]->idx = i + 1;
		heap_down(l, i);
		heap_up(l, i);
	}
}

/* Arm t to fire ms from now; re-arming moves it. */
void
loop_timer_set(struct loop *l, struct loop_timer *t, uint64_t ms)
{
	loop_timer_stop(l, t);
	t->when = l->now + ms;
	if (l->nheap == l->heapcap) {
		size_t cap = l->heapcap ? l->heapcap * 2 : 64;
		struct loop_timer **h = realloc(l->heap, cap * sizeof(*h));

		/* A few pointers per connection; like redis, out of memory
		 * here is fatal rather than a timer that never fires. */
		if (h == NULL)
			abort();
		l->heap = h;
		l->heapcap = cap;
	}
	l->heap[l->nheap] = t;
	t->idx = ++l->nheap;
	heap_up(l, l->nheap - 1);
}

int
loop_signal(struct loop *l, int signo, loop_signal_fn *fn, void *arg)
{
	struct sigaction sa;

	if (signo <= 0 || signo >= LOOP_SIGMAX)
		return -EINVAL;
	l->sigfn[signo] = fn;
	l->sigarg[signo] = arg;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = signal_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(signo, &sa, NULL) == -1)
		return -errno;
	return 0;
}

void
loop_after(struct loop *l, loop_after_fn *fn, void *arg)
{
	l->after = fn;
	l->after_arg = arg;
}

void
loop_busy_poll(struct loop *l, unsigned int usec)
{
	l->busy_ns = (uint64_t)usec * 1000;
}

/*
 * Wait for events. With busy polling, ask without sleeping until events
 * come or the spell is over, then sleep as usual: an idle loop costs one
 * spell, a busy one never sleeps between close events. Each poll is
 * followed by sched_yield(): on 2 cores a chain of relays spinning
 * without it took 1.5 to 2 times as long as with it.
 */
static int
loop_wait(struct loop *l, int timeout)
{
	if (l->busy_ns > 0 && timeout != 0) {
		uint64_t until = clock_ns() + l->busy_ns;
		int n;

		do {
			if ((n = epoll_wait(l->epfd, l->ev, LOOP_EVENTS, 0)) != 0)
				return n;
			/* A task woken on this CPU, often the peer we just
			 * wrote to, runs now rather than after our slice. */
			sched_yield();
		} while (clock_ns() < until);
	}
	return epoll_wait(l->epfd, l->ev, LOOP_EVENTS, timeout);
}

/* A loop_stop() before loop_run() is kept: run returns at once. */
int
loop_run(struct loop *l)
{
	while (l->running) {
		int timeout = -1;

		l->now = clock_ms();
		while (l->nheap > 0 && l->heap[0]->when <= l->now) {
			struct loop_timer *t = l->heap[0];

			loop_timer_stop(l, t);
			t->fn(l, t);
		}
		if (!l->running)
			break;
		if (l->nheap > 0)
			timeout = (int)(l->heap[0]->when - l->now);
		for (struct loop_io *io = l->forced; io != NULL;
		    io = io->forced_next)
			if (io->mask != 0)
				timeout = 0;

		l->nev = loop_wait(l, timeout);
		if (l->nev == -1) {
			l->nev = 0;
			if (errno == EINTR)
				continue;
			return -errno;
		}
		l->now = clock_ms();
		for (int i = 0; i < l->nev; i++) {
			struct loop_io *io = l->ev[i].data.ptr;
			unsigned int e = l->ev[i].events, ev = 0;

			if (io == NULL)
				continue;	/* stopped during this pass */
			/* Errors and hangups surface through the next read or
			 * write, which tells the handler what happened. */
			if (e & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP))
				ev |= LOOP_READ;
			if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR))
				ev |= LOOP_WRITE;
			ev &= io->mask;
			if (ev != 0)
				io->fn(l, io, ev);
		}
		l->nev = 0;
		for (struct loop_io *io = l->forced, *next; io != NULL; io = next) {
			next = io->forced_next;
			if (io->mask != 0)
				io->fn(l, io, io->mask);
		}
		if (l->after != NULL)
			l->after(l, l->after_arg);
	}
	return 0;
}
