/*
 * diag_int: what diag.c (the checks along a connect(): path, directories,
 * file, listener, the connect itself; the run) and diag_elsewhere.c
 * (where else the server might be: another mount namespace, other
 * directories, loopback tcp, a shared filesystem, sibling PostgreSQL
 * sockets) share, and svccheck.c, which adds its checks to the same
 * report and dials the same way. Private to those three: diag.h is the
 * API.
 */
#ifndef SB_DIAG_INT_H
#define SB_DIAG_INT_H

#include <sys/types.h>
#include <sys/socket.h>

#include "diag.h"
#include "verdict.h"

/* diag.c */
/* Add a check to d: mark, topic, and text from fmt (dropped when d is
 * full). */
void	diag_add(struct diag *d, enum diag_mark mark, const char *topic,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Describe the process listening at name ("/path" or "@name") into
 * owner. Returns 1 if something listens. */
int	diag_listener_of(const char *name, char *owner, size_t len);
/* connect() to sa within ms; the connected socket goes to *fdp.
 * Returns 0 or an errno. svccheck.c dials with it too. */
int	diag_try_connect(const struct sockaddr *sa, socklen_t len, int ms,
	    int *fdp);

/* diag_elsewhere.c */
/* pid (comm) listens on path in another mount namespace: learn where it
 * lives and say so. */
void	diag_ns_found(const char *path, pid_t pid, const char *comm,
	    struct diag *d, struct verdict_facts *f);
/* Does pid live in another mount namespace than ours? 1 yes, 0 no, -1
 * cannot tell. */
int	diag_ns_other(pid_t pid);
/* The command name from an owner text "pid 12, postgres, user x". */
void	diag_owner_comm(const char *owner, char *comm, size_t len);
/* A listener bound at path in another mount namespace (a container). */
void	diag_check_namespaces(const char *path, struct diag *d,
	    struct verdict_facts *f);
/* Sockets with path's name in the usual places, and anywhere a process
 * listens on one. */
void	diag_check_alternatives(const char *path, struct diag *d,
	    struct verdict_facts *f);
/* A tcp server on loopback at port: does it answer, is it PostgreSQL
 * (pg)? */
void	diag_check_tcp_port(unsigned int port, int pg, struct diag *d,
	    struct verdict_facts *f);
/* Is path on a filesystem that may be shared from another kernel? */
void	diag_check_fs(const char *path, struct diag *d,
	    struct verdict_facts *f);
/* The other sockets in the directory of PostgreSQL socket t->path. */
void	diag_check_siblings(const struct diag_target *t, struct diag *d,
	    struct verdict_facts *f);

#endif
