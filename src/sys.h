/*
 * sys: the platform seam. The calls the relay needs that differ between
 * systems: nonblocking close-on-exec sockets and accepts (accept4 or
 * accept + fcntl), pipes (pipe2 or pipe + fcntl, F_SETPIPE_SZ), splice
 * (Linux; elsewhere -EINVAL and the pump copies), peer credentials and
 * groups (SO_PEERCRED, LOCAL_PEERCRED, getpeereid), the fd limit. Each
 * has a portable fallback chosen by feature test; make PORTABLE=1 forces
 * the fallbacks. The event loop's epoll, kqueue and poll backends and its
 * signalfd or self-pipe are the loop's side of the seam (loop.h).
 *
 * Also here: close-on-exec sockets that block (sys_socket_cloexec,
 * sys_socketpair_cloexec), errno names (sys_strerrorname), and
 * MSG_NOSIGNAL / MSG_MORE defined as 0 where the system lacks them
 * (sockets then carry SO_NOSIGPIPE where it exists, and the relay
 * ignores SIGPIPE anyway). Outside the seam, each behind a feature
 * test: /proc readers (sockinfo.c, with sockinfo_libproc.c in its place
 * on macOS; diag.c: without /proc those checks find nothing), another
 * process's CPU time (proccpu.c: /proc, libproc, or "not measured"),
 * prctl (spawn.c),
 * statfs (diag.c), abstract socket names (addr.c refuses them where
 * the system has none, SYS_HAVE_ABSTRACT below).
 */
#ifndef SB_SYS_H
#define SB_SYS_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>

/* Send flags the relay uses that not every system has: without
 * MSG_NOSIGNAL a write to a closed peer raises SIGPIPE, which the relay
 * ignores (and sys_socket and sys_accept set SO_NOSIGPIPE where it
 * exists); without MSG_MORE a short header goes out in its own segment. */
#ifndef MSG_NOSIGNAL
#define SYS_NO_MSG_NOSIGNAL	1
#define MSG_NOSIGNAL		0
#endif
#ifndef MSG_MORE
#define MSG_MORE		0
#endif

/* A struct stat's change time as a struct timespec: POSIX 2008's
 * st_ctim, which macOS spells st_ctimespec (no macro names the member,
 * so this one test is by system). */
#if defined(__APPLE__)
#define SYS_ST_CTIM(st)		((st)->st_ctimespec)
#else
#define SYS_ST_CTIM(st)		((st)->st_ctim)
#endif

/* Abstract unix socket names (a leading NUL in sun_path) are Linux's:
 * elsewhere an "@name" address is refused. */
#if defined(__linux__)
#define SYS_HAVE_ABSTRACT	1
#endif

/* Accept a connection, nonblocking and close-on-exec. Returns the fd or
 * -errno (-EAGAIN when none is pending). */
int	sys_accept(int listen_fd);

/* A nonblocking socket of the given family and type, close-on-exec. */
int	sys_socket(int family, int type);

/* A close-on-exec socket that blocks (SOCK_CLOEXEC, or socket plus
 * fcntl). Returns the fd or -errno. */
int	sys_socket_cloexec(int family, int type);

/* A close-on-exec socket pair that blocks, in sv. Returns 0 or -errno. */
int	sys_socketpair_cloexec(int family, int type, int sv[2]);

/* The name of an errno value ("ECONNREFUSED"), or NULL if unknown:
 * strerrorname_np where the C library has it (glibc 2.32), else a table
 * of the values sockbridge meets. */
const char *sys_strerrorname(int e);

/*
 * Close fd so that its peer sees an abort, not an end of stream: SO_LINGER
 * {1, 0} makes a tcp close send RST and drop what the send queue holds
 * (HAProxy's "option nolinger"). Unix sockets ignore the option: their
 * peer sees ECONNRESET only while bytes it sent are still unread here
 * (see end.h).
 */
void	sys_abort_close(int fd);

/* Make fd nonblocking and close-on-exec. Returns 0 or -errno. */
int	sys_nonblock(int fd);

/* A pipe for splicing, ends nonblocking and close-on-exec. Asks for size
 * bytes and returns what the kernel granted (where it cannot be asked:
 * size, or 64 KiB for 0), or -errno. */
int	sys_pipe(int fds[2], int size);
/* Let the unix socket fd queue at least size bytes for its peer
 * (SO_SNDBUF, as far as net.core.wmem_max allows). A tcp socket is left
 * alone: setting its buffer would stop the kernel's autotuning. Returns
 * the buffer now, or -errno (-EINVAL: not a unix socket). */
int	sys_unix_sndbuf(int fd, int size);
/* The same for a tcp socket's SO_RCVBUF (as far as net.core.rmem_max
 * allows), unless it already holds size; this ends the kernel's
 * autotuning of it. -EINVAL: not a tcp socket. */
int	sys_tcp_rcvbuf(int fd, int size);
/* Grow the pipe whose end is fd to size bytes (0: leave it), as far as
 * the kernel grants. Returns its size now, or -errno (-ENOSYS: no way
 * to ask). */
int	sys_pipe_grow(int fd, int size);

/* Move up to len bytes from fd into the pipe, or from the pipe to fd,
 * without copying through user space. Return bytes moved, 0 at EOF (in
 * only), or -errno: -EAGAIN means the source is empty or the sink full,
 * -EINVAL means splice does not work for this fd (use read and write). */
ssize_t	sys_splice_in(int fd, int pipe_w, size_t len);
ssize_t	sys_splice_out(int pipe_r, int fd, size_t len);

/* Credentials of a unix peer. *pid is 0 where the system does not say
 * (getpeereid). Returns 0 or -errno. */
int	sys_peercred(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

/* Supplementary groups of a unix peer, in a malloc'd *groups the caller
 * frees. Returns how many (0, *groups NULL, if the kernel cannot say:
 * OpenBSD, NetBSD, Linux before 4.13). */
int	sys_peergroups(int fd, gid_t **groups);

/* Is fd a TCP socket (IPv4 or IPv6 stream)? 1 or 0. */
int	sys_is_tcp(int fd);

/* TCP keepalive on fd: on, first probe after idle_s idle seconds, then
 * every intvl_s, the peer declared dead after cnt unanswered probes (the
 * timings where the system can set them); off: SO_KEEPALIVE 0. Returns 0
 * or -errno. */
int	sys_keepalive(int fd, int on, int idle_s, int intvl_s, int cnt);

/* Raise the soft fd limit to the hard one (to OPEN_MAX where the system
 * caps it, macOS). Returns the new soft limit. */
long	sys_raise_nofile(void);

#endif
