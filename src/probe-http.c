/*
 * probe-http: an HTTP app server on a unix socket (puma, gunicorn,
 * uvicorn, node), as nginx reaches it: HEAD /, and any HTTP response
 * head is an answer. Also the response-head parsing probe-docker.c and
 * dockerfind.c share. Client setting: nginx's upstream block.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "probe.h"

static const char *const http_bases[] = { "puma*.sock", "unicorn*.sock",
	"gunicorn*.sock", "uvicorn*.sock", "http*.sock", "web*.sock",
	"app*.sock", "node*.sock", NULL };

int
probe_http_head(const unsigned char *buf, size_t len, int *status,
    size_t *body)
{
	static const char ver[] = "HTTP/d.d ddd";
	size_t i, lim;

	*status = 0;
	*body = 0;
	for (i = 0; i < len && i < sizeof(ver) - 1; i++) {
		if (ver[i] == 'd' ? !isdigit(buf[i]) : buf[i] != (unsigned char)ver[i])
			return PROBE_NOMATCH;
	}
	if (len < sizeof(ver) - 1)
		return PROBE_MORE;
	if (len > sizeof(ver) - 1 && buf[12] != ' ' && buf[12] != '\r' &&
	    buf[12] != '\n')
		return PROBE_NOMATCH;
	/* The head must end within PROBE_BUF bytes, so that a longer
	 * input never turns a refusal into a match. */
	lim = len < PROBE_BUF ? len : PROBE_BUF;
	for (i = 12; i + 1 < lim; i++) {
		if (buf[i] == '\n' && buf[i + 1] == '\n') {
			*body = i + 2;
			break;
		}
		if (buf[i] == '\n' && buf[i + 1] == '\r') {
			if (i + 2 >= lim)
				return lim == len ? PROBE_MORE : PROBE_NOMATCH;
			if (buf[i + 2] == '\n') {
				*body = i + 3;
				break;
			}
		}
	}
	if (*body == 0)
		return len >= PROBE_BUF ? PROBE_NOMATCH : PROBE_MORE;
	*status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	return PROBE_MATCH;
}

int
probe_http_header(const unsigned char *buf, size_t len, const char *name,
    char *out, size_t out_len)
{
	size_t nl = strlen(name), i = 0;

	if (out_len > 0)
		out[0] = '\0';
	while (i < len) {
		const unsigned char *eol = memchr(buf + i, '\n', len - i);
		size_t end = eol ? (size_t)(eol - buf) : len, v, e;

		if (end == i || (end == i + 1 && buf[i] == '\r'))
			break;	/* the blank line: end of the head */
		if (i > 0 && end - i > nl && buf[i + nl] == ':' &&
		    strncasecmp((const char *)buf + i, name, nl) == 0) {
			for (v = i + nl + 1; v < end && buf[v] == ' '; v++)
				;
			for (e = end; e > v && (buf[e - 1] == '\r' ||
			    buf[e - 1] == ' '); e--)
				;
			if (out_len > 0)
				probe_escape(buf + v, e - v, out, out_len);
			return 1;
		}
		i = end + 1;
	}
	return 0;
}

/* Any HTTP response head to HEAD /. */
static int
http_parse(const unsigned char *buf, size_t len, char *detail, size_t dl)
{
	char server[64];
	size_t body;
	int status, rc;

	detail[0] = '\0';
	if ((rc = probe_http_head(buf, len, &status, &body)) != PROBE_MATCH)
		return rc;
	probe_http_header(buf, body, "Server", server, sizeof(server));
	snprintf(detail, dl, "HTTP status %d%s%s%s", status,
	    server[0] ? " (Server: " : "", server, server[0] ? ")" : "");
	return PROBE_MATCH;
}

static void
http_advice(const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "nginx: upstream app { server unix:%s; } and "
	    "proxy_pass http://app; curl --unix-socket %s http://localhost/",
	    path, path);
}

#define HTTP_REQ	"HEAD / HTTP/1.1\r\nHost: localhost\r\n" \
			"User-Agent: sockbridge-doctor\r\nConnection: close\r\n\r\n"

const struct probe_svc probe_http = {
	"http", "HTTP", NULL, http_bases, 80,
	HTTP_REQ, sizeof(HTTP_REQ) - 1, "HEAD /",
	http_parse, http_advice,
};
