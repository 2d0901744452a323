/*
 * probe: does the server behind a connected socket speak the protocol the
 * client expects? One table entry per service (probe-pg.c, probe-mysql.c,
 * probe-redis.c, probe-docker.c, probe-http.c): its well-known socket
 * paths and port, the request to send (none when the server speaks
 * first), a pure parser for the answer, and the client setting that
 * points a client at a socket. probe_run() sends with MSG_NOSIGNAL and
 * reads against a deadline, so a peer that closes at once, resets, never
 * answers or sends garbage ends in a truthful outcome, never in SIGPIPE
 * or a hang. Never prints.
 */
#ifndef SB_PROBE_H
#define SB_PROBE_H

#include <stddef.h>

/* What a parser says of the bytes read so far. */
#define PROBE_MORE	0	/* a prefix of an answer: read on */
#define PROBE_MATCH	1	/* the service answered */
#define PROBE_NOMATCH	-1	/* not this protocol */

#define PROBE_BUF	2048	/* the most of an answer read */
#define PROBE_MS	2000	/* the default deadline */

struct probe_svc {
	const char	*name;		/* "redis": --service NAME */
	const char	*title;		/* "Redis" */
	const char *const *paths;	/* well-known socket files, NULL-ended */
	const char *const *bases;	/* fnmatch patterns for the file name */
	unsigned int	 port;		/* well-known tcp port, 0: none */
	const char	*req;		/* request, NULL: the server speaks first */
	size_t		 reqlen;
	const char	*asks;		/* "PING" */
	/*
	 * The answer in buf[0..len): PROBE_MATCH with a short description
	 * of it in detail ("+PONG", "MariaDB 10.11.6"), PROBE_MORE, or
	 * PROBE_NOMATCH. Pure; detail is always NUL-terminated.
	 */
	int		(*parse)(const unsigned char *buf, size_t len,
			    char *detail, size_t dl);
	/* The client setting that points a client at the socket file
	 * path ("REDIS_URL=unix:///run/redis/redis.sock"), into buf. */
	void		(*advice)(const char *path, char *buf, size_t len);
};

extern const struct probe_svc probe_pg, probe_mysql, probe_redis,
	    probe_docker, probe_http;

enum probe_outcome {
	PROBE_ANSWERED = 0,	/* it answered as the service does */
	PROBE_OTHER,		/* it answered, but not in this protocol */
	PROBE_CLOSED,		/* accepted, then closed without a byte */
	PROBE_CUT,		/* began an answer, then closed */
	PROBE_RESET,		/* the connection was reset */
	PROBE_SILENT,		/* no answer before the deadline */
	PROBE_ERROR,		/* a local failure (poll, send) */
};

struct probe_result {
	enum probe_outcome outcome;
	int		 err;		/* errno for PROBE_RESET, PROBE_ERROR */
	size_t		 nread;		/* bytes of answer read */
	char		 detail[192];	/* parser's description, or the
					 * first bytes, escaped */
};

/* The services in the order "auto" tries them, NULL-ended. */
extern const struct probe_svc *const probe_all[];

/* The service named name, or NULL. */
const struct probe_svc *probe_by_name(const char *name);

/* The service whose well-known path or file name path is, or NULL. */
const struct probe_svc *probe_by_path(const char *path);

/* The service whose well-known tcp port is port, or NULL. */
const struct probe_svc *probe_by_port(unsigned int port);

/*
 * Ask the server on the connected socket fd (blocking or not) in s's
 * protocol, waiting at most ms milliseconds in all, and fill r. With s
 * NULL nothing is sent: the outcome says whether the server spoke first
 * (PROBE_OTHER, its bytes in detail), closed, reset or stayed silent.
 * Returns r->outcome.
 */
enum probe_outcome probe_run(int fd, const struct probe_svc *s, int ms,
	    struct probe_result *r);

/* One phrase for r ("accepted the connection, then closed it without
 * answering"), into buf; s names the request. Returns buf. */
const char *probe_describe(const struct probe_svc *s,
	    const struct probe_result *r, char *buf, size_t len);

/* Printable copy of buf[0..len) ("HTTP/1.0 400 \\r\\n..."), at most
 * out_len - 1 bytes. Pure. */
void	probe_escape(const unsigned char *buf, size_t len, char *out,
	    size_t out_len);

/*
 * An HTTP response head in buf[0..len): PROBE_MATCH with the status code
 * in *status and the offset of the body in *body, PROBE_MORE for a
 * prefix of one, PROBE_NOMATCH if it is not HTTP. Pure.
 */
int	probe_http_head(const unsigned char *buf, size_t len, int *status,
	    size_t *body);

/* The value of header name (case-insensitive) in the head buf[0..len),
 * into out; 1 if found, else 0 and out "". Pure. */
int	probe_http_header(const unsigned char *buf, size_t len,
	    const char *name, char *out, size_t out_len);

#endif
