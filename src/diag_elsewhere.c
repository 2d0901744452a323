/*
 * diag_elsewhere: where else the server might be, once the checks along
 * the path (diag.c) are done: a listener bound at the path in another
 * mount namespace, sockets of the same name in the usual directories,
 * a server on loopback tcp, a filesystem shared from another kernel (the
 * other side of a VM boundary), and the other PostgreSQL sockets in the
 * same directory. Each adds checks to the diag and facts for the verdict.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#if defined(__has_include)
#if __has_include(<sys/statfs.h>)
#include <sys/statfs.h>	/* statfs f_type: Linux */
#define DIAG_HAVE_FTYPE	1
#endif
#endif

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "diag_int.h"
#include "nsinfo.h"
#include "pgdir.h"
#include "probe.h"
#include "sockinfo.h"
#include "verdict.h"

/* Is the entry a stream listener bound at the wanted path? */
struct ns_find {
	const char	*path;
	long		 inode;
};

static int
ns_match(const struct sockinfo_entry *e, void *arg)
{
	struct ns_find *nf = arg;

	if ((e->flags & SOCKINFO_LISTENING) && strcmp(e->path, nf->path) == 0) {
		nf->inode = (long)e->inode;
		return 1;
	}
	return 0;
}

static int
ns_link(const char *pid, const char *ns, char *buf, size_t len)
{
	char p[300];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%s/ns/%s", pid, ns);
	if ((n = readlink(p, buf, len - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* pid (comm) listens on path in another mount namespace: learn where it
 * lives and say so. */
void
diag_ns_found(const char *path, pid_t pid, const char *comm, struct diag *d,
    struct verdict_facts *f)
{
	char text[DIAG_TEXT];

	f->ns_pid = pid;
	snprintf(f->ns_comm, sizeof(f->ns_comm), "%s", comm);
	f->ns_known = nsinfo_of(pid, path, &f->ns) == 0;
	verdict_ns_text(path, f, text, sizeof(text));
	diag_add(d, DIAG_PROBLEM, "boundary", "%s", text);
}

/*
 * A listener bound at path whose process lives in another mount namespace
 * (a container): the name matches but its file is not the one we see. Each
 * network namespace's socket table is read once, through one of its pids.
 */
void
diag_check_namespaces(const char *path, struct diag *d,
    struct verdict_facts *f)
{
	char self[64], nets[64][64], link[64], file[300], pid[32];
	struct sockinfo_owner o;
	struct dirent *de;
	int nnets = 0;
	DIR *proc;

	if (ns_link("self", "mnt", self, sizeof(self)) == -1 ||
	    (proc = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(proc)) != NULL && nnets < 64) {
		struct ns_find nf = { path, 0 };
		int seen = 0;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    ns_link(de->d_name, "net", link, sizeof(link)) == -1)
			continue;
		for (int i = 0; i < nnets && !seen; i++)
			seen = strcmp(nets[i], link) == 0;
		if (seen)
			continue;
		snprintf(nets[nnets++], sizeof(nets[0]), "%s", link);
		snprintf(file, sizeof(file), "/proc/%s/net/unix", de->d_name);
		if (sockinfo_scan_file(file, ns_match, &nf) != 0 ||
		    nf.inode <= 0 ||
		    sockinfo_owner((unsigned long)nf.inode, &o) != 0)
			continue;
		snprintf(pid, sizeof(pid), "%d", (int)o.pid);
		if (ns_link(pid, "mnt", link, sizeof(link)) == -1 ||
		    strcmp(link, self) == 0)
			continue;
		diag_ns_found(path, o.pid, o.comm, d, f);
		break;
	}
	closedir(proc);
}

/* Sockets with the same name in the usual places, and anywhere a process
 * listens on one. */
struct alt_scan {
	const char	*base;
	const char	*path;
	struct diag	*d;
	struct verdict_facts	*f;
	int		 seen;
};

static int
alt_match(const struct sockinfo_entry *e, void *arg)
{
	struct alt_scan *a = arg;
	const char *b = strrchr(e->path, '/');
	char owner[128];

	if (!(e->flags & SOCKINFO_LISTENING) || b == NULL ||
	    strcmp(b + 1, a->base) != 0 || strcmp(e->path, a->path) == 0 ||
	    a->seen++ > 8)
		return 0;
	diag_listener_of(e->path, owner, sizeof(owner));
	diag_add(a->d, DIAG_NOTE, "elsewhere", "%s: listening (%s)", e->path,
	    owner);
	if (a->f->alt[0] == '\0')
		snprintf(a->f->alt, sizeof(a->f->alt), "%s", e->path);
	return 0;
}

/* Do two paths name one file (say /var/run/x and /run/x)? */
static int
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void
diag_check_alternatives(const char *path, struct diag *d,
    struct verdict_facts *f)
{
	/* Where the usual servers put their sockets on this platform; and
	 * Docker Desktop's ~/.docker/run next to /var/run (docker.sock). */
#ifdef __APPLE__
	static const char *const dirs[] = { "/tmp", "/private/tmp", "/var/run",
	    "/usr/local/var/run", "/opt/homebrew/var/run", "~/.docker/run" };
#else
	static const char *const dirs[] = { "/tmp", "/run", "/var/run",
	    "/run/postgresql", "/var/run/postgresql", "/run/mysqld",
	    "~/.docker/run" };
#endif
	const char *home = getenv("HOME");
	const char *base = strrchr(path, '/');
	struct alt_scan a = { NULL, path, d, f, 0 };
	char p[PATH_MAX], rl[PATH_MAX];
	struct stat st;
	ssize_t n;

	base = base ? base + 1 : path;
	a.base = base;
	/* Listening sockets first: they are the useful ones. */
	sockinfo_scan(alt_match, &a);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char owner[128];

		if (dirs[i][0] == '~' && (home == NULL || home[0] != '/'))
			continue;
		snprintf(p, sizeof(p), "%s%s/%s", dirs[i][0] == '~' ? home :
		    "", dirs[i] + (dirs[i][0] == '~'), base);
		if (strcmp(p, path) == 0 || lstat(p, &st) == -1 ||
		    !S_ISSOCK(st.st_mode) || same_file(p, path) ||
		    (f->alt[0] != '\0' && same_file(p, f->alt)))
			continue;
		if (diag_listener_of(p, owner, sizeof(owner)))
			continue;	/* reported above */
		diag_add(d, DIAG_NOTE, "elsewhere",
		    "%s exists but nothing listens "
		    "(stale)", p);
	}
	if ((strncmp(path, "/run/", 5) == 0 || strncmp(path, "/var/run/", 9) ==
	    0) && (n = readlink("/var/run", rl, sizeof(rl) - 1)) > 0) {
		rl[n] = '\0';
		diag_add(d, DIAG_NOTE, "elsewhere", "/var/run is a link to %s: "
		    "/var/run/... and /run/... are the same place", rl);
	}
	/* One listens at path itself (perhaps in another mount
	 * namespace, or behind a directory we cannot search): "else". */
	if (a.seen == 0)
		diag_add(d, DIAG_NOTE, "elsewhere",
		    "no process listens on a socket "
		    "named %s anywhere %son this machine (network namespace)",
		    base, sockinfo_listener(path) > 0 ? "else " : "");
}

/* A tcp server on loopback at port: does it answer, is it PostgreSQL? */
void
diag_check_tcp_port(unsigned int port, int pg, struct diag *d,
    struct verdict_facts *f)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct probe_result r;
	int fd, e;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	e = diag_try_connect((struct sockaddr *)&sin, sizeof(sin), PROBE_MS,
	    &fd);
	snprintf(f->tcp, sizeof(f->tcp), "tcp:127.0.0.1:%u", port);
	if (e != 0) {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)port);
		sin6.sin6_addr = in6addr_loopback;
		e = diag_try_connect((struct sockaddr *)&sin6, sizeof(sin6),
		    PROBE_MS, &fd);
		snprintf(f->tcp, sizeof(f->tcp), "tcp:[::1]:%u", port);
	}
	if (e != 0) {
		f->tcp[0] = '\0';
		diag_add(d, DIAG_NOTE, "tcp", "nothing answers on localhost tcp port "
		    "%u (%s)", port, verdict_errno_name(e));
		return;
	}
	if (!pg) {
		diag_add(d, DIAG_NOTE, "tcp", "a server answers on %s", f->tcp);
		close(fd);
		return;
	}
	probe_run(fd, &probe_pg, PROBE_MS, &r);
	close(fd);
	if (r.outcome == PROBE_ANSWERED) {
		f->tcp_is_pg = 1;
		diag_add(d, DIAG_OK, "tcp", "a PostgreSQL server answers on %s "
		    "(SSLRequest answered '%c')", f->tcp, r.detail[2]);
	} else
		diag_add(d, DIAG_NOTE, "tcp",
		    "a server answers on %s, but it does "
		    "not answer PostgreSQL's SSLRequest", f->tcp);
}

