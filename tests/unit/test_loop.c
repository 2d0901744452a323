/*
 * Unit tests for src/loop.c and its backends: the specification of the
 * event loop. The same suite runs once per backend this machine has
 * (epoll and poll on Linux, kqueue and poll on macOS and the BSDs, poll
 * alone in the PORTABLE build), the way libuv runs its one suite on every
 * backend; each test is named "backend: what it checks".
 *
 * Every wait is bounded: a test arms a deadline timer that stops the loop
 * and marks the test as timed out, so a broken loop fails, never hangs.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "loop.h"
#include "util.h"


#define DEADLINE_MS	3000

/* The backend a test runs on is its cmocka state: a backend name. */
static struct loop *
new_loop(void **state)
{
	struct loop *l = loop_new_backend(*state);

	assert_non_null(l);
	assert_string_equal(loop_backend_name(l), *state);
	return l;
}

/* A deadline: stops the loop and says so. */
struct deadline {
	struct loop_timer	 t;
	int			 hit;
};

static void
deadline_fire(struct loop *l, struct loop_timer *t)
{
	struct deadline *d = t->arg;

	d->hit = 1;
	loop_stop(l);
}

static void
deadline_arm(struct loop *l, struct deadline *d, uint64_t ms)
{
	d->hit = 0;
	loop_timer_init(&d->t, deadline_fire, d);
	loop_timer_set(l, &d->t, ms);
}

static void
stop_timer(struct loop *l, struct loop_timer *t)
{
	(void)t;
	loop_stop(l);
}

/* Run l for about ms milliseconds (a timer stops it). */
static void
run_for(struct loop *l, uint64_t ms)
{
	struct loop_timer t;

	loop_timer_init(&t, stop_timer, NULL);
	loop_timer_set(l, &t, ms);
	assert_int_equal(loop_run(l), 0);
	loop_timer_stop(l, &t);
}

/* A nonblocking socketpair, the portable way (macOS has no
 * SOCK_NONBLOCK). */
static void
nb_socketpair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(fcntl(sv[i], F_SETFL,
		    fcntl(sv[i], F_GETFL) | O_NONBLOCK), 0);
}

/* ---- timers ---------------------------------------------------------- */

#define NTIMERS	300

struct tfire {
	struct loop_timer	 t;
	uint64_t		 when;	/* as armed */
	int			 fired;
};

static uint64_t	 fired_when[NTIMERS];
static size_t	 nfired;
static size_t	 nwanted;

static void
tfire_fn(struct loop *l, struct loop_timer *t)
{
	struct tfire *f = t->arg;

	f->fired++;
	fired_when[nfired++] = f->when;
	if (nfired == nwanted)
		loop_stop(l);
}

/*
 * Timers fire in the order of their deadlines, whatever order they were
 * armed, stopped and re-armed in: the heap keeps its order through
 * removals from the middle. A stopped timer never fires, a re-armed one
 * fires once, at its new time.
 */
static void
test_heap_order(void **state)
{
	static struct tfire tf[NTIMERS];
	struct loop *l = new_loop(state);
	struct deadline d;
	uint64_t seed = 0x9e3779b97f4a7c15ULL, t0 = loop_now(l);
	size_t expect = 0;

	nfired = 0;
	for (size_t i = 0; i < NTIMERS; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		loop_timer_init(&tf[i].t, tfire_fn, &tf[i]);
		tf[i].fired = 0;
		loop_timer_set(l, &tf[i].t, (seed >> 33) % 60);
		tf[i].when = tf[i].t.when;
	}
	/* Stop every third one, re-arm every fifth (some of them stopped). */
	for (size_t i = 0; i < NTIMERS; i += 3)
		loop_timer_stop(l, &tf[i].t);
	for (size_t i = 0; i < NTIMERS; i += 5) {
		loop_timer_set(l, &tf[i].t, 60 - i % 60);
		tf[i].when = tf[i].t.when;
	}
	for (size_t i = 0; i < NTIMERS; i++)
		if (tf[i].t.idx != 0)
			expect++;
	nwanted = expect;
	deadline_arm(l, &d, DEADLINE_MS);
	assert_int_equal(loop_run(l), 0);
	assert_false(d.hit);
	assert_int_equal(nfired, expect);
	for (size_t i = 1; i < nfired; i++)
		assert_true(fired_when[i - 1] <= fired_when[i]);
	for (size_t i = 0; i < NTIMERS; i++)
		assert_int_equal(tf[i].fired,
		    (i % 5 == 0 || i % 3 != 0) ? 1 : 0);
	/* And none before its time. */
	assert_true(loop_now(l) >= fired_when[nfired - 1]);
	assert_true(fired_when[0] >= t0);
	loop_timer_stop(l, &d.t);
	loop_free(l);
}

