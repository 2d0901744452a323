/*
 * sys: the platform seam. See sys.h.
 *
 * Each call has its Linux fast path and a portable fallback, chosen by
 * feature tests (#ifdef of the flag or constant), not by OS name. The
 * PORTABLE build (make PORTABLE=1, SB_PORTABLE) forces every fallback
 * that has one, so the code macOS and the BSDs run is run here too.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#if defined(__has_include)
#if __has_include(<sys/ucred.h>)
#include <sys/ucred.h>		/* struct xucred (macOS, FreeBSD) */
#endif
#endif

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys.h"

/*
 * Where the socket type takes SOCK_NONBLOCK | SOCK_CLOEXEC, accept4()
 * and pipe2() exist too (Linux, FreeBSD 10, OpenBSD 5.7, NetBSD 6):
 * one call instead of three or four, and no window in which a forked
 * child inherits the fd.
 */
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC) && !defined(SB_PORTABLE)
#define SYS_HAVE_SOCK_FLAGS	1
#endif
#if defined(SPLICE_F_MOVE) && defined(SPLICE_F_NONBLOCK) && \
    !defined(SB_PORTABLE)
#define SYS_HAVE_SPLICE		1
#endif
#if defined(F_SETPIPE_SZ) && defined(F_GETPIPE_SZ) && !defined(SB_PORTABLE)
#define SYS_HAVE_PIPE_SZ	1
#endif
#ifndef SOL_LOCAL
#define SOL_LOCAL		0	/* FreeBSD spells the level 0 */
#endif

#ifndef SYS_HAVE_SOCK_FLAGS
/* Where send() has no MSG_NOSIGNAL, ask the socket not to raise SIGPIPE
 * (SO_NOSIGPIPE, macOS and the BSDs); failure is harmless, the relay
 * ignores SIGPIPE too. */
static void
nosigpipe(int fd)
{
#if defined(SYS_NO_MSG_NOSIGNAL) && defined(SO_NOSIGPIPE)
	int one = 1;

	(void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
#else
	(void)fd;
#endif
}
#endif

int
sys_accept(int listen_fd)
{
	int fd;

#ifdef SYS_HAVE_SOCK_FLAGS
	fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	return fd == -1 ? -errno : fd;
#else
	int rc;

	if ((fd = accept(listen_fd, NULL, NULL)) == -1)
		return -errno;
	if ((rc = sys_nonblock(fd)) != 0) {
		close(fd);
		return rc;
	}
	nosigpipe(fd);
	return fd;
#endif
}

int
sys_socket(int family, int type)
{
	int fd;

#ifdef SYS_HAVE_SOCK_FLAGS
	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	return fd == -1 ? -errno : fd;
#else
	int rc;

	if ((fd = socket(family, type, 0)) == -1)
		return -errno;
	if ((rc = sys_nonblock(fd)) != 0) {
		close(fd);
		return rc;
	}
	nosigpipe(fd);
	return fd;
#endif
}

int
sys_socket_cloexec(int family, int type)
{
	int fd;

#ifdef SYS_HAVE_SOCK_FLAGS
	fd = socket(family, type | SOCK_CLOEXEC, 0);
	return fd == -1 ? -errno : fd;
#else
	if ((fd = socket(family, type, 0)) == -1)
		return -errno;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		int e = errno;

		close(fd);
		return -e;
	}
	nosigpipe(fd);
	return fd;
#endif
}

