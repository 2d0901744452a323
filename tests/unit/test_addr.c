/*
 * Unit tests for src/addr.c, the pure address and option parser.
 *
 * Every form the parser accepts (native and socat spellings) is checked
 * field by field; every error is checked for the words the user will read.
 * Hostile input (empty fields, bad numbers, over-long paths, high bytes,
 * unbalanced quotes) is also parsed from a copy whose terminating NUL is the
 * last readable byte before a PROT_NONE page, so a read past the end faults
 * (picohttpparser's test.c does the same). Run under -fsanitize=address,
 * undefined.
 */
#include <sys/mman.h>
#include <sys/socket.h>

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "guard.h"
#include "util.h"

#include "addr.h"


/* Parse text, fail the test (at the caller's line) if it does not parse. */
#define PARSE_OK(a, text)	parse_ok((a), (text), __FILE__, __LINE__)
/* Parse text, fail unless it is rejected with needle in the message. */
#define PARSE_ERR(text, needle)	parse_err((text), (needle), __FILE__, __LINE__)
/* Parse text, then check it against a role: accepted, or rejected with
 * needle in the message. */
#define ROLE_OK(text, role)	role_check((text), (role), NULL, __FILE__, __LINE__)
#define ROLE_ERR(text, role, needle) \
	role_check((text), (role), (needle), __FILE__, __LINE__)

static void
parse_ok(struct addr *a, const char *text, const char *file, int line)
{
	char err[ADDR_ERR_MAX] = "";

	if (addr_parse(a, text, err, sizeof(err)) != 0) {
		print_error("addr_parse(\"%s\") failed: %s\n", text, err);
		_fail(file, line);
	}
}

static void
parse_err(const char *text, const char *needle, const char *file, int line)
{
	struct addr a;
	char err[ADDR_ERR_MAX] = "";

	if (addr_parse(&a, text, err, sizeof(err)) != -1) {
		print_error("addr_parse(\"%s\") succeeded, expected \"%s\"\n",
		    text, needle);
		_fail(file, line);
	}
	if (strstr(err, needle) == NULL) {
		print_error("addr_parse(\"%s\"): error \"%s\" lacks \"%s\"\n",
		    text, err, needle);
		_fail(file, line);
	}
}

static void
role_check(const char *text, enum addr_role role, const char *needle,
    const char *file, int line)
{
	struct addr a;
	char err[ADDR_ERR_MAX] = "";
	int rc;

	parse_ok(&a, text, file, line);
	rc = addr_check_role(&a, role, err, sizeof(err));
	if (needle == NULL && rc != 0) {
		print_error("addr_check_role(\"%s\", %d) failed: %s\n", text,
		    (int)role, err);
		_fail(file, line);
	}
	if (needle != NULL && (rc != -1 || strstr(err, needle) == NULL)) {
		print_error("addr_check_role(\"%s\", %d) = %d \"%s\", "
		    "expected \"%s\"\n", text, (int)role, rc, err, needle);
		_fail(file, line);
	}
}

/* Write pfx followed by n copies of c into buf (bufsize bytes); return buf. */
static char *
fill(char *buf, size_t bufsize, const char *pfx, int c, size_t n)
{
	size_t pl = strlen(pfx);

	assert_true(pl + n < bufsize);
	memcpy(buf, pfx, pl);
	memset(buf + pl, c, n);
	buf[pl + n] = '\0';
	return buf;
}

/* ---- native forms ---------------------------------------------------- */

static void
test_unix_path(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "unix:/run/app.sock");
	assert_int_equal(a.kind, ADDR_UNIX);
	assert_int_equal(a.role, ADDR_ROLE_ANY);
	assert_int_equal(a.socat, 0);
	assert_string_equal(a.path, "/run/app.sock");
	assert_int_equal(a.path_len, strlen("/run/app.sock"));
	/* Options left out stay unset. */
	assert_int_equal(a.opt.mode, -1);
	assert_int_equal(a.opt.backlog, -1);
	assert_int_equal(a.opt.reuseaddr, -1);
	assert_int_equal(a.opt.unlink_close, -1);
	assert_int_equal(a.opt.unlink_early, 0);
	assert_int_equal(a.opt.connect_timeout_ms, -1);
	assert_int_equal(a.opt.idle_timeout_ms, -1);
	assert_int_equal(a.opt.max_conns, -1);
	assert_string_equal(a.opt.user, "");
	assert_string_equal(a.opt.group, "");
	assert_string_equal(a.opt.bind, "");
	assert_int_equal(a.fd, -1);
}

static void
test_unix_path_options(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "UNIX:/run/pg/.s.PGSQL.5432,mode=0660,user=postgres,"
	    "group=www-data,backlog=128,unlink-early,idle-timeout=2m");
	assert_int_equal(a.kind, ADDR_UNIX);
	assert_string_equal(a.path, "/run/pg/.s.PGSQL.5432");
	assert_int_equal(a.opt.mode, 0660);
	assert_string_equal(a.opt.user, "postgres");
	assert_string_equal(a.opt.group, "www-data");
	assert_int_equal(a.opt.backlog, 128);
	assert_int_equal(a.opt.unlink_early, 1);
	assert_int_equal(a.opt.idle_timeout_ms, 120000);
}

static void
test_unix_abstract(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "unix:@sockbridge");
	assert_int_equal(a.kind, ADDR_ABSTRACT);
	assert_string_equal(a.path, "sockbridge");
	assert_int_equal(a.path_len, 10);

	/* Bare "@name" is abstract too. */
	PARSE_OK(&a, "@x,max-conns=4");
	assert_int_equal(a.kind, ADDR_ABSTRACT);
	assert_string_equal(a.path, "x");
	assert_int_equal(a.path_len, 1);
	assert_int_equal(a.opt.max_conns, 4);
}

static void
test_bare_paths(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "/tmp/app.sock");
	assert_int_equal(a.kind, ADDR_UNIX);
	assert_string_equal(a.path, "/tmp/app.sock");

	PARSE_OK(&a, "./rel.sock,mode=600");
	assert_int_equal(a.kind, ADDR_UNIX);
	assert_string_equal(a.path, "./rel.sock");
	assert_int_equal(a.opt.mode, 0600);

	PARSE_OK(&a, "../up/s");
	assert_int_equal(a.kind, ADDR_UNIX);
	assert_string_equal(a.path, "../up/s");

	/* Quotes let a path hold a comma. */
	PARSE_OK(&a, "unix:'/tmp/a,b'");
	assert_string_equal(a.path, "/tmp/a,b");
	PARSE_OK(&a, "unix:/tmp/a\\,b");
	assert_string_equal(a.path, "/tmp/a,b");
}

static void
test_tcp_host_port(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "tcp:127.0.0.1:5432");
	assert_int_equal(a.kind, ADDR_TCP);
	assert_int_equal(a.role, ADDR_ROLE_ANY);
	assert_int_equal(a.family, AF_UNSPEC);
	assert_int_equal(a.host_given, 1);
	assert_string_equal(a.host, "127.0.0.1");
	assert_int_equal(a.port, 5432);

	PARSE_OK(&a, "tcp:db-1.example_net.com:65535,connect-timeout=3");
	assert_string_equal(a.host, "db-1.example_net.com");
	assert_int_equal(a.port, 65535);
	assert_int_equal(a.opt.connect_timeout_ms, 3000);
}