/* A timer armed from a timer callback, for 0 ms, fires in a later pass;
 * the elapsed time is at least what was asked. */
static uint64_t	chain_start;
static int	chain_n;

static void
chain_fn(struct loop *l, struct loop_timer *t)
{
	if (++chain_n == 3) {
		loop_stop(l);
		return;
	}
	loop_timer_set(l, t, chain_n == 1 ? 0 : 20);
}

static void
test_timer_rearm(void **state)
{
	struct loop *l = new_loop(state);
	struct loop_timer t;
	struct deadline d;

	chain_n = 0;
	chain_start = loop_now(l);
	loop_timer_init(&t, chain_fn, NULL);
	loop_timer_set(l, &t, 10);
	deadline_arm(l, &d, DEADLINE_MS);
	assert_int_equal(loop_run(l), 0);
	assert_false(d.hit);
	assert_int_equal(chain_n, 3);
	assert_true(loop_now(l) - chain_start >= 30);
	loop_timer_stop(l, &d.t);
	loop_free(l);
}

/* ---- io -------------------------------------------------------------- */

struct probe {
	struct loop_io	 io;
	int		 calls;
	unsigned int	 last;
};

static void
probe_fn(struct loop *l, struct loop_io *io, unsigned int events)
{
	struct probe *p = io->arg;

	(void)l;
	p->calls++;
	p->last = events;
}

/*
 * Interest set and stop: no call without readiness; READ once data is
 * there, only the directions asked for; WRITE when asked; nothing after
 * the mask goes to 0 or the io is stopped, even with data waiting.
 */
static void
test_io_set_stop(void **state)
{
	struct loop *l = new_loop(state);
	struct probe p = { 0 };
	int sv[2];

	nb_socketpair(sv);
	loop_io_init(&p.io, sv[0], probe_fn, &p);
	assert_int_equal(loop_io_set(l, &p.io, LOOP_READ), 0);
	run_for(l, 30);
	assert_int_equal(p.calls, 0);		/* not readable yet */

	assert_int_equal(write(sv[1], "x", 1), 1);
	run_for(l, 30);
	assert_true(p.calls > 0);
	assert_int_equal(p.last, LOOP_READ);	/* writable, but not asked */

	p.calls = 0;
	assert_int_equal(loop_io_set(l, &p.io, LOOP_WRITE), 0);
	assert_int_equal(loop_io_set(l, &p.io, LOOP_WRITE), 0);
	run_for(l, 30);
	assert_true(p.calls > 0);
	assert_int_equal(p.last, LOOP_WRITE);

	p.calls = 0;
	assert_int_equal(loop_io_set(l, &p.io, LOOP_READ | LOOP_WRITE), 0);
	run_for(l, 30);
	assert_true(p.calls > 0);
	assert_int_equal(p.last, LOOP_READ | LOOP_WRITE);

	p.calls = 0;
	assert_int_equal(loop_io_set(l, &p.io, 0), 0);
	run_for(l, 30);
	assert_int_equal(p.calls, 0);		/* mask 0: silent */

	assert_int_equal(loop_io_set(l, &p.io, LOOP_READ), 0);
	run_for(l, 30);
	assert_true(p.calls > 0);		/* and back */

	p.calls = 0;
	loop_io_stop(l, &p.io);
	assert_int_equal(p.io.fd, -1);
	assert_int_equal(loop_io_set(l, &p.io, LOOP_READ), 0);	/* no-op */
	run_for(l, 30);
	assert_int_equal(p.calls, 0);		/* stopped: silent */

	/* A hangup is reported to a reader, who then reads EOF. */
	{
		struct probe q = { 0 };

		loop_io_init(&q.io, sv[1], probe_fn, &q);
		assert_int_equal(loop_io_set(l, &q.io, LOOP_READ), 0);
		close(sv[0]);
		run_for(l, 30);
		assert_true(q.calls > 0);
		assert_int_equal(q.last, LOOP_READ);
		loop_io_stop(l, &q.io);
	}
	close(sv[1]);
	loop_free(l);
}

