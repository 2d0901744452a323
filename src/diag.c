/*
 * diag: see diag.h.
 *
 * The checks follow the path of a connect(): the directories on the way,
 * the file, the process behind it, the connect itself; then where else the
 * server might be (other directories, loopback tcp, another mount
 * namespace, the other side of a VM boundary) and a verdict built from what
 * was found. This file makes the checks along the path and runs them all;
 * the "where else" checks are in diag_elsewhere.c, and diag_int.h is what
 * the two share.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "diag_int.h"
#include "net.h"
#include "probe.h"
#include "verdict.h"
#include "sockinfo.h"
#include "sys.h"

#define SUN_MAX		(sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/* Add a check to d: mark, topic, and text from fmt (dropped when d is
 * full). */
void
diag_add(struct diag *d, enum diag_mark mark, const char *topic,
    const char *fmt, ...)
{
	struct diag_check *c;
	va_list ap;

	if (d->n == DIAG_MAX)
		return;
	c = &d->c[d->n++];
	c->mark = mark;
	snprintf(c->topic, sizeof(c->topic), "%s", topic);
	va_start(ap, fmt);
	vsnprintf(c->text, sizeof(c->text), fmt, ap);
	va_end(ap);
}

/* "drwxr-x--- postgres:postgres" for st. */
static const char *
mode_owner(const struct stat *st, char *buf, size_t len)
{
	static const char types[] = "?pc?d?b?-?l?s";
	char m[11], u[32], g[32];
	struct passwd *pw = getpwuid(st->st_uid);
	struct group *gr = getgrgid(st->st_gid);
	unsigned t = (st->st_mode & S_IFMT) >> 12;

	m[0] = t < sizeof(types) - 1 ? types[t] : '?';
	for (int i = 0; i < 9; i++)
		m[1 + i] = (st->st_mode & (0400 >> i)) ? "rwxrwxrwx"[i] : '-';
	m[10] = '\0';
	if (st->st_mode & S_ISUID)
		m[3] = (st->st_mode & 0100) ? 's' : 'S';
	if (st->st_mode & S_ISGID)
		m[6] = (st->st_mode & 010) ? 's' : 'S';
	if (st->st_mode & S_ISVTX)
		m[9] = (st->st_mode & 01) ? 't' : 'T';
	snprintf(u, sizeof(u), "%s", pw ? pw->pw_name : "");
	if (!pw)
		snprintf(u, sizeof(u), "%u", (unsigned)st->st_uid);
	snprintf(g, sizeof(g), "%s", gr ? gr->gr_name : "");
	if (!gr)
		snprintf(g, sizeof(g), "%u", (unsigned)st->st_gid);
	snprintf(buf, len, "%s %s:%s", m, u, g);
	return buf;
}

static const char *
file_type(mode_t m)
{
	return S_ISREG(m) ? "a regular file" : S_ISDIR(m) ? "a directory" :
	    S_ISLNK(m) ? "a symbolic link" : S_ISFIFO(m) ? "a named pipe" :
	    S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" :
	    "something else";
}

/* Who may connect to a socket with this mode and owner. */
static void
who_may(const struct stat *st, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(st->st_uid);
	struct group *gr = getgrgid(st->st_gid);

	if (st->st_mode & 0002)
		snprintf(buf, len, "everyone");
	else if (st->st_mode & 0020)
		snprintf(buf, len, "user %s and members of group %s",
		    pw ? pw->pw_name : "?", gr ? gr->gr_name : "?");
	else if (st->st_mode & 0200)
		snprintf(buf, len, "only user %s", pw ? pw->pw_name : "?");
	else
		snprintf(buf, len, "nobody but root");
}

/* connect() to sa within ms. Returns 0 with *fdp, or an errno. */
int
diag_try_connect(const struct sockaddr *sa, socklen_t len, int ms,
    int *fdp)
{
	struct pollfd pfd;
	int fd, e = 0;
	socklen_t el = sizeof(e);

	*fdp = -1;
	if ((fd = sys_socket(sa->sa_family, SOCK_STREAM)) < 0)
		return -fd;
	if (connect(fd, sa, len) == -1) {
		if (errno != EINPROGRESS) {
			e = errno;
			close(fd);
			return e;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, ms) != 1) {
			close(fd);
			return ETIMEDOUT;
		}
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
		if (e != 0) {
			close(fd);
			return e;
		}
	}
	*fdp = fd;
	return 0;
}

