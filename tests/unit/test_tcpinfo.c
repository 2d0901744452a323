/*
 * Unit tests for src/tcpinfo.c: lines of /proc/net/tcp and tcp6 as the
 * kernel writes them, the header, and broken lines (cut short, bad hex,
 * no inode), each ending at a guard page; then the lookup against this
 * machine's own table with a listener we open.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "guard.h"
#include "tcpinfo.h"

static int
parse(const char *line, int family, struct tcpinfo_entry *e)
{
	struct guard g;
	int rc = tcpinfo_parse_line(guard_str(&g, line), family, e);

	guard_free(&g);
	return rc;
}

static void
test_lines(void **state)
{
	struct tcpinfo_entry e;
	struct in_addr lo;
	struct in6_addr lo6;

	(void)state;
	inet_pton(AF_INET, "127.0.0.1", &lo);
	inet_pton(AF_INET6, "::1", &lo6);
	assert_int_equal(parse("   0: 0100007F:1538 00000000:0000 0A "
	    "00000000:00000000 00:00000000 00000000   108        0 23456 1 "
	    "0000000000000000 100 0 0 10 0\n", AF_INET, &e), 0);
	assert_int_equal(e.port, 5432);
	assert_int_equal(e.state, TCPINFO_LISTEN);
	assert_int_equal(e.inode, 23456);
	assert_memory_equal(e.addr, &lo, 4);
	assert_int_equal(parse("  12: 00000000000000000000000001000000:1F90 "
	    "00000000000000000000000000000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0 99 1 0 100 0 0 10 0",
	    AF_INET6, &e), 0);
	assert_int_equal(e.port, 8080);
	assert_int_equal(e.inode, 99);
	assert_memory_equal(e.addr, &lo6, 16);
	/* the header, and lines cut or broken anywhere */
	assert_int_equal(parse("  sl  local_address rem_address   st "
	    "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
	    AF_INET, &e), -1);
	assert_int_equal(parse("", AF_INET, &e), -1);
	assert_int_equal(parse("0:", AF_INET, &e), -1);
	assert_int_equal(parse("0: 0100007F:15", AF_INET, &e), -1);
	assert_int_equal(parse("0: 0100007G:1538 00000000:0000 0A", AF_INET,
	    &e), -1);
	assert_int_equal(parse("0: 0100007F:1538 00000000:0000 0A "
	    "00000000:00000000 00:00000000 00000000 108 0", AF_INET, &e), -1);
	assert_int_equal(parse("0: 0100007F:1538 00000000:0000 0A "
	    "00000000:00000000 00:00000000 00000000 108 0 x1", AF_INET, &e),
	    -1);
	/* a v4 line read as v6 is too short */
	assert_int_equal(parse("0: 0100007F:1538 00000000:0000 0A 0 0 0 0 0 1",
	    AF_INET6, &e), -1);
	assert_int_equal(parse("0: 0100007F:1538 00000000:0000 0A 0 0 0 0 0 1",
	    AF_UNIX, &e), -1);
}

static void
test_lookup(void **state)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct stat st;
	int fd;
	long inode;

	(void)state;
	if (access("/proc/net/tcp", R_OK) != 0) {
		assert_int_equal(tcpinfo_listener(AF_INET, &sin.sin_addr, 1),
		    -ENOSYS);
		return;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	/* bound but not listening: not found */
	assert_int_equal(tcpinfo_listener(AF_INET, &sin.sin_addr,
	    ntohs(sin.sin_port)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(fstat(fd, &st), 0);
	inode = tcpinfo_listener(AF_INET, &sin.sin_addr, ntohs(sin.sin_port));
	assert_int_equal(inode, (long)st.st_ino);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
