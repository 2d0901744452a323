/*
 * report: bench results for people (an aligned table), for programs (JSON
 * lines) and for the eye (an SVG chart). See report.h.
 *
 * Rows are grouped by workload: the same work, message size, loop count and
 * rate. Within a group they go by number of users, then in the order given,
 * so the paths measured under one load sit next to each other. The JSON
 * keeps the order given, one object per row.
 *
 * Labels come from the command line, error texts from the system: every
 * string is cleaned for where it goes. The table gets no control bytes; JSON
 * and SVG get valid UTF-8 (bad bytes become U+FFFD) with their own escapes,
 * and XML also loses the control characters it cannot carry at all.
 * Numbers never print as nan or inf.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define nitems(x)	(sizeof(x) / sizeof((x)[0]))

/* Percentiles the latency columns and curves show; 100 is the max. */
static const double lat_pcts[] = { 50.0, 90.0, 99.0, 99.9, 99.99, 100.0 };
static const char *const lat_names[] = {
	"p50", "p90", "p99", "p99.9", "p99.99", "max"
};

/* Tableau 10: distinct, readable on white, kind to most colour blindness. */
static const char *const palette[] = {
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};
/* Line styles that tell user counts apart within one latency panel. */
static const char *const dashes[] = { "", "7 4", "2 3", "10 3 2 3" };

enum esc { ESC_TEXT, ESC_JSON, ESC_XML };

/* ---------------------------------------------------------------- rows */

static const char *
row_work(const struct report_row *r)
{
	return r->work != NULL ? r->work : "";
}

/* Streams count bytes; everything else counts messages. */
static int
row_is_stream(const struct report_row *r)
{
	return strncmp(row_work(r), "stream", 6) == 0;
}

static int
row_failed(const struct report_row *r)
{
	return r->res == NULL || r->res->err[0] != '\0';
}

/* The label may fill its array without a NUL. */
static size_t
row_path_len(const struct report_row *r)
{
	return strnlen(r->path, sizeof(r->path));
}

static int
same_rate(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

/* Rows of one workload share a heading, a bar scale and a latency panel. */
static int
same_group(const struct report_row *a, const struct report_row *b)
{
	return strcmp(row_work(a), row_work(b)) == 0 && a->size == b->size &&
	    a->loop == b->loop && same_rate(a->rate, b->rate);
}

/* Is rows[i] the first of its group? */
static int
group_first(const struct report_row *rows, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (same_group(&rows[j], &rows[i]))
			return 0;
	return 1;
}

/*
 * Take the user count last shown (have_prev 0: none yet) and return, in
 * *next, the smallest user count above it among the rows of g's group, so
 * a group is shown by users, ascending. Returns 1 if there is one, 0 when
 * the group is done.
 */
static int
group_next_users(const struct report_row *rows, size_t n,
    const struct report_row *g, int have_prev, int prev, int *next)
{
	int found = 0;

	for (size_t i = 0; i < n; i++) {
		if (!same_group(&rows[i], g) ||
		    (have_prev && rows[i].users <= prev))
			continue;
		if (!found || rows[i].users < *next)
			*next = rows[i].users;
		found = 1;
	}
	return found;
}

static int
same_path(const struct report_row *a, const struct report_row *b)
{
	size_t len = row_path_len(a);

	return len == row_path_len(b) && memcmp(a->path, b->path, len) == 0;
}

/* Is rows[i] the first row with its path? */
static int
path_first(const struct report_row *rows, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (same_path(&rows[j], &rows[i]))
			return 0;
	return 1;
}

/* Index of the row's path among the distinct paths, for its colour: the
 * same path has the same colour in every chart. */
static size_t
path_index(const struct report_row *rows, size_t i)
{
	size_t k = 0;

	for (size_t j = 0; j < i; j++) {
		if (same_path(&rows[j], &rows[i]))
			return path_index(rows, j);
		if (path_first(rows, j))
			k++;
	}
	return k;
}

static const char *
path_color(const struct report_row *rows, size_t i)
{
	return palette[path_index(rows, i) % nitems(palette)];
}

static double
finite_or_0(double v)
{
	return isfinite(v) ? v : 0.0;
}

double
report_speed(const struct report_row *r)
{
	const struct bench_result *res = r->res;
	double count;

	if (res == NULL || !(res->measured_s > 0.0))	/* NaN too */
		return 0.0;
	count = row_is_stream(r) ? (double)res->bytes : (double)res->msgs;
	return finite_or_0(count / res->measured_s);
}

/*
 * The tcp row r is measured against: path "tcp", same work, users and size,
 * and not failed; one with the same loop and rate too if there is one.
 * NULL if none.
 */
static const struct report_row *
find_tcp(const struct report_row *r, const struct report_row *rows, size_t n)
{
	const struct report_row *loose = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct report_row *t = &rows[i];

		if (row_path_len(t) != 3 || memcmp(t->path, "tcp", 3) != 0 ||
		    strcmp(row_work(t), row_work(r)) != 0 ||
		    t->users != r->users || t->size != r->size ||
		    row_failed(t))
			continue;
		if (t->loop == r->loop && same_rate(t->rate, r->rate))
			return t;
		if (loose == NULL)
			loose = t;
	}
	return loose;
}

