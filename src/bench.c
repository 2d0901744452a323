/*
 * bench: the measuring client. See bench.h.
 *
 * All users connect first and start together at a barrier. A round trip is
 * timed from the moment its message was due (open loop: the schedule; closed
 * loop: when it was sent) to the moment the last byte of its echo arrived,
 * so a stall is never hidden (no coordinated omission in open-loop mode).
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "proccpu.h"
#include "sys.h"

#define PATTERN_LEN	65536
#define IO_TIMEOUT_S	10
#define STREAM_BUF	(256 * 1024)

struct user {
	const struct bench_spec *s;
	struct bench_shared *sh;
	int		 id;
	int		 fd;
	pthread_t	 tid;
	struct hist	 rtt;
	struct hist	 rtt_warm;	/* samples of the warm-up */
	uint64_t	 msgs, msgs_all, bytes, bytes_all;
	uint64_t	 t_end;
	atomic_ullong	 done;		/* progress, read by the main thread */
	char		 err[400];
};

struct bench_shared {
	pthread_mutex_t	 mu;		/* the start gate */
	pthread_cond_t	 cv;
	int		 ready;		/* users connected (or failed) */
	int		 done;		/* users finished */
	int		 go;
	uint64_t	 t_start;	/* ns */
	uint64_t	 t_warm;	/* samples before this are dropped */
	uint64_t	 t_stop;	/* duration runs end here */
	unsigned char	*pattern;
	size_t		 pattern_len;
	atomic_int	 failed;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
sleep_until(uint64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000ULL),
	    (long)(t % 1000000000ULL) };

#ifdef TIMER_ABSTIME
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	    EINTR)
		;
#else
	/* No clock_nanosleep (macOS): sleep the difference, again after a
	 * signal or an early wake. */
	uint64_t now;

	(void)ts;
	while ((now = now_ns()) < t) {
		struct timespec d = { (time_t)((t - now) / 1000000000ULL),
		    (long)((t - now) % 1000000000ULL) };

		(void)nanosleep(&d, NULL);
	}
#endif
}

/*
 * Following a server's or relay's CPU over one run (proccpu.h). Its
 * figure is its own time plus its children's: the reaped ones through
 * the parent's own figure, the live ones read one by one. A child that
 * ends between two reads (a socat fork when its connection closes) leaves
 * /proc before its parent has reaped it; for a moment its time is in
 * neither place. So the children are read during the run, and at the end
 * the watch waits (up to WATCH_SETTLE_MS) until the parent's figure has
 * grown by at least the last reading of every child that went away:
 * then each one is counted once, whole.
 */
#define WATCH_SEEN_MAX	256
#define WATCH_SETTLE_MS	2000

struct cpu_watch {
	pid_t		 pid;
	int		 ok;		/* 1: measured so far */
	double		 self0;		/* the parent's own figure at start */
	double		 total0;	/* with its live children at start */
	int		 nseen;
	struct proccpu_kid seen[WATCH_SEEN_MAX];	/* last readings */
};

/* Note pc's live children in w->seen with their latest readings. */
static void
watch_note(struct cpu_watch *w, const struct proccpu *pc)
{
	if (pc->more_kids)
		w->ok = 0;
	for (int i = 0; i < pc->nkids; i++) {
		int j;

		for (j = 0; j < w->nseen && w->seen[j].pid != pc->kids[i].pid;
		    j++)
			;
		if (j == w->nseen) {
			if (w->nseen == WATCH_SEEN_MAX) {
				w->ok = 0;	/* too many to follow */
				continue;
			}
			w->nseen++;
		}
		w->seen[j] = pc->kids[i];
	}
}

static double
watch_total(const struct proccpu *pc)
{
	double t = pc->self_s;

	for (int i = 0; i < pc->nkids; i++)
		t += pc->kids[i].cpu_s;
	return t;
}

/* Start following pid (0: nothing to follow). */
static void
watch_start(struct cpu_watch *w, pid_t pid)
{
	struct proccpu pc;

	memset(w, 0, sizeof(*w));
	w->pid = pid;
	if (pid <= 0 || proccpu_read(pid, &pc) != 0)
		return;
	w->ok = 1;
	w->self0 = pc.self_s;
	w->total0 = watch_total(&pc);
	watch_note(w, &pc);
}

/* A reading during the run, to learn the children. */
static void
watch_sample(struct cpu_watch *w)
{
	struct proccpu pc;

	if (w->ok && proccpu_read(w->pid, &pc) == 0)
		watch_note(w, &pc);
}

