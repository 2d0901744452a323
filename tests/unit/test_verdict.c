/*
 * Unit tests for src/verdict.c: which finding the verdict names when
 * several hold, what it tells the user to do, and the errno texts.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "verdict.h"

static char v[2048];

static const char *
write_v(const char *p, int pg, int ok, const struct verdict_facts *f)
{
	memset(v, 'x', sizeof(v));
	verdict_write(p, pg, ok, f, v, sizeof(v));
	assert_non_null(memchr(v, '\0', sizeof(v)));
	return v;
}

#define assert_has(s, part)	do {					\
	if (strstr((s), (part)) == NULL)				\
		fail_msg("verdict '%s' lacks '%s'", (s), (part));	\
} while (0)

static void
test_connect_ok_wins(void **state)
{
	struct verdict_facts f;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.exists = f.is_sock = 1;
	f.orphan = 1;	/* contradicts a connect that worked: ignored */
	snprintf(f.owner, sizeof(f.owner), "pid 12, postgres");
	assert_has(write_v("/run/x.sock", 0, 1, &f),
	    "A server accepts connections at /run/x.sock (pid 12, postgres)");
}

static void
test_stale(void **state)
{
	struct verdict_facts f;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.exists = f.is_sock = 1;
	write_v("/tmp/s", 0, 0, &f);
	assert_has(v, "/tmp/s is stale");
	assert_has(v, "rm /tmp/s");
}

/* A listener elsewhere is named before the file is called stale. */
static void
test_alternative_before_stale(void **state)
{
	struct verdict_facts f;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.exists = f.is_sock = 1;
	snprintf(f.alt, sizeof(f.alt), "/var/run/pg/.s.PGSQL.5432");
	write_v("/tmp/.s.PGSQL.5432", 1, 0, &f);
	assert_has(v, "a server listens at /var/run/pg/.s.PGSQL.5432");
	assert_has(v, "-h /var/run/pg");
}

/* A tcp server counts for a PostgreSQL client only if it speaks pg. */
static void
test_tcp_needs_pg(void **state)
{
	struct verdict_facts f;

	(void)state;
	memset(&f, 0, sizeof(f));
	snprintf(f.tcp, sizeof(f.tcp), "tcp:localhost:5432");
	write_v("/tmp/.s.PGSQL.5432", 1, 0, &f);
	assert_null(strstr(v, "answers on tcp:localhost:5432"));
	f.tcp_is_pg = 1;
	write_v("/tmp/.s.PGSQL.5432", 1, 0, &f);
	assert_has(v, "A PostgreSQL server answers on tcp:localhost:5432");
}

static void
test_nothing_found(void **state)
{
	struct verdict_facts f;

	(void)state;
	memset(&f, 0, sizeof(f));
	write_v("/run/none.sock", 0, 0, &f);
	assert_has(v, "Nothing listens at /run/none.sock and no server");
	f.exists = 1;
	write_v("/run/none.sock", 0, 0, &f);
	assert_has(v, "/run/none.sock is not a socket");
}

/* A tiny buffer is cut, never overrun. */
static void
test_small_buffer(void **state)
{
	struct verdict_facts f;
	char small[8];

	(void)state;
	memset(&f, 0, sizeof(f));
	memset(small, 'x', sizeof(small));
	verdict_write("/run/none.sock", 0, 0, &f, small, sizeof(small));
	assert_int_equal(small[7], '\0');
}

static void
test_errno_texts(void **state)
{
	(void)state;
	assert_string_equal(verdict_errno_name(ENOENT), "ENOENT");
	assert_string_equal(verdict_errno_name(ECONNREFUSED), "ECONNREFUSED");
	assert_string_equal(verdict_errno_name(-12345), "E?");
	assert_non_null(strstr(verdict_errno_meaning(ECONNREFUSED), "stale"));
	assert_non_null(strstr(verdict_errno_meaning(EACCES),
	    "write permission"));
	assert_non_null(strstr(verdict_errno_meaning(EAGAIN), "backlog"));
	/* Unknown ones fall back to the C library's text. */
	assert_string_equal(verdict_errno_meaning(EDOM), strerror(EDOM));
}

/* A listener in another mount namespace: what it is decides the fix;
 * never "restart". */
static void
test_namespaces(void **state)
{
	struct verdict_facts f;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.ns_pid = 42;
	f.ns_known = 1;
	snprintf(f.ns_comm, sizeof(f.ns_comm), "postgres");
	/* PrivateTmp: same pid namespace and root, a unit named. */
	f.ns.mnt_differs = 1;
	snprintf(f.ns.unit, sizeof(f.ns.unit), "postgresql@15-main.service");
	snprintf(f.ns.mount, sizeof(f.ns.mount), "/tmp");
	f.ns.mount_private = 1;
	write_v("/tmp/.s.PGSQL.5432", 1, 0, &f);
	assert_has(v, "its /tmp is private (systemd PrivateTmp=yes in "
	    "postgresql@15-main.service)");
	assert_has(v, "`systemctl edit postgresql@15-main.service`");
	assert_has(v, "/run/postgresql (PostgreSQL: unix_socket_directories)");
	assert_has(v, "`sockbridge relay unix:/tmp/.s.PGSQL.5432 "
	    "unix:/proc/42/root/tmp/.s.PGSQL.5432`");
	assert_null(strstr(v, "Restart"));

	/* A container: the tunnel or a published port. */
	f.ns.pid_differs = 1;
	snprintf(f.ns.runtime, sizeof(f.ns.runtime), "docker");
	snprintf(f.ns.cid, sizeof(f.ns.cid), "0123456789ab");
	write_v("/var/run/postgresql/.s.PGSQL.5432", 1, 0, &f);
	assert_has(v, "inside a container (docker 0123456789ab)");
	assert_has(v, "docker run -p PORT:PORT");
	assert_has(v, "'tunnel:docker exec -i 0123456789ab sockbridge tunnel "
	    "unix:/var/run/postgresql/.s.PGSQL.5432'");

	/* Nothing known: says so. */
	f.ns_known = 0;
	write_v("/tmp/x.sock", 0, 0, &f);
	assert_has(v, "doctor cannot tell whether it runs in a container or "
	    "with a private /tmp");

	/* A listener by name whose process cannot be read. */
	memset(&f, 0, sizeof(f));
	f.orphan = -1;
	snprintf(f.owner, sizeof(f.owner), "process hidden");
	write_v("/tmp/x.sock", 0, 0, &f);
	assert_has(v, "doctor cannot tell which without root");
}

/* A server for another port in the same directory. */
static void
test_sibling(void **state)
{
	struct verdict_facts f;

	(void)state;
	memset(&f, 0, sizeof(f));
	snprintf(f.sib, sizeof(f.sib), "/run/pg/.s.PGSQL.5433");
	f.sib_port = 5433;
	snprintf(f.alt, sizeof(f.alt), "/tmp/.s.PGSQL.5432");
	write_v("/run/pg/.s.PGSQL.5432", 1, 0, &f);
	assert_has(v, "No server on port 5432 in /run/pg (/run/pg/.s.PGSQL."
	    "5432), but one listens at /run/pg/.s.PGSQL.5433: use -p 5433 "
	    "(PGPORT=5433; Rails: port: 5433 in config/database.yml).");
	f.port_given = 1;
	write_v("/run/pg/.s.PGSQL.5432", 1, 0, &f);
	assert_has(v, "if that is your server, use -p 5433");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_ok_wins),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_alternative_before_stale),
		cmocka_unit_test(test_tcp_needs_pg),
		cmocka_unit_test(test_nothing_found),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_errno_texts),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_sibling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