static void
test_tcp_ipv6(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "tcp:[::1]:80");
	assert_int_equal(a.kind, ADDR_TCP);
	assert_string_equal(a.host, "::1");
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.host_given, 1);
	assert_int_equal(a.port, 80);

	PARSE_OK(&a, "tcp:[fe80::1%eth0]:443");
	assert_string_equal(a.host, "fe80::1%eth0");
	assert_int_equal(a.port, 443);
}

static void
test_tcp_port_only(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "tcp:8080");
	assert_int_equal(a.kind, ADDR_TCP);
	assert_int_equal(a.host_given, 0);
	assert_string_equal(a.host, "");
	assert_int_equal(a.port, 8080);

	/* Port 0 asks the kernel to pick one. */
	PARSE_OK(&a, "tcp:0");
	assert_int_equal(a.port, 0);
	assert_int_equal(a.host_given, 0);
	PARSE_OK(&a, "tcp:localhost:0");
	assert_int_equal(a.port, 0);
	assert_string_equal(a.host, "localhost");
}

static void
test_stdio(void **state)
{
	static const char *const forms[] = {
		"-", "stdio", "STDIO", "StdIo", "-,idle-timeout=5",
		"stdio,idle-timeout=5",
	};
	struct addr a;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(forms); i++) {
		PARSE_OK(&a, forms[i]);
		assert_int_equal(a.kind, ADDR_STDIO);
		assert_int_equal(a.role, ADDR_ROLE_ANY);
	}
	assert_int_equal(a.opt.idle_timeout_ms, 5000);

	/* Not stdio: "-x" is neither a path nor a keyword. */
	PARSE_ERR("-x", "not an address");
	PARSE_ERR("stdiox", "not an address");
}

static void
test_exec_quotes(void **state)
{
	struct addr a;

	(void)state;
	/* Quotes stay in for the shell; commas inside them do not split. */
	PARSE_OK(&a, "exec:psql -h 'db host' -c \"select 1, 2\",idle-timeout=30");
	assert_int_equal(a.kind, ADDR_EXEC);
	assert_int_equal(a.role, ADDR_ROLE_CONNECT);
	assert_string_equal(a.cmd, "psql -h 'db host' -c \"select 1, 2\"");
	assert_int_equal(a.opt.idle_timeout_ms, 30000);

	/* Backslashes stay for the shell, except the one hiding a comma. */
	PARSE_OK(&a, "exec:printf '%s\\n' a\\,b \\$HOME");
	assert_string_equal(a.cmd, "printf '%s\\n' a,b \\$HOME");

	PARSE_OK(&a, "system:echo hi; cat");
	assert_int_equal(a.kind, ADDR_EXEC);
	assert_string_equal(a.cmd, "echo hi; cat");
}

static void
test_fd(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "fd:3");
	assert_int_equal(a.kind, ADDR_FD);
	assert_int_equal(a.role, ADDR_ROLE_LISTEN);
	assert_int_equal(a.fd, 3);
	PARSE_OK(&a, "FD:0");
	assert_int_equal(a.fd, 0);

	PARSE_ERR("fd:", "not a file descriptor");
	PARSE_ERR("fd:-1", "not a file descriptor");
	PARSE_ERR("fd:3x", "not a file descriptor");
	PARSE_ERR("fd:99999999999", "not a file descriptor");
}

static void
test_systemd(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "systemd");
	assert_int_equal(a.kind, ADDR_SYSTEMD);
	assert_int_equal(a.role, ADDR_ROLE_LISTEN);
	assert_string_equal(a.name, "");

	PARSE_OK(&a, "systemd:web");
	assert_string_equal(a.name, "web");

	PARSE_OK(&a, "SystemD:web.socket,max-conns=9");
	assert_string_equal(a.name, "web.socket");
	assert_int_equal(a.opt.max_conns, 9);

	PARSE_OK(&a, "systemd,max-conns=2");
	assert_string_equal(a.name, "");
	assert_int_equal(a.opt.max_conns, 2);

	PARSE_ERR("systemd:a/b", "bad systemd socket name");
	PARSE_ERR("systemdx", "not an address");
}

/* ---- socat forms ----------------------------------------------------- */

static void
test_socat_unix_listen(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "UNIX-LISTEN:/tmp/.s.PGSQL.5432,unlink-early,fork");
	assert_int_equal(a.kind, ADDR_UNIX);
	assert_int_equal(a.role, ADDR_ROLE_LISTEN);
	assert_int_equal(a.socat, 1);
	assert_string_equal(a.path, "/tmp/.s.PGSQL.5432");
	assert_int_equal(a.opt.unlink_early, 1);

	/* Keywords and option names are case-insensitive; '_' reads as '-'. */
	PARSE_OK(&a, "unix-listen:/x,UNLINK_EARLY,Mode=0640,FORK");
	assert_int_equal(a.role, ADDR_ROLE_LISTEN);
	assert_int_equal(a.opt.unlink_early, 1);
	assert_int_equal(a.opt.mode, 0640);
	PARSE_OK(&a, "Unix-Listen:/y");
	assert_int_equal(a.role, ADDR_ROLE_LISTEN);
	assert_string_equal(a.path, "/y");
}

static void
test_socat_unix_connect(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "UNIX-CONNECT:/run/app.sock");
	assert_int_equal(a.kind, ADDR_UNIX);
	assert_int_equal(a.role, ADDR_ROLE_CONNECT);
	assert_int_equal(a.socat, 1);
	assert_string_equal(a.path, "/run/app.sock");

	PARSE_OK(&a, "unix-client:/run/b.sock");
	assert_int_equal(a.role, ADDR_ROLE_CONNECT);
	assert_string_equal(a.path, "/run/b.sock");
}

static void
test_socat_abstract(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "ABSTRACT-LISTEN:sb-test");
	assert_int_equal(a.kind, ADDR_ABSTRACT);
	assert_int_equal(a.role, ADDR_ROLE_LISTEN);
	assert_string_equal(a.path, "sb-test");
	assert_int_equal(a.path_len, 7);

	PARSE_OK(&a, "abstract-connect:sb-test");
	assert_int_equal(a.kind, ADDR_ABSTRACT);
	assert_int_equal(a.role, ADDR_ROLE_CONNECT);
	PARSE_OK(&a, "ABSTRACT-CLIENT:n");
	assert_int_equal(a.role, ADDR_ROLE_CONNECT);

	PARSE_ERR("ABSTRACT-LISTEN:", "empty abstract socket name");
}