int
sys_socketpair_cloexec(int family, int type, int sv[2])
{
#ifdef SYS_HAVE_SOCK_FLAGS
	if (socketpair(family, type | SOCK_CLOEXEC, 0, sv) == -1)
		return -errno;
	return 0;
#else
	if (socketpair(family, type, 0, sv) == -1)
		return -errno;
	if (fcntl(sv[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(sv[1], F_SETFD, FD_CLOEXEC) == -1) {
		int e = errno;

		close(sv[0]);
		close(sv[1]);
		sv[0] = sv[1] = -1;
		return -e;
	}
	nosigpipe(sv[0]);
	nosigpipe(sv[1]);
	return 0;
#endif
}

/*
 * glibc 2.32 has strerrorname_np; there is no macro to test for a
 * function, so the glibc version is the feature test. musl, macOS and
 * the BSDs get the table: the values a socket tool meets.
 */
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32) && \
    !defined(SB_PORTABLE)
const char *
sys_strerrorname(int e)
{
	return strerrorname_np(e);
}
#else
#define SYS_ERRNAME(x)	{ x, #x }
static const struct {
	int		 e;
	const char	*name;
} sys_errnames[] = {
	SYS_ERRNAME(EPERM), SYS_ERRNAME(ENOENT), SYS_ERRNAME(ESRCH),
	SYS_ERRNAME(EINTR), SYS_ERRNAME(EIO), SYS_ERRNAME(EBADF),
	SYS_ERRNAME(EAGAIN), SYS_ERRNAME(ENOMEM), SYS_ERRNAME(EACCES),
	SYS_ERRNAME(EFAULT), SYS_ERRNAME(EBUSY), SYS_ERRNAME(EEXIST),
	SYS_ERRNAME(ENOTDIR), SYS_ERRNAME(EISDIR), SYS_ERRNAME(EINVAL),
	SYS_ERRNAME(ENFILE), SYS_ERRNAME(EMFILE), SYS_ERRNAME(ENOSPC),
	SYS_ERRNAME(EROFS), SYS_ERRNAME(EPIPE), SYS_ERRNAME(ERANGE),
	SYS_ERRNAME(ENAMETOOLONG), SYS_ERRNAME(ENOSYS), SYS_ERRNAME(ELOOP),
	SYS_ERRNAME(ENOTSOCK), SYS_ERRNAME(EDESTADDRREQ),
	SYS_ERRNAME(EMSGSIZE), SYS_ERRNAME(EPROTOTYPE),
	SYS_ERRNAME(ENOPROTOOPT), SYS_ERRNAME(EPROTONOSUPPORT),
	SYS_ERRNAME(EOPNOTSUPP), SYS_ERRNAME(EAFNOSUPPORT),
	SYS_ERRNAME(EADDRINUSE), SYS_ERRNAME(EADDRNOTAVAIL),
	SYS_ERRNAME(ENETDOWN), SYS_ERRNAME(ENETUNREACH),
	SYS_ERRNAME(ECONNABORTED), SYS_ERRNAME(ECONNRESET),
	SYS_ERRNAME(ENOBUFS), SYS_ERRNAME(EISCONN), SYS_ERRNAME(ENOTCONN),
	SYS_ERRNAME(ETIMEDOUT), SYS_ERRNAME(ECONNREFUSED),
	SYS_ERRNAME(EHOSTDOWN), SYS_ERRNAME(EHOSTUNREACH),
	SYS_ERRNAME(EALREADY), SYS_ERRNAME(EINPROGRESS),
};

const char *
sys_strerrorname(int e)
{
	for (size_t i = 0; i < sizeof(sys_errnames) / sizeof(sys_errnames[0]);
	    i++)
		if (sys_errnames[i].e == e)
			return sys_errnames[i].name;
	return NULL;
}
#endif

void
sys_abort_close(int fd)
{
	struct linger lg = { 1, 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

int
sys_nonblock(int fd)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return -errno;
	return 0;
}

int
sys_pipe(int fds[2], int size)
{
	int got;

#ifdef SYS_HAVE_SOCK_FLAGS
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == -1)
		return -errno;
#else
	if (pipe(fds) == -1)
		return -errno;
	if ((got = sys_nonblock(fds[0])) != 0 ||
	    (got = sys_nonblock(fds[1])) != 0)
		goto fail;
#endif
#ifdef SYS_HAVE_PIPE_SZ
	/* The kernel may round up or refuse (pipe-user-pages-soft); what
	 * counts is the size it reports back. */
	if ((got = sys_pipe_grow(fds[1], size)) < 0)
		goto fail;
#else
	/* No way to ask or set the size. Without splice nothing but a
	 * write fills it, and the pump copies: report the size asked for,
	 * or 64 KiB, which is what macOS and the BSDs grow a pipe to. */
	got = size > 0 ? size : 65536;
#endif
	return got;
fail:
	close(fds[0]);
	close(fds[1]);
	fds[0] = fds[1] = -1;
	return got;
}

int
sys_pipe_grow(int fd, int size)
{
#ifdef SYS_HAVE_PIPE_SZ
	int got;

	if (size > 0)
		(void)fcntl(fd, F_SETPIPE_SZ, size);
	return (got = fcntl(fd, F_GETPIPE_SZ)) == -1 ? -errno : got;
#else
	(void)fd;
	(void)size;
	return -ENOSYS;
#endif
}

ssize_t
sys_splice_in(int fd, int pipe_w, size_t len)
{
#ifdef SYS_HAVE_SPLICE
	ssize_t n;

	n = splice(fd, NULL, pipe_w, NULL, len, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	return n == -1 ? -errno : n;
#else
	(void)fd;
	(void)pipe_w;
	(void)len;
	return -EINVAL;		/* no splice here: the pump copies */
#endif
}

ssize_t
sys_splice_out(int pipe_r, int fd, size_t len)
{
#ifdef SYS_HAVE_SPLICE
	ssize_t n;

	n = splice(pipe_r, NULL, fd, NULL, len, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	return n == -1 ? -errno : n;
#else
	(void)pipe_r;
	(void)fd;
	(void)len;
	return -EINVAL;
#endif
}

/*
 * Peer credentials, one function over each system's way of asking:
 * Linux SO_PEERCRED (struct ucred), OpenBSD SO_PEERCRED (struct
 * sockpeercred), FreeBSD and macOS LOCAL_PEERCRED (struct xucred, the
 * pid from LOCAL_PEERPID where there is one), else getpeereid() with no
 * pid. pid is 0 when the system does not say. Here no fallback is
 * forced by SB_PORTABLE: glibc has no getpeereid, so SO_PEERCRED is what
 * Linux has.
 */
int
sys_peercred(int fd, pid_t *pid, uid_t *uid, gid_t *gid)
{
#if defined(SO_PEERCRED) && defined(__OpenBSD__)
	struct sockpeercred pc;
	socklen_t len = sizeof(pc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &pc, &len) == -1)
		return -errno;
	*pid = pc.pid;
	*uid = pc.uid;
	*gid = pc.gid;
	return 0;
#elif defined(SO_PEERCRED)
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1)
		return -errno;
	*pid = uc.pid;
	*uid = uc.uid;
	*gid = uc.gid;
	return 0;
#elif defined(LOCAL_PEERCRED)
	struct xucred xu;
	socklen_t len = sizeof(xu);

	if (getsockopt(fd, SOL_LOCAL, LOCAL_PEERCRED, &xu, &len) == -1)
		return -errno;
	if (xu.cr_version != XUCRED_VERSION || xu.cr_ngroups < 1)
		return -EINVAL;
	*uid = xu.cr_uid;
	*gid = xu.cr_groups[0];
	*pid = 0;
#ifdef LOCAL_PEERPID
	{
		pid_t p;

		len = sizeof(p);
		if (getsockopt(fd, SOL_LOCAL, LOCAL_PEERPID, &p, &len) == 0)
			*pid = p;
	}
#endif
	return 0;
#else
	if (getpeereid(fd, uid, gid) == -1)
		return -errno;
	*pid = 0;
	return 0;
#endif
}

/*
 * Supplementary groups: Linux SO_PEERGROUPS (4.13), or the groups of a
 * struct xucred (FreeBSD, macOS; at most XU_NGROUPS, 16, of them).
 * Elsewhere (OpenBSD, NetBSD) the system does not say, and 0 is returned.
 */
int
sys_peergroups(int fd, gid_t **groups)
{
#if defined(SO_PEERGROUPS)
	socklen_t len = 64 * sizeof(gid_t);

	/* Too small a buffer gets ERANGE and the size it needs: retry
	 * once with that (a user may be in up to 65536 groups). */
	for (int tries = 0; tries < 2; tries++) {
		if ((*groups = malloc(len)) == NULL)
			return 0;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, *groups, &len) == 0)
			return (int)(len / sizeof(gid_t));
		free(*groups);
		*groups = NULL;
		if (errno != ERANGE || len > 65536 * sizeof(gid_t))
			break;
	}
	return 0;
