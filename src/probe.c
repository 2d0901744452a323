/*
 * probe: see probe.h. The runner and the table; each service's request,
 * parser and client setting live in probe-NAME.c.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fnmatch.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"
#include "sys.h"

/* The order "--service auto" tries: MySQL first, because its server
 * speaks first and a request would be taken for a bad handshake. */
const struct probe_svc *const probe_all[] = {
	&probe_mysql, &probe_pg, &probe_redis, &probe_docker, &probe_http,
	NULL,
};

const struct probe_svc *
probe_by_name(const char *name)
{
	for (int i = 0; probe_all[i] != NULL; i++)
		if (strcmp(probe_all[i]->name, name) == 0)
			return probe_all[i];
	if (strcmp(name, "postgres") == 0 || strcmp(name, "postgresql") == 0)
		return &probe_pg;
	if (strcmp(name, "mariadb") == 0)
		return &probe_mysql;
	return NULL;
}

const struct probe_svc *
probe_by_path(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (int i = 0; probe_all[i] != NULL; i++) {
		const struct probe_svc *s = probe_all[i];

		for (int j = 0; s->paths && s->paths[j]; j++)
			if (strcmp(s->paths[j], path) == 0)
				return s;
		for (int j = 0; s->bases && s->bases[j]; j++)
			if (fnmatch(s->bases[j], base, 0) == 0)
				return s;
	}
	return NULL;
}

const struct probe_svc *
probe_by_port(unsigned int port)
{
	for (int i = 0; port != 0 && probe_all[i] != NULL; i++)
		if (probe_all[i]->port == port)
			return probe_all[i];
	return NULL;
}

void
probe_escape(const unsigned char *buf, size_t len, char *out, size_t out_len)
{
	size_t o = 0;

	if (out_len == 0)
		return;
	for (size_t i = 0; i < len; i++) {
		char e[8];
		unsigned char c = buf[i];
		size_t n;

		if (c == '\r')
			snprintf(e, sizeof(e), "\\r");
		else if (c == '\n')
			snprintf(e, sizeof(e), "\\n");
		else if (c == '\\')
			snprintf(e, sizeof(e), "\\\\");
		else if (c >= 0x20 && c < 0x7f)
			snprintf(e, sizeof(e), "%c", c);
		else
			snprintf(e, sizeof(e), "\\x%02x", c);
		n = strlen(e);
		if (o + n >= out_len)
			break;
		memcpy(out + o, e, n);
		o += n;
	}
	out[o] = '\0';
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC ms), at least 0. */
static int
ms_left(long long deadline)
{
	struct timespec ts;
	long long now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return now >= deadline ? 0 : (int)(deadline - now);
}

/* Send all of s's request within the deadline. Returns 0 or an errno. */
static int
send_req(int fd, const struct probe_svc *s, long long deadline)
{
	size_t off = 0;

	while (off < s->reqlen) {
		struct pollfd pfd = { fd, POLLOUT, 0 };
		ssize_t n = send(fd, s->req + off, s->reqlen - off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK)
			return errno;
		if (poll(&pfd, 1, ms_left(deadline)) == 0)
			return ETIMEDOUT;
	}
	return 0;
}

