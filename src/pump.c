/*
 * pump: see pump.h.
 *
 * splice(2) returns EAGAIN both when the source is empty and when the pipe
 * has no free slot (a pipe holds 16 buffers, not 64 KiB of bytes: 16 tiny
 * reads fill it). We know our own queue, so EAGAIN with bytes queued is read
 * as "pipe full": stop reading until the queue drains (HAProxy raw_sock.c
 * reasons the same way).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pump.h"
#include "sys.h"

/* Bytes moved per call before yielding to other connections. */
#define PUMP_BUDGET	(1024 * 1024)
/* A read at least this large means bulk: splice the next one. */
#define SPLICE_MIN	(16 * 1024)
/*
 * The pipe asked for when --pipe-size is not given: 256 KiB, as
 * systemd-socket-proxyd asks. A TCP source fills whatever pipe it is
 * given (its receive queue holds far more than 64 KiB), so the pipe size
 * sets the syscalls per MB: with the kernel's 64 KiB, tcp -> unix took 32
 * splices per MB and twice the CPU; each splice from TCP also sends a
 * window update, whose loopback processing runs in the relay. A unix
 * source gives what it holds, often one 64 KiB write, so unix -> tcp
 * gains only when the relay lags. An empty pipe holds no pages: only the
 * bytes in flight cost memory.
 */
#define PUMP_PIPE_DEFAULT (256 * 1024)
/*
 * A read that fills an empty pipe says the pipe, not the source, set its
 * size: the sink keeps up and more was waiting. Such a flow's pipe grows
 * to 1 MiB (pipe-max-size, what an unprivileged user may ask), as a TCP
 * receive window grows: pinned to one core, tcp -> unix bulk went from
 * about 1,190 to 1,480 MB/s (256 KiB against 1 MiB, 7 interleaved runs).
 * Pooled pipes keep their size.
 */
#define PUMP_PIPE_GROW	(1024 * 1024)
/*
 * A slow reader's flow fills its pipe as well, so growth costs up to
 * 1 MiB a direction on such a connection, the order of one TCP socket's
 * buffers. It stops while the relay's pipes add up to this, half of an
 * unprivileged user's default pipe-user-pages-soft (64 MiB), so that
 * every new flow still gets its full 256 KiB.
 */
#define PUMP_GROW_BUDGET (32 * 1024 * 1024)
/* A bulk flow's tcp source receive buffer (flow_bulk_bufs). */
#define PUMP_SOCKBUF	(2560 * 1024)
/*
 * Empty pipes kept for reuse hold no pages, but each counts its full size
 * against the user's pipe-user-pages-soft (64 MiB by default; over it an
 * unprivileged user gets 8 KiB pipes): keep at most this much, a quarter.
 */
#define PUMP_POOL_BYTES	(16 * 1024 * 1024)

int
pump_pool_init(struct pump_pool *p, int pipe_size, int no_splice)
{
	memset(p, 0, sizeof(*p));
	p->want = pipe_size > 0 ? pipe_size : PUMP_PIPE_DEFAULT;
	p->grow = pipe_size <= 0;
	p->cap = (size_t)p->want;
	if (p->cap > PUMP_SCRATCH)
		p->cap = PUMP_SCRATCH;
	p->no_splice = no_splice;
	/* The scratch buffer holds a whole read of any flow. */
	if ((p->scratch = malloc(PUMP_SCRATCH)) == NULL)
		return -ENOMEM;
	return 0;
}

void
pump_pool_free(struct pump_pool *p)
{
	while (p->n > 0) {
		p->n--;
		close(p->pipes[p->n].fd[0]);
		close(p->pipes[p->n].fd[1]);
		p->pipe_bytes -= p->pipes[p->n].psize;
	}
	free(p->scratch);
	p->scratch = NULL;
}

void
flow_init(struct flow *f)
{
	memset(f, 0, sizeof(*f));
	f->pipe[0] = f->pipe[1] = -1;
}

