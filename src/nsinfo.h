/*
 * nsinfo: where a process lives compared with us, read from /proc/PID
 * (Linux): its mount and pid namespaces, the container runtime or
 * systemd unit its cgroup names, and the mount its view of a path lies
 * on. For doctor's verdict on a listener whose socket file we cannot
 * see. Elsewhere every field stays "cannot tell". Never prints.
 */
#ifndef SB_NSINFO_H
#define SB_NSINFO_H

#include <sys/types.h>

#include <limits.h>

struct nsinfo {
	int	 mnt_differs;	/* 1 another mount namespace, 0 ours, -1 ? */
	int	 pid_differs;	/* 1 another pid namespace, 0 ours, -1 ? */
	int	 root_differs;	/* 1 another root directory, 0 ours, -1 ? */
	char	 runtime[32];	/* "docker", "podman" ... from the cgroup */
	char	 cid[16];	/* the container's short id, if named */
	char	 unit[128];	/* "postgresql@15-main.service" */
	char	 mount[PATH_MAX];	/* its mount over the path's directory */
	char	 fstype[32];	/* that mount's filesystem type */
	int	 mount_private;	/* 1 that mount is not in our namespace */
};

/*
 * Fill ni for process pid and the socket path it listens on (absolute).
 * Returns 0, or -errno when /proc/PID cannot be read at all (-ENOSYS
 * where there is no /proc).
 */
int	nsinfo_of(pid_t pid, const char *path, struct nsinfo *ni);

/* 1 if ni says the process is in a container, 0 if it says it is a
 * private mount of a host process (PrivateTmp), -1 if it cannot tell. */
int	nsinfo_container(const struct nsinfo *ni);

#endif
