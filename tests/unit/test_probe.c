/*
 * Unit tests for the protocol probes' parsers (src/probe*.c) and the
 * relay command-line parser (src/follow.c): real answers as the servers
 * send them (PostgreSQL's 'S'/'N', a MariaDB greeting and error packet,
 * Redis' +PONG and -NOAUTH, Docker's /_ping, an HTTP head), each prefix
 * of them (PROBE_MORE, never a match on half an answer), garbage, and
 * every input placed to end right at a PROT_NONE page (guard.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"

#include "follow.h"
#include "probe.h"
#include "util.h"

/* Parse buf[0..len) placed against a guard page. */
static int
parse_guarded(const struct probe_svc *s, const void *buf, size_t len,
    char *detail, size_t dl)
{
	struct guard g;
	unsigned char *p = (unsigned char *)guard_map(&g, len);
	int rc;

	memcpy(p, buf, len);
	rc = s->parse(p, len, detail, dl);
	guard_free(&g);
	assert_non_null(memchr(detail, '\0', dl));
	return rc;
}

/* The whole answer matches with want in the detail; every proper prefix
 * asks for more. */
static void
answer_ok(const struct probe_svc *s, const void *buf, size_t len,
    const char *want)
{
	char detail[192];

	for (size_t i = 0; i < len; i++)
		assert_int_equal(parse_guarded(s, buf, i, detail,
		    sizeof(detail)), PROBE_MORE);
	assert_int_equal(parse_guarded(s, buf, len, detail, sizeof(detail)),
	    PROBE_MATCH);
	if (strstr(detail, want) == NULL)
		fail_msg("detail '%s' lacks '%s'", detail, want);
}

static void
answer_bad(const struct probe_svc *s, const void *buf, size_t len)
{
	char detail[192];

	assert_int_equal(parse_guarded(s, buf, len, detail, sizeof(detail)),
	    PROBE_NOMATCH);
}

static void
test_pg(void **state)
{
	(void)state;
	answer_ok(&probe_pg, "S", 1, "('S': SSL on offer)");
	answer_ok(&probe_pg, "N", 1, "'N'");
	answer_bad(&probe_pg, "E", 1);
	answer_bad(&probe_pg, "SS", 2);
	answer_bad(&probe_pg, "HTTP/1.1 400", 12);
}

/* A MariaDB 10.11 greeting as mariadbd sends it (salt bytes changed). */
static const unsigned char maria[] = {
	0x63, 0, 0, 0, 0x0a,
	'5', '.', '5', '.', '5', '-', '1', '0', '.', '1', '1', '.', '6', '-',
	'M', 'a', 'r', 'i', 'a', 'D', 'B', '-', '0', '+', 'd', 'e', 'b', '1',
	'2', 'u', '1', 0,
	0x03, 0, 0, 0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0, 0xfe, 0xff,
	0x2d, 0x02, 0, 0xff, 0x81, 0x15, 0, 0, 0, 0, 0, 0, 0x1d, 0, 0, 0,
	'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 0,
	'm', 'y', 's', 'q', 'l', '_', 'n', 'a', 't', 'i', 'v', 'e', '_',
	'p', 'a', 's', 's', 'w', 'o', 'r', 'd', 0,
};

static void
test_mysql(void **state)
{
	static const unsigned char err[] = { 0x17, 0, 0, 0, 0xff, 0x10, 0x04,
	    'T', 'o', 'o', ' ', 'm', 'a', 'n', 'y', ' ', 'c', 'o', 'n', 'n',
	    'e', 'c', 't', 'i', 'o', 'n', 's' };
	static const unsigned char noversion[] = { 3, 0, 0, 0, 0x0a, 'a',
	    'b' };
	unsigned char big[] = { 0xff, 0xff, 0xff, 0, 0x0a };

	(void)state;
	assert_int_equal(sizeof(maria), 4 + 0x63);
	answer_ok(&probe_mysql, maria, sizeof(maria), "10.11.6-MariaDB");
	answer_ok(&probe_mysql, maria, sizeof(maria), "(MariaDB)");
	answer_ok(&probe_mysql, err, sizeof(err), "1040: Too many connections");
	answer_bad(&probe_mysql, noversion, sizeof(noversion));
	answer_bad(&probe_mysql, big, sizeof(big));
	answer_bad(&probe_mysql, "SSH-2.0-OpenSSH", 15);
	answer_bad(&probe_mysql, "+PONG\r\n", 7);
}

