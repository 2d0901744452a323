/*
 * cmd-relay-socat: socat's command line for "sockbridge relay" and
 * "sockbridge LISTEN TARGET" (see cmd-relay-socat.h, socatopt.h): what
 * cmd-relay.c calls before and after parsing the addresses.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cmd-relay-socat.h"
#include "conn.h"
#include "log.h"
#include "opt.h"
#include "relay.h"
#include "socatopt.h"


/*
 * Take socat's global options (see socatopt.h) out of argv[1..*argc),
 * from the front up to the first address, into so; relay's own options
 * there (opts) stay, with their values. bare: there was no word "relay",
 * so every one-dash option there is socat's. Compacts argv and updates
 * *argc. Returns 0 or -1 (logged).
 */
int
socat_take_all(const struct opt_entry *opts, int bare, int *argc,
    char **argv, struct socatopt *so)
{
	char err[512];
	int i = 1, out = 1, n;

	while (i < *argc) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0 || a[0] != '-' || a[1] == '\0')
			break;
		n = socatopt_take(so, bare ? 0 : SOCATOPT_RELAY, a,
		    i + 1 < *argc ? argv[i + 1] : NULL, err, sizeof(err));
		if (n == -1)
			return log_fail("%s", err);
		if (n > 0) {
			i += n;
			continue;
		}
		n = opt_wants_next(opts, 0, a) && i + 1 < *argc ? 2 : 1;
		while (n-- > 0)
			argv[out++] = argv[i++];
	}
	while (i < *argc)
		argv[out++] = argv[i++];
	*argc = out;
	return 0;
}


/*
 * Apply socat's options (so) that come before address parsing: idle
 * timeout (into *idle_ms, the --idle-timeout flag, -1 when not given),
 * buffer size, direction. Returns 0 or -1 (logged).
 */
int
socat_apply(const struct socatopt *so, int *idle_ms, struct relay_cfg *cfg)
{
	if (so->idle_ms != -1) {
		if (*idle_ms != -1 && *idle_ms != so->idle_ms)
			return log_fail("-T (socat's idle timeout) and "
			    "--idle-timeout disagree");
		*idle_ms = so->idle_ms;
	}
	if (so->bufsize != 0) {
		if (cfg->pipe_size != 0 && cfg->pipe_size != so->bufsize)
			return log_fail("-b (socat's buffer size) and "
			    "--pipe-size disagree");
		cfg->pipe_size = so->bufsize;
	}
	cfg->oneway = so->dir == SOCATOPT_LEFT_TO_RIGHT ? CONN_ONEWAY_DOWN_UP :
	    so->dir == SOCATOPT_RIGHT_TO_LEFT ? CONN_ONEWAY_UP_DOWN :
	    CONN_ONEWAY_NONE;
	return 0;
}


/*
 * socat's -4 / -6 on tcp address a (text: as typed): host names resolve
 * in that family only, a literal of the other family is refused, and
 * socat's TCP-LISTEN:PORT listens on every address of the family. Returns
 * 0 or -1 (logged).
 */
int
socat_family(struct addr *a, const char *text, int family)
{
	int v6_literal = strchr(a->host, ':') != NULL;
	int v4_literal = a->host[0] != '\0' && !v6_literal &&
	    strspn(a->host, "0123456789.") == strlen(a->host);

	if (a->kind != ADDR_TCP || family == AF_UNSPEC)
		return 0;
	if (a->family != AF_UNSPEC) {
		if (a->family != family)
			return log_fail("%s: an IPv%d address type, but -%d "
			    "asks for IPv%d", text, a->family == AF_INET ? 4 : 6,
			    family == AF_INET ? 4 : 6, family == AF_INET ? 4 :
			    6);
		return 0;
	}
	if (a->socat && a->role == ADDR_ROLE_LISTEN &&
	    strcmp(a->host, "0.0.0.0") == 0 && strstr(text, "bind=") == NULL) {
		if (family == AF_INET6)
			snprintf(a->host, sizeof(a->host), "::");
		v4_literal = 0;
	}
	if ((family == AF_INET && v6_literal) ||
	    (family == AF_INET6 && v4_literal))
		return log_fail("%s: '%s' is an IPv%d address, but -%d asks "
		    "for IPv%d", text, a->host, v6_literal ? 6 : 4,
		    family == AF_INET ? 4 : 6, family == AF_INET ? 4 : 6);
	if (a->host[0] == '\0' && family == AF_INET6)
		snprintf(a->host, sizeof(a->host), "::1");
	a->family = family;
	return 0;
}


/*
 * socat's -lf FILE: the log goes to FILE (appended to, created 0644)
 * from now on, in place of stderr. Returns 0 or -1 (logged).
 */
int
socat_log_to_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY |
	    O_CLOEXEC, 0644);

	if (fd == -1)
		return log_fail("-lf %s: %s", path, strerror(errno));
	if (dup2(fd, STDERR_FILENO) == -1) {
		int e = errno;

		close(fd);
		return log_fail("-lf %s: %s", path, strerror(e));
	}
	close(fd);
	log_init(NULL, log_level);
	return 0;
}