double
report_vs_tcp(const struct report_row *r, const struct report_row *rows,
    size_t n)
{
	const struct report_row *tcp;
	double base;

	if (row_failed(r) || (tcp = find_tcp(r, rows, n)) == NULL)
		return 0.0;
	base = report_speed(tcp);
	if (!(base > 0.0))
		return 0.0;
	return finite_or_0(report_speed(r) / base);
}

static double
cpu_sum(const struct bench_result *res)
{
	return res->cpu_client_s + res->cpu_server_s + res->cpu_relay_s;
}

/* CPU microseconds per message, warm-up included on both sides; 0 if none. */
static double
cpu_us_per_msg(const struct report_row *r)
{
	if (r->res == NULL || r->res->msgs_all == 0)
		return 0.0;
	return finite_or_0(cpu_sum(r->res) / (double)r->res->msgs_all * 1e6);
}

/*
 * CPU seconds per GB moved, 0 if nothing moved. CPU is counted over the
 * whole run but bytes only after warm-up, so the bytes are scaled up to the
 * whole run at the measured rate; without that a long warm-up would inflate
 * the cost.
 */
static double
cpu_s_per_gb(const struct report_row *r)
{
	const struct bench_result *res = r->res;
	double bytes;

	if (res == NULL || res->bytes == 0)
		return 0.0;
	bytes = (double)res->bytes;
	if (res->measured_s > 0.0 && res->wall_s > res->measured_s)
		bytes *= res->wall_s / res->measured_s;
	return finite_or_0(cpu_sum(res) / (bytes / 1e9));
}

static double
mb_per_s(const struct report_row *r)
{
	const struct bench_result *res = r->res;

	if (res == NULL || !(res->measured_s > 0.0))
		return 0.0;
	return finite_or_0((double)res->bytes / res->measured_s / 1e6);
}

/* Round-trip percentile in microseconds; 0 when there are no samples. */
static double
rtt_us(const struct report_row *r, double pct)
{
	if (r->res == NULL || r->res->rtt.count == 0)
		return 0.0;
	return (double)hist_pct(&r->res->rtt, pct) / 1e3;
}

/* ------------------------------------------------------------- strings */

/*
 * Take bytes s[0..len); return the length of the valid UTF-8 sequence at s
 * (1 to 4), or 0 if it is not one: overlong forms, surrogates, code points
 * past U+10FFFF, and U+FFFE/U+FFFF (which XML refuses) all count as bad.
 */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
	uint32_t cp;
	size_t need;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (len < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp == 0xfffe || cp == 0xffff)
		return 0;
	return need;
}

/*
 * Write s[0..len) (it stops early at a NUL) cleaned for its destination:
 * ESC_TEXT turns control bytes into '?', ESC_JSON escapes quotes,
 * backslashes and control characters, ESC_XML escapes markup and drops the
 * control characters XML 1.0 forbids. JSON and XML also replace bytes that
 * are not UTF-8 with U+FFFD. Returns the number of characters shown, for
 * padding.
 */
static size_t
put_str(FILE *f, const char *s, size_t len, enum esc esc)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, shown = 0;

	while (i < len && p[i] != '\0') {
		unsigned char c = p[i];
		size_t k;

		shown++;
		if (esc == ESC_TEXT) {
			fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
			if ((c & 0xc0) == 0x80)	/* continuation: no column */
				shown--;
			i++;
			continue;
		}
		if ((k = utf8_seq(p + i, len - i)) == 0) {
			fputs(esc == ESC_JSON ? "\\ufffd" : "\xef\xbf\xbd", f);
			i++;
			continue;
		}
		if (k > 1) {
			/* a NUL cannot hide in a valid sequence */
			fwrite(p + i, 1, k, f);
			i += k;
			continue;
		}
		i++;
		if (esc == ESC_JSON) {
			switch (c) {
			case '"':  fputs("\\\"", f); break;
			case '\\': fputs("\\\\", f); break;
			case '\b': fputs("\\b", f); break;
			case '\f': fputs("\\f", f); break;
			case '\n': fputs("\\n", f); break;
			case '\r': fputs("\\r", f); break;
			case '\t': fputs("\\t", f); break;
			default:
				if (c < 0x20)
					fprintf(f, "\\u%04x", c);
				else
					fputc(c, f);
			}
			continue;
		}
		switch (c) {
		case '<':  fputs("&lt;", f); break;
		case '>':  fputs("&gt;", f); break;
		case '&':  fputs("&amp;", f); break;
		case '"':  fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			/* XML 1.0 has no way to say the other C0 controls */
			fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
		}
	}
	return shown;
}

static void
put_cstr(FILE *f, const char *s, enum esc esc)
{
	put_str(f, s, strlen(s), esc);
}

/* Characters (not bytes) in the row's label, for alignment. */
static size_t
row_path_chars(const struct report_row *r)
{
	const unsigned char *p = (const unsigned char *)r->path;
	size_t w = 0, len = row_path_len(r);

	for (size_t j = 0; j < len; j++)
		if ((p[j] & 0xc0) != 0x80)
			w++;
	return w;
}

/* Write the row's label for XML, cut to max characters with an ellipsis
 * so a long one cannot run off the chart. */
