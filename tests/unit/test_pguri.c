/*
 * Unit tests for src/pguri.c: where a PostgreSQL client would connect,
 * from a postgresql:// (or postgres://) URI or a libpq-style host and port.
 *
 * The expected results follow libpq: a host starting with '/' is a socket
 * directory (DIR/.s.PGSQL.PORT), percent-escapes are decoded, host= and
 * port= in the query override the authority, the first of several
 * comma-separated hosts wins (with its own port), and an empty host means
 * the default socket directory. Hostile input (bad escapes, bad ports,
 * overlong hosts, unbalanced brackets) is also parsed from a copy whose
 * terminating NUL is the last readable byte before a PROT_NONE page, so a
 * read past the end faults (as in test_addr.c and picohttpparser's test.c).
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

#include "pguri.h"
#include "util.h"

#define ERR_MAX		256
#define ANY		2	/* guard cases: either result, libpq differs */

/* Parse uri, fail the test at the caller's line unless it parses. */
#define URI_OK(u, uri)		uri_ok((u), (uri), __FILE__, __LINE__)
/* Parse uri, fail unless it is rejected with needle in the message. */
#define URI_ERR(uri, needle)	uri_err((uri), (needle), __FILE__, __LINE__)
/* Parse uri and check it names the unix socket path. */
#define URI_UNIX(uri, dir, port, path) \
	uri_unix((uri), (dir), (port), (path), __FILE__, __LINE__)
/* Parse uri and check it names tcp host:port. */
#define URI_TCP(uri, host, port) \
	uri_tcp((uri), (host), (port), __FILE__, __LINE__)

static void
uri_ok(struct pguri *u, const char *uri, const char *file, int line)
{
	char err[ERR_MAX] = "";

	if (pguri_parse(u, uri, err, sizeof(err)) != 0) {
		print_error("pguri_parse(\"%.80s\") failed: %s\n", uri, err);
		_fail(file, line);
	}
}

static void
uri_err(const char *uri, const char *needle, const char *file, int line)
{
	struct pguri u;
	char err[ERR_MAX] = "";

	if (pguri_parse(&u, uri, err, sizeof(err)) != -1) {
		print_error("pguri_parse(\"%.80s\") succeeded (host \"%s\", port "
		    "%u), expected an error with \"%s\"\n", uri, u.host, u.port,
		    needle);
		_fail(file, line);
	}
	if (strstr(err, needle) == NULL) {
		print_error("pguri_parse(\"%.80s\"): error \"%s\" lacks \"%s\"\n",
		    uri, err, needle);
		_fail(file, line);
	}
}

static void
uri_unix(const char *uri, const char *dir, unsigned int port,
    const char *path, const char *file, int line)
{
	struct pguri u;

	uri_ok(&u, uri, file, line);
	if (!u.is_unix || strcmp(u.host, dir) != 0 || u.port != port ||
	    strcmp(u.path, path) != 0) {
		print_error("pguri_parse(\"%.80s\"): is_unix %d host \"%s\" port "
		    "%u path \"%s\"; expected unix \"%s\" %u \"%s\"\n", uri,
		    u.is_unix, u.host, u.port, u.path, dir, port, path);
		_fail(file, line);
	}
}

static void
uri_tcp(const char *uri, const char *host, unsigned int port,
    const char *file, int line)
{
	struct pguri u;

	uri_ok(&u, uri, file, line);
	if (u.is_unix || strcmp(u.host, host) != 0 || u.port != port ||
	    u.path[0] != '\0') {
		print_error("pguri_parse(\"%.80s\"): is_unix %d host \"%s\" port "
		    "%u path \"%s\"; expected tcp \"%s\" %u\n", uri, u.is_unix,
		    u.host, u.port, u.path, host, port);
		_fail(file, line);
	}
}

/* Write pfx, n copies of c, then sfx into buf (bufsize bytes); return buf. */
static char *
fill(char *buf, size_t bufsize, const char *pfx, int c, size_t n,
    const char *sfx)
{
	size_t pl = strlen(pfx), sl = strlen(sfx);

	assert_true(pl + n + sl < bufsize);
	memcpy(buf, pfx, pl);
	memset(buf + pl, c, n);
	memcpy(buf + pl + n, sfx, sl + 1);
	return buf;
}

/* ---- the forms libpq users write ------------------------------------- */

