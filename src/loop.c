/*
 * loop: the backend-independent core. See loop.h; the readiness backends
 * are in loop_epoll.c, loop_kqueue.c and loop_poll.c (loop_backend.h).
 *
 * Level-triggered: a handler that leaves data unread is called again, so
 * handlers may bound their work per pass for fairness.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "loop_backend.h"

#if !defined(SB_PORTABLE) && defined(LOOP_HAVE_EPOLL) && \
    defined(__has_include)
#if __has_include(<sys/signalfd.h>)
#include <sys/signalfd.h>
#define LOOP_HAVE_SIGNALFD	1
#endif
#endif

#define LOOP_EVENTS	256
#define LOOP_SIGMAX	65

struct loop {
	const struct loop_backend *bk;
	void			*bks;		/* backend state */
	int			 running;
	uint64_t		 now;
	struct loop_event	 ev[LOOP_EVENTS];
	int			 nev;		/* events of the pass */
	struct loop_io		*forced;	/* unpollable fds */
	struct loop_timer	**heap;
	size_t			 nheap, heapcap;
	/* Signals: a signalfd (sig_wfd -1) or a self-pipe, made by the
	 * first loop_signal(). */
	int			 sig_signalfd;	/* use signalfd */
	int			 sig_fd, sig_wfd;
	struct loop_io		 sigio;
	sigset_t		 sig_mask;	/* signals this loop owns */
	sigset_t		 sig_blocked;	/* ... and blocked itself */
	struct sigaction	 sig_old[LOOP_SIGMAX];
	loop_signal_fn		*sigfn[LOOP_SIGMAX];
	void			*sigarg[LOOP_SIGMAX];
	loop_after_fn		*after;
	void			*after_arg;
	uint64_t		 busy_ns;	/* --busy-poll; 0: off */
};

/*
 * Signal dispositions are process-wide, so is this: each signal has at
 * most one owning loop, claimed with a compare-and-swap, and the
 * self-pipe handler finds the owner's write end here (stored + 1, so
 * that 0 is "none" without an initialiser). A second loop asking for an
 * owned signal gets -EBUSY instead of silently taking it.
 */
static _Atomic(struct loop *)	loop_sig_owner[LOOP_SIGMAX];
static atomic_int		loop_sig_wfd[LOOP_SIGMAX];

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

/* The backends this build has, best first. */
static const struct loop_backend *const loop_backends[] = {
#ifdef LOOP_HAVE_EPOLL
	&loop_backend_epoll,
#endif
#ifdef LOOP_HAVE_KQUEUE
	&loop_backend_kqueue,
#endif
	&loop_backend_poll,
};

/* The backend called name (NULL or "": the best one). Returns NULL with
 * errno EINVAL for an unknown name, ENOSYS for one this build lacks. */
static const struct loop_backend *
backend_find(const char *name)
{
	static const char *const known[] = { "epoll", "kqueue", "poll" };

	if (name == NULL || name[0] == '\0')
		return loop_backends[0];
	for (size_t i = 0; i < sizeof(loop_backends) / sizeof(loop_backends[0]);
	    i++)
		if (strcmp(loop_backends[i]->name, name) == 0)
			return loop_backends[i];
	errno = EINVAL;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i], name) == 0)
			errno = ENOSYS;
	return NULL;
}

struct loop *
loop_new_backend(const char *name)
{
	const struct loop_backend *bk;
	struct loop *l;
	int rc;

	if ((bk = backend_find(name)) == NULL)
		return NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->bk = bk;
	l->sig_fd = l->sig_wfd = -1;
	sigemptyset(&l->sig_mask);
	sigemptyset(&l->sig_blocked);
#ifdef LOOP_HAVE_SIGNALFD
	l->sig_signalfd = (bk == &loop_backend_epoll);
#endif
	if ((rc = bk->init(&l->bks)) != 0) {
		free(l);
		errno = -rc;
		return NULL;
	}
	l->now = clock_ms();
	l->running = 1;
	return l;
}

struct loop *
loop_new(void)
{
	return loop_new_backend(getenv("SOCKBRIDGE_LOOP"));
}

const char *
loop_backend_name(const struct loop *l)
{
	return l->bk->name;
}

