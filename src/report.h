/*
 * report: print bench results as a table, JSON lines or an SVG chart.
 */
#ifndef SB_REPORT_H
#define SB_REPORT_H

#include <stddef.h>
#include <stdio.h>

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
	struct bench_result *res;
};

/* Throughput of a row: messages/s, or bytes/s for streams. */
double	report_speed(const struct report_row *);
/* Speed relative to the "tcp" row of the same workload, users and size;
 * 0 when there is none. */
double	report_vs_tcp(const struct report_row *, const struct report_row *,
	    size_t n);

void	report_table(FILE *, const struct report_row *, size_t n);
void	report_json(FILE *, const struct report_row *, size_t n);
/* Write an SVG chart to path. Returns 0 or -errno. */
int	report_svg(const char *path, const struct report_row *, size_t n);

#endif