static void
test_socat_tcp_connect(void **state)
{
	struct addr a;

	(void)state;
	/* "TCP:" reads as the native form (same syntax): no fixed role. */
	PARSE_OK(&a, "TCP:localhost:5433");
	assert_int_equal(a.kind, ADDR_TCP);
	assert_string_equal(a.host, "localhost");
	assert_int_equal(a.port, 5433);
	assert_int_equal(a.host_given, 1);
	assert_int_equal(a.socat, 0);

	PARSE_OK(&a, "TCP4:10.0.0.1:80");
	assert_int_equal(a.socat, 1);
	assert_int_equal(a.role, ADDR_ROLE_CONNECT);
	assert_int_equal(a.family, AF_INET);
	assert_string_equal(a.host, "10.0.0.1");
	assert_int_equal(a.port, 80);

	PARSE_OK(&a, "tcp6:[2001:db8::1]:443");
	assert_int_equal(a.role, ADDR_ROLE_CONNECT);
	assert_int_equal(a.family, AF_INET6);
	assert_string_equal(a.host, "2001:db8::1");
	assert_int_equal(a.port, 443);

	PARSE_OK(&a, "TCP-CONNECT:h:1");
	assert_int_equal(a.role, ADDR_ROLE_CONNECT);
	assert_string_equal(a.host, "h");
}

static void
test_socat_tcp_listen(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "TCP-LISTEN:5433,reuseaddr,fork");
	assert_int_equal(a.kind, ADDR_TCP);
	assert_int_equal(a.role, ADDR_ROLE_LISTEN);
	assert_int_equal(a.socat, 1);
	assert_int_equal(a.family, AF_UNSPEC);
	assert_int_equal(a.host_given, 1);
	assert_string_equal(a.host, "0.0.0.0");
	assert_int_equal(a.port, 5433);
	assert_int_equal(a.opt.reuseaddr, 1);

	PARSE_OK(&a, "tcp4-listen:0");
	assert_string_equal(a.host, "0.0.0.0");
	assert_int_equal(a.port, 0);

	PARSE_OK(&a, "TCP6-LISTEN:5433");
	assert_int_equal(a.family, AF_INET6);
	assert_string_equal(a.host, "::");

	/* socat listen keywords take only a port. */
	PARSE_ERR("TCP-LISTEN:localhost:80", "not a number from 0 to 65535");
	PARSE_ERR("TCP-LISTEN:", "not a number");
}

static void
test_socat_tcp_listen_bind(void **state)
{
	struct addr a;

	(void)state;
	/* bind= becomes the host and is consumed. */
	PARSE_OK(&a, "TCP-LISTEN:80,bind=127.0.0.1");
	assert_string_equal(a.host, "127.0.0.1");
	assert_string_equal(a.opt.bind, "");
	assert_int_equal(a.port, 80);

	PARSE_OK(&a, "TCP6-LISTEN:80,bind=[::1]");
	assert_string_equal(a.host, "::1");
	assert_int_equal(a.family, AF_INET6);

	/* The keyword's family and the literal must agree. */
	PARSE_ERR("TCP4:[::1]:80", "is an IPv6 address");
	PARSE_ERR("TCP4-LISTEN:80,bind=[::1]", "is an IPv6 address");
	PARSE_ERR("TCP6-LISTEN:80,bind=127.0.0.1", "is an IPv4 address");
	PARSE_ERR("TCP-LISTEN:80,bind=[]", "bad character");

	PARSE_ERR("TCP-LISTEN:80,bind=", "bind needs an address");
}

static void
test_socat_exec_system(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "EXEC:cat -u");
	assert_int_equal(a.kind, ADDR_EXEC);
	assert_int_equal(a.role, ADDR_ROLE_CONNECT);
	assert_string_equal(a.cmd, "cat -u");

	PARSE_OK(&a, "SYSTEM:'echo a, b',idle-timeout=1");
	assert_int_equal(a.kind, ADDR_EXEC);
	assert_string_equal(a.cmd, "'echo a, b'");
	assert_int_equal(a.opt.idle_timeout_ms, 1000);
}

/* ---- options --------------------------------------------------------- */

static void
test_opt_mode(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "unix:/x,mode=0660");
	assert_int_equal(a.opt.mode, 0660);
	PARSE_OK(&a, "unix:/x,perm=600");
	assert_int_equal(a.opt.mode, 0600);
	PARSE_OK(&a, "unix:/x,mode=0");
	assert_int_equal(a.opt.mode, 0);
	PARSE_OK(&a, "unix:/x,mode=07777");
	assert_int_equal(a.opt.mode, 07777);

	PARSE_ERR("unix:/x,mode=999", "not an octal mode");
	PARSE_ERR("unix:/x,mode=abc", "not an octal mode");
	PARSE_ERR("unix:/x,mode=-1", "not an octal mode");
	PARSE_ERR("unix:/x,mode=+7", "not an octal mode");
	PARSE_ERR("unix:/x,mode= 7", "not an octal mode");
	PARSE_ERR("unix:/x,mode=7 ", "not an octal mode");
	PARSE_ERR("unix:/x,mode=010000", "not an octal mode");
	PARSE_ERR("unix:/x,mode=0x1ff", "not an octal mode");
	PARSE_ERR("unix:/x,mode=77777777777777777777777", "not an octal mode");
	PARSE_ERR("unix:/x,mode", "needs a value");
	PARSE_ERR("unix:/x,perm=", "needs a value");
}

static void
test_opt_user_group(void **state)
{
	char buf[128];
	struct addr a;

	(void)state;
	PARSE_OK(&a, "unix:/x,user=postgres,group=www-data");
	assert_string_equal(a.opt.user, "postgres");
	assert_string_equal(a.opt.group, "www-data");
	PARSE_OK(&a, "unix:/x,owner=1000,group=1000");
	assert_string_equal(a.opt.user, "1000");
	assert_string_equal(a.opt.group, "1000");
	/* Quotes are stripped from option values. */
	PARSE_OK(&a, "unix:/x,user=\"app\"");
	assert_string_equal(a.opt.user, "app");
	/* 63 bytes fit ADDR_NAME_MAX, 64 do not. */
	PARSE_OK(&a, fill(buf, sizeof(buf), "unix:/x,user=", 'u', 63));
	assert_int_equal(strlen(a.opt.user), 63);

	PARSE_ERR(fill(buf, sizeof(buf), "unix:/x,user=", 'u', 64),
	    "not a user name or id");
	PARSE_ERR("unix:/x,user=a/b", "not a user name or id");
	PARSE_ERR("unix:/x,user=", "not a user name or id");
	PARSE_ERR("unix:/x,owner", "not a user name or id");
	PARSE_ERR("unix:/x,group=a b", "not a group name or id");
	PARSE_ERR("unix:/x,group=../etc", "not a group name or id");
}

static void
test_opt_backlog(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "unix:/x,backlog=1");
	assert_int_equal(a.opt.backlog, 1);
	PARSE_OK(&a, "unix:/x,backlog=65535");
	assert_int_equal(a.opt.backlog, 65535);

	PARSE_ERR("unix:/x,backlog=0", "backlog=0: not a number from 1 to 65535");
	PARSE_ERR("unix:/x,backlog=65536", "not a number from 1 to 65535");
	PARSE_ERR("unix:/x,backlog=99999999999999999999", "not a number");
	PARSE_ERR("unix:/x,backlog=-5", "not a number");
	PARSE_ERR("unix:/x,backlog=12k", "not a number");
	PARSE_ERR("unix:/x,backlog", "backlog=: not a number");
}