/*
 * Is f holding copied bytes after a bulk read, on ends that splice? Then
 * it reads nothing more until they are written: reading on behind them
 * would keep a fast stream copying for good (the buffer never empties
 * while the source keeps up), where the next read should splice.
 */
static int
flow_draining(const struct flow *f)
{
	return f->queued > 0 && !f->spliced && !f->no_splice &&
	    f->last_in >= SPLICE_MIN;
}

/* Room left in what f holds, or in a buffer it would get. */
static size_t
flow_room(const struct flow *f, const struct pump_pool *p)
{
	return (f->cap > 0 ? f->cap : p->cap) - f->queued;
}

/* Get a pipe for f from the pool or the kernel. Returns 0 or -errno. */
static int
flow_get_pipe(struct flow *f, struct pump_pool *p)
{
	int got;

	if (p->n > 0) {
		p->n--;
		f->pipe[0] = p->pipes[p->n].fd[0];
		f->pipe[1] = p->pipes[p->n].fd[1];
		f->cap = p->pipes[p->n].size;
		f->psize = p->pipes[p->n].psize;
		return 0;
	}
	if ((got = sys_pipe(f->pipe, p->want)) < 0)
		return got;
	f->psize = (size_t)got;
	p->pipe_bytes += f->psize;
	/* The kernel may grant less than asked (pipe-user-pages-soft):
	 * this flow then queues no more than its pipe holds. */
	f->cap = (size_t)got < p->cap ? (size_t)got : p->cap;
	return 0;
}

/* Give back f's pipe (to the pool if empty, full-sized and the pool has
 * room: PUMP_POOL_MAX pipes, PUMP_POOL_BYTES) and buffer. */
void
flow_release(struct flow *f, struct pump_pool *p)
{
	if (f->pipe[0] != -1) {
		if (f->queued == 0 && f->cap >= p->cap && p->n < PUMP_POOL_MAX &&
		    ((size_t)p->n + 1) * f->cap <= PUMP_POOL_BYTES) {
			p->pipes[p->n].fd[0] = f->pipe[0];
			p->pipes[p->n].fd[1] = f->pipe[1];
			p->pipes[p->n].size = f->cap;
			p->pipes[p->n].psize = f->psize;
			p->n++;
		} else {
			close(f->pipe[0]);
			close(f->pipe[1]);
			p->pipe_bytes -= f->psize;
		}
		f->psize = 0;
		f->pipe[0] = f->pipe[1] = -1;
	}
	free(f->buf);
	f->buf = NULL;
	f->cap = 0;
	f->off = 0;
	f->queued = 0;
	f->full = 0;
	f->spliced = 0;
}

/*
 * Splice failed with EINVAL: this pair of ends cannot splice. Move bytes
 * already in the pipe to a buffer that holds them all and copy from now
 * on. Returns 0 or -errno.
 */
static int
flow_no_splice(struct flow *f, struct pump_pool *p)
{
	f->no_splice = 1;
	if (f->queued > 0) {
		size_t size = f->queued > p->cap ? f->queued : p->cap;

		if ((f->buf = malloc(size)) == NULL)
			return -ENOMEM;
		if (read(f->pipe[0], f->buf, f->queued) != (ssize_t)f->queued) {
			free(f->buf);
			f->buf = NULL;
			return -EIO;
		}
		f->off = 0;
		f->cap = size;
	} else
		f->cap = 0;
	close(f->pipe[0]);
	close(f->pipe[1]);
	p->pipe_bytes -= f->psize;
	f->psize = 0;
	f->pipe[0] = f->pipe[1] = -1;
	f->spliced = 0;
	f->full = 0;
	return 0;
}

