/*
 * keepalive: see keepalive.h.
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "errbuf.h"
#include "keepalive.h"
#include "sys.h"

void
keepalive_default(struct keepalive *ka)
{
	ka->on = 1;
	ka->idle_s = KEEPALIVE_IDLE_S;
	ka->intvl_s = KEEPALIVE_INTVL_S;
	ka->cnt = KEEPALIVE_CNT;
}

/* One duration of whole seconds, 1 to KEEPALIVE_TIME_MAX. */
static int
parse_secs(const char *part, const char *what, int *out, char *err,
    size_t errlen)
{
	int ms;

	if (addr_parse_duration(part, &ms) == -1)
		return errbuf_set(err, errlen, "%s '%s': not a duration (like 60, "
		    "90s, 2m)", what, part);
	if (ms % 1000 != 0 || ms / 1000 < 1 || ms / 1000 > KEEPALIVE_TIME_MAX)
		return errbuf_set(err, errlen, "%s '%s': must be whole seconds "
		    "from 1 to %d", what, part, KEEPALIVE_TIME_MAX);
	*out = ms / 1000;
	return 0;
}

int
keepalive_parse(const char *s, struct keepalive *ka, char *err,
    size_t errlen)
{
	static const char *const what[] = { "idle time", "interval", "count" };
	char part[3][32];
	struct keepalive k;
	long cnt;
	int n = 0;

	keepalive_default(&k);
	if (strcmp(s, "off") == 0) {
		k.on = 0;
		*ka = k;
		return 0;
	}
	for (const char *p = s;; n++) {
		size_t len = strcspn(p, ",");

		if (n == 3)
			return errbuf_set(err, errlen, "more than IDLE,INTVL,CNT");
		if (len == 0 || len >= sizeof(part[0]))
			return errbuf_set(err, errlen, "%s: %s", what[n],
			    len == 0 ? "empty" : "too long");
		memcpy(part[n], p, len);
		part[n][len] = '\0';
		if (p[len] == '\0') {
			n++;
			break;
		}
		p += len + 1;
	}
	if (parse_secs(part[0], what[0], &k.idle_s, err, errlen) == -1)
		return -1;
	if (n > 1 && parse_secs(part[1], what[1], &k.intvl_s, err, errlen) == -1)
		return -1;
	if (n > 2) {
		if (addr_parse_int(part[2], 1, KEEPALIVE_CNT_MAX, &cnt) == -1)
			return errbuf_set(err, errlen, "count '%s': not a number "
			    "from 1 to %d", part[2], KEEPALIVE_CNT_MAX);
		k.cnt = (int)cnt;
	}
	*ka = k;
	return 0;
}

int
keepalive_apply(int fd, const struct keepalive *ka)
{
	if (!sys_is_tcp(fd))
		return 0;
	return sys_keepalive(fd, ka->on, ka->idle_s, ka->intvl_s, ka->cnt);
}