static void
test_opt_connect_timeout(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "tcp:h:1,connect-timeout=5");
	assert_int_equal(a.opt.connect_timeout_ms, 5000);
	PARSE_OK(&a, "tcp:h:1,connect-timeout=0.5");
	assert_int_equal(a.opt.connect_timeout_ms, 500);
	PARSE_OK(&a, "tcp:h:1,connect-timeout=250ms");
	assert_int_equal(a.opt.connect_timeout_ms, 250);
	PARSE_OK(&a, "tcp:h:1,CONNECT_TIMEOUT=2m");
	assert_int_equal(a.opt.connect_timeout_ms, 120000);

	PARSE_ERR("tcp:h:1,connect-timeout=soon", "not a duration");
	PARSE_ERR("tcp:h:1,connect-timeout=-1", "not a duration");
	PARSE_ERR("tcp:h:1,connect-timeout", "connect-timeout=: not a duration");
	PARSE_ERR("tcp:h:1,idle-timeout=2d", "idle-timeout=2d: not a duration");
}

static void
test_opt_max_children(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "UNIX-LISTEN:/x,max-children=10");
	assert_int_equal(a.opt.max_conns, 10);
	PARSE_OK(&a, "unix:/x,max_conns=1000000");
	assert_int_equal(a.opt.max_conns, 1000000);

	PARSE_ERR("unix:/x,max-children=0", "not a number from 1 to 1000000");
	PARSE_ERR("unix:/x,max-conns=1000001", "max-conns=1000001");
}

static void
test_opt_booleans(void **state)
{
	struct addr a;

	(void)state;
	PARSE_OK(&a, "unix:/x,unlink-close=0");
	assert_int_equal(a.opt.unlink_close, 0);
	PARSE_OK(&a, "unix:/x,unlink-close");
	assert_int_equal(a.opt.unlink_close, 1);
	PARSE_OK(&a, "unix:/x,unlink-early=no");
	assert_int_equal(a.opt.unlink_early, 0);
	PARSE_OK(&a, "tcp:1,reuseaddr=off");
	assert_int_equal(a.opt.reuseaddr, 0);
	PARSE_OK(&a, "tcp:1,reuseaddr=TRUE");
	assert_int_equal(a.opt.reuseaddr, 1);
	PARSE_OK(&a, "tcp:1,reuseaddr=yes,nodelay,fork");
	assert_int_equal(a.opt.reuseaddr, 1);

	PARSE_ERR("unix:/x,unlink-close=maybe", "unlink-close=maybe: not 0 or 1");
	PARSE_ERR("unix:/x,unlink-early=2", "not 0 or 1");
	PARSE_ERR("tcp:1,reuseaddr=", "reuseaddr=: not 0 or 1");
}

static void
test_opt_unknown(void **state)
{
	(void)state;
	PARSE_ERR("unix:/x,bogus", "unknown option 'bogus'");
	PARSE_ERR("unix:/x,bogus=1", "unknown option 'bogus'");
	/* The name is reported lowercased, as it was matched. */
	PARSE_ERR("unix:/x,BOGUS", "unknown option 'bogus'");
}

static void
test_opt_unsupported(void **state)
{
	(void)state;
	PARSE_ERR("EXEC:bash,pty", "socat option 'pty' is not supported");
	PARSE_ERR("TCP-LISTEN:1,PTY,stderr", "'pty' is not supported");
	PARSE_ERR("tcp:h:1,keepalive", "'keepalive' is not supported");
	PARSE_ERR("unix:/x,so_reuseport=1", "'so-reuseport' is not supported");
}

static void
test_opt_empty_and_commas(void **state)
{
	char buf[256];
	struct addr a;

	(void)state;
	PARSE_ERR("unix:/x,=5", "empty option");
	PARSE_ERR("unix:/x,=", "empty option");
	PARSE_ERR("unix:/x,mode=0600,,fork", "empty option");
	PARSE_ERR(fill(buf, sizeof(buf), "unix:/x", ',', 200), "empty option");
	PARSE_ERR(fill(buf, sizeof(buf), "tcp:", ',', 200), "missing port");
	PARSE_ERR(fill(buf, sizeof(buf), "", ',', 200), "not an address");

	/* One trailing comma ends the option list. */
	PARSE_OK(&a, "unix:/x,");
	assert_string_equal(a.path, "/x");
}

static void
test_opt_duplicates(void **state)
{
	struct addr a;

	(void)state;
	/* The last value wins. */
	PARSE_OK(&a, "unix:/x,mode=0600,perm=0644,mode=0640");
	assert_int_equal(a.opt.mode, 0640);
	PARSE_OK(&a, "unix:/x,user=a,owner=bb,user=c");
	assert_string_equal(a.opt.user, "c");
	PARSE_OK(&a, "unix:/x,backlog=5,backlog=7,unlink-close,unlink-close=0");
	assert_int_equal(a.opt.backlog, 7);
	assert_int_equal(a.opt.unlink_close, 0);
	PARSE_OK(&a, "TCP-LISTEN:80,bind=1.1.1.1,bind=127.0.0.1");
	assert_string_equal(a.host, "127.0.0.1");
}

/* ---- addr_check_role ------------------------------------------------- */

static void
test_role_listen_only_as_target(void **state)
{
	(void)state;
	ROLE_ERR("UNIX-LISTEN:/x", ADDR_ROLE_CONNECT,
	    "cannot be used as the target address (it is a listen address)");
	ROLE_ERR("TCP-LISTEN:80", ADDR_ROLE_CONNECT, "cannot be used as the target");
	ROLE_ERR("fd:3", ADDR_ROLE_CONNECT, "cannot be used as the target");
	ROLE_ERR("systemd:web", ADDR_ROLE_CONNECT, "cannot be used as the target");
}

static void
test_role_connect_only_as_listen(void **state)
{
	(void)state;
	ROLE_ERR("UNIX-CONNECT:/x", ADDR_ROLE_LISTEN,
	    "cannot be used as the listen address (it is a connect address)");
	ROLE_ERR("TCP4:h:1", ADDR_ROLE_LISTEN, "cannot be used as the listen");
	ROLE_ERR("exec:cat", ADDR_ROLE_LISTEN, "cannot be used as the listen");
	ROLE_ERR("ABSTRACT-CLIENT:n", ADDR_ROLE_LISTEN,
	    "cannot be used as the listen");
}