static void
test_redis(void **state)
{
	(void)state;
	answer_ok(&probe_redis, "+PONG\r\n", 7, "+PONG");
	answer_ok(&probe_redis, "-NOAUTH Authentication required.\r\n", 34,
	    "wants a password");
	answer_ok(&probe_redis, "-DENIED Redis is running in protected mode\r\n",
	    44, "-DENIED");
	answer_bad(&probe_redis, "+OK\r\n", 5);
	answer_bad(&probe_redis, "+PONG\n", 6);
	answer_bad(&probe_redis, "HTTP/1.1 400 Bad Request\r\n", 26);
	answer_bad(&probe_redis, "-\x01\r\n", 4);
}

#define PING	"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nCache-Control: " \
		"no-cache, no-store, must-revalidate\r\nContent-Length: 2\r\n" \
		"Content-Type: text/plain; charset=utf-8\r\nDocker-Experimental: " \
		"false\r\nOstype: linux\r\nPragma: no-cache\r\nServer: " \
		"Docker/20.10.24+dfsg1 (linux)\r\nDate: Sun, 06 Dec 2026 00:00:00 " \
		"GMT\r\n\r\nOK"

static void
test_docker(void **state)
{
	static const char nginx[] = "HTTP/1.1 404 Not Found\r\nServer: nginx\r\n"
	    "Content-Length: 0\r\n\r\n";

	(void)state;
	answer_ok(&probe_docker, PING, sizeof(PING) - 1, "API 1.41");
	answer_ok(&probe_docker, PING, sizeof(PING) - 1, "Docker/20.10.24");
	answer_bad(&probe_docker, nginx, sizeof(nginx) - 1);
	answer_bad(&probe_docker, "+PONG\r\n", 7);
}

