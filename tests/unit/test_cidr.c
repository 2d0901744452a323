/*
 * Unit tests for src/cidr.c: networks for allow= and matching addresses
 * against them. Hostile input is also parsed from a copy whose NUL is the
 * last readable byte before a PROT_NONE page.
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"
#include "util.h"

#include "cidr.h"


/* Does address text (v4 or v6) match network text? */
static int
matches(const char *net, const char *addr)
{
	struct cidr n;
	unsigned char a[16];
	int family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;

	assert_int_equal(cidr_parse(net, &n), 0);
	assert_int_equal(inet_pton(family, addr, a), 1);
	return cidr_match(&n, family, a);
}

static void
test_parse_ok(void **state)
{
	static const struct {
		const char	*s;
		int		 family, prefix;
	} cases[] = {
		{ "10.0.0.0/8", AF_INET, 8 },
		{ "127.0.0.1", AF_INET, 32 },
		{ "0.0.0.0/0", AF_INET, 0 },
		{ "192.168.16.0/20", AF_INET, 20 },
		{ "::1", AF_INET6, 128 },
		{ "::/0", AF_INET6, 0 },
		{ "fd00::/8", AF_INET6, 8 },
		{ "2001:db8::/32", AF_INET6, 32 },
		{ "::ffff:10.0.0.0/104", AF_INET6, 104 },
	};
	struct cidr n;

	(void)state;
	for (size_t i = 0; i < nitems(cases); i++) {
		if (cidr_parse(cases[i].s, &n) != 0)
			fail_msg("cidr_parse(\"%s\") failed", cases[i].s);
		assert_int_equal(n.family, cases[i].family);
		assert_int_equal(n.prefix, cases[i].prefix);
	}
}

static void
test_parse_bad(void **state)
{
	static const char *const cases[] = {
		"", "/", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1",
		"10.0.0.0/8x", "10.0.0.0/ 8", " 10.0.0.0",
		"10.0.0.0 ", "10.1.2.3/8", "10.0.0.1/31", "::1/127", "::/129",
		"fd00::1/8", "10.0.0", "10.0.0.256", "localhost", "1::2::3",
		"[::1]", "10.0.0.0/8/8", "1.2.3.4/0", "::1/0",
		"0000:0000:0000:0000:0000:0000:0000:0000:0000/1",
	};
	struct cidr n;

	(void)state;
	for (size_t i = 0; i < nitems(cases); i++)
		if (cidr_parse(cases[i], &n) != -1)
			fail_msg("cidr_parse(\"%s\") accepted", cases[i]);
}

static void
test_match(void **state)
{
	(void)state;
	assert_true(matches("10.0.0.0/8", "10.255.1.2"));
	assert_false(matches("10.0.0.0/8", "11.0.0.0"));
	assert_false(matches("10.0.0.0/8", "9.255.255.255"));
	/* A prefix that is not a whole number of bytes. */
	assert_true(matches("192.168.16.0/20", "192.168.31.255"));
	assert_false(matches("192.168.16.0/20", "192.168.32.0"));
	assert_false(matches("192.168.16.0/20", "192.168.15.255"));
	assert_true(matches("127.0.0.1", "127.0.0.1"));
	assert_false(matches("127.0.0.1", "127.0.0.2"));
	assert_true(matches("0.0.0.0/0", "203.0.113.9"));
	assert_true(matches("::/0", "2001:db8::1"));
	assert_true(matches("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(matches("2001:db8::/32", "2001:db9::1"));
	assert_true(matches("::1", "::1"));
	/* An IPv4 client on a dual-stack socket arrives IPv4-mapped. */
	assert_true(matches("10.0.0.0/8", "::ffff:10.1.2.3"));
	assert_false(matches("10.0.0.0/8", "::ffff:11.1.2.3"));
	/* ... but only mapped ones, and never the other way round. */
	assert_false(matches("10.0.0.0/8", "::a01:203"));
	assert_false(matches("0.0.0.0/0", "::1"));
	assert_false(matches("::/0", "10.0.0.1"));
}

/* Every hostile input, ending right at a guard page. */
static void
test_guard_page(void **state)
{
	static const char *const cases[] = {
		"", "1", "10.0.0.0", "10.0.0.0/", "10.0.0.0/8", "10.0.0.0/80",
		"::", "::/", "::/1", "::/128",
		"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128", "1.2.3.4/32",
	};
	struct guard g;
	struct cidr n;

	(void)state;
	for (size_t i = 0; i < nitems(cases); i++) {
		(void)cidr_parse(guard_str(&g, cases[i]), &n);
		guard_free(&g);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_guard_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