static void
test_encoded_dir_in_authority(void **state)
{
	(void)state;
	URI_UNIX("postgresql://user@%2Ftmp:5432/db", "/tmp", 5432,
	    "/tmp/.s.PGSQL.5432");
	URI_UNIX("postgres://user@%2Ftmp:5432/db", "/tmp", 5432,
	    "/tmp/.s.PGSQL.5432");
	/* Lower-case escapes, several of them, no user, no database. */
	URI_UNIX("postgresql://%2fvar%2frun%2Fpostgresql", "/var/run/postgresql",
	    5432, "/var/run/postgresql/.s.PGSQL.5432");
	URI_UNIX("postgresql://%2Fsrv%2Fmy%20app:6543", "/srv/my app", 6543,
	    "/srv/my app/.s.PGSQL.6543");
	/* Any byte may be escaped, not only '/'. */
	URI_UNIX("postgresql://%2F%74%6D%70/db", "/tmp", 5432,
	    "/tmp/.s.PGSQL.5432");
}

static void
test_query_host(void **state)
{
	(void)state;
	URI_UNIX("postgresql:///db?host=/var/run/postgresql",
	    "/var/run/postgresql", 5432, "/var/run/postgresql/.s.PGSQL.5432");
	URI_UNIX("postgres:///db?host=/var/run/postgresql",
	    "/var/run/postgresql", 5432, "/var/run/postgresql/.s.PGSQL.5432");
	URI_UNIX("postgresql:///db?host=%2Ftmp", "/tmp", 5432,
	    "/tmp/.s.PGSQL.5432");
	/* No path at all: the query follows the authority directly. */
	URI_UNIX("postgresql://?host=/x", "/x", 5432, "/x/.s.PGSQL.5432");
	/* Other parameters around it are ignored. */
	URI_UNIX("postgresql://u@/db?sslmode=disable&host=/run/pg&"
	    "application_name=a", "/run/pg", 5432, "/run/pg/.s.PGSQL.5432");
	/* host= with a tcp name. */
	URI_TCP("postgresql:///db?host=db.example", "db.example", 5432);
}

static void
test_tcp_host_port(void **state)
{
	(void)state;
	URI_TCP("postgresql://localhost:5433/db", "localhost", 5433);
	URI_TCP("postgres://localhost:5433/db", "localhost", 5433);
	URI_TCP("postgresql://localhost", "localhost", 5432);
	URI_TCP("postgresql://localhost/db", "localhost", 5432);
	URI_TCP("postgresql://127.0.0.1:1", "127.0.0.1", 1);
	URI_TCP("postgresql://db.example.com:65535/x", "db.example.com", 65535);
	URI_TCP("postgresql://h:5433?sslmode=require", "h", 5433);
}

static void
test_query_overrides(void **state)
{
	(void)state;
	URI_UNIX("postgresql:///db?port=6000&host=%2Frun", "/run", 6000,
	    "/run/.s.PGSQL.6000");
	URI_UNIX("postgresql:///db?host=%2Frun&port=6000", "/run", 6000,
	    "/run/.s.PGSQL.6000");
	/* Query wins over the authority, for host and for port. */
	URI_UNIX("postgresql://localhost:5433/db?port=6000&host=%2Frun", "/run",
	    6000, "/run/.s.PGSQL.6000");
	URI_UNIX("postgresql://%2Fa:1111/db?port=2222", "/a", 2222,
	    "/a/.s.PGSQL.2222");
	URI_TCP("postgresql://%2Fa:1111/db?host=localhost", "localhost", 1111);
	/* An empty host= means the default directory. */
	URI_UNIX("postgresql://localhost/db?host=", PGURI_DEFAULT_DIR, 5432,
	    PGURI_DEFAULT_DIR "/.s.PGSQL.5432");
	/* Keys that only look like host or port change nothing. */
	URI_TCP("postgresql://h:7/db?hostaddr=/x&xhost=/y&hostx=/z&ports=9&"
	    "port", "h", 7);
	/* Empty pairs and pairs without '=' are skipped. */
	URI_UNIX("postgresql:///db?&&host&=&host=/q&", "/q", 5432,
	    "/q/.s.PGSQL.5432");
}

static void
test_userinfo(void **state)
{
	(void)state;
	URI_TCP("postgresql://user:password@db:5433/x", "db", 5433);
	URI_TCP("postgresql://user:@db/x", "db", 5432);
	URI_TCP("postgresql://:pw@db/x", "db", 5432);
	URI_UNIX("postgresql://user:secret@%2Ftmp:5433/db", "/tmp", 5433,
	    "/tmp/.s.PGSQL.5433");
	/* A user but no host: the default directory. */
	URI_UNIX("postgresql://user@/db", PGURI_DEFAULT_DIR, 5432,
	    PGURI_DEFAULT_DIR "/.s.PGSQL.5432");
	URI_UNIX("postgresql://user@:5433/db", PGURI_DEFAULT_DIR, 5433,
	    PGURI_DEFAULT_DIR "/.s.PGSQL.5433");
	/* The password's ':' is not the port's. */
	URI_TCP("postgresql://u:p:q@h:9/x", "h", 9);
}

