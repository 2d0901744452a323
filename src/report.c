/*
 * report: bench results as rows, and what the three outputs (report-table,
 * report-json, report-svg) share: grouping, derived figures and number
 * formats. See report.h.
 *
 * Rows are grouped by workload: the same work, message size, loop count and
 * rate. Within a group they go by number of users, then in the order given,
 * so the paths measured under one load sit next to each other.
 *
 * Labels come from the command line, error texts from the system: every
 * string is cleaned for where it goes (esc.h). Numbers never print as nan
 * or inf.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "util.h"

/* Tableau 10: distinct, readable on white, kind to most colour blindness. */
static const char *const palette[] = {
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};

const char *
report_row_work(const struct report_row *r)
{
	return r->work != NULL ? r->work : "";
}

/* Streams count bytes; everything else counts messages. */
int
report_row_is_stream(const struct report_row *r)
{
	return strncmp(report_row_work(r), "stream", 6) == 0;
}

int
report_row_failed(const struct report_row *r)
{
	return r->res == NULL || r->res->err[0] != '\0';
}

/* The label may fill its array without a NUL. */
size_t
report_row_path_len(const struct report_row *r)
{
	return strnlen(r->path, sizeof(r->path));
}

static int
same_rate(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

/* Rows of one workload share a heading, a bar scale and a latency panel. */
int
report_same_group(const struct report_row *a, const struct report_row *b)
{
	return strcmp(report_row_work(a), report_row_work(b)) == 0 &&
	    a->size == b->size &&
	    a->loop == b->loop && same_rate(a->rate, b->rate);
}

/* Is rows[i] the first of its group? */
int
report_group_first(const struct report_row *rows, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (report_same_group(&rows[j], &rows[i]))
			return 0;
	return 1;
}

/*
 * Take the user count last shown (have_prev 0: none yet) and return, in
 * *next, the smallest user count above it among the rows of g's group, so
 * a group is shown by users, ascending. Returns 1 if there is one, 0 when
 * the group is done.
 */
int
report_group_next_users(const struct report_row *rows, size_t n,
    const struct report_row *g, int have_prev, int prev, int *next)
{
	int found = 0;

	for (size_t i = 0; i < n; i++) {
		if (!report_same_group(&rows[i], g) ||
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
	size_t len = report_row_path_len(a);

	return len == report_row_path_len(b) &&
	    memcmp(a->path, b->path, len) == 0;
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

const char *
report_path_color(const struct report_row *rows, size_t i)
{
	return palette[path_index(rows, i) % nitems(palette)];
}

double
report_finite(double v)
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
	count = report_row_is_stream(r) ? (double)res->bytes :
	    (double)res->msgs;
	return report_finite(count / res->measured_s);
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

		if (report_row_path_len(t) != 3 ||
		    memcmp(t->path, "tcp", 3) != 0 ||
		    strcmp(report_row_work(t), report_row_work(r)) != 0 ||
		    t->users != r->users || t->size != r->size ||
		    report_row_failed(t))
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

	if (report_row_failed(r) || (tcp = find_tcp(r, rows, n)) == NULL)
		return 0.0;
	base = report_speed(tcp);
	if (!(base > 0.0))
		return 0.0;
	return report_finite(report_speed(r) / base);
}

/* The CPU of the client and of what bench started and could measure. */
static double
cpu_sum(const struct bench_result *res)
{
	return res->cpu_client_s +
	    (res->cpu_measured & BENCH_CPU_SERVER ? res->cpu_server_s : 0) +
	    (res->cpu_measured & BENCH_CPU_RELAY ? res->cpu_relay_s : 0);
}

int
report_cpu_known(const struct report_row *r)
{
	return r->res != NULL &&
	    (r->res->cpu_measured & r->res->cpu_wanted) == r->res->cpu_wanted;
}

/* CPU microseconds per message, warm-up included on both sides; 0 if none
 * or not known. */
double
report_cpu_us_per_msg(const struct report_row *r)
{
	if (!report_cpu_known(r) || r->res->msgs_all == 0)
		return 0.0;
	return report_finite(cpu_sum(r->res) / (double)r->res->msgs_all * 1e6);
}

/*
 * CPU seconds per GB moved, 0 if nothing moved. CPU is counted over the
 * whole run but bytes only after warm-up, so the bytes are scaled up to the
 * whole run at the measured rate; without that a long warm-up would inflate
 * the cost.
 */
double
report_cpu_s_per_gb(const struct report_row *r)
{
	const struct bench_result *res = r->res;
	double bytes;

	if (!report_cpu_known(r) || res->bytes == 0)
		return 0.0;
	bytes = (double)res->bytes;
	if (res->measured_s > 0.0 && res->wall_s > res->measured_s)
		bytes *= res->wall_s / res->measured_s;
	return report_finite(cpu_sum(res) / (bytes / 1e9));
}

double
report_mb_per_s(const struct report_row *r)
{
	const struct bench_result *res = r->res;

	if (res == NULL || !(res->measured_s > 0.0))
		return 0.0;
	return report_finite((double)res->bytes / res->measured_s / 1e6);
}

/* Round-trip percentile in microseconds; 0 when there are no samples. */
double
report_rtt_us(const struct report_row *r, double pct)
{
	if (r->res == NULL || r->res->rtt.count == 0)
		return 0.0;
	return (double)hist_pct(&r->res->rtt, pct) / 1e3;
}

/* Characters (not bytes) in the row's label, for alignment. */
size_t
report_row_path_chars(const struct report_row *r)
{
	const unsigned char *p = (const unsigned char *)r->path;
	size_t w = 0, len = report_row_path_len(r);

	for (size_t j = 0; j < len; j++)
		if ((p[j] & 0xc0) != 0x80)
			w++;
	return w;
}

/*
 * Format v with prec decimals and thousands separators into buf:
 * 1234567.8 -> "1,234,567.8". Not finite: "-". Returns buf.
 */
const char *
report_fmt_thou(char *buf, size_t len, double v, int prec)
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
const char *
report_fmt_us(char *buf, size_t len, double us)
{
	us = report_finite(us);
	if (us >= 1e9)
		snprintf(buf, len, "%.3g", us);
	else
		snprintf(buf, len, us < 99.95 ? "%.1f" : "%.0f", us);
	return buf;
}

/* Megabytes per second: two decimals below 10, one below 1000, then 1,234. */
const char *
report_fmt_mb(char *buf, size_t len, double mb)
{
	if (mb < 9.995)
		snprintf(buf, len, "%.2f", report_finite(mb));
	else if (mb < 999.95)
		snprintf(buf, len, "%.1f", mb);
	else
		report_fmt_thou(buf, len, mb, 0);
	return buf;
}

/* "64 B", "1,500 B", "64 KiB", "1 MiB". */
static const char *
fmt_size(char *buf, size_t len, size_t size)
{
	char num[32];

	if (size >= 1048576 && size % 1048576 == 0)
		snprintf(buf, len, "%s MiB",
		    report_fmt_thou(num, sizeof(num), (double)(size / 1048576),
		    0));
	else if (size >= 1024 && size % 1024 == 0)
		snprintf(buf, len, "%s KiB",
		    report_fmt_thou(num, sizeof(num), (double)(size / 1024),
		    0));
	else
		snprintf(buf, len, "%s B",
		    report_fmt_thou(num, sizeof(num), (double)size, 0));
	return buf;
}

/* "2.10x tcp", or "-" when there is nothing to compare with. */
const char *
report_fmt_vs(char *buf, size_t len, double vs)
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
 * full round trip per line", or with --input "lines workload: book.txt
 * (2,000 lines) x 10 loops, ...". Without a count in the row, the number
 * of lines is worked out from a row that finished: every user sends every
 * line loop times.
 */
const char *
report_group_title(char *buf, size_t len, const struct report_row *g,
    const struct report_row *rows, size_t n)
{
	const char *w = report_row_work(g);
	char size[48], num[48];
	int o = 0;

	fmt_size(size, sizeof(size), g->size);
	if (strcmp(w, "lines") == 0) {
		uint64_t lines = g->lines;

		for (size_t i = 0; i < n && lines == 0; i++) {
			const struct report_row *r = &rows[i];
			uint64_t per;

			if (!report_same_group(r, g) || report_row_failed(r) ||
			    r->users < 1 || r->loop < 1)
				continue;
			per = (uint64_t)r->users * (uint64_t)r->loop;
			if (r->res->msgs_all > 0 && r->res->msgs_all % per == 0)
				lines = r->res->msgs_all / per;
		}
		report_fmt_thou(num, sizeof(num), (double)lines, 0);
		if (g->input != NULL)
			o = snprintf(buf, len, "lines workload: %.160s (%s "
			    "line%s)", g->input, lines > 0 ? num : "?",
			    lines == 1 ? "" : "s");
		else if (lines > 0)
			o = snprintf(buf, len, "lines workload: %s-line corpus",
			    num);
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
		    "per user", report_fmt_thou(num, sizeof(num), g->rate,
		    g->rate == floor(g->rate) ? 0 : 1));
	return buf;
}
