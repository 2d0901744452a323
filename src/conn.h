/*
 * conn: one relayed connection, from accept to close. The owner (relay.c)
 * passes in an environment (loop, settings, targets, buffers, counters)
 * and hooks; conn never calls up into its owner's module.
 *
 * Life of a connection: accept -> dial a target (connect in progress,
 * with a deadline; on failure the next target; when none answers and one
 * is not there yet, wait: rounds over the targets with back-off, up to the
 * connect timeout, the client unread meanwhile) -> relay both flows -> each
 * flow, at its source's EOF, drains and shuts its sink for writing -> both
 * done: close. An error on one side aborts the other (see end.h), so a
 * reset is passed on as a reset, never as a clean end of stream. One
 * teardown path copes with a connection in any state; memory is freed
 * after the loop pass so events still queued for it are harmless.
 *
 * How each kind of end is passed on:
 *   both flows done (EOF each way, all delivered): close, the peers saw FIN;
 *   a side reset or failed: the other side is aborted;
 *   drain timeout: both sides aborted (the relay cut the stream);
 *   idle timeout: closed if the relay held no byte (none is lost), else
 *   both sides aborted;
 *   no target reachable after accept, or none there by the end of a
 *   wait: the client is aborted;
 *   refused (allow list, per-peer limit, PROXY header): closed.
 */
#ifndef SB_CONN_H
#define SB_CONN_H

#include <stdint.h>

#include "dial.h"
#include "keepalive.h"
#include "listener.h"
#include "loop.h"
#include "peerlimit.h"
#include "pump.h"
#include "stats.h"
#include "upstream.h"

#define PROXY_WAIT_MS	3000	/* accept-proxy: the header's deadline */

struct conn;

/* What a connection asks of its owner. */
struct conn_hooks {
	/* A connection closed (it has left the list). */
	void	(*closed)(void *owner);
	/* Out of fds (err) while connecting: pause accepting. */
	void	(*pause)(void *owner, int err, const char *where);
	/* The same, and free the fd kept in reserve for this moment.
	 * Returns 1 if one was freed (try again), 0 if none was held. */
	int	(*spend_reserve)(void *owner, int err, const char *where);
};

struct conn_env {
	/* Set by the owner. */
	struct loop	*loop;
	const struct dial_target *target;
	struct upstream	*up;		/* up->n targets; none: echo */
	struct pump_pool *pool;
	struct stats	*st;
	int		 connect_timeout_ms;
	int		 wait_target;	/* hold clients while no target is there */
	int		 idle_timeout_ms;	/* 0: none */
	struct keepalive keepalive;	/* on every TCP side */
	struct peerlimit *perpeer;	/* per-peer limit; NULL: none */
	int		 echo;		/* no target: send back (or discard) */
	int		 discard;
	int		 oneway;	/* CONN_ONEWAY_*: one direction only */
	int		 stdio_target;	/* the target is stdin and stdout */
	int		 single;	/* one connection: its failure is ours */
	const struct conn_hooks *hooks;
	void		*owner;
	/* Kept by conn.c. */
	struct conn	*conns;		/* open */
	struct conn	*dead;		/* closed, freed after the loop pass */
	int		 nconns;
	uint64_t	 next_id;
	int		 failed;	/* single: could not reach its target */
	uint64_t	 rng;		/* the back-off's jitter */
};

/* conn_env.oneway: which direction is relayed (socat's -u, -U). */
#define CONN_ONEWAY_NONE	0	/* both */
#define CONN_ONEWAY_DOWN_UP	1	/* client to target only */
#define CONN_ONEWAY_UP_DOWN	2	/* target to client only */

/* Prepare env's list (after the owner filled its part). */
void		 conn_env_init(struct conn_env *);

/* A connection accepted on side down (rfd, wfd: the same socket, or stdin
 * and stdout) from listener via (NULL for stdio). Returns it, or NULL
 * when it was refused or failed at once (then it is closed). */
struct conn	*conn_new(struct conn_env *, int rfd, int wfd,
		    const struct listener *via);

/* Close every open connection; abort: cut them off (see above), else
 * close quietly (at exit). why is logged with -v unless NULL. */
void		 conn_close_all(struct conn_env *, const char *why, int abort);

/* Free connections closed during a loop pass (a loop_after hook; arg is
 * the env). */
void		 conn_reap(struct loop *, void *env);

/* Bytes relayed so far by c: from down to up, and from up to down. */
void		 conn_bytes(const struct conn *c, uint64_t *up, uint64_t *down);
/* The same, summed over env's open connections. */
void		 conn_env_bytes(const struct conn_env *, uint64_t *up,
		    uint64_t *down);

#endif
