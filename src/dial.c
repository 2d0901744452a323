/*
 * dial: see dial.h.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dial.h"
#include "spawn.h"
#include "sys.h"

int
dial_prepare(struct dial_target *t, const struct addr *a, char *err,
    size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->addr = *a;
	addr_str(a, t->name, sizeof(t->name));
	if (a->kind == ADDR_EXEC)
		return 0;
	if (net_sockaddr(a, 0, &t->sa, err, errlen) == -1)
		return -1;
	if (a->opt.bind[0] != '\0') {
		struct addr b;
		char berr[ADDR_ERR_MAX];

		/* bind=HOST or bind=HOST:PORT, as socat takes it. */
		if (addr_parse_hostport(&b, a->opt.bind, berr, sizeof(berr)) == -1) {
			snprintf(err, errlen, "bind=%s: %s", a->opt.bind, berr);
			return -1;
		}
		if (net_sockaddr(&b, 1, &t->bind_sa, err, errlen) == -1)
			return -1;
		t->has_bind = 1;
	}
	/* The resolved address names the target in logs. */
	if (a->kind == ADDR_TCP)
		net_sa_str((struct sockaddr *)&t->sa.ss, t->sa.len, t->name,
		    sizeof(t->name));
	return 0;
}

/* Run t's command on one end of a socketpair; return the other end
 * (nonblocking), or -errno. */
static int
exec_target(const struct dial_target *t, pid_t *pid)
{
	char *argv[] = { "/bin/sh", "-c", NULL, NULL };
	char cmd[ADDR_CMD_MAX];
	struct spawn sp;
	int sv[2], rc;

	if ((rc = sys_socketpair_cloexec(AF_UNIX, SOCK_STREAM, sv)) != 0)
		return rc;
	snprintf(cmd, sizeof(cmd), "%s", t->addr.cmd);
	argv[2] = cmd;
	memset(&sp, 0, sizeof(sp));
	sp.argv = argv;
	sp.stdio_fd = sv[1];
	rc = spawn_start(&sp, pid);
	close(sv[1]);
	if (rc == 0)
		rc = sys_nonblock(sv[0]);
	if (rc != 0) {
		close(sv[0]);
		return rc;
	}
	return sv[0];
}

int
dial_start(const struct dial_target *t, int *pending, pid_t *pid)
{
	int fd, one = 1;

	*pending = 0;
	*pid = -1;
	if (t->addr.kind == ADDR_EXEC)
		return exec_target(t, pid);
	if ((fd = sys_socket(t->sa.ss.ss_family, SOCK_STREAM)) < 0)
		return fd;
	if (t->sa.ss.ss_family != AF_UNIX)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	if (t->has_bind && bind(fd, (const struct sockaddr *)&t->bind_sa.ss,
	    t->bind_sa.len) == -1) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (connect(fd, (const struct sockaddr *)&t->sa.ss, t->sa.len) == -1) {
		int e = errno;

		if (e == EINPROGRESS) {
			*pending = 1;
			return fd;
		}
		close(fd);
		return -e;
	}
	return fd;
}

int
dial_finish(int fd)
{
	int e = 0;
	socklen_t len = sizeof(e);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		return -errno;
	return -e;
}