/* Describe the process listening at name ("/path" or "@name"); its pid
 * goes to *pidp (0 if hidden) when pidp is not NULL. Returns 1 if
 * something listens. */
static int
listener_pid(const char *name, char *owner, size_t len, pid_t *pidp)
{
	struct sockinfo_owner o;
	struct passwd *pw;
	long inode = sockinfo_listener(name);
	unsigned long sock;
	struct stat st;

	owner[0] = '\0';
	if (pidp != NULL)
		*pidp = 0;
	/* Bound under another name (relative, from another directory):
	 * the kernel knows the file. */
	if (inode <= 0 && name[0] == '/' && stat(name, &st) == 0 &&
	    S_ISSOCK(st.st_mode) &&
	    sockinfo_file_bound(st.st_dev, st.st_ino, &sock) == 1 &&
	    sockinfo_is_listener(sock))
		inode = (long)sock;
	if (inode <= 0)
		return 0;
	if (sockinfo_owner((unsigned long)inode, &o) == 0) {
		if (pidp != NULL)
			*pidp = o.pid;
		pw = getpwuid(o.uid);
		snprintf(owner, len, "pid %d, %s, user %s", (int)o.pid, o.comm,
		    pw ? pw->pw_name : "?");
	} else
		snprintf(owner, len, "process hidden: run as root to see it");
	return 1;
}

/* listener_pid without the pid. */
int
diag_listener_of(const char *name, char *owner, size_t len)
{
	return listener_pid(name, owner, len, NULL);
}

