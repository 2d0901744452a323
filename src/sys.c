/*
 * sys: Linux implementations. See sys.h.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "sys.h"

int
sys_accept(int listen_fd)
{
	int fd;

	fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	return fd == -1 ? -errno : fd;
}

int
sys_socket(int family, int type)
{
	int fd;

	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	return fd == -1 ? -errno : fd;
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

	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == -1)
		return -errno;
	/* The kernel may round up or refuse (pipe-user-pages-soft); what
	 * counts is the size it reports back. */
	if (size > 0)
		(void)fcntl(fds[1], F_SETPIPE_SZ, size);
	if ((got = fcntl(fds[1], F_GETPIPE_SZ)) == -1) {
		got = -errno;
		close(fds[0]);
		close(fds[1]);
		fds[0] = fds[1] = -1;
	}
	return got;
}

ssize_t
sys_splice_in(int fd, int pipe_w, size_t len)
{
	ssize_t n;

	n = splice(fd, NULL, pipe_w, NULL, len, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	return n == -1 ? -errno : n;
}

ssize_t
sys_splice_out(int pipe_r, int fd, size_t len)
{
	ssize_t n;

	n = splice(pipe_r, NULL, fd, NULL, len, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	return n == -1 ? -errno : n;
}

int
sys_peercred(int fd, pid_t *pid, uid_t *uid, gid_t *gid)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1)
		return -errno;
	*pid = uc.pid;
	*uid = uc.uid;
	*gid = uc.gid;
	return 0;
}

int
sys_peergroups(int fd, gid_t **groups)
{
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

long
sys_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY ? 1L << 20 : (long)rl.rlim_cur;
}
