/*
 * sockinfo_libproc: sockinfo.h on macOS, where there is no /proc. libproc
 * lists the processes (proc_listpids), each one's fds (proc_pidinfo with
 * PROC_PIDLISTFDS) and, per socket fd, its family, type, options and a unix
 * socket's bound path (proc_pidfdinfo with PROC_PIDFDSOCKETINFO). A
 * socket's kernel address (soi_pcb) stands in for Linux's inode number.
 * Without root, other users' processes cannot be read: they are counted
 * as hidden, never guessed at. Compiled only where <libproc.h> exists;
 * sockinfo.c is the /proc version.
 *
 * Compile-checked for macOS (zig cc -target aarch64-macos); not yet run
 * on a Mac.
 */
#if defined(__has_include)
#if __has_include(<libproc.h>)
#define SOCKINFO_LIBPROC	1
#endif
#endif

#ifdef SOCKINFO_LIBPROC
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <libproc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockinfo.h"

/* Every visible pid, in a malloc'd array the caller frees. Returns how
 * many, or -errno. */
static int
all_pids(pid_t **pids)
{
	int bytes, n;

	*pids = NULL;
	if ((bytes = proc_listpids(PROC_ALL_PIDS, 0, NULL, 0)) <= 0)
		return -errno;
	bytes += 64 * (int)sizeof(pid_t);	/* room for new processes */
	if ((*pids = malloc((size_t)bytes)) == NULL)
		return -ENOMEM;
	if ((n = proc_listpids(PROC_ALL_PIDS, 0, *pids, bytes)) <= 0) {
		free(*pids);
		*pids = NULL;
		return -errno;
	}
	return n / (int)sizeof(pid_t);
}

/*
 * Call fn(entry, pid, arg) for each unix socket fd of pid. Returns fn's
 * first non-zero value, 0, or -EPERM if pid's fds cannot be read.
 */
static int
pid_sockets(pid_t pid, int (*fn)(const struct sockinfo_entry *, pid_t,
    void *), void *arg)
{
	struct proc_fdinfo *fds;
	int bytes, rc = 0;

	if ((bytes = proc_pidinfo(pid, PROC_PIDLISTFDS, 0, NULL, 0)) <= 0)
		return errno == EPERM ? -EPERM : 0;
	if ((fds = malloc((size_t)bytes)) == NULL)
		return -ENOMEM;
	bytes = proc_pidinfo(pid, PROC_PIDLISTFDS, 0, fds, bytes);
	for (int i = 0; rc == 0 && i < bytes / (int)PROC_PIDLISTFD_SIZE; i++) {
		struct socket_fdinfo si;
		struct sockinfo_entry e;
		const char *p;

		if (fds[i].proc_fdtype != PROX_FDTYPE_SOCKET ||
		    proc_pidfdinfo(pid, fds[i].proc_fd, PROC_PIDFDSOCKETINFO,
		    &si, sizeof(si)) != (int)sizeof(si) ||
		    si.psi.soi_family != AF_UNIX)
			continue;
		memset(&e, 0, sizeof(e));
		e.inode = (unsigned long)si.psi.soi_pcb;
		e.type = (unsigned int)si.psi.soi_type;
		e.state = (unsigned int)si.psi.soi_state;
		if (si.psi.soi_options & SO_ACCEPTCONN)
			e.flags |= SOCKINFO_LISTENING;
		p = si.psi.soi_proto.pri_un.unsi_addr.ua_sun.sun_path;
		snprintf(e.path, sizeof(e.path), "%.*s",
		    (int)sizeof(si.psi.soi_proto.pri_un.unsi_addr.ua_sun.sun_path),
		    p);
		rc = fn(&e, pid, arg);
	}
	free(fds);
	return rc;
}

/* Each socket once, though forked processes share them: a sorted list
 * of the sockets already passed on. */
struct scan {
	int		(*fn)(const struct sockinfo_entry *, void *);
	void		*arg;
	unsigned long	*seen;
	size_t		 n, cap;
};

static int
scan_one(const struct sockinfo_entry *e, pid_t pid, void *arg)
{
	struct scan *s = arg;

	(void)pid;
	for (size_t i = 0; i < s->n; i++)
		if (s->seen[i] == e->inode)
			return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		void *v = realloc(s->seen, cap * sizeof(*s->seen));

		if (v == NULL)
			return -ENOMEM;
		s->seen = v;
		s->cap = cap;
	}
	s->seen[s->n++] = e->inode;
	return s->fn(e, s->arg);
}

