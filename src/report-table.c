/*
 * report-table: bench results as an aligned table for people. See
 * report-table.h.
 */
#include <stdio.h>
#include <string.h>

#include "esc.h"
#include "report.h"
#include "report-table.h"
#include "util.h"

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

/* Take a path and a column width; print the path left-aligned in it. */
static void
put_path_cell(FILE *f, const struct report_row *r, size_t width)
{
	size_t shown = esc_put(f, r->path, report_row_path_len(r), ESC_TEXT);

	for (; shown < width; shown++)
		fputc(' ', f);
}

/* "12%" spread of repeated runs, "-" for a single run. */
static const char *
fmt_spread(char *buf, size_t len, const struct report_row *r)
{
	if (r->runs < 2)
		return "-";
	snprintf(buf, len, "%.0f%%", report_finite(r->spread) * 100.0);
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
		esc_put(f, r->res->err, sizeof(r->res->err), ESC_TEXT);
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
	    strcmp(report_row_work(g), "lines") == 0 ? "lines/s" : "msg/s",
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
	    W_WALL, report_finite(res->wall_s),
	    W_RATE, report_fmt_thou(rate, sizeof(rate), report_speed(r), 0),
	    W_MB, report_fmt_mb(mb, sizeof(mb), report_mb_per_s(r)));
	for (size_t i = 0; i < nitems(pcts); i++)
		fprintf(f, " %*s", W_LAT, res->rtt.count == 0 ? "-" :
		    report_fmt_us(lat, sizeof(lat), report_rtt_us(r, pcts[i])));
	fprintf(f, "  %*s  %*s  %*s\n",
	    W_CPU, res->msgs_all == 0 || !report_cpu_known(r) ? "-" :
	    report_fmt_us(cpu, sizeof(cpu), report_cpu_us_per_msg(r)),
	    W_VS, report_fmt_vs(vs, sizeof(vs), report_vs_tcp(r, rows, n)),
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
	double gbs = report_mb_per_s(r) / 1e3, cpu = report_cpu_s_per_gb(r);

	put_path_cell(f, r, pw);
	fprintf(f, "  %*d  %*.2f  %*s  %*.*f  ", W_USERS, r->users,
	    W_WALL, report_finite(r->res->wall_s),
	    W_MB + 2, report_fmt_mb(mb, sizeof(mb), report_mb_per_s(r)),
	    W_GB, gbs < 99.995 ? 2 : 1, gbs);
	if (cpu > 0.0)
		fprintf(f, "%*.*f", W_CPUGB, cpu < 99.995 ? 2 : 0, cpu);
	else
		fprintf(f, "%*s", W_CPUGB, "-");
	fprintf(f, "  %*s  %*s\n", W_VS, report_fmt_vs(vs, sizeof(vs),
	    report_vs_tcp(r, rows, n)), W_SPREAD,
	    fmt_spread(sp, sizeof(sp), r));
}

/*
 * Say whose CPU the CPU column counts: never a server bench did not start,
 * and "not measured" rather than a figure missing a part.
 */
static void
cpu_footer(FILE *f, const struct report_row *rows, size_t n)
{
	unsigned wanted = 0;
	int unknown = 0, ok = 0;

	for (size_t i = 0; i < n; i++) {
		if (report_row_failed(&rows[i]))
			continue;
		ok = 1;
		wanted |= rows[i].res->cpu_wanted;
		unknown |= !report_cpu_known(&rows[i]);
	}
	if (!ok)
		return;
	if (unknown)
		fputs("CPU: not measured on this system (the server's and "
		    "relay's CPU are read from /proc on Linux, libproc on "
		    "macOS)\n", f);
	else if (!(wanted & BENCH_CPU_SERVER))
		fputs("CPU: the client's (bench) only; the server at "
		    "--address was not started by bench, so its CPU is not "
		    "counted\n", f);
	else if (wanted & BENCH_CPU_RELAY)
		fputs("CPU: client + server + relay (with the processes it "
		    "forks) over the whole run\n", f);
	else
		fputs("CPU: client + server over the whole run\n", f);
}

void
report_table(FILE *f, const struct report_row *rows, size_t n)
{
	size_t pw = 4;		/* strlen("path") */
	int any_msg = 0, groups = 0;

	for (size_t i = 0; i < n; i++)
		if (report_row_path_chars(&rows[i]) > pw)
			pw = report_row_path_chars(&rows[i]);
	for (size_t gi = 0; gi < n; gi++) {
		const struct report_row *g = &rows[gi];
		char title[256];
		int have = 0, users = 0;

		if (!report_group_first(rows, gi))
			continue;
		if (groups++ > 0)
			fputc('\n', f);
		esc_put(f, report_group_title(title, sizeof(title), g, rows, n),
		    sizeof(title), ESC_TEXT);
		fputc('\n', f);
		if (report_row_is_stream(g))
			table_stream_header(f, pw);
		else {
			table_msg_header(f, g, pw);
			any_msg = 1;
		}
		while (report_group_next_users(rows, n, g, have, users,
		    &users)) {
			have = 1;
			for (size_t i = gi; i < n; i++) {
				const struct report_row *r = &rows[i];

				if (!report_same_group(r, g) ||
				    r->users != users)
					continue;
				if (report_row_failed(r))
					table_failed(f, r, pw);
				else if (report_row_is_stream(r))
					table_stream_row(f, r, rows, n, pw);
				else
					table_msg_row(f, r, rows, n, pw);
			}
		}
	}
	if (n > 0)
		fputc('\n', f);
	if (any_msg)
		fputs("round trip: from send (open loop: from when due) to "
		    "the last byte of the echo, after warm-up\n", f);
	cpu_footer(f, rows, n);
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
