/*
 * diag: see diag.h.
 *
 * The checks follow the path of a connect(): the directories on the way,
 * the file, the process behind it, the connect itself; then where else the
 * server might be (other directories, loopback tcp, another mount
 * namespace, the other side of a VM boundary) and a verdict built from what
 * was found.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#if defined(__has_include)
#if __has_include(<sys/statfs.h>)
#include <sys/statfs.h>	/* statfs f_type: Linux */
#define DIAG_HAVE_FTYPE	1
#endif
#endif
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
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
#include "net.h"
#include "probe.h"
#include "verdict.h"
#include "sockinfo.h"
#include "sys.h"

#define SUN_MAX		(sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

static void	add(struct diag *, enum diag_mark, const char *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

static void
add(struct diag *d, enum diag_mark mark, const char *topic, const char *fmt,
    ...)
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

/* connect() to sa with a deadline. Returns 0 or an errno. */
static int
try_connect(const struct sockaddr *sa, socklen_t len, int *fdp)
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
		if (poll(&pfd, 1, PROBE_MS) != 1) {
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

/* Describe the process listening at name ("/path" or "@name"). Returns 1
 * if something listens. */
static int
listener_of(const char *name, char *owner, size_t len)
{
	struct sockinfo_owner o;
	struct passwd *pw;
	long inode = sockinfo_listener(name);

	owner[0] = '\0';
	if (inode <= 0)
		return 0;
	if (sockinfo_owner((unsigned long)inode, &o) == 0) {
		pw = getpwuid(o.uid);
		snprintf(owner, len, "pid %d, %s, user %s", (int)o.pid, o.comm,
		    pw ? pw->pw_name : "?");
	} else
		snprintf(owner, len, "process hidden: run as root to see it");
	return 1;
}

/* Every directory above path exists and is searchable. */
static void
check_dirs(const char *path, struct diag *d, struct verdict_facts *f)
{
	char dir[PATH_MAX], mo[96], last[PATH_MAX] = "/";
	struct stat st;
	char *p;

	if (path[0] != '/') {
		add(d, DIAG_NOTE, "path", "%s is relative: it depends on the "
		    "client's working directory", path);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	for (p = strchr(dir + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (stat(dir, &st) == -1) {
			snprintf(f->bad_dir, sizeof(f->bad_dir), "%s", dir);
			f->bad_dir_errno = errno;
			add(d, DIAG_PROBLEM, "dirs", "directory %s: %s", dir,
			    errno == ENOENT ? "does not exist" : strerror(errno));
			return;
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(f->bad_dir, sizeof(f->bad_dir), "%s", dir);
			f->bad_dir_errno = ENOTDIR;
			add(d, DIAG_PROBLEM, "dirs", "%s is %s, not a directory",
			    dir, file_type(st.st_mode));
			return;
		}
		if (faccessat(AT_FDCWD, dir, X_OK, AT_EACCESS) == -1) {
			snprintf(f->bad_dir, sizeof(f->bad_dir), "%s", dir);
			f->bad_dir_errno = EACCES;
			add(d, DIAG_PROBLEM, "dirs", "directory %s is not "
			    "searchable by you (uid %u): %s", dir,
			    (unsigned)geteuid(), mode_owner(&st, mo, sizeof(mo)));
			return;
		}
		snprintf(last, sizeof(last), "%s (%s)", dir,
		    mode_owner(&st, mo, sizeof(mo)));
		*p = '/';
	}
	add(d, DIAG_OK, "dirs", "every directory on the way exists and is "
	    "searchable; the last is %s", last);
}

static void
check_file(const char *path, struct diag *d, struct verdict_facts *f)
{
	char mo[96], who[160];
	struct stat st;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			add(d, DIAG_PROBLEM, "file", "%s does not exist", path);
		else if (f->bad_dir[0] == '\0')
			add(d, DIAG_PROBLEM, "file", "%s: %s", path,
			    strerror(errno));
		return;
	}
	f->exists = 1;
	if (!S_ISSOCK(st.st_mode)) {
		add(d, DIAG_PROBLEM, "file", "%s is %s, not a socket (%s)", path,
		    file_type(st.st_mode), mode_owner(&st, mo, sizeof(mo)));
		return;
	}
	f->is_sock = 1;
	who_may(&st, who, sizeof(who));
	add(d, DIAG_OK, "file", "a socket file, %s", mode_owner(&st, mo,
	    sizeof(mo)));
	f->may_connect = faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
	add(d, f->may_connect ? DIAG_OK : DIAG_PROBLEM, "permission",
	    "you (uid %u) %s connect: connecting needs write permission; "
	    "%s may", (unsigned)geteuid(), f->may_connect ? "may" : "may not",
	    who);
}

/* Is the entry a stream listener bound at the wanted path? */
struct ns_find {
	const char	*path;
	long		 inode;
};

static int
ns_match(const struct sockinfo_entry *e, void *arg)
{
	struct ns_find *nf = arg;

	if ((e->flags & SOCKINFO_LISTENING) && strcmp(e->path, nf->path) == 0) {
		nf->inode = (long)e->inode;
		return 1;
	}
	return 0;
}

static int
ns_link(const char *pid, const char *ns, char *buf, size_t len)
{
	char p[300];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%s/ns/%s", pid, ns);
	if ((n = readlink(p, buf, len - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * A listener bound at path whose process lives in another mount namespace
 * (a container): the name matches but its file is not the one we see. Each
 * network namespace's socket table is read once, through one of its pids.
 */
static void
check_namespaces(const char *path, struct diag *d, struct verdict_facts *f)
{
	char self[64], nets[64][64], link[64], file[300], pid[32];
	struct sockinfo_owner o;
	struct dirent *de;
	int nnets = 0;
	DIR *proc;

	if (ns_link("self", "mnt", self, sizeof(self)) == -1 ||
	    (proc = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(proc)) != NULL && nnets < 64) {
		struct ns_find nf = { path, 0 };
		int seen = 0;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    ns_link(de->d_name, "net", link, sizeof(link)) == -1)
			continue;
		for (int i = 0; i < nnets && !seen; i++)
			seen = strcmp(nets[i], link) == 0;
		if (seen)
			continue;
		snprintf(nets[nnets++], sizeof(nets[0]), "%s", link);
		snprintf(file, sizeof(file), "/proc/%s/net/unix", de->d_name);
		if (sockinfo_scan_file(file, ns_match, &nf) != 0 ||
		    nf.inode <= 0 ||
		    sockinfo_owner((unsigned long)nf.inode, &o) != 0)
			continue;
		snprintf(pid, sizeof(pid), "%d", (int)o.pid);
		if (ns_link(pid, "mnt", link, sizeof(link)) == -1 ||
		    strcmp(link, self) == 0)
			continue;
		f->ns_pid = o.pid;
		add(d, DIAG_PROBLEM, "boundary", "pid %d (%s) listens on %s in "
		    "another mount namespace (a container?): its %s is not the "
		    "file seen here", (int)o.pid, o.comm, path, path);
		break;
	}
	closedir(proc);
}

/* Sockets with the same name in the usual places, and anywhere a process
 * listens on one. */
struct alt_scan {
	const char	*base;
	const char	*path;
	struct diag	*d;
	struct verdict_facts	*f;
	int		 seen;
};

static int
alt_match(const struct sockinfo_entry *e, void *arg)
{
	struct alt_scan *a = arg;
	const char *b = strrchr(e->path, '/');
	char owner[128];

	if (!(e->flags & SOCKINFO_LISTENING) || b == NULL ||
	    strcmp(b + 1, a->base) != 0 || strcmp(e->path, a->path) == 0 ||
	    a->seen++ > 8)
		return 0;
	listener_of(e->path, owner, sizeof(owner));
	add(a->d, DIAG_NOTE, "elsewhere", "%s: listening (%s)", e->path, owner);
	if (a->f->alt[0] == '\0')
		snprintf(a->f->alt, sizeof(a->f->alt), "%s", e->path);
	return 0;
}

/* Do two paths name one file (say /var/run/x and /run/x)? */
static int
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void
check_alternatives(const char *path, struct diag *d, struct verdict_facts *f)
{
	static const char *const dirs[] = { "/tmp", "/run", "/var/run",
	    "/run/postgresql", "/var/run/postgresql" };
	const char *base = strrchr(path, '/');
	struct alt_scan a = { NULL, path, d, f, 0 };
	char p[PATH_MAX], rl[PATH_MAX];
	struct stat st;
	ssize_t n;

	base = base ? base + 1 : path;
	a.base = base;
	/* Listening sockets first: they are the useful ones. */
	sockinfo_scan(alt_match, &a);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char owner[128];

		snprintf(p, sizeof(p), "%s/%s", dirs[i], base);
		if (strcmp(p, path) == 0 || lstat(p, &st) == -1 ||
		    !S_ISSOCK(st.st_mode) || same_file(p, path) ||
		    (f->alt[0] != '\0' && same_file(p, f->alt)))
			continue;
		if (listener_of(p, owner, sizeof(owner)))
			continue;	/* reported above */
		add(d, DIAG_NOTE, "elsewhere", "%s exists but nothing listens "
		    "(stale)", p);
	}
	if ((strncmp(path, "/run/", 5) == 0 || strncmp(path, "/var/run/", 9) ==
	    0) && (n = readlink("/var/run", rl, sizeof(rl) - 1)) > 0) {
		rl[n] = '\0';
		add(d, DIAG_NOTE, "elsewhere", "/var/run is a link to %s: "
		    "/var/run/... and /run/... are the same place", rl);
	}
	if (a.seen == 0)
		add(d, DIAG_NOTE, "elsewhere", "no process listens on a socket "
		    "named %s anywhere on this machine (network namespace)",
		    base);
}

/* A tcp server on loopback at port: does it answer, is it PostgreSQL? */
static void
check_tcp_port(unsigned int port, int pg, struct diag *d, struct verdict_facts *f)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct probe_result r;
	int fd, e;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	e = try_connect((struct sockaddr *)&sin, sizeof(sin), &fd);
	snprintf(f->tcp, sizeof(f->tcp), "tcp:127.0.0.1:%u", port);
	if (e != 0) {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)port);
		sin6.sin6_addr = in6addr_loopback;
		e = try_connect((struct sockaddr *)&sin6, sizeof(sin6), &fd);
		snprintf(f->tcp, sizeof(f->tcp), "tcp:[::1]:%u", port);
	}
	if (e != 0) {
		f->tcp[0] = '\0';
		add(d, DIAG_NOTE, "tcp", "nothing answers on localhost tcp port "
		    "%u (%s)", port, verdict_errno_name(e));
		return;
	}
	if (!pg) {
		add(d, DIAG_NOTE, "tcp", "a server answers on %s", f->tcp);
		close(fd);
		return;
	}
	probe_run(fd, &probe_pg, PROBE_MS, &r);
	close(fd);
	if (r.outcome == PROBE_ANSWERED) {
		f->tcp_is_pg = 1;
		add(d, DIAG_OK, "tcp", "a PostgreSQL server answers on %s "
		    "(SSLRequest answered '%c')", f->tcp, r.detail[2]);
	} else
		add(d, DIAG_NOTE, "tcp", "a server answers on %s, but it does "
		    "not answer PostgreSQL's SSLRequest", f->tcp);
}

/* Filesystems that may be shared from another kernel. Needs statfs's
 * f_type (Linux); elsewhere this check is not made. */
static void
check_fs(const char *path, struct diag *d, struct verdict_facts *f)
{
#ifndef DIAG_HAVE_FTYPE
	(void)path;
	(void)d;
	(void)f;
#else
	char dir[PATH_MAX], *slash;
	struct statfs sf;
	const char *name = NULL;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (statfs(dir, &sf) == -1)
		return;
	switch ((unsigned long)sf.f_type) {
	case 0x65735546UL:
		name = "fuse (virtiofs, gRPC FUSE, sshfs ...)";
		break;
	case 0x01021997UL:
		name = "9p";
		break;
	case 0x6969UL:
		name = "nfs";
		break;
	case 0xff534d42UL:
	case 0xfe534d42UL:
		name = "smb";
		break;
	case 0x786f4256UL:
		name = "vboxsf";
		break;
	}
	if (name == NULL)
		return;
	snprintf(f->shared_fs, sizeof(f->shared_fs), "%.31s", name);
	add(d, f->listening ? DIAG_NOTE : DIAG_PROBLEM, "boundary", "%s is on "
	    "a %s filesystem, which may be shared from another machine or VM: "
	    "a socket file there is only a name; the socket lives in the "
	    "kernel that created it, so connect() on this side cannot reach "
	    "a server on the other", dir, name);
#endif
}

static void
run_unix(const struct diag_target *t, struct diag *d, struct verdict_facts *f)
{
	const char *p = t->path;
	struct net_sa sa;
	int e, fd;

	if (strlen(p) > SUN_MAX) {
		f->too_long = 1;
		add(d, DIAG_PROBLEM, "path", "%zu bytes: longer than the %zu "
		    "bytes sun_path holds (ENAMETOOLONG)", strlen(p), SUN_MAX);
	} else
		add(d, DIAG_OK, "path", "%zu bytes, within the %zu-byte sun_path "
		    "limit", strlen(p), SUN_MAX);
	check_dirs(p, d, f);
	check_file(p, d, f);
	if (!f->exists && f->bad_dir[0] == '\0' &&
	    listener_of(p, f->owner, sizeof(f->owner))) {
		/* Bound by that name, but the file is gone: removed under a
		 * running server (tmpfiles cleaning /tmp, a careless rm). */
		f->orphan = 1;
		add(d, DIAG_PROBLEM, "listener", "a process still listens on a "
		    "socket bound to this path (%s), but its file was removed: "
		    "nobody can connect to it any more", f->owner);
	}
	if (f->is_sock) {
		f->listening = listener_of(p, f->owner, sizeof(f->owner));
		if (f->listening)
			add(d, DIAG_OK, "listener", "a process listens: %s",
			    f->owner);
		else
			add(d, DIAG_PROBLEM, "listener", "stale: the file exists "
			    "but nothing listens on it");
	}
	if (f->too_long || net_unix_sa(&sa, p, 0) != 0)
		e = ENAMETOOLONG;
	else {
		e = try_connect((struct sockaddr *)&sa.ss, sa.len, &fd);
		if (e == 0)
			close(fd);
	}
	d->connect_ok = e == 0;
	d->connect_errno = e;
	if (e == 0)
		add(d, DIAG_OK, "connect", "connect() succeeded");
	else
		add(d, DIAG_PROBLEM, "connect", "%s: %s", verdict_errno_name(e),
		    verdict_errno_meaning(e));
	check_fs(p, d, f);
	if (!d->connect_ok) {
		check_namespaces(p, d, f);
		check_alternatives(p, d, f);
		if (t->pg_port > 0)
			check_tcp_port(t->pg_port, t->pg, d, f);
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
		add(d, DIAG_PROBLEM, "path", "abstract name longer than %zu "
		    "bytes", SUN_MAX - 1);
		snprintf(d->verdict, sizeof(d->verdict), "Use a shorter name.");
		return;
	}
	f->listening = listener_of(name, f->owner, sizeof(f->owner));
	add(d, f->listening ? DIAG_OK : DIAG_PROBLEM, "listener", "%s%s",
	    f->listening ? "a process listens: " : "no process listens on "
	    "this abstract name in this network namespace", f->owner);
	e = try_connect((struct sockaddr *)&sa.ss, sa.len, &fd);
	if (e == 0)
		close(fd);
	d->connect_ok = e == 0;
	d->connect_errno = e;
	add(d, e ? DIAG_PROBLEM : DIAG_OK, "connect", "%s%s%s", e ?
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
		add(d, DIAG_PROBLEM, "address", "%s is not an IP address; "
		    "doctor checks numeric addresses (try 127.0.0.1)", t->host);
		snprintf(d->verdict, sizeof(d->verdict), "Give the address as "
		    "tcp:127.0.0.1:%u or tcp:[::1]:%u.", t->port, t->port);
		return;
	}
	e = try_connect((struct sockaddr *)&ss, len, &fd);
	d->connect_ok = e == 0;
	d->connect_errno = e;
	if (e != 0) {
		add(d, DIAG_PROBLEM, "connect", "%s: %s", verdict_errno_name(e),
		    e == ECONNREFUSED ? "no server listens on that port" :
		    verdict_errno_meaning(e));
		snprintf(d->verdict, sizeof(d->verdict), "Nothing accepts "
		    "connections on tcp:%s%s%s:%u. Start the server, or check the "
		    "port it listens on (ss -ltnp).", strchr(t->host, ':') ? "[" :
		    "", t->host, strchr(t->host, ':') ? "]" : "", t->port);
		return;
	}
	add(d, DIAG_OK, "connect", "connect() succeeded");
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
