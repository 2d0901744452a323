/*
 * pump: move the bytes of one direction of a connection, from a source fd
 * to a sink fd. Small transfers are copied: read into a shared scratch
 * buffer and written at once, two syscalls and no memory held. Bulk
 * transfers (a read that filled the scratch buffer) switch to splice
 * through a pipe, with no copy to user space; the flow goes back to copying
 * once reads turn small again. Where the kernel cannot splice (ttys, files)
 * the flow copies for good.
 *
 * A flow holds at most one pipe or one buffer of pool->cap bytes, and only
 * while bytes are in flight (the sink was slower than the source): an idle
 * connection holds no buffer memory. Drained pipes go back to a small pool.
 */
#ifndef SB_PUMP_H
#define SB_PUMP_H

#include <stddef.h>
#include <stdint.h>

#define PUMP_POOL_MAX	256
#define PUMP_SCRATCH	(1024 * 1024)	/* the largest pipe we use */

struct pump_pool {
	int		 pipes[PUMP_POOL_MAX][2];
	int		 n;
	int		 size;		/* pipe size the kernel granted */
	size_t		 cap;		/* bytes in flight per flow */
	int		 want;		/* pipe size asked for */
	int		 no_splice;	/* forced read/write (for tests) */
	uint64_t	 pipes_made;
	char		*scratch;	/* cap bytes, shared by every flow */
};

enum flow_state {
	FLOW_OPEN = 0,		/* reading the source */
	FLOW_EOF,		/* source ended; bytes may still be queued */
	FLOW_DRAINED,		/* source ended and all bytes written */
	FLOW_DONE,		/* the sink was shut for writing */
};

enum flow_err_at {
	FLOW_AT_SRC = 0,	/* the error came from reading the source */
	FLOW_AT_DST,		/* ... from writing the sink */
};

struct flow {
	enum flow_state	 state;
	int		 pipe[2];	/* -1 when none is held */
	char		*buf;		/* read/write fallback */
	size_t		 off;		/* buf: first unwritten byte */
	size_t		 queued;	/* bytes read, not yet written */
	int		 full;		/* pipe refused more: wait for drain */
	int		 spliced;	/* queued bytes are in the pipe */
	int		 no_splice;	/* splice failed here: always copy */
	size_t		 last_in;	/* size of the last read: bulk or not */
	enum flow_err_at err_at;
	uint64_t	 bytes;		/* written to the sink */
};

/* Returns 0, or -ENOMEM. */
int	pump_pool_init(struct pump_pool *, int pipe_size, int no_splice);
void	pump_pool_free(struct pump_pool *);

void	flow_init(struct flow *);
/* Return the flow's pipe or buffer. */
void	flow_release(struct flow *, struct pump_pool *);

/*
 * Move what can move now from src to dst, bounded per call for fairness.
 * Returns bytes written to dst (0 if none), or -errno with f->err_at
 * saying which side failed. Reaching the source's end moves the state to
 * FLOW_EOF, and to FLOW_DRAINED once the queue is empty.
 */
long	flow_pump(struct flow *, struct pump_pool *, int src, int dst);

/* Interest: read the source only while there is room; write the sink only
 * while bytes are queued. */
int	flow_wants_read(const struct flow *, const struct pump_pool *);
int	flow_wants_write(const struct flow *);

#endif
