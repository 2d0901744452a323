/*
 * relay: accept connections on listeners and relay each to a target, both
 * directions at once, in one process on one event loop.
 *
 * Each connection has two sides, down (accepted) and up (the target), and
 * a flow per direction. A flow that sees EOF drains, then shuts the other
 * side for writing; the other direction keeps going. The connection closes
 * when both flows are done, or at once on an error.
 */
#ifndef SB_RELAY_H
#define SB_RELAY_H

#include <stdint.h>

#include "addr.h"
#include "keepalive.h"
#include "upstream.h"

#define RELAY_MAX_LISTEN	16

struct relay_cfg {
	struct addr	 listen[RELAY_MAX_LISTEN];
	int		 nlisten;
	struct addr	 targets[UPSTREAM_MAX];	/* none: echo server */
	int		 ntargets;
	enum upstream_mode balance;
	int		 max_conns;
	int		 max_conns_per_peer;	/* 0: no limit */
	int		 connect_timeout_ms;
	int		 no_wait_target;	/* fail at once when no target is
					   there, do not wait for one */
	int		 idle_timeout_ms;	/* 0: none */
	int		 exit_idle_ms;	/* exit 0 after this long with no
					   connection; 0: never */
	int		 drain_timeout_ms;
	struct keepalive keepalive;	/* --keepalive: TCP sides */
	int		 pipe_size;
	int		 no_splice;
	int		 busy_poll_us;	/* 0: sleep as soon as idle */
	int		 discard;	/* echo --discard: swallow, send nothing */
	int		 oneway;	/* CONN_ONEWAY_* (conn.h): socat's -u, -U */
	struct addr	 stats;		/* --stats: kind ADDR_NONE if unset */
	const char	*pidfile;
	const char	*user;		/* drop to USER[:GROUP] after binding */
	int		 tunnel_lazy;	/* tunnel: start the carrier on the
					   first connection */
	int		 tunnel_keepalive_ms;	/* tunnel: ping; 0: off */
};

void	relay_cfg_init(struct relay_cfg *);

/*
 * Run until SIGINT or SIGTERM (then drain), until a stdio connection
 * ends, or until cfg->exit_idle_ms passes with no connection. Returns the
 * exit status: 0, or 1 when setup failed (already logged) or a stdio
 * connection could not reach its target.
 */
int	relay_run(const struct relay_cfg *);

#endif