/* CPU seconds since watch_start, in *cpu; returns 1 if measured, 0 if
 * not (nothing followed, no way to read it here, or it went away). */
static int
watch_end(struct cpu_watch *w, double *cpu)
{
	struct proccpu pc;

	*cpu = 0;
	for (int waited = 0; w->ok; waited += 10) {
		double gone = 0;
		struct timespec ts = { 0, 10000000 };

		if (proccpu_read(w->pid, &pc) != 0)
			return w->ok = 0;
		watch_note(w, &pc);
		for (int i = 0; i < w->nseen; i++) {
			int live = 0;

			for (int k = 0; k < pc.nkids && !live; k++)
				live = pc.kids[k].pid == w->seen[i].pid;
			if (!live)
				gone += w->seen[i].cpu_s;
		}
		/* Children live at the start were in total0; gone ones have
		 * to show up in the parent's own figure. */
		if (pc.self_s - w->self0 >= gone - 1e-9 ||
		    waited >= WATCH_SETTLE_MS) {
			*cpu = watch_total(&pc) - w->total0;
			if (*cpu < 0)
				*cpu = 0;
			return 1;
		}
		nanosleep(&ts, NULL);
	}
	return 0;
}

static double
self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int
user_fail(struct user *u, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
user_fail(struct user *u, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(u->err, sizeof(u->err), "user %d: ", u->id + 1);
	va_start(ap, fmt);
	vsnprintf(u->err + n, sizeof(u->err) - (size_t)n, fmt, ap);
	va_end(ap);
	atomic_store(&u->sh->failed, 1);
	return -1;
}

static int
write_all(struct user *u, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(u->fd, p, len);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			return user_fail(u, "send: %s", errno == EAGAIN ?
			    "peer stopped reading for 10 s" : strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Read back exactly len bytes and compare them with want; off is the
 * stream offset of want[0], for the message. Returns 0 or -1.
 */
static int
read_echo(struct user *u, char *buf, const char *want, size_t len,
    uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(u->fd, buf + got, len - got);

		if (n == 0)
			return user_fail(u, "server closed the connection "
			    "early, after %llu bytes of echo",
			    (unsigned long long)(off + got));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return user_fail(u, "no echo within %d s (at "
				    "byte %llu): the server does not echo?",
				    IO_TIMEOUT_S,
				    (unsigned long long)(off + got));
			return user_fail(u, "receive: %s", strerror(errno));
		}
		if (memcmp(buf + got, want + got, (size_t)n) != 0) {
			size_t i = got;

			while (buf[i] == want[i])
				i++;
			return user_fail(u, "echo differs at byte %llu of the "
			    "stream: sent 0x%02x, got 0x%02x",
			    (unsigned long long)(off + i),
			    (unsigned char)want[i], (unsigned char)buf[i]);
		}
		got += (size_t)n;
	}
	return 0;
}

/* Record one round trip that was due at t0 and finished now. */
static void
user_sample(struct user *u, uint64_t t0, size_t bytes)
{
	uint64_t t1 = now_ns();

	u->msgs_all++;
	u->bytes_all += bytes;
	atomic_store_explicit(&u->done, u->msgs_all, memory_order_relaxed);
	if (t0 < u->sh->t_warm) {
		hist_add(&u->rtt_warm, t1 - t0);
		return;
	}
	hist_add(&u->rtt, t1 - t0);
	u->msgs++;
	u->bytes += bytes;
}

/* The time message k is due: open loop follows the schedule. */
static uint64_t
due(const struct user *u, uint64_t k)
{
	if (u->s->rate <= 0)
		return now_ns();
	return u->sh->t_start + (uint64_t)((double)k * 1e9 / u->s->rate);
}

static int
run_lines(struct user *u)
{
	const struct bench_spec *s = u->s;
	char *buf;
	uint64_t off = 0, k = 0;
	int rc = 0;

	if ((buf = malloc(s->len + 1)) == NULL)
		return user_fail(u, "out of memory");
	for (int pass = 0; pass < s->loop && rc == 0; pass++) {
		const char *p = s->data, *end = s->data + s->len;

		while (p < end && rc == 0) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
			uint64_t t0 = due(u, k++);

			if (s->rate > 0)
				sleep_until(t0);
			if ((rc = write_all(u, p, len)) == 0 &&
			    (rc = read_echo(u, buf, p, len, off)) == 0)
				user_sample(u, t0, len);
			off += len;
			p += len;
			if (atomic_load_explicit(&u->sh->failed,
			    memory_order_relaxed))
				rc = -1;
		}
	}
	free(buf);
	return rc;
}

