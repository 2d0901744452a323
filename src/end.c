/*
 * end: see end.h.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "end.h"
#include "sys.h"

/* stdin and stdout flags before end_stdio_prepare() made them nonblocking:
 * put back on close. Process-wide because the fds are. */
static int end_stdio_flags[2] = { -1, -1 };

static void
fd_close(int fd)
{
	if (fd == STDIN_FILENO || fd == STDOUT_FILENO) {
		if (end_stdio_flags[fd] != -1)
			(void)fcntl(fd, F_SETFL, end_stdio_flags[fd]);
		end_stdio_flags[fd] = -1;
	}
	close(fd);
}

static ssize_t
any_read(struct end *e, void *buf, size_t len)
{
	ssize_t n = read(e->rfd, buf, len);

	return n == -1 ? -errno : n;
}

static ssize_t
any_write(struct end *e, const void *buf, size_t len)
{
	ssize_t n = write(e->wfd, buf, len);

	return n == -1 ? -errno : n;
}

static ssize_t
any_splice_in(struct end *e, int pipe_w, size_t len)
{
	return sys_splice_in(e->rfd, pipe_w, len);
}

static ssize_t
any_splice_out(struct end *e, int pipe_r, size_t len)
{
	return sys_splice_out(pipe_r, e->wfd, len);
}

static int
sock_shut_write(struct end *e)
{
	return shutdown(e->wfd, SHUT_WR) == -1 ? -errno : 0;
}

static void
sock_abort(struct end *e)
{
	sys_abort_close(e->rfd);
	e->rfd = e->wfd = -1;
}

static void
sock_close(struct end *e)
{
	close(e->rfd);
	e->rfd = e->wfd = -1;
}

const struct end_ops end_socket_ops = {
	.kind = "socket",
	.read = any_read,
	.write = any_write,
	.splice_in = any_splice_in,
	.splice_out = any_splice_out,
	.shut_write = sock_shut_write,
	.abort = sock_abort,
	.close = sock_close,
};

/*
 * A pipe cannot be half-closed, so passing EOF on closes the write fd.
 * stdin and stdout may still be one socket (inetd style): then shutdown
 * works and both fds stay open.
 */
static int
fd_shut_write(struct end *e)
{
	if (e->wfd == -1)
		return 0;
	if (shutdown(e->wfd, SHUT_WR) == 0)
		return 0;
	if (errno != ENOTSOCK)
		return -errno;
	if (e->wfd != e->rfd) {
		fd_close(e->wfd);
		e->wfd = -1;
	}
	return 0;
}

static void
fd_close_both(struct end *e)
{
	if (e->rfd != -1)
		fd_close(e->rfd);
	if (e->wfd != -1 && e->wfd != e->rfd)
		fd_close(e->wfd);
	e->rfd = e->wfd = -1;
}

const struct end_ops end_fd_ops = {
	.kind = "fd",
	.read = any_read,
	.write = any_write,
	.splice_in = any_splice_in,
	.splice_out = any_splice_out,
	.shut_write = fd_shut_write,
	/* A pipe has no way to say "cut off": closing is all there is. */
	.abort = fd_close_both,
	.close = fd_close_both,
};

void
end_socket(struct end *e, int fd)
{
	e->ops = &end_socket_ops;
	e->rfd = e->wfd = fd;
}

void
end_fd(struct end *e, int rfd, int wfd)
{
	e->ops = &end_fd_ops;
	e->rfd = rfd;
	e->wfd = wfd;
}

void
end_none(struct end *e)
{
	e->ops = NULL;
	e->rfd = e->wfd = -1;
}

int
end_can_splice(const struct end *e)
{
	return e->ops != NULL && e->ops->splice_in != NULL &&
	    e->ops->splice_out != NULL;
}

int
end_shut_write(struct end *e)
{
	return e->ops != NULL ? e->ops->shut_write(e) : 0;
}

void
end_abort(struct end *e)
{
	if (e->ops != NULL)
		e->ops->abort(e);
	end_none(e);
}

void
end_close(struct end *e)
{
	if (e->ops != NULL)
		e->ops->close(e);
	end_none(e);
}

void
end_stdio_prepare(void)
{
	for (int fd = 0; fd < 2; fd++) {
		end_stdio_flags[fd] = fcntl(fd, F_GETFL);
		if (end_stdio_flags[fd] != -1)
			(void)fcntl(fd, F_SETFL, end_stdio_flags[fd] | O_NONBLOCK);
	}
}
