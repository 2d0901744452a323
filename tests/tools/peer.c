/*
 * peer: the test client the end-to-end tests drive the relay with.
 *
 * Each subcommand connects to ADDR and checks one property: byte-exact echo
 * over many concurrent connections (integrity), a reply that follows a
 * half-close (halfclose), a bulk upload (send), many open connections
 * (hold), an abortive close (reset), one round trip (ping).
 *
 * Data comes from a counter-based generator: word k of a stream is the k-th
 * splitmix64 output for a key made of the seed and the connection index.
 * Any byte can be recomputed from its offset, so a short write resends from
 * the offset and the reader checks the echo against a fresh copy instead of
 * a stored one.
 *
 * Standalone on purpose, libc only: a broken src/ must not break the tool
 * that tests it.  POSIX only too (poll, fcntl), so that the same peer runs
 * on Linux, macOS and the BSDs.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PEER_WINDOW		(4u << 20)	/* written, not yet echoed */
#define PEER_BUF_SIZE		(256u << 10)	/* one read, one send chunk */
#define PEER_CONNECT_TRIES	30		/* on EAGAIN: backlog full */
#define PEER_BACKOFF_MAX_MS	100
#define PEER_STALL_MS		500		/* reset: peer not reading */
#define PEER_FD_SPARE		16		/* stdio, libc */
#define HOLD_MSG_LEN		8

#define GOLDEN			0x9e3779b97f4a7c15ULL
#define FNV_OFFSET		0xcbf29ce484222325ULL
#define FNV_PRIME		0x100000001b3ULL

#define NORETURN_FMT(f, a)	__attribute__((noreturn, format(printf, f, a)))

struct peer_addr {
	const char		*text;		/* as given, for messages */
	struct sockaddr_storage	 ss;
	socklen_t		 len;
};

struct peer_opts {
	const char	*timeout_text;	/* -t as given, for messages */
	int64_t		 timeout_ms;
	uint64_t	 conns;		/* -c */
	uint64_t	 bytes;		/* -b */
	uint64_t	 seed;		/* -s */
	uint64_t	 maxwrite;	/* -m */
	int		 wait;		/* -w */
};

enum conn_state {
	CONN_RETRY,		/* connect said EAGAIN; again at retry_at */
	CONN_CONNECTING,	/* EINPROGRESS, waiting for POLLOUT */
	CONN_OPEN,
	CONN_DONE,
	CONN_FAILED,
};

struct conn {
	int		 fd;
	int		 idx;
	enum conn_state	 state;
	int		 tries;		/* connects that said EAGAIN */
	int64_t		 retry_at;	/* ms, CONN_RETRY */
	short		 events;	/* poll interest, 0: none */
	int		 shut;		/* SHUT_WR done, or writes failed */
	uint64_t	 key;		/* data stream */
	uint64_t	 size_rng;	/* write sizes */
	uint64_t	 sent;
	uint64_t	 recvd;
	uint64_t	 hash;		/* FNV-1a of the verified echo */
	char		 msg[HOLD_MSG_LEN + 1];	/* hold: sent, NUL */
	char		 got[HOLD_MSG_LEN];	/* hold: echoed */
};

/* One poll-driven batch of connections: integrity and hold. */
struct run {
	const struct peer_addr	*addr;
	struct pollfd		*pfds;		/* one poll's set, nconns long */
	struct conn		**pconns;	/* pfds[i] is pconns[i]'s */
	struct conn		*conns;
	int			 nconns;
	int			 nleft;		/* neither done nor failed */
	int			 ndone;
	int			 nfailed;
	int			 strict;	/* first failure is fatal */
	char			 first_err[256];
	uint64_t		 bytes;
	size_t			 maxwrite;
	unsigned char		*wbuf;
	unsigned char		*rbuf;
	unsigned char		*ebuf;		/* the expected echo */
	void			(*io)(struct run *, struct conn *, short);
};

struct peer_cmd {
	const char	*name;
	const char	*optstr;
	const char	*usage;
	int		 nargs;		/* operands after the options */
	uint64_t	 conns;		/* -c default */
	uint64_t	 bytes;		/* -b default */
	int		 own_deadline;	/* watches the deadline itself */
	void		(*run)(struct peer_opts *, char **);
};

static int64_t	 deadline_ms;
static char	 timeout_msg[160];

/* Print "peer: MESSAGE", then ": strerror(errnum)" unless errnum is 0. */
static __attribute__((format(printf, 2, 0))) void
peer_verr(int errnum, const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("peer: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (errnum != 0)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
}

/* Print "peer: MESSAGE: strerror(errno)" and exit 1. */
static NORETURN_FMT(1, 2) void
peer_err(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	peer_verr(saved, fmt, ap);
	va_end(ap);
	exit(1);
}

/* Print "peer: MESSAGE" and exit 1. */
static NORETURN_FMT(1, 2) void
peer_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	peer_verr(0, fmt, ap);
	va_end(ap);
	exit(1);
}