static void
test_role_option_misuse(void **state)
{
	(void)state;
	/* mode=, user=, group= need a socket file the relay creates. */
	ROLE_ERR("tcp:80,mode=0600", ADDR_ROLE_LISTEN, "need a socket file");
	ROLE_ERR("unix:@n,user=a", ADDR_ROLE_LISTEN, "need a socket file");
	ROLE_ERR("tcp:h:80,mode=0600", ADDR_ROLE_CONNECT, "listen side");
	ROLE_ERR("unix:/x,group=g", ADDR_ROLE_CONNECT, "listen side");
	/* bind= and connect-timeout= belong on the target. */
	ROLE_ERR("tcp:127.0.0.1:80,bind=10.0.0.1", ADDR_ROLE_LISTEN,
	    "bind= applies to connecting addresses");
	ROLE_ERR("unix:/x,connect-timeout=1", ADDR_ROLE_LISTEN,
	    "connect-timeout= belongs on the target");
	ROLE_ERR("unix:/x,bind=1.2.3.4", ADDR_ROLE_CONNECT,
	    "bind= is supported on tcp only");
	/* backlog= and unlink-early belong on the listen side. */
	ROLE_ERR("tcp:h:1,backlog=5", ADDR_ROLE_CONNECT, "listen side");
	ROLE_ERR("unix:/x,unlink-early", ADDR_ROLE_CONNECT, "listen side");
}

static void
test_role_ok(void **state)
{
	(void)state;
	ROLE_OK("unix:/x,mode=0660,user=a,group=b,backlog=5,unlink-early",
	    ADDR_ROLE_LISTEN);
	ROLE_OK("UNIX-LISTEN:/x,fork", ADDR_ROLE_LISTEN);
	ROLE_OK("TCP-LISTEN:80,bind=127.0.0.1", ADDR_ROLE_LISTEN);
	ROLE_OK("fd:3", ADDR_ROLE_LISTEN);
	ROLE_OK("systemd", ADDR_ROLE_LISTEN);
	ROLE_OK("tcp:h:1,bind=10.0.0.1,connect-timeout=2", ADDR_ROLE_CONNECT);
	ROLE_OK("UNIX-CONNECT:/x", ADDR_ROLE_CONNECT);
	ROLE_OK("exec:cat", ADDR_ROLE_CONNECT);
	ROLE_OK("unix:/x,unlink-early=0", ADDR_ROLE_CONNECT);
	ROLE_OK("-", ADDR_ROLE_LISTEN);
	ROLE_OK("-", ADDR_ROLE_CONNECT);
	ROLE_OK("tcp:1", ADDR_ROLE_LISTEN);
	ROLE_OK("tcp:1", ADDR_ROLE_CONNECT);
}

/* ---- hostile input --------------------------------------------------- */