/* Write queued bytes to dst. Returns bytes written or -errno. */
static long
flow_out(struct flow *f, struct pump_pool *p, struct end *dst)
{
	ssize_t n;

	if (f->spliced) {
		n = dst->ops->splice_out(dst, f->pipe[0], f->queued);
		if (n == -EINVAL) {
			int rc = flow_no_splice(f, p);

			return rc < 0 ? rc : flow_out(f, p, dst);
		}
	} else
		n = dst->ops->write(dst, f->buf + f->off, f->queued);
	if (n < 0)
		return n;
	f->queued -= (size_t)n;
	f->off += (size_t)n;
	f->bytes += (uint64_t)n;
	f->full = 0;
	if (f->queued == 0)
		flow_release(f, p);
	return n;
}

/*
 * A flow that grew its pipe is bulk: give its sockets room too, as
 * socket-proxyd does for every connection (2.5 MiB each way). A tcp
 * source's receive buffer, left to autotuning, stayed small enough here
 * that unpinned tcp -> unix bulk ran at about 1,400 MB/s against
 * socket-proxyd's 1,700; with 2.5 MiB, about 2,250 (7 interleaved runs).
 * A unix sink then queues a whole pipe. Only raised, never lowered.
 */
static void
flow_bulk_bufs(struct end *src, struct end *dst)
{
	(void)sys_tcp_rcvbuf(src->rfd, PUMP_SOCKBUF);
	(void)sys_unix_sndbuf(dst->wfd, PUMP_PIPE_GROW);
}

/*
 * Read into the pipe. Returns bytes read, 0 at EOF, or -errno. -EINVAL
 * means f has switched to copying (bytes queued in the pipe, if any, now
 * in f->buf) and nothing was read: the caller reads again by copying.
 */
static long
flow_in_splice(struct flow *f, struct pump_pool *p, struct end *src)
{
	size_t room;
	ssize_t n;
	int rc;

	if (f->pipe[0] == -1 && (rc = flow_get_pipe(f, p)) < 0) {
		/* Out of fds or pipe memory: copy this time. */
		return rc;
	}
	room = flow_room(f, p);
	n = src->ops->splice_in(src, f->pipe[1], room);
	if (n > 0 && (size_t)n == room && f->queued == 0 && p->grow &&
	    f->psize < PUMP_PIPE_GROW && p->pipe_bytes - f->psize +
	    PUMP_PIPE_GROW <= PUMP_GROW_BUDGET &&
	    (rc = sys_pipe_grow(f->pipe[1], PUMP_PIPE_GROW)) > 0) {
		p->pipe_bytes += (size_t)rc - f->psize;
		f->psize = (size_t)rc;
		f->cap = (size_t)rc < PUMP_SCRATCH ? (size_t)rc : PUMP_SCRATCH;
	}
	if (n == -EINVAL) {
		if ((rc = flow_no_splice(f, p)) < 0)
			return rc;
		return -EINVAL;
	}
	if (n == -EAGAIN && f->queued > 0)
		f->full = 1;
	if (n > 0) {
		f->queued += (size_t)n;
		f->spliced = 1;
	} else if (f->queued == 0)
		flow_release(f, p);
	return n;
}

/*
 * Read into the scratch buffer and write straight on: a small message
 * costs a read and a write and leaves nothing held. What the sink does not
 * take is kept in f->buf. Returns bytes read, 0 at EOF, or -errno;
 * *wrote gets bytes written, or -errno from the sink.
 */
static long
flow_in_copy(struct flow *f, struct pump_pool *p, struct end *src,
    struct end *dst, long *wrote)
{
	ssize_t n, w;

	*wrote = 0;
	if ((n = src->ops->read(src, p->scratch, p->cap)) <= 0)
		return n;
	if ((w = dst->ops->write(dst, p->scratch, (size_t)n)) < 0) {
		if (w != -EAGAIN && w != -EINTR) {
			*wrote = w;
			return n;
		}
		w = 0;
	}
	*wrote = w;
	f->bytes += (uint64_t)w;
	if (w < n) {
		if ((f->buf = malloc(p->cap)) == NULL) {
			*wrote = -ENOMEM;
			return n;
		}
		memcpy(f->buf, p->scratch + w, (size_t)(n - w));
		f->cap = p->cap;
		f->off = 0;
		f->queued = (size_t)(n - w);
	}
	return n;
}

