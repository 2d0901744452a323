/*
 * Unit tests for src/socatopt.c, socat's global options: each mapped one
 * and its value spellings (-b 8192, -b8192, -lf FILE, -lfFILE), the -d
 * count, the refused ones and their messages, options socat lacks, and
 * what is left to relay after the word "relay" (-d 5, -T 5, -v). Words
 * end right at a guard page.
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"
#include "socatopt.h"

/* socatopt_take() on arg (copied to end at a guard page) and next. */
static int
take(struct socatopt *so, int flags, const char *arg, const char *next,
    char *err)
{
	struct guard g;
	const char *a = guard_str(&g, arg);
	int rc;

	err[0] = '\0';
	rc = socatopt_take(so, flags, a, next, err, 512);
	guard_free(&g);
	return rc;
}

static void
test_mapped(void **state)
{
	struct socatopt so;
	char err[512];

	(void)state;
	socatopt_init(&so);
	assert_int_equal(so.debug, -1);
	assert_int_equal(take(&so, 0, "-d", "-d", err), 1);
	assert_int_equal(take(&so, 0, "-d", "UNIX-LISTEN:/x", err), 1);
	assert_int_equal(so.debug, 2);
	assert_int_equal(take(&so, 0, "-ddd", NULL, err), 1);
	assert_int_equal(so.debug, 4);	/* at most debug */
	assert_int_equal(socatopt_log_level(-1), 0);
	assert_int_equal(socatopt_log_level(2), 2);
	assert_int_equal(socatopt_log_level(9), 4);

	assert_int_equal(take(&so, 0, "-u", NULL, err), 1);
	assert_int_equal(so.dir, SOCATOPT_LEFT_TO_RIGHT);
	assert_int_equal(take(&so, 0, "-u", NULL, err), 1);
	assert_int_equal(take(&so, 0, "-U", NULL, err), -1);
	assert_string_equal(err, "-u and -U cannot be combined: each allows "
	    "one direction only");

	assert_int_equal(take(&so, 0, "-b", "8192", err), 2);
	assert_int_equal(so.bufsize, 8192);
	assert_int_equal(take(&so, 0, "-b64K", "x", err), 1);
	assert_int_equal(so.bufsize, 65536);
	assert_int_equal(take(&so, 0, "-b", "4095", err), -1);
	assert_string_equal(err, "-b 4095: not a size from 4K to 16M "
	    "(sockbridge's --pipe-size: the most bytes one direction holds "
	    "and moves at a time)");
	assert_int_equal(take(&so, 0, "-b", NULL, err), -1);
	assert_string_equal(err, "option -b needs a value");

	assert_int_equal(take(&so, 0, "-T", "2.5", err), 2);
	assert_int_equal(so.idle_ms, 2500);
	assert_int_equal(take(&so, 0, "-T250ms", NULL, err), 1);
	assert_int_equal(so.idle_ms, 250);
	assert_int_equal(take(&so, 0, "-T", "0", err), -1);
	assert_int_equal(take(&so, 0, "-T", "soon", err), -1);

	assert_int_equal(take(&so, 0, "-6", NULL, err), 1);
	assert_int_equal(so.family, AF_INET6);
	assert_int_equal(take(&so, 0, "-4", NULL, err), -1);
	assert_string_equal(err, "-4 and -6 cannot be combined");

	assert_int_equal(take(&so, 0, "-lf", "/tmp/log", err), 2);
	assert_string_equal(so.logfile, "/tmp/log");
	assert_int_equal(take(&so, 0, "-lf", NULL, err), -1);
	assert_int_equal(take(&so, 0, "-ls", NULL, err), -1);
	socatopt_init(&so);
	assert_int_equal(take(&so, 0, "-ls", NULL, err), 1);
	assert_int_equal(so.log_stderr, 1);
}

static void
test_refused(void **state)
{
	static const char *const words[] = {
		"-x", "-v", "-t", "-t5", "-ly", "-lydaemon", "-lm", "-D", "-s",
		"-g", "-r", "-Rfile", "-Llock", "-W", "-lpname", "-lu", "-lh",
	};
	struct socatopt so;
	char err[512];

	(void)state;
	socatopt_init(&so);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		assert_int_equal(take(&so, 0, words[i], "5", err), -1);
		/* the message starts with the option as socat spells it */
		assert_int_equal(err[0], '-');
		assert_non_null(strstr(err, "not supported"));
	}
	assert_int_equal(take(&so, 0, "-x", NULL, err), -1);
	assert_string_equal(err, "-x: socat's hex dump of the relayed data is "
	    "not supported; sockbridge logs connection events instead (-d -d "
	    "-d, or 'sockbridge relay -v'); to see the bytes, run the relay "
	    "with --no-splice under strace -e trace=read,write");
	assert_int_equal(take(&so, 0, "-t", "1", err), -1);
	assert_non_null(strstr(err, "-T SEC (--idle-timeout)"));
	/* not socat's at all */
	assert_int_equal(take(&so, 0, "-q", NULL, err), -1);
	assert_non_null(strstr(err, "-q: not one of socat's global options"));
	assert_int_equal(take(&so, 0, "-", NULL, err), 0);
	assert_int_equal(take(&so, 0, "--mode", "0660", err), 0);
	assert_int_equal(take(&so, 0, "-h", NULL, err), 0);
	/* nothing was set by the refused ones */
	assert_int_equal(so.debug, -1);
	assert_int_equal(so.idle_ms, -1);
}

static void
test_after_relay(void **state)
{
	struct socatopt so;
	char err[512];

	(void)state;
	socatopt_init(&so);
	/* relay's own letters stay relay's */
	assert_int_equal(take(&so, SOCATOPT_RELAY, "-d", "5", err), 0);
	assert_int_equal(take(&so, SOCATOPT_RELAY, "-d5", NULL, err), 0);
	assert_int_equal(take(&so, SOCATOPT_RELAY, "-T", "5", err), 0);
	assert_int_equal(take(&so, SOCATOPT_RELAY, "-T5", NULL, err), 0);
	assert_int_equal(take(&so, SOCATOPT_RELAY, "-v", NULL, err), 0);
	assert_int_equal(take(&so, SOCATOPT_RELAY, "-qv", NULL, err), 0);
	assert_int_equal(take(&so, SOCATOPT_RELAY, "-c", "4", err), 0);
	assert_int_equal(take(&so, SOCATOPT_RELAY, "-z", NULL, err), 0);
	assert_int_equal(so.debug, -1);
	/* -d that cannot be a drain timeout is socat's */
	assert_int_equal(take(&so, SOCATOPT_RELAY, "-d", "-d", err), 1);
	assert_int_equal(take(&so, SOCATOPT_RELAY, "-d", "TCP:h:1", err), 1);
	assert_int_equal(take(&so, SOCATOPT_RELAY, "-dd", NULL, err), 1);
	assert_int_equal(so.debug, 4);
	/* socat's letters relay lacks are still socat's */
	assert_int_equal(take(&so, SOCATOPT_RELAY, "-U", NULL, err), 1);
	assert_int_equal(so.dir, SOCATOPT_RIGHT_TO_LEFT);
	assert_int_equal(take(&so, SOCATOPT_RELAY, "-x", NULL, err), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapped),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_after_relay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