/*
 * An io stopped during dispatch gets no stale event. Two fds are ready in
 * the same pass; whichever handler runs first stops the other, closes its
 * fd and reuses its struct for a new, idle socket, as a relay does when
 * one connection's teardown frees a slot another takes. The event the
 * kernel reported for the old fd must not reach the new io.
 */
struct stale {
	struct loop_io	 io;
	struct stale	*other;
	int		 calls;
	int		 spurious;	/* called with nothing to read */
	int		 keep[2];	/* the replacement pair */
};

static void
stale_fn(struct loop *l, struct loop_io *io, unsigned int events)
{
	struct stale *s = io->arg, *o = s->other;
	char c;

	(void)events;
	s->calls++;
	if (read(io->fd, &c, 1) != 1)
		s->spurious++;
	if (o->calls == 0 && o->keep[0] == -1) {
		int fd = o->io.fd;

		loop_io_stop(l, &o->io);
		close(fd);
		nb_socketpair(o->keep);
		loop_io_init(&o->io, o->keep[0], stale_fn, o);
		assert_int_equal(loop_io_set(l, &o->io, LOOP_READ), 0);
	}
	loop_stop(l);
}

static void
test_io_stale_event(void **state)
{
	struct loop *l = new_loop(state);
	struct stale a = { .keep = { -1, -1 } }, b = { .keep = { -1, -1 } };
	struct deadline d;
	int sa[2], sb[2];

	nb_socketpair(sa);
	nb_socketpair(sb);
	a.other = &b;
	b.other = &a;
	assert_int_equal(write(sa[1], "a", 1), 1);
	assert_int_equal(write(sb[1], "b", 1), 1);
	loop_io_init(&a.io, sa[0], stale_fn, &a);
	loop_io_init(&b.io, sb[0], stale_fn, &b);
	assert_int_equal(loop_io_set(l, &a.io, LOOP_READ), 0);
	assert_int_equal(loop_io_set(l, &b.io, LOOP_READ), 0);
	deadline_arm(l, &d, DEADLINE_MS);
	assert_int_equal(loop_run(l), 0);	/* one pass: both were ready */
	assert_false(d.hit);
	assert_int_equal(a.calls + b.calls, 1);
	assert_int_equal(a.spurious + b.spurious, 0);
	/* The new io works: data on it is reported. */
	{
		struct stale *n = a.keep[0] != -1 ? &a : &b;

		assert_int_equal(write(n->keep[1], "n", 1), 1);
		assert_int_equal(loop_run(l), 0);
		assert_false(d.hit);
		assert_int_equal(n->calls, 1);
		assert_int_equal(n->spurious, 0);
		loop_io_stop(l, &n->io);
		close(n->keep[0]);
		close(n->keep[1]);
	}
	{
		/* The survivor still watches its first fd; the victim's
		 * was closed by the survivor's handler. */
		struct stale *alive = a.keep[0] != -1 ? &b : &a;
		int fd = alive->io.fd;

		loop_io_stop(l, &alive->io);
		close(fd);
	}
	close(sa[1]);
	close(sb[1]);
	loop_timer_stop(l, &d.t);
	loop_free(l);
}

