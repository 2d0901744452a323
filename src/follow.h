/*
 * follow: where a relay forwards to, read from its command line as the
 * kernel keeps it (/proc/PID/cmdline: arguments separated by NULs). Knows
 * sockbridge's syntax ("sockbridge relay [options] LISTEN TARGET...", the
 * short form "sockbridge LISTEN TARGET", socat-style global options
 * before the addresses) and socat's ("socat [options] ADDR ADDR", the
 * listening one either side). Addresses go through addr.c's parser;
 * "tunnel:CMD" is kept as a carrier command. Pure: no I/O, no
 * allocation, no logging.
 */
#ifndef SB_FOLLOW_H
#define SB_FOLLOW_H

#include <stddef.h>

#include "addr.h"

#define FOLLOW_MAX	8	/* targets kept */
#define FOLLOW_TEXT	256	/* an address as written, kept for messages */

enum follow_kind {
	FOLLOW_UNIX = 0,	/* a socket file: path */
	FOLLOW_ABSTRACT,	/* an abstract name: path, without the '@' */
	FOLLOW_TCP,		/* host, port */
	FOLLOW_EXEC,		/* a command run per connection */
	FOLLOW_TUNNEL,		/* a carrier command, streams multiplexed */
	FOLLOW_OTHER,		/* stdio, fd:, an address doctor cannot dial */
};

struct follow_target {
	enum follow_kind kind;
	char		 text[FOLLOW_TEXT];	/* as written */
	char		 path[ADDR_PATH_MAX];
	char		 host[ADDR_HOST_MAX];
	unsigned int	 port;
};

struct follow_relay {
	char		 tool[16];		/* "sockbridge", "socat" */
	char		 listen[FOLLOW_TEXT];	/* the listening address */
	char		 stats[FOLLOW_TEXT];	/* sockbridge --stats ADDR */
	struct follow_target t[FOLLOW_MAX];
	int		 n;
	int		 more;			/* targets beyond FOLLOW_MAX */
};

/*
 * Parse the command line cmd[0..len) (NUL-separated arguments, as in
 * /proc/PID/cmdline) into r. Returns 0; -1 with a message in err when it
 * is not a relay of a known tool, or names no target ("sockbridge
 * echo: not a relay"). r is always initialised.
 */
int	follow_parse(const char *cmd, size_t len, struct follow_relay *r,
	    char *err, size_t errlen);

#endif