static void
test_empty(void **state)
{
	struct addr a;
	char err[ADDR_ERR_MAX];

	(void)state;
	PARSE_ERR("", "empty address");
	assert_int_equal(addr_parse(&a, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "empty address");
	/* a is initialised even on failure. */
	assert_int_equal(a.kind, ADDR_NONE);
	assert_int_equal(a.fd, -1);
	/* No error buffer at all is fine. */
	assert_int_equal(addr_parse(&a, "foo:bar", NULL, 0), -1);
	assert_int_equal(addr_parse(&a, "unix:/x", NULL, 0), 0);
}

static void
test_empty_arguments(void **state)
{
	(void)state;
	PARSE_ERR("unix:", "empty socket path");
	PARSE_ERR("unix:,mode=0600", "empty socket path");
	PARSE_ERR("unix:@", "empty abstract socket name");
	PARSE_ERR("@", "empty abstract socket name");
	PARSE_ERR("tcp:", "missing port");
	PARSE_ERR("tcp::80", "empty host before ':'");
	PARSE_ERR("tcp:host:", "port '' is not a number");
	PARSE_ERR("exec:", "empty command");
	PARSE_ERR("EXEC:,pty", "empty command");
	PARSE_ERR("tcp", "not an address");
	PARSE_ERR(":", "unknown address type ''");
}

static void
test_tcp_malformed(void **state)
{
	char buf[300];
	struct addr a;

	(void)state;
	PARSE_ERR("tcp:[::1]", "missing port after ']'");
	PARSE_ERR("tcp:[::1]80", "missing port after ']'");
	PARSE_ERR("tcp:[::1]:", "port '' is not a number");
	PARSE_ERR("tcp:[::1:80", "missing ']'");
	PARSE_ERR("tcp:[]:1", "bad IPv6 address");
	PARSE_ERR("tcp:[1.2.3.4]:80", "'[1.2.3.4]' is not an IPv6 address");
	PARSE_ERR("tcp:1.2.3.4:65536", "port '65536' is not a number from 0 to 65535");
	PARSE_ERR("tcp:1.2.3.4:-1", "port '-1'");
	PARSE_ERR("tcp:1.2.3.4: 80", "port ' 80'");
	PARSE_ERR("tcp:1.2.3.4:80 ", "port '80 '");
	PARSE_ERR("tcp:1.2.3.4:0x50", "port '0x50'");
	PARSE_ERR("tcp:1.2.3.4:99999999999999999999", "not a number");
	PARSE_ERR("tcp:1:2:3", "IPv6 address needs brackets");
	PARSE_ERR("tcp:::1:80", "needs brackets");
	PARSE_ERR("tcp:ho st:1", "bad character in host name");
	PARSE_ERR("tcp:h/x:1", "bad character in host name");
	PARSE_ERR("tcp:http", "port 'http'");

	/* Host names up to 255 bytes fit. */
	PARSE_OK(&a, strcat(fill(buf, sizeof(buf), "tcp:", 'h', 255), ":1"));
	assert_int_equal(strlen(a.host), 255);
	PARSE_ERR(strcat(fill(buf, sizeof(buf), "tcp:", 'h', 256), ":1"),
	    "host name too long");
	PARSE_ERR(strcat(fill(buf, sizeof(buf), "tcp:[:", 'a', 256), "]:1"),
	    "bad IPv6 address");
}

static void
test_unknown_type(void **state)
{
	(void)state;
	PARSE_ERR("foo:bar", "unknown address type 'foo'");
	PARSE_ERR("OPENSSL:host:443", "unknown address type 'OPENSSL'");
	PARSE_ERR("hello", "not an address");
	PARSE_ERR("unix", "not an address");
	PARSE_ERR("unixx:/x", "unknown address type 'unixx'");
	PARSE_ERR(" unix:/x", "unknown address type ' unix'");
	/* HOST:PORT as other tools write it gets the tcp: form */
	PARSE_ERR("localhost:5432", "not an address; for tcp, write "
	    "tcp:localhost:5432");
	PARSE_ERR("127.0.0.1:80", "not an address; for tcp, write "
	    "tcp:127.0.0.1:80");
	PARSE_ERR("[::1]:5432", "not an address; for tcp, write "
	    "tcp:[::1]:5432");
	PARSE_ERR("5432", "not an address; for tcp port 5432, write tcp:5432 "
	    "(127.0.0.1) or tcp:HOST:5432");
	PARSE_ERR("host:123456", "unknown address type 'host'");
	PARSE_ERR("a:b:5432", "unknown address type 'a'");
	PARSE_ERR(":5432", "unknown address type ''");
}

static void
test_unbalanced_quotes(void **state)
{
	(void)state;
	PARSE_ERR("unix:'/tmp/x", "unbalanced quote");
	PARSE_ERR("unix:\"/tmp/x,mode=0600", "unbalanced quote");
	PARSE_ERR("exec:echo \"hi", "unbalanced quote");
	PARSE_ERR("exec:sh -c 'a,b", "unbalanced quote");
	PARSE_ERR("unix:/x,user='a", "unbalanced quote in options");
	PARSE_ERR("systemd:'web", "bad systemd name");
}

static void
test_path_length(void **state)
{
	char buf[256];
	struct addr a;

	(void)state;
	/* 107 bytes plus the NUL fill sun_path exactly. */
	PARSE_OK(&a, fill(buf, sizeof(buf), "unix:/", 'p', 106));
	assert_int_equal(a.kind, ADDR_UNIX);
	assert_int_equal(a.path_len, 107);
	assert_int_equal(strlen(a.path), 107);
	PARSE_OK(&a, fill(buf, sizeof(buf), "/", 'p', 106));
	assert_int_equal(a.path_len, 107);

	PARSE_ERR(fill(buf, sizeof(buf), "unix:/", 'p', 107),
	    "socket path is 108 bytes, longer than the 107 that sun_path allows");
	PARSE_ERR(fill(buf, sizeof(buf), "UNIX-LISTEN:/", 'p', 107), "sun_path");
	PARSE_ERR(fill(buf, sizeof(buf), "/", 'p', 200), "sun_path");
}

static void
test_abstract_length(void **state)
{
	char buf[256];
	struct addr a;

	(void)state;
	/* sun_path's first byte is the NUL that marks the name abstract. */
	PARSE_OK(&a, fill(buf, sizeof(buf), "unix:@", 'n', 107));
	assert_int_equal(a.kind, ADDR_ABSTRACT);
	assert_int_equal(a.path_len, 107);
	PARSE_OK(&a, fill(buf, sizeof(buf), "ABSTRACT-LISTEN:", 'n', 107));
	assert_int_equal(a.path_len, 107);

	PARSE_ERR(fill(buf, sizeof(buf), "unix:@", 'n', 108),
	    "abstract name is 108 bytes, the limit is 107");
	PARSE_ERR(fill(buf, sizeof(buf), "ABSTRACT-CONNECT:", 'n', 108),
	    "the limit is 107");
}

static void
test_long_address(void **state)
{
	static char buf[8192];
	struct addr a;

	(void)state;
	PARSE_ERR(fill(buf, sizeof(buf), "unix:/", 'x', 5000 - 6),
	    "address longer than 4095 bytes");
	PARSE_ERR(fill(buf, sizeof(buf), "exec:", 'x', 5000), "longer than");
	PARSE_ERR(fill(buf, sizeof(buf), "tcp:h:1,", ',', 8000), "longer than");

	/* The longest accepted address: a 4090-byte command. */
	PARSE_OK(&a, fill(buf, sizeof(buf), "exec:", 'x', ADDR_CMD_MAX - 6));
	assert_int_equal(strlen(a.cmd), ADDR_CMD_MAX - 6);
	PARSE_ERR(fill(buf, sizeof(buf), "exec:", 'x', ADDR_CMD_MAX - 5),
	    "longer than");
	/* The longest option: a long unknown name is cut in the message. */
	PARSE_ERR(fill(buf, sizeof(buf), "tcp:1,", 'k', ADDR_CMD_MAX - 7),
	    "unknown option 'kkkk");
}

static void
test_high_bytes(void **state)
{
	struct addr a;

	(void)state;
	/* Paths are bytes; the kernel takes any but NUL. */
	PARSE_OK(&a, "unix:/tmp/\xc3\xa9t\xc3\xa9\xff\x01");
	assert_string_equal(a.path, "/tmp/\xc3\xa9t\xc3\xa9\xff\x01");
	PARSE_OK(&a, "unix:@\x80\xfe");
	assert_int_equal(a.path_len, 2);

	PARSE_ERR("tcp:\xff\xfe:80", "bad character in host name");
	PARSE_ERR("tcp:\xe4\xb8\xad.example:80", "bad character");
	PARSE_ERR("\xff\xfe:x", "unknown address type '\xff\xfe'");
	PARSE_ERR("\xff", "not an address");
	PARSE_ERR("unix:/x,\xff=1", "unknown option '\xff'");
	PARSE_ERR("unix:/x,user=\xc3\xa9", "not a user name");
	PARSE_ERR("tcp:1.2.3.4:8\xff", "not a number");
	PARSE_ERR("unix:/x,mode=06\x80", "not an octal mode");
}

static void
test_small_err_buffer(void **state)
{
	struct addr a;
	char err[8];

	(void)state;
	memset(err, 'X', sizeof(err));
	assert_int_equal(addr_parse(&a, "unix:/x,bogus", err, 1), -1);
	assert_int_equal(err[0], '\0');
	assert_int_equal(err[1], 'X');

	assert_int_equal(addr_parse(&a, "unix:/x,bogus", err, sizeof(err)), -1);
	assert_string_equal(err, "unknown");

	/* errlen 0: the buffer is not touched. */
	memset(err, 'X', sizeof(err));
	assert_int_equal(addr_parse(&a, "foo:bar", err, 0), -1);
	assert_int_equal(err[0], 'X');
}

/* ---- guard pages ----------------------------------------------------- */

/* Valid and hostile addresses; rc is what addr_parse must return. */
static const struct {
	const char	*text;
	int		 rc;
} guard_cases[] = {
	{ "unix:/run/app.sock,mode=0660,user=a,group=b", 0 },
	{ "unix:@abstract", 0 },
	{ "/p", 0 },
	{ "./r", 0 },
	{ ".", 0 },
	{ "@", -1 },
	{ "@a", 0 },
	{ "tcp:127.0.0.1:5432", 0 },
	{ "tcp:[::1]:80", 0 },
	{ "tcp:1", 0 },
	{ "tcp:0", 0 },
	{ "-", 0 },
	{ "-,", 0 },
	{ "stdio", 0 },
	{ "STDIO", 0 },
	{ "STDIO:", 0 },
	{ "exec:sh -c 'a, b' \"c,d\" e\\,f", 0 },
	{ "exec:echo \\", 0 },
	{ "fd:3", 0 },
	{ "systemd", 0 },
	{ "systemd:", 0 },
	{ "systemd:web", 0 },
	{ "systemd,", 0 },
	{ "UNIX-LISTEN:/tmp/.s.PGSQL.5432,unlink-early,fork", 0 },
	{ "TCP:localhost:5433", 0 },
	{ "TCP-LISTEN:5433,reuseaddr,fork", 0 },
	{ "TCP6-LISTEN:1,bind=[::1]", 0 },
	{ "TCP-LISTEN:80,bind=[", -1 },
	{ "TCP-LISTEN:80,bind=[]", -1 },
	{ "ABSTRACT-CONNECT:x,connect-timeout=250ms", 0 },
	{ "unix:/x,unlink-close=0,max-children=3,backlog=9", 0 },
	{ "", -1 },
	{ ":", -1 },
	{ ",", -1 },
	{ "u", -1 },
	{ "unix", -1 },
	{ "unix:", -1 },
	{ "systemd:\\", -1 },
	{ "tcp:", -1 },
	{ "tcp::80", -1 },
	{ "tcp:host:", -1 },
	{ "tcp:[", -1 },
	{ "tcp:[:", -1 },
	{ "tcp:[::1]", -1 },
	{ "tcp:[::1]80", -1 },
	{ "tcp:[::1]:", -1 },
	{ "tcp:[]:1", -1 },
	{ "tcp:1.2.3.4:65536", -1 },
	{ "tcp:1.2.3.4:-1", -1 },
	{ "tcp:1.2.3.4: 80", -1 },
	{ "tcp:1:2:3", -1 },
	{ "foo:bar", -1 },
	{ "unix:/x,bogus", -1 },
	{ "EXEC:bash,pty", -1 },
	{ "unix:/x,mode=999", -1 },
	{ "unix:/x,mode=abc", -1 },
	{ "unix:/x,mode=-1", -1 },
	{ "unix:/x,mode=", -1 },
	{ "unix:/x,mode", -1 },
	{ "unix:/x,backlog=0", -1 },
	{ "unix:/x,backlog=99999999999999999999", -1 },
	{ "unix:/x,connect-timeout=", -1 },
	{ "unix:/x,connect-timeout=1.", 0 },
	{ "unix:/x,connect-timeout=.", -1 },
	{ "unix:'/x", -1 },
	{ "unix:\"", -1 },
	{ "unix:\\", 0 },
	{ "unix:/x,user='", -1 },
	{ "exec:'", -1 },
	{ "exec:\\'", 0 },
	{ "unix:/x,,,,,,,,,,,,,,,,", -1 },
	{ "unix:/x,=", -1 },
	{ "unix:/x,=1", -1 },
	{ "unix:/x,mode=0600,mode=0640", 0 },
	{ "\xff\xfe\xfd", -1 },
	{ "\xff:", -1 },
	{ "unix:/\xff\x80", 0 },
	{ "tcp:\xff:1", -1 },
};

/*
 * Parse text both from an ordinary copy and from one that ends at a guard
 * page; both must give rc, the same error and the same result.
 */
static void
check_at_guard(const char *text, int rc)
{
	struct addr want, got;
	char want_err[ADDR_ERR_MAX] = "", got_err[ADDR_ERR_MAX] = "";
	struct guard g;
	const char *p;
	int r;

	r = addr_parse(&want, text, want_err, sizeof(want_err));
	if (r != rc)
		fail_msg("addr_parse(\"%.60s\") = %d (%s), expected %d", text,
		    r, want_err, rc);

	p = guard_str(&g, text);
	assert_int_equal(addr_parse(&got, p, got_err, sizeof(got_err)), rc);
	guard_free(&g);
	assert_string_equal(got_err, want_err);
	assert_memory_equal(&got, &want, sizeof(got));

	/* The checks after parsing read only the struct; run them too. */
	if (rc == 0) {
		char buf[ADDR_CMD_MAX + 64];

		(void)addr_check_role(&got, ADDR_ROLE_LISTEN, got_err,
		    sizeof(got_err));
		(void)addr_check_role(&got, ADDR_ROLE_CONNECT, got_err,
		    sizeof(got_err));
		assert_non_null(addr_str(&got, buf, sizeof(buf)));
	}
}

static void
test_guard_page_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < nitems(guard_cases); i++)
		check_at_guard(guard_cases[i].text, guard_cases[i].rc);
}

