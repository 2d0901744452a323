/*
 * spawn: start a program with the fds it should have and nothing else,
 * and learn whether the exec worked. Used for exec: targets (dial.c) and
 * for the servers and relays bench measures (benchenv.c).
 */
#ifndef SB_SPAWN_H
#define SB_SPAWN_H

#include <sys/types.h>

/* At most this many fds passed as 3, 4, ... */
#define SPAWN_FDS_MAX	16

struct spawn {
	char *const	*argv;		/* argv[0] without '/': found on PATH */
	int		 stdio_fd;	/* stdin and stdout; -1: /dev/null */
	int		 quiet;		/* stderr to /dev/null, else ours */
	const int	*fds;		/* become fds 3, 4, ... in order */
	int		 nfds;
	int		 die_with_us;	/* SIGTERM when we exit, where the
					 * system can say so (Linux) */
};

/*
 * Start s->argv in a child. The child gets the fds s names and no other of
 * ours (ours are close-on-exec), an empty signal mask and every signal at
 * its default, so a SIGPIPE we ignore is not ignored there. Returns 0 with
 * the child in *pid, or -errno: from setting up the fds, from fork, or
 * from the exec itself (-ENOENT for a missing program; the child is then
 * reaped). -EINVAL if nfds is past SPAWN_FDS_MAX.
 */
int	spawn_start(const struct spawn *s, pid_t *pid);

#endif