static void
put_label(FILE *f, const struct report_row *r, size_t max)
{
	const unsigned char *p = (const unsigned char *)r->path;
	size_t len = row_path_len(r), cut = 0, chars = 0;

	if (row_path_chars(r) <= max) {
		put_str(f, r->path, len, ESC_XML);
		return;
	}
	/* stop at the first byte of character number max */
	for (; cut < len; cut++)
		if ((p[cut] & 0xc0) != 0x80 && chars++ == max - 1)
			break;
	put_str(f, r->path, cut, ESC_XML);
	fputs("&#8230;", f);
}

/* Take a path and a column width; print the path left-aligned in it. */
static void
put_path_cell(FILE *f, const struct report_row *r, size_t width)
{
	size_t shown = put_str(f, r->path, row_path_len(r), ESC_TEXT);

	for (; shown < width; shown++)
		fputc(' ', f);
}

/*
 * Format v with prec decimals and thousands separators into buf:
 * 1234567.8 -> "1,234,567.8". Not finite: "-". Returns buf.
 */
static const char *
fmt_thou(char *buf, size_t len, double v, int prec)
{
	char tmp[64];
	size_t o = 0, i = 0, digits = 0;

	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (fabs(v) >= 1e18) {
		snprintf(buf, len, "%.3g", v);
		return buf;
	}
	snprintf(tmp, sizeof(tmp), "%.*f", prec, v);
	if (tmp[0] == '-')
		i = 1;
	while (tmp[i + digits] >= '0' && tmp[i + digits] <= '9')
		digits++;
	for (size_t j = 0; tmp[j] != '\0' && o + 1 < len; j++) {
		if (j > i && j < i + digits && (i + digits - j) % 3 == 0) {
			buf[o++] = ',';
			if (o + 1 >= len)
				break;
		}
		buf[o++] = tmp[j];
	}
	buf[o] = '\0';
	return buf;
}

/* Microseconds: one decimal below 100, whole above; absurd ones short. */
static const char *
fmt_us(char *buf, size_t len, double us)
{
	us = finite_or_0(us);
	if (us >= 1e9)
		snprintf(buf, len, "%.3g", us);
	else
		snprintf(buf, len, us < 99.95 ? "%.1f" : "%.0f", us);
	return buf;
}

/* Megabytes per second: two decimals below 10, one below 1000, then 1,234. */
static const char *
fmt_mb(char *buf, size_t len, double mb)
{
	if (mb < 9.995)
		snprintf(buf, len, "%.2f", finite_or_0(mb));
	else if (mb < 999.95)
		snprintf(buf, len, "%.1f", mb);
	else
		fmt_thou(buf, len, mb, 0);
	return buf;
}

/* "64 B", "1,500 B", "64 KiB", "1 MiB". */
static const char *
fmt_size(char *buf, size_t len, size_t size)
{
	char num[32];

	if (size >= 1048576 && size % 1048576 == 0)
		snprintf(buf, len, "%s MiB",
		    fmt_thou(num, sizeof(num), (double)(size / 1048576), 0));
	else if (size >= 1024 && size % 1024 == 0)
		snprintf(buf, len, "%s KiB",
		    fmt_thou(num, sizeof(num), (double)(size / 1024), 0));
	else
		snprintf(buf, len, "%s B",
		    fmt_thou(num, sizeof(num), (double)size, 0));
	return buf;
}

/* "2.10x tcp", or "-" when there is nothing to compare with. */
static const char *
fmt_vs(char *buf, size_t len, double vs)
{
	if (vs > 0.0)
		snprintf(buf, len, "%.2fx tcp", vs);
	else
		snprintf(buf, len, "-");
	return buf;
}

/*
 * Take the first row of a group; write its heading (plain text, not yet
 * escaped) into buf, e.g. "lines workload: 66,000-line corpus x 1 loop,
 * full round trip per line". The number of lines is worked out from a row
 * that finished: every user sends every line loop times.
 */
static const char *
group_title(char *buf, size_t len, const struct report_row *g,
    const struct report_row *rows, size_t n)
{
	const char *w = row_work(g);
	char size[48], num[48];
	int o = 0;

	fmt_size(size, sizeof(size), g->size);
	if (strcmp(w, "lines") == 0) {
		uint64_t lines = 0;

		for (size_t i = 0; i < n && lines == 0; i++) {
			const struct report_row *r = &rows[i];
			uint64_t per;

			if (!same_group(r, g) || row_failed(r) ||
			    r->users < 1 || r->loop < 1)
				continue;
			per = (uint64_t)r->users * (uint64_t)r->loop;
			if (r->res->msgs_all > 0 && r->res->msgs_all % per == 0)
				lines = r->res->msgs_all / per;
		}
		if (lines > 0)
			o = snprintf(buf, len, "lines workload: %s-line corpus",
			    fmt_thou(num, sizeof(num), (double)lines, 0));
		else
			o = snprintf(buf, len, "lines workload: corpus");
		if (o >= 0 && (size_t)o < len)
			o += snprintf(buf + o, len - (size_t)o,
			    " x %d loop%s, full round trip per line",
			    g->loop, g->loop == 1 ? "" : "s");
	} else if (strcmp(w, "pingpong") == 0)
		o = snprintf(buf, len, "pingpong workload: %s messages, one in "
		    "flight per user, full round trip per message", size);
	else if (strcmp(w, "stream") == 0)
		o = snprintf(buf, len, "stream workload: %s writes, both ways "
		    "through an echo server (MB/s counts one way)", size);
	else if (strcmp(w, "stream-up") == 0)
		o = snprintf(buf, len, "stream-up workload: %s writes, one way "
		    "into a discard server", size);
	else
		o = snprintf(buf, len, "%s workload: %s", w, size);
	if (g->rate > 0.0 && isfinite(g->rate) && o >= 0 && (size_t)o < len)
		snprintf(buf + o, len - (size_t)o, ", open loop at %s msg/s "
		    "per user", fmt_thou(num, sizeof(num), g->rate,
		    g->rate == floor(g->rate) ? 0 : 1));
	return buf;
}

