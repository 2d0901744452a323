/*
 * pump: move the bytes of one direction of a connection, from a source end
 * to a sink end (see end.h). Small transfers are copied: read into a
 * shared scratch buffer and written at once, two syscalls and no memory
 * held. Bulk transfers (a read that filled the scratch buffer) switch to
 * splice through a pipe, with no copy to user space; the flow goes back to
 * copying once reads turn small again. Where an end cannot splice (ttys,
 * files, an end without splice operations) the flow copies for good.
 *
 * A flow holds at most one pipe or one buffer, and only while bytes are in
 * flight (the sink was slower than the source): an idle connection holds
 * no buffer memory. Drained pipes go back to a small pool.
 *
 * Capacity: pool->cap is the most a flow queues (the pipe size asked for,
 * 256 KiB by default: see pump.c). A pipe the kernel granted smaller
 * (over pipe-user-pages-soft) limits only the flow that holds it, never
 * more than that pipe's size, and is not pooled, so a temporary shortage
 * does not shrink later connections.
 */
#ifndef SB_PUMP_H
#define SB_PUMP_H

#include <stddef.h>
#include <stdint.h>

#include "end.h"

#define PUMP_POOL_MAX	256
#define PUMP_SCRATCH	(1024 * 1024)	/* the largest pipe we use */

struct pump_pipe {
	int		 fd[2];
	size_t		 size;		/* bytes in flight it allows */
	size_t		 psize;		/* what the kernel granted */
};

struct pump_pool {
	struct pump_pipe pipes[PUMP_POOL_MAX];
	int		 n;
	size_t		 cap;		/* most bytes in flight per flow */
	int		 want;		/* pipe size asked for */
	int		 grow;		/* a bulk flow's pipe may grow to
					   PUMP_PIPE_GROW (no --pipe-size) */
	size_t		 pipe_bytes;	/* sizes of all pipes held */
	int		 no_splice;	/* forced read/write (for tests) */
	char		*scratch;	/* PUMP_SCRATCH bytes, shared */
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
	size_t		 psize;		/* its size, as the kernel granted */
	int		 bufs;		/* flow_bulk_bufs() was done */
	char		*buf;		/* read/write fallback */
	size_t		 cap;		/* room in the pipe or buf held; 0: none */
	size_t		 off;		/* buf: first unwritten byte */
	size_t		 queued;	/* bytes read, not yet written */
	int		 full;		/* pipe refused more: wait for drain */
	int		 spliced;	/* queued bytes are in the pipe */
	int		 no_splice;	/* splice failed here: always copy */
	size_t		 last_in;	/* size of the last read: bulk or not */
	enum flow_err_at err_at;
	uint64_t	 bytes;		/* written to the sink */
};

/* pipe_size: 0 for the default (256 KiB). Returns 0, or -ENOMEM. */
int	pump_pool_init(struct pump_pool *, int pipe_size, int no_splice);
void	pump_pool_free(struct pump_pool *);

void	flow_init(struct flow *);
/* Return the flow's pipe or buffer; queued bytes are dropped. */
void	flow_release(struct flow *, struct pump_pool *);

/*
 * Move what can move now from src to dst, bounded per call for fairness.
 * Returns bytes written to dst (0 if none), or -errno with f->err_at
 * saying which end failed. Reaching the source's end moves the state to
 * FLOW_EOF, and to FLOW_DRAINED once the queue is empty.
 */
long	flow_pump(struct flow *, struct pump_pool *, struct end *src,
	    struct end *dst);

/* Interest: read the source only while there is room; write the sink only
 * while bytes are queued. */
int	flow_wants_read(const struct flow *, const struct pump_pool *);
int	flow_wants_write(const struct flow *);

#endif
