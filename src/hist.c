/*
 * hist: a log-linear histogram. See hist.h.
 *
 * Layout (HdrHistogram's, with 7 sub-bucket bits):
 *   bucket v                         for v < 256, one value each;
 *   bucket 256 + (e - 8) * 128
 *          + ((v >> (e - 7)) - 128)  for v >= 256, where e is the index of
 *                                    the highest set bit of v, so the top
 *                                    eight bits of v pick one of 128 slots
 *                                    of width 2^(e - 7) in [2^e, 2^(e+1)).
 * A bucket is at most 1/128 of its lower bound wide: that is the error.
 *
 * HIST_BUCKETS stops at e = 62, one binade short of a full uint64_t: values
 * from 2^63 up to UINT64_MAX (292 years in nanoseconds) all go to the last
 * bucket, which is therefore open-ended. min and max stay exact, so
 * hist_pct() never reports past what was recorded.
 *
 * An empty histogram has count 0, min UINT64_MAX and max 0.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hist.h"

/*
 * Take a value, return the index of its bucket, always < HIST_BUCKETS.
 * Constant time: one count-leading-zeros, shifts and adds.
 */
static size_t
hist_bucket(uint64_t v)
{
	unsigned int e, shift;
	size_t idx;

	if (v < HIST_LINEAR)
		return (size_t)v;
	e = 63 - (unsigned int)__builtin_clzll(v);	/* v != 0 here */
	shift = e - HIST_SUB_BITS;
	/* 256 + (e - 8) * 128 + (sub - 128), folded: (e - 7) * 128 + sub */
	idx = (size_t)shift * HIST_SUB + (size_t)(v >> shift);
	if (idx >= HIST_BUCKETS)
		idx = HIST_BUCKETS - 1;
	return idx;
}

/*
 * Take a bucket index, return the highest value that lands in it ("highest
 * equivalent value" in HdrHistogram's words). The last bucket also holds
 * everything past the end of the layout, so its highest value is UINT64_MAX.
 */
static uint64_t
hist_highest(size_t idx)
{
	unsigned int shift;
	uint64_t sub;

	if (idx < HIST_LINEAR)
		return (uint64_t)idx;
	if (idx >= HIST_BUCKETS - 1)
		return UINT64_MAX;
	shift = (unsigned int)(idx / HIST_SUB) - 1;
	sub = (uint64_t)(idx % HIST_SUB) + HIST_SUB;
	return (sub << shift) + (((uint64_t)1 << shift) - 1);
}

/*
 * Empty the histogram.
 */
void
hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
	h->max = 0;
	h->sum = 0.0;
}

/*
 * Record one sample. O(1); only the running sum is floating point.
 */
void
hist_add(struct hist *h, uint64_t value)
{
	h->n[hist_bucket(value)]++;
	h->count++;
	if (value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
	h->sum += (double)value;
}

/*
 * Add every sample of src into dst, as if dst had recorded them itself
 * (the sum may differ in the last bits: addition order changes).
 * Merging an empty histogram changes nothing.
 */
void
hist_merge(struct hist *dst, const struct hist *src)
{
	size_t i;

	if (src->count == 0)
		return;
	for (i = 0; i < HIST_BUCKETS; i++)
		dst->n[i] += src->n[i];
	dst->count += src->count;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->sum += src->sum;
}

/*
 * Take a percentile in [0, 100]; return the highest value equivalent to the
 * bucket that holds the sample of rank ceil(pct / 100 * count) (at least 1),
 * clamped to [min, max], so a histogram of one value answers that value
 * exactly. pct >= 100 returns the exact max; pct <= 0 or NaN asks for the
 * first sample. Returns 0 when the histogram is empty.
 */
uint64_t
hist_pct(const struct hist *h, double pct)
{
	uint64_t rank, seen, v;
	double want;
	size_t i;

	if (h->count == 0)
		return 0;
	if (pct >= 100.0)
		return h->max;
	rank = 1;
	if (pct > 0.0) {	/* false for NaN too */
		want = ceil(pct / 100.0 * (double)h->count);
		if (want >= (double)h->count)
			rank = h->count;
		else if (want > 1.0)
			rank = (uint64_t)want;
	}

	seen = 0;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->n[i];
		if (seen >= rank)
			break;
	}
	if (i == HIST_BUCKETS)		/* counts out of step with count */
		return h->max;
	v = hist_highest(i);
	if (v > h->max)
		v = h->max;
	if (v < h->min)
		v = h->min;
	return v;
}

/*
 * Return the arithmetic mean of the samples, 0 when there are none.
 */
double
hist_mean(const struct hist *h)
{
	if (h->count == 0)
		return 0.0;
	return h->sum / (double)h->count;
}
