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

void
pump_pool_init(struct pump_pool *p, int pipe_size, int no_splice)
{
	memset(p, 0, sizeof(*p));
	p->want = pipe_size;
	p->size = pipe_size > 0 ? pipe_size : 65536;
	p->cap = (size_t)p->size;
	p->no_splice = no_splice;
}

void
pump_pool_free(struct pump_pool *p)
{
	while (p->n > 0) {
		p->n--;
		close(p->pipes[p->n][0]);
		close(p->pipes[p->n][1]);
	}
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
	/* All pipes share one size: the smallest the kernel granted. */
	if ((size_t)got < p->cap || p->pipes_made == 1) {
		p->size = got;
		p->cap = (size_t)got;
	}
	return 0;
}

/* Give back f's empty pipe or buffer. */
static void
flow_put(struct flow *f, struct pump_pool *p)
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
}

void
flow_release(struct flow *f, struct pump_pool *p)
{
	flow_put(f, p);
}

/*
 * Switch f from splicing to copying, keeping bytes already in its pipe.
 * Returns 0 or -errno.
 */
static int
flow_to_copy(struct flow *f, struct pump_pool *p)
{
	f->copy = 1;
	if (f->pipe[0] == -1)
		return 0;
	if (f->queued > 0) {
		ssize_t n;

		if ((f->buf = malloc(p->cap)) == NULL)
			return -ENOMEM;
		n = read(f->pipe[0], f->buf, f->queued);
		if (n != (ssize_t)f->queued) {
			free(f->buf);
			f->buf = NULL;
			return -EIO;
		}
		f->off = 0;
	}
	close(f->pipe[0]);
	close(f->pipe[1]);
	f->pipe[0] = f->pipe[1] = -1;
	return 0;
}

/* Write queued bytes to dst. Returns bytes written, 0 or -errno. */
static long
flow_out(struct flow *f, struct pump_pool *p, int dst)
{
	ssize_t n;

	if (f->copy) {
		n = write(dst, f->buf + f->off, f->queued);
		if (n == -1)
			n = -errno;
	} else {
		n = sys_splice_out(f->pipe[0], dst, f->queued);
		if (n == -EINVAL) {
			int rc = flow_to_copy(f, p);

			return rc < 0 ? rc : flow_out(f, p, dst);
		}
	}
	if (n < 0)
		return n;
	f->queued -= (size_t)n;
	f->off += (size_t)n;
	f->bytes += (uint64_t)n;
	f->full = 0;
	if (f->queued == 0)
		flow_put(f, p);
	return n;
}

/* Read from src into the queue. Returns bytes read, 0 at EOF, or -errno. */
static long
flow_in(struct flow *f, struct pump_pool *p, int src)
{
	size_t room = p->cap - f->queued;
	ssize_t n;
	int rc;

	if (!f->copy) {
		if (f->pipe[0] == -1 && (rc = flow_get_pipe(f, p)) < 0) {
			/* Out of fds or pipe memory: copy instead. */
			if ((rc = flow_to_copy(f, p)) < 0)
				return rc;
			return flow_in(f, p, src);
		}
		room = p->cap - f->queued;
		n = sys_splice_in(src, f->pipe[1], room);
		if (n == -EINVAL) {
			if ((rc = flow_to_copy(f, p)) < 0)
				return rc;
			return flow_in(f, p, src);
		}
		if (n == -EAGAIN && f->queued > 0)
			f->full = 1;
	} else {
		if (f->buf == NULL) {
			if ((f->buf = malloc(p->cap)) == NULL)
				return -ENOMEM;
			f->off = 0;
		} else if (f->off > 0) {
			memmove(f->buf, f->buf + f->off, f->queued);
			f->off = 0;
		}
		n = read(src, f->buf + f->queued, room);
		if (n == -1)
			n = -errno;
	}
	if (n > 0)
		f->queued += (size_t)n;
	else if (n == -EAGAIN && f->queued == 0)
		flow_put(f, p);
	return n;
}

long
flow_pump(struct flow *f, struct pump_pool *p, int src, int dst)
{
	long moved = 0, n;
	int progress = 1;

	if (p->no_splice)
		f->copy = 1;
	/* Alternate writing what is queued and reading more, until neither
	 * side moves or the budget is spent. */
	while (progress && moved < PUMP_BUDGET) {
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
		if (flow_wants_read(f, p)) {
			n = flow_in(f, p, src);
			if (n < 0 && n != -EAGAIN && n != -EINTR) {
				f->err_at = FLOW_AT_SRC;
				return n;
			}
			if (n == 0) {
				f->state = FLOW_EOF;
				progress = f->queued > 0;
			} else if (n > 0)
				progress = 1;
		}
	}
	if (f->state == FLOW_EOF && f->queued == 0) {
		flow_put(f, p);
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
