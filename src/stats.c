/*
 * stats: see stats.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"

static const char *const err_names[STATS_NERR] = {
	"connect_refused", "connect_timeout", "connect_other", "reset", "io",
	"idle_timeout", "accept_paused", "denied", "proxy_header",
};

struct out {
	char	*buf;
	size_t	 len, n;
};

static void	put(struct out *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (o->n + 1 >= o->len)
		return;
	va_start(ap, fmt);
	w = vsnprintf(o->buf + o->n, o->len - o->n, fmt, ap);
	va_end(ap);
	if (w > 0)
		o->n += (size_t)w < o->len - o->n ? (size_t)w : o->len - o->n - 1;
}

static void
meta(struct out *o, int help, const char *name, const char *type,
    const char *text)
{
	if (help)
		put(o, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

/* A label value: backslash, quote and newline escaped. */
static void
label(char *dst, size_t len, const char *s)
{
	size_t n = 0;

	for (; *s != '\0' && n + 3 < len; s++) {
		if (*s == '\\' || *s == '"') {
			dst[n++] = '\\';
			dst[n++] = *s;
		} else if (*s == '\n') {
			dst[n++] = '\\';
			dst[n++] = 'n';
		} else
			dst[n++] = *s;
	}
	dst[n] = '\0';
}

size_t
stats_format(const struct stats *s, int help, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	char l[512];

	if (len == 0)
		return 0;
	buf[0] = '\0';
	meta(&o, help, "sockbridge_connections_active", "gauge",
	    "Connections open now.");
	put(&o, "sockbridge_connections_active %llu\n",
	    (unsigned long long)s->conns_active);
	meta(&o, help, "sockbridge_connections_total", "counter",
	    "Connections accepted.");
	put(&o, "sockbridge_connections_total %llu\n",
	    (unsigned long long)s->conns_total);
	meta(&o, help, "sockbridge_bytes_total", "counter",
	    "Bytes relayed: up is toward the target, down toward the client.");
	put(&o, "sockbridge_bytes_total{direction=\"up\"} %llu\n",
	    (unsigned long long)s->bytes_up);
	put(&o, "sockbridge_bytes_total{direction=\"down\"} %llu\n",
	    (unsigned long long)s->bytes_down);
	meta(&o, help, "sockbridge_errors_total", "counter",
	    "Errors by kind.");
	for (int i = 0; i < STATS_NERR; i++)
		put(&o, "sockbridge_errors_total{kind=\"%s\"} %llu\n",
		    err_names[i], (unsigned long long)s->err[i]);
	if (s->ntargets > 0) {
		meta(&o, help, "sockbridge_target_up", "gauge",
		    "1 while the target is not marked down.");
		for (int i = 0; i < s->ntargets; i++) {
			label(l, sizeof(l), s->targets[i].name);
			put(&o, "sockbridge_target_up{target=\"%s\",backup=\"%d\"} "
			    "%d\n", l, s->targets[i].backup, s->targets[i].up);
		}
		meta(&o, help, "sockbridge_target_connects_total", "counter",
		    "Connect attempts to the target.");
		for (int i = 0; i < s->ntargets; i++) {
			label(l, sizeof(l), s->targets[i].name);
			put(&o, "sockbridge_target_connects_total{target=\"%s\"} "
			    "%llu\n", l, (unsigned long long)s->targets[i].conns);
		}
		meta(&o, help, "sockbridge_target_failures_total", "counter",
		    "Failed connect attempts to the target.");
		for (int i = 0; i < s->ntargets; i++) {
			label(l, sizeof(l), s->targets[i].name);
			put(&o, "sockbridge_target_failures_total{target=\"%s\"} "
			    "%llu\n", l,
			    (unsigned long long)s->targets[i].failures);
		}
	}
	return o.n;
}
