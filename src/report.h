/*
 * report: bench results as rows, and what the three outputs share:
 * grouping, derived figures and number formats. The outputs are
 * report-table.h (people), report-json.h (programs), report-svg.h (the
 * eye).
 */
#ifndef SB_REPORT_H
#define SB_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "bench.h"

struct report_row {
	char		 path[48];	/* "tcp", "unix", "unix->relay->tcp" */
	const char	*work;		/* "lines", "pingpong", ... */
	int		 users;
	size_t		 size;		/* pingpong/stream message size */
	int		 loop;
	double		 rate;		/* open loop rate, 0: closed */
	int		 runs;		/* res is the median of this many */
	double		 spread;	/* (max - min) / median speed */
	const char	*input;		/* lines: --input FILE, NULL: corpus */
	uint64_t	 lines;		/* lines: lines in the input, 0: count
					 * them from the messages */
	struct bench_result *res;
};

/* Throughput of a row: messages/s, or bytes/s for streams. */
double	report_speed(const struct report_row *);
/* Speed relative to the "tcp" row of the same workload, users and size;
 * 0 when there is none. */
double	report_vs_tcp(const struct report_row *, const struct report_row *,
	    size_t n);

/* The row's workload name, "" for none. */
const char *report_row_work(const struct report_row *);
/* 1 if the row counts bytes (a stream), 0 if it counts messages. */
int	report_row_is_stream(const struct report_row *);
/* 1 if the row has no result or an error text, else 0. */
int	report_row_failed(const struct report_row *);
/* Bytes and characters in the label, which may fill its array unended. */
size_t	report_row_path_len(const struct report_row *);
size_t	report_row_path_chars(const struct report_row *);

/* 1 if two rows share a workload, size, loop and rate (a group). */
int	report_same_group(const struct report_row *, const struct report_row *);
/* 1 if rows[i] is the first of its group. */
int	report_group_first(const struct report_row *rows, size_t i);
/* The next user count above prev (none yet: have_prev 0) in g's group, in
 * *next. Returns 1, or 0 when there is none. */
int	report_group_next_users(const struct report_row *rows, size_t n,
	    const struct report_row *g, int have_prev, int prev, int *next);
/* Heading of g's group as plain text in buf; returns buf. */
const char *report_group_title(char *buf, size_t len,
	    const struct report_row *g, const struct report_row *rows,
	    size_t n);
/* "#rrggbb" of rows[i]'s path, the same for a path in every chart. */
const char *report_path_color(const struct report_row *rows, size_t i);

/* v if finite, else 0. */
double	report_finite(double v);
/* 1 if the CPU of every process bench started for the row was measured
 * (cpu_wanted, cpu_measured in bench.h), 0 if some could not be. */
int	report_cpu_known(const struct report_row *);
/* Derived figures of a row, 0 when there is nothing to derive them from
 * (the CPU ones also when the CPU is not known). */
double	report_cpu_us_per_msg(const struct report_row *);
double	report_cpu_s_per_gb(const struct report_row *);
double	report_mb_per_s(const struct report_row *);
double	report_rtt_us(const struct report_row *, double pct);

/* Number formats into buf; each returns buf. */
const char *report_fmt_thou(char *buf, size_t len, double v, int prec);
const char *report_fmt_us(char *buf, size_t len, double us);
const char *report_fmt_mb(char *buf, size_t len, double mb);
const char *report_fmt_vs(char *buf, size_t len, double vs);

#endif
