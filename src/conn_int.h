/*
 * conn_int: what conn.c (a connection's life: flows, teardown, PROXY
 * headers) and conn_dial.c (reaching a target: attempts, failover,
 * waiting, back-off) share. Private to those two files: conn.h is the
 * API.
 */
#ifndef SB_CONN_INT_H
#define SB_CONN_INT_H

#include <sys/types.h>

#include <stdint.h>

#include "conn.h"
#include "end.h"
#include "proxyio.h"

#define SIDE_DOWN	0	/* the accepted connection */
#define SIDE_UP		1	/* the target */
/* What c's timer does when it fires with no target end (c->retry). */
#define RETRY_TARGET	0	/* connect to the same target again */
#define RETRY_ROUND	1	/* pick targets afresh: a new round */

/* Which sides conn_finish() aborts: a bit per side. */
#define ABORT_DOWN	(1u << SIDE_DOWN)
#define ABORT_UP	(1u << SIDE_UP)
#define ABORT_BOTH	(ABORT_DOWN | ABORT_UP)

struct side {
	struct end	 end;
	struct loop_io	 rio;
	struct loop_io	 wio;		/* used only when end.wfd != end.rfd */
};

struct conn {
	struct conn_env	*env;
	uint64_t	 id;
	struct side	 side[2];
	struct flow	 flow[2];	/* flow[i]: from side[i] to side[!i] */
	int		 connecting;
	int		 dead;
	int		 target;	/* index into env->target, -1: none yet */
	uint32_t	 tried;		/* targets tried, a bit each */
	pid_t		 child;
	uint64_t	 t_start;
	uint64_t	 t_attempt;	/* this connect attempt began */
	uint64_t	 t_dial;	/* the first target was picked */
	uint64_t	 t_active;
	unsigned int	 retry_ms;	/* back-off: the last delay, 0: none */
	int		 retry;		/* RETRY_*: what the timer does next */
	int		 waiting;	/* no target there yet: retrying rounds */
	int		 absent;	/* this round, a target was not there */
	int		 down_sent;	/* waiting: the client sent, or half-closed */
	struct loop_timer timer;	/* connect deadline, retry, idle */
	struct conn	*prev, *next;
	char		 peer[160];
	const struct listener *ls;	/* accepted on; NULL: stdio */
	int		 awaiting_proxy;	/* accept-proxy: no header yet */
	struct proxyio_rd *ph;		/* the header so far, while awaited */
	struct proxy_hdr proxy;		/* what the header said */
	int		 have_proxy;
	struct peer_key	 pkey;		/* counted in env->perpeer */
	int		 pcounted;
};

/* Put side s of c on the loop (its end set already). */
void	side_init(struct side *s, struct conn *c);
/* Stop polling s and close (abort: reset) its end. */
void	side_close(struct loop *l, struct side *s, int abort);
/* Side i's name for the log: the peer, or the target. */
const char *side_name(const struct conn *c, int i);

/* Close c, aborting the sides in the ABORT_* mask; why is logged with -v
 * unless NULL. One teardown path for every state. */
void	conn_finish(struct conn *c, const char *why, unsigned int abort);
/* conn_finish() with nothing aborted. */
void	conn_close(struct conn *c, const char *why);
/* Log "op side: err" and abort both sides. */
void	conn_fail(struct conn *c, const char *op, int side, int err);
/* Poll interest from the flows' fill (see conn.c). */
void	conn_update(struct conn *c);
/* c reached its target (or needs none). Returns 0, or -1 if c closed. */
int	conn_connected(struct conn *c);

/* conn_dial.c: choose a target for c (or echo) and start reaching it. */
void	conn_dial(struct conn *c);
/* Connect c to its chosen target (again, after a full backlog). */
void	conn_attempt(struct conn *c);
/* The attempt on c's target failed with errno err. */
void	conn_dial_failed(struct conn *c, int err);

#endif
