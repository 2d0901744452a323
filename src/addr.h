/*
 * addr: parse relay addresses, native ("unix:/run/app.sock,mode=0660",
 * "tcp:127.0.0.1:5432") and socat style ("UNIX-LISTEN:/tmp/x,fork").
 *
 * Pure: no I/O, no allocation, no logging.  Names (user=, group=) are kept
 * as text; the listener resolves them.
 */
#ifndef SB_ADDR_H
#define SB_ADDR_H

#include <stddef.h>

#include "cidr.h"
#include "num.h"

#define ADDR_PATH_MAX	108	/* sizeof(((struct sockaddr_un *)0)->sun_path) */
#define ADDR_HOST_MAX	256
#define ADDR_NAME_MAX	64
#define ADDR_CMD_MAX	4096
#define ADDR_ERR_MAX	256
#define ADDR_ACL_MAX	16	/* allow-... entries per address */

enum addr_kind {
	ADDR_NONE = 0,
	ADDR_UNIX,		/* socket file */
	ADDR_ABSTRACT,		/* Linux abstract namespace, "unix:@name" */
	ADDR_TCP,
	ADDR_STDIO,		/* "-", "stdio" */
	ADDR_EXEC,		/* "exec:CMD", run through /bin/sh -c */
	ADDR_FD,		/* "fd:N", an inherited socket */
	ADDR_SYSTEMD,		/* "systemd[:NAME]", LISTEN_FDS */
	ADDR_TUNNEL,		/* "tunnel:CMD": streams over one carrier */
};

/* Which end the address may be used as. Native forms say ADDR_ROLE_ANY and
 * take the role from their position; socat keywords fix it. */
enum addr_role {
	ADDR_ROLE_ANY = 0,
	ADDR_ROLE_LISTEN,
	ADDR_ROLE_CONNECT,
};

/* Options given as ",key=value" after the address. -1 (or "") is unset. */
struct addr_opts {
	int		 mode;		/* mode=, perm=: socket file mode */
	char		 user[ADDR_NAME_MAX];	/* user=, owner= */
	char		 group[ADDR_NAME_MAX];	/* group= */
	int		 backlog;	/* backlog= */
	int		 reuseaddr;	/* reuseaddr[=0|1] */
	int		 unlink_early;	/* unlink-early: replace a stale file */
	int		 unlink_close;	/* unlink-close[=0]: remove on exit */
	int		 connect_timeout_ms;	/* connect-timeout= (seconds) */
	int		 idle_timeout_ms;	/* idle-timeout= (seconds) */
	int		 max_conns;	/* max-conns=, max-children= */
	char		 bind[ADDR_HOST_MAX];	/* bind=: local address */
	int		 max_fails;	/* max-fails=: failures before down */
	int		 fail_timeout_ms;	/* fail-timeout=: down for */
	int		 backup;	/* backup: only while the others are down */
	/* Who may connect (listen side); names resolved by the listener. */
	char		 allow_user[ADDR_ACL_MAX][ADDR_NAME_MAX];
	int		 nallow_user;	/* allow-uid=, allow-user= */
	char		 allow_group[ADDR_ACL_MAX][ADDR_NAME_MAX];
	int		 nallow_group;	/* allow-gid=, allow-group= */
	struct cidr	 allow_net[ADDR_ACL_MAX];
	int		 nallow_net;	/* allow=CIDR */
	int		 accept_proxy;	/* accept-proxy: read a PROXY header */
	int		 send_proxy;	/* send-proxy (1), send-proxy-v2 (2) */
};

struct addr {
	enum addr_kind	 kind;
	enum addr_role	 role;
	int		 family;	/* AF_UNSPEC, AF_INET, AF_INET6 (tcp) */
	int		 socat;		/* written in socat syntax */
	int		 host_given;	/* tcp: a host was written */
	char		 path[ADDR_PATH_MAX];	/* unix: path; abstract: name */
	size_t		 path_len;	/* abstract names may hold NULs */
	char		 host[ADDR_HOST_MAX];	/* tcp host, without brackets */
	unsigned int	 port;		/* tcp port, 0 picks one */
	char		 cmd[ADDR_CMD_MAX];	/* exec command */
	int		 fd;		/* fd:N */
	char		 name[ADDR_NAME_MAX];	/* systemd:NAME */
	struct addr_opts opt;
};

/*
 * Parse text into a. Returns 0, or -1 with a message in err ("unknown
 * option 'pty'", "port 70000 out of range") that the caller prefixes with
 * the address. a is always initialised.
 */
int	addr_parse(struct addr *a, const char *text, char *err, size_t errlen);

/* Check that a fits the role (listen or connect); -1 with err if not. */
int	addr_check_role(const struct addr *a, enum addr_role role,
	    char *err, size_t errlen);

/* Canonical text for logs ("unix:/tmp/x", "tcp:[::1]:80"). Returns buf. */
const char *addr_str(const struct addr *a, char *buf, size_t len);

/* Parse an octal file mode, "0660" or "2770", up to 07777, as mode=
 * takes it. Returns 0, or -1 (leaving *mode alone). */
int	addr_parse_mode(const char *s, int *mode);

/*
 * Parse a host with an optional port into a tcp address, as bind= takes
 * it: "HOST", "HOST:PORT", "1.2.3.4", "[::1]", "[::1]:PORT" or a bare
 * "::1". No port means port 0. Returns 0, or -1 with err; a is always
 * initialised.
 */
int	addr_parse_hostport(struct addr *a, const char *s, char *err,
	    size_t errlen);

/* An address with every option unset. */
void	addr_init(struct addr *a);

#endif
