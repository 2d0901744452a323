/*
 * verdict: see verdict.h.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sys.h"
#include "verdict.h"

#define SUN_MAX		(sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

const char *
verdict_errno_name(int e)
{
	const char *s = sys_strerrorname(e);

	return s != NULL ? s : "E?";
}

const char *
verdict_errno_meaning(int e)
{
	switch (e) {
	case ENOENT:
		return "no socket file at this path: the server is not "
		    "running, or it puts its socket in another directory";
	case ECONNREFUSED:
		return "nothing accepts connections here: for a socket file, "
		    "the file exists but no process listens on it (stale); "
		    "for tcp, no server on that port";
	case EACCES:
	case EPERM:
		return "permission denied: connecting needs write permission "
		    "on the socket file and search permission on every "
		    "directory above it";
	case EAGAIN:
		return "the server's listen backlog is full: it is alive but "
		    "not accepting fast enough";
	case ENOTSOCK:
		return "the path is not a socket";
	case ENAMETOOLONG:
		return "the path is longer than the 107 bytes a unix socket "
		    "address holds";
	case ETIMEDOUT:
		return "no answer in time: a firewall drops packets, or the "
		    "server is stuck";
	case EPROTOTYPE:
		return "the socket is not a stream socket (datagram?)";
	case ENOTDIR:
		return "a component of the path is not a directory";
	case ECONNRESET:
		return "the server closed the connection at once";
	case EHOSTUNREACH:
	case ENETUNREACH:
		return "no route to that host";
	default:
		return strerror(e);
	}
}

/* The directory part of p into buf. */
static void
dir_of(const char *p, char *buf, size_t len)
{
	char *s;

	snprintf(buf, len, "%s", p);
	if ((s = strrchr(buf, '/')) != NULL)
		*(s == buf ? s + 1 : s) = '\0';
}

/* "docker abc123def456" or "docker" or "", for the texts. */
static void
container_name(const struct nsinfo *ni, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", ni->runtime, ni->runtime[0] &&
	    ni->cid[0] ? " " : "", ni->cid);
}

void
verdict_ns_text(const char *p, const struct verdict_facts *f, char *buf,
    size_t len)
{
	const struct nsinfo *ni = &f->ns;
	char dir[PATH_MAX], cn[64];
	int c = f->ns_known ? nsinfo_container(ni) : -1;

	dir_of(p, dir, sizeof(dir));
	container_name(ni, cn, sizeof(cn));
	if (c == 1)
		snprintf(buf, len, "pid %d (%s) listens on %s inside a "
		    "container (%s): its socket file is in the container's "
		    "file system; the %s seen here is another file",
		    (int)f->ns_pid, f->ns_comm, p, cn[0] ? cn :
		    "its own pid namespace or root", p);
	else if (c == 0)
		snprintf(buf, len, "pid %d (%s) listens on %s in another mount "
		    "namespace of this host: %s is private to it (%s%s%s%s%s, "
		    "as systemd's PrivateTmp=yes makes)%s%s; the %s seen here "
		    "is another file", (int)f->ns_pid, f->ns_comm, p,
		    ni->mount_private ? ni->mount : dir,
		    ni->mount_private ? "its own " : "a private view",
		    ni->mount_private ? ni->fstype : "",
		    ni->mount_private ? " mount" : "",
		    ni->mount_private && strcmp(ni->mount, dir) != 0 ?
		    " over " : "",
		    ni->mount_private && strcmp(ni->mount, dir) != 0 ? dir : "",
		    ni->unit[0] ? "; unit " : "", ni->unit, p);
	else
		snprintf(buf, len, "pid %d (%s) listens on %s in another mount "
		    "namespace: its %s is not the file seen here; doctor cannot "
		    "tell whether it is a container or a private /tmp",
		    (int)f->ns_pid, f->ns_comm, p, p);
}

