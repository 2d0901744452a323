/*
 * Unit tests for src/spawn.c against real children (/bin/sh): every fd
 * passed arrives where it should, also past the fourth and also when a
 * passed fd sits where another must go; stdin and stdout are the stdio
 * fd; a signal we ignore is at its default in the child; a failed exec is
 * an error in the parent, with the child reaped; no fd of ours leaks in.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "spawn.h"
#include "sys.h"
#include "util.h"

/* Read what fd holds until EOF into buf (NUL-terminated). */
static void
read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
}

/* Wait for pid; return its exit status, or 128 + the signal. */
static int
reap(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static pid_t
run_sh(const char *script, int stdio_fd, const int *fds, int nfds)
{
	char *argv[] = { "/bin/sh", "-c", NULL, NULL }, cmd[512];
	struct spawn sp;
	pid_t pid;

	snprintf(cmd, sizeof(cmd), "%s", script);
	argv[2] = cmd;
	memset(&sp, 0, sizeof(sp));
	sp.argv = argv;
	sp.stdio_fd = stdio_fd;
	sp.fds = fds;
	sp.nfds = nfds;
	sp.die_with_us = 1;
	assert_int_equal(spawn_start(&sp, &pid), 0);
	assert_true(pid > 0);
	return pid;
}

/* Six pipes: the child writes its fd number into each of 3..8. */
/* pipe2 and dup3 with O_CLOEXEC are not everywhere (macOS): the same by
 * pipe or dup2 and then fcntl. Return as pipe and dup2 do. */
static int
cloexec_pipe(int p[2])
{
	if (pipe(p) == -1)
		return -1;
	if (fcntl(p[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(p[1], F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	return 0;
}

static int
cloexec_dup2(int from, int to)
{
	if (dup2(from, to) == -1 || fcntl(to, F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	return to;
}

static void
test_six_fds(void **state)
{
	int p[6][2], w[6];
	char buf[16], want[16];
	pid_t pid;

	(void)state;
	for (int i = 0; i < 6; i++) {
		assert_int_equal(cloexec_pipe(p[i]), 0);
		w[i] = p[i][1];
	}
	pid = run_sh("for i in 3 4 5 6 7 8; do echo $i >&$i; done", -1, w, 6);
	for (int i = 0; i < 6; i++)
		close(p[i][1]);
	assert_int_equal(reap(pid), 0);
	for (int i = 0; i < 6; i++) {
		read_all(p[i][0], buf, sizeof(buf));
		snprintf(want, sizeof(want), "%d\n", 3 + i);
		assert_string_equal(buf, want);
		close(p[i][0]);
	}
}

/* Passed fds that sit at 4 and 3, to go to 3 and 4: a naive dup2 order
 * overwrites one with the other. */
static void
test_swapped_fds(void **state)
{
	int a[2], b[2], fds[2], saved3, saved4;
	char buf[16];
	pid_t pid;

	(void)state;
	saved3 = fcntl(3, F_DUPFD_CLOEXEC, 100);
	saved4 = fcntl(4, F_DUPFD_CLOEXEC, 100);
	assert_int_equal(cloexec_pipe(a), 0);
	assert_int_equal(cloexec_pipe(b), 0);
	/* out of the way first: any of them may be 3 or 4 */
	for (int i = 0; i < 4; i++) {
		int *fd = i < 2 ? &a[i] : &b[i - 2], hi;

		assert_true((hi = fcntl(*fd, F_DUPFD_CLOEXEC, 100)) != -1);
		close(*fd);
		*fd = hi;
	}
	assert_int_equal(cloexec_dup2(a[1], 4), 4);
	assert_int_equal(cloexec_dup2(b[1], 3), 3);
	close(a[1]);
	close(b[1]);
	fds[0] = 4;	/* a: must become 3 */
	fds[1] = 3;	/* b: must become 4 */
	pid = run_sh("echo a >&3; echo b >&4", -1, fds, 2);
	close(3);
	close(4);
	assert_int_equal(reap(pid), 0);
	read_all(a[0], buf, sizeof(buf));
	assert_string_equal(buf, "a\n");
	read_all(b[0], buf, sizeof(buf));
	assert_string_equal(buf, "b\n");
	close(a[0]);
	close(b[0]);
	if (saved3 != -1)
		dup2(saved3, 3), close(saved3);
	if (saved4 != -1)
		dup2(saved4, 4), close(saved4);
}

/* stdin and stdout are the stdio fd; nothing of ours past the fds given. */
static void
test_stdio_and_no_leak(void **state)
{
	char buf[64];
	int sv[2], extra;
	pid_t pid;

	(void)state;
	assert_int_equal(sys_socketpair_cloexec(AF_UNIX, SOCK_STREAM, sv), 0);
	extra = fcntl(sv[0], F_DUPFD_CLOEXEC, 200);
	assert_int_equal(extra, 200);
	/* tr reads stdin, writes stdout; then: is any fd of ours open? 3-9:
	 * where passed fds go; 64-69: spawn's own copies; 200: extra. (dash
	 * opens 10 for itself.) */
	pid = run_sh("tr a-z A-Z; for f in 3 4 5 6 7 8 9 64 65 66 67 68 69 "
	    "200; do if [ -e /proc/self/fd/$f ]; then echo \" open $f\"; fi; "
	    "done", sv[1], NULL, 0);
	close(sv[1]);
	assert_int_equal(write(sv[0], "hello", 5), 5);
	assert_int_equal(shutdown(sv[0], SHUT_WR), 0);
	read_all(sv[0], buf, sizeof(buf));
	assert_int_equal(reap(pid), 0);
	assert_string_equal(buf, "HELLO");
	close(sv[0]);
	close(extra);
}

/* We ignore SIGPIPE and block SIGTERM; the child must do neither. POSIX
 * sh cannot undo a signal ignored on entry, so "kill -PIPE $$" shows what
 * it got. */
static void
test_signals_default(void **state)
{
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	sigset_t block, prev;
	pid_t pid;

	(void)state;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &prev);
	pid = run_sh("kill -PIPE $$; exit 3", -1, NULL, 0);
	assert_int_equal(reap(pid), 128 + SIGPIPE);
	/* and we block SIGTERM: the child's mask is empty */
	pid = run_sh("kill -TERM $$; exit 3", -1, NULL, 0);
	assert_int_equal(reap(pid), 128 + SIGTERM);
	sigprocmask(SIG_SETMASK, &prev, NULL);
	signal(SIGPIPE, old);
}

/* A missing program: -ENOENT here, and no child left behind. */
static void
test_exec_fails(void **state)
{
	char *argv[] = { "/nonexistent/sockbridge-test", NULL };
	char *argv2[] = { "sockbridge-no-such-program-on-path", NULL };
	struct spawn sp;
	int fds[SPAWN_FDS_MAX + 1] = { 0 };
	pid_t pid = 1;

	(void)state;
	memset(&sp, 0, sizeof(sp));
	sp.argv = argv;
	sp.stdio_fd = -1;
	assert_int_equal(spawn_start(&sp, &pid), -ENOENT);
	assert_int_equal(pid, -1);
	sp.argv = argv2;
	assert_int_equal(spawn_start(&sp, &pid), -ENOENT);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	/* too many fds, and one that is not open */
	sp.argv = argv;
	sp.fds = fds;
	sp.nfds = (int)nitems(fds);
	assert_int_equal(spawn_start(&sp, &pid), -EINVAL);
	fds[0] = 1000;
	sp.nfds = 1;
	assert_int_equal(spawn_start(&sp, &pid), -EBADF);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_six_fds),
		cmocka_unit_test(test_swapped_fds),
		cmocka_unit_test(test_stdio_and_no_leak),
		cmocka_unit_test(test_signals_default),
		cmocka_unit_test(test_exec_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