#elif defined(LOCAL_PEERCRED) && !defined(SO_PEERCRED)
	struct xucred xu;
	socklen_t len = sizeof(xu);

	*groups = NULL;
	if (getsockopt(fd, SOL_LOCAL, LOCAL_PEERCRED, &xu, &len) == -1 ||
	    xu.cr_version != XUCRED_VERSION || xu.cr_ngroups < 1)
		return 0;
	if ((*groups = malloc((size_t)xu.cr_ngroups * sizeof(gid_t))) == NULL)
		return 0;
	memcpy(*groups, xu.cr_groups, (size_t)xu.cr_ngroups * sizeof(gid_t));
	return xu.cr_ngroups;
#else
	(void)fd;
	*groups = NULL;
	return 0;
#endif
}

/* Raise the socket fd's buffer opt to size if it holds less. */
static int
raise_buf(int fd, int opt, int size)
{
	socklen_t len = sizeof(int);
	int cur = 0;

	if (getsockopt(fd, SOL_SOCKET, opt, &cur, &len) == 0 && cur >= size)
		return cur;
	(void)setsockopt(fd, SOL_SOCKET, opt, &size, sizeof(size));
	len = sizeof(cur);
	return getsockopt(fd, SOL_SOCKET, opt, &cur, &len) == -1 ? -errno :
	    cur;
}

