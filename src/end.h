/*
 * end: one end of a relayed connection, seen through a small table of
 * operations (HAProxy's xprt_ops is the model): read, write, splice in and
 * out where the end can splice, shut for writing, abort, close. The pump
 * and the connection work on ends, never on raw fds, so another kind of
 * end (a tunnel stream with credit instead of an fd) is a new table, not
 * a special case.
 *
 * Two kinds today:
 *   socket (TCP, unix, the socketpair of an exec target): shut-write is
 *   shutdown(SHUT_WR); abort is SO_LINGER {1, 0} then close, which sends
 *   a TCP peer an RST. Linux's unix stream sockets have no RST: closing
 *   with bytes still unread in our receive queue makes the peer's next
 *   read or write fail with ECONNRESET, and that is the strongest signal
 *   there is, so an abort never reads what is queued. A unix peer whose
 *   bytes were all read sees end of file; nothing stronger exists.
 *   fd (stdin and stdout, pipes, ttys, /dev/null): shut-write closes the
 *   write fd unless it is a socket; abort closes both fds.
 */
#ifndef SB_END_H
#define SB_END_H

#include <sys/types.h>

#include <stddef.h>

struct end;

struct end_ops {
	const char	*kind;		/* "socket", "fd": for logs */
	/* Bytes read into buf, 0 at end of file, or -errno. */
	ssize_t		(*read)(struct end *, void *buf, size_t len);
	/* Bytes written from buf, or -errno. */
	ssize_t		(*write)(struct end *, const void *buf, size_t len);
	/* Splice up to len bytes from the end into the pipe's write side,
	 * or from the pipe's read side to the end: bytes moved, 0 at end
	 * of file (in), or -errno, -EINVAL when this fd cannot splice.
	 * NULL where the kind of end can never splice. */
	ssize_t		(*splice_in)(struct end *, int pipe_w, size_t len);
	ssize_t		(*splice_out)(struct end *, int pipe_r, size_t len);
	/* Pass on end of stream: the peer reads EOF. Returns 0 or -errno. */
	int		(*shut_write)(struct end *);
	/* Tell the peer the stream was cut off, then close. */
	void		(*abort)(struct end *);
	/* Close; pending bytes still go out (the peer then reads EOF). */
	void		(*close)(struct end *);
};

struct end {
	const struct end_ops *ops;	/* NULL: no end (closed, not yet) */
	int		 rfd;		/* for the poller; -1 when none */
	int		 wfd;		/* == rfd for sockets */
};

extern const struct end_ops end_socket_ops;
extern const struct end_ops end_fd_ops;

/* Make e a socket end on fd (owned from now on). */
void	end_socket(struct end *e, int fd);
/* Make e an fd end reading rfd and writing wfd (owned from now on; one of
 * them may be -1). */
void	end_fd(struct end *e, int rfd, int wfd);
/* An empty end: no fds, no operations. */
void	end_none(struct end *e);

/* Does e splice (has the operations; a given fd may still refuse)? */
int	end_can_splice(const struct end *e);

/* NULL-safe wrappers: each does nothing on an empty end and leaves it
 * empty after abort or close. */
int	end_shut_write(struct end *e);
void	end_abort(struct end *e);
void	end_close(struct end *e);

/* Make stdin and stdout nonblocking for the loop; their old flags are put
 * back when an fd end closes them (the terminal or pipe is shared). */
void	end_stdio_prepare(void);

#endif
