/*
 * Unit tests for src/pump.c, the flow of bytes from one end to another,
 * over real socketpairs and pipes:
 *   - EAGAIN from splice with bytes queued means "pipe full": the flow
 *     stops reading until the queue drains;
 *   - end of file leads to FLOW_EOF while bytes are queued, then to
 *     FLOW_DRAINED with nothing held, and the shut end gives its peer EOF;
 *   - splice refused (EINVAL) in mid-stream, on the way in or out, loses
 *     no byte and keeps the order;
 *   - backpressure: a sink that does not read stops the reads at the cap,
 *     copying or splicing;
 *   - a pipe granted smaller than asked limits only its own flow, never
 *     holds more than it can, and does not shrink later flows;
 *   - a bulk read that was copied and only partly written is written out
 *     before the flow reads on, and the next read splices;
 *   - the pool of empty pipes keeps at most 16 MiB of them.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "end.h"
#include "pump.h"
#include "sys.h"

#define CAP		65536

/* A nonblocking unix stream socketpair. */
static void
mkpair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv), 0);
}

/* Write until the socket buffer is full. Returns the bytes written. */
static size_t
fill(int fd)
{
	static char junk[4096];
	size_t total = 0;
	ssize_t n;

	while ((n = write(fd, junk, sizeof(junk))) > 0)
		total += (size_t)n;
	assert_true(n == -1 && errno == EAGAIN);
	return total;
}

/* Read and drop whatever fd holds now. Returns how much. */
static size_t
drain(int fd)
{
	char buf[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += (size_t)n;
	return total;
}

/* Pattern byte i of a stream: checks order as well as content. */
static unsigned char
pat(uint64_t i)
{
	return (unsigned char)((i * 7 + (i >> 13)) & 0xff);
}

/* Write pattern bytes [*off, end) to fd, as many as it takes now. */
static void
feed(int fd, uint64_t *off, uint64_t end)
{
	unsigned char buf[8192];

	while (*off < end) {
		size_t len = end - *off < sizeof(buf) ? (size_t)(end - *off) :
		    sizeof(buf);
		ssize_t n;

		for (size_t k = 0; k < len; k++)
			buf[k] = pat(*off + k);
		if ((n = write(fd, buf, len)) <= 0)
			return;
		*off += (uint64_t)n;
	}
}

/* Read what fd holds and check it continues the pattern at *off. */
static void
check(int fd, uint64_t *off)
{
	unsigned char buf[8192];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t k = 0; k < n; k++)
			if (buf[k] != pat(*off + (uint64_t)k))
				fail_msg("byte %llu: got %u, want %u",
				    (unsigned long long)(*off + (uint64_t)k),
				    buf[k], pat(*off + (uint64_t)k));
		*off += (uint64_t)n;
	}
}

/*
 * Ends whose splice operations refuse with EINVAL once a countdown runs
 * out, as splice does for an fd that cannot splice: the only way to get
 * the fallback in mid-stream on demand.
 */
static int einval_in_after = -1, einval_out_after = -1;

static ssize_t
flaky_splice_in(struct end *e, int pipe_w, size_t len)
{
	if (einval_in_after == 0)
		return -EINVAL;
	if (einval_in_after > 0)
		einval_in_after--;
	return end_socket_ops.splice_in(e, pipe_w, len);
}

static ssize_t
flaky_splice_out(struct end *e, int pipe_r, size_t len)
{
	if (einval_out_after == 0)
		return -EINVAL;
	if (einval_out_after > 0)
		einval_out_after--;
	return end_socket_ops.splice_out(e, pipe_r, len);
}

static struct end_ops flaky_ops;

static void
flaky(struct end *e, int fd)
{
	flaky_ops = end_socket_ops;
	flaky_ops.kind = "flaky";
	flaky_ops.splice_in = flaky_splice_in;
	flaky_ops.splice_out = flaky_splice_out;
	e->ops = &flaky_ops;
	e->rfd = e->wfd = fd;
}

/* Does this build splice from a socket into a pipe? (A portable build
 * has no splice: the flows copy, and the splice-only rules do not apply.) */
static int
splice_works(void)
{
	int sv[2], p[2];
	ssize_t n;

	mkpair(sv);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(sv[0], "s", 1), 1);
	n = sys_splice_in(sv[1], p[1], 1);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
	return n == 1;
}

/* What every test holds: source pair (peer writes sv[0], flow reads
 * sv[1]), sink pair (flow writes dv[0], peer reads dv[1]). */