/* Filesystems that may be shared from another kernel. Needs statfs's
 * f_type (Linux); elsewhere this check is not made. */
void
diag_check_fs(const char *path, struct diag *d, struct verdict_facts *f)
{
#ifndef DIAG_HAVE_FTYPE
	(void)path;
	(void)d;
	(void)f;
#else
	char dir[PATH_MAX], *slash;
	struct statfs sf;
	const char *name = NULL;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (statfs(dir, &sf) == -1)
		return;
	switch ((unsigned long)sf.f_type) {
	case 0x65735546UL:
		name = "fuse (virtiofs, gRPC FUSE, sshfs ...)";
		break;
	case 0x01021997UL:
		name = "9p";
		break;
	case 0x6969UL:
		name = "nfs";
		break;
	case 0xff534d42UL:
	case 0xfe534d42UL:
		name = "smb";
		break;
	case 0x786f4256UL:
		name = "vboxsf";
		break;
	}
	if (name == NULL)
		return;
	snprintf(f->shared_fs, sizeof(f->shared_fs), "%.31s", name);
	diag_add(d, f->listening ? DIAG_NOTE : DIAG_PROBLEM, "boundary",
	    "%s is on "
	    "a %s filesystem, which may be shared from another machine or VM: "
	    "a socket file there is only a name; the socket lives in the "
	    "kernel that created it, so connect() on this side cannot reach "
	    "a server on the other", dir, name);
#endif
}

