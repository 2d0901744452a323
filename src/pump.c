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

int
pump_pool_init(struct pump_pool *p, int pipe_size, int no_splice)
{
	memset(p, 0, sizeof(*p));
	p->want = pipe_size;
	p->size = pipe_size > 0 ? pipe_size : 65536;
	if (p->size > PUMP_SCRATCH)
		p->size = PUMP_SCRATCH;
	p->cap = (size_t)p->size;
	p->no_splice = no_splice;
	/* The scratch buffer must hold what a pipe may: sized for the
	 * largest pipe we could be granted. */
	if ((p->scratch = malloc(PUMP_SCRATCH)) == NULL)
		return -ENOMEM;
	return 0;
}

void
pump_pool_free(struct pump_pool *p)
{
	while (p->n > 0) {
		p->n--;
		close(p->pipes[p->n][0]);
		close(p->pipes[p->n][1]);
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

/* Get a pipe for f from the pool or the kernel. Returns 0 or -errno. */
static int
flow_get_pipe(struct flow *f, struct pump_pool *p)
{
	int got;

	if (p->n > 0) {
		p->n--;
		f->pipe[0] = p->pipes[p->n][0];
		f->pipe[1] = p->pipes[p->n][1];
		return 0;
	}
	if ((got = sys_pipe(f->pipe, p->want)) < 0)
		return got;
	p->pipes_made++;
	/* All flows share one cap, which only ever shrinks (buffers of the
	 * old size stay valid): the smallest size the kernel granted. */
	if ((size_t)got < p->cap) {
		p->size = got;
		p->cap = (size_t)got;
	}
	return 0;
}

/* Give back f's pipe (to the pool if empty) and buffer. */
void
flow_release(struct flow *f, struct pump_pool *p)
{
	if (f->pipe[0] != -1) {
		if (f->queued == 0 && p->n < PUMP_POOL_MAX) {
			p->pipes[p->n][0] = f->pipe[0];
			p->pipes[p->n][1] = f->pipe[1];
			p->n++;
		} else {
			close(f->pipe[0]);
			close(f->pipe[1]);
		}
		f->pipe[0] = f->pipe[1] = -1;
	}
	free(f->buf);
	f->buf = NULL;
	f->off = 0;
	f->queued = 0;
	f->full = 0;
	f->spliced = 0;
}

/*
 * Splice failed with EINVAL: this pair of fds cannot splice. Move bytes
 * already in the pipe to a buffer and copy from now on. Returns 0 or
 * -errno.
 */
static int
flow_no_splice(struct flow *f, struct pump_pool *p)
{
	f->no_splice = 1;
	if (f->queued > 0) {
		if ((f->buf = malloc(p->cap)) == NULL)
			return -ENOMEM;
		if (read(f->pipe[0], f->buf, f->queued) != (ssize_t)f->queued) {
			free(f->buf);
			f->buf = NULL;
			return -EIO;
		}
		f->off = 0;
	}
	close(f->pipe[0]);
	close(f->pipe[1]);
	f->pipe[0] = f->pipe[1] = -1;
	f->spliced = 0;
	return 0;
}

/* Write queued bytes to dst. Returns bytes written or -errno. */
static long
flow_out(struct flow *f, struct pump_pool *p, int dst)
{
	ssize_t n;

	if (f->spliced) {
		n = sys_splice_out(f->pipe[0], dst, f->queued);
		if (n == -EINVAL) {
			int rc = flow_no_splice(f, p);

			return rc < 0 ? rc : flow_out(f, p, dst);
		}
	} else if ((n = write(dst, f->buf + f->off, f->queued)) == -1)
		n = -errno;
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
 * Read into the pipe. Returns bytes read, 0 at EOF, or -errno (-EINVAL
 * after switching f to copying: the caller reads again).
 */
static long
flow_in_splice(struct flow *f, struct pump_pool *p, int src)
{
	ssize_t n;
	int rc;

	if (f->pipe[0] == -1 && (rc = flow_get_pipe(f, p)) < 0) {
		/* Out of fds or pipe memory: copy this time. */
		return rc;
	}
	n = sys_splice_in(src, f->pipe[1], p->cap - f->queued);
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
flow_in_copy(struct flow *f, struct pump_pool *p, int src, int dst,
    long *wrote)
{
	ssize_t n, w;

	*wrote = 0;
	if ((n = read(src, p->scratch, p->cap)) <= 0)
		return n == 0 ? 0 : -errno;
	if ((w = write(dst, p->scratch, (size_t)n)) == -1) {
		if (errno != EAGAIN && errno != EINTR) {
			*wrote = -errno;
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
		f->off = 0;
		f->queued = (size_t)(n - w);
	}
	return n;
}

/* Read more behind bytes already buffered (copy mode, slow sink). */
static long
flow_in_buf(struct flow *f, struct pump_pool *p, int src)
{
	ssize_t n;

	if (f->off > 0) {
		memmove(f->buf, f->buf + f->off, f->queued);
		f->off = 0;
	}
	if ((n = read(src, f->buf + f->queued, p->cap - f->queued)) == -1)
		return -errno;
	f->queued += (size_t)n;
	return n;
}

long
flow_pump(struct flow *f, struct pump_pool *p, int src, int dst)
{
	long moved = 0, n, wrote;
	int progress = 1;

	if (p->no_splice)
		f->no_splice = 1;
	/* Alternate writing what is queued and reading more, until neither
	 * side moves, a read comes back short (the source is drained: the
	 * poller says when there is more), or the budget is spent. */
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
		if (!flow_wants_read(f, p))
			break;
		room = p->cap - f->queued;
		wrote = 0;
		if (f->queued > 0)
			n = f->spliced ? flow_in_splice(f, p, src) :
			    flow_in_buf(f, p, src);
		else if (!f->no_splice && f->last_in >= SPLICE_MIN) {
			n = flow_in_splice(f, p, src);
			if (n == -EINVAL || n == -EMFILE || n == -ENFILE ||
			    n == -ENOMEM)
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
		}
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
	return f->state == FLOW_OPEN && !f->full && f->queued < p->cap;
}

int
flow_wants_write(const struct flow *f)
{
	return f->queued > 0;
}