/* Every directory above path exists and is searchable. */
static void
check_dirs(const char *path, struct diag *d, struct verdict_facts *f)
{
	char dir[PATH_MAX], mo[96], last[PATH_MAX] = "/";
	struct stat st;
	char *p;

	if (path[0] != '/') {
		diag_add(d, DIAG_NOTE, "path",
		    "%s is relative: it depends on the "
		    "client's working directory", path);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	for (p = strchr(dir + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (stat(dir, &st) == -1) {
			snprintf(f->bad_dir, sizeof(f->bad_dir), "%s", dir);
			f->bad_dir_errno = errno;
			diag_add(d, DIAG_PROBLEM, "dirs", "directory %s: %s",
			    dir,
			    errno == ENOENT ? "does not exist" : strerror(errno));
			return;
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(f->bad_dir, sizeof(f->bad_dir), "%s", dir);
			f->bad_dir_errno = ENOTDIR;
			diag_add(d, DIAG_PROBLEM, "dirs", "%s is %s, not a directory",
			    dir, file_type(st.st_mode));
			return;
		}
		if (faccessat(AT_FDCWD, dir, X_OK, AT_EACCESS) == -1) {
			snprintf(f->bad_dir, sizeof(f->bad_dir), "%s", dir);
			f->bad_dir_errno = EACCES;
			diag_add(d, DIAG_PROBLEM, "dirs", "directory %s is not "
			    "searchable by you (uid %u): %s", dir,
			    (unsigned)geteuid(), mode_owner(&st, mo, sizeof(mo)));
			return;
		}
		snprintf(last, sizeof(last), "%s (%s)", dir,
		    mode_owner(&st, mo, sizeof(mo)));
		*p = '/';
	}
	diag_add(d, DIAG_OK, "dirs", "every directory on the way exists and is "
	    "searchable; the last is %s", last);
}

static void
check_file(const char *path, struct diag *d, struct verdict_facts *f)
{
	char mo[96], who[160];
	struct stat st;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			diag_add(d, DIAG_PROBLEM, "file", "%s does not exist",
			    path);
		else if (f->bad_dir[0] == '\0')
			diag_add(d, DIAG_PROBLEM, "file", "%s: %s", path,
			    strerror(errno));
		return;
	}
	f->exists = 1;
	if (!S_ISSOCK(st.st_mode)) {
		diag_add(d, DIAG_PROBLEM, "file", "%s is %s, not a socket (%s)", path,
		    file_type(st.st_mode), mode_owner(&st, mo, sizeof(mo)));
		return;
	}
	f->is_sock = 1;
	who_may(&st, who, sizeof(who));
	diag_add(d, DIAG_OK, "file", "a socket file, %s", mode_owner(&st, mo,
	    sizeof(mo)));
	f->may_connect = faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
	diag_add(d, f->may_connect ? DIAG_OK : DIAG_PROBLEM, "permission",
	    "you (uid %u) %s connect: connecting needs write permission; "
	    "%s may", (unsigned)geteuid(), f->may_connect ? "may" : "may not",
	    who);
}

static void
run_unix(const struct diag_target *t, struct diag *d, struct verdict_facts *f)
{
	const char *p = t->path;
	struct net_sa sa;
	pid_t pid = 0;
	int e, fd, mnt = -1, li = -1;

	if (strlen(p) > SUN_MAX) {
		f->too_long = 1;
		diag_add(d, DIAG_PROBLEM, "path",
		    "%zu bytes: longer than the %zu "
		    "bytes sun_path holds (ENAMETOOLONG)", strlen(p), SUN_MAX);
	} else
		diag_add(d, DIAG_OK, "path", "%zu bytes, within the %zu-byte sun_path "
		    "limit", strlen(p), SUN_MAX);
	check_dirs(p, d, f);
	check_file(p, d, f);
	if (f->bad_dir[0] != '\0' && diag_listener_of(p, f->owner,
	    sizeof(f->owner)))
		diag_add(d, DIAG_NOTE, "listener",
		    "a process listens on a socket "
		    "bound to this path (%s)", f->owner);
	else if (!f->exists && f->bad_dir[0] == '\0' &&
	    listener_pid(p, f->owner, sizeof(f->owner), &pid) &&
	    (mnt = diag_ns_other(pid)) == 1) {
		/* Bound by that name in another mount namespace: its
		 * file is not ours (PrivateTmp, a container). */
		char comm[64];

		snprintf(comm, sizeof(comm), "%s", f->owner);
		diag_owner_comm(f->owner, comm, sizeof(comm));
		diag_ns_found(p, pid, comm, d, f);
	} else if (!f->exists && f->bad_dir[0] == '\0' && f->owner[0]) {
		/* Bound by that name, but the file is gone: removed under a
		 * running server (tmpfiles cleaning /tmp, a careless rm). */
		f->orphan = mnt == 0 ? 1 : -1;
		if (f->orphan == 1)
			diag_add(d, DIAG_PROBLEM, "listener", "a process still "
			    "listens on a socket bound to this path (%s), but "
			    "its file was removed: nobody can connect to it "
			    "any more", f->owner);
		else
			diag_add(d, DIAG_PROBLEM, "listener",
			    "a process listens on "
			    "a socket bound to this path (%s), but the file is "
			    "not here: it was removed, or the process sees "
			    "another file system (a mount namespace); doctor "
			    "cannot tell which without root", f->owner);
	}
	if (f->is_sock) {
		f->listening = diag_listener_of(p, f->owner, sizeof(f->owner));
		li = d->n;
		if (f->listening)
			diag_add(d, DIAG_OK, "listener",
			    "a process listens: %s",
			    f->owner);
		else
			diag_add(d, DIAG_PROBLEM, "listener", "stale: the file exists "
			    "but nothing listens on it");
	}
	if (f->too_long || net_unix_sa(&sa, p, 0) != 0)
		e = ENAMETOOLONG;
	else {
		e = diag_try_connect((struct sockaddr *)&sa.ss, sa.len, PROBE_MS,
		    &fd);
		if (e == 0)
			close(fd);
	}
	d->connect_ok = e == 0;
	d->connect_errno = e;
	if (e == 0 && li >= 0 && li < d->n && !f->listening) {
		/* Something accepted: not stale, whatever the table says. */
		f->listening = 1;
		d->c[li].mark = DIAG_NOTE;
		snprintf(d->c[li].text, sizeof(d->c[li].text), "a process "
		    "listens (connect() succeeded), but not in this network "
		    "namespace's socket table (a container sharing this "
		    "directory?): doctor cannot name it");
	}
	if (e == 0)
		diag_add(d, DIAG_OK, "connect", "connect() succeeded");
	else
		diag_add(d, DIAG_PROBLEM, "connect", "%s: %s",
		    verdict_errno_name(e),
		    verdict_errno_meaning(e));
	diag_check_fs(p, d, f);
	if (t->pg)
		diag_check_siblings(t, d, f);
	if (!d->connect_ok) {
		if (f->ns_pid == 0)
			diag_check_namespaces(p, d, f);
		diag_check_alternatives(p, d, f);
		if (t->pg_port > 0)
			diag_check_tcp_port(t->pg_port, t->pg, d, f);
	}
	verdict_write(t->path, t->pg, d->connect_ok, f, d->verdict,
	    sizeof(d->verdict));
}

static void
run_abstract(const struct diag_target *t, struct diag *d, struct verdict_facts *f)
{
	char name[300];
	struct net_sa sa;
	int e, fd;

	snprintf(name, sizeof(name), "@%s", t->path);
	if (net_unix_sa(&sa, t->path, 1) != 0) {
		diag_add(d, DIAG_PROBLEM, "path",
		    "abstract name longer than %zu "
		    "bytes", SUN_MAX - 1);
		snprintf(d->verdict, sizeof(d->verdict), "Use a shorter name.");
		return;
	}
	f->listening = diag_listener_of(name, f->owner, sizeof(f->owner));
	diag_add(d, f->listening ? DIAG_OK : DIAG_PROBLEM, "listener", "%s%s",
	    f->listening ? "a process listens: " : "no process listens on "
	    "this abstract name in this network namespace", f->owner);
	e = diag_try_connect((struct sockaddr *)&sa.ss, sa.len, PROBE_MS, &fd);
	if (e == 0)
		close(fd);
	d->connect_ok = e == 0;
	d->connect_errno = e;
	diag_add(d, e ? DIAG_PROBLEM : DIAG_OK, "connect", "%s%s%s", e ?
	    verdict_errno_name(e) : "connect() succeeded", e ? ": " : "",
	    e ? verdict_errno_meaning(e) : "");
	snprintf(d->verdict, sizeof(d->verdict), e == 0 ? "A server accepts "
	    "connections at unix:%s (%s)." : "Nothing listens at unix:%s%s. "
	    "Abstract sockets belong to a network namespace: a server in a "
	    "container with its own network is invisible here; start it or "
	    "run the client in its namespace (nsenter -n -t PID).", name,
	    f->owner);
}

static void
run_tcp(const struct diag_target *t, struct diag *d, struct verdict_facts *f)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	int e, fd;

	(void)f;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, t->host, &((struct sockaddr_in *)&ss)->sin_addr)
	    == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)t->port);
		len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, t->host,
	    &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)t->port);
		len = sizeof(struct sockaddr_in6);
	}
	if (len == 0) {
		diag_add(d, DIAG_PROBLEM, "address", "%s is not an IP address; "
		    "doctor checks numeric addresses (try 127.0.0.1)", t->host);
		snprintf(d->verdict, sizeof(d->verdict), "Give the address as "
		    "tcp:127.0.0.1:%u or tcp:[::1]:%u.", t->port, t->port);
		return;
	}
	e = diag_try_connect((struct sockaddr *)&ss, len, PROBE_MS, &fd);
	d->connect_ok = e == 0;
	d->connect_errno = e;
	if (e != 0) {
		diag_add(d, DIAG_PROBLEM, "connect", "%s: %s",
		    verdict_errno_name(e),
		    e == ECONNREFUSED ? "no server listens on that port" :
		    verdict_errno_meaning(e));
		snprintf(d->verdict, sizeof(d->verdict), "Nothing accepts "
		    "connections on tcp:%s%s%s:%u. Start the server, or check the "
		    "port it listens on (ss -ltnp).", strchr(t->host, ':') ? "[" :
		    "", t->host, strchr(t->host, ':') ? "]" : "", t->port);
		return;
	}
	diag_add(d, DIAG_OK, "connect", "connect() succeeded");
	close(fd);
	snprintf(d->verdict, sizeof(d->verdict), "A server accepts connections "
	    "on tcp:%s:%u.", t->host, t->port);
}

void
diag_run(const struct diag_target *t, struct diag *d)
{
	struct verdict_facts f;

	memset(d, 0, sizeof(*d));
	memset(&f, 0, sizeof(f));
	if (t->from[0] != '\0')
		diag_add(d, DIAG_NOTE, "input", "%s", t->from);
	switch (t->kind) {
	case DIAG_UNIX:
		run_unix(t, d, &f);
		break;
	case DIAG_ABSTRACT:
		run_abstract(t, d, &f);
		break;
	case DIAG_TCP:
		run_tcp(t, d, &f);
		break;
	}
}
