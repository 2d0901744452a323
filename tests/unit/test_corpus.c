/*
 * Unit tests for src/corpus.c, the generated novel-shaped text.
 *
 * The corpus stands in for War and Peace in benchmarks, so its shape is
 * what matters: exactly CORPUS_LINES lines, 3.36 MB +- 3%, 21% +- 1% empty
 * lines, single blank lines between paragraphs, full lines mostly 60 to 76
 * bytes, each paragraph ending in a shorter line, printable ASCII only.
 * Every measure is taken here from the bytes, independently of how the
 * generator counts. A pinned hash catches any change to the generator.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "corpus.h"

#define TARGET_BYTES	3360000

/*
 * FNV-1a 64 of the whole corpus. It pins the text: benchmark figures are
 * only comparable across builds if the corpus is byte for byte the same, so
 * a change to corpus.c that alters the output (a word list, a weight, the
 * seed, the PRNG) must fail here. If the change is meant, check the shape
 * tests still pass, then put the new value here (the failure prints it).
 */
#define CORPUS_FNV1A	0xc957b3374f0ed125ULL

struct corpus {
	char	*buf;
	size_t	 len;
};

/* The lines of a corpus, split once for the shape tests. */
struct lines {
	size_t	 n;
	size_t	*off;		/* start of each line */
	size_t	*len;		/* its length, without the '\n' */
};

static struct corpus c;
static struct lines l;