/* Milliseconds on the monotonic clock. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SIGALRM, the backstop for calls that block: say so and exit 1. */
static void
on_alarm(int sig)
{
	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, timeout_msg, strlen(timeout_msg));
	(void)n;
	_exit(1);
}

/*
 * Set the deadline and arm SIGALRM slack_ms after it.  The poll modes get
 * slack so that their own message, which says what was pending, wins.
 */
static void
timer_arm(const char *cmd, const struct peer_opts *o, int64_t slack_ms)
{
	struct itimerval it;
	int64_t ms = o->timeout_ms + slack_ms;

	deadline_ms = now_ms() + o->timeout_ms;
	snprintf(timeout_msg, sizeof(timeout_msg),
	    "peer: %s: timed out after %s seconds\n", cmd, o->timeout_text);
	signal(SIGALRM, on_alarm);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	if (setitimer(ITIMER_REAL, &it, NULL) == -1)
		peer_err("setitimer");
}

/* The splitmix64 finaliser: a bijective 64-bit mix. */
static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The next splitmix64 value from state *s. */
static uint64_t
rng_next(uint64_t *s)
{
	*s += GOLDEN;
	return mix64(*s);
}

/* The key of connection idx's stream; also seeds other generators. */
static uint64_t
stream_key(uint64_t seed, uint64_t idx)
{
	return mix64(seed ^ mix64(idx + GOLDEN));
}

/*
 * Fill buf with bytes [off, off + n) of the stream named by key.  Words are
 * stored little-endian so the stream does not depend on the host.
 */
static void
stream_fill(uint64_t key, uint64_t off, unsigned char *buf, size_t n)
{
	uint64_t w = off / 8, v;
	size_t skip = off % 8, i = 0, take, j;
	unsigned char b[8];

	for (; i < n; w++, skip = 0) {
		v = mix64(key + (w + 1) * GOLDEN);
		for (j = 0; j < 8; j++)
			b[j] = (unsigned char)(v >> (8 * j));
		take = 8 - skip < n - i ? 8 - skip : n - i;
		memcpy(buf + i, b + skip, take);
		i += take;
	}
}

/* Continue the 64-bit FNV-1a hash h over n bytes at p. */
static uint64_t
fnv1a(uint64_t h, const unsigned char *p, size_t n)
{
	while (n-- > 0)
		h = (h ^ *p++) * FNV_PRIME;
	return h;
}

/*
 * A write size in [1, max], near log-uniform: an octave [2^b, 2^(b+1))
 * chosen uniformly, then a size inside it.  Integers only, no libm.
 */
static size_t
draw_size(uint64_t *rng, size_t max)
{
	unsigned int bits = 0;
	size_t lo, n;

	while ((max >> bits) > 1)
		bits++;
	lo = (size_t)1 << (rng_next(rng) % (bits + 1));
	n = lo + (size_t)(rng_next(rng) % lo);
	return n > max ? max : n;
}

/*
 * Parse a count in [lo, hi]: decimal, optionally with K, M or G (powers of
 * 1024).  opt names the option in errors; exits on junk.
 */
static uint64_t
parse_size(const char *s, const char *opt, uint64_t lo, uint64_t hi)
{
	const char *units = "KMG", *u;
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || errno != 0)
		peer_errx("%s %s: not a number", opt, s);
	if (*end != '\0' && (u = strchr(units, *end)) != NULL) {
		shift = 10 * (unsigned int)(u - units + 1);
		end++;
	}
	if (*end != '\0')
		peer_errx("%s %s: not a number", opt, s);
	if (v > (UINT64_MAX >> shift) || (v << shift) < lo || (v << shift) > hi)
		peer_errx("%s %s: out of range %" PRIu64 "..%" PRIu64, opt, s,
		    lo, hi);
	return (uint64_t)v << shift;
}

/*
 * Resolve text (unix:/path, unix:@name, tcp:host:port, tcp:[v6]:port) into
 * a.  Like the relay, TCP takes the first address getaddrinfo returns.
 * Exits with a message when it cannot.
 */