static int
run_pingpong(struct user *u)
{
	const struct bench_spec *s = u->s;
	const unsigned char *pat = u->sh->pattern;
	char *buf;
	uint64_t off = 0, k = 0;
	int rc = 0;

	if ((buf = malloc(s->size)) == NULL)
		return user_fail(u, "out of memory");
	for (;;) {
		const char *msg = (const char *)pat + (off % PATTERN_LEN);
		uint64_t t0;

		if (s->count > 0 ? k >= s->count : now_ns() >= u->sh->t_stop)
			break;
		t0 = due(u, k++);
		if (s->rate > 0)
			sleep_until(t0);
		if ((rc = write_all(u, msg, s->size)) != 0 ||
		    (rc = read_echo(u, buf, msg, s->size, off)) != 0)
			break;
		user_sample(u, t0, s->size);
		off += s->size;
		if (atomic_load_explicit(&u->sh->failed, memory_order_relaxed))
			break;
	}
	free(buf);
	return rc;
}

/*
 * Bulk: write s->size chunks until the time is up while reading the echo
 * (both ways) or nothing (one way, into a discard server); then half-close
 * and wait for the server to finish. Throughput counts bytes that made the
 * whole trip.
 */
static int
run_stream(struct user *u)
{
	const struct bench_spec *s = u->s;
	const unsigned char *pat = u->sh->pattern;
	int both = s->work == BENCH_STREAM;
	uint64_t sent = 0, recvd = 0, warm_recvd = 0, warm_sent = 0;
	int writing = 1, warm = 0;
	char *buf;

	if ((buf = malloc(STREAM_BUF)) == NULL)
		return user_fail(u, "out of memory");
	for (;;) {
		struct pollfd pfd = { u->fd, POLLIN, 0 };
		uint64_t t = now_ns();

		if (!warm && t >= u->sh->t_warm) {
			warm = 1;
			warm_sent = sent;
			warm_recvd = recvd;
		}
		if (writing && t >= u->sh->t_stop) {
			writing = 0;
			u->t_end = t;
			shutdown(u->fd, SHUT_WR);
		}
		if (writing)
			pfd.events |= POLLOUT;
		if (poll(&pfd, 1, IO_TIMEOUT_S * 1000) == 0) {
			free(buf);
			return user_fail(u, "stream stalled for %d s",
			    IO_TIMEOUT_S);
		}
		if (pfd.revents & POLLOUT) {
			size_t n = s->size;
			ssize_t w = send(u->fd, pat + sent % PATTERN_LEN, n,
			    MSG_DONTWAIT);

			if (w > 0)
				sent += (uint64_t)w;
			else if (w == -1 && errno != EAGAIN && errno != EINTR) {
				free(buf);
				return user_fail(u, "send: %s", strerror(errno));
			}
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = recv(u->fd, buf, STREAM_BUF, MSG_DONTWAIT);

			if (r == 0)
				break;
			if (r == -1) {
				if (errno == EAGAIN || errno == EINTR)
					continue;
				free(buf);
				return user_fail(u, "receive: %s",
				    strerror(errno));
			}
			if (!both) {
				free(buf);
				return user_fail(u, "a discard server sent "
				    "data back");
			}
			for (ssize_t i = 0; i < r; i += PATTERN_LEN) {
				size_t n = (size_t)(r - i) < PATTERN_LEN ?
				    (size_t)(r - i) : PATTERN_LEN;
				const unsigned char *want =
				    pat + (recvd + (uint64_t)i) % PATTERN_LEN;

				if (memcmp(buf + i, want, n) != 0) {
					size_t j = 0;

					while ((unsigned char)buf[i + j] == want[j])
						j++;
					free(buf);
					return user_fail(u, "echo differs at byte "
					    "%llu of the stream",
					    (unsigned long long)(recvd +
					    (uint64_t)i + j));
				}
			}
			recvd += (uint64_t)r;
			atomic_store_explicit(&u->done, recvd,
			    memory_order_relaxed);
		}
	}
	free(buf);
	if (both && recvd != sent)
		return user_fail(u, "server closed after echoing %llu of %llu "
		    "bytes", (unsigned long long)recvd,
		    (unsigned long long)sent);
	u->bytes = both ? recvd - warm_recvd : sent - warm_sent;
	u->msgs = u->msgs_all = 0;
	return 0;
}