static void
test_http(void **state)
{
	static const char puma[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html"
	    "\r\nServer: puma\r\n\r\n";
	static const char bare[] = "HTTP/1.0 302 Found\n\n";
	char out[64];
	size_t body;
	int status;

	(void)state;
	answer_ok(&probe_http, puma, sizeof(puma) - 1, "HTTP status 200 "
	    "(Server: puma)");
	answer_ok(&probe_http, bare, sizeof(bare) - 1, "HTTP status 302");
	answer_bad(&probe_http, "HTTP/x", 6);
	answer_bad(&probe_http, "SSH-2.0", 7);
	answer_bad(&probe_http, "HTTP/1.1 2000", 13);
	assert_int_equal(probe_http_head((const unsigned char *)puma,
	    sizeof(puma) - 1, &status, &body), PROBE_MATCH);
	assert_int_equal(status, 200);
	assert_int_equal(body, sizeof(puma) - 1);
	assert_int_equal(probe_http_header((const unsigned char *)puma, body,
	    "content-type", out, sizeof(out)), 1);
	assert_string_equal(out, "text/html");
	assert_int_equal(probe_http_header((const unsigned char *)puma, body,
	    "Status", out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void
test_lookup(void **state)
{
	(void)state;
	assert_ptr_equal(probe_by_path("/tmp/.s.PGSQL.5432"), &probe_pg);
	assert_ptr_equal(probe_by_path("/var/run/mysqld/mysqld.sock"),
	    &probe_mysql);
	assert_ptr_equal(probe_by_path("/tmp/mysql.sock"), &probe_mysql);
	assert_ptr_equal(probe_by_path("/run/redis/redis-server.sock"),
	    &probe_redis);
	assert_ptr_equal(probe_by_path("/home/u/.docker/run/docker.sock"),
	    &probe_docker);
	assert_ptr_equal(probe_by_path("/srv/app/tmp/sockets/puma.sock"),
	    &probe_http);
	assert_null(probe_by_path("/tmp/x.sock"));
	assert_ptr_equal(probe_by_port(6379), &probe_redis);
	assert_null(probe_by_port(1));
	assert_ptr_equal(probe_by_name("mariadb"), &probe_mysql);
	assert_null(probe_by_name("auto"));
}

static void
test_escape(void **state)
{
	char out[16];

	(void)state;
	probe_escape((const unsigned char *)"a\r\n\x01\\", 5, out, sizeof(out));
	assert_string_equal(out, "a\\r\\n\\x01\\\\");
	probe_escape((const unsigned char *)"\x01\x02\x03\x04", 4, out, 9);
	assert_string_equal(out, "\\x01\\x02");	/* whole escapes only */
}

/* A command line as /proc/PID/cmdline holds it: "a\0b\0". */
static size_t
cmdline(char *buf, size_t len, ...)
{
	va_list ap;
	const char *a;
	size_t n = 0;

	va_start(ap, len);
	while ((a = va_arg(ap, const char *)) != NULL) {
		size_t l = strlen(a) + 1;

		assert_true(n + l <= len);
		memcpy(buf + n, a, l);
		n += l;
	}
	va_end(ap);
	return n;
}

static void
test_follow(void **state)
{
	struct follow_relay r;
	char buf[1024], err[128];
	size_t n;

	(void)state;
	n = cmdline(buf, sizeof(buf), "/usr/bin/sockbridge", "relay", "-q",
	    "--pidfile", "/run/x.pid", "-c", "5", "--stats=unix:/tmp/st",
	    "unix:/tmp/.s.PGSQL.5432", "tcp:127.0.0.1:5433",
	    "unix:/run/pg.sock", (char *)NULL);
	assert_int_equal(follow_parse(buf, n, &r, err, sizeof(err)), 0);
	assert_string_equal(r.tool, "sockbridge");
	assert_string_equal(r.listen, "unix:/tmp/.s.PGSQL.5432");
	assert_string_equal(r.stats, "unix:/tmp/st");
	assert_int_equal(r.n, 2);
	assert_int_equal(r.t[0].kind, FOLLOW_TCP);
	assert_string_equal(r.t[0].host, "127.0.0.1");
	assert_int_equal(r.t[0].port, 5433);
	assert_int_equal(r.t[1].kind, FOLLOW_UNIX);
	assert_string_equal(r.t[1].path, "/run/pg.sock");

	/* socat, the listener second, options with values. */
	n = cmdline(buf, sizeof(buf), "socat", "-d", "-d", "-b", "8192",
	    "-lf", "/tmp/log", "UNIX-CONNECT:/run/db.sock",
	    "UNIX-LISTEN:/tmp/db.sock,fork,unlink-early", (char *)NULL);
	assert_int_equal(follow_parse(buf, n, &r, err, sizeof(err)), 0);
	assert_string_equal(r.tool, "socat");
	assert_string_equal(r.listen, "UNIX-LISTEN:/tmp/db.sock,fork,"
	    "unlink-early");
	assert_int_equal(r.n, 1);
	assert_int_equal(r.t[0].kind, FOLLOW_UNIX);
	assert_string_equal(r.t[0].path, "/run/db.sock");

	n = cmdline(buf, sizeof(buf), "socat", "TCP-LISTEN:5432,fork",
	    "TCP4:db.example:5432", (char *)NULL);
	assert_int_equal(follow_parse(buf, n, &r, err, sizeof(err)), 0);
	assert_int_equal(r.t[0].kind, FOLLOW_TCP);
	assert_string_equal(r.t[0].host, "db.example");

	/* The short form, an exec and a tunnel target. */
	n = cmdline(buf, sizeof(buf), "sockbridge", "unix:/tmp/a",
	    "exec:docker exec -i db cat", "tunnel:docker exec -i db "
	    "sockbridge tunnel unix:/run/x", (char *)NULL);
	assert_int_equal(follow_parse(buf, n, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.t[0].kind, FOLLOW_EXEC);
	assert_int_equal(r.t[1].kind, FOLLOW_TUNNEL);

	/* Not relays. */
	n = cmdline(buf, sizeof(buf), "sockbridge", "echo", "unix:/tmp/e",
	    (char *)NULL);
	assert_int_equal(follow_parse(buf, n, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a relay"));
	n = cmdline(buf, sizeof(buf), "postgres", "-D", "/x", (char *)NULL);
	assert_int_equal(follow_parse(buf, n, &r, err, sizeof(err)), -1);
	n = cmdline(buf, sizeof(buf), "socat", "UNIX-LISTEN:/tmp/x",
	    (char *)NULL);
	assert_int_equal(follow_parse(buf, n, &r, err, sizeof(err)), -1);
	assert_int_equal(follow_parse("socat", 5, &r, err, sizeof(err)), -1);
	assert_int_equal(follow_parse("", 0, &r, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pg),
		cmocka_unit_test(test_mysql),
		cmocka_unit_test(test_redis),
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_follow),
	};

	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
