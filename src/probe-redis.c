/*
 * probe-redis: Redis (and Valkey, KeyDB). PING as an inline command; the
 * server answers one RESP line: "+PONG", or an error such as "-NOAUTH
 * Authentication required." (it is Redis, and wants a password). Client
 * setting: REDIS_URL=unix:///path (redis+unix:// in some clients),
 * redis-cli -s.
 */
#include <stdio.h>
#include <string.h>

#include "probe.h"

static const char *const rd_paths[] = { "/var/run/redis/redis-server.sock",
	"/run/redis/redis-server.sock", NULL };
static const char *const rd_bases[] = { "redis*.sock", "valkey*.sock",
	"keydb*.sock", NULL };

/* One RESP simple string or error line. */
static int
rd_parse(const unsigned char *buf, size_t len, char *detail, size_t dl)
{
	const unsigned char *nl;
	size_t n;

	detail[0] = '\0';
	if (len == 0)
		return PROBE_MORE;
	if (buf[0] != '+' && buf[0] != '-')
		return PROBE_NOMATCH;
	/* A status line is short: one not ended within 512 bytes is not
	 * Redis' (and a longer prefix never turns into a match). */
	if ((nl = memchr(buf, '\n', len < 512 ? len : 512)) == NULL)
		return len >= 512 ? PROBE_NOMATCH : PROBE_MORE;
	n = (size_t)(nl - buf);
	if (n < 2 || buf[n - 1] != '\r')
		return PROBE_NOMATCH;
	n--;
	for (size_t i = 1; i < n; i++)
		if (buf[i] < 0x20 || buf[i] >= 0x7f)
			return PROBE_NOMATCH;
	if (buf[0] == '+' && (n != 5 || memcmp(buf, "+PONG", 5) != 0))
		return PROBE_NOMATCH;
	snprintf(detail, dl, "%.*s%s", (int)(n > 120 ? 120 : n),
	    (const char *)buf, n >= 7 && memcmp(buf, "-NOAUTH", 7) == 0 ?
	    " (it is Redis; it wants a password: REDIS_URL's "
	    "unix://:PASSWORD@/path form, or redis-cli -a)" : "");
	return PROBE_MATCH;
}

static void
rd_advice(const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "Redis clients: REDIS_URL=unix://%s (some "
	    "clients spell it redis+unix://%s); redis-cli -s %s", path, path,
	    path);
}

const struct probe_svc probe_redis = {
	"redis", "Redis", rd_paths, rd_bases, 6379,
	"PING\r\n", 6, "PING",
	rd_parse, rd_advice,
};