static void
test_ipv6(void **state)
{
	(void)state;
	URI_TCP("postgresql://[::1]:5432/db", "::1", 5432);
	URI_TCP("postgresql://[::1]/db", "::1", 5432);
	URI_TCP("postgresql://[::1]", "::1", 5432);
	URI_TCP("postgresql://u:p@[2001:db8::7]:6000?sslmode=disable",
	    "2001:db8::7", 6000);
	URI_TCP("postgresql://[fe80::1%25eth0]:5433", "fe80::1%eth0", 5433);
}

/* Several hosts: libpq tries them in order; the first is where it goes
 * first, with its own port. */
static void
test_multiple_hosts(void **state)
{
	(void)state;
	URI_TCP("postgresql://host1,host2/db", "host1", 5432);
	URI_UNIX("postgresql://%2Ftmp,%2Fvar%2Frun/db", "/tmp", 5432,
	    "/tmp/.s.PGSQL.5432");
	URI_UNIX("postgresql:///db?host=/a,/b&port=5433", "/a", 5433,
	    "/a/.s.PGSQL.5433");
	/* libpq pairs ports with hosts: h1 has none, so the default. */
	URI_TCP("postgresql://h1,h2:5433/db", "h1", 5432);
}

/* Each host of the authority with its own port ("h1:p1,h2:p2"). */
static void
test_multiple_hosts_ports(void **state)
{
	(void)state;
	URI_TCP("postgresql://host1:5433,host2:5434/db", "host1", 5433);
	URI_TCP("postgresql://host1:5433,host2/db", "host1", 5433);
	URI_UNIX("postgresql://%2Fa:5433,%2Fb:5434/db", "/a", 5433,
	    "/a/.s.PGSQL.5433");
	URI_TCP("postgresql://[::1]:5433,[::2]:5434/db", "::1", 5433);
}

/* port= with one port per host of host=. */
static void
test_multiple_hosts_port_list(void **state)
{
	(void)state;
	URI_UNIX("postgresql:///db?host=/a,/b&port=5433,5434", "/a", 5433,
	    "/a/.s.PGSQL.5433");
}

/* An empty first host is libpq's default: the socket directory. */
static void
test_multiple_hosts_empty_first(void **state)
{
	(void)state;
	URI_UNIX("postgresql://,host2/db", PGURI_DEFAULT_DIR, 5432,
	    PGURI_DEFAULT_DIR "/.s.PGSQL.5432");
	URI_UNIX("postgresql:///db?host=,host2", PGURI_DEFAULT_DIR, 5432,
	    PGURI_DEFAULT_DIR "/.s.PGSQL.5432");
}

static void
test_empty(void **state)
{
	(void)state;
	URI_UNIX("postgresql://", PGURI_DEFAULT_DIR, 5432,
	    PGURI_DEFAULT_DIR "/.s.PGSQL.5432");
	URI_UNIX("postgres://", PGURI_DEFAULT_DIR, 5432,
	    PGURI_DEFAULT_DIR "/.s.PGSQL.5432");
	URI_UNIX("postgresql:///", PGURI_DEFAULT_DIR, 5432,
	    PGURI_DEFAULT_DIR "/.s.PGSQL.5432");
	URI_UNIX("postgresql:///db", PGURI_DEFAULT_DIR, 5432,
	    PGURI_DEFAULT_DIR "/.s.PGSQL.5432");
	URI_UNIX("postgresql://?", PGURI_DEFAULT_DIR, 5432,
	    PGURI_DEFAULT_DIR "/.s.PGSQL.5432");
	URI_UNIX("postgresql:///db?port=5999", PGURI_DEFAULT_DIR, 5999,
	    PGURI_DEFAULT_DIR "/.s.PGSQL.5999");
}

static void
test_abstract_host(void **state)
{
	/* libpq (16+): a host starting with '@' is an abstract socket
	 * directory name; the path is built the same way. */
	(void)state;
	URI_UNIX("postgresql://%40pg/db", "@pg", 5432, "@pg/.s.PGSQL.5432");
}