static void
addr_resolve(struct peer_addr *a, const char *text)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&a->ss;
	struct addrinfo hints, *res;
	const char *p, *port, *end;
	char host[256];
	size_t len, abstract;
	int rc;

	memset(a, 0, sizeof(*a));
	a->text = text;
	if (strncmp(text, "unix:", 5) == 0) {
		/* Abstract names start with a NUL and have no terminator. */
		p = text + 5;
		abstract = p[0] == '@';
		len = strlen(p);
		if (len == abstract || len >= sizeof(sun->sun_path))
			peer_errx("%s: name empty or too long", text);
#ifndef __linux__
		if (abstract)
			peer_errx("%s: abstract socket names are Linux-only",
			    text);
#endif
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path + abstract, p + abstract, len - abstract);
		a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    len + !abstract);
		return;
	}
	if (strncmp(text, "tcp:", 4) != 0)
		peer_errx("%s: want unix:PATH, unix:@NAME or tcp:HOST:PORT",
		    text);
	p = text + 4;
	if (p[0] == '[') {
		end = strchr(++p, ']');
		port = end != NULL && end[1] == ':' ? end + 2 : NULL;
	} else {
		end = strrchr(p, ':');
		port = end != NULL ? end + 1 : NULL;
	}
	if (port == NULL || port[0] == '\0' || end == p ||
	    (len = (size_t)(end - p)) >= sizeof(host))
		peer_errx("%s: want tcp:HOST:PORT or tcp:[ADDRESS]:PORT", text);
	memcpy(host, p, len);
	host[len] = '\0';

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		peer_errx("resolve %s: %s", text, gai_strerror(rc));
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	freeaddrinfo(res);
}

/*
 * A new stream socket for family, close-on-exec, and nonblocking if asked:
 * socket plus fcntl, as macOS has no SOCK_NONBLOCK or SOCK_CLOEXEC.
 * Returns it, or -1 with errno set.
 */
static int
socket_open(int family, int nonblock)
{
	int fd, fl, saved;

	if ((fd = socket(family, SOCK_STREAM, 0)) == -1)
		return -1;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    (nonblock && ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1))) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * Whether a nonblocking connect's err may mean a full listen backlog, to
 * be retried.  Linux says EAGAIN for a unix socket's; macOS and the BSDs
 * say ECONNREFUSED, as for no listener at all, so there a refused unix
 * connect is retried too and fails after PEER_CONNECT_TRIES.
 */
static int
connect_busy(const struct peer_addr *a, int err)
{
#ifdef __linux__
	(void)a;
	return err == EAGAIN;
#else
	return err == EAGAIN ||
	    (err == ECONNREFUSED && a->ss.ss_family == AF_UNIX);
#endif
}

/*
 * Connect to a with a blocking socket; returns it or exits.  A full unix
 * backlog makes connect wait, and the timer bounds the wait.
 */
static int
connect_blocking(const struct peer_addr *a)
{
	int fd;

	if ((fd = socket_open(a->ss.ss_family, 0)) == -1)
		peer_err("socket");
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) == -1)
		peer_err("connect %s", a->text);
	return fd;
}

/* Write all n bytes of buf to blocking fd; what names fd in errors. */
static void
write_all(int fd, const void *buf, size_t n, const char *what)
{
	const char *p = buf;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			peer_err("write %s", what);
		}
		p += w;
		n -= (size_t)w;
	}
}

/*
 * Raise the soft fd limit to the hard one; exit if n sockets won't fit.
 * macOS refuses a soft limit above OPEN_MAX even when the hard limit is
 * unlimited: there it settles for OPEN_MAX.
 */
static void
raise_nofile(uint64_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		peer_err("getrlimit");
	rl.rlim_cur = rl.rlim_max;
#ifdef OPEN_MAX
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1 && errno == EINVAL &&
	    rl.rlim_max > OPEN_MAX)
		rl.rlim_cur = OPEN_MAX;
#endif
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		peer_err("setrlimit");
	if (rl.rlim_cur != RLIM_INFINITY && n + PEER_FD_SPARE > rl.rlim_cur)
		peer_errx("%" PRIu64 " connections need more than the %" PRIu64
		    " file descriptors allowed", n, (uint64_t)rl.rlim_cur);
}

/* Set c's poll interest to events; 0 leaves c out of the next polls. */
static void
conn_want(struct run *r, struct conn *c, short events)
{
	(void)r;
	c->events = events;
}

/* Close c's socket if open; that also leaves it out of the next polls. */
static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->events = 0;
}

/*
 * Give up on c.  Fatal when the run is strict; otherwise counted, and the
 * first message kept for the summary.
 */
static __attribute__((format(printf, 3, 4))) void
conn_fail(struct run *r, struct conn *c, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->strict)
		peer_errx("conn %d: %s", c->idx, msg);
	if (r->nfailed++ == 0)
		snprintf(r->first_err, sizeof(r->first_err), "conn %d: %s",
		    c->idx, msg);
	conn_close(c);
	c->state = CONN_FAILED;
	r->nleft--;
}

/* Count c as finished; its socket is left as it is. */
static void
conn_done(struct run *r, struct conn *c)
{
	c->state = CONN_DONE;
	r->ndone++;
	r->nleft--;
}