/* The verdict for a listener in another mount namespace. */
static void
verdict_ns(const char *p, int pg, const struct verdict_facts *f, char *v,
    size_t vl)
{
	const struct nsinfo *ni = &f->ns;
	char dir[PATH_MAX], via[PATH_MAX + 32], relay[2 * PATH_MAX + 96], cn[64];
	int c = f->ns_known ? nsinfo_container(ni) : -1;

	dir_of(p, dir, sizeof(dir));
	snprintf(via, sizeof(via), "/proc/%d/root%s", (int)f->ns_pid, p);
	relay[0] = '\0';
	if (strlen(via) <= SUN_MAX)
		snprintf(relay, sizeof(relay), " Until then, as root: "
		    "`sockbridge relay unix:%s unix:%s`.", p, via);
	if (c == 1) {
		container_name(ni, cn, sizeof(cn));
		snprintf(v, vl, "The server (pid %d, %s) listens on %s inside a "
		    "container%s%s%s: its socket file is in the container, not "
		    "here, and a restart will not change that. Publish its port "
		    "(docker run -p PORT:PORT) and connect over tcp, or bring "
		    "the socket out: `sockbridge relay unix:%s 'tunnel:%s exec "
		    "-i %s sockbridge tunnel unix:%s'`%s.", (int)f->ns_pid,
		    f->ns_comm, p, cn[0] ? " (" : "", cn, cn[0] ? ")" : "", p,
		    strcmp(ni->runtime, "podman") == 0 ? "podman" : "docker",
		    ni->cid[0] ? ni->cid : "NAME", p,
		    ni->cid[0] ? "" : " (NAME: the container, see docker ps)");
		return;
	}
	if (c == 0) {
		snprintf(v, vl, "The server (pid %d, %s) listens on %s, but in "
		    "its own mount namespace: its %s is private (systemd "
		    "PrivateTmp=yes%s%s), so the %s you see is another file "
		    "and a restart will not help. Turn that off (PrivateTmp=no%s%s%s), "
		    "or have the server put its socket in "
		    "a shared directory such as %s.%s", (int)f->ns_pid,
		    f->ns_comm, p, ni->mount_private ? ni->mount : dir,
		    ni->unit[0] ? " in " : " or unshare -m", ni->unit, p,
		    ni->unit[0] ? ": `systemctl edit " : " in the server's "
		    "systemd unit", ni->unit, ni->unit[0] ? "`" : "",
		    pg ? "/run/postgresql (PostgreSQL: unix_socket_directories)" :
		    "/run/NAME (systemd: RuntimeDirectory=)", relay);
		return;
	}
	snprintf(v, vl, "A process (pid %d, %s) listens on %s inside another "
	    "mount namespace: the file you see is not its socket. doctor cannot "
	    "tell whether it runs in a container or with a private /tmp "
	    "(systemd PrivateTmp); run it as root to see more.%s",
	    (int)f->ns_pid, f->ns_comm, p, relay);
}