/*
 * More fds ready than one pass takes (256 events), and they stay ready
 * (nobody reads): within three passes every one has been served, none
 * starved by the ones the backend lists first. The after hook runs once
 * per pass and counts them. The registries grow and shrink back without
 * leaking (ASan and valgrind watch).
 */
#define NMANY	300

struct many {
	struct loop_io	 io;
	int		 fd, peer;
	int		 calls;
};

static int	many_passes;

static void
many_fn(struct loop *l, struct loop_io *io, unsigned int events)
{
	struct many *m = io->arg;

	(void)l;
	(void)events;
	m->calls++;
}

static void
many_after(struct loop *l, void *arg)
{
	(void)arg;
	if (++many_passes == 3)
		loop_stop(l);
}

static void
test_io_many_ready(void **state)
{
	static struct many m[NMANY];
	struct loop *l = new_loop(state);
	struct deadline d;

	many_passes = 0;
	for (int i = 0; i < NMANY; i++) {
		int sv[2];

		nb_socketpair(sv);
		m[i].fd = sv[0];
		m[i].peer = sv[1];
		m[i].calls = 0;
		loop_io_init(&m[i].io, sv[0], many_fn, &m[i]);
		assert_int_equal(loop_io_set(l, &m[i].io, LOOP_READ), 0);
		assert_int_equal(write(sv[1], "m", 1), 1);
	}
	loop_after(l, many_after, NULL);
	deadline_arm(l, &d, DEADLINE_MS);
	assert_int_equal(loop_run(l), 0);
	assert_false(d.hit);
	assert_int_equal(many_passes, 3);
	for (int i = 0; i < NMANY; i++)
		assert_true(m[i].calls >= 1);
	loop_after(l, NULL, NULL);
	for (int i = 0; i < NMANY; i++) {
		loop_io_stop(l, &m[i].io);
		close(m[i].fd);
		close(m[i].peer);
	}
	loop_timer_stop(l, &d.t);
	loop_free(l);
}

/*
 * Always-ready fds: a regular file cannot be polled (epoll refuses it,
 * kqueue's read filter stops at the end of the file), so the loop calls
 * it on every pass without sleeping, even with a far timer pending; mask
 * 0 silences it, and stopping it removes it.
 */
static void
forced_fn(struct loop *l, struct loop_io *io, unsigned int events)
{
	struct probe *p = io->arg;

	p->calls++;
	p->last = events;
	if (p->calls == 5)
		loop_stop(l);
}

static void
test_io_always_ready(void **state)
{
	struct loop *l = new_loop(state);
	char path[] = "/tmp/test_loop.XXXXXX";
	struct probe p = { 0 };
	struct deadline d;
	int fd;

	assert_true((fd = mkstemp(path)) != -1);
	unlink(path);
	loop_io_init(&p.io, fd, forced_fn, &p);
	assert_int_equal(loop_io_set(l, &p.io, LOOP_READ), 0);
	deadline_arm(l, &d, 1000);	/* a sleeping loop hits this */
	assert_int_equal(loop_run(l), 0);
	assert_false(d.hit);
	assert_int_equal(p.calls, 5);
	assert_int_equal(p.last, LOOP_READ);

	p.calls = 0;
	assert_int_equal(loop_io_set(l, &p.io, LOOP_READ | LOOP_WRITE), 0);
	assert_int_equal(loop_run(l), 0);
	assert_false(d.hit);
	assert_int_equal(p.last, LOOP_READ | LOOP_WRITE);

	p.calls = 0;
	assert_int_equal(loop_io_set(l, &p.io, 0), 0);
	run_for(l, 30);
	assert_int_equal(p.calls, 0);

	assert_int_equal(loop_io_set(l, &p.io, LOOP_WRITE), 0);
	loop_io_stop(l, &p.io);
	run_for(l, 30);
	assert_int_equal(p.calls, 0);
	loop_timer_stop(l, &d.t);
	close(fd);
	loop_free(l);
}