/*
 * Start, or restart, c's nonblocking connect.  A unix connect succeeds at
 * once (queued in the backlog) or says EAGAIN when the backlog is full;
 * that is retried on a new socket after a growing pause (connect_busy).
 * TCP says EINPROGRESS and completes on POLLOUT.
 */
static void
conn_start(struct run *r, struct conn *c)
{
	const struct peer_addr *a = r->addr;
	int64_t pause;

	c->fd = socket_open(a->ss.ss_family, 1);
	if (c->fd == -1)
		conn_fail(r, c, "socket: %s", strerror(errno));
	else if (connect(c->fd, (const struct sockaddr *)&a->ss, a->len) == 0) {
		c->state = CONN_OPEN;
		r->io(r, c, POLLOUT);
	} else if (errno == EINPROGRESS) {
		c->state = CONN_CONNECTING;
		conn_want(r, c, POLLOUT);
	} else if (connect_busy(a, errno) && ++c->tries < PEER_CONNECT_TRIES) {
		conn_close(c);
		pause = (int64_t)1 << (c->tries < 7 ? c->tries : 7);
		c->state = CONN_RETRY;
		c->retry_at = now_ms() +
		    (pause < PEER_BACKOFF_MAX_MS ? pause : PEER_BACKOFF_MAX_MS);
	} else if (connect_busy(a, errno))
		conn_fail(r, c, "connect %s: %s, %d times (listen backlog "
		    "full)", a->text, strerror(errno), c->tries);
	else
		conn_fail(r, c, "connect %s: %s", a->text, strerror(errno));
}

/* Handle an event on c: finish its connect, then let the mode do I/O. */
static void
run_event(struct run *r, struct conn *c, short ev)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (c->state == CONN_CONNECTING) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0) {
			conn_fail(r, c, "connect %s: %s", r->addr->text,
			    strerror(err));
			return;
		}
		c->state = CONN_OPEN;
		ev = POLLOUT;
	}
	if (c->state == CONN_OPEN)
		r->io(r, c, ev);
}

/*
 * Open n connections to a, driven by io in one poll loop, until each is
 * done or failed.  Returns 0, or -1 when the deadline came first.
 */
static int
run_loop(struct run *r, const struct peer_addr *a, uint64_t n, int strict,
    void (*io)(struct run *, struct conn *, short))
{
	struct conn *c;
	int64_t now, wait;
	int i, nfds, nev;

	r->addr = a;
	r->nconns = r->nleft = (int)n;
	r->strict = strict;
	r->io = io;
	if ((r->pfds = calloc(n, sizeof(*r->pfds))) == NULL ||
	    (r->pconns = calloc(n, sizeof(*r->pconns))) == NULL)
		peer_err("calloc");
	for (i = 0; i < r->nconns; i++)
		conn_start(r, &r->conns[i]);

	while (r->nleft > 0) {
		now = now_ms();
		if ((wait = deadline_ms - now) <= 0)
			return -1;
		for (i = 0; i < r->nconns; i++) {
			c = &r->conns[i];
			if (c->state == CONN_RETRY && c->retry_at <= now)
				conn_start(r, c);
			if (c->state == CONN_RETRY && c->retry_at - now < wait)
				wait = c->retry_at - now;
		}
		for (i = nfds = 0; i < r->nconns; i++) {
			c = &r->conns[i];
			if (c->fd == -1 || c->events == 0)
				continue;
			r->pfds[nfds].fd = c->fd;
			r->pfds[nfds].events = c->events;
			r->pfds[nfds].revents = 0;
			r->pconns[nfds++] = c;
		}
		nev = poll(r->pfds, (nfds_t)nfds,
		    wait > INT_MAX ? INT_MAX : (int)wait);
		if (nev == -1 && errno != EINTR)
			peer_err("poll");
		/* Failures earlier in the batch are closed and marked, and
		 * sockets open only above, so an fd is never reused here;
		 * a connection closed meanwhile is skipped. */
		for (i = 0; nev > 0 && i < nfds; i++)
			if (r->pfds[i].revents != 0 &&
			    r->pconns[i]->fd == r->pfds[i].fd)
				run_event(r, r->pconns[i], r->pfds[i].revents);
	}
	return 0;
}

/* Allocate n connections for run_loop, numbered from 0. */
static struct conn *
conns_new(uint64_t n)
{
	struct conn *conns;
	uint64_t i;

	if ((conns = calloc(n, sizeof(*conns))) == NULL)
		peer_err("calloc");
	for (i = 0; i < n; i++) {
		conns[i].fd = -1;
		conns[i].idx = (int)i;
	}
	return conns;
}