int
sockinfo_scan(int (*fn)(const struct sockinfo_entry *, void *), void *arg)
{
	struct scan s = { fn, arg, NULL, 0, 0 };
	pid_t *pids;
	int n, rc = 0;

	if ((n = all_pids(&pids)) < 0)
		return n;
	for (int i = 0; rc == 0 && i < n; i++)
		if (pids[i] > 0 && (rc = pid_sockets(pids[i], scan_one, &s)) ==
		    -EPERM)
			rc = 0;
	free(pids);
	free(s.seen);
	return rc < 0 ? rc : 0;
}

/* Another network namespace's table is a Linux idea. */
int
sockinfo_scan_file(const char *file,
    int (*fn)(const struct sockinfo_entry *, void *), void *arg)
{
	(void)file;
	(void)fn;
	(void)arg;
	return -ENOSYS;
}

struct find_listener {
	const char	*path;
	long		 inode;
};

static int
match_listener(const struct sockinfo_entry *e, void *arg)
{
	struct find_listener *fl = arg;

	if ((e->flags & SOCKINFO_LISTENING) && e->type == SOCK_STREAM &&
	    strcmp(e->path, fl->path) == 0) {
		fl->inode = (long)e->inode;
		return 1;
	}
	return 0;
}

long
sockinfo_listener(const char *path)
{
	struct find_listener fl = { path, 0 };
	int rc;

	if ((rc = sockinfo_scan(match_listener, &fl)) < 0)
		return rc;
	return fl.inode;
}

int
sockinfo_proc(pid_t pid, struct sockinfo_owner *o)
{
	struct proc_bsdinfo bi;

	memset(o, 0, sizeof(*o));
	o->pid = pid;
	if (proc_pidinfo(pid, PROC_PIDTBSDINFO, 0, &bi, sizeof(bi)) !=
	    (int)sizeof(bi))
		return errno ? -errno : -ESRCH;
	o->uid = bi.pbi_uid;
	snprintf(o->comm, sizeof(o->comm), "%.*s", (int)sizeof(bi.pbi_comm),
	    bi.pbi_comm);
	return 0;
}

struct find_owner {
	unsigned long	 inode;
	pid_t		 pid;
};

static int
owner_one(const struct sockinfo_entry *e, pid_t pid, void *arg)
{
	struct find_owner *fo = arg;

	if (e->inode != fo->inode)
		return 0;
	fo->pid = pid;
	return 1;
}

int
sockinfo_owner(unsigned long inode, struct sockinfo_owner *o)
{
	struct find_owner fo = { inode, 0 };
	pid_t *pids;
	int n;

	if ((n = all_pids(&pids)) < 0)
		return n;
	for (int i = 0; i < n && fo.pid == 0; i++)
		if (pids[i] > 0)
			(void)pid_sockets(pids[i], owner_one, &fo);
	free(pids);
	return fo.pid > 0 ? sockinfo_proc(fo.pid, o) : -ENOENT;
}

static int
fdmap_add(const struct sockinfo_entry *e, pid_t pid, void *arg)
{
	struct sockinfo_fdmap *m = arg;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		void *v = realloc(m->v, cap * sizeof(*m->v));

		if (v == NULL)
			return -ENOMEM;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n].inode = e->inode;
	m->v[m->n].pid = pid;
	m->n++;
	return 0;
}

static int
fdmap_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

int
sockinfo_fdmap_load(struct sockinfo_fdmap *m)
{
	pid_t *pids;
	int n, rc = 0;

	memset(m, 0, sizeof(*m));
	if ((n = all_pids(&pids)) < 0)
		return n;
	for (int i = 0; rc >= 0 && i < n; i++) {
		if (pids[i] <= 0)
			continue;
		if ((rc = pid_sockets(pids[i], fdmap_add, m)) == -EPERM) {
			m->hidden++;
			rc = 0;
		}
	}
	free(pids);
	if (rc < 0)
		return rc;
	if (m->n > 0)
		qsort(m->v, m->n, sizeof(*m->v), fdmap_cmp);
	return 0;
}

void
sockinfo_fdmap_free(struct sockinfo_fdmap *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

pid_t
sockinfo_fdmap_pid(const struct sockinfo_fdmap *m, unsigned long inode)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->v[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && m->v[lo].inode == inode ? m->v[lo].pid : -1;
}

ssize_t
sockinfo_cmdline(pid_t pid, char *buf, size_t len)
{
	/* KERN_PROCARGS2 could tell; not read yet: "cannot be seen". */
	(void)pid;
	(void)buf;
	(void)len;
	return -ENOSYS;
}
#else
/* No libproc here: sockinfo.c reads /proc. */
typedef int sockinfo_libproc_unused;
#endif
