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
 * Not all Linux-only calls are behind this seam yet. Still outside it:
 * - SOCK_CLOEXEC / SOCK_NONBLOCK in socket(2) and socketpair(2):
 *   bench.c, cmd-bench.c, diag.c, dial.c, notify.c;
 * - MSG_NOSIGNAL: conn.c, notify.c, relay.c; MSG_MORE: relay.c;
 * - prctl(PR_SET_PDEATHSIG) and /proc/self/exe: cmd-bench.c;
 * - strerrorname_np(), statfs(), /proc/PID/ns: diag.c;
 * - /proc readers: sockinfo.c, cmd-ls.c, diag.c (/proc/net/unix, fd
 *   tables), bench.c (/proc/PID/stat);
 * - abstract socket names ('@'): addr.c, net.c and the front ends.
 * A port moves each behind a sys_ call or a feature test.
 */
#ifndef SB_SYS_H
#define SB_SYS_H

#include <sys/types.h>

#include <stddef.h>

/* Accept a connection, nonblocking and close-on-exec. Returns the fd or
 * -errno (-EAGAIN when none is pending). */
int	sys_accept(int listen_fd);

/* A nonblocking socket of the given family and type, close-on-exec. */
int	sys_socket(int family, int type);

/* Make fd nonblocking and close-on-exec. Returns 0 or -errno. */
int	sys_nonblock(int fd);

/* A pipe for splicing, ends nonblocking and close-on-exec. Asks for size
 * bytes and returns what the kernel granted (where it cannot be asked:
 * size, or 64 KiB for 0), or -errno. */
int	sys_pipe(int fds[2], int size);

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
