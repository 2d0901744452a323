/*
 * spawn: see spawn.h.
 *
 * fork and exec rather than posix_spawn, for the one thing posix_spawn
 * cannot do: ask for a signal when the parent dies (PR_SET_PDEATHSIG). An
 * exec that fails is reported through a close-on-exec pipe: the child
 * writes its errno there; end of file means the exec happened.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<sys/prctl.h>)
#include <sys/prctl.h>
#endif
#endif

#include "spawn.h"

/* Lowest fd the child's copies use, above anything it ends up with. */
#define SPAWN_HIGH	64

/* In the child: report e through the pipe, then exit. */
static void
child_fail(int err_fd, int e)
{
	ssize_t n;

	do
		n = write(err_fd, &e, sizeof(e));
	while (n == -1 && errno == EINTR);
	_exit(127);
}

/*
 * In the child, after fork: only async-signal-safe calls. stdio_high and
 * high[] are close-on-exec copies above every target fd, so no dup2 below
 * overwrites a source it still needs, and none is a no-op that would keep
 * a close-on-exec flag.
 */
static void
child(const struct spawn *s, int stdio_high, const int *high, int err_fd,
    pid_t parent)
{
	struct sigaction sa;
	sigset_t none;
	int null = -1;

	sa.sa_handler = SIG_DFL;
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);	/* KILL, STOP: EINVAL */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
#ifdef PR_SET_PDEATHSIG
	if (s->die_with_us) {
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
			child_fail(err_fd, errno);
		if (getppid() != parent)	/* it died before the prctl */
			_exit(1);
	}
#else
	(void)parent;
#endif
	/* high too: /dev/null may land on 0-2 (a dup2 onto itself would
	 * keep O_CLOEXEC) or on 3 + i (overwritten below: harmless) */
	if ((stdio_high == -1 || s->quiet) &&
	    ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
	    (null = fcntl(null, F_DUPFD_CLOEXEC, SPAWN_HIGH)) == -1))
		child_fail(err_fd, errno);
	if (dup2(stdio_high != -1 ? stdio_high : null, STDIN_FILENO) == -1 ||
	    dup2(stdio_high != -1 ? stdio_high : null, STDOUT_FILENO) == -1 ||
	    (s->quiet && dup2(null, STDERR_FILENO) == -1))
		child_fail(err_fd, errno);
	for (int i = 0; i < s->nfds; i++)
		if (dup2(high[i], 3 + i) == -1)
			child_fail(err_fd, errno);
	execvp(s->argv[0], s->argv);
	child_fail(err_fd, errno);
}

/*
 * The exec-status pipe, both ends close-on-exec and above the fds the
 * child's dup2s land on (pipe2 is not everywhere; no thread of ours forks
 * meanwhile). Returns 0 or -errno.
 */
static int
err_pipe(int pfd[2])
{
	int raw[2], e = 0;

	if (pipe(raw) == -1)
		return -errno;
	for (int i = 0; i < 2; i++)
		if ((pfd[i] = fcntl(raw[i], F_DUPFD_CLOEXEC,
		    SPAWN_HIGH)) == -1 && e == 0)
			e = -errno;
	close(raw[0]);
	close(raw[1]);
	if (e != 0) {
		for (int i = 0; i < 2; i++)
			if (pfd[i] != -1)
				close(pfd[i]);
		pfd[0] = pfd[1] = -1;
	}
	return e;
}

int
spawn_start(const struct spawn *s, pid_t *pid)
{
	int high[SPAWN_FDS_MAX], stdio_high = -1, pfd[2] = { -1, -1 };
	int nhigh = 0, rc = 0, e;
	pid_t parent = getpid(), p;
	ssize_t n;

	*pid = -1;
	if (s->nfds < 0 || s->nfds > SPAWN_FDS_MAX)
		return -EINVAL;
	if (s->stdio_fd != -1 &&
	    (stdio_high = fcntl(s->stdio_fd, F_DUPFD_CLOEXEC,
	    SPAWN_HIGH)) == -1)
		return -errno;
	for (; nhigh < s->nfds; nhigh++)
		if ((high[nhigh] = fcntl(s->fds[nhigh], F_DUPFD_CLOEXEC,
		    SPAWN_HIGH)) == -1) {
			rc = -errno;
			goto out;
		}
	if ((rc = err_pipe(pfd)) != 0)
		goto out;
	if ((p = fork()) == -1) {
		rc = -errno;
		goto out;
	}
	if (p == 0)
		child(s, stdio_high, high, pfd[1], parent);
	close(pfd[1]);
	pfd[1] = -1;
	do
		n = read(pfd[0], &e, sizeof(e));
	while (n == -1 && errno == EINTR);
	if (n == (ssize_t)sizeof(e)) {
		/* the exec failed: the child is gone, or about to be */
		while (waitpid(p, NULL, 0) == -1 && errno == EINTR)
			;
		rc = -e;
	} else
		*pid = p;
out:
	for (int i = 0; i < nhigh; i++)
		close(high[i]);
	if (stdio_high != -1)
		close(stdio_high);
	if (pfd[0] != -1)
		close(pfd[0]);
	if (pfd[1] != -1)
		close(pfd[1]);
	return rc;
}
