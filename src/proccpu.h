/*
 * proccpu: the CPU time another process has used, for bench's server and
 * relay figures. Part of the platform seam (see sys.h): /proc/PID/stat on
 * Linux, libproc (proc_pid_rusage, proc_listchildpids) on macOS, and
 * elsewhere -ENOSYS, so a report can say "not measured" instead of
 * printing a 0 that looks measured.
 *
 * A process's own figure includes the children it has reaped (a socat
 * fork that ended and was waited for); children still alive, or ended
 * and not yet reaped, are listed separately so the caller can follow
 * them until their time lands in the parent's.
 *
 * On Linux, SOCKBRIDGE_PROC=DIR reads DIR instead of /proc (tests use an
 * empty directory to stand for a system without /proc).
 */
#ifndef SB_PROCCPU_H
#define SB_PROCCPU_H

#include <sys/types.h>

/* Live children followed at most (nginx workers, socat forks). */
#define PROCCPU_KIDS_MAX	64

struct proccpu_kid {
	pid_t		 pid;
	double		 cpu_s;		/* its own and its reaped children's */
};

struct proccpu {
	double		 self_s;	/* user + system, with reaped children */
	int		 nkids;		/* live children (up to the max) */
	int		 more_kids;	/* 1 if some did not fit */
	struct proccpu_kid kids[PROCCPU_KIDS_MAX];
};

/* Read pid's CPU seconds into *pc. Returns 0, -ESRCH if pid is gone, or
 * -ENOSYS when this system gives no way to read another process's CPU. */
int	proccpu_read(pid_t pid, struct proccpu *pc);

#endif