static int
user_connect(struct user *u)
{
	const struct bench_spec *s = u->s;
	struct timeval tv = { IO_TIMEOUT_S, 0 };
	int one = 1;

	u->fd = sys_socket_cloexec(s->sa.ss.ss_family, SOCK_STREAM);
	if (u->fd < 0)
		return user_fail(u, "socket: %s", strerror(-u->fd));
	if (connect(u->fd, (const struct sockaddr *)&s->sa.ss, s->sa.len) == -1) {
		char name[160];

		return user_fail(u, "connect %s: %s", net_sa_str(
		    (const struct sockaddr *)&s->sa.ss, s->sa.len, name,
		    sizeof(name)), strerror(errno));
	}
	if (s->sa.ss.ss_family != AF_UNIX)
		(void)setsockopt(u->fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	(void)setsockopt(u->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(u->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return 0;
}

static void *
user_main(void *arg)
{
	struct user *u = arg;
	int ok = user_connect(u) == 0;

	/* Everyone starts together; a user that could not connect still
	 * reports in so the others are not left waiting. */
	pthread_mutex_lock(&u->sh->mu);
	u->sh->ready++;
	pthread_cond_broadcast(&u->sh->cv);
	while (!u->sh->go)
		pthread_cond_wait(&u->sh->cv, &u->sh->mu);
	pthread_mutex_unlock(&u->sh->mu);
	if (ok && !atomic_load(&u->sh->failed)) {
		switch (u->s->work) {
		case BENCH_LINES:
			run_lines(u);
			break;
		case BENCH_PINGPONG:
			run_pingpong(u);
			break;
		case BENCH_STREAM:
		case BENCH_STREAM_UP:
			run_stream(u);
			break;
		}
	}
	if (u->t_end == 0)
		u->t_end = now_ns();
	if (u->fd != -1)
		close(u->fd);
	u->fd = -1;
	pthread_mutex_lock(&u->sh->mu);
	u->sh->done++;
	pthread_cond_broadcast(&u->sh->cv);
	pthread_mutex_unlock(&u->sh->mu);
	return NULL;
}

/* Progress on a terminal for runs longer than a second. */
static void
show_progress(const struct bench_spec *s, struct user *us, uint64_t t0,
    int final)
{
	uint64_t done = 0, el = now_ns() - t0;

	if (!s->progress || el < 1000000000ULL)
		return;
	for (int i = 0; i < s->users; i++)
		done += atomic_load_explicit(&us[i].done, memory_order_relaxed);
	if (final) {
		fprintf(stderr, "\r\033[K");
		return;
	}
	fprintf(stderr, "\r\033[K  %s: %.1f s, %llu %s", s->label ? s->label :
	    "running", (double)el / 1e9, (unsigned long long)done,
	    s->work >= BENCH_STREAM ? "bytes" : "messages");
}

int
bench_run(const struct bench_spec *s, struct bench_result *res)
{
	struct bench_shared sh;
	struct user *us;
	struct cpu_watch *wsrv = NULL, *wrel = NULL;
	double c0;
	uint64_t t_end = 0;
	int started = 0;

	memset(res, 0, sizeof(*res));
	hist_init(&res->rtt);
	if (s->users < 1) {
		snprintf(res->err, sizeof(res->err), "no users");
		return -1;
	}
	memset(&sh, 0, sizeof(sh));
	sh.pattern_len = PATTERN_LEN + (s->size > STREAM_BUF ? s->size :
	    STREAM_BUF);
	if ((sh.pattern = malloc(sh.pattern_len)) == NULL ||
	    (us = calloc((size_t)s->users, sizeof(*us))) == NULL) {
		free(sh.pattern);
		snprintf(res->err, sizeof(res->err), "out of memory");
		return -1;
	}
	/* A fixed, non-repeating-looking pattern; wraps at PATTERN_LEN. */
	for (size_t i = 0, x = 88172645463325252ULL; i < sh.pattern_len; i++) {
		if (i < PATTERN_LEN) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			sh.pattern[i] = (unsigned char)(x >> 24);
		} else
			sh.pattern[i] = sh.pattern[i - PATTERN_LEN];
	}
	pthread_mutex_init(&sh.mu, NULL);
	pthread_cond_init(&sh.cv, NULL);
	if ((wsrv = malloc(sizeof(*wsrv))) == NULL ||
	    (wrel = malloc(sizeof(*wrel))) == NULL) {
		free(wsrv);
		free(sh.pattern);
		free(us);
		snprintf(res->err, sizeof(res->err), "out of memory");
		return -1;
	}
	res->cpu_wanted = (s->server_pid > 0 ? BENCH_CPU_SERVER : 0) |
	    (s->relay_pid > 0 ? BENCH_CPU_RELAY : 0);
	watch_start(wsrv, s->server_pid);
	watch_start(wrel, s->relay_pid);
	c0 = self_cpu();
	for (int i = 0; i < s->users; i++) {
		us[i].s = s;
		us[i].sh = &sh;
		us[i].id = i;
		us[i].fd = -1;
		hist_init(&us[i].rtt);
		hist_init(&us[i].rtt_warm);
		if (pthread_create(&us[i].tid, NULL, user_main, &us[i]) != 0) {
			snprintf(res->err, sizeof(res->err), "cannot start "
			    "user %d: out of threads", i + 1);
			atomic_store(&sh.failed, 1);
			break;
		}
		started++;
	}
	/* Open the gate once every user has connected. */
	pthread_mutex_lock(&sh.mu);
	while (sh.ready < started)
		pthread_cond_wait(&sh.cv, &sh.mu);
	sh.t_start = now_ns();
	sh.t_warm = sh.t_start + (uint64_t)s->warmup_ms * 1000000ULL;
	sh.t_stop = sh.t_warm + (uint64_t)s->duration_ms * 1000000ULL;
	sh.go = 1;
	pthread_cond_broadcast(&sh.cv);
	pthread_mutex_unlock(&sh.mu);
	/* Wait for every user, showing progress and reading the server's
	 * and relay's children each 100 ms (the first after 20 ms, once the
	 * relay has forked for the connections): a condition wait with a
	 * deadline rather than pthread_timedjoin_np, which glibc and musl
	 * have and macOS does not. */
	pthread_mutex_lock(&sh.mu);
	for (int tick = 0; sh.done < started; tick++) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += tick == 0 ? 20000000 : 100000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (pthread_cond_timedwait(&sh.cv, &sh.mu, &ts) == ETIMEDOUT) {
			pthread_mutex_unlock(&sh.mu);
			watch_sample(wsrv);
			watch_sample(wrel);
			if (tick % 2 == 0)
				show_progress(s, us, sh.t_start, 0);
			pthread_mutex_lock(&sh.mu);
		}
	}
	pthread_mutex_unlock(&sh.mu);
	for (int i = 0; i < started; i++)
		pthread_join(us[i].tid, NULL);
	show_progress(s, us, sh.t_start, 1);
	res->cpu_client_s = self_cpu() - c0;
	if (watch_end(wsrv, &res->cpu_server_s))
		res->cpu_measured |= BENCH_CPU_SERVER;
	if (watch_end(wrel, &res->cpu_relay_s))
		res->cpu_measured |= BENCH_CPU_RELAY;
	free(wsrv);
	free(wrel);
	for (int i = 0; i < started; i++) {
		hist_merge(&res->rtt, &us[i].rtt);
		res->msgs += us[i].msgs;
		res->msgs_all += us[i].msgs_all;
		res->bytes += us[i].bytes;
		if (us[i].t_end > t_end)
			t_end = us[i].t_end;
		if (us[i].err[0] != '\0' && res->err[0] == '\0')
			snprintf(res->err, sizeof(res->err), "%s", us[i].err);
	}
	res->wall_s = (double)(t_end - sh.t_start) / 1e9;
	res->measured_s = t_end > sh.t_warm ?
	    (double)(t_end - sh.t_warm) / 1e9 : res->wall_s;
	if (res->err[0] == '\0' && res->msgs == 0 && res->msgs_all > 0) {
		/* The whole run fit in the warm-up: rather than measure
		 * nothing, keep every sample and say so. */
		for (int i = 0; i < started; i++) {
			hist_merge(&res->rtt, &us[i].rtt_warm);
			res->bytes += us[i].bytes_all;
		}
		res->msgs = res->msgs_all;
		res->measured_s = res->wall_s;
		snprintf(res->note, sizeof(res->note), "the run (%.3f s) was "
		    "shorter than the %d ms warm-up, so no samples were left "
		    "out; run longer (--loop, --count) for steadier numbers",
		    res->wall_s, s->warmup_ms);
	}
	pthread_mutex_destroy(&sh.mu);
	pthread_cond_destroy(&sh.cv);
	free(sh.pattern);
	free(us);
	return res->err[0] != '\0' ? -1 : 0;
}
