/*
 * cmd-ls: "sockbridge ls [PATH|DIR]": unix sockets, who is behind them,
 * and stale socket files. Reads /proc/net/unix (bound sockets and their
 * connections), /proc/PID/fd (which process holds which socket) and stat.
 *
 * A socket file whose path no bound socket carries is not stale yet: its
 * server may have bound it by a relative name ("app.sock" from its
 * working directory) or from another network namespace (a container
 * sharing the directory). judge() asks the kernel which socket is bound
 * to that very file (sock_diag), then knocks as the relay does before it
 * replaces a file: only a file no socket here is bound to, whose connect
 * is refused, is stale. What cannot be told is "unknown".
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "esc.h"
#include "log.h"
#include "net.h"
#include "sockinfo.h"
#include "sys.h"

static const char ls_help[] =
"usage: sockbridge ls [--json] [PATH|DIR]\n"
"\n"
"List unix sockets: path (or @name for abstract sockets), state, connected\n"
"peers, mode, owner, and the listening process. Without an argument: every\n"
"bound socket of this network namespace, and the other socket files in\n"
"/tmp, /run, /var/run, /run/postgresql. With DIR: sockets under DIR; with\n"
"PATH: that one. A socket bound by a relative name is shown at its full\n"
"path when its process's working directory still holds that very file.\n"
"\n"
"States: listening; datagram; bound (not listening yet); stale (no socket\n"
"is bound to the file and a connect is refused: safe to remove); unknown\n"
"(cannot tell, such as no permission to connect). A file listening only\n"
"from another network namespace (a container) shows as listening with no\n"
"process.\n"
"Options: --json (one object per socket, one per line), --help.\n";

struct sock {
	char		 path[128];
	int		 listening, dgram, stale, unknown;
	int		 relative;	/* bound by a relative name, not found */
	int		 own;		/* a socket of this namespace is bound
					 * by this name, not only connections
					 * accepted on one (from elsewhere) */
	int		 peers;
	unsigned long	 inode;		/* the bound socket's inode */
};

struct list {
	struct sock	*v;
	size_t		 n, cap;
	const char	*filter;	/* a path or a directory */
	int		 filter_dir;
};

static int
want(const struct list *l, const char *path)
{
	size_t n;

	if (l->filter == NULL)
		return 1;
	n = strlen(l->filter);
	if (!l->filter_dir)
		return strcmp(path, l->filter) == 0;
	while (n > 1 && l->filter[n - 1] == '/')
		n--;
	return strncmp(path, l->filter, n) == 0 && (path[n] == '/' || n == 1);
}

static struct sock *
find_or_add(struct list *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].path, path) == 0)
			return &l->v[i];
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct sock *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	snprintf(l->v[l->n].path, sizeof(l->v[0].path), "%s", path);
	return &l->v[l->n++];
}

/* One /proc/net/unix entry: a bound socket, or a connection accepted on
 * one (it carries the listener's path). Relative names are kept whatever
 * the filter: resolve_relative() finds where they are. */
static int
collect(const struct sockinfo_entry *e, void *arg)
{
	struct list *l = arg;
	struct sock *s;
	int relative = e->path[0] != '/' && e->path[0] != '@';

	if (e->path[0] == '\0' || (!relative && !want(l, e->path)))
		return 0;
	if ((s = find_or_add(l, e->path)) == NULL)
		return -ENOMEM;
	s->relative = relative;
	if (e->flags & SOCKINFO_LISTENING) {
		s->listening = 1;
		s->inode = e->inode;
	} else if (e->type == SOCK_DGRAM) {
		s->dgram = 1;
		if (s->inode == 0)
			s->inode = e->inode;
	} else if (e->state >= 2) {
		/* SS_CONNECTED: accepted. SS_CONNECTING, SS_DISCONNECTING:
		 * not accepted yet, or its end was released. */
		s->peers += e->state == 3;
		return 0;
	} else if (s->inode == 0)		/* bound, not listening yet */
		s->inode = e->inode;
	s->own = 1;
	return 0;
}

