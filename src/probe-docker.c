/*
 * probe-docker: the Docker Engine API. GET /_ping answers "OK" with the
 * headers Api-Version and Server: Docker/VERSION; an HTTP answer without
 * them is some other HTTP server. Client setting: DOCKER_HOST, docker -H,
 * a docker context.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

static const char *const dk_paths[] = { "/var/run/docker.sock",
	"/run/docker.sock", "/run/podman/podman.sock", NULL };
static const char *const dk_bases[] = { "docker.sock", "podman.sock", NULL };

/* HTTP 200 "OK" with Docker's headers. */
static int
dk_parse(const unsigned char *buf, size_t len, char *detail, size_t dl)
{
	char api[32], server[64], clen[16];
	size_t body, want = 2;
	int status, rc;

	detail[0] = '\0';
	if ((rc = probe_http_head(buf, len, &status, &body)) != PROBE_MATCH)
		return rc;
	if (!probe_http_header(buf, body, "Api-Version", api, sizeof(api)))
		return PROBE_NOMATCH;
	probe_http_header(buf, body, "Server", server, sizeof(server));
	if (probe_http_header(buf, body, "Content-Length", clen, sizeof(clen)))
		want = (size_t)strtoul(clen, NULL, 10);
	/* A 200 holds "OK": wait for it, and for the whole of a short
	 * body. */
	if (status == 200 && (len - body < 2 || (want <= 64 &&
	    len - body < want)))
		return PROBE_MORE;
	if (status == 200 && (len - body < 2 || memcmp(buf + body, "OK", 2)))
		return PROBE_NOMATCH;
	snprintf(detail, dl, "%s%d (%s%sAPI %s)", status == 200 ? "OK, HTTP " :
	    "HTTP ", status, server, server[0] ? ", " : "", api);
	return PROBE_MATCH;
}

static void
dk_advice(const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "Docker clients: DOCKER_HOST=unix://%s, or "
	    "docker -H unix://%s", path, path);
}

#define DK_REQ	"GET /_ping HTTP/1.1\r\nHost: docker\r\n" \
		"User-Agent: sockbridge-doctor\r\n\r\n"

const struct probe_svc probe_docker = {
	"docker", "Docker", dk_paths, dk_bases, 2375,
	DK_REQ, sizeof(DK_REQ) - 1, "GET /_ping",
	dk_parse, dk_advice,
};