/* --------------------------------------------------------------- table */

/* Column widths. The path column is as wide as the longest label. */
#define W_USERS	5
#define W_WALL	6
#define W_RATE	10
#define W_MB	7
#define W_LAT	8
#define W_CPU	10
#define W_VS	10
#define W_GB	7
#define W_CPUGB	9
#define W_SPREAD 6

/* "12%" spread of repeated runs, "-" for a single run. */
static const char *
fmt_spread(char *buf, size_t len, const struct report_row *r)
{
	if (r->runs < 2)
		return "-";
	snprintf(buf, len, "%.0f%%", finite_or_0(r->spread) * 100.0);
	return buf;
}

static void
table_failed(FILE *f, const struct report_row *r, size_t pw)
{
	put_path_cell(f, r, pw);
	fprintf(f, "  %*d  FAILED: ", W_USERS, r->users);
	if (r->res == NULL)
		fputs("no result", f);
	else
		put_str(f, r->res->err, sizeof(r->res->err), ESC_TEXT);
	fputc('\n', f);
}

static void
table_msg_header(FILE *f, const struct report_row *g, size_t pw)
{
	const char *span = " round trip us ";
	size_t lat_w = 5 * W_LAT + 4, left, right;
	size_t lead = pw + 2 + W_USERS + 2 + W_WALL + 2 + W_RATE + 2 + W_MB + 2;

	left = (lat_w - strlen(span)) / 2;
	right = lat_w - strlen(span) - left;
	fprintf(f, "%*s", (int)lead, "");
	for (size_t i = 0; i < left; i++)
		fputc('-', f);
	fputs(span, f);
	for (size_t i = 0; i < right; i++)
		fputc('-', f);
	fputc('\n', f);
	fprintf(f, "%-*s  %*s  %*s  %*s  %*s  %*s %*s %*s %*s %*s  %*s  %*s  %*s\n",
	    (int)pw, "path", W_USERS, "users", W_WALL, "wall s", W_RATE,
	    strcmp(row_work(g), "lines") == 0 ? "lines/s" : "msg/s",
	    W_MB, "MB/s", W_LAT, "p50", W_LAT, "p90", W_LAT, "p99",
	    W_LAT, "p99.9", W_LAT, "max", W_CPU, "CPU us/msg", W_VS, "vs tcp",
	    W_SPREAD, "spread");
}

static void
table_msg_row(FILE *f, const struct report_row *r,
    const struct report_row *rows, size_t n, size_t pw)
{
	static const double pcts[] = { 50.0, 90.0, 99.0, 99.9, 100.0 };
	const struct bench_result *res = r->res;
	char rate[48], mb[48], cpu[48], vs[48], lat[48], sp[16];

	put_path_cell(f, r, pw);
	fprintf(f, "  %*d  %*.2f  %*s  %*s ", W_USERS, r->users,
	    W_WALL, finite_or_0(res->wall_s),
	    W_RATE, fmt_thou(rate, sizeof(rate), report_speed(r), 0),
	    W_MB, fmt_mb(mb, sizeof(mb), mb_per_s(r)));
	for (size_t i = 0; i < nitems(pcts); i++)
		fprintf(f, " %*s", W_LAT, res->rtt.count == 0 ? "-" :
		    fmt_us(lat, sizeof(lat), rtt_us(r, pcts[i])));
	fprintf(f, "  %*s  %*s  %*s\n",
	    W_CPU, res->msgs_all == 0 ? "-" :
	    fmt_us(cpu, sizeof(cpu), cpu_us_per_msg(r)),
	    W_VS, fmt_vs(vs, sizeof(vs), report_vs_tcp(r, rows, n)),
	    W_SPREAD, fmt_spread(sp, sizeof(sp), r));
}

static void
table_stream_header(FILE *f, size_t pw)
{
	fprintf(f, "%-*s  %*s  %*s  %*s  %*s  %*s  %*s  %*s\n",
	    (int)pw, "path", W_USERS, "users", W_WALL, "wall s",
	    W_MB + 2, "MB/s", W_GB, "GB/s", W_CPUGB, "CPU s/GB", W_VS, "vs tcp",
	    W_SPREAD, "spread");
}

static void
table_stream_row(FILE *f, const struct report_row *r,
    const struct report_row *rows, size_t n, size_t pw)
{
	char mb[48], vs[48], sp[16];
	double gbs = mb_per_s(r) / 1e3, cpu = cpu_s_per_gb(r);

	put_path_cell(f, r, pw);
	fprintf(f, "  %*d  %*.2f  %*s  %*.*f  ", W_USERS, r->users,
	    W_WALL, finite_or_0(r->res->wall_s),
	    W_MB + 2, fmt_mb(mb, sizeof(mb), mb_per_s(r)),
	    W_GB, gbs < 99.995 ? 2 : 1, gbs);
	if (cpu > 0.0)
		fprintf(f, "%*.*f", W_CPUGB, cpu < 99.995 ? 2 : 0, cpu);
	else
		fprintf(f, "%*s", W_CPUGB, "-");
	fprintf(f, "  %*s  %*s\n", W_VS, fmt_vs(vs, sizeof(vs),
	    report_vs_tcp(r, rows, n)), W_SPREAD, fmt_spread(sp, sizeof(sp), r));
}

