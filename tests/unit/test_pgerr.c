/*
 * Unit tests for src/pgerr.c: where a pasted libpq error message says the
 * client tried to connect. The messages are libpq's own, word for word:
 * libpq 14+ ("connection to server on socket ... failed: ..."), older
 * releases ("could not connect to server: ... Unix domain socket ..."),
 * with the prefixes psql and Rails add and the tabs and line breaks a
 * terminal copy keeps; hostile input ends at a guard page.
 */
#include <sys/mman.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "guard.h"

#include "pgerr.h"
#include "util.h"

static void
test_new_socket(void **state)
{
	struct pgerr e;
	char err[128];

	(void)state;
	assert_true(pgerr_match("psql: error: connection to server on socket "
	    "\"/tmp/.s.PGSQL.5432\" failed: No such file or directory\n\tIs "
	    "the server running locally and accepting connections on that "
	    "socket?"));
	assert_int_equal(pgerr_parse(&e, "psql: error: connection to server "
	    "on socket \"/tmp/.s.PGSQL.5432\" failed: No such file or "
	    "directory\n\tIs the server running locally and accepting "
	    "connections on that socket?", err, sizeof(err)), 0);
	assert_string_equal(e.path, "/tmp/.s.PGSQL.5432");
	assert_int_equal(e.port, 5432);
	assert_string_equal(e.reason, "No such file or directory");
	assert_string_equal(e.host, "");

	/* Rails' wrapping, another directory and port. */
	assert_int_equal(pgerr_parse(&e, "ActiveRecord::ConnectionNotEstablished"
	    ": connection to server on socket \"/var/run/postgresql/.s.PGSQL."
	    "5433\" failed: Permission denied", err, sizeof(err)), 0);
	assert_string_equal(e.path, "/var/run/postgresql/.s.PGSQL.5433");
	assert_int_equal(e.port, 5433);
	assert_string_equal(e.reason, "Permission denied");
}

static void
test_old_socket(void **state)
{
	struct pgerr e;
	char err[128];

	(void)state;
	assert_int_equal(pgerr_parse(&e, "psql: could not connect to server: "
	    "No such file or directory\n\tIs the server running locally and "
	    "accepting\n\tconnections on Unix domain socket \"/var/run/"
	    "postgresql/.s.PGSQL.5432\"?\n", err, sizeof(err)), 0);
	assert_string_equal(e.path, "/var/run/postgresql/.s.PGSQL.5432");
	assert_int_equal(e.port, 5432);
	assert_string_equal(e.reason, "No such file or directory");
}

static void
test_tcp(void **state)
{
	struct pgerr e;
	char err[128];

	(void)state;
	assert_int_equal(pgerr_parse(&e, "connection to server at \"localhost\" "
	    "(127.0.0.1), port 5439 failed: Connection refused\n\tIs the "
	    "server running on that host and accepting TCP/IP connections?",
	    err, sizeof(err)), 0);
	assert_string_equal(e.path, "");
	assert_string_equal(e.host, "localhost");
	assert_string_equal(e.addr, "127.0.0.1");
	assert_int_equal(e.port, 5439);
	assert_string_equal(e.reason, "Connection refused");

	/* The first attempt wins over the ::1 one that follows. */
	assert_int_equal(pgerr_parse(&e, "connection to server at \"localhost\" "
	    "(::1), port 5432 failed: Connection refused\nconnection to server "
	    "at \"localhost\" (127.0.0.1), port 5432 failed: Connection "
	    "refused", err, sizeof(err)), 0);
	assert_string_equal(e.addr, "::1");

	assert_int_equal(pgerr_parse(&e, "could not connect to server: "
	    "Connection refused\n\tIs the server running on host \"db\" "
	    "(10.0.0.5) and accepting\n\tTCP/IP connections on port 5432?",
	    err, sizeof(err)), 0);
	assert_string_equal(e.host, "db");
	assert_string_equal(e.addr, "10.0.0.5");
	assert_int_equal(e.port, 5432);
	assert_string_equal(e.reason, "Connection refused");
}

static void
test_not_libpq(void **state)
{
	static const char *const in[] = {
		"", "/tmp/.s.PGSQL.5432", "connection refused",
		"connection to server on socket \"",
		"connection to server on socket \"\" failed",
		"connection to server at \"x\" (1.2.3.4), port 0 failed",
		"connection to server at \"x\" (1.2.3.4), port 99999 failed",
		"Is the server running on host \"h\" and accepting",
	};
	struct guard g;
	struct pgerr e;
	char err[128];

	(void)state;
	assert_false(pgerr_match("/tmp/.s.PGSQL.5432"));
	for (size_t i = 0; i < nitems(in); i++) {
		const char *s = guard_str(&g, in[i]);

		err[0] = '\0';
		assert_int_equal(pgerr_parse(&e, s, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
		guard_free(&g);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_socket),
		cmocka_unit_test(test_old_socket),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_not_libpq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