struct rig {
	int		 sv[2], dv[2];
	struct end	 src, dst;
	struct pump_pool pool;
	struct flow	 f;
};

static void
rig_up(struct rig *g, int no_splice)
{
	mkpair(g->sv);
	mkpair(g->dv);
	end_socket(&g->src, g->sv[1]);
	end_socket(&g->dst, g->dv[0]);
	assert_int_equal(pump_pool_init(&g->pool, CAP, no_splice), 0);
	flow_init(&g->f);
	einval_in_after = einval_out_after = -1;
}

static void
rig_down(struct rig *g)
{
	flow_release(&g->f, &g->pool);
	pump_pool_free(&g->pool);
	end_close(&g->src);
	end_close(&g->dst);
	close(g->sv[0]);
	close(g->dv[1]);
}

/* The invariant of every flow: never more queued than what it holds. */
static void
assert_within(const struct flow *f, const struct pump_pool *p)
{
	assert_true(f->queued <= (f->cap > 0 ? f->cap : p->cap));
	if (f->queued > 0)
		assert_true(f->cap >= f->queued);
}

/* Put f in splice mode: one bulk read copied straight through. */
static void
go_bulk(struct rig *g)
{
	uint64_t off = 0, got = 0;

	feed(g->sv[0], &off, 32768);
	assert_int_equal(flow_pump(&g->f, &g->pool, &g->src, &g->dst), 32768);
	check(g->dv[1], &got);
	assert_int_equal(got, 32768);
	assert_int_equal(g->f.queued, 0);
}

/* EAGAIN from splice with bytes queued: the pipe is full (16 slots, one
 * per tiny message), so the flow stops reading; not "source empty". */
static void
test_eagain_means_pipe_full(void **state)
{
	struct rig g;
	int sent = 0;

	(void)state;
	if (!splice_works())
		skip();
	rig_up(&g, 0);
	go_bulk(&g);
	fill(g.dv[0]);			/* the sink takes nothing more */
	for (int i = 0; i < 40; i++)
		sent += write(g.sv[0], "x", 1) == 1;
	assert_int_equal(sent, 40);
	assert_int_equal(flow_pump(&g.f, &g.pool, &g.src, &g.dst), 0);
	assert_true(g.f.spliced);
	assert_true(g.f.queued > 0 && g.f.queued < 40);
	assert_true(g.f.full);
	assert_false(flow_wants_read(&g.f, &g.pool));
	assert_true(flow_wants_write(&g.f));
	/* Once the sink drains, the pipe empties and reading resumes. */
	drain(g.dv[1]);
	(void)flow_pump(&g.f, &g.pool, &g.src, &g.dst);
	assert_false(g.f.full);
	rig_down(&g);
}

/* EOF with bytes stuck: FLOW_EOF; once written: FLOW_DRAINED, nothing
 * held; shutting the sink gives its peer every byte, then EOF. */
static void
test_eof_drained(void **state)
{
	struct rig g;
	uint64_t off = 0, got = 0;
	size_t stuck;
	char c;

	(void)state;
	rig_up(&g, 0);
	stuck = fill(g.dv[0]);
	feed(g.sv[0], &off, 5000);
	shutdown(g.sv[0], SHUT_WR);
	assert_int_equal(flow_pump(&g.f, &g.pool, &g.src, &g.dst), 0);
	assert_int_equal(g.f.state, FLOW_EOF);
	assert_int_equal(g.f.queued, 5000);
	assert_false(flow_wants_read(&g.f, &g.pool));
	assert_true(flow_wants_write(&g.f));
	assert_int_equal(drain(g.dv[1]), stuck);
	assert_int_equal(flow_pump(&g.f, &g.pool, &g.src, &g.dst), 5000);
	assert_int_equal(g.f.state, FLOW_DRAINED);
	assert_int_equal(g.f.queued, 0);
	assert_null(g.f.buf);
	assert_int_equal(g.f.pipe[0], -1);
	assert_int_equal(end_shut_write(&g.dst), 0);
	check(g.dv[1], &got);
	assert_int_equal(got, 5000);
	assert_int_equal(read(g.dv[1], &c, 1), 0);
	rig_down(&g);
}

/* Move len pattern bytes through a rig whose sink reader is slow, so
 * bytes queue (in the pipe) when splice is refused. Checks every byte. */