void
verdict_write(const char *p, int pg, int connect_ok,
    const struct verdict_facts *f, char *v, size_t vl)
{
	char alt_dir[PATH_MAX];

	if (connect_ok) {
		snprintf(v, vl, "A server accepts connections at %s%s%s%s. If "
		    "your client still fails, check that it uses this path "
		    "(libpq: -h with the directory, -p with the port).", p,
		    f->owner[0] ? " (" : "", f->owner, f->owner[0] ? ")" : "");
		return;
	}
	if (f->too_long) {
		snprintf(v, vl, "The path is %zu bytes; a unix socket address "
		    "holds %zu. Use a shorter directory, or a symlink to it.",
		    strlen(p), SUN_MAX);
		return;
	}
	if (f->bad_dir[0] != '\0' && f->bad_dir_errno == EACCES) {
		snprintf(v, vl, "You cannot reach %s: directory %s is not "
		    "searchable for you. Run the client as a user with access "
		    "(e.g. in the server's group), or have the server put its "
		    "socket in a directory you can reach.", p, f->bad_dir);
		return;
	}
	if (f->exists && f->is_sock && f->listening && !f->may_connect) {
		snprintf(v, vl, "%s exists and a server listens, but you may not "
		    "connect: run the client as a permitted user, or widen the "
		    "socket's mode (for sockbridge: mode=0660 and group=).", p);
		return;
	}
	if (f->orphan == -1) {
		snprintf(v, vl, "A process (%s) listens on a socket bound to %s, "
		    "but the file is not here. Either it was removed under the "
		    "running server (then restart the server and find what "
		    "deletes it), or the server sees another file system "
		    "(systemd PrivateTmp, a container), where the file still "
		    "is. doctor cannot tell which without root: run `sudo "
		    "sockbridge doctor %s`.", f->owner, p, p);
		return;
	}
	if (f->orphan) {
		snprintf(v, vl, "The server (%s) still listens, but its socket "
		    "file %s was removed, so no client can reach it. Restart "
		    "the server to recreate the file, and find what deletes it "
		    "(systemd-tmpfiles cleaning /tmp, a cleanup job). Keep "
		    "sockets in /run or a directory of their own.", f->owner, p);
		return;
	}
	if (f->ns_pid > 0) {
		verdict_ns(p, pg, f, v, vl);
		return;
	}
	if (f->shared_fs[0] != '\0' && f->exists && !f->listening) {
		snprintf(v, vl, "%s lives on a %s filesystem: a socket file "
		    "shared across a VM boundary cannot work, because the kernel, "
		    "not the file, carries the bytes. Run sockbridge on the "
		    "server's side and cross over tcp or a pipe, e.g. `sockbridge "
		    "relay unix:%s 'exec:docker exec -i CONTAINER sockbridge relay "
		    "- unix:%s'`.", p, f->shared_fs, p, p);
		return;
	}
	if (f->sib[0] != '\0') {
		char dir[PATH_MAX];

		dir_of(p, dir, sizeof(dir));
		if (f->port_given)
			snprintf(v, vl, "Nothing listens at %s, but in the same "
			    "directory a server listens at %s: if that is your "
			    "server, use -p %u (PGPORT=%u; Rails: port: %u in "
			    "config/database.yml).", p, f->sib, f->sib_port,
			    f->sib_port, f->sib_port);
		else
			snprintf(v, vl, "No server on port %s in %s (%s), but one "
			    "listens at %s: use -p %u (PGPORT=%u; Rails: port: "
			    "%u in config/database.yml).", strrchr(p, '.') + 1,
			    dir, p, f->sib, f->sib_port, f->sib_port,
			    f->sib_port);
		return;
	}
	if (f->alt[0] != '\0') {
		char *s;

		snprintf(alt_dir, sizeof(alt_dir), "%s", f->alt);
		if ((s = strrchr(alt_dir, '/')) != NULL && s != alt_dir)
			*s = '\0';
		snprintf(v, vl, "Nothing listens at %s, but a server listens at "
		    "%s. Point the client there (libpq: -h %s; Rails: host: %s "
		    "in config/database.yml), or run `sockbridge relay unix:%s "
		    "unix:%s`.", p, f->alt, alt_dir, alt_dir, p, f->alt);
		return;
	}
	if (f->tcp[0] != '\0' && (f->tcp_is_pg || !pg)) {
		snprintf(v, vl, "Nothing listens at %s. %s answers on %s. Connect "
		    "over tcp instead (libpq: -h localhost; Rails: host: "
		    "localhost in config/database.yml), or run `sockbridge "
		    "relay unix:%s %s` to give the client its socket file.", p,
		    f->tcp_is_pg ? "A PostgreSQL server" : "A server", f->tcp,
		    p, f->tcp);
		return;
	}
	if (f->exists && f->is_sock && !f->listening) {
#ifdef __APPLE__
		/* Docker Desktop's VM: a socket file a container created in a
		 * bind-mounted directory shows up here, its socket does not. */
		snprintf(v, vl, "%s is a socket file, but connect() is refused "
		    "and no process doctor can see on this Mac listens on it. "
		    "Either it is stale (the server stopped without removing it: "
		    "start the server; sockbridge replaces stale files itself, "
		    "others may need `rm %s` first), or a server in a container "
		    "created it in a bind-mounted directory: Docker Desktop runs "
		    "containers in a VM, and such a file is visible on the Mac "
		    "but its socket lives in the VM's kernel, so it can never be "
		    "connected to from here. doctor cannot tell which. For a "
		    "container, publish its port (docker run -p PORT:PORT) and "
		    "run `sockbridge relay unix:%s tcp:127.0.0.1:PORT`, or bring "
		    "the socket out: `sockbridge relay unix:%s 'tunnel:docker exec "
		    "-i NAME sockbridge tunnel unix:INNER'`.", p, p, p, p);
#else
		snprintf(v, vl, "%s is stale: the file exists but nothing listens "
		    "(the server stopped or crashed without removing it). Start "
		    "the server; sockbridge replaces stale files itself, others "
		    "may need `rm %s` first.", p, p);
#endif
		return;
	}
	if (f->exists && !f->is_sock) {
		snprintf(v, vl, "%s is not a socket. Something else created a "
		    "file there; the server cannot bind its socket until it is "
		    "moved away.", p);
		return;
	}
	if (f->bad_dir[0] != '\0') {
		snprintf(v, vl, "Directory %s does not exist, so no server has "
		    "its socket there. Check where the server puts it (for "
		    "PostgreSQL: SHOW unix_socket_directories).", f->bad_dir);
		return;
	}
	snprintf(v, vl, "Nothing listens at %s and no server of that name was "
	    "found on this machine. Start the server, or check where it puts "
	    "its socket (for PostgreSQL: SHOW unix_socket_directories).", p);
}
