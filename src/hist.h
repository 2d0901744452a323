/*
 * hist: a log-linear latency histogram in the manner of HdrHistogram:
 * values below 256 are exact; above, each power of two is split into 128
 * sub-buckets, so any recorded value is known to within 1/128 (< 1%).
 * Fixed size, no allocation; histograms of several threads add up.
 */
#ifndef SB_HIST_H
#define SB_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS	7
#define HIST_SUB	(1 << HIST_SUB_BITS)		/* 128 */
#define HIST_LINEAR	(2 * HIST_SUB)			/* exact below 256 */
#define HIST_BUCKETS	(HIST_LINEAR + (64 - HIST_SUB_BITS - 1) * HIST_SUB)

struct hist {
	uint64_t	 count;
	uint64_t	 min, max;
	double		 sum;
	uint64_t	 n[HIST_BUCKETS];
};

void	 hist_init(struct hist *);
void	 hist_add(struct hist *, uint64_t value);
/* Add every sample of src into dst. */
void	 hist_merge(struct hist *dst, const struct hist *src);
/* The value below which pct percent of samples fall (HdrHistogram: the
 * highest value equivalent to the bucket holding that sample; the exact
 * max at 100). 0 when empty. */
uint64_t hist_pct(const struct hist *, double pct);
double	 hist_mean(const struct hist *);

#endif
