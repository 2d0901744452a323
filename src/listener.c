/*
 * listener: see listener.h.
 */
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acl.h"
#include "errbuf.h"
#include "listener.h"
#include "net.h"
#include "sockinfo.h"
#include "tcpinfo.h"
#include "sys.h"

static void
listener_init(struct listener *l)
{
	memset(l, 0, sizeof(*l));
	l->fd = -1;
}

/*
 * " (pid 123, postgres)" for the server behind fd, a connection we just
 * made to it: SO_PEERCRED names the process that called listen(), however
 * it spelled the path. Falls back to /proc/net/unix; "" if unknown.
 */
static void
describe_owner(int fd, const char *path, char *buf, size_t len)
{
	struct sockinfo_owner o;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	long inode;

	buf[0] = '\0';
	if (sys_peercred(fd, &pid, &uid, &gid) == 0 && pid > 0 &&
	    sockinfo_proc(pid, &o) == 0) {
		snprintf(buf, len, " (pid %d, %s)", (int)pid, o.comm);
		return;
	}
	if ((inode = sockinfo_listener(path)) <= 0)
		return;
	if (sockinfo_owner((unsigned long)inode, &o) == 0)
		snprintf(buf, len, " (pid %d, %s)", (int)o.pid, o.comm);
	else
		snprintf(buf, len, " (socket inode %ld; run as root to see "
		    "the process)", inode);
}

/* How long a start waits for another sockbridge to finish with the
 * directory (binding takes a few milliseconds), and a stop. Past that it
 * goes on without the lock: any local user can lock /tmp. */
#define LISTENER_LOCK_MS	2000
#define LISTENER_UNLOCK_MS	500

/*
 * Lock the directory that holds path: flock on the directory itself, so
 * that sockbridge processes starting or stopping in it take turns at
 * judging, removing and binding socket files. Without it, two starts that
 * both find the same stale file can each remove the other's new one, and
 * one of them serves a file nobody can reach. Waits up to wait_ms.
 * Returns the locked directory's fd (closing it unlocks), -1 if the
 * directory cannot be locked (not readable by us, or a file system
 * without flock), or -2 if another process held the lock all that time.
 * Either way the caller goes on unlocked: the lock only makes the checks
 * that follow airtight among sockbridge processes.
 */
