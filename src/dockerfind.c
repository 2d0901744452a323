/*
 * dockerfind: see dockerfind.h.
 *
 * The Docker Engine API is asked over its unix socket with HTTP/1.0, so
 * the answer is never chunked and ends when the daemon closes. Two
 * calls: GET /containers/json (names, published ports) and, per
 * container, GET /containers/ID/json (State.Pid, the container's init
 * process as the host sees it). A socket inside the container is found in
 * that process's network namespace's socket table, /proc/PID/net/unix,
 * with the path it was bound to, and checked at /proc/PID/root/PATH.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dockerfind.h"
#include "jscan.h"
#include "net.h"
#include "probe.h"
#include "sockinfo.h"
#include "sys.h"

#define API_MAX		(1 << 20)	/* the most of an answer read */
#define API_MS		3000
#define CONTAINERS_MAX	64

static void	df_add(struct diag *, enum diag_mark, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
df_add(struct diag *d, enum diag_mark mark, const char *fmt, ...)
{
	struct diag_check *c;
	va_list ap;

	if (d->n == DIAG_MAX)
		return;
	c = &d->c[d->n++];
	c->mark = mark;
	snprintf(c->topic, sizeof(c->topic), "container");
	va_start(ap, fmt);
	vsnprintf(c->text, sizeof(c->text), fmt, ap);
	va_end(ap);
}

/* The Docker API socket: DOCKER_HOST=unix://..., else the usual places.
 * Returns 0 with the path in buf, or -1. */
static int
api_path(char *buf, size_t len)
{
	const char *h = getenv("DOCKER_HOST"), *home = getenv("HOME");
	struct stat st;

	if (h != NULL && strncmp(h, "unix://", 7) == 0) {
		snprintf(buf, len, "%s", h + 7);
		return 0;
	}
	if (h != NULL && h[0] != '\0')
		return -1;	/* tcp://, ssh://: not looked at */
	snprintf(buf, len, "/var/run/docker.sock");
	if (stat(buf, &st) == 0 && S_ISSOCK(st.st_mode))
		return 0;
	if (home != NULL) {
		snprintf(buf, len, "%s/.docker/run/docker.sock", home);
		if (stat(buf, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
	}
	return -1;
}

/*
 * GET path from the API at sock; the body into a malloc'd *body (the
 * caller frees) of *blen bytes. Returns the HTTP status, or -errno.
 */
static int
api_get(const char *sock, const char *path, char **body, size_t *blen)
{
	char req[512];
	struct net_sa sa;
	struct pollfd pfd;
	char *buf;
	size_t len = 0, off;
	ssize_t n;
	int fd, status, e;

	*body = NULL;
	*blen = 0;
	if (net_unix_sa(&sa, sock, 0) != 0)
		return -ENAMETOOLONG;
	if ((fd = sys_socket_cloexec(AF_UNIX, SOCK_STREAM)) < 0)
		return fd;
	if (connect(fd, (struct sockaddr *)&sa.ss, sa.len) == -1) {
		e = errno;
		close(fd);
		return -e;
	}
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: docker\r\n"
	    "User-Agent: sockbridge-doctor\r\n\r\n", path);
	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n ||
	    (buf = malloc(API_MAX)) == NULL) {
		close(fd);
		return -EIO;
	}
	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (len == API_MAX || poll(&pfd, 1, API_MS) != 1)
			break;
		if ((n = read(fd, buf + len, API_MAX - len)) <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (probe_http_head((unsigned char *)buf, len, &status, &off) !=
	    PROBE_MATCH) {
		free(buf);
		return -EPROTO;
	}
	memmove(buf, buf + off, len - off);
	*body = buf;
	*blen = len - off;
	return status;
}

/* A listening socket in the container whose file name is base. */
struct inner_find {
	const char	*base;
	char		 path[128];
};

static int
inner_match(const struct sockinfo_entry *e, void *arg)
{
	struct inner_find *f = arg;
	const char *b = strrchr(e->path, '/');

	if ((e->flags & SOCKINFO_LISTENING) && b != NULL &&
	    strcmp(b + 1, f->base) == 0) {
		snprintf(f->path, sizeof(f->path), "%s", e->path);
		return 1;
	}
	return 0;
}

/* Container id's init pid (State.Pid), or 0. */
static long long
container_pid(const char *sock, const char *id)
{
	char path[200];
	size_t len, st, pv;
	long long pid = 0;
	char *body;

	snprintf(path, sizeof(path), "/containers/%s/json", id);
	if (api_get(sock, path, &body, &len) != 200)
		return 0;
	if (jscan_member(body, len, 0, "State", &st) != 1 ||
	    jscan_member(body, len, st, "Pid", &pv) != 1 ||
	    jscan_int(body, len, pv, &pid) == -1)
		pid = 0;
	free(body);
	return pid;
}

int
dockerfind_check(const char *path, unsigned int port, struct diag *d)
{
	char sock[PATH_MAX], id[80], name[128], inner[4300];
	const char *base = strrchr(path, '/');
	size_t len, it, el, v, pit, pel;
	int status, found = 0, rc;
	char *body;

	base = base ? base + 1 : path;
	if (api_path(sock, sizeof(sock)) == -1)
		return 0;
	status = api_get(sock, "/containers/json", &body, &len);
	if (status != 200) {
		df_add(d, DIAG_NOTE, "the Docker API at %s did not list "
		    "containers (%s%d%s): containers not looked at", sock,
		    status < 0 ? "" : "HTTP ", status < 0 ? -status : status,
		    status < 0 ? ", an errno" : "");
		free(body);
		return 0;
	}
	it = 0;
	while (it < len && body[it] != '[')
		it++;
	for (int k = 0; k < CONTAINERS_MAX && found == 0 &&
	    (rc = jscan_next(body, len, &it, NULL, &el)) == 1; k++) {
		struct inner_find f = { base, "" };
		char file[300], rootp[4400];
		long long pid, priv = 0, pub = 0;
		struct stat st;

		if (jscan_member(body, len, el, "Id", &v) != 1 ||
		    jscan_str(body, len, v, id, sizeof(id)) == -1 || !id[0] ||
		    strspn(id, "0123456789abcdef") != strlen(id))
			continue;
		name[0] = '\0';
		if (jscan_member(body, len, el, "Names", &v) == 1 &&
		    body[v] == '[' && jscan_next(body, len, &v, NULL, &pel) == 1)
			jscan_str(body, len, pel, name, sizeof(name));
		if (name[0] == '/')
			memmove(name, name + 1, strlen(name));
		if (name[0] == '\0')
			snprintf(name, sizeof(name), "%.12s", id);
		/* A published port first: a plain tcp relay. */
		if (port > 0 && jscan_member(body, len, el, "Ports", &pit) == 1 &&
		    body[pit] == '[') {
			while (jscan_next(body, len, &pit, NULL, &pel) == 1) {
				if (jscan_member(body, len, pel, "PrivatePort",
				    &v) != 1 || jscan_int(body, len, v, &priv)
				    || priv != (long long)port ||
				    jscan_member(body, len, pel, "PublicPort",
				    &v) != 1 || jscan_int(body, len, v, &pub) ||
				    pub <= 0 || pub > 65535)
					continue;
				df_add(d, DIAG_OK, "container %s publishes port "
				    "%u on host port %lld", name, port, pub);
				snprintf(d->verdict, sizeof(d->verdict), "%s is "
				    "not on this host, but container %s "
				    "publishes port %u on host port %lld. Give "
				    "clients the socket file with `sockbridge "
				    "relay unix:%s tcp:127.0.0.1:%lld`, or "
				    "connect them over tcp to 127.0.0.1:%lld.",
				    path, name, port, pub, path, pub, pub);
				found = 1;
				break;
			}
			if (found)
				break;
		}
		if ((pid = container_pid(sock, id)) <= 0)
			continue;
		snprintf(file, sizeof(file), "/proc/%lld/net/unix", pid);
		if (sockinfo_scan_file(file, inner_match, &f) != 0 ||
		    f.path[0] == '\0') {
			/* Not listening by that name: maybe at the same
			 * path, seen through the container's root. */
			snprintf(rootp, sizeof(rootp), "/proc/%lld/root%s", pid,
			    path);
			if (path[0] != '/' || stat(rootp, &st) == -1 ||
			    !S_ISSOCK(st.st_mode))
				continue;
			snprintf(f.path, sizeof(f.path), "%s", path);
		}
		snprintf(inner, sizeof(inner), "%s", f.path);
		df_add(d, DIAG_OK, "container %s (pid %lld on this host) "
		    "listens on %s inside: the socket exists only in the "
		    "container", name, pid, inner);
		snprintf(d->verdict, sizeof(d->verdict), "%s is not on this "
		    "host, but container %s listens on %s inside it, with no "
		    "published port. Carry it across with one docker exec for "
		    "all connections: `sockbridge relay unix:%s 'tunnel:docker "
		    "exec -i %s sockbridge tunnel unix:%s'` (the container "
		    "needs the sockbridge binary), or from the host through "
		    "the container's root as root: `sockbridge relay unix:%s "
		    "unix:/proc/%lld/root%s`.", path, name, inner, path, name,
		    inner, path, pid, inner);
		found = 1;
	}
	if (!found)
		df_add(d, DIAG_NOTE, "no running container (of those Docker at "
		    "%s lists) listens on a socket named %s%s", sock, base,
		    port ? " or publishes its port" : "");
	free(body);
	return found;
}
