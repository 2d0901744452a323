/*
 * nsinfo: see nsinfo.h. Reads /proc/PID/ns/{mnt,pid}, /proc/PID/root,
 * /proc/PID/cgroup and /proc/PID/mountinfo.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nsinfo.h"

/* Compare the links /proc/PID/ns/NAME and /proc/self/ns/NAME: 1 they
 * differ, 0 the same, -1 one cannot be read. */
static int
ns_differs(pid_t pid, const char *name)
{
	char p[64], a[64], b[64];
	ssize_t n, m;

	snprintf(p, sizeof(p), "/proc/%d/ns/%s", (int)pid, name);
	if ((n = readlink(p, a, sizeof(a) - 1)) <= 0)
		return -1;
	snprintf(p, sizeof(p), "/proc/self/ns/%s", name);
	if ((m = readlink(p, b, sizeof(b) - 1)) <= 0)
		return -1;
	a[n] = '\0';
	b[m] = '\0';
	return strcmp(a, b) != 0;
}

/* Is /proc/PID/root another directory than our "/"? */
static int
root_differs(pid_t pid)
{
	char p[64];
	struct stat a, b;

	snprintf(p, sizeof(p), "/proc/%d/root", (int)pid);
	if (stat(p, &a) == -1 || stat("/", &b) == -1)
		return -1;
	return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

/* The container runtime, id and systemd unit its cgroup path names. */
static void
cgroup_hints(pid_t pid, struct nsinfo *ni)
{
	static const struct {
		const char	*needle;
		const char	*name;
	} rt[] = {
		{ "docker", "docker" }, { "libpod", "podman" },
		{ "containerd", "containerd" }, { "kubepods", "kubernetes" },
		{ "/lxc", "lxc" }, { "machine.slice", "systemd-nspawn" },
	};
	char p[64], line[1024];
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/cgroup", (int)pid);
	if ((f = fopen(p, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *path = strchr(line, ':'), *s, *e;

		if (path == NULL || (path = strchr(path + 1, ':')) == NULL)
			continue;
		path++;
		path[strcspn(path, "\n")] = '\0';
		for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++)
			if (ni->runtime[0] == '\0' && strstr(path, rt[i].needle))
				snprintf(ni->runtime, sizeof(ni->runtime), "%s",
				    rt[i].name);
		/* "docker-<64 hex>.scope" or ".../docker/<64 hex>" */
		for (s = path; ni->runtime[0] && ni->cid[0] == '\0' && *s; s++) {
			size_t n = strspn(s, "0123456789abcdef");

			if (n == 64 && (s == path || s[-1] == '/' ||
			    s[-1] == '-')) {
				snprintf(ni->cid, sizeof(ni->cid), "%.12s", s);
				break;
			}
			s += n ? n - 1 : 0;
		}
		/* The last ".service" component is the unit. */
		if ((e = strstr(path, ".service")) != NULL) {
			e += 8;
			for (s = e; s > path && s[-1] != '/'; s--)
				;
			snprintf(ni->unit, sizeof(ni->unit), "%.*s",
			    (int)(e - s), s);
		}
	}
	fclose(f);
}

/*
 * From /proc/PID/mountinfo, the longest mount point that is dir or above
 * it: its mount id, point and type. Returns 0 or -1.
 */
static int
mount_of(const char *pid, const char *dir, long *id, char *point,
    size_t plen, char *type, size_t tlen)
{
	char p[64], line[4096], mp[4096], fs[64];
	size_t best = 0;
	long mid;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%s/mountinfo", pid);
	if ((f = fopen(p, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *sep;
		size_t n;

		/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 ..." */
		if (sscanf(line, "%ld %*d %*s %*s %4095s", &mid, mp) != 2 ||
		    (sep = strstr(line, " - ")) == NULL ||
		    sscanf(sep + 3, "%63s", fs) != 1)
			continue;
		n = strlen(mp);
		if (strchr(mp, '\\') != NULL)	/* octal escapes: skip */
			continue;
		if (!(strcmp(mp, "/") == 0 || (strncmp(dir, mp, n) == 0 &&
		    (dir[n] == '/' || dir[n] == '\0'))))
			continue;
		if (n >= best) {
			best = n;
			*id = mid;
			snprintf(point, plen, "%s", mp);
			snprintf(type, tlen, "%s", fs);
		}
	}
	fclose(f);
	return best > 0 ? 0 : -1;
}

int
nsinfo_of(pid_t pid, const char *path, struct nsinfo *ni)
{
	char p[64], dir[PATH_MAX], mine[PATH_MAX], t2[64], *s;
	long id, id2;

	memset(ni, 0, sizeof(*ni));
	ni->mnt_differs = ni->pid_differs = ni->root_differs = -1;
	snprintf(p, sizeof(p), "/proc/%d", (int)pid);
	if (access(p, F_OK) == -1)
		return errno == ENOENT && access("/proc/self", F_OK) == -1 ?
		    -ENOSYS : -errno;
	ni->mnt_differs = ns_differs(pid, "mnt");
	ni->pid_differs = ns_differs(pid, "pid");
	ni->root_differs = root_differs(pid);
	cgroup_hints(pid, ni);
	snprintf(dir, sizeof(dir), "%s", path);
	if ((s = strrchr(dir, '/')) != NULL)
		*(s == dir ? s + 1 : s) = '\0';
	snprintf(p, sizeof(p), "%d", (int)pid);
	if (dir[0] == '/' && ni->mnt_differs == 1 &&
	    mount_of(p, dir, &id, ni->mount, sizeof(ni->mount), ni->fstype,
	    sizeof(ni->fstype)) == 0 &&
	    mount_of("self", dir, &id2, mine, sizeof(mine), t2,
	    sizeof(t2)) == 0)
		ni->mount_private = strcmp(mine, ni->mount) != 0 ||
		    strcmp(t2, ni->fstype) != 0;
	return 0;
}

int
nsinfo_container(const struct nsinfo *ni)
{
	if (ni->runtime[0] != '\0' || ni->pid_differs == 1 ||
	    ni->root_differs == 1)
		return 1;
	if (ni->mnt_differs == 1 && ni->pid_differs == 0 &&
	    ni->root_differs == 0)
		return 0;
	return -1;
}
