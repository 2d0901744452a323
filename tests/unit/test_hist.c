/*
 * Unit tests for src/hist.c, the log-linear histogram.
 *
 * Percentiles of known distributions (uniform, exponential, bimodal) drawn
 * from a fixed-seed PRNG are compared with the exact quantiles of a sorted
 * copy of the same samples: the histogram must be within 1%. Edge cases:
 * empty, one sample, one value many times, every power-of-two boundary,
 * values up to UINT64_MAX, hostile percentiles (NaN, negative, > 100), and
 * merging. Run under -fsanitize=address,undefined.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hist.h"
#include "util.h"


#define NSAMPLES	1000000

/* Percentiles every distribution test checks. */
static const double pcts[] = { 50.0, 90.0, 99.0, 99.9 };

/* Worst relative error seen over the distribution tests, for the summary. */
static double worst_err;

/*
 * splitmix64: a fixed-seed generator, so every run sees the same samples.
 */
static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z;

	z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A uniform double in (0, 1]: never 0, so log() is safe. */
static double
rng_unit(uint64_t *s)
{
	return ((double)(rng_next(s) >> 11) + 1.0) / 9007199254740992.0;
}

/* A uniform integer in [lo, hi]. */
static uint64_t
rng_range(uint64_t *s, uint64_t lo, uint64_t hi)
{
	return lo + rng_next(s) % (hi - lo + 1);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * The exact quantile of sorted samples, by the rule hist_pct() uses: the
 * sample of rank ceil(pct / 100 * n), at least 1.
 */
static uint64_t
exact_pct(const uint64_t *sorted, size_t n, double pct)
{
	double want = ceil(pct / 100.0 * (double)n);
	size_t rank = want < 1.0 ? 1 : (size_t)want;

	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/*
 * Record samples into a histogram, sort them, and check each percentile of
 * pcts[] against the exact one (within 1%), and min, max, p100 and mean
 * exactly (the sums stay below 2^53, so the double sum is exact).
 */
static void
check_dist(const char *name, uint64_t *v, size_t n)
{
	struct hist h;
	uint64_t exact, got;
	double err, worst = 0.0, sum = 0.0;
	size_t i;

	hist_init(&h);
	for (i = 0; i < n; i++) {
		hist_add(&h, v[i]);
		sum += (double)v[i];
	}
	qsort(v, n, sizeof(*v), cmp_u64);

	assert_int_equal(h.count, n);
	assert_int_equal(h.min, v[0]);
	assert_int_equal(h.max, v[n - 1]);
	assert_int_equal(hist_pct(&h, 100.0), v[n - 1]);
	assert_true(hist_mean(&h) == sum / (double)n);

	for (i = 0; i < nitems(pcts); i++) {
		exact = exact_pct(v, n, pcts[i]);
		got = hist_pct(&h, pcts[i]);
		err = fabs((double)got - (double)exact) / (double)exact;
		if (err > worst)
			worst = err;
		if (err > 0.01) {
			print_error("%s p%g: hist %llu, exact %llu, error %.3f%%\n",
			    name, pcts[i], (unsigned long long)got,
			    (unsigned long long)exact, err * 100.0);
			fail();
		}
		/* HdrHistogram reports the top of the bucket: never below. */
		assert_true(got >= exact);
	}
	print_message("%s: worst error %.4f%% over p50..p99.9\n", name,
	    worst * 100.0);
	if (worst > worst_err)
		worst_err = worst;
}

static void
test_uniform(void **state)
{
	uint64_t *v, seed = 1;
	size_t i;

	(void)state;
	v = malloc(NSAMPLES * sizeof(*v));
	assert_non_null(v);
	for (i = 0; i < NSAMPLES; i++)
		v[i] = rng_range(&seed, 1, 1000000);
	check_dist("uniform", v, NSAMPLES);
	free(v);
}

/* Exponential, mean 50,000 (think: nanoseconds of a fast round trip). */
static void
test_exponential(void **state)
{
	uint64_t *v, seed = 2;
	size_t i;

	(void)state;
	v = malloc(NSAMPLES * sizeof(*v));
	assert_non_null(v);
	for (i = 0; i < NSAMPLES; i++)
		v[i] = (uint64_t)(-50000.0 * log(rng_unit(&seed)));
	check_dist("exponential", v, NSAMPLES);
	free(v);
}

/*
 * Bimodal: 80% fast (20 to 40 us), 20% slow (5 to 9 ms), so p50 sits in
 * the first hump and p90 onwards in the second.
 */
static void
test_bimodal(void **state)
{
	uint64_t *v, seed = 3;
	size_t i;

	(void)state;
	v = malloc(NSAMPLES * sizeof(*v));
	assert_non_null(v);
	for (i = 0; i < NSAMPLES; i++) {
		if (rng_next(&seed) % 10 < 8)
			v[i] = rng_range(&seed, 20000, 40000);
		else
			v[i] = rng_range(&seed, 5000000, 9000000);
	}
	check_dist("bimodal", v, NSAMPLES);
	free(v);
}

/* Mostly tiny values below 256: those buckets are exact. */
static void
test_small_exact(void **state)
{
	uint64_t v[1000], seed = 4;
	struct hist h;
	size_t i;

	(void)state;
	hist_init(&h);
	for (i = 0; i < nitems(v); i++) {
		v[i] = rng_range(&seed, 0, 255);
		hist_add(&h, v[i]);
	}
	qsort(v, nitems(v), sizeof(v[0]), cmp_u64);
	for (i = 0; i < nitems(pcts); i++)
		assert_int_equal(hist_pct(&h, pcts[i]),
		    exact_pct(v, nitems(v), pcts[i]));
}

static void
test_constant(void **state)
{
	struct hist h;
	size_t i;

	(void)state;
	hist_init(&h);
	for (i = 0; i < 10000; i++)
		hist_add(&h, 123457);
	/* The bucket of 123457 reaches further, but max clamps it. */
	assert_int_equal(hist_pct(&h, 0.0), 123457);
	assert_int_equal(hist_pct(&h, 50.0), 123457);
	assert_int_equal(hist_pct(&h, 99.99), 123457);
	assert_int_equal(hist_pct(&h, 100.0), 123457);
	assert_int_equal(h.min, 123457);
	assert_int_equal(h.max, 123457);
	assert_true(hist_mean(&h) == 123457.0);
}

static void
test_single(void **state)
{
	struct hist h;

	(void)state;
	hist_init(&h);
	hist_add(&h, 987654321);
	assert_int_equal(h.count, 1);
	assert_int_equal(hist_pct(&h, 0.0), 987654321);
	assert_int_equal(hist_pct(&h, 1.0), 987654321);
	assert_int_equal(hist_pct(&h, 50.0), 987654321);
	assert_int_equal(hist_pct(&h, 100.0), 987654321);
	assert_true(hist_mean(&h) == 987654321.0);

	hist_init(&h);
	hist_add(&h, 0);
	assert_int_equal(hist_pct(&h, 50.0), 0);
	assert_int_equal(h.n[0], 1);
}

static void
test_empty(void **state)
{
	struct hist h, e;

	(void)state;
	hist_init(&h);
	assert_int_equal(h.count, 0);
	assert_int_equal(hist_pct(&h, 0.0), 0);
	assert_int_equal(hist_pct(&h, 50.0), 0);
	assert_int_equal(hist_pct(&h, 100.0), 0);
	assert_true(hist_mean(&h) == 0.0);

	/* Merging empty into empty, and empty into full, change nothing. */
	hist_init(&e);
	hist_merge(&h, &e);
	assert_int_equal(h.count, 0);
	assert_int_equal(hist_pct(&h, 50.0), 0);
	hist_add(&h, 500);
	hist_merge(&h, &e);
	assert_int_equal(h.count, 1);
	assert_int_equal(h.min, 500);
	assert_int_equal(h.max, 500);
}

/*
 * The lower bound of the last bucket. hist.h's layout ends one binade short
 * of 2^64, so the last bucket also takes everything above it, up to
 * UINT64_MAX, and the 1/128 bound holds only below this.
 */
static uint64_t
last_bucket_lo(void)
{
	unsigned int shift = (HIST_BUCKETS - 1) / HIST_SUB - 1;

	return (uint64_t)((HIST_BUCKETS - 1) % HIST_SUB + HIST_SUB) << shift;
}

/*
 * Values at the top of the range must not overflow a shift or run off the
 * end of n[]: UINT64_MAX lands in the last bucket, and the percentiles stay
 * within [min, max].
 */
static void
test_huge(void **state)
{
	static const uint64_t top[] = {
		UINT64_MAX, UINT64_MAX - 1, (uint64_t)1 << 63,
		((uint64_t)1 << 63) + 12345, ((uint64_t)1 << 63) - 1,
	};
	struct hist h;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(top); i++) {
		hist_init(&h);
		hist_add(&h, top[i]);
		if (top[i] >= last_bucket_lo())
			assert_int_equal(h.n[HIST_BUCKETS - 1], 1);
		assert_int_equal(h.count, 1);
		assert_int_equal(hist_pct(&h, 50.0), top[i]);
		assert_int_equal(hist_pct(&h, 100.0), top[i]);
	}

	hist_init(&h);
	for (i = 0; i < 1000; i++)
		hist_add(&h, UINT64_MAX);
	assert_int_equal(h.n[HIST_BUCKETS - 1], 1000);
	assert_int_equal(h.min, UINT64_MAX);
	assert_int_equal(h.max, UINT64_MAX);
	assert_int_equal(hist_pct(&h, 50.0), UINT64_MAX);
	assert_true(hist_mean(&h) == (double)UINT64_MAX);

	/* Below the last bucket the 1/128 bound still holds. */
	hist_init(&h);
	hist_add(&h, ((uint64_t)1 << 62) + 1);
	hist_add(&h, UINT64_MAX);
	assert_true(hist_pct(&h, 50.0) - (((uint64_t)1 << 62) + 1) <=
	    ((uint64_t)1 << 62) / 128);

	/* Mixed with small values: ranks still find the right ends. */
	hist_init(&h);
	hist_add(&h, 0);
	hist_add(&h, 1);
	hist_add(&h, UINT64_MAX);
	assert_int_equal(hist_pct(&h, 1.0), 0);
	assert_int_equal(hist_pct(&h, 50.0), 1);
	assert_int_equal(hist_pct(&h, 99.0), UINT64_MAX);
	assert_int_equal(hist_pct(&h, 100.0), UINT64_MAX);
}

/*
 * Around every power of two, and at random points, a value's percentile is
 * the top of its bucket: not below the value, above it by at most 1/128 of
 * it (exact below 256). A second, larger sample keeps max from clamping.
 * Values in the open-ended last bucket are only checked for not being
 * reported below themselves.
 */
static void
check_resolution(uint64_t v)
{
	struct hist h;
	uint64_t got;

	hist_init(&h);
	hist_add(&h, v);
	hist_add(&h, UINT64_MAX);
	got = hist_pct(&h, 50.0);
	if (got < v || (v < 256 && got != v) ||
	    (v < last_bucket_lo() && got - v > v / 128)) {
		print_error("value %llu reported as %llu\n",
		    (unsigned long long)v, (unsigned long long)got);
		fail();
	}
}

static void
test_resolution(void **state)
{
	uint64_t seed = 5, v;
	unsigned int k;
	size_t i;

	(void)state;
	for (v = 0; v < 4096; v++)
		check_resolution(v);
	for (k = 8; k < 63; k++) {
		v = (uint64_t)1 << k;
		check_resolution(v - 1);
		check_resolution(v);
		check_resolution(v + 1);
	}
	for (i = 0; i < 100000; i++) {
		/* Random magnitude, then random bits below it. */
		k = (unsigned int)rng_range(&seed, 0, 62);
		v = rng_next(&seed) >> (63 - k);
		check_resolution(v);
	}
}

/* Two histograms merged equal one histogram of all the samples. */
static void
test_merge(void **state)
{
	struct hist a, b, all;
	uint64_t seed = 6, v;
	size_t i;

	(void)state;
	hist_init(&a);
	hist_init(&b);
	hist_init(&all);
	for (i = 0; i < 200000; i++) {
		v = rng_range(&seed, 1, 1000000000);
		if (i % 3 == 0)	/* give a and b different shapes */
			v = v / 1000 + 10;
		hist_add(i % 2 ? &a : &b, v);
		hist_add(&all, v);
	}
	hist_add(&b, 7);		/* b alone has the min ... */
	hist_add(&all, 7);
	hist_add(&a, 2000000000);	/* ... a alone the max */
	hist_add(&all, 2000000000);

	hist_merge(&a, &b);
	assert_int_equal(a.count, all.count);
	assert_int_equal(a.min, 7);
	assert_int_equal(a.max, 2000000000);
	assert_int_equal(a.min, all.min);
	assert_int_equal(a.max, all.max);
	/* Integers with a total below 2^53: the double sums are exact. */
	assert_true(a.sum == all.sum);
	assert_memory_equal(a.n, all.n, sizeof(a.n));
	for (i = 0; i < nitems(pcts); i++)
		assert_int_equal(hist_pct(&a, pcts[i]),
		    hist_pct(&all, pcts[i]));
}

/* Percentiles that are not in [0, 100] must not misbehave. */
static void
test_hostile_pct(void **state)
{
	struct hist h;
	uint64_t v;

	(void)state;
	hist_init(&h);
	for (v = 1000; v <= 2000; v++)
		hist_add(&h, v);
	/* Rank 1, whose bucket [1000, 1003] reports its top. */
	assert_int_equal(hist_pct(&h, 0.0), 1003);
	assert_int_equal(hist_pct(&h, NAN), 1003);
	assert_int_equal(hist_pct(&h, -5.0), 1003);
	assert_int_equal(hist_pct(&h, -INFINITY), 1003);
	assert_int_equal(hist_pct(&h, 100.0), 2000);
	assert_int_equal(hist_pct(&h, 250.0), 2000);
	assert_int_equal(hist_pct(&h, INFINITY), 2000);
	assert_int_equal(hist_pct(&h, 1e300), 2000);
	assert_int_equal(hist_pct(&h, 1e-300), 1003);
	/* Just below 100: the last rank, clamped to max. */
	assert_int_equal(hist_pct(&h, 99.9999999), 2000);
}

static int
print_summary(void **state)
{
	(void)state;
	printf("hist: worst percentile error %.4f%%\n", worst_err * 100.0);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_exponential),
		cmocka_unit_test(test_bimodal),
		cmocka_unit_test(test_small_exact),
		cmocka_unit_test(test_constant),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_resolution),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_hostile_pct),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, print_summary);
}