/*
 * integrity: read one chunk of echo and check it against the stream.
 * Returns 0 to go on, -1 when c is finished (done or failed).
 */
static int
integrity_read(struct run *r, struct conn *c)
{
	size_t i, m;
	ssize_t n;

	if ((n = read(c->fd, r->rbuf, PEER_BUF_SIZE)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		conn_fail(r, c, "read after %" PRIu64 " of %" PRIu64
		    " bytes: %s", c->recvd, r->bytes, strerror(errno));
		return -1;
	}
	if (n == 0) {
		/* EOF: by now the whole echo must be in. */
		if (c->recvd < r->bytes)
			conn_fail(r, c, "EOF after %" PRIu64 " of %" PRIu64
			    " bytes", c->recvd, r->bytes);
		else {
			conn_close(c);
			conn_done(r, c);
		}
		return -1;
	}

	/* Check what was sent first, so corruption reads as a mismatch. */
	m = (uint64_t)n < c->sent - c->recvd ? (size_t)n :
	    (size_t)(c->sent - c->recvd);
	stream_fill(c->key, c->recvd, r->ebuf, m);
	if (memcmp(r->rbuf, r->ebuf, m) != 0) {
		for (i = 0; r->rbuf[i] == r->ebuf[i]; i++)
			;
		conn_fail(r, c, "mismatch at offset %" PRIu64 " (got 0x%02x "
		    "want 0x%02x)", c->recvd + i, r->rbuf[i], r->ebuf[i]);
		return -1;
	}
	c->hash = fnv1a(c->hash, r->rbuf, m);
	c->recvd += m;
	if (m < (size_t)n) {
		conn_fail(r, c, "received %" PRIu64 " bytes, more than the %"
		    PRIu64 " sent", c->recvd + ((size_t)n - m), c->sent);
		return -1;
	}
	return 0;
}

/*
 * integrity: write one chunk of random size, at most PEER_WINDOW ahead of
 * the echo; half-close once all is out.  Returns 0, or -1 if c failed.
 */
static int
integrity_write(struct run *r, struct conn *c)
{
	uint64_t left = r->bytes - c->sent;
	uint64_t room = PEER_WINDOW - (c->sent - c->recvd);
	size_t len;
	ssize_t n;

	if (left > 0 && room > 0 && !c->shut) {
		len = draw_size(&c->size_rng, r->maxwrite);
		len = len < left ? len : (size_t)left;
		len = len < room ? len : (size_t)room;
		stream_fill(c->key, c->sent, r->wbuf, len);
		if ((n = write(c->fd, r->wbuf, len)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			/* The peer is gone: the read side then says how far
			 * the echo got, which tells more than EPIPE. */
			if (errno == EPIPE || errno == ECONNRESET) {
				c->shut = 1;
				return 0;
			}
			conn_fail(r, c, "write at offset %" PRIu64 " of %"
			    PRIu64 ": %s", c->sent, r->bytes, strerror(errno));
			return -1;
		}
		c->sent += (uint64_t)n;
	}
	if (c->sent == r->bytes && !c->shut) {
		if (shutdown(c->fd, SHUT_WR) == -1) {
			conn_fail(r, c, "shutdown: %s", strerror(errno));
			return -1;
		}
		c->shut = 1;
	}
	return 0;
}

/* integrity: handle events on c, then ask for what it needs next. */
static void
integrity_io(struct run *r, struct conn *c, short ev)
{
	short want = POLLIN;

	if ((ev & (POLLIN | POLLERR | POLLHUP)) &&
	    integrity_read(r, c) == -1)
		return;
	if ((ev & POLLOUT) && integrity_write(r, c) == -1)
		return;
	/* Always read: an echo peer that cannot write stops reading. */
	if (!c->shut && c->sent < r->bytes &&
	    c->sent - c->recvd < PEER_WINDOW)
		want |= POLLOUT;
	conn_want(r, c, want);
}

/* peer integrity: many concurrent connections, every echoed byte checked. */
static void
cmd_integrity(struct peer_opts *o, char **argv)
{
	struct peer_addr a;
	struct run r;
	struct conn *c = NULL;
	int64_t t0;
	uint64_t checksum = 0;
	int i, unfinished = 0;

	raise_nofile(o->conns);
	addr_resolve(&a, argv[0]);
	memset(&r, 0, sizeof(r));
	r.conns = conns_new(o->conns);
	r.bytes = o->bytes;
	r.maxwrite = (size_t)o->maxwrite;
	if ((r.wbuf = malloc(r.maxwrite)) == NULL ||
	    (r.rbuf = malloc(PEER_BUF_SIZE)) == NULL ||
	    (r.ebuf = malloc(PEER_BUF_SIZE)) == NULL)
		peer_err("malloc");
	for (i = 0; i < (int)o->conns; i++) {
		r.conns[i].key = stream_key(o->seed, (uint64_t)i);
		r.conns[i].size_rng = stream_key(~o->seed, (uint64_t)i);
		r.conns[i].hash = FNV_OFFSET;
	}

	t0 = now_ms();
	if (run_loop(&r, &a, o->conns, 1, integrity_io) == -1) {
		for (i = r.nconns - 1; i >= 0; i--)
			if (r.conns[i].state != CONN_DONE) {
				c = &r.conns[i];
				unfinished++;
			}
		peer_errx("integrity: timed out after %s seconds, %d of %d "
		    "connections unfinished; conn %d sent %" PRIu64 " and "
		    "received %" PRIu64 " of %" PRIu64 " bytes",
		    o->timeout_text, unfinished, r.nconns, c->idx, c->sent,
		    c->recvd, r.bytes);
	}

	/* XOR: independent of finishing order, and for one connection the
	 * same as "peer send" prints for that seed and size. */
	for (i = 0; i < r.nconns; i++)
		checksum ^= r.conns[i].hash;
	printf("ok conns=%d bytes_each_way=%" PRIu64 " checksum=%016" PRIx64
	    " seconds=%.3f\n", r.nconns, r.bytes * o->conns, checksum,
	    (double)(now_ms() - t0) / 1000);
	free(r.pfds);
	free(r.pconns);
	free(r.conns);
	free(r.wbuf);
	free(r.rbuf);
	free(r.ebuf);
}

/* hold: send c's message, wait for it to come back, then leave c alone. */
static void
hold_io(struct run *r, struct conn *c, short ev)
{
	ssize_t n;

	if ((ev & POLLOUT) && c->sent < HOLD_MSG_LEN) {
		n = write(c->fd, c->msg + c->sent, HOLD_MSG_LEN - c->sent);
		if (n == -1 && errno != EAGAIN && errno != EINTR) {
			conn_fail(r, c, "write: %s", strerror(errno));
			return;
		}
		c->sent += n > 0 ? (uint64_t)n : 0;
	}
	if (ev & (POLLIN | POLLERR | POLLHUP)) {
		n = read(c->fd, c->got + c->recvd, HOLD_MSG_LEN - c->recvd);
		if (n == -1 && errno != EAGAIN && errno != EINTR) {
			conn_fail(r, c, "read: %s", strerror(errno));
			return;
		}
		if (n == 0) {
			conn_fail(r, c, "EOF after %" PRIu64 " of %d echoed "
			    "bytes", c->recvd, HOLD_MSG_LEN);
			return;
		}
		c->recvd += n > 0 ? (uint64_t)n : 0;
		if (c->recvd == HOLD_MSG_LEN &&
		    memcmp(c->got, c->msg, HOLD_MSG_LEN) != 0) {
			conn_fail(r, c, "echo mismatch");
			return;
		}
		if (c->recvd == HOLD_MSG_LEN) {
			conn_want(r, c, 0);
			conn_done(r, c);
			return;
		}
	}
	conn_want(r, c, (short)(POLLIN | (c->sent < HOLD_MSG_LEN ? POLLOUT : 0)));
}

/*
 * peer hold: open many connections at once, check that each echoes a
 * message of its own, and with -w keep them open until stdin ends.
 */
static void
cmd_hold(struct peer_opts *o, char **argv)
{
	struct peer_addr a;
	struct run r;
	struct conn *c;
	char buf[512];
	ssize_t n;
	int i;

	raise_nofile(o->conns);
	addr_resolve(&a, argv[0]);
	memset(&r, 0, sizeof(r));
	r.conns = conns_new(o->conns);
	for (i = 0; i < (int)o->conns; i++)
		snprintf(r.conns[i].msg, sizeof(r.conns[i].msg), "%07u\n",
		    (unsigned int)i % 10000000);

	if (run_loop(&r, &a, o->conns, 0, hold_io) == -1) {
		for (i = 0; i < r.nconns; i++) {
			c = &r.conns[i];
			if (c->state == CONN_OPEN)
				conn_fail(&r, c, "timed out waiting for echo");
			else if (c->state != CONN_DONE &&
			    c->state != CONN_FAILED)
				conn_fail(&r, c, "timed out connecting");
		}
	}
	printf("held %d/%d\n", r.ndone, r.nconns);
	fflush(stdout);
	if (r.nfailed > 0)
		peer_errx("hold: %d of %d connections failed; first: %s",
		    r.nfailed, r.nconns, r.first_err);

	/* The timer is still armed and bounds this wait. */
	while (o->wait && (n = read(STDIN_FILENO, buf, sizeof(buf))) != 0)
		if (n == -1 && errno != EINTR)
			peer_err("read stdin");
	for (i = 0; i < r.nconns; i++)
		conn_close(&r.conns[i]);
	free(r.pfds);
	free(r.pconns);
	free(r.conns);
}

/*
 * Send bytes of stream 0 for seed on fd, half-close unless reset, and
 * return the FNV-1a of what went out.  With drain, read and discard until
 * EOF meanwhile, so an echoing peer cannot deadlock us.  Without, stop
 * early when fd stays full for PEER_STALL_MS.  *sent gets the count.
 */
static uint64_t
pump(int fd, const struct peer_addr *a, uint64_t seed, uint64_t bytes,
    int drain, uint64_t *sent)
{
	struct pollfd pfd;
	unsigned char *buf;
	uint64_t key = stream_key(seed, 0), hash = FNV_OFFSET;
	size_t len;
	ssize_t n;
	int fl, rc, shut = 0, eof = !drain;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		peer_err("fcntl");
	if ((buf = malloc(PEER_BUF_SIZE)) == NULL)
		peer_err("malloc");
	for (*sent = 0; !shut || !eof; ) {
		if (!shut && *sent == bytes) {
			if (drain && shutdown(fd, SHUT_WR) == -1)
				peer_err("shutdown %s", a->text);
			shut = 1;
			continue;
		}
		pfd.fd = fd;
		pfd.events = (eof ? 0 : POLLIN) | (shut ? 0 : POLLOUT);
		pfd.revents = 0;
		rc = poll(&pfd, 1, drain ? -1 : PEER_STALL_MS);
		if (rc == -1 && errno != EINTR)
			peer_err("poll");
		if (rc == 0)
			break;
		if (!eof && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
			n = read(fd, buf, PEER_BUF_SIZE);
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				peer_err("read %s", a->text);
			eof = n == 0;
		}
		if (shut || !(pfd.revents & (POLLOUT | POLLERR)))
			continue;
		len = bytes - *sent < PEER_BUF_SIZE ? (size_t)(bytes - *sent) :
		    PEER_BUF_SIZE;
		stream_fill(key, *sent, buf, len);
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			peer_err("write %s after %" PRIu64 " of %" PRIu64
			    " bytes", a->text, *sent, bytes);
		}
		hash = fnv1a(hash, buf, (size_t)n);
		*sent += (uint64_t)n;
	}
	free(buf);
	return hash;
}

/* peer send: upload BYTES of stream 0, half-close, read to EOF. */
static void
cmd_send(struct peer_opts *o, char **argv)
{
	struct peer_addr a;
	uint64_t hash, sent;
	int fd;

	addr_resolve(&a, argv[0]);
	fd = connect_blocking(&a);
	hash = pump(fd, &a, o->seed, o->bytes, 1, &sent);
	close(fd);
	printf("sent %" PRIu64 " checksum=%016" PRIx64 "\n", sent, hash);
}

/*
 * peer reset: send BYTES without reading, then close with SO_LINGER
 * {1, 0} so that TCP sends a RST.  An echo we never read backs up and
 * stops our writes; pump gives up then, and the reset still goes out.
 */
static void
cmd_reset(struct peer_opts *o, char **argv)
{
	struct peer_addr a;
	struct linger lg = { 1, 0 };
	uint64_t sent;
	int fd;

	addr_resolve(&a, argv[0]);
	fd = connect_blocking(&a);
	(void)pump(fd, &a, o->seed, o->bytes, 0, &sent);
	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == -1)
		peer_err("setsockopt SO_LINGER");
	close(fd);
	printf("reset sent\n");
}

