/*
 * conn: one relayed connection, from accept to close, and the server state
 * it shares with relay.c. Internal to the relay: relay.h is the API.
 *
 * Life of a connection: accept -> dial a target (connect in progress,
 * with a deadline; on failure the next target) -> relay both flows -> each
 * flow, at its source's EOF, drains and shuts its sink for writing -> both
 * done: close. Errors close both sides at once. One teardown path,
 * conn_close(), copes with a connection in any state; memory is freed after
 * the loop pass so events still queued for it are harmless.
 */
#ifndef SB_CONN_H
#define SB_CONN_H

#include <sys/types.h>

#include <stdint.h>

#include "dial.h"
#include "listener.h"
#include "loop.h"
#include "proxy.h"
#include "pump.h"
#include "relay.h"
#include "stats.h"
#include "upstream.h"

#define SIDE_DOWN	0	/* the accepted connection */
#define SIDE_UP		1	/* the target */
#define PROXY_WAIT_MS	3000	/* accept-proxy: the header's deadline */

struct side {
	int		 rfd;
	int		 wfd;		/* == rfd for sockets */
	struct loop_io	 rio;
	struct loop_io	 wio;		/* used only when wfd != rfd */
};

struct conn {
	struct relay	*r;
	uint64_t	 id;
	struct side	 side[2];
	struct flow	 flow[2];	/* flow[i]: from side[i] to side[!i] */
	int		 connecting;
	int		 dead;
	int		 target;	/* index into r->target, -1: none yet */
	uint32_t	 tried;		/* targets tried, a bit each */
	pid_t		 child;
	uint64_t	 t_start;
	uint64_t	 t_attempt;	/* this connect attempt began */
	uint64_t	 t_active;
	struct loop_timer timer;	/* connect deadline, retry, idle */
	struct conn	*prev, *next;
	char		 peer[160];
	const struct listener *ls;	/* accepted on; NULL: stdio */
	int		 awaiting_proxy;	/* accept-proxy: no header yet */
	unsigned char	*ph_buf;	/* the header so far, while awaited */
	size_t		 ph_len;
	struct proxy_hdr proxy;		/* what the header said */
	int		 have_proxy;
};

struct relay {
	const struct relay_cfg *cfg;
	struct loop	*loop;
	struct listener	 ls[RELAY_MAX_LISTEN * 2];
	int		 nls;
	struct dial_target target[UPSTREAM_MAX];
	int		 ntargets;
	struct upstream	 up;
	int		 echo;
	struct pump_pool pool;
	struct conn	*conns;
	struct conn	*dead;
	int		 nconns;
	uint64_t	 next_id;
	int		 draining;
	int		 backoff_ms;	/* > 0: accepting paused after EMFILE */
	int		 single;	/* stdio on one side: one connection */
	int		 stdio_target;
	int		 status;
	struct loop_timer backoff;
	struct loop_timer drain;
	struct stats	 st;		/* counters, for --stats */
	struct listener	 stats_ls;
	int		 backoff_next;
	int		 reserve_fd;	/* spare fd for the dial after accept */
};


/* A connection accepted on side down (rfd, wfd: the same socket, or stdin
 * and stdout) from listener via (NULL for stdio). Returns it, or NULL
 * when it was refused or failed at once (then it is closed). */
struct conn	*conn_new(struct relay *, int rfd, int wfd,
		    const struct listener *via);
/* Close c (both sides, at once); why is logged with -v unless NULL. */
void		 conn_close(struct conn *, const char *why);
/* Free connections closed during a loop pass (a loop_after hook). */
void		 conn_reap(struct loop *, void *relay);
/* Make stdin and stdout nonblocking; restored when they are closed. */
void		 conn_stdio_prepare(void);

/* relay.c: a connection closed; accept again or stop. */
void		 relay_conn_closed(struct relay *);
/* relay.c: out of fds (err); pause accepting for a while. */
void		 relay_pause_accept(struct relay *, int err, const char *where);

#endif
