/*
 * daemon: process chores of a long-running relay: a pid file, dropping
 * root after the sockets are bound.
 */
#ifndef SB_DAEMON_H
#define SB_DAEMON_H

#include <stddef.h>

/* Write our pid to path. Returns 0, or -1 with err. */
int	daemon_pidfile(const char *path, char *err, size_t errlen);

/* Become user ("name", "name:group", or numbers): supplementary groups,
 * group, then user, and check root cannot be regained. Returns 0, or -1
 * with err. */
int	daemon_drop(const char *user, char *err, size_t errlen);

#endif
