/*
 * notify: see notify.h. The protocol is one datagram to the unix socket
 * named by NOTIFY_SOCKET, a path or "@abstract" (sd_notify(3)).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify.h"
#include "sys.h"

int
notify(const char *state)
{
	static char saved[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	static int taken;
	const char *path;
	struct sockaddr_un sun;
	size_t n;
	ssize_t w;
	int fd;

	/* Take the variable on first use: children (exec: targets) must
	 * not inherit it and speak for the service (sd_notify(3)). */
	if (!taken) {
		const char *env = getenv("NOTIFY_SOCKET");

		taken = 1;
		if (env != NULL && strlen(env) < sizeof(saved))
			memcpy(saved, env, strlen(env) + 1);
		unsetenv("NOTIFY_SOCKET");
	}
	path = saved;
	if (*path == '\0')
		return 0;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sun.sun_path))
		return -EINVAL;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, n);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
#ifndef SYS_HAVE_ABSTRACT
	if (path[0] == '@')
		return -EAFNOSUPPORT;	/* abstract names are Linux's */
#endif
	if ((fd = sys_socket_cloexec(AF_UNIX, SOCK_DGRAM)) < 0)
		return fd;
	w = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, (socklen_t)(offsetof(struct sockaddr_un,
	    sun_path) + n + (path[0] == '@' ? 0 : 1)));
	n = (size_t)errno;
	close(fd);
	return w == -1 ? -(int)n : 0;
}
