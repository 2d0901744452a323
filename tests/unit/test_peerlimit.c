/*
 * Unit tests for src/peerlimit.c: the per-peer connection counts behind
 * --max-conns-per-peer. The limit holds per peer and not across peers; a
 * slot comes back when a connection closes; a peer with none open leaves
 * the table (its size follows the connections); 100,000 peers through the
 * growing table keep their own counts; and a unix socketpair's key is our
 * own uid.
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "peerlimit.h"

static struct peer_key
key4(uint32_t a)
{
	struct peer_key k;

	memset(&k, 0, sizeof(k));
	k.family = AF_INET;
	memcpy(k.a, &a, sizeof(a));
	return k;
}

static void
test_limit(void **state)
{
	struct peerlimit pl;
	struct peer_key a = key4(1), b = key4(2);
	int open;

	(void)state;
	peerlimit_init(&pl, 2);
	assert_int_equal(peerlimit_take(&pl, &a, &open), 1);
	assert_int_equal(open, 1);
	assert_int_equal(peerlimit_take(&pl, &a, &open), 1);
	assert_int_equal(open, 2);
	assert_int_equal(peerlimit_take(&pl, &a, &open), 0);
	assert_int_equal(open, 2);
	assert_int_equal(peerlimit_open(&pl, &a), 2);
	/* Another peer is not held back by a's share. */
	assert_int_equal(peerlimit_take(&pl, &b, &open), 1);
	/* A slot comes back. */
	peerlimit_put(&pl, &a);
	assert_int_equal(peerlimit_take(&pl, &a, &open), 1);
	peerlimit_put(&pl, &a);
	peerlimit_put(&pl, &a);
	peerlimit_put(&pl, &b);
	assert_int_equal(pl.n, 0);
	/* A put for a peer never counted is harmless. */
	peerlimit_put(&pl, &a);
	assert_int_equal(peerlimit_open(&pl, &a), 0);
	peerlimit_free(&pl);
}

static void
test_many(void **state)
{
	struct peerlimit pl;
	int open;

	(void)state;
	peerlimit_init(&pl, 3);
	for (uint32_t i = 0; i < 100000; i++) {
		struct peer_key k = key4(i);

		assert_int_equal(peerlimit_take(&pl, &k, &open), 1);
		if (i % 3 == 0)
			assert_int_equal(peerlimit_take(&pl, &k, &open), 1);
	}
	assert_int_equal(pl.n, 100000);
	for (uint32_t i = 0; i < 100000; i++) {
		struct peer_key k = key4(i);

		assert_int_equal(peerlimit_open(&pl, &k), i % 3 == 0 ? 2 : 1);
		peerlimit_put(&pl, &k);
	}
	assert_int_equal(pl.n, 100000 / 3 + 1);
	peerlimit_free(&pl);
}

static void
test_key_unix(void **state)
{
	struct peer_key k, want;
	uid_t uid = getuid();
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(peerlimit_key(sv[0], &k), 0);
	memset(&want, 0, sizeof(want));
	want.family = AF_UNIX;
	memcpy(want.a, &uid, sizeof(uid));
	assert_memory_equal(&k, &want, sizeof(k));
	close(sv[0]);
	close(sv[1]);
	/* Not a socket: nothing to count it by. */
	assert_int_equal(peerlimit_key(-1, &k), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_key_unix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