static void
stream_through(struct rig *g, uint64_t len)
{
	uint64_t off = 0, got = 0;
	int rounds = 0;

	while (got < len) {
		long n;

		feed(g->sv[0], &off, len);
		n = flow_pump(&g->f, &g->pool, &g->src, &g->dst);
		if (n < 0)
			fail_msg("flow_pump: %s (at %s)", strerror((int)-n),
			    g->f.err_at == FLOW_AT_SRC ? "source" : "sink");
		assert_within(&g->f, &g->pool);
		/* A slow reader: every other round only. */
		if (rounds++ % 2 == 1)
			check(g->dv[1], &got);
		assert_true(rounds < 100000);
	}
	assert_int_equal(got, len);
	assert_int_equal(g->f.bytes, len);
}

/* splice refused on the way in while bytes sit in the pipe: they move to
 * a buffer and the flow copies on, every byte in order. */
static void
test_einval_in_midstream(void **state)
{
	struct rig g;

	(void)state;
	rig_up(&g, 0);
	go_bulk(&g);
	g.f.bytes = 0;
	flaky(&g.src, g.sv[1]);
	einval_in_after = 3;
	stream_through(&g, 4 << 20);
	assert_true(g.f.no_splice);
	rig_down(&g);
}

/* The same, refused on the way out. */
static void
test_einval_out_midstream(void **state)
{
	struct rig g;

	(void)state;
	rig_up(&g, 0);
	go_bulk(&g);
	g.f.bytes = 0;
	flaky(&g.dst, g.dv[0]);
	einval_out_after = 2;
	stream_through(&g, 4 << 20);
	assert_true(g.f.no_splice);
	rig_down(&g);
}

/* A sink that reads nothing: the flow stops reading at its cap and the
 * rest stays in the source's socket buffer. */
static void
backpressure(int no_splice)
{
	struct rig g;
	uint64_t off = 0;
	size_t left;

	rig_up(&g, no_splice);
	if (!no_splice)
		go_bulk(&g);
	fill(g.dv[0]);
	feed(g.sv[0], &off, 1 << 20);
	for (int i = 0; i < 10; i++) {
		(void)flow_pump(&g.f, &g.pool, &g.src, &g.dst);
		assert_within(&g.f, &g.pool);
	}
	assert_false(flow_wants_read(&g.f, &g.pool));
	assert_true(flow_wants_write(&g.f));
	assert_int_equal(g.f.state, FLOW_OPEN);
	assert_true(g.f.queued > 0 && g.f.queued <= CAP);
	/* What the flow did not take is still in the source. */
	left = drain(g.sv[1]);
	assert_true(left > 0);
	assert_int_equal(g.f.queued + left, off);
	rig_down(&g);
}

static void
test_backpressure_copy(void **state)
{
	(void)state;
	backpressure(1);
}

static void
test_backpressure_splice(void **state)
{
	(void)state;
	backpressure(0);
}

/*
 * The kernel grants one flow a small pipe (over pipe-user-pages-soft;
 * simulated here by asking for one): that flow queues no more than its
 * pipe holds, and the shared cap stays. Another flow, with a full-sized
 * pipe and a full queue, then falls back to copying: its buffer must hold
 * the whole queue (no overrun, ASan would say) and every byte arrives in
 * order. The small pipe is not pooled for later flows.
 */
static void
test_small_pipe(void **state)
{
	struct rig a, b;
	uint64_t off = 32768, got = 32768, boff = 0;
	int rounds = 0;

	(void)state;
	if (!splice_works())
		skip();
	rig_up(&a, 0);
	rig_up(&b, 0);
	go_bulk(&a);
	flaky(&a.dst, a.dv[0]);
	fill(a.dv[0]);
	feed(a.sv[0], &off, 1 << 20);
	for (int i = 0; i < 4; i++)
		(void)flow_pump(&a.f, &a.pool, &a.src, &a.dst);
	assert_true(a.f.spliced);
	assert_true(a.f.queued > 4096);

	/* Flow b, on a's pool, gets a 4 KiB pipe. */
	a.pool.want = 4096;
	b.f.last_in = 32768;
	fill(b.dv[0]);
	feed(b.sv[0], &boff, 100000);
	for (int i = 0; i < 4; i++) {
		(void)flow_pump(&b.f, &a.pool, &b.src, &b.dst);
		assert_within(&b.f, &a.pool);
	}
	assert_true(b.f.spliced);
	assert_true(b.f.queued > 0 && b.f.queued <= 4096);
	a.pool.want = CAP;
	assert_int_equal(a.pool.cap, CAP);

	/* Flow a copies from now on, its full queue first. */
	einval_out_after = 0;
	drain(a.dv[1]);			/* fill()'s junk */
	while (got < off || off < (1 << 20)) {
		long n;

		feed(a.sv[0], &off, 1 << 20);
		n = flow_pump(&a.f, &a.pool, &a.src, &a.dst);
		if (n < 0)
			fail_msg("flow_pump: %s", strerror((int)-n));
		assert_within(&a.f, &a.pool);
		check(a.dv[1], &got);
		assert_true(rounds++ < 100000);
	}
	assert_int_equal(got, 1 << 20);
	assert_true(a.f.no_splice);

	/* b's small pipe, once empty, goes back to the kernel, not to the
	 * pool. */
	drain(b.dv[1]);
	(void)flow_pump(&b.f, &a.pool, &b.src, &b.dst);
	while (b.f.queued > 0) {
		drain(b.dv[1]);
		assert_true(flow_pump(&b.f, &a.pool, &b.src, &b.dst) >= 0);
		assert_true(rounds++ < 200000);
	}
	for (int i = 0; i < a.pool.n; i++)
		assert_true(a.pool.pipes[i].size >= CAP);
	rig_down(&b);
	rig_down(&a);
}