enum probe_outcome
probe_run(int fd, const struct probe_svc *s, int ms, struct probe_result *r)
{
	unsigned char buf[PROBE_BUF];
	struct timespec ts;
	long long deadline;
	size_t len = 0;
	int rc = PROBE_MORE, e;

	memset(r, 0, sizeof(r[0]));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + ms;
	if (s != NULL && s->req != NULL && (e = send_req(fd, s, deadline))) {
		/* A peer gone before our request: EPIPE (closed) or
		 * ECONNRESET; what it sent first may still be readable. */
		if (e == ETIMEDOUT) {
			r->outcome = PROBE_SILENT;
			return r->outcome;
		}
		if (e != EPIPE && e != ECONNRESET && e != ENOTCONN) {
			r->outcome = PROBE_ERROR;
			r->err = e;
			return r->outcome;
		}
	}
	while (len < sizeof(buf)) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;
		int p = poll(&pfd, 1, ms_left(deadline));

		if (p == -1 && errno == EINTR)
			continue;
		if (p == -1) {
			r->outcome = PROBE_ERROR;
			r->err = errno;
			break;
		}
		if (p == 0) {
			r->outcome = PROBE_SILENT;
			break;
		}
		n = recv(fd, buf + len, sizeof(buf) - len, MSG_DONTWAIT);
		if (n == -1 && (errno == EINTR || errno == EAGAIN ||
		    errno == EWOULDBLOCK))
			continue;
		if (n == -1) {
			r->outcome = len ? PROBE_CUT : PROBE_RESET;
			r->err = errno;
			break;
		}
		if (n == 0) {
			r->outcome = len ? PROBE_CUT : PROBE_CLOSED;
			break;
		}
		len += (size_t)n;
		if (s == NULL) {
			r->outcome = PROBE_OTHER;	/* it spoke first */
			break;
		}
		rc = s->parse(buf, len, r->detail, sizeof(r->detail));
		if (rc != PROBE_MORE)
			break;
	}
	r->nread = len;
	if (rc == PROBE_MATCH) {
		r->outcome = PROBE_ANSWERED;
		return r->outcome;
	}
	if (rc == PROBE_NOMATCH || (len == sizeof(buf)))
		r->outcome = PROBE_OTHER;
	if (r->outcome != PROBE_ANSWERED && len > 0)
		probe_escape(buf, len < 48 ? len : 48, r->detail,
		    sizeof(r->detail));
	return r->outcome;
}

const char *
probe_describe(const struct probe_svc *s, const struct probe_result *r,
    char *buf, size_t len)
{
	const char *asks = s ? s->asks : "nothing";

	switch (r->outcome) {
	case PROBE_ANSWERED:
		if (s && s->req == NULL)
			snprintf(buf, len, "%s spoke first: %s", s->title,
			    r->detail);
		else
			snprintf(buf, len, "%s answered %s%s%s", s ? s->title :
			    "it", asks, r->detail[0] == '(' ? " " : ": ",
			    r->detail);
		break;
	case PROBE_OTHER:
		if (s)
			snprintf(buf, len, "answered %s, but not as %s does: "
			    "\"%s\"%s", asks, s->title, r->detail,
			    r->nread > 48 ? "..." : "");
		else
			snprintf(buf, len, "spoke first: \"%s\"%s", r->detail,
			    r->nread > 48 ? "..." : "");
		break;
	case PROBE_CLOSED:
		if (s && s->req == NULL)
			snprintf(buf, len, "accepted the connection, then closed "
			    "it without a greeting");
		else
			snprintf(buf, len, "accepted the connection, then closed "
			    "it without answering%s%s", s ? " " : "",
			    s ? asks : "");
		break;
	case PROBE_CUT:
		snprintf(buf, len, "began to answer%s%s (\"%s\"), then closed "
		    "the connection", s ? " " : "", s ? asks : "", r->detail);
		break;
	case PROBE_RESET:
		snprintf(buf, len, "accepted the connection, then reset it "
		    "(%s)%s%s", sys_strerrorname(r->err) ?
		    sys_strerrorname(r->err) : "reset", s ? " after " : "",
		    s ? asks : "");
		break;
	case PROBE_SILENT:
		if (s && s->req == NULL)
			snprintf(buf, len, "accepted the connection, but sent no "
			    "greeting in time");
		else
			snprintf(buf, len, "accepted the connection, but did not "
			    "answer%s%s in time", s ? " " : "", s ? asks : "");
		break;
	case PROBE_ERROR:
		snprintf(buf, len, "could not be asked: %s", strerror(r->err));
		break;
	}
	return buf;
}
