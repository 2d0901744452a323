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
	"peer_limit",
};

/* The text so far: n counts every byte asked for, even those past len,
 * so that a first pass with len 0 measures the text. */
struct out {
	char	*buf;
	size_t	 len, n;
};

static void
putc_out(struct out *o, char c)
{
	if (o->n + 1 < o->len)
		o->buf[o->n] = c;
	o->n++;
}

static void	put(struct out *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* Every caller's format is short; a longer one is a bug here. */
	for (int i = 0; i < w && (size_t)i < sizeof(tmp) - 1; i++)
		putc_out(o, tmp[i]);
}

static void
meta(struct out *o, int help, const char *name, const char *type,
    const char *text)
{
	if (help)
		put(o, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

/*
 * Length of the well-formed UTF-8 sequence at s (1-4), or 0 if the bytes
 * there are not one (stray continuation, overlong form, surrogate, past
 * U+10FFFF, cut short by the end of the string).
 */
static int
utf8_len(const unsigned char *s)
{
	int n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * A label value, whole, escaped as the exposition format asks: backslash,
 * double quote and line feed get a backslash; the format is UTF-8, so a
 * byte that is not part of well-formed UTF-8 (an exec: command line may
 * hold any) becomes U+FFFD.
 */
static void
label(struct out *o, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s != '\0') {
		int n = utf8_len(s);

		if (n == 0) {
			put(o, "\xef\xbf\xbd");
			s++;
			continue;
		}
		if (*s == '\\' || *s == '"') {
			putc_out(o, '\\');
			putc_out(o, (char)*s);
		} else if (*s == '\n') {
			putc_out(o, '\\');
			putc_out(o, 'n');
		} else
			for (int i = 0; i < n; i++)
				putc_out(o, (char)s[i]);
		s += n;
	}
}

size_t
stats_format(const struct stats *s, int help, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

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
			put(&o, "sockbridge_target_up{target=\"");
			label(&o, s->targets[i].name);
			put(&o, "\",backup=\"%d\"} %d\n", s->targets[i].backup,
			    s->targets[i].up);
		}
		meta(&o, help, "sockbridge_target_connects_total", "counter",
		    "Connect attempts to the target.");
		for (int i = 0; i < s->ntargets; i++) {
			put(&o, "sockbridge_target_connects_total{target=\"");
			label(&o, s->targets[i].name);
			put(&o, "\"} %llu\n",
			    (unsigned long long)s->targets[i].conns);
		}
		meta(&o, help, "sockbridge_target_failures_total", "counter",
		    "Failed connect attempts to the target.");
		for (int i = 0; i < s->ntargets; i++) {
			put(&o, "sockbridge_target_failures_total{target=\"");
			label(&o, s->targets[i].name);
			put(&o, "\"} %llu\n",
			    (unsigned long long)s->targets[i].failures);
		}
	}
	if (len > 0)
		buf[o.n < len ? o.n : len - 1] = '\0';
	return o.n;
}
