/*
 * sockinfo: /proc readers. See sockinfo.h. Where <libproc.h> exists
 * (macOS), sockinfo_libproc.c serves the same calls instead.
 */
#if defined(__has_include)
#if __has_include(<libproc.h>)
#define SOCKINFO_LIBPROC	1
#endif
#endif

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/sysmacros.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#endif

#include "sockinfo.h"

#ifndef SOCKINFO_LIBPROC
int
sockinfo_scan(int (*fn)(const struct sockinfo_entry *, void *), void *arg)
{
	return sockinfo_scan_file("/proc/net/unix", fn, arg);
}

int
sockinfo_scan_file(const char *file,
    int (*fn)(const struct sockinfo_entry *, void *), void *arg)
{
	char line[512];
	FILE *f;
	int rc = 0;

	if ((f = fopen(file, "re")) == NULL)
		return -errno;
	/* Skip the header: "Num RefCount Protocol Flags Type St Inode Path" */
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		return 0;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		struct sockinfo_entry e;
		int off = 0;
		size_t n;

		memset(&e, 0, sizeof(e));
		if (sscanf(line, "%*s %*x %*x %x %x %x %lu %n", &e.flags,
		    &e.type, &e.state, &e.inode, &off) < 4)
			continue;
		if (off > 0 && line[off] != '\0') {
			n = strcspn(line + off, "\n");
			if (n >= sizeof(e.path))
				n = sizeof(e.path) - 1;
			memcpy(e.path, line + off, n);
			e.path[n] = '\0';
		}
		rc = fn(&e, arg);
	}
	fclose(f);
	return rc < 0 ? rc : 0;
}

struct find_listener {
	const char	*path;
	long		 inode;
	struct stat	 st;
	int		 have_st;
};

/*
 * A listener matches by the name it was bound with or, for socket files,
 * by being the same file: /var/run/x and /run/x, or a relative bind.
 */
static int
match_listener(const struct sockinfo_entry *e, void *arg)
{
	struct find_listener *fl = arg;
	struct stat st;

	if (!(e->flags & SOCKINFO_LISTENING) || e->type != SOCK_STREAM)
		return 0;
	if (strcmp(e->path, fl->path) == 0 || (fl->have_st &&
	    e->path[0] == '/' && stat(e->path, &st) == 0 &&
	    st.st_dev == fl->st.st_dev && st.st_ino == fl->st.st_ino)) {
		fl->inode = (long)e->inode;
		return 1;
	}
	return 0;
}

long
sockinfo_listener(const char *path)
{
	struct find_listener fl;
	int rc;

	memset(&fl, 0, sizeof(fl));
	fl.path = path;
	fl.have_st = path[0] != '@' && stat(path, &fl.st) == 0 &&
	    S_ISSOCK(fl.st.st_mode);
	if ((rc = sockinfo_scan(match_listener, &fl)) < 0)
		return rc;
	return fl.inode;
}

/* Does /proc/PID/fd hold "socket:[inode]"? 1 yes, 0 no or unreadable. */
static int
pid_has_socket(const char *pid, const char *want)
{
	char dir[300], link[PATH_MAX], target[64];
	struct dirent *d;
	DIR *fds;
	ssize_t n;
	int found = 0;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	if ((fds = opendir(dir)) == NULL)
		return 0;
	while (!found && (d = readdir(fds)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, d->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		found = strcmp(target, want) == 0;
	}
	closedir(fds);
	return found;
}

int
sockinfo_proc(pid_t pid, struct sockinfo_owner *o)
{
	char path[64];
	struct stat st;
	FILE *f;

	memset(o, 0, sizeof(*o));
	o->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st) == -1)
		return -errno;
	o->uid = st.st_uid;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((f = fopen(path, "re")) != NULL) {
		if (fgets(o->comm, sizeof(o->comm), f) != NULL)
			o->comm[strcspn(o->comm, "\n")] = '\0';
		fclose(f);
	}
	return 0;
}

int
sockinfo_owner(unsigned long inode, struct sockinfo_owner *o)
{
	char want[64];
	struct dirent *d;
	DIR *proc;
	int rc = -ENOENT;

	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	if ((proc = opendir("/proc")) == NULL)
		return -errno;
	while ((d = readdir(proc)) != NULL) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		if (!pid_has_socket(d->d_name, want))
			continue;
		rc = sockinfo_proc((pid_t)strtol(d->d_name, NULL, 10), o);
		break;
	}
	closedir(proc);
	return rc;
}