void
report_table(FILE *f, const struct report_row *rows, size_t n)
{
	size_t pw = 4;		/* strlen("path") */
	int any_msg = 0, groups = 0;

	for (size_t i = 0; i < n; i++)
		if (row_path_chars(&rows[i]) > pw)
			pw = row_path_chars(&rows[i]);
	for (size_t gi = 0; gi < n; gi++) {
		const struct report_row *g = &rows[gi];
		char title[256];
		int have = 0, users = 0;

		if (!group_first(rows, gi))
			continue;
		if (groups++ > 0)
			fputc('\n', f);
		put_cstr(f, group_title(title, sizeof(title), g, rows, n),
		    ESC_TEXT);
		fputc('\n', f);
		if (row_is_stream(g))
			table_stream_header(f, pw);
		else {
			table_msg_header(f, g, pw);
			any_msg = 1;
		}
		while (group_next_users(rows, n, g, have, users, &users)) {
			have = 1;
			for (size_t i = gi; i < n; i++) {
				const struct report_row *r = &rows[i];

				if (!same_group(r, g) || r->users != users)
					continue;
				if (row_failed(r))
					table_failed(f, r, pw);
				else if (row_is_stream(r))
					table_stream_row(f, r, rows, n, pw);
				else
					table_msg_row(f, r, rows, n, pw);
			}
		}
	}
	if (any_msg)
		fputs("\nround trip: from send (open loop: from when due) to "
		    "the last byte of the echo, after warm-up\n"
		    "CPU: client + server + relay over the whole run\n", f);
	{
		int lo = 0, hi = 0;

		for (size_t i = 0; i < n; i++) {
			if (lo == 0 || rows[i].runs < lo)
				lo = rows[i].runs;
			if (rows[i].runs > hi)
				hi = rows[i].runs;
		}
		if (hi > 1 && lo == hi)
			fprintf(f, "each row: the median of %d runs, paths "
			    "interleaved; spread: (max - min) / median speed\n",
			    hi);
		else if (hi > 1)
			fprintf(f, "each row: the median of %d to %d runs (as "
			    "time allowed; \"runs\" in --json), paths "
			    "interleaved; spread: (max - min) / median speed\n",
			    lo, hi);
	}
}

/* ---------------------------------------------------------------- JSON */

/* A JSON number: finite, fixed point. */
static void
json_num(FILE *f, double v, int prec)
{
	fprintf(f, "%.*f", prec, finite_or_0(v) + 0.0);	/* no -0 */
}

void
report_json(FILE *f, const struct report_row *rows, size_t n)
{
	static const char *const keys[] = {
		"min", "p50", "p90", "p99", "p999", "max", "mean"
	};
	static const double pcts[] = { 0.0, 50.0, 90.0, 99.0, 99.9, 100.0 };

	for (size_t i = 0; i < n; i++) {
		const struct report_row *r = &rows[i];
		struct bench_result zero;
		const struct bench_result *res = r->res;

		if (res == NULL) {
			memset(&zero, 0, sizeof(zero));
			hist_init(&zero.rtt);
			res = &zero;
		}
		fputs("{\"path\":\"", f);
		put_str(f, r->path, row_path_len(r), ESC_JSON);
		fputs("\",\"workload\":\"", f);
		put_cstr(f, row_work(r), ESC_JSON);
		fprintf(f, "\",\"users\":%d,\"size\":%zu,\"loop\":%d,\"rate\":",
		    r->users, r->size, r->loop);
		json_num(f, r->rate, r->rate == floor(r->rate) ? 0 : 3);
		fprintf(f, ",\"messages\":%" PRIu64 ",\"messages_total\":%"
		    PRIu64 ",\"bytes\":%" PRIu64 ",\"wall_s\":",
		    res->msgs, res->msgs_all, res->bytes);
		json_num(f, res->wall_s, 6);
		fputs(",\"measured_s\":", f);
		json_num(f, res->measured_s, 6);
		fputs(",\"msgs_per_s\":", f);
		json_num(f, row_is_stream(r) || r->res == NULL ? 0.0 :
		    report_speed(r), 3);
		fputs(",\"mb_per_s\":", f);
		json_num(f, mb_per_s(r), 6);
		fputs(",\"rtt_us\":{", f);
		for (size_t k = 0; k < nitems(keys); k++) {
			double v;

			if (res->rtt.count == 0)
				v = 0.0;
			else if (k < nitems(pcts))
				v = (double)hist_pct(&res->rtt, pcts[k]) / 1e3;
			else
				v = hist_mean(&res->rtt) / 1e3;
			fprintf(f, "%s\"%s\":", k > 0 ? "," : "", keys[k]);
			json_num(f, v, 3);
		}
		fputs("},\"cpu_s\":{\"client\":", f);
		json_num(f, res->cpu_client_s, 6);
		fputs(",\"server\":", f);
		json_num(f, res->cpu_server_s, 6);
		fputs(",\"relay\":", f);
		json_num(f, res->cpu_relay_s, 6);
		fputs("},\"cpu_us_per_msg\":", f);
		json_num(f, cpu_us_per_msg(r), 3);
		fputs(",\"vs_tcp\":", f);
		json_num(f, report_vs_tcp(r, rows, n), 4);
		fprintf(f, ",\"runs\":%d,\"spread\":", r->runs);
		json_num(f, r->spread, 4);
		fputs(",\"error\":", f);
		if (r->res == NULL)
			fputs("\"no result\"", f);
		else if (res->err[0] == '\0')
			fputs("null", f);
		else {
			fputc('"', f);
			put_str(f, res->err, sizeof(res->err), ESC_JSON);
			fputc('"', f);
		}
		fputs("}\n", f);
	}
}

