/*
 * sockinfo: what the kernel says about unix sockets, read from
 * /proc/net/unix and /proc/PID/fd, and asked through sock_diag netlink
 * (Linux). Used to name the owner of a live socket file, to tell a stale
 * socket file from one a server has bound, and to know which file our
 * own socket is bound to; doctor and ls build on it. Elsewhere the
 * queries answer -ENOSYS: "cannot tell".
 */
#ifndef SB_SOCKINFO_H
#define SB_SOCKINFO_H

#include <sys/types.h>

#include <stddef.h>

struct sockinfo_entry {
	unsigned long	 inode;
	unsigned int	 flags;		/* 0x10000: listening */
	unsigned int	 type;		/* SOCK_STREAM, SOCK_DGRAM ... */
	unsigned int	 state;
	char		 path[128];	/* "@name" for abstract, "" unbound */
};

struct sockinfo_owner {
	pid_t		 pid;
	uid_t		 uid;
	char		 comm[64];
};

#define SOCKINFO_LISTENING	0x10000

/* Call fn for each unix socket of this network namespace; stop when it
 * returns non-zero and return that value. Returns 0 or -errno. */
int	sockinfo_scan(int (*fn)(const struct sockinfo_entry *, void *), void *);
/* The same for another network namespace's table, /proc/PID/net/unix. */
int	sockinfo_scan_file(const char *file,
	    int (*fn)(const struct sockinfo_entry *, void *), void *);

/* Inode of the stream socket listening at path ("@name": abstract).
 * Returns the inode, 0 if none listens, or -errno. */
long	sockinfo_listener(const char *path);

/* A process holding the socket inode. Returns 0, -ENOENT if none is
 * visible (another user's process without root), or -errno. */
int	sockinfo_owner(unsigned long inode, struct sockinfo_owner *);

/* Every socket inode held by a visible process, sorted by inode, for many
 * lookups at once (ls). */
struct sockinfo_fdmap {
	struct {
		unsigned long	 inode;
		pid_t		 pid;
	}		*v;
	size_t		 n, cap;
	int		 hidden;	/* processes whose fds we could not read */
};

int	sockinfo_fdmap_load(struct sockinfo_fdmap *);
void	sockinfo_fdmap_free(struct sockinfo_fdmap *);
/* The first pid holding inode, or -1. */
pid_t	sockinfo_fdmap_pid(const struct sockinfo_fdmap *, unsigned long inode);
/* Fill o from /proc/PID (comm, uid). Returns 0 or -errno. */
int	sockinfo_proc(pid_t pid, struct sockinfo_owner *o);

/* Process pid's command line, its arguments each ended by a NUL
 * (/proc/PID/cmdline), into buf: at most len bytes. Returns the length,
 * or -errno (-ENOSYS where this system cannot tell). */
ssize_t	sockinfo_cmdline(pid_t pid, char *buf, size_t len);

/*
 * The file the unix socket fd is bound to, as stat(2) would give its
 * st_dev and st_ino, asked of the kernel, not looked up by path (so a
 * file swapped in at the path cannot pass for it). /proc/net/unix cannot
 * say this: its Inode column is the socket's own inode (the one
 * /proc/PID/fd shows as socket:[N]), not the file's. The kernel reports
 * the low 32 bits of the inode number. Returns 0, -ENOENT if fd is not
 * bound to a file, -ENOSYS if this system cannot tell, or -errno.
 */
int	sockinfo_sock_file(int fd, dev_t *dev, ino_t *ino);

/*
 * Is any unix socket of this network namespace bound to the file (dev,
 * ino), listening or not? Returns 1, with *sock set to that socket's
 * inode (for sockinfo_owner), 0 if none is, -ENOSYS if this system cannot
 * tell, or -errno. A socket bound from another network namespace (a
 * container sharing the directory) is not seen.
 */
int	sockinfo_file_bound(dev_t dev, ino_t ino, unsigned long *sock);

#endif