/* Is path the same file as a socket already listed (through a symlinked
 * directory such as /var/run -> /run)? */
static int
known(const struct list *l, const char *path)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (realpath(path, a) == NULL)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].own && (strcmp(l->v[i].path, path) == 0 ||
		    (l->v[i].path[0] == '/' && realpath(l->v[i].path, b) !=
		    NULL && strcmp(a, b) == 0)))
			return 1;
	return 0;
}

/* The entry of the socket with this inode, or NULL. */
static struct sock *
by_inode(struct list *l, unsigned long inode)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].inode == inode)
			return &l->v[i];
	return NULL;
}

/*
 * Each socket bound by a relative name: where its process's working
 * directory holds the very file it is bound to (the kernel says which),
 * it is listed at that full path.
 */
static void
resolve_relative(struct list *l, const struct sockinfo_fdmap *map)
{
	char link[64], cwd[PATH_MAX], path[PATH_MAX];
	unsigned long sock;
	struct stat st;
	size_t i;
	ssize_t n;
	pid_t pid;

	for (i = 0; i < l->n; i++) {
		struct sock *s = &l->v[i];

		if (!s->relative || s->inode == 0 ||
		    (pid = sockinfo_fdmap_pid(map, s->inode)) <= 0)
			continue;
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
		if ((n = readlink(link, cwd, sizeof(cwd) - 1)) <= 0)
			continue;
		cwd[n] = '\0';
		if (snprintf(path, sizeof(path), "%s/%s",
		    strcmp(cwd, "/") == 0 ? "" : cwd, s->path) >=
		    (int)sizeof(s->path) || lstat(path, &st) == -1 ||
		    !S_ISSOCK(st.st_mode) ||
		    sockinfo_file_bound(st.st_dev, st.st_ino, &sock) != 1 ||
		    sock != s->inode)
			continue;
		memcpy(s->path, path, strlen(path) + 1);
		s->relative = 0;
	}
}

/* What the filter wants, now that relative names are placed: one that
 * was not stays under its name when nothing filters. */
static void
keep_wanted(struct list *l)
{
	size_t i, j;

	for (i = j = 0; i < l->n; i++)
		if (l->v[i].relative == 0 ? want(l, l->v[i].path) :
		    l->v[i].relative == 1 && l->filter == NULL)
			l->v[j++] = l->v[i];
	l->n = j;
}

/*
 * A socket file that no bound socket's path names: what is it? The
 * kernel says which socket, if any, is bound to that very file; then a
 * knock, as the relay does before it replaces a file.
 */
static void
judge(struct list *l, struct sock *s, const struct stat *st)
{
	struct net_sa sa;
	struct sock *r;
	unsigned long sock;
	int bound, fd, e;

	s->own = 1;
	bound = sockinfo_file_bound(st->st_dev, st->st_ino, &sock);
	if (bound == 1) {
		/* Bound here by a name we could not place. */
		s->inode = sock;
		s->listening = sockinfo_is_listener(sock);
		if ((r = by_inode(l, sock)) != NULL && r != s) {
			s->peers = r->peers;
			s->dgram = r->dgram;
			r->inode = 0;
			r->relative = 2;	/* shown as s */
		}
		return;
	}
	if (net_unix_sa(&sa, s->path, 0) < 0 ||
	    (fd = sys_socket(AF_UNIX, SOCK_STREAM)) < 0) {
		s->unknown = 1;
		return;
	}
	e = connect(fd, (struct sockaddr *)&sa.ss, sa.len) == -1 ? errno : 0;
	close(fd);
	if (e == 0 || e == EAGAIN || e == EINPROGRESS)
		s->listening = 1;	/* from another network namespace */
	else if (e == EPROTOTYPE)
		s->dgram = 1;
	else if (e == ECONNREFUSED && (bound == 0 || bound == -ENOSYS))
		s->stale = 1;	/* where the kernel cannot say, as the relay
				 * judges: a refusal */
	else
		s->unknown = 1;
}

