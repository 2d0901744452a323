/*
 * daemon: see daemon.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl.h"
#include "daemon.h"
#include "sys.h"

/* The pid file this process wrote, for daemon_pidfile_remove. */
static struct {
	int	 written;
	dev_t	 dev;
	ino_t	 ino;
	uid_t	 uid;	/* before --user dropped root */
	struct timespec	 ctime;	/* a new file may get a freed inode number */
	pid_t	 pid;
} pidfile;

/* What kind of file st is, for messages. */
static const char *
file_kind(const struct stat *st)
{
	return S_ISLNK(st->st_mode) ? "a symbolic link" :
	    S_ISFIFO(st->st_mode) ? "a FIFO" :
	    S_ISDIR(st->st_mode) ? "a directory" :
	    S_ISSOCK(st->st_mode) ? "a socket" :
	    S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) ? "a device" :
	    "not a regular file";
}

int
daemon_pidfile(const char *path, char *err, size_t errlen)
{
	char tmp[4096], buf[32];
	struct stat st;
	mode_t mask;
	int fd, n, e;

	/* Refuse what must not be replaced. lstat, never open: opening a
	 * FIFO blocks, opening a symlink follows it. */
	if (lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "pid file %s: exists and is %s; not "
			    "touching it", path, file_kind(&st));
			return -1;
		}
		if (st.st_uid != geteuid()) {
			snprintf(err, errlen, "pid file %s: exists and is a file "
			    "of uid %u; not touching it", path,
			    (unsigned)st.st_uid);
			return -1;
		}
	} else if (errno != ENOENT) {
		snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
		return -1;
	}

	/* A fresh file of ours beside it (O_EXCL: never an existing one),
	 * then an atomic rename, which replaces a name and follows nothing. */
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "pid file %s: %s", path,
		    strerror(ENAMETOOLONG));
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	mask = umask(0);
	umask(mask);
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (fchmod(fd, 0644 & ~mask) == -1 || write(fd, buf, (size_t)n) != n ||
	    rename(tmp, path) == -1 || fstat(fd, &st) == -1) {
		e = errno;
		(void)unlink(tmp);
		close(fd);
		snprintf(err, errlen, "pid file %s: %s", path, strerror(e));
		return -1;
	}
	close(fd);
	pidfile.written = 1;
	pidfile.dev = st.st_dev;
	pidfile.ino = st.st_ino;
	pidfile.uid = st.st_uid;
	pidfile.ctime = SYS_ST_CTIM(&st);
	pidfile.pid = getpid();
	return 0;
}

int
daemon_pidfile_remove(const char *path)
{
	char buf[32], want[32];
	struct stat st;
	ssize_t n;
	int fd, e;

	if (!pidfile.written || pidfile.pid != getpid())
		return 0;
	/* O_NONBLOCK and O_NOFOLLOW: whatever is there now, opening it
	 * neither hangs nor leaves the directory. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return 0;
	n = fstat(fd, &st) == 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	close(fd);
	snprintf(want, sizeof(want), "%d\n", (int)pidfile.pid);
	if (n < 0 || !S_ISREG(st.st_mode) || st.st_dev != pidfile.dev ||
	    st.st_ino != pidfile.ino || st.st_uid != pidfile.uid ||
	    SYS_ST_CTIM(&st).tv_sec != pidfile.ctime.tv_sec ||
	    SYS_ST_CTIM(&st).tv_nsec != pidfile.ctime.tv_nsec)
		return 0;
	buf[n] = '\0';
	if (strcmp(buf, want) != 0)
		return 0;
	if (unlink(path) == -1) {
		e = errno;
		return e == ENOENT ? 0 : -e;
	}
	pidfile.written = 0;
	return 1;
}

int
daemon_drop(const char *spec, char *err, size_t errlen)
{
	char user[64], *colon;
	struct passwd *pw;
	uid_t uid;
	gid_t gid = (gid_t)-1;

	snprintf(user, sizeof(user), "%s", spec);
	if ((colon = strchr(user, ':')) != NULL)
		*colon++ = '\0';
	if (acl_uid(user, &uid, &gid) == -1) {
		snprintf(err, errlen, "--user %s: no such user", user);
		return -1;
	}
	if (colon != NULL && acl_gid(colon, &gid) == -1) {
		snprintf(err, errlen, "--user %s: no such group %s", spec, colon);
		return -1;
	}
	if (gid == (gid_t)-1) {
		snprintf(err, errlen, "--user %s: give a group too (USER:GROUP)",
		    spec);
		return -1;
	}
	if (geteuid() != 0) {
		snprintf(err, errlen, "--user %s: only root can change user",
		    spec);
		return -1;
	}
	pw = getpwuid(uid);
	if ((pw != NULL ? initgroups(pw->pw_name, gid) :
	    setgroups(1, &gid)) == -1 || setgid(gid) == -1 || setuid(uid) == -1) {
		snprintf(err, errlen, "--user %s: %s", spec, strerror(errno));
		return -1;
	}
	if (uid != 0 && setuid(0) == 0) {
		snprintf(err, errlen, "--user %s: could regain root", spec);
		return -1;
	}
	return 0;
}