static void
test_not_a_uri(void **state)
{
	(void)state;
	URI_ERR("", "not a postgresql:// URI");
	URI_ERR("postgresql:", "not a postgresql:// URI");
	URI_ERR("postgresql:/", "not a postgresql:// URI");
	URI_ERR("postgres:/tmp", "not a postgresql:// URI");
	URI_ERR("postgresq://x", "not a postgresql:// URI");
	URI_ERR("pg://x", "not a postgresql:// URI");
	URI_ERR("mysql://x", "not a postgresql:// URI");
	URI_ERR("/tmp/.s.PGSQL.5432", "not a postgresql:// URI");
	URI_ERR(" postgresql://x", "not a postgresql:// URI");
}

/* ---- hostile input --------------------------------------------------- */

static void
test_bad_percent_escapes(void **state)
{
	(void)state;
	URI_ERR("postgresql://%2", "bad percent-escape");
	URI_ERR("postgresql://%2/db", "bad percent-escape");
	URI_ERR("postgresql://%", "bad percent-escape");
	URI_ERR("postgresql://%/db", "bad percent-escape");
	URI_ERR("postgresql://%zz/db", "bad percent-escape");
	URI_ERR("postgresql://%2z/db", "bad percent-escape");
	URI_ERR("postgresql://%z2/db", "bad percent-escape");
	URI_ERR("postgresql://% 2/db", "bad percent-escape");
	URI_ERR("postgresql://%00/db", "bad percent-escape");
	URI_ERR("postgresql://%2Ftmp%00x:5432/db", "bad percent-escape");
	URI_ERR("postgresql://a%2:5432/db", "bad percent-escape");
	URI_ERR("postgresql://[%zz]:1", "bad host");
	URI_ERR("postgresql://[%00]:1", "bad host");
	URI_ERR("postgresql:///db?host=%2", "bad host= value");
	URI_ERR("postgresql:///db?host=%zz", "bad host= value");
	URI_ERR("postgresql:///db?host=%00", "bad host= value");
	URI_ERR("postgresql:///db?host=%2F%0", "bad host= value");
	URI_ERR("postgresql:///db?host=%&port=1", "bad host= value");
}

static void
test_bad_ports(void **state)
{
	(void)state;
	URI_ERR("postgresql://h:0/db", "bad port '0'");
	URI_ERR("postgresql://h:00000/db", "bad port");
	URI_ERR("postgresql://h:65536/db", "bad port '65536'");
	URI_ERR("postgresql://h:99999/db", "bad port");
	URI_ERR("postgresql://h:123456/db", "bad port");
	URI_ERR("postgresql://h:99999999999999999999/db", "bad port");
	URI_ERR("postgresql://h:abc/db", "bad port 'abc'");
	URI_ERR("postgresql://h:54a/db", "bad port");
	URI_ERR("postgresql://h:-1/db", "bad port");
	URI_ERR("postgresql://h:+1/db", "bad port");
	URI_ERR("postgresql://h: 1/db", "bad port");
	URI_ERR("postgresql://h:1 /db", "bad port");
	URI_ERR("postgresql://h:1:2/db", "bad port");
	URI_ERR("postgresql://[::1]:0", "bad port");
	URI_ERR("postgresql://[::1]:x", "bad port");
	URI_ERR("postgresql:///db?port=0", "bad port= value");
	URI_ERR("postgresql:///db?port=65536", "bad port= value");
	URI_ERR("postgresql:///db?port=abc", "bad port= value");
	URI_ERR("postgresql:///db?port=5432x", "bad port= value");
	/* The edges that are fine. */
	URI_TCP("postgresql://h:65535", "h", 65535);
	URI_TCP("postgresql://h:00001", "h", 1);
	URI_UNIX("postgresql:///db?port=1", PGURI_DEFAULT_DIR, 1,
	    PGURI_DEFAULT_DIR "/.s.PGSQL.1");
}

