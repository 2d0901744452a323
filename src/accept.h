/*
 * accept: take connections off the listeners and hand each to the owner;
 * pause accepting (a timer, doubling from 50 ms to 1 s) when out of fds
 * instead of spinning on a listener that stays readable; keep one spare fd
 * for the dial of a client accepted just before fds ran out; drain on
 * shutdown (stop accepting, remove the socket files, let the open
 * connections finish up to a deadline).
 *
 * The reserve fd is spent (accept_spend_reserve) and reopened
 * (accept_closed) here, nowhere else.
 */
#ifndef SB_ACCEPT_H
#define SB_ACCEPT_H

#include <stdint.h>

#include "listener.h"
#include "loop.h"

struct accept_hooks {
	/* A connection on fd, accepted on ls: the owner takes fd. */
	void	(*conn)(void *owner, int fd, const struct listener *ls);
	/* Connections open now. */
	int	(*nconns)(void *owner);
	/* The drain deadline passed with connections open: cut them off
	 * (the loop stops right after). */
	void	(*drain_expired)(void *owner);
};

struct acceptor {
	struct loop	*loop;
	struct listener	*ls;
	int		 nls;
	int		 max_conns;
	int		 once;		/* one connection, then stop */
	int		 accepted;	/* connections taken so far */
	int		 draining;
	int		 drain_ms;
	int		 backoff_ms;	/* > 0: accepting paused */
	int		 backoff_next;
	int		 reserve_fd;	/* spare fd for the dial after accept */
	uint64_t	*paused;	/* counter: times accepting paused */
	struct loop_timer backoff;
	struct loop_timer drain;
	const struct accept_hooks *hooks;
	void		*owner;
};

/*
 * Set a up over the open listeners ls[0..nls) (their io is set here) and
 * open the reserve fd. once: the single connection is the owner's (stdio),
 * so the loop stops when it closes. Accepting starts with accept_update().
 */
void	accept_init(struct acceptor *a, struct loop *l, struct listener *ls,
	    int nls, int max_conns, int once, uint64_t *paused,
	    const struct accept_hooks *hooks, void *owner);
/* Close the reserve fd and stop the timers (the listeners are the
 * owner's). */
void	accept_free(struct acceptor *a);

/* Accept while not draining, not paused, and under the limit. */
void	accept_update(struct acceptor *a);

/* Out of fds (err) at where: pause accepting for a while (logged). */
void	accept_pause(struct acceptor *a, int err, const char *where);

/* The same, and close the reserve fd so the caller can retry. Returns 1
 * if it was held (retry), 0 if it was spent already. */
int	accept_spend_reserve(struct acceptor *a, int err, const char *where);

/* A connection closed: take the reserve fd back, accept again, or stop
 * the loop (once; or draining with no connection left). */
void	accept_closed(struct acceptor *a);

/* Count one connection taken by the owner outside the listeners (stdio). */
void	accept_taken(struct acceptor *a);

/*
 * Start draining: stop accepting, close the listeners (their socket files
 * go), and stop the loop when the last connection closes or drain_ms
 * passes. Returns 1 if draining started, 0 if already draining.
 */
int	accept_drain(struct acceptor *a, int drain_ms);

#endif
