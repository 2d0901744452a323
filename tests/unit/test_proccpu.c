/*
 * Unit tests for src/proccpu.c against real processes: this process's
 * CPU, a child that burns CPU seen live and then, once reaped, in our own
 * figure; a pid that is gone; SOCKBRIDGE_PROC at an empty directory (a
 * system without /proc) says "not measured", never 0.
 */
#include <sys/wait.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "proccpu.h"

/* Burn about s seconds of CPU. */
static void
burn(double s)
{
	clock_t end = clock() + (clock_t)(s * CLOCKS_PER_SEC);
	volatile unsigned x = 0;

	while (clock() < end)
		x++;
}

static void
test_self_and_child(void **state)
{
	struct proccpu pc;
	double before, found = -1;
	int p[2], q[2], st, self_real;
	char c;
	pid_t kid;

	(void)state;
#if !defined(__linux__) && !defined(__APPLE__) || defined(SB_PORTABLE)
	/* no reader on this system: "not measured", and nothing else */
	assert_int_equal(proccpu_read(getpid(), &pc), -ENOSYS);
	return;
#endif
	unsetenv("SOCKBRIDGE_PROC");
	assert_int_equal(proccpu_read(getpid(), &pc), 0);
	before = pc.self_s;
	assert_true(before >= 0);
	/* qemu-user makes up this process's own /proc/PID/stat (its times
	 * read 0); other processes' entries are the kernel's. */
	burn(0.1);
	assert_int_equal(proccpu_read(getpid(), &pc), 0);
	self_real = pc.self_s - before >= 0.05;
	if (!self_real)
		print_message("this /proc does not show our own CPU time (an "
		    "emulator's?): the reaped child's time in ours is not "
		    "checked\n");
	before = pc.self_s;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	if ((kid = fork()) == 0) {
		burn(0.3);
		(void)!write(p[1], "x", 1);	/* burnt */
		(void)!read(q[0], &c, 1);	/* stay until told */
		_exit(0);
	}
	assert_true(kid > 0);
	assert_int_equal(read(p[0], &c, 1), 1);	/* it has burnt */
	assert_int_equal(proccpu_read(getpid(), &pc), 0);
	for (int i = 0; i < pc.nkids; i++)
		if (pc.kids[i].pid == kid)
			found = pc.kids[i].cpu_s;
	assert_true(found >= 0.2);
	(void)!write(q[1], "y", 1);
	assert_int_equal(waitpid(kid, &st, 0), kid);
	assert_int_equal(proccpu_read(getpid(), &pc), 0);
	for (int i = 0; i < pc.nkids; i++)
		assert_int_not_equal(pc.kids[i].pid, kid);
	if (self_real)
		assert_true(pc.self_s - before >= found - 0.02);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

static void
test_gone(void **state)
{
	struct proccpu pc;
	pid_t kid;

	(void)state;
	if ((kid = fork()) == 0)
		_exit(0);
	assert_int_equal(waitpid(kid, NULL, 0), kid);
#if (defined(__linux__) || defined(__APPLE__)) && !defined(SB_PORTABLE)
	assert_int_equal(proccpu_read(kid, &pc), -ESRCH);
#else
	assert_int_equal(proccpu_read(kid, &pc), -ENOSYS);
#endif
}

static void
test_no_proc(void **state)
{
	char dir[] = "/tmp/proccpu-test.XXXXXX";
	struct proccpu pc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("SOCKBRIDGE_PROC", dir, 1);
	assert_int_equal(proccpu_read(getpid(), &pc), -ENOSYS);
	assert_int_equal(pc.nkids, 0);
	unsetenv("SOCKBRIDGE_PROC");
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_and_child),
		cmocka_unit_test(test_gone),
		cmocka_unit_test(test_no_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
