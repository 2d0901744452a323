/*
 * sockinfo: what the kernel says about unix sockets, read from
 * /proc/net/unix and /proc/PID/fd (Linux). Used to name the owner of a
 * live socket file; doctor and ls build on it.
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

#endif