/* ---- signals --------------------------------------------------------- */

struct sigseen {
	int	n[3];		/* [0] SIGUSR1, [1] SIGUSR2 */
	int	want;
	int	outside;	/* a call that did not come from the loop */
};

static int	sig_in_run;

static void
sig_fn(struct loop *l, int signo, void *arg)
{
	struct sigseen *s = arg;

	if (!sig_in_run)
		s->outside++;
	s->n[signo == SIGUSR1 ? 0 : signo == SIGUSR2 ? 1 : 2]++;
	if (s->n[0] + s->n[1] + s->n[2] >= s->want)
		loop_stop(l);
}

static void
raise_fn(struct loop *l, struct loop_timer *t)
{
	(void)l;
	(void)t;
	sig_in_run = 1;
	raise(SIGUSR1);
	raise(SIGUSR2);
}

/*
 * SIGUSR1 and SIGUSR2, raised while the loop runs, reach their handlers
 * from the loop, each with its own number. SIGUSR1 starts out ignored,
 * as a shell leaves SIGINT for a background job: the loop must still get
 * it. Afterwards loop_free() gives back the dispositions and the mask.
 */
static void
test_signal_delivery(void **state)
{
	struct loop *l = new_loop(state);
	struct sigseen s = { .want = 2 };
	struct sigaction ign, old1, old2, now;
	struct loop_timer t;
	struct deadline d;
	sigset_t mask;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &ign, &old1), 0);
	assert_int_equal(sigaction(SIGUSR2, NULL, &old2), 0);

	sig_in_run = 0;
	assert_int_equal(loop_signal(l, SIGUSR1, sig_fn, &s), 0);
	assert_int_equal(loop_signal(l, SIGUSR2, sig_fn, &s), 0);
	assert_int_equal(loop_signal(l, 0, sig_fn, &s), -EINVAL);
	assert_int_equal(loop_signal(l, 100, sig_fn, &s), -EINVAL);
	loop_timer_init(&t, raise_fn, NULL);
	loop_timer_set(l, &t, 5);
	deadline_arm(l, &d, DEADLINE_MS);
	assert_int_equal(loop_run(l), 0);
	assert_false(d.hit);
	assert_int_equal(s.n[0], 1);
	assert_int_equal(s.n[1], 1);
	assert_int_equal(s.outside, 0);
	loop_timer_stop(l, &d.t);
	loop_free(l);

	assert_int_equal(sigaction(SIGUSR1, NULL, &now), 0);
	assert_ptr_equal((void *)now.sa_handler, (void *)SIG_IGN);
	assert_int_equal(sigaction(SIGUSR2, NULL, &now), 0);
	assert_ptr_equal((void *)now.sa_handler, (void *)old2.sa_handler);
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &mask), 0);
	assert_false(sigismember(&mask, SIGUSR1));
	assert_false(sigismember(&mask, SIGUSR2));
	assert_int_equal(sigaction(SIGUSR1, &old1, NULL), 0);
}

/*
 * A second loop cannot take a signal another live loop owns: it gets
 * -EBUSY, the first loop keeps getting the signal, and once the first
 * loop is freed the second can claim it. The same holds across backends.
 */