/*
 * Read from fd until EOF or until n bytes when buf is given; without buf,
 * copy everything to stdout.  Returns the byte count.
 */
static size_t
read_to_eof(int fd, const struct peer_addr *a, char *buf, size_t n)
{
	char tmp[16384];
	size_t got = 0;
	ssize_t r;

	while (buf == NULL || got < n) {
		r = read(fd, buf != NULL ? buf + got : tmp,
		    buf != NULL ? n - got : sizeof(tmp));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			peer_err("read %s", a->text);
		if (r == 0)
			break;
		if (buf == NULL)
			write_all(STDOUT_FILENO, tmp, (size_t)r, "stdout");
		got += (size_t)r;
	}
	return got;
}

/* peer halfclose: send REQUEST, half-close, copy the reply to stdout. */
static void
cmd_halfclose(struct peer_opts *o, char **argv)
{
	struct peer_addr a;
	int fd;

	(void)o;
	addr_resolve(&a, argv[0]);
	fd = connect_blocking(&a);
	write_all(fd, argv[1], strlen(argv[1]), a.text);
	if (shutdown(fd, SHUT_WR) == -1)
		peer_err("shutdown %s", a.text);
	(void)read_to_eof(fd, &a, NULL, 0);
	close(fd);
}

/* peer ping: send MESSAGE, read as many bytes back, print them. */
static void
cmd_ping(struct peer_opts *o, char **argv)
{
	struct peer_addr a;
	size_t want = strlen(argv[1]), got;
	char *buf;
	int fd;

	(void)o;
	addr_resolve(&a, argv[0]);
	if ((buf = malloc(want + 1)) == NULL)
		peer_err("malloc");
	fd = connect_blocking(&a);
	write_all(fd, argv[1], want, a.text);
	got = read_to_eof(fd, &a, buf, want);
	close(fd);
	fwrite(buf, 1, got, stdout);
	putchar('\n');
	if (got < want)
		peer_errx("echo mismatch: EOF after %zu of %zu bytes", got,
		    want);
	if (memcmp(buf, argv[1], want) != 0)
		peer_errx("echo mismatch");
	free(buf);
}