/* Read and drop exactly n bytes that fd holds now. */
static void
skip_bytes(int fd, size_t n)
{
	char buf[4096];

	while (n > 0) {
		ssize_t k = read(fd, buf, n < sizeof(buf) ? n : sizeof(buf));

		assert_true(k > 0);
		n -= (size_t)k;
	}
}

/*
 * The first read of a flow copies. When it was a bulk read and the sink
 * took only part of it, the flow reads nothing more until the rest is
 * written (reading on behind it would keep a fast stream copying for
 * good), then splices. Every byte arrives, in order.
 */
static void
test_bulk_copy_drains_then_splices(void **state)
{
	struct rig g;
	uint64_t off = 0, got = 0;
	size_t stuck;
	int rounds = 0;

	(void)state;
	if (!splice_works())
		skip();
	rig_up(&g, 0);
	stuck = fill(g.dv[0]);
	skip_bytes(g.dv[1], 16384);	/* room for a part of one read */
	feed(g.sv[0], &off, CAP + 32768);
	assert_int_equal(off, CAP + 32768);
	(void)flow_pump(&g.f, &g.pool, &g.src, &g.dst);
	assert_false(g.f.spliced);
	assert_true(g.f.queued > 0 && g.f.queued < CAP);
	assert_false(flow_wants_read(&g.f, &g.pool));
	assert_true(flow_wants_write(&g.f));
	skip_bytes(g.dv[1], stuck - 16384);
	while (got < off) {
		assert_true(++rounds < 100);
		assert_true(flow_pump(&g.f, &g.pool, &g.src, &g.dst) >= 0);
		assert_within(&g.f, &g.pool);
		check(g.dv[1], &got);
	}
	/* The rest went through a pipe, now back in the pool. */
	assert_int_equal(g.pool.n, 1);
	assert_int_equal(g.f.queued, 0);
	assert_null(g.f.buf);
	rig_down(&g);
}

/* Empty pipes go back to the pool until it holds 16 MiB of them (what
 * they count against pipe-user-pages-soft), then back to the kernel. */
static void
test_pool_bytes(void **state)
{
	struct pump_pool pool;
	struct flow f;
	int pooled = 0;

	(void)state;
	assert_int_equal(pump_pool_init(&pool, 1 << 20, 0), 0);
	for (int i = 0; i < 20; i++) {
		int got;

		flow_init(&f);
		got = sys_pipe(f.pipe, 1 << 20);
		assert_true(got > 0);
		f.cap = (size_t)got;
		pooled += got >= 1 << 20;
		flow_release(&f, &pool);
		assert_int_equal(f.pipe[0], -1);
		assert_true((size_t)pool.n * pool.cap <= 16 << 20);
	}
	/* Where the kernel granted 1 MiB pipes, 16 were kept. */
	assert_int_equal(pool.n, pooled < 16 ? pooled : 16);
	pump_pool_free(&pool);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eagain_means_pipe_full),
		cmocka_unit_test(test_eof_drained),
		cmocka_unit_test(test_einval_in_midstream),
		cmocka_unit_test(test_einval_out_midstream),
		cmocka_unit_test(test_backpressure_copy),
		cmocka_unit_test(test_backpressure_splice),
		cmocka_unit_test(test_small_pipe),
		cmocka_unit_test(test_bulk_copy_drains_then_splices),
		cmocka_unit_test(test_pool_bytes),
	};

	return cmocka_run_group_tests_name("pump", tests, NULL, NULL);
}
