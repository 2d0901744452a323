/*
 * Unit tests for src/stats.c, the counters in Prometheus text.
 *
 * stats_format measures like snprintf (a pass with len 0 gives the whole
 * length; a short buffer gets the start, NUL-terminated, never overrun),
 * label values go out whole and escaped (backslash, quote, newline), and
 * bytes that are not well-formed UTF-8 (stray continuation, overlong
 * form, surrogate, past U+10FFFF, cut short) become U+FFFD while valid
 * multi-byte characters pass unchanged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats.h"

/* The whole text for one target named name, in a fresh allocation. */
static char *
format_one(const char *name, int help, size_t *lenp)
{
	struct stats_target t = { .name = name, .up = 1 };
	struct stats st = { .targets = &t, .ntargets = 1 };
	size_t n = stats_format(&st, help, NULL, 0), m;
	char *buf = malloc(n + 1);

	assert_non_null(buf);
	m = stats_format(&st, help, buf, n + 1);
	assert_int_equal(m, n);
	assert_int_equal(strlen(buf), n);
	*lenp = n;
	return buf;
}

/* The target="..." value of the first sockbridge_target_up line. */
static char *
target_label(const char *text)
{
	const char *p = strstr(text, "sockbridge_target_up{target=\"");
	const char *e;
	char *out;

	assert_non_null(p);
	p += strlen("sockbridge_target_up{target=\"");
	e = strstr(p, "\",backup=");
	assert_non_null(e);
	out = strndup(p, (size_t)(e - p));
	assert_non_null(out);
	return out;
}

static void
test_measure_and_truncate(void **state)
{
	char name[5000], *full, small[100];
	struct stats_target t = { .name = name };
	struct stats st = { .targets = &t, .ntargets = 1 };
	size_t n;

	(void)state;
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	full = format_one(name, 1, &n);
	/* Three lines carry the name whole. */
	assert_true(n > 3 * (sizeof(name) - 1));
	/* A short buffer: the start, terminated, the same length returned. */
	memset(small, 'Z', sizeof(small));
	assert_int_equal(stats_format(&st, 1, small, 50), n);
	assert_int_equal(strlen(small), 49);
	assert_memory_equal(small, full, 49);
	assert_int_equal(small[50], 'Z');
	assert_int_equal(stats_format(&st, 1, small, 1), n);
	assert_int_equal(small[0], '\0');
	free(full);
}

static void
test_escapes(void **state)
{
	size_t n;
	char *text, *l;

	(void)state;
	text = format_one("exec:a \"b\" \\c\nd", 0, &n);
	l = target_label(text);
	assert_string_equal(l, "exec:a \\\"b\\\" \\\\c\\nd");
	/* No raw newline inside any line's label. */
	assert_null(strstr(text, "c\nd"));
	free(l);
	free(text);
}

static void
test_utf8(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "a\xff" "b", "a\xef\xbf\xbd" "b" },
		{ "\x80", "\xef\xbf\xbd" },
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },		/* overlong '/' */
		{ "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },	/* surrogate */
		{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "end\xe2\x82", "end\xef\xbf\xbd\xef\xbf\xbd" },	/* cut short */
		{ "\xc3", "\xef\xbf\xbd" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n;
		char *text = format_one(cases[i].in, 0, &n);
		char *l = target_label(text);

		assert_string_equal(l, cases[i].out);
		free(l);
		free(text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measure_and_truncate),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
