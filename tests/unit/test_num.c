/*
 * Unit tests for src/num.c: integers in a range, sizes and durations as
 * option values spell them. Hostile input is also parsed from a copy
 * whose NUL is the last readable byte before a PROT_NONE page.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"
#include "util.h"

#include "num.h"


static void
test_guard_page_numbers(void **state)
{
	static const char *const ints[] = {
		"", "0", "-", "+", "1", "65535", "65536", " 1", "1 ", "1x",
		"-1", "99999999999999999999",
	};
	static const char *const durations[] = {
		"", ".", "1", "1.", "1.5", ".5", "250ms", "2m", "1h", "m",
		"1m ", "86400", "86401", "1.2345678901234", "9999999999",
	};
	struct guard g;
	const char *p;
	long n;
	int ms;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(ints); i++) {
		p = guard_str(&g, ints[i]);
		(void)num_parse_int(p, 0, 65535, &n);
		guard_free(&g);
	}
	for (i = 0; i < nitems(durations); i++) {
		p = guard_str(&g, durations[i]);
		(void)num_parse_duration(p, &ms);
		guard_free(&g);
	}
}

/* ---- durations, sizes, integers ----------------------------------- */

static void
test_duration_ok(void **state)
{
	static const struct {
		const char	*s;
		int		 ms;
	} cases[] = {
		{ "0", 0 },		{ "1", 1000 },
		{ "1.5", 1500 },	{ "0.25", 250 },
		{ ".5", 500 },		{ "5.", 5000 },
		{ "0.001", 1 },		{ "0.0001", 0 },
		{ "1.0000009", 1000 },	{ "250ms", 250 },
		{ "1.5ms", 1 },		{ "2s", 2000 },
		{ "2m", 120000 },	{ "1.5m", 90000 },
		{ "1h", 3600000 },	{ "24h", 86400000 },
		{ "1440m", 86400000 },	{ "86400", 86400000 },
		{ "86400s", 86400000 },	{ "86400000ms", 86400000 },
		{ "0086400", 86400000 },
	};
	size_t i;
	int ms;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		ms = -7;
		if (num_parse_duration(cases[i].s, &ms) != 0)
			fail_msg("num_parse_duration(\"%s\") failed",
			    cases[i].s);
		if (ms != cases[i].ms)
			fail_msg("num_parse_duration(\"%s\") = %d, expected %d",
			    cases[i].s, ms, cases[i].ms);
	}
}

static void
test_duration_bad(void **state)
{
	static const char *const cases[] = {
		"", ".", "ms", "s", " 1", "1 ", "\t1", "-1", "+1", "1x",
		"1MS", "1S", "5sec", "1d", "1e3", "0x10", "1.5.5", "1..5",
		"1,5", "86401", "86400.001", "86400001ms", "25h", "1441m",
		"99999999999999999999", "99999999999999999999ms",
		"18446744073709551616", "inf", "nan",
	};
	size_t i;
	int ms;

	(void)state;
	assert_int_equal(num_parse_duration(NULL, &ms), -1);
	for (i = 0; i < nitems(cases); i++) {
		ms = -7;
		if (num_parse_duration(cases[i], &ms) != -1)
			fail_msg("num_parse_duration(\"%s\") accepted: %d",
			    cases[i], ms);
		/* Failure leaves the output alone. */
		assert_int_equal(ms, -7);
	}
}

static void
test_size(void **state)
{
	static const struct {
		const char	*s;
		size_t		 v;
	} ok[] = {
		{ "4096", 4096 },	{ "4K", 4096 },		{ "64k", 65536 },
		{ "64KB", 65536 },	{ "1M", 1048576 },	{ "16m", 16777216 },
		{ "16MB", 16777216 },	{ "0004K", 4096 },	{ "4096b", 4096 },
	};
	static const char *const bad[] = {
		"", "K", "-4K", "+4K", " 4K", "4K ", "4 K", "4G", "4KK", "4KBB",
		"4096x", "4095", "3K", "16777217", "17M", "16385K",
		"17179869184K", "18446744073709551615M",
		"18446744073709551616", "99999999999999999999999",
	};
	size_t i, v;

	(void)state;
	for (i = 0; i < nitems(ok); i++) {
		v = 7;
		if (num_parse_size(ok[i].s, 4096, 16 << 20, &v) != 0 ||
		    v != ok[i].v)
			fail_msg("num_parse_size(\"%s\") = %zu, expected %zu",
			    ok[i].s, v, ok[i].v);
	}
	assert_int_equal(num_parse_size(NULL, 1, 10, &v), -1);
	for (i = 0; i < nitems(bad); i++) {
		v = 7;
		if (num_parse_size(bad[i], 4096, 16 << 20, &v) != -1)
			fail_msg("num_parse_size(\"%s\") accepted: %zu",
			    bad[i], v);
		assert_int_equal(v, 7);
	}
}

static void
test_int_ok(void **state)
{
	long n;

	(void)state;
	assert_int_equal(num_parse_int("0", 0, 10, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(num_parse_int("10", 0, 10, &n), 0);
	assert_int_equal(n, 10);
	assert_int_equal(num_parse_int("-10", -10, 10, &n), 0);
	assert_int_equal(n, -10);
	assert_int_equal(num_parse_int("007", 0, 10, &n), 0);
	assert_int_equal(n, 7);
	/* strtol takes a '+'; so does the parser. */
	assert_int_equal(num_parse_int("+7", 0, 10, &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(num_parse_int("9223372036854775807", 0, LONG_MAX,
	    &n), 0);
	assert_true(n == LONG_MAX);
	assert_int_equal(num_parse_int("-9223372036854775808", LONG_MIN, 0,
	    &n), 0);
	assert_true(n == LONG_MIN);
}

static void
test_int_bad(void **state)
{
	static const char *const cases[] = {
		"", " 1", "\n1", "1 ", "1\n", "1x", "x1", "0x10", "1.0", "-",
		"+", "11", "-11", "9223372036854775808",
		"-9223372036854775809", "99999999999999999999",
	};
	size_t i;
	long n;

	(void)state;
	assert_int_equal(num_parse_int(NULL, 0, 10, &n), -1);
	for (i = 0; i < nitems(cases); i++) {
		n = 42;
		if (num_parse_int(cases[i], -10, 10, &n) != -1)
			fail_msg("num_parse_int(\"%s\") accepted: %ld",
			    cases[i], n);
		assert_int_equal(n, 42);
	}
	assert_int_equal(num_parse_int("-1", 0, 65535, &n), -1);
	assert_int_equal(num_parse_int("65536", 0, 65535, &n), -1);
}

/* A value that fails leaves *out as it was. */
static void
test_failure_leaves_out(void **state)
{
	long n = 42;
	size_t v = 42;
	int ms = 42;

	(void)state;
	assert_int_equal(num_parse_int("x", 0, 10, &n), -1);
	assert_int_equal(n, 42);
	assert_int_equal(num_parse_size("1G", 1, 10, &v), -1);
	assert_int_equal(v, 42);
	assert_int_equal(num_parse_duration("2d", &ms), -1);
	assert_int_equal(ms, 42);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guard_page_numbers),
		cmocka_unit_test(test_duration_ok),
		cmocka_unit_test(test_duration_bad),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_int_ok),
		cmocka_unit_test(test_int_bad),
		cmocka_unit_test(test_failure_leaves_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