/* Names that only connections carry (accepted by a listener of another
 * namespace, or of one gone): judged by their file, if any. */
static void
judge_peers_only(struct list *l)
{
	struct stat st;

	for (size_t i = 0; i < l->n; i++) {
		struct sock *s = &l->v[i];

		if (s->own || s->relative || s->path[0] != '/')
			continue;
		if (lstat(s->path, &st) == 0 && S_ISSOCK(st.st_mode))
			judge(l, s, &st);
		else
			s->unknown = 1;
	}
}

/* Socket files in dir that no bound socket's path names. */
static void
scan_files(struct list *l, const char *dir)
{
	char path[PATH_MAX];
	struct dirent *d;
	struct stat st;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		struct sock *s;

		if (snprintf(path, sizeof(path), "%s/%s", dir, d->d_name) >=
		    (int)sizeof(l->v[0].path) || lstat(path, &st) == -1 ||
		    !S_ISSOCK(st.st_mode) || !want(l, path))
			continue;
		if (!known(l, path) && (s = find_or_add(l, path)) != NULL)
			judge(l, s, &st);
	}
	closedir(dp);
}

static int
cmp_sock(const void *a, const void *b)
{
	return strcmp(((const struct sock *)a)->path,
	    ((const struct sock *)b)->path);
}

static void
mode_str(const char *path, char *mode, size_t ml, char *owner, size_t ol)
{
	struct stat st;
	struct passwd *pw;
	struct group *gr;

	snprintf(mode, ml, "-");
	snprintf(owner, ol, "-");
	if (path[0] == '@' || lstat(path, &st) == -1)
		return;
	snprintf(mode, ml, "%04o", (unsigned)(st.st_mode & 07777));
	pw = getpwuid(st.st_uid);
	gr = getgrgid(st.st_gid);
	if (pw && gr)
		snprintf(owner, ol, "%s:%s", pw->pw_name, gr->gr_name);
	else
		snprintf(owner, ol, "%u:%u", (unsigned)st.st_uid,
		    (unsigned)st.st_gid);
}

static const char *
state_str(const struct sock *s)
{
	return s->listening ? "listening" : s->dgram ? "datagram" :
	    s->stale ? "stale" : s->unknown ? "unknown" : "bound";
}

/* What kind of file mode is, for a message. */
static const char *
file_kind(mode_t mode)
{
	return S_ISREG(mode) ? "a regular file" : S_ISLNK(mode) ?
	    "a symbolic link" : S_ISFIFO(mode) ? "a named pipe" :
	    S_ISCHR(mode) ? "a character device" : S_ISBLK(mode) ?
	    "a block device" : "not a socket";
}

