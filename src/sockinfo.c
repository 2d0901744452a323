/*
 * sockinfo: /proc readers. See sockinfo.h.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockinfo.h"

int
sockinfo_scan(int (*fn)(const struct sockinfo_entry *, void *), void *arg)
{
	char line[512];
	FILE *f;
	int rc = 0;

	if ((f = fopen("/proc/net/unix", "re")) == NULL)
		return -errno;
	/* Skip the header: "Num RefCount Protocol Flags Type St Inode Path" */
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		return 0;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		struct sockinfo_entry e;
		int off = 0;
		size_t n;

		memset(&e, 0, sizeof(e));
		if (sscanf(line, "%*s %*x %*x %x %x %x %lu %n", &e.flags,
		    &e.type, &e.state, &e.inode, &off) < 4)
			continue;
		if (off > 0 && line[off] != '\0') {
			n = strcspn(line + off, "\n");
			if (n >= sizeof(e.path))
				n = sizeof(e.path) - 1;
			memcpy(e.path, line + off, n);
			e.path[n] = '\0';
		}
		rc = fn(&e, arg);
	}
	fclose(f);
	return rc < 0 ? rc : 0;
}

struct find_listener {
	const char	*path;
	long		 inode;
};

static int
match_listener(const struct sockinfo_entry *e, void *arg)
{
	struct find_listener *fl = arg;

	if ((e->flags & SOCKINFO_LISTENING) && e->type == SOCK_STREAM &&
	    strcmp(e->path, fl->path) == 0) {
		fl->inode = (long)e->inode;
		return 1;
	}
	return 0;
}

long
sockinfo_listener(const char *path)
{
	struct find_listener fl = { path, 0 };
	int rc;

	if ((rc = sockinfo_scan(match_listener, &fl)) < 0)
		return rc;
	return fl.inode;
}

/* Does /proc/PID/fd hold "socket:[inode]"? 1 yes, 0 no or unreadable. */
static int
pid_has_socket(const char *pid, const char *want)
{
	char dir[300], link[PATH_MAX], target[64];
	struct dirent *d;
	DIR *fds;
	ssize_t n;
	int found = 0;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	if ((fds = opendir(dir)) == NULL)
		return 0;
	while (!found && (d = readdir(fds)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, d->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		found = strcmp(target, want) == 0;
	}
	closedir(fds);
	return found;
}

int
sockinfo_owner(unsigned long inode, struct sockinfo_owner *o)
{
	char want[64], path[300];
	struct dirent *d;
	struct stat st;
	DIR *proc;
	FILE *f;
	int rc = -ENOENT;

	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	if ((proc = opendir("/proc")) == NULL)
		return -errno;
	while ((d = readdir(proc)) != NULL) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		if (!pid_has_socket(d->d_name, want))
			continue;
		memset(o, 0, sizeof(*o));
		o->pid = (pid_t)strtol(d->d_name, NULL, 10);
		snprintf(path, sizeof(path), "/proc/%s", d->d_name);
		if (stat(path, &st) == 0)
			o->uid = st.st_uid;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		if ((f = fopen(path, "re")) != NULL) {
			if (fgets(o->comm, sizeof(o->comm), f) != NULL)
				o->comm[strcspn(o->comm, "\n")] = '\0';
			fclose(f);
		}
		rc = 0;
		break;
	}
	closedir(proc);
	return rc;
}