/* Read more behind bytes already buffered (copy mode, slow sink). */
static long
flow_in_buf(struct flow *f, struct pump_pool *p, struct end *src)
{
	ssize_t n;

	if (f->off > 0) {
		memmove(f->buf, f->buf + f->off, f->queued);
		f->off = 0;
	}
	if ((n = src->ops->read(src, f->buf + f->queued, flow_room(f, p))) < 0)
		return n;
	f->queued += (size_t)n;
	return n;
}

long
flow_pump(struct flow *f, struct pump_pool *p, struct end *src,
    struct end *dst)
{
	long moved = 0, n, wrote;
	int progress = 1, drained = 0;

	if (p->no_splice || !end_can_splice(src) || !end_can_splice(dst))
		f->no_splice = 1;
	/* Alternate writing what is queued and reading more, until neither
	 * side moves, a read comes back short (the source is drained: the
	 * poller says when there is more), or the budget is spent. EAGAIN
	 * with the pipe not full also means drained: the sink is written
	 * once more, the source not read again in this call (that would
	 * cost a second EAGAIN a burst). */
	while (progress && moved < PUMP_BUDGET) {
		size_t room;

		progress = 0;
		if (f->queued > 0) {
			n = flow_out(f, p, dst);
			if (n < 0 && n != -EAGAIN && n != -EINTR) {
				f->err_at = FLOW_AT_DST;
				return n;
			}
			if (n > 0) {
				moved += n;
				progress = 1;
			}
		}
		if (drained || !flow_wants_read(f, p))
			break;
		room = flow_room(f, p);
		wrote = 0;
		if (f->queued > 0 && !f->spliced)
			n = flow_in_buf(f, p, src);
		else if (f->queued > 0 ||
		    (!f->no_splice && f->last_in >= SPLICE_MIN)) {
			n = flow_in_splice(f, p, src);
			if (n > 0 && f->psize >= PUMP_PIPE_GROW && !f->bufs) {
				f->bufs = 1;
				flow_bulk_bufs(src, dst);
			}
			if (n == -EINVAL && f->no_splice) {
				/* Switched to copying, queue kept: go on. */
				progress = 1;
				continue;
			}
			if (n == -EMFILE || n == -ENFILE || n == -ENOMEM)
				n = flow_in_copy(f, p, src, dst, &wrote);
		} else
			n = flow_in_copy(f, p, src, dst, &wrote);
		if (wrote < 0) {
			f->err_at = FLOW_AT_DST;
			return wrote;
		}
		moved += wrote;
		if (n < 0 && n != -EAGAIN && n != -EINTR) {
			f->err_at = FLOW_AT_SRC;
			return n;
		}
		if (n == 0) {
			f->state = FLOW_EOF;
			progress = f->queued > 0;
		} else if (n > 0) {
			f->last_in = (size_t)n;
			/* A short read drained the source for now. */
			progress = (size_t)n == room;
			if (f->queued > 0 && !progress)
				progress = 1;	/* try the sink again */
		} else if (n == -EAGAIN && !f->full)
			drained = 1;
	}
	if (f->state == FLOW_EOF && f->queued == 0) {
		flow_release(f, p);
		f->state = FLOW_DRAINED;
	}
	return moved;
}

int
flow_wants_read(const struct flow *f, const struct pump_pool *p)
{
	return f->state == FLOW_OPEN && !f->full && flow_room(f, p) > 0 &&
	    !flow_draining(f);
}

int
flow_wants_write(const struct flow *f)
{
	return f->queued > 0;
}