static int
fdmap_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

int
sockinfo_fdmap_load(struct sockinfo_fdmap *m)
{
	char dir[300], link[600], target[64];
	struct dirent *d, *e;
	DIR *proc, *fds;

	memset(m, 0, sizeof(*m));
	if ((proc = opendir("/proc")) == NULL)
		return -errno;
	while ((d = readdir(proc)) != NULL) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(dir, sizeof(dir), "/proc/%s/fd", d->d_name);
		if ((fds = opendir(dir)) == NULL) {
			if (errno == EACCES)
				m->hidden++;
			continue;
		}
		while ((e = readdir(fds)) != NULL) {
			unsigned long ino;
			ssize_t n;

			if (e->d_name[0] == '.')
				continue;
			snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
			n = readlink(link, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (sscanf(target, "socket:[%lu]", &ino) != 1)
				continue;
			if (m->n == m->cap) {
				size_t cap = m->cap ? m->cap * 2 : 256;
				void *v = realloc(m->v, cap * sizeof(*m->v));

				if (v == NULL) {
					closedir(fds);
					closedir(proc);
					return -ENOMEM;
				}
				m->v = v;
				m->cap = cap;
			}
			m->v[m->n].inode = ino;
			m->v[m->n].pid = (pid_t)strtol(d->d_name, NULL, 10);
			m->n++;
		}
		closedir(fds);
	}
	closedir(proc);
	if (m->n > 0)
		qsort(m->v, m->n, sizeof(*m->v), fdmap_cmp);
	return 0;
}

void
sockinfo_fdmap_free(struct sockinfo_fdmap *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

pid_t
sockinfo_fdmap_pid(const struct sockinfo_fdmap *m, unsigned long inode)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->v[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && m->v[lo].inode == inode ? m->v[lo].pid : -1;
}

ssize_t
sockinfo_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	size_t n = 0;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	while (n < len && (r = read(fd, buf + n, len - n)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			r = -errno;
			close(fd);
			return r;
		}
		n += (size_t)r;
	}
	close(fd);
	return (ssize_t)n;
}
#else
/* libproc: see sockinfo_libproc.c. */
typedef int sockinfo_proc_unused;
#endif

#if defined(__linux__) && defined(UDIAG_SHOW_VFS)

/*
 * sock_diag: one request, then answers until NLMSG_DONE (a dump) or the
 * first message (an exact lookup). fn sees each socket's message and its
 * UNIX_DIAG_VFS attribute (NULL if the socket has no file); a non-zero
 * return stops the walk and is returned. Returns that, 0, or -errno;
 * -ENOSYS if the kernel has no unix sock_diag (no unix_diag module).
 */
static int
diag_query(const struct unix_diag_req *r, int dump,
    int (*fn)(const struct unix_diag_msg *, const struct unix_diag_vfs *,
    void *), void *arg)
{
	struct {
		struct nlmsghdr		nlh;
		struct unix_diag_req	r;
	} req;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 2 };
	/* nlmsghdr-aligned, as the kernel writes it. */
	union {
		struct nlmsghdr	 h;
		char		 b[32768];
	} buf;
	int fd, rc = 0, done = 0;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG)) == -1)
		return errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT ?
		    -ENOSYS : -errno;
	/* The kernel answers at once; the timeout only bounds a surprise. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0);
	req.nlh.nlmsg_seq = 1;
	req.r = *r;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&nl,
	    sizeof(nl)) == -1) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while (!done && rc == 0) {
		ssize_t n = recv(fd, buf.b, sizeof(buf.b), 0);
		struct nlmsghdr *h;
		unsigned int left;

		if (n == -1) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		left = (unsigned int)n;
		for (h = &buf.h; rc == 0 && NLMSG_OK(h, left);
		    h = NLMSG_NEXT(h, left)) {
			const struct unix_diag_msg *m;
			const struct unix_diag_vfs *vfs = NULL;
			const struct nlattr *at;
			int alen;

			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				/* No handler for AF_UNIX: unix_diag is absent. */
				rc = e->error == -ENOENT && dump ? -ENOSYS :
				    e->error < 0 ? e->error : -EPROTO;
				break;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				continue;
			m = NLMSG_DATA(h);
			alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
			at = (const struct nlattr *)(const void *)((const char *)m +
			    NLMSG_ALIGN(sizeof(*m)));
			while (alen >= (int)sizeof(*at) && at->nla_len >= sizeof(*at) &&
			    at->nla_len <= alen) {
				if ((at->nla_type & NLA_TYPE_MASK) == UNIX_DIAG_VFS &&
				    at->nla_len >= NLA_HDRLEN + sizeof(*vfs))
					vfs = (const struct unix_diag_vfs *)(const void *)
					    ((const char *)at + NLA_HDRLEN);
				alen -= NLA_ALIGN(at->nla_len);
				at = (const struct nlattr *)(const void *)
				    ((const char *)at + NLA_ALIGN(at->nla_len));
			}
			rc = fn(m, vfs, arg);
			if (!dump)
				done = 1;
		}
	}
	close(fd);
	return rc;
}

