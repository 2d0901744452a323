/*
 * benchenv: see benchenv.h.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__has_include)
#if __has_include(<mach-o/dyld.h>)
#include <mach-o/dyld.h>	/* _NSGetExecutablePath (macOS) */
#define BENCHENV_HAVE_NSGETEXEC	1
#endif
#endif

#include "benchenv.h"
#include "errbuf.h"
#include "spawn.h"
#include "sys.h"
#include "util.h"

/* Socket address of the file name in e's temp dir. Returns 0 or -errno. */
static int
dir_sa(const struct benchenv *e, const char *name, struct net_sa *sa)
{
	char path[128];

	if (snprintf(path, sizeof(path), "%s/%s", e->dir, name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	return net_unix_sa(sa, path, 0);
}

/* Bind a listening socket at sa (port 0: any); fill sa with the result.
 * Returns the fd (close-on-exec, blocking) or -errno. */
static int
bind_listener(struct net_sa *sa)
{
	int fd, e;

	fd = sys_socket_cloexec(sa->ss.ss_family, SOCK_STREAM);
	if (fd < 0)
		return fd;
	if (bind(fd, (struct sockaddr *)&sa->ss, sa->len) == -1 ||
	    listen(fd, 4096) == -1) {
		e = errno;
		close(fd);
		return -e;
	}
	sa->len = sizeof(sa->ss);
	getsockname(fd, (struct sockaddr *)&sa->ss, &sa->len);
	return fd;
}

/*
 * Start argv with fds[0..nfds) as its fds 3, 4, ...; the child dies with
 * us (where the system can say so) and is cleaned up with e. quiet: its
 * stderr to /dev/null. Returns the pid, or -errno.
 */
static pid_t
env_spawn(struct benchenv *e, char *const argv[], const int *fds, int nfds,
    int quiet)
{
	struct spawn sp;
	pid_t pid;
	int rc;

	if (e->npids == (int)(sizeof(e->pids) / sizeof(e->pids[0])))
		return -EMFILE;
	memset(&sp, 0, sizeof(sp));
	sp.argv = argv;
	sp.stdio_fd = -1;
	sp.quiet = quiet;
	sp.fds = fds;
	sp.nfds = nfds;
	sp.die_with_us = 1;
	if ((rc = spawn_start(&sp, &pid)) != 0)
		return rc;
	e->pids[e->npids++] = pid;
	return pid;
}

/* Wait until something accepts at sa, up to 5 s. Returns 0 or -1. */
static int
wait_ready(const struct net_sa *sa, pid_t pid)
{
	for (int i = 0; i < 500; i++) {
		int fd = sys_socket_cloexec(sa->ss.ss_family, SOCK_STREAM);
		struct timespec ts = { 0, 10000000 };
		int st;

		if (fd >= 0 && connect(fd, (const struct sockaddr *)&sa->ss,
		    sa->len) == 0) {
			close(fd);
			return 0;
		}
		if (fd >= 0)
			close(fd);
		if (waitpid(pid, &st, WNOHANG) == pid)
			return -1;
		nanosleep(&ts, NULL);
	}
	return -1;
}

void
benchenv_cleanup(struct benchenv *e)
{
	char path[128];

	for (int i = 0; i < e->npids; i++)
		kill(e->pids[i], SIGTERM);
	for (int i = 0; i < e->npids; i++)
		waitpid(e->pids[i], NULL, 0);
	e->npids = 0;
	if (e->dir[0] != '\0') {
		static const char *const files[] = { "echo.sock", "relay.sock",
		    "socat.sock", "haproxy.sock", "haproxy.cfg", "proxyd.sock",
		    "nginx.sock", "nginx.conf", "nginx.pid", "nginx-error.log" };

		for (size_t i = 0; i < nitems(files); i++) {
			snprintf(path, sizeof(path), "%s/%s", e->dir, files[i]);
			unlink(path);
		}
		rmdir(e->dir);
		e->dir[0] = '\0';
	}
}

/* Our own binary, to start "sockbridge echo" and "sockbridge relay". */
static char *
self_exe(void)
{
	static char buf[4096];
#ifdef BENCHENV_HAVE_NSGETEXEC
	uint32_t size = sizeof(buf);
	ssize_t n = _NSGetExecutablePath(buf, &size) == 0 ?
	    (ssize_t)strlen(buf) : 0;
#else
	/* Linux; elsewhere readlink fails and PATH finds sockbridge. */
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
#endif

	if (n <= 0)
		snprintf(buf, sizeof(buf), "sockbridge");
	else
		buf[n] = '\0';
	return buf;
}

int
benchenv_servers(struct benchenv *e, int discard, char *err, size_t errlen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&e->tcp_sa.ss;
	char *argv[8];
	int tfd = -1, ufd = -1, n = 0, rc = 0;

	snprintf(e->dir, sizeof(e->dir), "/tmp/sockbridge-bench.XXXXXX");
	if (mkdtemp(e->dir) == NULL) {
		e->dir[0] = '\0';
		return errbuf_set(err, errlen, "temp dir: %s",
		    strerror(errno));
	}
	memset(&e->tcp_sa, 0, sizeof(e->tcp_sa));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	e->tcp_sa.len = sizeof(*sin);
	if ((rc = dir_sa(e, "echo.sock", &e->unix_sa)) != 0 ||
	    (tfd = bind_listener(&e->tcp_sa)) < 0 ||
	    (ufd = bind_listener(&e->unix_sa)) < 0) {
		rc = rc != 0 ? rc : tfd < 0 ? tfd : ufd;
		if (tfd >= 0)
			close(tfd);
		return errbuf_set(err, errlen, "listen for the echo server: %s",
		    strerror(-rc));
	}
	/* One echo process serves both: fd 3 (tcp) and fd 4 (unix). */
	argv[n++] = self_exe();
	argv[n++] = "echo";
	argv[n++] = "-q";
	if (discard)
		argv[n++] = "--discard";
	argv[n++] = "fd:3";
	argv[n++] = "fd:4";
	argv[n] = NULL;
	e->server_pid = env_spawn(e, argv, (int[]){ tfd, ufd }, 2, 0);
	close(tfd);
	close(ufd);
	if (e->server_pid < 0)
		return errbuf_set(err, errlen, "start echo server: %s",
		    strerror((int)-e->server_pid));
	return 0;
}

int
benchenv_relay(struct benchenv *e, struct benchenv_path *p, char *err,
    size_t errlen)
{
	char target[64], *argv[8];
	struct sockaddr_in *sin = (struct sockaddr_in *)&e->tcp_sa.ss;
	int fd;

	if ((fd = dir_sa(e, "relay.sock", &p->sa)) != 0 ||
	    (fd = bind_listener(&p->sa)) < 0)
		return errbuf_set(err, errlen, "listen for the relay: %s",
		    strerror(-fd));
	snprintf(target, sizeof(target), "tcp:127.0.0.1:%u",
	    ntohs(sin->sin_port));
	argv[0] = self_exe();
	argv[1] = "relay";
	argv[2] = "-q";
	argv[3] = "fd:3";
	argv[4] = target;
	argv[5] = NULL;
	p->relay_pid = env_spawn(e, argv, &fd, 1, 0);
	close(fd);
	snprintf(p->name, sizeof(p->name), "unix->relay->tcp");
	if (p->relay_pid < 0)
		return errbuf_set(err, errlen, "start relay: %s",
		    strerror((int)-p->relay_pid));
	return 0;
}

/* Is prog on PATH (or an absolute path that exists)? */
static int
have(const char *prog)
{
	char buf[4096], *dir, *save = NULL;
	const char *path = getenv("PATH");

	if (prog[0] == '/')
		return access(prog, X_OK) == 0;
	snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(buf, ":", &save); dir != NULL;
	    dir = strtok_r(NULL, ":", &save)) {
		char full[4200];

		snprintf(full, sizeof(full), "%s/%s", dir, prog);
		if (access(full, X_OK) == 0)
			return 1;
	}
	return 0;
}

/* Write text to a new file at path. Returns 0, or -1 with errno. */
static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

int
benchenv_peer(struct benchenv *e, const char *peer, struct benchenv_path *p,
    char *err, size_t errlen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&e->tcp_sa.ss;
	unsigned port = ntohs(sin->sin_port);
	char sock[128], a1[256], a2[256], cfg[128], text[2048];
	char *argv[12];
	int rc;
	static char proxyd[] = "/lib/systemd/systemd-socket-proxyd";

	snprintf(sock, sizeof(sock), "%s/%s.sock", e->dir,
	    strcmp(peer, "systemd-socket-proxyd") == 0 ? "proxyd" : peer);
	if ((rc = dir_sa(e, strrchr(sock, '/') + 1, &p->sa)) != 0)
		return errbuf_set(err, errlen, "%s: %s", sock, strerror(-rc));
	snprintf(p->name, sizeof(p->name), "unix->%s->tcp",
	    strcmp(peer, "systemd-socket-proxyd") == 0 ? "socket-proxyd" : peer);
	if (strcmp(peer, "socat") == 0) {
		if (!have("socat"))
			return 1;
		snprintf(a1, sizeof(a1), "UNIX-LISTEN:%s,fork,backlog=4096", sock);
		snprintf(a2, sizeof(a2), "TCP:127.0.0.1:%u", port);
		argv[0] = "socat"; argv[1] = a1; argv[2] = a2; argv[3] = NULL;
	} else if (strcmp(peer, "haproxy") == 0) {
		if (!have("haproxy"))
			return 1;
		snprintf(cfg, sizeof(cfg), "%s/haproxy.cfg", e->dir);
		/* haproxy wants two fds per connection: fit the limit. */
		struct rlimit rl;
		long maxconn = 20000;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_max != RLIM_INFINITY &&
		    (long)rl.rlim_max / 2 - 100 < maxconn)
			maxconn = (long)rl.rlim_max / 2 - 100;
		snprintf(text, sizeof(text),
		    "global\n  maxconn %ld\n"
		    "defaults\n  mode tcp\n  timeout connect 10s\n"
		    "  timeout client 1h\n  timeout server 1h\n"
		    "listen bench\n  bind unix@%s\n  server echo 127.0.0.1:%u\n",
		    maxconn, sock, port);
		if (write_file(cfg, text) == -1)
			return errbuf_set(err, errlen, "%s: %s", cfg,
			    strerror(errno));
		argv[0] = "haproxy"; argv[1] = "-db"; argv[2] = "-q";
		argv[3] = "-f"; argv[4] = cfg; argv[5] = NULL;
	} else if (strcmp(peer, "systemd-socket-proxyd") == 0) {
		if (!have("systemd-socket-activate") || !have(proxyd))
			return 1;
		snprintf(a1, sizeof(a1), "%s", sock);
		snprintf(a2, sizeof(a2), "127.0.0.1:%u", port);
		argv[0] = "systemd-socket-activate";
		argv[1] = "-l"; argv[2] = a1; argv[3] = proxyd;
		argv[4] = a2; argv[5] = NULL;
	} else if (strcmp(peer, "nginx") == 0) {
		const char *mod = "/usr/lib/nginx/modules/ngx_stream_module.so";

		if (!have("nginx") && !have("/usr/sbin/nginx"))
			return 1;
		snprintf(cfg, sizeof(cfg), "%s/nginx.conf", e->dir);
		snprintf(text, sizeof(text),
		    "%s%s%s"
		    "worker_processes 1;\npid %s/nginx.pid;\n"
		    "error_log %s/nginx-error.log;\n"
		    "events { worker_connections 20000; }\n"
		    "stream { server { listen unix:%s; "
		    "proxy_pass 127.0.0.1:%u; } }\n",
		    access(mod, R_OK) == 0 ? "load_module " : "",
		    access(mod, R_OK) == 0 ? mod : "",
		    access(mod, R_OK) == 0 ? ";\n" : "", e->dir, e->dir, sock,
		    port);
		if (write_file(cfg, text) == -1)
			return errbuf_set(err, errlen, "%s: %s", cfg,
			    strerror(errno));
		argv[0] = have("nginx") ? "nginx" : "/usr/sbin/nginx";
		argv[1] = "-c"; argv[2] = cfg; argv[3] = "-g";
		argv[4] = "daemon off;"; argv[5] = "-e";
		snprintf(a1, sizeof(a1), "%s/nginx-error.log", e->dir);
		argv[6] = a1; argv[7] = NULL;
	} else
		return errbuf_set(err, errlen, "unknown relay '%s' (socat, "
		    "haproxy, systemd-socket-proxyd, nginx)", peer);
	/* systemd-socket-activate narrates each step on stderr. */
	if ((p->relay_pid = env_spawn(e, argv, NULL, 0,
	    strcmp(peer, "systemd-socket-proxyd") == 0)) < 0)
		return errbuf_set(err, errlen, "start %s: %s", peer,
		    strerror((int)-p->relay_pid));
	if (wait_ready(&p->sa, p->relay_pid) == -1)
		return errbuf_set(err, errlen, "%s did not start listening "
		    "on %s", peer, sock);
	return 0;
}