/* ----------------------------------------------------------------- SVG */

#define SVG_W		1000
#define SVG_MARGIN	24
#define BAR_H		16
#define BAR_PITCH	22
#define LAT_PLOT_H	260
#define LAT_LEGEND_W	230
#define BAR_LABEL_MAX	36	/* characters of a label shown */
#define LEGEND_LABEL_MAX 18

/* Throughput in the row's own unit: MB/s for streams. */
static double
bar_value(const struct report_row *r)
{
	return row_is_stream(r) ? mb_per_s(r) : report_speed(r);
}

static const char *
bar_unit(const struct report_row *r)
{
	if (row_is_stream(r))
		return "MB/s";
	return strcmp(row_work(r), "lines") == 0 ? "lines/s" : "msg/s";
}

/* Thousands-separated with a sensible number of decimals. */
static const char *
fmt_value(char *buf, size_t len, double v)
{
	return fmt_thou(buf, len, v, v < 9.995 ? 2 : v < 99.95 ? 1 : 0);
}

/*
 * Draw the throughput bars of every group from y down; return the y below.
 * One bar per row; bars of a workload share a scale, so the effect of more
 * users shows as well as the difference between paths.
 */
static int
svg_bars(FILE *f, const struct report_row *rows, size_t n, int y)
{
	size_t maxlen = 12;
	int label_r, bar_x, bar_w;

	for (size_t i = 0; i < n; i++)
		if (row_path_chars(&rows[i]) > maxlen)
			maxlen = row_path_chars(&rows[i]);
	if (maxlen > BAR_LABEL_MAX)
		maxlen = BAR_LABEL_MAX;
	/* at most 8 px a character at 12 px */
	label_r = SVG_MARGIN + (int)maxlen * 8;
	bar_x = label_r + 10;
	bar_w = SVG_W - bar_x - 230;

	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"17\" "
	    "font-weight=\"bold\">Throughput <tspan font-weight=\"normal\" "
	    "fill=\"#666\" font-size=\"13\">(longer is better)</tspan></text>\n",
	    SVG_MARGIN, y + 17);
	y += 34;
	for (size_t gi = 0; gi < n; gi++) {
		const struct report_row *g = &rows[gi];
		char title[256];
		double max = 0.0;
		int have = 0, users = 0;

		if (!group_first(rows, gi))
			continue;
		for (size_t i = gi; i < n; i++)
			if (same_group(&rows[i], g) && !row_failed(&rows[i]) &&
			    bar_value(&rows[i]) > max)
				max = bar_value(&rows[i]);
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"13\" "
		    "font-weight=\"bold\" fill=\"#333\">", SVG_MARGIN, y + 13);
		put_cstr(f, group_title(title, sizeof(title), g, rows, n),
		    ESC_XML);
		fputs("</text>\n", f);
		y += 22;
		while (group_next_users(rows, n, g, have, users, &users)) {
			have = 1;
			fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\" "
			    "fill=\"#777\">%d user%s</text>\n", bar_x, y + 10,
			    users, users == 1 ? "" : "s");
			y += 15;
			for (size_t i = gi; i < n; i++) {
				const struct report_row *r = &rows[i];
				char val[48], vs[48];
				double v;
				int w;

				if (!same_group(r, g) || r->users != users)
					continue;
				fprintf(f, "<text x=\"%d\" y=\"%d\" "
				    "font-size=\"12\" text-anchor=\"end\">",
				    label_r, y + 12);
				put_label(f, r, BAR_LABEL_MAX);
				fputs("</text>\n", f);
				if (row_failed(r)) {
					fprintf(f, "<text x=\"%d\" y=\"%d\" "
					    "font-size=\"12\" fill=\"#c0392b\">"
					    "FAILED: ", bar_x, y + 12);
					if (r->res == NULL)
						fputs("no result", f);
					else
						put_str(f, r->res->err, 90,
						    ESC_XML);
					fputs("</text>\n", f);
					y += BAR_PITCH;
					continue;
				}
				v = bar_value(r);
				w = max > 0.0 ? (int)lround(v / max * bar_w) : 0;
				if (w < 1 && v > 0.0)
					w = 1;
				fmt_value(val, sizeof(val), v);
				fmt_vs(vs, sizeof(vs), report_vs_tcp(r, rows, n));
				fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" "
				    "height=\"%d\" rx=\"2\" fill=\"%s\"><title>",
				    bar_x, y, w, BAR_H, path_color(rows, i));
				put_str(f, r->path, row_path_len(r), ESC_XML);
				fprintf(f, ": %s %s</title></rect>\n", val,
				    bar_unit(r));
				fprintf(f, "<text x=\"%d\" y=\"%d\" "
				    "font-size=\"12\">%s %s", bar_x + w + 6,
				    y + 12, val, bar_unit(r));
				if (strcmp(vs, "-") != 0)
					fprintf(f, "<tspan fill=\"#777\" "
					    "dx=\"8\">%s</tspan>", vs);
				fputs("</text>\n", f);
				y += BAR_PITCH;
			}
		}
		y += 12;
	}
	return y;
}