/*
 * unix_diag gives the file's device as the kernel keeps it (major in the
 * top 12 bits, minor in the low 20); stat(2) encodes it for user space.
 */
static dev_t
diag_dev(unsigned int kdev)
{
	return makedev(kdev >> 20, kdev & 0xfffff);
}

struct diag_file {
	dev_t		 dev;
	ino_t		 ino;
	unsigned long	 sock;
	int		 found;
};

static int
diag_take_file(const struct unix_diag_msg *m, const struct unix_diag_vfs *v,
    void *arg)
{
	struct diag_file *f = arg;

	(void)m;
	if (v == NULL)
		return 0;
	f->dev = diag_dev(v->udiag_vfs_dev);
	f->ino = v->udiag_vfs_ino;
	f->found = 1;
	return 1;
}

int
sockinfo_sock_file(int fd, dev_t *dev, ino_t *ino)
{
	struct unix_diag_req r;
	struct diag_file f;
	struct stat st;
	int rc;

	if (fstat(fd, &st) == -1)
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	memset(&r, 0, sizeof(r));
	memset(&f, 0, sizeof(f));
	r.sdiag_family = AF_UNIX;
	r.udiag_states = ~0U;
	r.udiag_ino = (unsigned int)st.st_ino;
	r.udiag_show = UDIAG_SHOW_VFS;
	r.udiag_cookie[0] = r.udiag_cookie[1] = ~0U;	/* no cookie */
	rc = diag_query(&r, 0, diag_take_file, &f);
	/* Our own socket exists: "not found" means no unix_diag. */
	if (rc == -ENOENT)
		return -ENOSYS;
	if (rc < 0)
		return rc;
	if (!f.found)
		return -ENOENT;
	*dev = f.dev;
	*ino = f.ino;
	return 0;
}

static int
diag_match_file(const struct unix_diag_msg *m, const struct unix_diag_vfs *v,
    void *arg)
{
	struct diag_file *f = arg;

	/* The kernel reports 32 bits of the inode number. */
	if (v == NULL || v->udiag_vfs_ino != (unsigned int)f->ino ||
	    diag_dev(v->udiag_vfs_dev) != f->dev)
		return 0;
	f->sock = m->udiag_ino;
	f->found = 1;
	return 1;
}

int
sockinfo_file_bound(dev_t dev, ino_t ino, unsigned long *sock)
{
	struct unix_diag_req r;
	struct diag_file f;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(&f, 0, sizeof(f));
	f.dev = dev;
	f.ino = ino;
	r.sdiag_family = AF_UNIX;
	r.udiag_states = ~0U;
	r.udiag_show = UDIAG_SHOW_VFS;
	if ((rc = diag_query(&r, 1, diag_match_file, &f)) < 0)
		return rc;
	if (f.found && sock != NULL)
		*sock = f.sock;
	return f.found;
}

#else

/* No sock_diag here: cannot tell. */
int
sockinfo_sock_file(int fd, dev_t *dev, ino_t *ino)
{
	(void)fd;
	(void)dev;
	(void)ino;
	return -ENOSYS;
}

int
sockinfo_file_bound(dev_t dev, ino_t ino, unsigned long *sock)
{
	(void)dev;
	(void)ino;
	(void)sock;
	return -ENOSYS;
}

#endif