static void
test_signal_second_loop(void **state)
{
	struct loop *a = new_loop(state), *b;
	struct sigseen sa = { .want = 1 }, sb = { .want = 1 };
	struct deadline d;

	sig_in_run = 1;
	assert_int_equal(loop_signal(a, SIGUSR1, sig_fn, &sa), 0);
	assert_int_equal(loop_signal(a, SIGUSR1, sig_fn, &sa), 0); /* again */
	assert_non_null(b = loop_new_backend(*state));
	assert_int_equal(loop_signal(b, SIGUSR1, sig_fn, &sb), -EBUSY);
	{
		struct loop *c = loop_new_backend("poll");

		assert_non_null(c);
		assert_int_equal(loop_signal(c, SIGUSR1, sig_fn, &sb), -EBUSY);
		loop_free(c);
	}
	/* b may own another signal meanwhile. */
	assert_int_equal(loop_signal(b, SIGUSR2, sig_fn, &sb), 0);

	raise(SIGUSR1);
	deadline_arm(a, &d, DEADLINE_MS);
	assert_int_equal(loop_run(a), 0);
	assert_false(d.hit);
	loop_timer_stop(a, &d.t);
	assert_int_equal(sa.n[0], 1);
	run_for(b, 30);
	assert_int_equal(sb.n[0], 0);

	loop_free(a);
	assert_int_equal(loop_signal(b, SIGUSR1, sig_fn, &sb), 0);
	raise(SIGUSR1);
	deadline_arm(b, &d, DEADLINE_MS);
	assert_int_equal(loop_run(b), 0);
	assert_false(d.hit);
	loop_timer_stop(b, &d.t);
	assert_int_equal(sb.n[0], 1);
	assert_int_equal(sa.n[0], 1);
	loop_free(b);
}

/* ---- backend choice (once, not per backend) -------------------------- */

/* Unknown names are refused, names of backends this build lacks say so,
 * and SOCKBRIDGE_LOOP picks the backend of loop_new(). */
static void
test_backend_choice(void **state)
{
	struct loop *l;

	(void)state;
	errno = 0;
	assert_null(loop_new_backend("select"));
	assert_int_equal(errno, EINVAL);
	assert_non_null(l = loop_new_backend(NULL));
	loop_free(l);
	assert_int_equal(setenv("SOCKBRIDGE_LOOP", "poll", 1), 0);
	assert_non_null(l = loop_new());
	assert_string_equal(loop_backend_name(l), "poll");
	loop_free(l);
	assert_int_equal(setenv("SOCKBRIDGE_LOOP", "nope", 1), 0);
	errno = 0;
	assert_null(loop_new());
	assert_int_equal(errno, EINVAL);
	assert_int_equal(setenv("SOCKBRIDGE_LOOP", "", 1), 0);
	assert_non_null(l = loop_new());
	loop_free(l);
	unsetenv("SOCKBRIDGE_LOOP");
}

struct spec {
	const char		*what;
	CMUnitTestFunction	 fn;
};

static const struct spec suite[] = {
	{ "timers fire in heap order", test_heap_order },
	{ "timer re-armed from its callback", test_timer_rearm },
	{ "io interest set and stop", test_io_set_stop },
	{ "io stopped during dispatch gets no stale event",
	    test_io_stale_event },
	{ "more ready fds than one pass holds", test_io_many_ready },
	{ "always-ready fds (regular file)", test_io_always_ready },
	{ "signals delivered from the loop", test_signal_delivery },
	{ "a second loop cannot steal a signal", test_signal_second_loop },
};

int
main(void)
{
	static const char *const names[] = { "epoll", "kqueue", "poll" };
	static struct CMUnitTest tests[nitems(names) * nitems(suite) + 1];
	static char label[nitems(tests)][96];
	size_t n = 0;

	for (size_t b = 0; b < nitems(names); b++) {
		struct loop *l = loop_new_backend(names[b]);

		if (l == NULL) {
			printf("backend %s: not in this build\n", names[b]);
			continue;
		}
		loop_free(l);
		for (size_t i = 0; i < nitems(suite); i++, n++) {
			snprintf(label[n], sizeof(label[n]), "%s: %s",
			    names[b], suite[i].what);
			tests[n] = (struct CMUnitTest){ .name = label[n],
			    .test_func = suite[i].fn,
			    .initial_state = (void *)(uintptr_t)names[b] };
		}
	}
	tests[n++] = (struct CMUnitTest){ .name = "backend choice",
	    .test_func = test_backend_choice };
	return _cmocka_run_group_tests("loop", tests, n, NULL, NULL);
}