static void
test_guard_page_long(void **state)
{
	static char buf[8192];

	(void)state;
	check_at_guard(fill(buf, sizeof(buf), "unix:/", 'p', 106), 0);
	check_at_guard(fill(buf, sizeof(buf), "unix:/", 'p', 107), -1);
	check_at_guard(fill(buf, sizeof(buf), "unix:@", 'n', 107), 0);
	check_at_guard(fill(buf, sizeof(buf), "unix:@", 'n', 108), -1);
	check_at_guard(fill(buf, sizeof(buf), "exec:", 'x', ADDR_CMD_MAX - 6), 0);
	check_at_guard(fill(buf, sizeof(buf), "exec:", 'x', ADDR_CMD_MAX - 5),
	    -1);
	check_at_guard(fill(buf, sizeof(buf), "unix:/", 'x', 5000), -1);
	check_at_guard(fill(buf, sizeof(buf), "tcp:1", ',', 3000), -1);
	check_at_guard(fill(buf, sizeof(buf), "tcp:1,", 'k', ADDR_CMD_MAX - 7),
	    -1);
}

/* An error buffer that ends at a guard page must not be overrun. */
static void
test_guard_page_err_buffer(void **state)
{
	static const size_t lens[] = { 1, 2, 7, 16, ADDR_ERR_MAX };
	struct guard g;
	struct addr a;
	char *err;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(lens); i++) {
		err = guard_map(&g, lens[i]);
		assert_int_equal(addr_parse(&a,
		    "unix:/x,an-option-name-much-longer-than-the-buffer", err,
		    lens[i]), -1);
		assert_int_equal(err[lens[i] - 1], '\0');

		PARSE_OK(&a, "UNIX-LISTEN:/x,mode=0600");
		assert_int_equal(addr_check_role(&a, ADDR_ROLE_CONNECT, err,
		    lens[i]), -1);
		assert_int_equal(err[lens[i] - 1], '\0');
		guard_free(&g);
	}
}

/* ---- addr_parse_mode, addr_parse_hostport --------------------------- */

static void
test_parse_mode(void **state)
{
	static const struct {
		const char	*s;
		int		 mode;
	} ok[] = {
		{ "0660", 0660 }, { "660", 0660 }, { "0", 0 }, { "2770", 02770 },
		{ "07777", 07777 }, { "0000600", 0600 },
	};
	static const char *const bad[] = {
		"", "8", "0668", "010000", "-1", "+660", " 660", "660 ", "0x1ff",
		"rw", "0660,", "99999999999999999999999",
	};
	int m;

	(void)state;
	for (size_t i = 0; i < nitems(ok); i++) {
		m = -1;
		if (addr_parse_mode(ok[i].s, &m) != 0 || m != ok[i].mode)
			fail_msg("addr_parse_mode(\"%s\") = %o", ok[i].s, m);
	}
	assert_int_equal(addr_parse_mode(NULL, &m), -1);
	for (size_t i = 0; i < nitems(bad); i++) {
		m = 12345;
		if (addr_parse_mode(bad[i], &m) != -1 || m != 12345)
			fail_msg("addr_parse_mode(\"%s\") accepted: %o", bad[i], m);
	}
}