static int
run_ls(int argc, char **argv)
{
	static const char *const dirs[] = { "/tmp", "/run", "/var/run",
	    "/run/postgresql", "/var/run/postgresql" };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockinfo_fdmap map;
	char real[PATH_MAX];
	struct list l;
	struct stat st;
	int ch, json = 0, unknown = 0, rc, pathw = 4, ownerw = 5;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else if (ch == 'h') {
			fputs(ls_help, stdout);
			return 0;
		} else {
			log_err("ls: unknown option '%s' (see 'sockbridge ls "
			    "--help')", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	memset(&l, 0, sizeof(l));
	if (optind + 1 < argc) {
		log_err("ls: give at most one PATH or DIR");
		return EXIT_USAGE;
	}
	if (optind < argc) {
		l.filter = argv[optind];
		/* A relative path: from the current directory. */
		if (l.filter[0] != '/' && l.filter[0] != '@') {
			if (realpath(l.filter, real) == NULL) {
				log_err("ls: %s: %s", l.filter, strerror(errno));
				return 1;
			}
			l.filter = real;
		}
		if (l.filter[0] == '/' && stat(l.filter, &st) == -1) {
			log_err("ls: %s: %s", l.filter, strerror(errno));
			return 1;
		}
		if (l.filter[0] == '/' && !S_ISDIR(st.st_mode) &&
		    !S_ISSOCK(st.st_mode)) {
			log_err("ls: %s: not a socket or a directory (%s)",
			    l.filter, file_kind(st.st_mode));
			return 1;
		}
		l.filter_dir = l.filter[0] == '/' && S_ISDIR(st.st_mode);
		/* Sockets are listed by the name they were bound with:
		 * /var/run/x was bound as /run/x. */
		if (l.filter[0] == '/' && l.filter != real &&
		    realpath(l.filter, real) != NULL)
			l.filter = real;
	}
	if ((rc = sockinfo_scan(collect, &l)) < 0) {
		log_err("ls: /proc/net/unix: %s", strerror(-rc));
		free(l.v);
		return 1;
	}
	if (sockinfo_fdmap_load(&map) < 0)
		memset(&map, 0, sizeof(map));
	resolve_relative(&l, &map);
	if (l.filter_dir)
		scan_files(&l, l.filter);
	else if (l.filter == NULL)
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
			scan_files(&l, dirs[i]);
	else if (l.filter[0] == '/' && S_ISSOCK(st.st_mode) &&
	    !known(&l, l.filter)) {
		struct sock *s = find_or_add(&l, l.filter);

		if (s != NULL)
			judge(&l, s, &st);
	}
	judge_peers_only(&l);
	keep_wanted(&l);
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(l.v[0]), cmp_sock);

	/* the columns as wide as what they hold: paths run to 107 bytes */
	for (size_t i = 0; i < l.n; i++) {
		char mode[16], owner[80];
		int n = (int)strlen(l.v[i].path);

		mode_str(l.v[i].path, mode, sizeof(mode), owner,
		    sizeof(owner));
		if (n > pathw)
			pathw = n;
		if ((n = (int)strlen(owner)) > ownerw)
			ownerw = n;
	}
	if (!json)
		printf("%-*s %-9s %5s %-5s %-*s %7s %s\n", pathw, "PATH",
		    "STATE", "PEERS", "MODE", ownerw, "OWNER", "PID",
		    "COMMAND");
	for (size_t i = 0; i < l.n; i++) {
		const struct sock *s = &l.v[i];
		struct sockinfo_owner o;
		char mode[16], owner[80], pid[16] = "-", comm[64] = "-";
		pid_t p = s->inode ? sockinfo_fdmap_pid(&map, s->inode) : -1;

		mode_str(s->path, mode, sizeof(mode), owner, sizeof(owner));
		if (p > 0 && sockinfo_proc(p, &o) == 0) {
			snprintf(pid, sizeof(pid), "%d", (int)p);
			snprintf(comm, sizeof(comm), "%s", o.comm);
		} else if (!s->stale)
			unknown++;
		if (json) {
			fputs("{\"path\":", stdout);
			esc_json(stdout, s->path);
			printf(",\"state\":\"%s\",\"peers\":%d,\"mode\":",
			    state_str(s), s->peers);
			esc_json(stdout, mode);
			fputs(",\"owner\":", stdout);
			esc_json(stdout, owner);
			printf(",\"pid\":%s,\"command\":", p > 0 ? pid : "null");
			if (p > 0)
				esc_json(stdout, comm);
			else
				fputs("null", stdout);
			fputs("}\n", stdout);
		} else
			printf("%-*s %-9s %5d %-5s %-*s %7s %s\n", pathw,
			    s->path, state_str(s), s->peers, mode, ownerw,
			    owner, pid, comm);
	}
	if (!json && unknown > 0 && geteuid() != 0)
		printf("\n%d socket%s without a visible process: other users' "
		    "processes are hidden; run as root to see them\n", unknown,
		    unknown == 1 ? "" : "s");
	sockinfo_fdmap_free(&map);
	free(l.v);
	return 0;
}

const struct cmd cmd_ls = {
	"ls", "[--json] [PATH|DIR]",
	"list unix sockets, their owners, modes and listening processes",
	run_ls,
};