/* Does pid live in another mount namespace than ours? 1 yes, 0 no, -1
 * cannot tell (pid hidden, /proc unreadable). */
int
diag_ns_other(pid_t pid)
{
	struct nsinfo ni;

	if (pid <= 0 || nsinfo_of(pid, "/", &ni) != 0)
		return -1;
	return ni.mnt_differs;
}

/* The command name from an owner text "pid 12, postgres, user x". */
void
diag_owner_comm(const char *owner, char *comm, size_t len)
{
	const char *s = strchr(owner, ',');

	if (s == NULL)
		return;
	s += 2;
	snprintf(comm, len, "%.*s", (int)strcspn(s, ","), s);
}

/*
 * The other sockets in the directory of a PostgreSQL socket path, as
 * libpq's -h DIR sees them: a server on another port is named.
 */
void
diag_check_siblings(const struct diag_target *t, struct diag *d,
    struct verdict_facts *f)
{
	char dir[PATH_MAX], p[PATH_MAX + 32], owner[128], *s;
	struct pgdir pd;

	snprintf(dir, sizeof(dir), "%s", t->path);
	if ((s = strrchr(dir, '/')) == NULL)
		return;
	*(s == dir ? s + 1 : s) = '\0';
	if (pgdir_list(dir, &pd) != 0)
		return;
	f->port_given = t->port_given;
	for (int i = 0; i < pd.nport; i++) {
		if (pd.port[i] == t->pg_port)
			continue;
		snprintf(p, sizeof(p), "%s/.s.PGSQL.%u", strcmp(dir, "/") ?
		    dir : "", pd.port[i]);
		if (diag_listener_of(p, owner, sizeof(owner))) {
			diag_add(d, DIAG_NOTE, "directory",
			    "%s: a server listens "
			    "for port %u (%s)", p, pd.port[i], owner);
			if (f->sib[0] == '\0') {
				snprintf(f->sib, sizeof(f->sib), "%s", p);
				f->sib_port = pd.port[i];
			}
		} else
			diag_add(d, DIAG_NOTE, "directory",
			    "%s exists but nothing "
			    "listens (stale)", p);
	}
	if (t->dir_given && pd.nport == 0)
		diag_add(d, DIAG_NOTE, "directory",
		    "%s holds no PostgreSQL socket "
		    "(.s.PGSQL.*)%s%s", dir, pd.nother ? "; other sockets "
		    "there: " : "", pd.other);
}
