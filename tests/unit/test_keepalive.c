/*
 * Unit tests for src/keepalive.c: --keepalive's parser, fed good and
 * hostile input (out of range, fractions, empty parts, too many parts,
 * overlong parts), and the defaults it keeps for parts left out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "keepalive.h"

static void
test_good(void **state)
{
	static const struct {
		const char *in;
		int on, idle, intvl, cnt;
	} cases[] = {
		{ "off", 0, KEEPALIVE_IDLE_S, KEEPALIVE_INTVL_S, KEEPALIVE_CNT },
		{ "30", 1, 30, KEEPALIVE_INTVL_S, KEEPALIVE_CNT },
		{ "2m,15s", 1, 120, 15, KEEPALIVE_CNT },
		{ "1,1,1", 1, 1, 1, 1 },
		{ "32767,32767,127", 1, 32767, 32767, 127 },
		{ "1000ms,2", 1, 1, 2, KEEPALIVE_CNT },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct keepalive ka;
		char err[128] = "";

		assert_int_equal(keepalive_parse(cases[i].in, &ka, err,
		    sizeof(err)), 0);
		assert_int_equal(ka.on, cases[i].on);
		assert_int_equal(ka.idle_s, cases[i].idle);
		assert_int_equal(ka.intvl_s, cases[i].intvl);
		assert_int_equal(ka.cnt, cases[i].cnt);
	}
}

static void
test_bad(void **state)
{
	static const char *const bad[] = {
		"", "0", "-1", "32768", "1.5", "500ms", "on", "OFF", "60,",
		",10", "60,,6", "60,10,0", "60,10,128", "60,10,6,", "60,10,6,1",
		"60,10,x", "60,0", "9999999999999999999999999999999999999",
		"60 ", " 60", "60,10,6\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct keepalive ka = { .on = 7, .idle_s = 7 };
		char err[128] = "";

		assert_int_equal(keepalive_parse(bad[i], &ka, err, sizeof(err)),
		    -1);
		assert_true(err[0] != '\0');
		/* Nothing half-set on failure. */
		assert_int_equal(ka.on, 7);
		assert_int_equal(ka.idle_s, 7);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
