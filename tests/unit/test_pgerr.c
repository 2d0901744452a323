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

#include "check.h"
#include "guard.h"

#include "pgerr.h"
#include "util.h"

/* What pgerr_parse must find in each message; a NULL field (a 0 port) is
 * not checked. */
struct parse_case {
	const char	*in;
	int		 match;	/* pgerr_match must say yes too */
	const char	*path, *host, *addr, *reason;
	unsigned int	 port;
};

static const struct parse_case parse_cases[] = {
	/* libpq 14+, through psql. */
	{ .in = "psql: error: connection to server on socket \"/tmp/.s.PGSQL."
	    "5432\" failed: No such file or directory\n\tIs the server "
	    "running locally and accepting connections on that socket?",
	    .match = 1, .path = "/tmp/.s.PGSQL.5432", .port = 5432,
	    .reason = "No such file or directory", .host = "" },
	/* Rails' wrapping, another directory and port. */
	{ .in = "ActiveRecord::ConnectionNotEstablished: connection to server "
	    "on socket \"/var/run/postgresql/.s.PGSQL.5433\" failed: "
	    "Permission denied",
	    .path = "/var/run/postgresql/.s.PGSQL.5433", .port = 5433,
	    .reason = "Permission denied" },
	/* Before libpq 14. */
	{ .in = "psql: could not connect to server: No such file or "
	    "directory\n\tIs the server running locally and accepting\n\t"
	    "connections on Unix domain socket \"/var/run/postgresql/.s."
	    "PGSQL.5432\"?\n",
	    .path = "/var/run/postgresql/.s.PGSQL.5432", .port = 5432,
	    .reason = "No such file or directory" },
	/* tcp. */
	{ .in = "connection to server at \"localhost\" (127.0.0.1), port 5439 "
	    "failed: Connection refused\n\tIs the server running on that "
	    "host and accepting TCP/IP connections?",
	    .path = "", .host = "localhost", .addr = "127.0.0.1", .port = 5439,
	    .reason = "Connection refused" },
	/* The first attempt wins over the ::1 one that follows. */
	{ .in = "connection to server at \"localhost\" (::1), port 5432 "
	    "failed: Connection refused\nconnection to server at "
	    "\"localhost\" (127.0.0.1), port 5432 failed: Connection refused",
	    .addr = "::1" },
	{ .in = "could not connect to server: Connection refused\n\tIs the "
	    "server running on host \"db\" (10.0.0.5) and accepting\n\t"
	    "TCP/IP connections on port 5432?",
	    .host = "db", .addr = "10.0.0.5", .port = 5432,
	    .reason = "Connection refused" },
};

static void
test_parse(void **state)
{
	struct pgerr e;
	char err[128];

	(void)state;
	for (size_t i = 0; i < nitems(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];

		if (c->match)
			assert_true(pgerr_match(c->in));
		assert_int_equal(pgerr_parse(&e, c->in, err, sizeof(err)), 0);
		check_str(e.path, c->path);
		check_str(e.host, c->host);
		check_str(e.addr, c->addr);
		check_str(e.reason, c->reason);
		if (c->port != 0)
			assert_int_equal(e.port, c->port);
	}
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
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_not_libpq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