static void
test_parse_hostport(void **state)
{
	static const struct {
		const char	*s, *host;
		unsigned int	 port;
	} ok[] = {
		{ "127.0.0.1", "127.0.0.1", 0 },
		{ "127.0.0.1:5000", "127.0.0.1", 5000 },
		{ "localhost", "localhost", 0 },
		{ "db-1.example:0", "db-1.example", 0 },
		{ "[::1]", "::1", 0 },
		{ "[::1]:65535", "::1", 65535 },
		{ "::1", "::1", 0 },
		{ "fe80::1%lo", "fe80::1%lo", 0 },
	};
	static const char *const bad[] = {
		"", ":", ":80", "host:", "host:65536", "host:x", "[::1", "[]",
		"[1.2.3.4]", "[::1]x", "ho st", "host:80:90x", "[::1]:", "a/b",
	};
	char err[ADDR_ERR_MAX];
	struct addr a;

	(void)state;
	for (size_t i = 0; i < nitems(ok); i++) {
		if (addr_parse_hostport(&a, ok[i].s, err, sizeof(err)) != 0)
			fail_msg("addr_parse_hostport(\"%s\"): %s", ok[i].s, err);
		assert_int_equal(a.kind, ADDR_TCP);
		assert_string_equal(a.host, ok[i].host);
		assert_int_equal(a.port, ok[i].port);
	}
	assert_int_equal(addr_parse_hostport(&a, NULL, err, sizeof(err)), -1);
	for (size_t i = 0; i < nitems(bad); i++) {
		err[0] = '\0';
		if (addr_parse_hostport(&a, bad[i], err, sizeof(err)) != -1)
			fail_msg("addr_parse_hostport(\"%s\") accepted: %s:%u",
			    bad[i], a.host, a.port);
		assert_true(err[0] != '\0');
	}
}

/* ---- addr_str -------------------------------------------------------- */

static void
test_addr_str_format(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "unix:/run/a.sock,mode=0600", "unix:/run/a.sock" },
		{ "/tmp/b", "unix:/tmp/b" },
		{ "UNIX-LISTEN:/tmp/c,fork", "unix:/tmp/c" },
		{ "@abs", "unix:@abs" },
		{ "tcp:[::1]:80", "tcp:[::1]:80" },
		{ "TCP:LocalHost:5433", "tcp:LocalHost:5433" },
		{ "tcp:8080", "tcp:8080" },
		{ "TCP-LISTEN:5433", "tcp:0.0.0.0:5433" },
		{ "TCP6-LISTEN:5433", "tcp:[::]:5433" },
		{ "-", "stdio" },
		{ "exec:cat -u", "exec:cat -u" },
		{ "fd:3", "fd:3" },
		{ "systemd", "systemd" },
		{ "systemd:web", "systemd:web" },
	};
	char buf[ADDR_CMD_MAX + 64];
	struct addr a;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		PARSE_OK(&a, cases[i].in);
		assert_string_equal(addr_str(&a, buf, sizeof(buf)),
		    cases[i].out);
	}
	addr_init(&a);
	assert_string_equal(addr_str(&a, buf, sizeof(buf)), "(none)");
}

static void
test_addr_str_round_trip(void **state)
{
	static const char *const cases[] = {
		"unix:/run/app.sock", "./rel", "unix:@abstract",
		"ABSTRACT-LISTEN:name", "tcp:127.0.0.1:5432", "tcp:[::1]:80",
		"tcp:[fe80::1%eth0]:443", "tcp:0", "tcp:65535",
		"TCP-LISTEN:5433,reuseaddr", "TCP6-LISTEN:1,bind=[::1]",
		"TCP4:10.1.2.3:9", "stdio", "-", "exec:sh -c 'a, b' \"c,d\"",
		"SYSTEM:cat", "fd:0", "fd:2147483647", "systemd",
		"systemd:web", "unix:/tmp/\xc3\xa9",
	};
	char buf[ADDR_CMD_MAX + 64];
	struct addr a, b;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		PARSE_OK(&a, cases[i]);
		PARSE_OK(&b, addr_str(&a, buf, sizeof(buf)));
		assert_int_equal(b.kind, a.kind);
		assert_int_equal(b.path_len, a.path_len);
		assert_memory_equal(b.path, a.path, sizeof(a.path));
		assert_string_equal(b.host, a.host);
		assert_int_equal(b.port, a.port);
		assert_string_equal(b.cmd, a.cmd);
		assert_int_equal(b.fd, a.fd);
		assert_string_equal(b.name, a.name);
	}
}

static void
test_addr_str_truncates(void **state)
{
	char buf[8];
	struct addr a;

	(void)state;
	PARSE_OK(&a, "unix:/a/long/socket/path");
	memset(buf, 'X', sizeof(buf));
	assert_string_equal(addr_str(&a, buf, 6), "unix:");
	assert_int_equal(buf[6], 'X');
	PARSE_OK(&a, "tcp:[::1]:65535");
	assert_string_equal(addr_str(&a, buf, sizeof(buf)), "tcp:[::");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unix_path),
		cmocka_unit_test(test_unix_path_options),
		cmocka_unit_test(test_unix_abstract),
		cmocka_unit_test(test_bare_paths),
		cmocka_unit_test(test_tcp_host_port),
		cmocka_unit_test(test_tcp_ipv6),
		cmocka_unit_test(test_tcp_port_only),
		cmocka_unit_test(test_stdio),
		cmocka_unit_test(test_exec_quotes),
		cmocka_unit_test(test_fd),
		cmocka_unit_test(test_systemd),
		cmocka_unit_test(test_socat_unix_listen),
		cmocka_unit_test(test_socat_unix_connect),
		cmocka_unit_test(test_socat_abstract),
		cmocka_unit_test(test_socat_tcp_connect),
		cmocka_unit_test(test_socat_tcp_listen),
		cmocka_unit_test(test_socat_tcp_listen_bind),
		cmocka_unit_test(test_socat_exec_system),
		cmocka_unit_test(test_opt_mode),
		cmocka_unit_test(test_opt_user_group),
		cmocka_unit_test(test_opt_backlog),
		cmocka_unit_test(test_opt_connect_timeout),
		cmocka_unit_test(test_opt_max_children),
		cmocka_unit_test(test_opt_booleans),
		cmocka_unit_test(test_opt_unknown),
		cmocka_unit_test(test_opt_unsupported),
		cmocka_unit_test(test_opt_empty_and_commas),
		cmocka_unit_test(test_opt_duplicates),
		cmocka_unit_test(test_role_listen_only_as_target),
		cmocka_unit_test(test_role_connect_only_as_listen),
		cmocka_unit_test(test_role_option_misuse),
		cmocka_unit_test(test_role_ok),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_empty_arguments),
		cmocka_unit_test(test_tcp_malformed),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_unbalanced_quotes),
		cmocka_unit_test(test_path_length),
		cmocka_unit_test(test_abstract_length),
		cmocka_unit_test(test_long_address),
		cmocka_unit_test(test_high_bytes),
		cmocka_unit_test(test_small_err_buffer),
		cmocka_unit_test(test_guard_page_table),
		cmocka_unit_test(test_guard_page_long),
		cmocka_unit_test(test_guard_page_err_buffer),
		cmocka_unit_test(test_parse_mode),
		cmocka_unit_test(test_parse_hostport),
		cmocka_unit_test(test_addr_str_format),
		cmocka_unit_test(test_addr_str_round_trip),
		cmocka_unit_test(test_addr_str_truncates),
	};

	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
