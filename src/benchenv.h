/*
 * benchenv: the servers bench measures against. A private temp dir, one
 * echo (or discard) server on loopback tcp and on a socket file there, a
 * "sockbridge relay" in front of the tcp echo, and the other relays bench
 * can compare with. Every listening socket is bound here and handed over
 * as fd:3 (and fd:4), so there is no port or readiness guessing. Never
 * prints: failures fill an error buffer ("what: why").
 */
#ifndef SB_BENCHENV_H
#define SB_BENCHENV_H

#include <sys/types.h>

#include <stddef.h>

#include "net.h"

/* Paths one bench measures at most. */
#define BENCHENV_PATHS_MAX	8

/* A path under test: where the client connects, and who serves it. */
struct benchenv_path {
	char		 name[48];	/* "tcp", "unix->relay->tcp", ... */
	struct net_sa	 sa;
	pid_t		 relay_pid;	/* the relay in between, if any */
};

/* Children and files to clean up. Zero it before the first use. */
struct benchenv {
	char		 dir[64];	/* "" until made */
	pid_t		 pids[BENCHENV_PATHS_MAX + 2];
	int		 npids;
	pid_t		 server_pid;
	struct net_sa	 tcp_sa, unix_sa;	/* the echo server's */
};

/* Make the temp dir and start the echo server (discard: a server that
 * reads and never answers) on tcp_sa and unix_sa. Returns 0, or -1 with
 * err. */
int	benchenv_servers(struct benchenv *, int discard, char *err,
	    size_t errlen);

/* Start "sockbridge relay" from unix:DIR/relay.sock to the tcp echo, as
 * path p. Returns 0, or -1 with err. */
int	benchenv_relay(struct benchenv *, struct benchenv_path *p, char *err,
	    size_t errlen);

/* Start peer (socat, haproxy, systemd-socket-proxyd, nginx) from
 * unix:DIR/NAME.sock to the tcp echo, as path p, and wait until it
 * accepts. Returns 0, 1 when the peer is not installed, or -1 with err. */
int	benchenv_peer(struct benchenv *, const char *peer,
	    struct benchenv_path *p, char *err, size_t errlen);

/* Stop every child (SIGTERM, then wait) and remove the temp dir. */
void	benchenv_cleanup(struct benchenv *);

#endif