static const struct peer_cmd peer_cmds[] = {
	{ "integrity", "+t:c:b:s:m:",
	  "[-t seconds] [-c conns] [-b bytes] [-s seed] [-m maxwrite] addr",
	  1, 64, 4u << 20, 1, cmd_integrity },
	{ "halfclose", "+t:", "[-t seconds] addr request",
	  2, 1, 0, 0, cmd_halfclose },
	{ "send", "+t:b:s:", "[-t seconds] [-b bytes] [-s seed] addr",
	  1, 1, 4u << 20, 0, cmd_send },
	{ "hold", "+wt:c:", "[-w] [-t seconds] [-c conns] addr",
	  1, 2000, 0, 1, cmd_hold },
	{ "reset", "+t:b:", "[-t seconds] [-b bytes] addr",
	  1, 1, 1u << 20, 0, cmd_reset },
	{ "ping", "+t:", "[-t seconds] addr message",
	  2, 1, 0, 0, cmd_ping },
};
#define PEER_NCMDS	(sizeof(peer_cmds) / sizeof(peer_cmds[0]))

/* Print every subcommand's synopsis and exit 2. */
static __attribute__((noreturn)) void
usage(void)
{
	size_t i;

	for (i = 0; i < PEER_NCMDS; i++)
		fprintf(stderr, "%s peer %s %s\n", i == 0 ? "usage:" : "      ",
		    peer_cmds[i].name, peer_cmds[i].usage);
	fprintf(stderr, "addr: unix:/path, unix:@name, tcp:host:port or "
	    "tcp:[v6addr]:port; sizes take K, M, G\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const struct peer_cmd *cmd = NULL;
	struct peer_opts o;
	char *end;
	double secs;
	size_t i;
	int ch;

	for (i = 0; argc >= 2 && i < PEER_NCMDS; i++)
		if (strcmp(argv[1], peer_cmds[i].name) == 0)
			cmd = &peer_cmds[i];
	if (cmd == NULL)
		usage();

	memset(&o, 0, sizeof(o));
	o.timeout_text = "60";
	o.timeout_ms = 60000;
	o.conns = cmd->conns;
	o.bytes = cmd->bytes;
	o.maxwrite = 1u << 20;
	opterr = 0;
	while ((ch = getopt(argc - 1, argv + 1, cmd->optstr)) != -1) {
		switch (ch) {
		case 't':
			errno = 0;
			secs = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !(secs >= 0.001 && secs <= 86400))
				peer_errx("-t %s: want seconds, 0.001 to 86400",
				    optarg);
			o.timeout_text = optarg;
			o.timeout_ms = (int64_t)(secs * 1000);
			break;
		case 'c':
			o.conns = parse_size(optarg, "-c", 1, 1000000);
			break;
		case 'b':
			o.bytes = parse_size(optarg, "-b", 0,
			    (uint64_t)1 << 40);
			break;
		case 'm':
			o.maxwrite = parse_size(optarg, "-m", 1, PEER_WINDOW);
			break;
		case 's':
			errno = 0;
			o.seed = strtoull(optarg, &end, 0);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    optarg[0] == '-')
				peer_errx("-s %s: want an unsigned 64-bit "
				    "number", optarg);
			break;
		case 'w':
			o.wait = 1;
			break;
		default:
			fprintf(stderr, "peer: %s: unknown option or missing "
			    "value: -%c\n", cmd->name, optopt);
			usage();
		}
	}
	if (argc - 1 - optind != cmd->nargs)
		usage();

	/* A dead socket then fails the write with EPIPE, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	timer_arm(cmd->name, &o, cmd->own_deadline ? 1000 : 0);
	cmd->run(&o, argv + 1 + optind);
	if (fflush(stdout) == EOF)
		peer_err("stdout");
	return 0;
}
