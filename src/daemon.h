/*
 * daemon: process chores of a long-running relay: a pid file, dropping
 * root after the sockets are bound.
 */
#ifndef SB_DAEMON_H
#define SB_DAEMON_H

#include <stddef.h>

/*
 * Write our pid to path, safely in any directory: the file is written
 * under a fresh private name and renamed into place, so no one ever reads
 * half a pid, and nothing already at path is opened: a symlink is never
 * followed, a FIFO never blocks us, another user's file is never adopted.
 * A symlink, a non-regular file or another user's file at path is
 * refused; an old pid file of ours is replaced. Remembers the file for
 * daemon_pidfile_remove (one pid file per process). Returns 0, or -1
 * with err.
 */
int	daemon_pidfile(const char *path, char *err, size_t errlen);

/*
 * Remove the pid file at path if it is still the one this process wrote:
 * the same file (device, inode, change time), ours, holding our pid. A process
 * that never wrote it (a second start that failed) leaves it alone, and
 * so does one whose file someone replaced. Returns 1 if removed, 0 if it
 * was not ours to remove (or already gone), or -errno if unlink failed;
 * errno is then left as unlink set it.
 */
int	daemon_pidfile_remove(const char *path);

/* Become user ("name", "name:group", or numbers): supplementary groups,
 * group, then user, and check root cannot be regained. Returns 0, or -1
 * with err. */
int	daemon_drop(const char *user, char *err, size_t errlen);

#endif
