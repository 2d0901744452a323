/*
 * Unit tests for src/end.c, the ends of a connection, over real sockets
 * and pipes, checking what the peer observes:
 *   - a TCP socket end's abort reaches the peer as ECONNRESET, its close
 *     and its shut-write as end of file;
 *   - a unix socket end's abort gives ECONNRESET when the peer's bytes
 *     were left unread, and only end of file when none were (the limit
 *     of unix stream sockets, documented in end.h);
 *   - an fd end's shut-write closes the write fd (a pipe cannot be
 *     half-closed) and keeps the read fd.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "end.h"

/* A connected TCP pair on loopback: fds[0] ours, fds[1] the peer's. */
static void
tcp_pair(int fds[2])
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int ls;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_not_equal(ls = socket(AF_INET, SOCK_STREAM, 0), -1);
	assert_int_equal(bind(ls, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(ls, 1), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&sin, &len), 0);
	assert_int_not_equal(fds[1] = socket(AF_INET, SOCK_STREAM, 0), -1);
	assert_int_equal(connect(fds[1], (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	assert_int_not_equal(fds[0] = accept(ls, NULL, NULL), -1);
	close(ls);
}

/* What a blocking read on fd ends with after the bytes: 0 for end of
 * file, else the errno. */
static int
read_end(int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	return n == 0 ? 0 : errno;
}

static void
test_tcp_abort_is_reset(void **state)
{
	struct end e;
	int fds[2];

	(void)state;
	tcp_pair(fds);
	end_socket(&e, fds[0]);
	assert_int_equal(e.ops->write(&e, "partial", 7), 7);
	end_abort(&e);
	assert_null(e.ops);
	assert_int_equal(read_end(fds[1]), ECONNRESET);
	close(fds[1]);
}

static void
test_tcp_close_and_shut_are_eof(void **state)
{
	struct end e;
	int fds[2];
	char c;

	(void)state;
	tcp_pair(fds);
	end_socket(&e, fds[0]);
	assert_int_equal(end_shut_write(&e), 0);
	assert_int_equal(read_end(fds[1]), 0);
	/* Half-closed: the other direction still works. */
	assert_int_equal(write(fds[1], "x", 1), 1);
	assert_int_equal(e.ops->read(&e, &c, 1), 1);
	end_close(&e);
	close(fds[1]);

	tcp_pair(fds);
	end_socket(&e, fds[0]);
	end_close(&e);
	assert_int_equal(read_end(fds[1]), 0);
	close(fds[1]);
}

static void
test_unix_abort(void **state)
{
	struct end e;
	int sv[2];

	(void)state;
	/* The peer's bytes left unread: ECONNRESET. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	end_socket(&e, sv[0]);
	assert_int_equal(write(sv[1], "unread", 6), 6);
	end_abort(&e);
	assert_int_equal(read_end(sv[1]), ECONNRESET);
	close(sv[1]);

	/* Nothing unread: end of file is all a unix socket can say. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	end_socket(&e, sv[0]);
	end_abort(&e);
	assert_int_equal(read_end(sv[1]), 0);
	close(sv[1]);
}

static void
test_fd_shut_closes_write_fd(void **state)
{
	struct end e;
	int in[2], out[2];
	char c;

	(void)state;
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	end_fd(&e, in[0], out[1]);
	assert_int_equal(e.ops->write(&e, "y", 1), 1);
	assert_int_equal(end_shut_write(&e), 0);
	assert_int_equal(e.wfd, -1);
	assert_int_equal(e.rfd, in[0]);
	assert_int_equal(read(out[0], &c, 1), 1);
	assert_int_equal(read(out[0], &c, 1), 0);	/* EOF */
	assert_int_equal(write(in[1], "z", 1), 1);
	assert_int_equal(e.ops->read(&e, &c, 1), 1);
	end_close(&e);
	assert_int_equal(fcntl(in[0], F_GETFD), -1);	/* closed */
	close(in[1]);
	close(out[0]);
}

static void
test_can_splice(void **state)
{
	struct end e, none;
	struct end_ops no_splice = end_socket_ops;

	(void)state;
	end_none(&none);
	assert_false(end_can_splice(&none));
	end_socket(&e, -1);
	assert_true(end_can_splice(&e));
	no_splice.splice_in = NULL;
	e.ops = &no_splice;
	assert_false(end_can_splice(&e));
	/* Empty ends: every wrapper is a no-op. */
	assert_int_equal(end_shut_write(&none), 0);
	end_abort(&none);
	end_close(&none);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_abort_is_reset),
		cmocka_unit_test(test_tcp_close_and_shut_are_eof),
		cmocka_unit_test(test_unix_abort),
		cmocka_unit_test(test_fd_shut_closes_write_fd),
		cmocka_unit_test(test_can_splice),
	};

	return cmocka_run_group_tests_name("end", tests, NULL, NULL);
}
