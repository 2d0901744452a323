/*
 * dockerfind: when a socket file is missing on the host, look across the
 * container boundary: ask the Docker Engine API (over its unix socket)
 * for the running containers, and find one that listens on a socket of
 * that name inside (through its init process: /proc/PID/net/unix and
 * /proc/PID/root) or publishes the port. Adds checks to the diag and
 * puts the concrete command in the verdict: the tunnel line, or the tcp
 * relay line for a published port. Never prints.
 */
#ifndef SB_DOCKERFIND_H
#define SB_DOCKERFIND_H

#include "diag.h"

/* Look for path's socket (or port, 0: none) in the running containers;
 * update d. Returns 1 if a container was found, 0 if not (or Docker is
 * not there), -errno on an error the checks describe. */
int	dockerfind_check(const char *path, unsigned int port, struct diag *d);

#endif
