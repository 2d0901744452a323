/*
 * carrier: the life of a tunnel's carrier command (the near end of
 * "tunnel:CMD"): start it (sh -c CMD, its stdin, stdout and stderr
 * pipes, the lines of stderr going to the log as "carrier: ..."), run a
 * tunnel session over it, and start it again with back-off when it
 * exits. Streams open when it dies are reset: their clients see an
 * error, never a clean end. The owner's listeners are not touched.
 *
 * A carrier that dies before the far end answered (a missing container,
 * a typo in CMD) is reported once as an error naming the command, its
 * exit status and its first line on stderr; the same failure again is
 * logged with -v only.
 */
#ifndef SB_CARRIER_H
#define SB_CARRIER_H

#include <sys/types.h>

#include "loop.h"
#include "tunnel.h"

struct carrier;

struct carrier_cfg {
	const char	*cmd;		/* run through /bin/sh -c */
	int		 lazy;		/* start on the first connection */
	int		 wait_ms;	/* a connection waits this long for a
					   carrier that fails to start */
	int		 keepalive_ms;	/* 0: off */
	int		 max_streams;	/* the far end may open; 0: default */
	int		 ntargets;	/* targets the far end may open to */
	/* Streams the far end opens (the reverse direction); NULL: none.
	 * As in tunnel_hooks. */
	int		(*dial)(void *arg, unsigned int target, int *pending,
			    char *err, size_t errlen);
	int		(*dial_finish)(int fd);
	/* A stream ended. */
	void		(*stream_closed)(void *arg);
	void		*arg;
};

/* A carrier for cfg (copied; cmd must outlive it). Started now unless
 * cfg->lazy. NULL with errno set when out of memory. */
struct carrier	*carrier_new(struct loop *, const struct carrier_cfg *);

/* Carry the connection fd (owned from now on) to the far end's target.
 * Starts the carrier if it is not running; while it is being started
 * again, fd waits. Returns 0, or -errno with fd aborted. */
int		 carrier_accept(struct carrier *, int fd, unsigned int target);

/* Streams open or waiting. */
int		 carrier_nstreams(const struct carrier *);

/* The owner reaped pid with wait status st: if it is the carrier, note
 * it. Returns 1 if it was ours. */
int		 carrier_reaped(struct carrier *, pid_t pid, int st);

/* Stop: orderly close when no stream is open, else abort them; stop
 * the command (SIGTERM) and free. NULL-safe. */
void		 carrier_free(struct carrier *);

#endif