/* "500 ns", "2 µs", "100 µs", "1 ms", "20 s": a log-axis tick label. */
static void
svg_tick_label(FILE *f, double us)
{
	if (us < 1.0)
		fprintf(f, "%g ns", us * 1e3);
	else if (us < 1e3)
		fprintf(f, "%g &#181;s", us);
	else if (us < 1e6)
		fprintf(f, "%g ms", us / 1e3);
	else
		fprintf(f, "%g s", us / 1e6);
}

/* x of a percentile on the nines scale: p50 0.3, p90 1, p99 2, ..., max 5. */
static double
nines(size_t k)
{
	if (lat_pcts[k] >= 100.0)
		return 5.0;
	return -log10(1.0 - lat_pcts[k] / 100.0);
}

/* Does this row get a latency curve? */
static int
has_curve(const struct report_row *r)
{
	return !row_is_stream(r) && !row_failed(r) && r->res->rtt.count > 0;
}

/*
 * Draw one latency panel for g's group from y down; return the y below.
 * x: percentile on the nines scale; y: round trip on a log scale spanning
 * whole decades around the data. One curve per row, coloured by path,
 * dashed by user count, each with a legend entry.
 */
static int
svg_latency_panel(FILE *f, const struct report_row *rows, size_t n,
    const struct report_row *g, int y)
{
	const int pl = SVG_MARGIN + 66, pr = SVG_W - SVG_MARGIN - LAT_LEGEND_W;
	double lo = INFINITY, hi = 0.0, dlo, dhi, decade_step;
	int pt, pb, entries = 0, ulist[nitems(dashes)], nu = 0;
	int have = 0, users = 0, ly;
	char title[256];

	for (size_t i = 0; i < n; i++) {
		if (!same_group(&rows[i], g) || !has_curve(&rows[i]))
			continue;
		entries++;
		for (size_t k = 0; k < nitems(lat_pcts); k++) {
			double v = rtt_us(&rows[i], lat_pcts[k]);

			if (v < 1e-3)		/* 1 ns: the log axis floor */
				v = 1e-3;
			if (v < lo)
				lo = v;
			if (v > hi)
				hi = v;
		}
	}
	if (entries == 0)
		return y;
	while (nu < (int)nitems(ulist) &&
	    group_next_users(rows, n, g, have, users, &users)) {
		have = 1;
		ulist[nu++] = users;
	}
	dlo = floor(log10(lo));
	dhi = ceil(log10(hi));
	if (dhi <= dlo)
		dhi = dlo + 1;

	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"13\" "
	    "font-weight=\"bold\" fill=\"#333\">", SVG_MARGIN, y + 13);
	put_cstr(f, group_title(title, sizeof(title), g, rows, n), ESC_XML);
	fputs("</text>\n", f);
	pt = y + 30;
	pb = pt + LAT_PLOT_H;
	if (pb < pt + 24 + entries * 18)
		pb = pt + 24 + entries * 18;

#define LAT_X(x)	(pl + 16 + ((x) - nines(0)) / (5.0 - nines(0)) * \
			    (pr - pl - 32))
