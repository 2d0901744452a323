/*
 * Unit tests for src/jscan.c, the JSON scanner doctor reads the Docker
 * Engine API with: the fields of a real GET /containers/json answer,
 * escapes, nesting, malformed and cut-off texts (each at a guard page),
 * and the depth limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"

#include "jscan.h"

/* As dockerd 20.10 answers, trimmed. */
static const char containers[] =
	"[{\"Id\":\"3f1e2a\",\"Names\":[\"/db\"],\"Image\":\"sb/test\","
	"\"Command\":\"/sockbridge echo unix:/run/x.sock\",\"Created\":1765000000,"
	"\"Ports\":[{\"IP\":\"0.0.0.0\",\"PrivatePort\":5432,\"PublicPort\":15432,"
	"\"Type\":\"tcp\"},{\"PrivatePort\":9000,\"Type\":\"tcp\"}],"
	"\"Labels\":{},\"State\":\"running\",\"Status\":\"Up 2 seconds\","
	"\"HostConfig\":{\"NetworkMode\":\"none\"},\"NetworkSettings\":"
	"{\"Networks\":{\"none\":{\"IPAddress\":\"\",\"Gateway\":null}}},"
	"\"Mounts\":[]},\n {\"Id\":\"9a\",\"Names\":[\"/w\\u00e9b\\\"x\"],"
	"\"Ports\":[]}]\n";

static void
test_containers(void **state)
{
	struct guard g;
	const char *s = guard_str(&g, containers);
	size_t n = strlen(s), it = 0, el, v, p, pel;
	char buf[64];
	long long x;

	(void)state;
	assert_int_equal(jscan_next(s, n, &it, NULL, &el), 1);
	assert_int_equal(jscan_member(s, n, el, "Id", &v), 1);
	assert_int_equal(jscan_str(s, n, v, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "3f1e2a");
	assert_int_equal(jscan_member(s, n, el, "Names", &v), 1);
	assert_int_equal(jscan_next(s, n, &v, NULL, &pel), 1);
	assert_int_equal(jscan_str(s, n, pel, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/db");
	assert_int_equal(jscan_member(s, n, el, "Ports", &p), 1);
	assert_int_equal(jscan_next(s, n, &p, NULL, &pel), 1);
	assert_int_equal(jscan_member(s, n, pel, "PublicPort", &v), 1);
	assert_int_equal(jscan_int(s, n, v, &x), 0);
	assert_int_equal(x, 15432);
	assert_int_equal(jscan_next(s, n, &p, NULL, &pel), 1);
	assert_int_equal(jscan_member(s, n, pel, "PublicPort", &v), 0);
	assert_int_equal(jscan_next(s, n, &p, NULL, &pel), 0);
	assert_int_equal(jscan_member(s, n, el, "Missing", &v), 0);
	/* the second container: escapes decoded, non-ASCII as '?' */
	assert_int_equal(jscan_next(s, n, &it, NULL, &el), 1);
	assert_int_equal(jscan_member(s, n, el, "Names", &v), 1);
	assert_int_equal(jscan_next(s, n, &v, NULL, &pel), 1);
	assert_int_equal(jscan_str(s, n, pel, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/w?b\"x");
	assert_int_equal(jscan_next(s, n, &it, NULL, &el), 0);
	guard_free(&g);
}

static void
test_skip(void **state)
{
	static const char *const good[] = { "1", "-2.5e3", "\"a\\nb\"", "true",
	    "null", "[]", "{}", "[1,[2,{\"a\":[]}]]", " {\"a\" : 1 , \"b\":\"c\"} ",
	};
	static const char *const bad[] = { "", "[", "{", "[1,", "{\"a\"}",
	    "{\"a\":}", "[1 2]", "\"abc", "\"\\x\"", "\"\\u12\"", "tru", "[}",
	    "{1:2}", "\"a\x01\"", "-", "{\"a\":1,}",
	};
	char deep[200];
	size_t pos;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct guard g;
		const char *s = guard_str(&g, good[i]);

		pos = 0;
		if (jscan_skip(s, strlen(s), &pos) != 0)
			fail_msg("'%s' refused", good[i]);
		guard_free(&g);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct guard g;
		const char *s = guard_str(&g, bad[i]);

		pos = 0;
		if (jscan_skip(s, strlen(s), &pos) != -1)
			fail_msg("'%s' taken", bad[i]);
		guard_free(&g);
	}
	memset(deep, '[', JSCAN_DEPTH);
	memset(deep + JSCAN_DEPTH, ']', JSCAN_DEPTH);
	pos = 0;
	assert_int_equal(jscan_skip(deep, 2 * JSCAN_DEPTH, &pos), 0);
	assert_int_equal(pos, 2 * JSCAN_DEPTH);
	memset(deep, '[', JSCAN_DEPTH + 1);
	memset(deep + JSCAN_DEPTH + 1, ']', JSCAN_DEPTH + 1);
	pos = 0;
	assert_int_equal(jscan_skip(deep, 2 * JSCAN_DEPTH + 2, &pos), -1);
}

static void
test_int(void **state)
{
	long long x;

	(void)state;
	assert_int_equal(jscan_int("-42,", 4, 0, &x), 0);
	assert_int_equal(x, -42);
	assert_int_equal(jscan_int("1.5", 3, 0, &x), -1);
	assert_int_equal(jscan_int("99999999999999999999", 20, 0, &x), -1);
	assert_int_equal(jscan_int("x", 1, 0, &x), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_int),
	};

	return cmocka_run_group_tests_name("jscan", tests, NULL, NULL);
}