static uint64_t
fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Return how many '"' line i holds. */
static size_t
count_quotes(size_t i)
{
	size_t j, n = 0;

	for (j = 0; j < l.len[i]; j++)
		n += c.buf[l.off[i] + j] == '"';
	return n;
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* Is line i empty? Lines past either end count as empty. */
static int
is_empty(size_t i)
{
	return i >= l.n || l.len[i] == 0;
}

/*
 * A full line is a non-empty line followed by a non-empty line; a final
 * line ends its paragraph. Fill out[] with the lengths of the full lines,
 * sorted, and return how many.
 */
static size_t
full_lengths(size_t *out)
{
	size_t i, n = 0;

	for (i = 0; i < l.n; i++)
		if (!is_empty(i) && !is_empty(i + 1))
			out[n++] = l.len[i];
	qsort(out, n, sizeof(*out), cmp_size);
	return n;
}

/* Generate the corpus once and split it into lines. */
static int
setup(void **state)
{
	size_t i, start, n = 1;

	(void)state;
	c.buf = corpus_generate(&c.len);
	if (c.buf == NULL || c.len == 0)
		return -1;
	for (i = 0; i < c.len; i++)
		n += c.buf[i] == '\n';
	l.off = malloc(n * sizeof(*l.off));
	l.len = malloc(n * sizeof(*l.len));
	if (l.off == NULL || l.len == NULL)
		return -1;
	for (i = start = 0; i < c.len; i++) {
		if (c.buf[i] != '\n')
			continue;
		l.off[l.n] = start;
		l.len[l.n++] = i - start;
		start = i + 1;
	}
	if (start != c.len) {		/* unterminated tail: a line too */
		l.off[l.n] = start;
		l.len[l.n++] = c.len - start;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(c.buf);
	free(l.off);
	free(l.len);
	return 0;
}

static void
test_line_count(void **state)
{
	(void)state;
	assert_int_equal(l.n, CORPUS_LINES);
	assert_int_equal(c.buf[c.len - 1], '\n');
}

static void
test_size(void **state)
{
	double dev;

	(void)state;
	dev = ((double)c.len - TARGET_BYTES) / TARGET_BYTES;
	print_message("size %zu bytes (%+.2f%% of %d)\n", c.len, dev * 100.0,
	    TARGET_BYTES);
	assert_true(dev >= -0.03 && dev <= 0.03);
}

static void
test_empty_share(void **state)
{
	size_t i, empty = 0;
	double share;

	(void)state;
	for (i = 0; i < l.n; i++)
		empty += l.len[i] == 0;
	share = (double)empty / (double)l.n;
	print_message("empty lines %zu of %zu (%.2f%%)\n", empty, l.n,
	    share * 100.0);
	assert_true(share >= 0.20 && share <= 0.22);
}

/* Blank lines are single, and the text starts with a paragraph. */
static void
test_single_blanks(void **state)
{
	size_t i;

	(void)state;
	assert_true(l.len[0] > 0);
	for (i = 1; i < l.n; i++)
		if (l.len[i] == 0 && l.len[i - 1] == 0)
			fail_msg("lines %zu and %zu both empty", i, i + 1);
}

/* At least 85% of full lines are 60 to 76 bytes; none is wider than 76. */
static void
test_full_lines(void **state)
{
	size_t *len, n, i, in = 0;
	double share;

	(void)state;
	len = malloc(l.n * sizeof(*len));
	assert_non_null(len);
	n = full_lengths(len);
	assert_true(n > 0);
	for (i = 0; i < n; i++)
		in += len[i] >= 60 && len[i] <= 76;
	share = (double)in / (double)n;
	print_message("full lines %zu: %.2f%% in 60..76, min %zu, median %zu,"
	    " max %zu\n", n, share * 100.0, len[0], len[n / 2], len[n - 1]);
	assert_true(share >= 0.85);
	assert_true(len[n - 1] <= 76);
	free(len);
}

/* Every paragraph ends in a line shorter than the median full line. */
static void
test_final_lines(void **state)
{
	size_t *len, n, i, median, finals = 0, sum = 0;

	(void)state;
	len = malloc(l.n * sizeof(*len));
	assert_non_null(len);
	n = full_lengths(len);
	median = len[n / 2];
	free(len);
	for (i = 0; i < l.n; i++) {
		if (is_empty(i) || !is_empty(i + 1))
			continue;
		finals++;
		sum += l.len[i];
		if (l.len[i] >= median)
			fail_msg("line %zu ends a paragraph but is %zu bytes, "
			    "median full line %zu", i + 1, l.len[i], median);
	}
	print_message("paragraphs %zu, last lines %.1f bytes on average\n",
	    finals, (double)sum / (double)finals);
}

/* Printable ASCII and '\n' only; no stray spaces at either end of a line
 * or doubled inside it. */
static void
test_charset(void **state)
{
	const char *p;
	size_t i, j;

	(void)state;
	for (i = 0; i < c.len; i++) {
		unsigned char ch = (unsigned char)c.buf[i];

		if (ch != '\n' && (ch < 0x20 || ch > 0x7e))
			fail_msg("byte %zu is 0x%02x", i, ch);
	}
	for (i = 0; i < l.n; i++) {
		if (l.len[i] == 0)
			continue;
		p = c.buf + l.off[i];
		assert_true(p[0] != ' ' && p[l.len[i] - 1] != ' ');
		for (j = 1; j < l.len[i]; j++)
			assert_false(p[j] == ' ' && p[j - 1] == ' ');
	}
}

/*
 * It reads like prose: every paragraph starts with a capital (or an opening
 * quote and a capital), ends a sentence, and closes every quote it opens.
 */
static void
test_prose(void **state)
{
	size_t i, quotes = 0, dialogue = 0;
	const char *p;
	char last, first;

	(void)state;
	for (i = 0; i < l.n; i++) {
		if (l.len[i] == 0)
			continue;
		p = c.buf + l.off[i];
		if (i == 0 || l.len[i - 1] == 0) {
			first = p[p[0] == '"' ? 1 : 0];
			if (first < 'A' || first > 'Z')
				fail_msg("paragraph at line %zu starts \"%.10s\"",
				    i + 1, p);
			quotes = 0;
		}
		quotes += count_quotes(i);
		if (!is_empty(i + 1))
			continue;
		last = p[l.len[i] - 1];
		if (last == '"' && l.len[i] >= 2)
			last = p[l.len[i] - 2];
		if (last != '.' && last != '?' && last != '!')
			fail_msg("paragraph ending at line %zu ends \"%.*s\"",
			    i + 1, (int)l.len[i], p);
		if (quotes % 2 != 0)
			fail_msg("paragraph ending at line %zu has %zu quotes",
			    i + 1, quotes);
		dialogue += quotes > 0;
	}
	assert_true(dialogue > 0);
}

/* Same bytes every time, and the bytes this test was written against. */
static void
test_deterministic(void **state)
{
	size_t len;
	char *again;
	uint64_t h;

	(void)state;
	again = corpus_generate(&len);
	assert_non_null(again);
	assert_int_equal(len, c.len);
	assert_memory_equal(again, c.buf, len);
	free(again);

	h = fnv1a(c.buf, c.len);
	if (h != CORPUS_FNV1A)
		fail_msg("corpus changed: FNV-1a 0x%016llx, pinned 0x%016llx",
		    (unsigned long long)h, (unsigned long long)CORPUS_FNV1A);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_count),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_empty_share),
		cmocka_unit_test(test_single_blanks),
		cmocka_unit_test(test_full_lines),
		cmocka_unit_test(test_final_lines),
		cmocka_unit_test(test_charset),
		cmocka_unit_test(test_prose),
		cmocka_unit_test(test_deterministic),
	};

	return cmocka_run_group_tests_name("corpus", tests, setup, teardown);
}