#define LAT_Y(v)	(pb - (log10(v) - dlo) / (dhi - dlo) * (pb - pt))
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
	    "fill=\"#fafafa\" stroke=\"#ccc\"/>\n", pl, pt, pr - pl, pb - pt);
	/*
	 * y gridlines: a line every decade, labelled; 2 and 5 too while there
	 * is room. A wild range (a stall of seconds among microseconds) labels
	 * every decade_step-th decade only, so labels never overlap.
	 */
	decade_step = ceil((dhi - dlo) / 10.0);
	for (double d = dlo; d <= dhi; d++) {
		static const double steps[] = { 1, 2, 5 };

		for (size_t s = 0; s < nitems(steps); s++) {
			double v = steps[s] * pow(10.0, d);
			int major = s == 0;

			if (v > pow(10.0, dhi) * 1.0001 ||
			    (!major && dhi - dlo > 4))
				break;
			fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"%s\"/>\n", pl, pr, LAT_Y(v),
			    LAT_Y(v), major ? "#d0d0d0" : "#ececec");
			if ((!major && dhi - dlo > 2) ||
			    fmod(d - dlo, decade_step) != 0.0)
				continue;
			fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" "
			    "text-anchor=\"end\" fill=\"%s\">", pl - 6,
			    LAT_Y(v) + 4, major ? "#333" : "#888");
			svg_tick_label(f, v);
			fputs("</text>\n", f);
		}
	}
	for (size_t k = 0; k < nitems(lat_pcts); k++) {
		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
		    "stroke=\"#e4e4e4\"/>\n", LAT_X(nines(k)), LAT_X(nines(k)),
		    pt, pb);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" "
		    "text-anchor=\"middle\" fill=\"#333\">%s</text>\n",
		    LAT_X(nines(k)), pb + 15, lat_names[k]);
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" "
	    "text-anchor=\"middle\" fill=\"#555\">percentile (nines scale)"
	    "</text>\n", (pl + pr) / 2.0, pb + 32);
	fprintf(f, "<text transform=\"translate(%d %.1f) rotate(-90)\" "
	    "font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">round "
	    "trip (log scale)</text>\n", SVG_MARGIN + 4, (pt + pb) / 2.0);

	ly = pt + 6;
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" "
	    "font-weight=\"bold\" fill=\"#333\">path, users</text>\n",
	    pr + 20, ly + 8);
	ly += 22;
	for (size_t i = 0; i < n; i++) {
		const struct report_row *r = &rows[i];
		const char *color = path_color(rows, i), *dash = "";

		if (!same_group(r, g) || !has_curve(r))
			continue;
		for (int u = 0; u < nu; u++)
			if (ulist[u] == r->users)
				dash = dashes[u];
		fprintf(f, "<g stroke=\"%s\" fill=\"%s\">\n<polyline "
		    "fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\"",
		    color, color);
		if (dash[0] != '\0')
			fprintf(f, " stroke-dasharray=\"%s\"", dash);
		fputs(" points=\"", f);
		for (size_t k = 0; k < nitems(lat_pcts); k++) {
			double v = rtt_us(r, lat_pcts[k]);

			fprintf(f, "%s%.1f,%.1f", k > 0 ? " " : "",
			    LAT_X(nines(k)), LAT_Y(v < 1e-3 ? 1e-3 : v));
		}
		fputs("\"/>\n", f);
		for (size_t k = 0; k < nitems(lat_pcts); k++) {
			double v = rtt_us(r, lat_pcts[k]);
			char num[48];

			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\">"
			    "<title>", LAT_X(nines(k)),
			    LAT_Y(v < 1e-3 ? 1e-3 : v));
			put_str(f, r->path, row_path_len(r), ESC_XML);
			fprintf(f, ", %d user%s: %s %s &#181;s</title></circle>\n",
			    r->users, r->users == 1 ? "" : "s", lat_names[k],
			    fmt_us(num, sizeof(num), v));
		}
		/* legend entry */
		fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" "
		    "stroke-width=\"2\"", pr + 20, pr + 48, ly, ly);
		if (dash[0] != '\0')
			fprintf(f, " stroke-dasharray=\"%s\"", dash);
		fprintf(f, "/>\n<circle cx=\"%d\" cy=\"%d\" r=\"3\"/>\n"
		    "</g>\n<text x=\"%d\" y=\"%d\" font-size=\"12\">",
		    pr + 34, ly, pr + 56, ly + 4);
		put_label(f, r, LEGEND_LABEL_MAX);
		fprintf(f, "<tspan fill=\"#777\">, %d</tspan></text>\n",
		    r->users);
		ly += 18;
	}
#undef LAT_X
#undef LAT_Y
	return pb + 52;
}

/* Draw the charts into f; return the height used. */
static int
svg_body(FILE *f, const struct report_row *rows, size_t n)
{
	int y = SVG_MARGIN, any = 0;

	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"22\" "
	    "font-weight=\"bold\" fill=\"#222\">sockbridge bench</text>\n",
	    SVG_MARGIN, y + 20);
	y += 44;
	if (n == 0) {
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"14\">no "
		    "results</text>\n", SVG_MARGIN, y + 14);
		return y + 40;
	}
	y = svg_bars(f, rows, n, y);
	for (size_t i = 0; i < n; i++)
		any |= has_curve(&rows[i]);
	if (!any)
		return y + 8;
	y += 16;
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"17\" "
	    "font-weight=\"bold\">Round-trip latency by percentile <tspan "
	    "font-weight=\"normal\" fill=\"#666\" font-size=\"13\">(lower is "
	    "better; hover a point for its value)</tspan></text>\n",
	    SVG_MARGIN, y + 17);
	y += 36;
	for (size_t gi = 0; gi < n; gi++)
		if (group_first(rows, gi) && !row_is_stream(&rows[gi]))
			y = svg_latency_panel(f, rows, n, &rows[gi], y);
	return y;
}

int
report_svg(const char *path, const struct report_row *rows, size_t n)
{
	char *body = NULL;
	size_t body_len = 0;
	FILE *mem, *f;
	int height, rc = 0;

	/* The height is known only once drawn: draw to memory first. */
	if ((mem = open_memstream(&body, &body_len)) == NULL)
		return -errno;
	height = svg_body(mem, rows, n);
	if (fclose(mem) == EOF) {
		rc = -errno;
		free(body);
		return rc;
	}
	if ((f = fopen(path, "w")) == NULL) {
		rc = -errno;
		free(body);
		return rc;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
	    "<title>sockbridge bench</title>\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n"
	    "<g font-family=\"Helvetica, Arial, 'DejaVu Sans', sans-serif\" "
	    "fill=\"#222\">\n", SVG_W, height, SVG_W, height);
	fwrite(body, 1, body_len, f);
	fputs("</g>\n</svg>\n", f);
	free(body);
	if (ferror(f)) {
		rc = -(errno != 0 ? errno : EIO);
		fclose(f);
		return rc;
	}
	if (fclose(f) == EOF)
		return -errno;
	return 0;
}