int
sys_unix_sndbuf(int fd, int size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -errno;
	return ss.ss_family == AF_UNIX ? raise_buf(fd, SO_SNDBUF, size) :
	    -EINVAL;
}

int
sys_tcp_rcvbuf(int fd, int size)
{
	return sys_is_tcp(fd) ? raise_buf(fd, SO_RCVBUF, size) : -EINVAL;
}

int
sys_is_tcp(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int type = 0;
	socklen_t tlen = sizeof(type);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
		return 0;
	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 &&
	    type == SOCK_STREAM;
}

int
sys_keepalive(int fd, int on, int idle_s, int intvl_s, int cnt)
{
	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) == -1)
		return -errno;
	if (!on)
		return 0;
#ifdef TCP_KEEPIDLE
	if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_s,
	    sizeof(idle_s)) == -1)
		return -errno;
#elif defined(TCP_KEEPALIVE)
	/* macOS spells the idle time TCP_KEEPALIVE. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPALIVE, &idle_s,
	    sizeof(idle_s)) == -1)
		return -errno;
#else
	(void)idle_s;
#endif
#ifdef TCP_KEEPINTVL
	if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl_s,
	    sizeof(intvl_s)) == -1)
		return -errno;
#else
	(void)intvl_s;
#endif
#ifdef TCP_KEEPCNT
	if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt)) == -1)
		return -errno;
#else
	(void)cnt;
#endif
	return 0;
}

/*
 * macOS refuses a soft limit above OPEN_MAX (10240) even when the hard
 * limit is unlimited: on EINVAL, settle for OPEN_MAX. Linux does not
 * define OPEN_MAX and never takes that branch.
 */
long
sys_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t cur = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
#ifdef OPEN_MAX
			if (errno == EINVAL && cur < OPEN_MAX) {
				rl.rlim_cur = OPEN_MAX;
				(void)setrlimit(RLIMIT_NOFILE, &rl);
			}
#else
			(void)cur;
#endif
		}
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY ? 1L << 20 : (long)rl.rlim_cur;
}