static int
dir_lock(const char *path, int wait_ms)
{
	char dir[ADDR_PATH_MAX];
	struct timespec now, end, nap = { 0, 2 * 1000 * 1000 };
	const char *slash;
	int fd;

	if ((slash = strrchr(path, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += wait_ms / 1000;
	end.tv_nsec += (long)(wait_ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			close(fd);
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec &&
		    now.tv_nsec >= end.tv_nsec)) {
			close(fd);
			return -2;
		}
		nanosleep(&nap, NULL);
	}
	return fd;
}

/* Add a warning to l->note, which the relay logs. */
static void __attribute__((format(printf, 2, 3)))
note_add(struct listener *l, const char *fmt, ...)
{
	size_t n = strlen(l->note);
	va_list ap;

	if (n > 0 && n + 2 < sizeof(l->note)) {
		l->note[n++] = ';';
		l->note[n++] = ' ';
	}
	va_start(ap, fmt);
	vsnprintf(l->note + n, sizeof(l->note) - n, fmt, ap);
	va_end(ap);
}

/* " (pid 12, postgres)" for the process holding socket inode sock. */
static void
describe_sock(unsigned long sock, char *buf, size_t len)
{
	struct sockinfo_owner o;

	if (sockinfo_owner(sock, &o) == 0)
		snprintf(buf, len, " (pid %d, %s)", (int)o.pid, o.comm);
	else
		snprintf(buf, len, " (socket inode %lu; run as root to see "
		    "the process)", sock);
}

/*
 * Make the way clear for binding a socket file at a->path. A connect
 * that is refused does not make a file stale: a server may have bound it
 * and not called listen() yet. The kernel is asked whether any socket is
 * still bound to the file; only if none is (or, where the kernel cannot
 * say, as before) is the file removed.
 * Returns 0 (nothing there, or a stale socket removed, with l->note set)
 * or -1 with err (not a socket, a live server, cannot tell).
 */
static int
clear_path(const struct addr *a, struct listener *l, char *err, size_t errlen)
{
	struct net_sa sa;
	struct stat st, now;
	char owner[128];
	unsigned long sock = 0;
	int fd, rc;

	if (lstat(a->path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		return errbuf_set(err, errlen, "unix:%s: %s", a->path,
		    strerror(errno));
	}
	if (!S_ISSOCK(st.st_mode))
		return errbuf_set(err, errlen, "unix:%s: exists and is not a socket "
		    "(%s); not touching it", a->path,
		    S_ISREG(st.st_mode) ? "a regular file" :
		    S_ISDIR(st.st_mode) ? "a directory" :
		    S_ISLNK(st.st_mode) ? "a symbolic link" : "a special file");

	/* Knock: a live server accepts (or its backlog is full). */
	if (net_sockaddr(a, 0, &sa, err, errlen) == -1)
		return -1;
	if ((fd = sys_socket(AF_UNIX, SOCK_STREAM)) < 0)
		return errbuf_set(err, errlen, "socket: %s", strerror(-fd));
	rc = connect(fd, (struct sockaddr *)&sa.ss, sa.len) == -1 ? errno : 0;
	if (rc == 0 || rc == EAGAIN || rc == EINPROGRESS)
		describe_owner(fd, a->path, owner, sizeof(owner));
	close(fd);
	switch (rc) {
	case ECONNREFUSED:
		break;
	case 0:
	case EAGAIN:
	case EINPROGRESS:
		return errbuf_set(err, errlen, "unix:%s: a server%s is listening on "
		    "it; not replacing it", a->path, owner);
	case EPROTOTYPE:
		return errbuf_set(err, errlen, "unix:%s: is a datagram socket in "
		    "use or of another type; not touching it", a->path);
	default:
		return errbuf_set(err, errlen, "unix:%s: cannot tell whether a "
		    "server listens on it: %s", a->path, strerror(rc));
	}
	/* Refused. Bound but not listening yet, or really stale? Where the
	 * kernel cannot tell (rc < 0), a refusal counts as stale. */
	if (sockinfo_file_bound(st.st_dev, st.st_ino, &sock) == 1) {
		describe_sock(sock, owner, sizeof(owner));
		return errbuf_set(err, errlen, "unix:%s: a server%s has bound it "
		    "and is not listening yet; not replacing it", a->path, owner);
	}
	/* Remove the very file judged stale, not one swapped in since. */
	if (lstat(a->path, &now) == 0 && (now.st_dev != st.st_dev ||
	    now.st_ino != st.st_ino))
		return errbuf_set(err, errlen, "unix:%s: replaced by someone else "
		    "while being checked; not touching it", a->path);
	if (unlink(a->path) == -1 && errno != ENOENT)
		return errbuf_set(err, errlen, "unix:%s: remove stale socket file: %s",
		    a->path, strerror(errno));
	note_add(l, "unix:%s: replaced a stale socket file (nothing was "
	    "listening)", a->path);
	return 0;
}

/* Say why binding a socket file failed, naming the directory at fault. */
static int
bind_error(const char *path, int e, char *err, size_t errlen)
{
	char dir[ADDR_PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (e == ENOENT)
		return errbuf_set(err, errlen, "bind unix:%s: %s (directory %s does "
		    "not exist)", path, strerror(e), dir);
	if (e == EACCES)
		return errbuf_set(err, errlen, "bind unix:%s: %s (cannot create "
		    "files in %s)", path, strerror(e), dir);
	if (e == EADDRINUSE)
		return errbuf_set(err, errlen, "bind unix:%s: %s (another process "
		    "created it meanwhile); not replacing it", path, strerror(e));
	return errbuf_set(err, errlen, "bind unix:%s: %s", path, strerror(e));
}

/*
 * Record which file our socket l->fd is bound to, for fix_file and for
 * removal on close. The kernel says (sock_diag); where it cannot, lstat
 * of the path right after bind() is the best guess. Returns 1 if the
 * kernel said, 0 if guessed, -1 with err.
 */
static int
record_file(const struct addr *a, struct listener *l, char *err,
    size_t errlen)
{
	struct stat st;
	int rc;

	if ((rc = sockinfo_sock_file(l->fd, &l->dev, &l->ino)) == 0) {
		/* The kernel gives 32 bits of the inode number; take the rest
		 * from the path only if it names that very file. */
		if (lstat(a->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
		    st.st_dev == l->dev &&
		    (unsigned int)st.st_ino == (unsigned int)l->ino)
			l->ino = st.st_ino;
		return 1;
	}
	if (rc != -ENOSYS)
		return errbuf_set(err, errlen, "unix:%s: which file is our socket "
		    "bound to: %s", a->path, strerror(-rc));
	if (lstat(a->path, &st) == -1)
		return errbuf_set(err, errlen, "unix:%s: %s", a->path,
		    strerror(errno));
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	return 0;
}

/*
 * Give the socket file we bound its owner and the mode bits a umask
 * cannot (setuid, setgid, sticky), through an O_PATH descriptor of the
 * file, never by path: chmod and chown by path follow whatever a writer
 * of the directory swapped in meanwhile, such as a symlink to a file of
 * root's. The descriptor must be the very file our socket is bound to
 * (l->dev, l->ino), a socket, and ours. fchmod and fchown on the socket
 * fd do not help: on Linux they succeed but change the socket's own inode
 * (sockfs), not the file. Returns 0 or -1 with err.
 */
static int
fix_file(const struct addr *a, struct listener *l, uid_t uid, gid_t gid,
    char *err, size_t errlen)
{
	const struct addr_opts *o = &a->opt;
	int special = o->mode != -1 && (o->mode & ~0777) != 0;

	if (uid == (uid_t)-1 && gid == (gid_t)-1 && !special)
		return 0;
#if defined(O_PATH) && defined(AT_EMPTY_PATH)
	char proc[64];
	struct stat st;
	int pfd;

	if ((pfd = open(a->path, O_PATH | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return errbuf_set(err, errlen, "unix:%s: %s (gone while starting)",
		    a->path, strerror(errno));
	if (fstat(pfd, &st) == -1 || !S_ISSOCK(st.st_mode) ||
	    st.st_dev != l->dev || st.st_ino != l->ino ||
	    st.st_uid != geteuid()) {
		close(pfd);
		l->owns_file = 0;
		return errbuf_set(err, errlen, "unix:%s: replaced by someone else "
		    "while starting; not touching it", a->path);
	}
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    fchownat(pfd, "", uid, gid, AT_EMPTY_PATH) == -1) {
		close(pfd);
		return errbuf_set(err, errlen, "chown unix:%s to %s%s%s: %s",
		    a->path, o->user, o->group[0] ? ":" : "", o->group,
		    strerror(errno));
	}
	/* chmod through the descriptor's /proc link reaches the inode we
	 * hold, whatever the path names now; chown cleared setgid, so the
	 * mode comes second. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	if (special && chmod(proc, (mode_t)o->mode) == -1) {
		int e = errno;

		close(pfd);
		return errbuf_set(err, errlen, "chmod unix:%s: %s%s", a->path,
		    strerror(e), e == ENOENT ? " (/proc is not mounted)" : "");
	}
	close(pfd);
	return 0;
#else
	(void)l;
	return errbuf_set(err, errlen, "unix:%s: user=, group= and mode bits "
	    "above 0777 need O_PATH, which this system lacks", a->path);
#endif
}

/*
 * Bind and listen on a unix address: clear the path, bind born with the
 * asked permission bits (umask), fix owner and special bits through the
 * file's descriptor, listen. Returns 0 or -1 with err.
 */
static int
bind_unix(const struct addr *a, struct listener *l, int backlog, uid_t uid,
    gid_t gid, char *err, size_t errlen)
{
	const struct addr_opts *o = &a->opt;
	struct net_sa sa;
	struct stat st;
	mode_t old_umask = 0;
	int rc, e;

	if (a->kind == ADDR_UNIX && clear_path(a, l, err, errlen) == -1)
		return -1;
	if (net_sockaddr(a, 1, &sa, err, errlen) == -1)
		return -1;
	if ((l->fd = sys_socket(AF_UNIX, SOCK_STREAM)) < 0) {
		e = -l->fd;
		l->fd = -1;
		return errbuf_set(err, errlen, "socket: %s", strerror(e));
	}
	l->family = AF_UNIX;

	/* The file is created with 0777 & ~umask: set the umask so it is
	 * born with the asked mode, never wider. bind() never follows a
	 * symlink at the path: anything there makes it fail. */
	if (o->mode != -1)
		old_umask = umask((mode_t)(~o->mode & 0777));
	rc = bind(l->fd, (struct sockaddr *)&sa.ss, sa.len);
	e = errno;
	if (o->mode != -1)
		umask(old_umask);
	if (rc == -1) {
		if (a->kind == ADDR_ABSTRACT)
			return errbuf_set(err, errlen, "bind unix:@%s: %s", a->path,
			    strerror(e));
		return bind_error(a->path, e, err, errlen);
	}
	if (a->kind == ADDR_UNIX) {
		snprintf(l->path, sizeof(l->path), "%s", a->path);
		if (record_file(a, l, err, errlen) == -1)
			return -1;
		l->owns_file = (o->unlink_close != 0);
		/* Owner and mode before listen(): until then a connect is
		 * refused, so no peer gets in under the wrong owner. */
		if (fix_file(a, l, uid, gid, err, errlen) == -1)
			return -1;
	}
	if (listen(l->fd, backlog) == -1)
		return errbuf_set(err, errlen, "listen unix:%s%s: %s",
		    a->kind == ADDR_ABSTRACT ? "@" : "", a->path, strerror(errno));
	/* Serve only a file clients can reach: if a process that does not
	 * take the directory lock removed ours meanwhile, say so and go. */
	if (a->kind == ADDR_UNIX && (lstat(a->path, &st) == -1 ||
	    st.st_dev != l->dev || st.st_ino != l->ino)) {
		l->owns_file = 0;
		return errbuf_set(err, errlen, "unix:%s: replaced by someone else "
		    "while starting; not touching it", a->path);
	}
	return 0;
}

/*
 * A unix listener: resolve the owner, then bind with the directory
 * locked (see dir_lock). Returns 0 or -1 with err.
 */
static int
open_unix(const struct addr *a, struct listener *l, int backlog, char *err,
    size_t errlen)
{
	const struct addr_opts *o = &a->opt;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	int lock_fd = -1, rc;

	if (o->user[0] != '\0' && acl_uid(o->user, &uid, NULL) == -1)
		return errbuf_set(err, errlen, "unix:%s: user=%s: no such user",
		    a->path, o->user);
	if (o->group[0] != '\0' && acl_gid(o->group, &gid) == -1)
		return errbuf_set(err, errlen, "unix:%s: group=%s: no such group",
		    a->path, o->group);
	if (a->kind == ADDR_UNIX &&
	    (lock_fd = dir_lock(a->path, LISTENER_LOCK_MS)) == -2)
		note_add(l, "unix:%s: another process kept its directory locked "
		    "for %d s; going on without the lock", a->path,
		    LISTENER_LOCK_MS / 1000);
	rc = bind_unix(a, l, backlog, uid, gid, err, errlen);
	if (lock_fd >= 0)
		close(lock_fd);
	return rc;
}

/*
 * What to add to a failed tcp bind's message (error e, address sa): the
 * process holding the port for EADDRINUSE, and for EACCES on a low port
 * what lets an unprivileged user bind it. Fills buf ("" if nothing).
 */
static void
tcp_bind_why(const struct net_sa *sa, int e, char *buf, size_t len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&sa->ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&sa->ss;
	int v6 = sa->ss.ss_family == AF_INET6, start;
	unsigned int port = ntohs(v6 ? sin6->sin6_port : sin->sin_port);
	struct sockinfo_owner o;
	long inode;

	buf[0] = '\0';
	if (e == EADDRINUSE) {
		inode = tcpinfo_listener(sa->ss.ss_family, v6 ?
		    (const void *)&sin6->sin6_addr : (const void *)&sin->sin_addr,
		    port);
		if (inode == -ENOSYS)
			snprintf(buf, len, " (this system cannot tell which "
			    "process holds port %u)", port);
		else if (inode > 0 &&
		    sockinfo_owner((unsigned long)inode, &o) == 0)
			snprintf(buf, len, " (held by pid %d, %s)",
			    (int)o.pid, o.comm);
		else if (inode > 0)
			snprintf(buf, len, " (a process this user cannot see "
			    "listens on port %u; as root, ss -ltnp 'sport = "
			    ":%u' names it)", port, port);
		return;
	}
	if (e == EACCES && port < 1024 && geteuid() != 0) {
		start = tcpinfo_unprivileged_start();
		if (start > 0 && (unsigned int)start <= port)
			return;
		snprintf(buf, len, ": ports below %d need root or "
		    "CAP_NET_BIND_SERVICE; use a port of %d or more, or "
		    "grant the capability (sudo setcap "
		    "cap_net_bind_service=+ep \"$(command -v sockbridge)\"), "
		    "or lower the sysctl net.ipv4.ip_unprivileged_port_start",
		    start > 0 ? start : 1024, start > 0 ? start : 1024);
	}
}

static int
open_tcp(const struct addr *a, struct listener *l, int backlog, char *err,
    size_t errlen)
{
	struct net_sa sa;
	int one = 1;

	if (net_sockaddr(a, 1, &sa, err, errlen) == -1)
		return -1;
	if ((l->fd = sys_socket(sa.ss.ss_family, SOCK_STREAM)) < 0) {
		int e = -l->fd;

		l->fd = -1;
		return errbuf_set(err, errlen, "socket: %s", strerror(e));
	}
	l->family = sa.ss.ss_family;
	/* Like nginx, reuse the port of connections in TIME_WAIT. */
	if (a->opt.reuseaddr != 0)
		(void)setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
	if (bind(l->fd, (struct sockaddr *)&sa.ss, sa.len) == -1) {
		char buf[ADDR_HOST_MAX + 16], why[256];
		int e = errno;

		tcp_bind_why(&sa, e, why, sizeof(why));
		return errbuf_set(err, errlen, "bind %s: %s%s",
		    net_sa_str((struct sockaddr *)&sa.ss, sa.len, buf,
		    sizeof(buf)), strerror(e), why);
	}
	if (listen(l->fd, backlog) == -1) {
		char name[ADDR_HOST_MAX + 16];

		net_local_str(l->fd, name, sizeof(name));
		return errbuf_set(err, errlen, "listen %s: %s", name,
		    strerror(errno));
	}
	return 0;
}

/* Take over an inherited socket: it must be a listening stream socket. */
static int
adopt_fd(int fd, struct listener *l, char *err, size_t errlen)
{
	int type = 0, acc = 0;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1)
		return errbuf_set(err, errlen, "fd:%d: %s", fd, errno == ENOTSOCK ?
		    "not a socket" : strerror(errno));
	len = sizeof(acc);
	if (type != SOCK_STREAM ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == -1 ||
	    acc == 0)
		return errbuf_set(err, errlen, "fd:%d: not a listening stream socket "
		    "(for systemd, use Accept=no)", fd);
	if (sys_nonblock(fd) != 0)
		return errbuf_set(err, errlen, "fd:%d: %s", fd, strerror(errno));
	l->fd = fd;
	net_local_str(fd, l->name, sizeof(l->name));
	return 0;
}

/* LISTEN_FDS from systemd: fds 3.. for this pid, names in LISTEN_FDNAMES. */
static int
open_systemd(const struct addr *a, struct listener *ls, size_t max,
    char *err, size_t errlen)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES");
	long n, p;
	size_t count = 0;

	if (fds == NULL || num_parse_int(fds, 1, 1024, &n) == -1)
		return errbuf_set(err, errlen, "systemd: LISTEN_FDS is not set; "
		    "start sockbridge from a .socket unit or "
		    "systemd-socket-activate");
	if (pid != NULL && (num_parse_int(pid, 1, INT_MAX, &p) == -1 ||
	    p != (long)getpid()))
		return errbuf_set(err, errlen, "systemd: LISTEN_PID is %s, not us "
		    "(%d)", pid, (int)getpid());
	for (long i = 0; i < n; i++) {
		char name[ADDR_NAME_MAX] = "";

		/* The i-th colon-separated name, if any. */
		if (names != NULL) {
			const char *s = names;
			size_t len;

			for (long k = 0; k < i && s != NULL; k++)
				if ((s = strchr(s, ':')) != NULL)
					s++;
			if (s != NULL) {
				len = strcspn(s, ":");
				if (len >= sizeof(name))
					len = sizeof(name) - 1;
				memcpy(name, s, len);
				name[len] = '\0';
			}
		}
		if (a->name[0] != '\0' && strcmp(a->name, name) != 0)
			continue;
		if (count == max)
			return errbuf_set(err, errlen, "systemd: more than %zu sockets",
			    max);
		listener_init(&ls[count]);
		if (adopt_fd(3 + (int)i, &ls[count], err, errlen) == -1)
			return -1;
		count++;
	}
	if (count == 0)
		return errbuf_set(err, errlen, "systemd: no socket named '%s' in "
		    "LISTEN_FDNAMES", a->name);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return (int)count;
}

int
listener_allows(const struct listener *l, int fd, char *who, size_t wholen)
{
	return acl_allows(&l->acl, fd, who, wholen);
}

int
listener_open(const struct addr *a, struct listener *ls, size_t max,
    char *err, size_t errlen)
{
	struct listener *l = &ls[0];
	int backlog = a->opt.backlog > 0 ? a->opt.backlog : SOMAXCONN;
	int rc;

	if (max == 0)
		return errbuf_set(err, errlen, "no room for a listener");
	if (a->kind == ADDR_SYSTEMD) {
		rc = open_systemd(a, ls, max, err, errlen);
		for (int i = 0; i < rc; i++) {
			if (acl_resolve(&a->opt, &ls[i].acl, err, errlen) == -1)
				return -1;
			ls[i].accept_proxy = a->opt.accept_proxy;
		}
		return rc;
	}
	listener_init(l);
	/* Who may connect is known before anyone can. */
	if (acl_resolve(&a->opt, &l->acl, err, errlen) == -1)
		return -1;
	l->accept_proxy = a->opt.accept_proxy;
	switch (a->kind) {
	case ADDR_UNIX:
	case ADDR_ABSTRACT:
		rc = open_unix(a, l, backlog, err, errlen);
		break;
	case ADDR_TCP:
		rc = open_tcp(a, l, backlog, err, errlen);
		break;
	case ADDR_FD:
		if (adopt_fd(a->fd, l, err, errlen) == -1)
			return -1;
		return 1;
	default:
		return errbuf_set(err, errlen, "cannot listen on this address type");
	}
	if (rc == -1) {
		listener_close(l);
		return -1;
	}
	net_local_str(l->fd, l->name, sizeof(l->name));
	return 1;
}

int
listener_close(struct listener *l)
{
	struct stat st;
	int rc = 0, lock_fd;

	if (l == NULL)
		return 0;
	if (l->fd != -1) {
		close(l->fd);
		l->fd = -1;
	}
	if (!l->owns_file)
		return 0;
	/* Someone may have replaced the file since: leave theirs alone. The
	 * directory lock keeps a sockbridge starting on the path from
	 * binding a new file between our check and our unlink. */
	lock_fd = dir_lock(l->path, LISTENER_UNLOCK_MS);
	if (lstat(l->path, &st) == 0 && st.st_dev == l->dev &&
	    st.st_ino == l->ino && S_ISSOCK(st.st_mode))
		rc = unlink(l->path) == 0 ? 1 : -errno;
	if (lock_fd >= 0)
		close(lock_fd);
	l->owns_file = 0;
	return rc;
}
