/*
 * socatopt: socat's global options (the ones before its two addresses),
 * so that "sockbridge -d -d UNIX-LISTEN:...,fork TCP:host:port" works as
 * typed. Each is mapped to what sockbridge does the same way, or refused
 * with a message naming it and what to use instead.
 *
 * Pure: no I/O, no allocation, no logging.
 */
#ifndef SB_SOCATOPT_H
#define SB_SOCATOPT_H

#include <stddef.h>

/* Which way data may go: socat's -u and -U. */
enum socatopt_dir {
	SOCATOPT_BOTH = 0,
	SOCATOPT_LEFT_TO_RIGHT,	/* -u: first address read, second written */
	SOCATOPT_RIGHT_TO_LEFT,	/* -U: second address read, first written */
};

struct socatopt {
	int		 debug;		/* -d count; -1: no -d given */
	enum socatopt_dir dir;		/* -u, -U */
	int		 bufsize;	/* -b SIZE in bytes; 0: not given */
	int		 idle_ms;	/* -T SEC; -1: not given */
	int		 family;	/* -4: AF_INET, -6: AF_INET6, else
					 * AF_UNSPEC */
	const char	*logfile;	/* -lf FILE; NULL: not given */
	int		 log_stderr;	/* -ls (socat's default anyway) */
};

/* socatopt_take() flags. */
#define SOCATOPT_RELAY	0x1	/* after the word "relay": the letters
				 * relay has itself (-v, -q, -h, -c, -i, -T,
				 * and -d followed by a duration) are
				 * relay's, not socat's */

/* Smallest and largest -b: the bounds of relay's --pipe-size. */
#define SOCATOPT_BUF_MIN	4096
#define SOCATOPT_BUF_MAX	(16 * 1024 * 1024)

void	socatopt_init(struct socatopt *so);

/*
 * Take arg, the next command-line word (next: the one after it, or NULL),
 * if it is one of socat's global options. Returns the number of words
 * used (1, or 2 when the value came from next); 0 when arg is not socat's
 * and is left to relay's own options ("--name" always; with
 * SOCATOPT_RELAY, relay's letters too); or -1 with err filled, without
 * "sockbridge: ": a refused option ("-x: socat's hex dump ... is not
 * supported; ..."), a bad value, or an option socat does not have.
 */
int	socatopt_take(struct socatopt *so, int flags, const char *arg,
	    const char *next, char *err, size_t errlen);

/* The log level socat's -d count n stands for: 0 errors, 1 warnings,
 * 2 notices, 3 info, 4 or more debug (log.h's levels, in that order). */
int	socatopt_log_level(int n);

#endif