static void signal_release(struct loop *);

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	signal_release(l);
	l->bk->free(l->bks);
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
	io->slot = -1;
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
	int rc;

	if (io->fd == -1 || (mask == io->mask && (io->added || io->forced)))
		return 0;
	if (io->forced || (mask == 0 && !io->added)) {
		io->mask = mask;
		return 0;
	}
	if ((rc = l->bk->set(l->bks, io, mask)) != 0) {
		/* Regular files and some ttys cannot be watched; they are
		 * always ready, so call them on every pass. */
		if (rc == -EPERM && !io->added) {
			io->forced = 1;
			io->mask = mask;
			io->forced_next = l->forced;
			l->forced = io;
			return 0;
		}
		return rc;
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
		l->bk->del(l->bks, io);
	/* Drop events of this pass that still point at io. */
	for (int i = 0; i < l->nev; i++)
		if (l->ev[i].io == io)
			l->ev[i].io = NULL;
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

/*
 * Signals. With signalfd the signal stays blocked and is read as data;
 * elsewhere a handler writes its number to the owner's self-pipe. Either
 * way fn runs from the loop, never inside a handler.
 */

static void
signal_handler(int signo)
{
	int saved = errno;
	int fd;

	if (signo > 0 && signo < LOOP_SIGMAX &&
	    (fd = atomic_load(&loop_sig_wfd[signo]) - 1) >= 0) {
		unsigned char c = (unsigned char)signo;

		/* A full pipe already holds a wake-up for this loop. */
		(void)!write(fd, &c, 1);
	}
	errno = saved;
}

static void
signal_call(struct loop *l, int signo)
{
	if (signo > 0 && signo < LOOP_SIGMAX && l->sigfn[signo] != NULL)
		l->sigfn[signo](l, signo, l->sigarg[signo]);
}

/* Read the signal fd dry and call the handlers. */
static void
signal_read(struct loop *l, struct loop_io *io, unsigned int events)
{
	(void)events;
#ifdef LOOP_HAVE_SIGNALFD
	if (l->sig_signalfd) {
		struct signalfd_siginfo si[8];
		ssize_t n;

		while ((n = read(io->fd, si, sizeof(si))) > 0)
			for (size_t i = 0; i < (size_t)n / sizeof(si[0]); i++)
				signal_call(l, (int)si[i].ssi_signo);
		return;
	}
#endif
	{
		unsigned char buf[64];
		ssize_t n;

		while ((n = read(io->fd, buf, sizeof(buf))) > 0)
			for (ssize_t i = 0; i < n; i++)
				signal_call(l, buf[i]);
	}
}

/* Make l's signal fd (signalfd or self-pipe) and watch it. Returns 0 or
 * -errno. */
static int
signal_open(struct loop *l)
{
	int rc;

	if (l->sig_fd != -1)
		return 0;
#ifdef LOOP_HAVE_SIGNALFD
	if (l->sig_signalfd) {
		sigset_t none;

		sigemptyset(&none);
		if ((l->sig_fd = signalfd(-1, &none,
		    SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
			return -errno;
	} else
#endif
	{
		int p[2];

		if (pipe(p) == -1)
			return -errno;
		l->sig_fd = p[0];
		l->sig_wfd = p[1];
		for (int i = 0; i < 2; i++) {
			int fl = fcntl(p[i], F_GETFL);

			if (fl == -1 ||
			    fcntl(p[i], F_SETFL, fl | O_NONBLOCK) == -1 ||
			    fcntl(p[i], F_SETFD, FD_CLOEXEC) == -1) {
				rc = -errno;
				goto fail;
			}
		}
	}
	loop_io_init(&l->sigio, l->sig_fd, signal_read, NULL);
	if ((rc = loop_io_set(l, &l->sigio, LOOP_READ)) != 0)
		goto fail;
	return 0;
fail:
	close(l->sig_fd);
	if (l->sig_wfd != -1)
		close(l->sig_wfd);
	l->sig_fd = l->sig_wfd = -1;
	return rc;
}

/*
 * Route signo to l: with signalfd, block it and add it to the fd's set
 * (Linux keeps a blocked signal pending even when its disposition is
 * SIG_IGN, as a shell leaves SIGINT for a background job, so the
 * disposition is left alone); otherwise point the handler at l's pipe,
 * keeping the old disposition for loop_free. Returns 0 or -errno.
 */
static int
signal_route(struct loop *l, int signo)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
#ifdef LOOP_HAVE_SIGNALFD
	if (l->sig_signalfd) {
		sigset_t one, old;
		int rc;

		sigemptyset(&one);
		sigaddset(&one, signo);
		if ((rc = pthread_sigmask(SIG_BLOCK, &one, &old)) != 0)
			return -rc;
		if (!sigismember(&old, signo))
			sigaddset(&l->sig_blocked, signo);
		sigaddset(&l->sig_mask, signo);
		if (signalfd(l->sig_fd, &l->sig_mask, 0) == -1)
			return -errno;
		return 0;
	}
#endif
	sigaddset(&l->sig_mask, signo);
	atomic_store(&loop_sig_wfd[signo], l->sig_wfd + 1);
	sa.sa_handler = signal_handler;
	sa.sa_flags = SA_RESTART;
	return sigaction(signo, &sa, &l->sig_old[signo]) == -1 ? -errno : 0;
}

int
loop_signal(struct loop *l, int signo, loop_signal_fn *fn, void *arg)
{
	struct loop *none = NULL;
	int rc;

	if (signo <= 0 || signo >= LOOP_SIGMAX)
		return -EINVAL;
	if (atomic_load(&loop_sig_owner[signo]) == l) {
		l->sigfn[signo] = fn;
		l->sigarg[signo] = arg;
		return 0;
	}
	if (!atomic_compare_exchange_strong(&loop_sig_owner[signo], &none, l))
		return -EBUSY;
	if ((rc = signal_open(l)) != 0) {
		atomic_store(&loop_sig_owner[signo], NULL);
		return rc;
	}
	l->sigfn[signo] = fn;
	l->sigarg[signo] = arg;
	if ((rc = signal_route(l, signo)) != 0) {
		/* Put back what was changed: the loop owns signo only once
		 * routing it worked. */
		if (sigismember(&l->sig_blocked, signo)) {
			sigset_t one;

			sigemptyset(&one);
			sigaddset(&one, signo);
			(void)pthread_sigmask(SIG_UNBLOCK, &one, NULL);
			sigdelset(&l->sig_blocked, signo);
		}
		sigdelset(&l->sig_mask, signo);
		atomic_store(&loop_sig_wfd[signo], 0);
		l->sigfn[signo] = NULL;
		atomic_store(&loop_sig_owner[signo], NULL);
		return rc;
	}
	return 0;
}

/*
 * Give back l's signals: old dispositions (self-pipe), the mask as it was
 * (signalfd), ownership;
 * then close the fds. Signals still queued on the signalfd are dropped
 * first: once the loop is gone, the process gets what it had before.
 */
static void
signal_release(struct loop *l)
{
	if (l->sig_fd != -1 && l->sig_signalfd) {
		char buf[1024];

		while (read(l->sig_fd, buf, sizeof(buf)) > 0)
			;
	}
	for (int signo = 1; signo < LOOP_SIGMAX; signo++) {
		if (!sigismember(&l->sig_mask, signo))
			continue;
		if (!l->sig_signalfd)
			(void)sigaction(signo, &l->sig_old[signo], NULL);
		if (sigismember(&l->sig_blocked, signo)) {
			sigset_t one;

			sigemptyset(&one);
			sigaddset(&one, signo);
			(void)pthread_sigmask(SIG_UNBLOCK, &one, NULL);
		}
		atomic_store(&loop_sig_wfd[signo], 0);
		atomic_store(&loop_sig_owner[signo], NULL);
	}
	if (l->sig_fd != -1)
		loop_io_stop(l, &l->sigio);
	if (l->sig_fd != -1)
		close(l->sig_fd);
	if (l->sig_wfd != -1)
		close(l->sig_wfd);
	l->sig_fd = l->sig_wfd = -1;
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
 * without it took 1.5 to 2 times as long as with it. Returns the number
 * of events or -errno.
 */
static int
loop_wait(struct loop *l, int timeout)
{
	if (l->busy_ns > 0 && timeout != 0) {
		uint64_t until = clock_ns() + l->busy_ns;
		int n;

		do {
			if ((n = l->bk->wait(l->bks, l->ev, LOOP_EVENTS,
			    0)) != 0)
				return n;
			/* A task woken on this CPU, often the peer we just
			 * wrote to, runs now rather than after our slice. */
			sched_yield();
		} while (clock_ns() < until);
	}
	return l->bk->wait(l->bks, l->ev, LOOP_EVENTS, timeout);
}

/* Each loop_stop() ends one loop_run(); one called before loop_run() is
 * kept, and run returns at once. */
int
loop_run(struct loop *l)
{
	int rc = 0;

	while (l->running) {
		int timeout = -1, n;

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

		if ((n = loop_wait(l, timeout)) < 0) {
			if (n == -EINTR)
				continue;
			rc = n;
			break;
		}
		l->nev = n;
		l->now = clock_ms();
		for (int i = 0; i < l->nev; i++) {
			struct loop_io *io = l->ev[i].io;
			unsigned int ev;

			if (io == NULL)
				continue;	/* stopped during this pass */
			if ((ev = l->ev[i].events & io->mask) != 0)
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
	l->running = 1;
	if (rc != 0)
		errno = -rc;
	return rc;
}
