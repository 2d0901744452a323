/*
 * proccpu: see proccpu.h. One reader per system, chosen at build time;
 * make PORTABLE=1 takes the "not measured" one, as a system with neither
 * /proc nor libproc would.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proccpu.h"

#if defined(__linux__) && !defined(SB_PORTABLE)

#include <dirent.h>

/* The /proc to read: SOCKBRIDGE_PROC, else /proc. */
static const char *
proc_root(void)
{
	const char *r = getenv("SOCKBRIDGE_PROC");

	return r != NULL && r[0] != '\0' ? r : "/proc";
}

/* CPU seconds of root/PID/stat (utime + stime + cutime + cstime) and its
 * parent's pid. Returns 0 or -1. */
static int
proc_stat(const char *root, const char *pid, double *cpu, long *ppid)
{
	char path[600], buf[1024], *p;
	unsigned long ut, st;
	long cut, cst;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s/stat", root, pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command may hold spaces and parentheses: fields resume after
	 * the last ')'; ppid is field 4, utime..cstime 14 to 17. */
	if ((p = strrchr(buf, ')')) == NULL || p[1] == '\0' ||
	    sscanf(p + 2, "%*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%lu %lu %ld %ld", ppid, &ut, &st, &cut, &cst) != 5)
		return -1;
	*cpu = ((double)(ut + st) + (double)(cut + cst)) /
	    (double)sysconf(_SC_CLK_TCK);
	return 0;
}

int
proccpu_read(pid_t pid, struct proccpu *pc)
{
	const char *root = proc_root();
	char self[32];
	struct dirent *d;
	double cpu;
	long ppid;
	DIR *dir;

	memset(pc, 0, sizeof(*pc));
	snprintf(self, sizeof(self), "%d", (int)pid);
	if (proc_stat(root, self, &pc->self_s, &ppid) == -1)
		return proc_stat(root, "self", &cpu, &ppid) == 0 ? -ESRCH :
		    -ENOSYS;
	if ((dir = opendir(root)) == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9' ||
		    proc_stat(root, d->d_name, &cpu, &ppid) == -1 ||
		    ppid != (long)pid)
			continue;
		if (pc->nkids == PROCCPU_KIDS_MAX) {
			pc->more_kids = 1;
			continue;
		}
		pc->kids[pc->nkids].pid = (pid_t)atol(d->d_name);
		pc->kids[pc->nkids++].cpu_s = cpu;
	}
	closedir(dir);
	return 0;
}

#elif defined(__APPLE__) && !defined(SB_PORTABLE)

#include <sys/resource.h>

#include <libproc.h>
#include <mach/mach_time.h>

/* rusage_info times are in Mach absolute time units (nanoseconds on
 * Intel, not on Apple silicon): seconds. */
static double
mach_s(uint64_t t)
{
	static mach_timebase_info_data_t tb;

	if (tb.denom == 0 && mach_timebase_info(&tb) != KERN_SUCCESS)
		tb.numer = tb.denom = 1;
	return (double)t * (double)tb.numer / (double)tb.denom / 1e9;
}

/* CPU seconds of pid with its reaped children. Returns 0 or -errno. */
static int
pid_cpu(pid_t pid, double *cpu)
{
	struct rusage_info_v2 ri;

	if (proc_pid_rusage(pid, RUSAGE_INFO_V2, (rusage_info_t *)&ri) != 0)
		return errno == ESRCH ? -ESRCH : -(errno ? errno : EPERM);
	*cpu = mach_s(ri.ri_user_time + ri.ri_system_time +
	    ri.ri_child_user_time + ri.ri_child_system_time);
	return 0;
}

int
proccpu_read(pid_t pid, struct proccpu *pc)
{
	pid_t kids[PROCCPU_KIDS_MAX + 1];
	int rc, n;

	memset(pc, 0, sizeof(*pc));
	if ((rc = pid_cpu(pid, &pc->self_s)) != 0)
		return rc == -ESRCH ? rc : -ENOSYS;
	n = proc_listchildpids(pid, kids, (int)sizeof(kids));
	if (n > PROCCPU_KIDS_MAX) {
		n = PROCCPU_KIDS_MAX;
		pc->more_kids = 1;
	}
	for (int i = 0; i < n; i++)
		if (pid_cpu(kids[i], &pc->kids[pc->nkids].cpu_s) == 0)
			pc->kids[pc->nkids++].pid = kids[i];
	return 0;
}

#else

int
proccpu_read(pid_t pid, struct proccpu *pc)
{
	(void)pid;
	memset(pc, 0, sizeof(*pc));
	return -ENOSYS;
}

#endif