static void
test_overlong_host(void **state)
{
	static char buf[8192];

	(void)state;
	/* 300 bytes of host, in the authority and in the query. */
	URI_ERR(fill(buf, sizeof(buf), "postgresql://", 'h', 300, "/db"),
	    "host too long");
	URI_ERR(fill(buf, sizeof(buf), "postgresql://", 'h', 300, ":5432/db"),
	    "host too long");
	URI_ERR(fill(buf, sizeof(buf), "postgresql:///db?host=/", 'd', 299, ""),
	    "bad host= value");
	URI_ERR(fill(buf, sizeof(buf), "postgresql://[", ':', 300, "]:1"),
	    "bad host");
	/* 300 decoded bytes from 900 encoded ones. */
	{
		size_t o = 0;

		o += (size_t)snprintf(buf, sizeof(buf), "postgresql://");
		for (int i = 0; i < 300; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%%2F");
		snprintf(buf + o, sizeof(buf) - o, "/db");
		URI_ERR(buf, "host too long");
	}
	/* The host buffer holds 255 bytes and a NUL. */
	URI_ERR(fill(buf, sizeof(buf), "postgresql://", 'h', 256, ""),
	    "host too long");
	{
		struct pguri u;

		URI_OK(&u, fill(buf, sizeof(buf), "postgresql://", 'h', 255, ""));
		assert_int_equal(strlen(u.host), 255);
		assert_int_equal(u.is_unix, 0);
	}
	/* A directory that fits as a host but not with .s.PGSQL.PORT. */
	URI_ERR(fill(buf, sizeof(buf), "postgresql:///db?host=/", 'd', 250, ""),
	    "socket path too long");
	/* The longest directory that does: 241 + "/.s.PGSQL.5432" = 255. */
	{
		struct pguri u;

		URI_OK(&u, fill(buf, sizeof(buf), "postgresql:///db?host=/", 'd',
		    240, ""));
		assert_int_equal(u.is_unix, 1);
		assert_int_equal(strlen(u.path), 255);
	}
	URI_ERR(fill(buf, sizeof(buf), "postgresql:///db?host=/", 'd', 241, ""),
	    "socket path too long");
	/* Long query and user parts that are not the host are fine. */
	URI_TCP(fill(buf, sizeof(buf), "postgresql://", 'u', 4000, "@h:1"),
	    "h", 1);
	URI_TCP(fill(buf, sizeof(buf), "postgresql://h:1/db?application_name=",
	    'a', 4000, ""), "h", 1);
}

static void
test_brackets(void **state)
{
	(void)state;
	URI_ERR("postgresql://[", "missing ']'");
	URI_ERR("postgresql://[::1", "missing ']'");
	URI_ERR("postgresql://[::1:5432/db", "missing ']'");
	URI_ERR("postgresql://u@[::1/db]", "missing ']'");
	URI_ERR("postgresql://[::1]x", "junk after ']'");
	URI_ERR("postgresql://[::1]]", "junk after ']'");
}

/* An empty port is the default port, in libpq: "h:/db", "[::1]:",
 * "?port=". */
static void
test_empty_port(void **state)
{
	(void)state;
	URI_UNIX("postgresql://%2Ftmp:/db", "/tmp", 5432, "/tmp/.s.PGSQL.5432");
	URI_TCP("postgresql://h:/db", "h", 5432);
	URI_TCP("postgresql://[::1]:", "::1", 5432);
	URI_UNIX("postgresql:///db?host=/tmp&port=", "/tmp", 5432,
	    "/tmp/.s.PGSQL.5432");
}

/* libpq: "IPv6 host address may not be empty in URI". */
static void
test_empty_brackets(void **state)
{
	(void)state;
	URI_ERR("postgresql://[]:1", "host");
	URI_ERR("postgresql://[]", "host");
}

static void
test_high_bytes(void **state)
{
	struct pguri u;

	(void)state;
	URI_OK(&u, "postgresql://%2F\xff\xfe/db");
	assert_string_equal(u.path, "/\xff\xfe/.s.PGSQL.5432");
	URI_OK(&u, "postgresql://%2F%FF/db");
	assert_string_equal(u.host, "/\xff");
	URI_ERR("postgresql://h:\xff", "bad port");
	URI_ERR("postgresql://h:5\xb4", "bad port");
}

/* ---- pguri_from_host: libpq's -h and -p ------------------------------ */

static void
test_from_host(void **state)
{
	struct pguri u;
	char err[ERR_MAX] = "", buf[512];

	(void)state;
	assert_int_equal(pguri_from_host(&u, "/tmp", 5432, err, sizeof(err)), 0);
	assert_true(u.is_unix);
	assert_string_equal(u.path, "/tmp/.s.PGSQL.5432");

	assert_int_equal(pguri_from_host(&u, "/tmp", 0, err, sizeof(err)), 0);
	assert_int_equal(u.port, 5432);
	assert_string_equal(u.path, "/tmp/.s.PGSQL.5432");

	assert_int_equal(pguri_from_host(&u, NULL, 6000, err, sizeof(err)), 0);
	assert_true(u.is_unix);
	assert_string_equal(u.host, PGURI_DEFAULT_DIR);
	assert_string_equal(u.path, PGURI_DEFAULT_DIR "/.s.PGSQL.6000");

	assert_int_equal(pguri_from_host(&u, "", 0, err, sizeof(err)), 0);
	assert_string_equal(u.path, PGURI_DEFAULT_DIR "/.s.PGSQL.5432");

	assert_int_equal(pguri_from_host(&u, "localhost", 5433, err,
	    sizeof(err)), 0);
	assert_false(u.is_unix);
	assert_string_equal(u.host, "localhost");
	assert_int_equal(u.port, 5433);
	assert_string_equal(u.path, "");

	assert_int_equal(pguri_from_host(&u, "/a,/b", 1, err, sizeof(err)), 0);
	assert_string_equal(u.path, "/a/.s.PGSQL.1");

	assert_int_equal(pguri_from_host(&u, fill(buf, sizeof(buf), "/", 'd',
	    300, ""), 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(pguri_from_host(&u, fill(buf, sizeof(buf), "/", 'd',
	    250, ""), 5432, err, sizeof(err)), -1);
	assert_string_equal(err, "socket path too long");
}

/* ---- error buffers --------------------------------------------------- */

static void
test_small_err_buffer(void **state)
{
	struct pguri u;
	char err[8];

	(void)state;
	memset(err, 'X', sizeof(err));
	assert_int_equal(pguri_parse(&u, "postgresql://h:0", err, 1), -1);
	assert_int_equal(err[0], '\0');
	assert_int_equal(err[1], 'X');

	assert_int_equal(pguri_parse(&u, "postgresql://h:0", err, sizeof(err)),
	    -1);
	assert_string_equal(err, "bad por");

	/* errlen 0, or no buffer at all: nothing is written. */
	memset(err, 'X', sizeof(err));
	assert_int_equal(pguri_parse(&u, "mysql://", err, 0), -1);
	assert_int_equal(err[0], 'X');
	assert_int_equal(pguri_parse(&u, "mysql://", NULL, 0), -1);
	assert_int_equal(pguri_parse(&u, "postgresql://%zz", NULL, 0), -1);
}

/* ---- guard pages ----------------------------------------------------- */

static const struct {
	const char	*text;
	int		 rc;
} guard_cases[] = {
	{ "postgresql://user@%2Ftmp:5432/db", 0 },
	{ "postgresql:///db?host=/var/run/postgresql", 0 },
	{ "postgresql://localhost:5433/db", 0 },
	{ "postgresql:///db?port=6000&host=%2Frun", 0 },
	{ "postgresql://u:p@[::1]:5432", 0 },
	{ "postgresql://[::1]", 0 },
	{ "postgresql://h1,h2", 0 },
	{ "postgresql://", 0 },
	{ "postgres://", 0 },
	{ "postgresql:///", 0 },
	{ "postgresql://?", 0 },
	{ "postgresql://?&", 0 },
	{ "postgresql://?host", 0 },
	{ "postgresql://?host=", 0 },
	{ "postgresql://@", 0 },
	{ "postgresql://u@", 0 },
	{ "postgresql://h:1", 0 },
	{ "postgresql://h:65535", 0 },
	{ "postgresql://?port=1", 0 },
	{ "postgresql://%2F", 0 },
	{ "postgresql://%2f", 0 },
	{ "", -1 },
	{ "p", -1 },
	{ "postgresql:/", -1 },
	{ "postgres:/", -1 },
	{ "postgresql://%", -1 },
	{ "postgresql://%2", -1 },
	{ "postgresql://a%", -1 },
	{ "postgresql://a%4", -1 },
	{ "postgresql://%zz", -1 },
	{ "postgresql://%00", -1 },
	{ "postgresql://h:", ANY },
	{ "postgresql://h:0", -1 },
	{ "postgresql://h:6553", 0 },
	{ "postgresql://h:65536", -1 },
	{ "postgresql://h:655350", -1 },
	{ "postgresql://h:x", -1 },
	{ "postgresql://[", -1 },
	{ "postgresql://[:", -1 },
	{ "postgresql://[::1", -1 },
	{ "postgresql://[::1]", 0 },
	{ "postgresql://[::1]:", ANY },
	{ "postgresql://[::1]x", -1 },
	{ "postgresql://[%", -1 },
	{ "postgresql://[%2", -1 },
	{ "postgresql://[%2]", -1 },
	{ "postgresql://[]", ANY },
	{ "postgresql://[]:", ANY },
	{ "postgresql://,", ANY },
	{ "postgresql://h:1,", ANY },
	{ "postgresql://h:1,h:", ANY },
	{ "postgresql://?host=,&port=1,", ANY },
	{ "postgresql://?host=%", -1 },
	{ "postgresql://?host=%2", -1 },
	{ "postgresql://?host=%2F", 0 },
	{ "postgresql://?port=", ANY },
	{ "postgresql://?port=0", -1 },
	{ "postgresql://?port=1&", 0 },
	{ "postgresql://?port=1&host=%", -1 },
	{ "postgresql://\xff", 0 },
	{ "postgresql://h:\xff", -1 },
};

/*
 * Parse text both from an ordinary copy and from one that ends at a guard
 * page; both must give rc (unless ANY), the same error and the same result.
 */
static void
check_at_guard(const char *text, int rc)
{
	struct pguri want, got;
	char want_err[ERR_MAX] = "", got_err[ERR_MAX] = "";
	struct guard g;
	const char *p;
	int r;

	r = pguri_parse(&want, text, want_err, sizeof(want_err));
	if (rc != ANY && r != rc)
		fail_msg("pguri_parse(\"%.60s\") = %d (%s), expected %d", text,
		    r, want_err, rc);

	p = guard_str(&g, text);
	assert_int_equal(pguri_parse(&got, p, got_err, sizeof(got_err)), r);
	guard_free(&g);
	assert_string_equal(got_err, want_err);
	assert_memory_equal(&got, &want, sizeof(got));
}

static void
test_guard_page_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(guard_cases); i++)
		check_at_guard(guard_cases[i].text, guard_cases[i].rc);
}

static void
test_guard_page_long(void **state)
{
	static char buf[16384];

	(void)state;
	check_at_guard(fill(buf, sizeof(buf), "postgresql://", 'h', 255, ""), 0);
	check_at_guard(fill(buf, sizeof(buf), "postgresql://", 'h', 256, ""), -1);
	check_at_guard(fill(buf, sizeof(buf), "postgresql://", 'h', 300, ""), -1);
	check_at_guard(fill(buf, sizeof(buf), "postgresql://", 'h', 9000, ""),
	    -1);
	check_at_guard(fill(buf, sizeof(buf), "postgresql://", 'u', 9000, "@"),
	    0);
	check_at_guard(fill(buf, sizeof(buf), "postgresql://[", ':', 9000, ""),
	    -1);
	check_at_guard(fill(buf, sizeof(buf), "postgresql://h:", '1', 9000, ""),
	    -1);
	check_at_guard(fill(buf, sizeof(buf), "postgresql://?host=/", 'd', 240,
	    ""), 0);
	check_at_guard(fill(buf, sizeof(buf), "postgresql://?host=/", 'd', 241,
	    ""), -1);
	check_at_guard(fill(buf, sizeof(buf), "postgresql://?", '&', 9000, ""),
	    0);
	check_at_guard(fill(buf, sizeof(buf), "postgresql://?x=", '=', 9000, ""),
	    0);
	check_at_guard(fill(buf, sizeof(buf), "postgresql://h/", '/', 9000, ""),
	    0);
}

/* An error buffer that ends at a guard page must not be overrun. */
static void
test_guard_page_err_buffer(void **state)
{
	static const size_t lens[] = { 1, 2, 7, 16, ERR_MAX };
	static const char *const bad[] = {
		"mysql://x",
		"postgresql://%zz",
		"postgresql://h:123456789012345678901234567890",
		"postgresql://[::1",
		"postgresql://[::1]x",
		"postgresql:///db?host=%00",
		"postgresql:///db?port=0",
	};
	static char dir[512];
	struct guard g;
	struct pguri u;
	char *err;

	(void)state;
	for (size_t i = 0; i < nitems(lens); i++) {
		for (size_t j = 0; j < nitems(bad); j++) {
			err = guard_map(&g, lens[i]);
			assert_int_equal(pguri_parse(&u, bad[j], err, lens[i]),
			    -1);
			assert_int_equal(err[lens[i] - 1], '\0');
			guard_free(&g);
		}
		err = guard_map(&g, lens[i]);
		/* A directory that fits as a host, not with the file name;
		 * then one that is too long as a host. */
		assert_int_equal(pguri_from_host(&u, fill(dir, sizeof(dir), "/",
		    'd', 250, ""), 5432, err, lens[i]), -1);
		assert_int_equal(err[lens[i] - 1], '\0');
		assert_int_equal(pguri_from_host(&u, fill(dir, sizeof(dir), "/",
		    'd', 400, ""), 5432, err, lens[i]), -1);
		assert_int_equal(err[lens[i] - 1], '\0');
		guard_free(&g);
	}
}

/* conninfo strings, as libpq takes them: keyword=value pairs, values in
 * single quotes with backslash escapes, unknown keywords skipped. */
static void
test_conninfo(void **state)
{
	struct pguri u;
	char err[ERR_MAX];

	(void)state;
	assert_true(pguri_is_conninfo("host=/tmp port=5433 dbname=x"));
	assert_true(pguri_is_conninfo("  dbname = x"));
	assert_false(pguri_is_conninfo("/tmp/.s.PGSQL.5432"));
	assert_false(pguri_is_conninfo("postgresql://x"));
	assert_false(pguri_is_conninfo("=x"));

	assert_int_equal(pguri_conninfo(&u, "host=/tmp port=5433 dbname=x",
	    err, sizeof(err)), 0);
	assert_string_equal(u.path, "/tmp/.s.PGSQL.5433");
	assert_true(u.is_unix && u.host_given && u.port_given);
	assert_string_equal(u.dbname, "x");

	/* Spaces around '=', quotes, escapes, unknown keywords. */
	assert_int_equal(pguri_conninfo(&u, " dbname = 'my db' host = "
	    "'/var/it\\'s dir' sslmode=disable user=b\\ob", err,
	    sizeof(err)), 0);
	assert_string_equal(u.host, "/var/it's dir");
	assert_string_equal(u.dbname, "my db");
	assert_string_equal(u.user, "bob");
	assert_int_equal(u.port, 5432);
	assert_false(u.port_given);

	/* No host: the default directory, host_given unset. */
	assert_int_equal(pguri_conninfo(&u, "dbname=x", err, sizeof(err)), 0);
	assert_false(u.host_given);
	assert_string_equal(u.host, PGURI_DEFAULT_DIR);

	/* A tcp host, a port list. */
	assert_int_equal(pguri_conninfo(&u, "host=localhost port=6000,6001",
	    err, sizeof(err)), 0);
	assert_false(u.is_unix);
	assert_int_equal(u.port, 6000);

	assert_int_equal(pguri_conninfo(&u, "host='/tmp", err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "unterminated"));
	assert_int_equal(pguri_conninfo(&u, "port=0", err, sizeof(err)), -1);
	assert_int_equal(pguri_conninfo(&u, "port=x host=/tmp", err,
	    sizeof(err)), -1);
	assert_int_equal(pguri_conninfo(&u, "host /tmp", err, sizeof(err)), -1);
	assert_int_equal(pguri_conninfo(&u, "   ", err, sizeof(err)), -1);
}

/* A URI says whether it named a host and a port (PGHOST and PGPORT fill
 * in what it did not). */
static void
test_given_flags(void **state)
{
	struct pguri u;

	(void)state;
	URI_OK(&u, "postgresql:///db");
	assert_false(u.host_given);
	assert_false(u.port_given);
	URI_OK(&u, "postgresql://%2Ftmp:5433/db");
	assert_true(u.host_given);
	assert_true(u.port_given);
	URI_OK(&u, "postgresql:///db?host=/tmp");
	assert_true(u.host_given);
	assert_false(u.port_given);
}

/* Hostile conninfo ending at a guard page. */
static void
test_conninfo_guard(void **state)
{
	static const char *const in[] = { "host='", "host=\\", "a=", "a",
	    "host='x\\", "port=65536", "h=1 ", "host=/tmp port=" };
	struct guard g;
	struct pguri u;
	char err[ERR_MAX];

	(void)state;
	for (size_t i = 0; i < nitems(in); i++) {
		const char *s = guard_str(&g, in[i]);
		int rc = pguri_conninfo(&u, s, err, sizeof(err));

		assert_true(rc == 0 || rc == -1);
		guard_free(&g);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoded_dir_in_authority),
		cmocka_unit_test(test_query_host),
		cmocka_unit_test(test_tcp_host_port),
		cmocka_unit_test(test_query_overrides),
		cmocka_unit_test(test_userinfo),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_multiple_hosts),
		cmocka_unit_test(test_multiple_hosts_ports),
		cmocka_unit_test(test_multiple_hosts_port_list),
		cmocka_unit_test(test_multiple_hosts_empty_first),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_abstract_host),
		cmocka_unit_test(test_not_a_uri),
		cmocka_unit_test(test_bad_percent_escapes),
		cmocka_unit_test(test_bad_ports),
		cmocka_unit_test(test_overlong_host),
		cmocka_unit_test(test_brackets),
		cmocka_unit_test(test_empty_brackets),
		cmocka_unit_test(test_empty_port),
		cmocka_unit_test(test_high_bytes),
		cmocka_unit_test(test_from_host),
		cmocka_unit_test(test_small_err_buffer),
		cmocka_unit_test(test_guard_page_table),
		cmocka_unit_test(test_guard_page_long),
		cmocka_unit_test(test_guard_page_err_buffer),
		cmocka_unit_test(test_conninfo),
		cmocka_unit_test(test_given_flags),
		cmocka_unit_test(test_conninfo_guard),
	};

	return cmocka_run_group_tests_name("pguri", tests, NULL, NULL);
}
