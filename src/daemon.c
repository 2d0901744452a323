/*
 * daemon: see daemon.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "listener.h"

int
daemon_pidfile(const char *path, char *err, size_t errlen)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd == -1) {
		snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
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
	if (listener_uid(user, &uid, &gid) == -1) {
		snprintf(err, errlen, "--user %s: no such user", user);
		return -1;
	}
	if (colon != NULL && listener_gid(colon, &gid) == -1) {
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
