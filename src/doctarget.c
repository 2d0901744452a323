/*
 * doctarget: see doctarget.h. Each form ends in one of three targets:
 * libpq's host and port (pg_target: a directory gives DIR/.s.PGSQL.PORT,
 * a name gives tcp), a socket path, or an address for addr_parse. What
 * the input said goes to t->from, which doctor shows as a note.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "dbyml.h"
#include "doctarget.h"
#include "errbuf.h"
#include "num.h"
#include "pgerr.h"
#include "pguri.h"

#define SUN_MAX		107
#define YML_MAX		(256 * 1024)
#define MYSQL_PORT	3306
#ifdef __APPLE__
#define MYSQL_SOCKET	"/tmp/mysql.sock"
#else
#define MYSQL_SOCKET	"/var/run/mysqld/mysqld.sock"
#endif

/* Append to t->from, "; " between parts. */
static void from_add(struct diag_target *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
from_add(struct diag_target *t, const char *fmt, ...)
{
	size_t n = strlen(t->from);
	va_list ap;

	if (n > 0 && n + 2 < sizeof(t->from)) {
		memcpy(t->from + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(t->from + n, sizeof(t->from) - n, fmt, ap);
	va_end(ap);
}

/* PGPORT as a number, or 0. */
static unsigned int
env_port(void)
{
	const char *s = getenv("PGPORT");
	long n;

	if (s == NULL || num_parse_int(s, 1, 65535, &n) == -1)
		return 0;
	return (unsigned int)n;
}

/* ".s.PGSQL.5432" -> 5432: the port PostgreSQL names its socket after. */
static unsigned int
pg_port_of(const char *path)
{
	const char *b = strrchr(path, '/');
	long n;

	b = b ? b + 1 : path;
	if (strncmp(b, ".s.PGSQL.", 9) != 0 ||
	    num_parse_int(b + 9, 1, 65535, &n) == -1)
		return 0;
	return (unsigned int)n;
}

/* s made absolute against the current directory, "./" dropped, into
 * out. Returns 0 or -1. */
static int
absolute(const char *s, char *out, size_t outlen)
{
	char cwd[PATH_MAX];

	if (s[0] == '/')
		return snprintf(out, outlen, "%s", s) < (int)outlen ? 0 : -1;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return -1;
	while (s[0] == '.' && s[1] == '/')
		for (s += 2; *s == '/'; s++)
			;
	if (strcmp(s, ".") == 0 || *s == '\0')
		return snprintf(out, outlen, "%s", cwd) < (int)outlen ? 0 : -1;
	return snprintf(out, outlen, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" :
	    "", s) < (int)outlen ? 0 : -1;
}

/* Fill t from a libpq host (dir, name or @abstract) and port; port_given
 * says the port came from the user (not the default). */
static int
pg_target(struct diag_target *t, const char *host, unsigned int port,
    char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct pguri u;

	/* A relative directory works for libpq as for a path. */
	if (host != NULL && host[0] != '\0' && host[0] != '/' &&
	    host[0] != '@' && (host[0] == '.' || strchr(host, '/') != NULL) &&
	    absolute(host, dir, sizeof(dir)) == 0)
		host = dir;
	if (pguri_from_host(&u, host, port, err, errlen) == -1)
		return -1;
	t->pg = 1;
	t->pg_port = u.port;
	t->port_given = port != 0;
	if (u.is_unix && u.path[0] == '@') {
		/* libpq: a host starting with '@' is an abstract socket. */
		t->kind = DIAG_ABSTRACT;
		snprintf(t->path, sizeof(t->path), "%s", u.path + 1);
	} else if (u.is_unix) {
		t->kind = DIAG_UNIX;
		snprintf(t->path, sizeof(t->path), "%s", u.path);
	} else {
		t->kind = DIAG_TCP;
		snprintf(t->host, sizeof(t->host), "%s",
		    strcmp(u.host, "localhost") == 0 ? "127.0.0.1" : u.host);
		t->port = u.port;
	}
	return 0;
}

/* A URI or conninfo's host and port, PGHOST and PGPORT for what it lacks,
 * as libpq does. */
static int
pg_target_u(struct diag_target *t, const struct pguri *u, char *err,
    size_t errlen)
{
	const char *h = u->host_given ? u->host : getenv("PGHOST");
	unsigned int port = u->port_given ? u->port : env_port();

	if (!u->host_given && h != NULL)
		from_add(t, "host from PGHOST=%s", h);
	if (!u->port_given && port != 0)
		from_add(t, "port from PGPORT=%u", port);
	return pg_target(t, h, port, err, errlen);
}

static int
uri_target(struct diag_target *t, const char *s, char *err, size_t errlen)
{
	char e[256];
	struct pguri u;

	if (pguri_parse(&u, s, e, sizeof(e)) == -1)
		return errbuf_set(err, errlen, "%s: %s", s, e);
	return pg_target_u(t, &u, err, errlen);
}

/* The environment for dbyml's ERB. */
static const char *
yml_getenv(const char *name, void *arg)
{
	(void)arg;
	return getenv(name);
}

/* Read a small file into a NUL-terminated malloc'd buffer. */
static char *
slurp(const char *path, size_t *lenp, char *err, size_t errlen)
{
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		errbuf_set(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(YML_MAX + 1)) == NULL) {
		close(fd);
		errbuf_set(err, errlen, "out of memory");
		return NULL;
	}
	while (len < YML_MAX && (n = read(fd, buf + len, YML_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/* Rails' config/database.yml for RAILS_ENV (RACK_ENV, development). */
static int
yml_target(struct diag_target *t, const char *file, char *err, size_t errlen)
{
	const char *env = getenv("RAILS_ENV"), *url = getenv("DATABASE_URL");
	char e[256], *text;
	struct dbyml y;
	size_t len;
	int rc, pg, mysql;

	if (env == NULL || *env == '\0')
		env = getenv("RACK_ENV");
	if (env == NULL || *env == '\0')
		env = "development";
	if ((text = slurp(file, &len, err, errlen)) == NULL)
		return -1;
	rc = dbyml_parse(text, len, env, yml_getenv, NULL, &y, e, sizeof(e));
	free(text);
	if (rc == -1)
		return errbuf_set(err, errlen, "%s: %s", file, e);
	from_add(t, "%s, %s (RAILS_ENV%s%s): adapter %s%s%s%s%s%s%s%s%s",
	    file, y.block,
	    getenv("RAILS_ENV") ? "=" : " unset, the default",
	    getenv("RAILS_ENV") ? env : "",
	    y.adapter[0] ? y.adapter : "(none)",
	    y.host[0] ? ", host " : "", y.host,
	    y.port[0] ? ", port " : "", y.port,
	    y.socket[0] ? ", socket " : "", y.socket,
	    y.database[0] ? ", database " : "", y.database);
	if (y.erb_unknown[0] != '\0')
		from_add(t, "ERB doctor does not understand, taken as empty: "
		    "%s", y.erb_unknown);
	if (url != NULL && *url != '\0')
		from_add(t, "DATABASE_URL is set and wins over the file");
	else if (y.url[0] != '\0') {
		url = y.url;
		from_add(t, "url: %s", y.url);
	} else
		url = NULL;
	pg = strstr(y.adapter, "postg") != NULL || (url != NULL &&
	    strncmp(url, "postgres", 8) == 0);
	mysql = strstr(y.adapter, "mysql") != NULL || strcmp(y.adapter,
	    "trilogy") == 0 || (url != NULL && (strncmp(url, "mysql", 5) == 0 ||
	    strncmp(url, "trilogy", 7) == 0));
	if (strstr(y.adapter, "sqlite") != NULL && url == NULL)
		return errbuf_set(err, errlen, "%s: %s uses %s: a database "
		    "file, no server to connect to", file, y.block, y.adapter);
	if (pg) {
		struct pguri u;
		long n;

		if (url != NULL) {
			if (pguri_parse(&u, url, e, sizeof(e)) == -1)
				return errbuf_set(err, errlen, "%s: %s", url, e);
			if (!u.host_given && y.host[0]) {
				snprintf(u.host, sizeof(u.host), "%s", y.host);
				u.host_given = 1;
			}
		} else {
			memset(&u, 0, sizeof(u));
			snprintf(u.host, sizeof(u.host), "%s", y.host);
			u.host_given = y.host[0] != '\0';
		}
		if (!u.port_given && y.port[0] != '\0') {
			if (num_parse_int(y.port, 1, 65535, &n) == -1)
				return errbuf_set(err, errlen, "%s: port: %s is "
				    "not a port", file, y.port);
			u.port = (unsigned int)n;
			u.port_given = 1;
		}
		if (y.socket[0] != '\0')
			from_add(t, "socket: is a MySQL setting, the PostgreSQL "
			    "adapter ignores it (write host: DIRECTORY)");
		return pg_target_u(t, &u, err, errlen);
	}
	if (mysql && url == NULL) {
		long n = MYSQL_PORT;

		if (y.port[0] && num_parse_int(y.port, 1, 65535, &n) == -1)
			return errbuf_set(err, errlen, "%s: port: %s is not a "
			    "port", file, y.port);
		if (y.socket[0] != '\0' || y.host[0] == '\0' ||
		    strcmp(y.host, "localhost") == 0) {
			/* libmysqlclient: localhost means its socket. */
			t->kind = DIAG_UNIX;
			if (absolute(y.socket[0] ? y.socket : MYSQL_SOCKET,
			    t->path, sizeof(t->path)) == -1)
				return errbuf_set(err, errlen, "socket path too "
				    "long");
			if (!y.socket[0])
				from_add(t, "no socket: the MySQL client's "
				    "default, " MYSQL_SOCKET);
			return 0;
		}
		t->kind = DIAG_TCP;
		snprintf(t->host, sizeof(t->host), "%s", y.host);
		t->port = (unsigned int)n;
		return 0;
	}
	return errbuf_set(err, errlen, "%s: %s: adapter '%s' is not one doctor "
	    "knows (postgresql, mysql2, trilogy)", file, y.block,
	    y.adapter[0] ? y.adapter : (url ? url : ""));
}

/* A libpq error message pasted whole. */
static int
pgerr_target(struct diag_target *t, const char *s, char *err, size_t errlen)
{
	char e[256];
	struct pgerr pe;

	if (pgerr_parse(&pe, s, e, sizeof(e)) == -1)
		return errbuf_set(err, errlen, "libpq message: %s", e);
	if (pe.path[0] != '\0') {
		from_add(t, "the libpq message names socket %s%s%s%s", pe.path,
		    pe.reason[0] ? " and says \"" : "", pe.reason,
		    pe.reason[0] ? "\"" : "");
		t->kind = DIAG_UNIX;
		if (absolute(pe.path, t->path, sizeof(t->path)) == -1)
			return errbuf_set(err, errlen, "path too long");
		t->pg = 1;
		t->pg_port = pe.port ? pe.port : pg_port_of(t->path);
		return 0;
	}
	from_add(t, "the libpq message names host %s%s%s%s, port %u%s%s%s",
	    pe.host, pe.addr[0] ? " (" : "", pe.addr, pe.addr[0] ? ")" : "",
	    pe.port, pe.reason[0] ? " and says \"" : "", pe.reason,
	    pe.reason[0] ? "\"" : "");
	t->kind = DIAG_TCP;
	t->pg = 1;
	t->pg_port = pe.port;
	t->port = pe.port;
	snprintf(t->host, sizeof(t->host), "%s", pe.addr[0] ? pe.addr :
	    strcmp(pe.host, "localhost") == 0 ? "127.0.0.1" : pe.host);
	return 0;
}

/* A socket path, absolute or relative. */
static int
path_target(struct diag_target *t, const char *p, char *err, size_t errlen)
{
	if (strlen(p) >= sizeof(t->path))
		return errbuf_set(err, errlen, "path longer than %zu bytes",
		    sizeof(t->path) - 1);
	t->kind = DIAG_UNIX;
	snprintf(t->path, sizeof(t->path), "%s", p);
	if (p[0] != '/' && absolute(p, t->path, sizeof(t->path)) == 0) {
		if (strlen(t->path) > SUN_MAX && strlen(p) <= SUN_MAX)
			snprintf(t->path, sizeof(t->path), "%s", p);
		else
			from_add(t, "%s is relative: checked as %s, from the "
			    "current directory; a client started elsewhere "
			    "looks elsewhere", p, t->path);
	}
	t->pg_port = pg_port_of(t->path);
	t->pg = t->pg_port > 0;
	return 0;
}

/* A directory: libpq's -h DIR, with -p, PGPORT or 5432. */
static int
dir_target(struct diag_target *t, const char *dir, unsigned int port,
    char *err, size_t errlen)
{
	char abs[PATH_MAX];

	if (absolute(dir, abs, sizeof(abs)) == -1)
		return errbuf_set(err, errlen, "path too long");
	if (port == 0 && (port = env_port()) != 0)
		from_add(t, "port from PGPORT=%u", port);
	from_add(t, "%s is a directory: checked as libpq's -h %s%s", dir, abs,
	    port ? "" : " with the default port");
	t->dir_given = 1;
	return pg_target(t, abs, port, err, errlen);
}

/* Does s end with suffix? */
static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
arg_target(struct diag_target *t, const char *s, unsigned int port,
    char *err, size_t errlen)
{
	char e[ADDR_ERR_MAX];
	const char *p = strncmp(s, "unix:", 5) == 0 ? s + 5 : s;
	struct addr a;
	struct stat st;
	int exists = stat(p, &st) == 0;

	if (port != 0 && !(exists && S_ISDIR(st.st_mode)))
		return errbuf_set(err, errlen, "-p goes with -h or a directory; "
		    "%s is neither", s);
	if (strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0)
		return uri_target(t, s, err, errlen);
	if (pgerr_match(s))
		return pgerr_target(t, s, err, errlen);
	if (pguri_is_conninfo(s)) {
		struct pguri u;

		if (pguri_conninfo(&u, s, e, sizeof(e)) == -1)
			return errbuf_set(err, errlen, "conninfo: %s", e);
		snprintf(e, sizeof(e), "%u", u.port);
		from_add(t, "a conninfo string: host %s, port %s%s%s%s%s",
		    u.host_given ? u.host : "(none)", u.port_given ? e :
		    "(none)", u.dbname[0] ? ", dbname " : "", u.dbname,
		    u.user[0] ? ", user " : "", u.user);
		return pg_target_u(t, &u, err, errlen);
	}
	if (exists && S_ISREG(st.st_mode) && (ends_with(s, ".yml") ||
	    ends_with(s, ".yaml")))
		return yml_target(t, s, err, errlen);
	if (exists && S_ISDIR(st.st_mode))
		return dir_target(t, p, port, err, errlen);
	if ((p != s && p[0] != '@') || s[0] == '/' || s[0] == '.' || strchr(s, ':') == NULL ||
	    exists)
		return path_target(t, p, err, errlen);
	if (addr_parse(&a, s, e, sizeof(e)) == -1)
		return errbuf_set(err, errlen, "%s: %s", s, e);
	if (a.kind == ADDR_ABSTRACT) {
		t->kind = DIAG_ABSTRACT;
		snprintf(t->path, sizeof(t->path), "%.*s", (int)a.path_len,
		    a.path);
	} else if (a.kind == ADDR_TCP) {
		t->kind = DIAG_TCP;
		snprintf(t->host, sizeof(t->host), "%s", a.host_given ?
		    (strcmp(a.host, "localhost") == 0 ? "127.0.0.1" : a.host) :
		    "127.0.0.1");
		t->port = a.port;
		t->pg = a.port == PGURI_DEFAULT_PORT;
		t->pg_port = t->pg ? a.port : 0;
	} else
		return errbuf_set(err, errlen, "%s: give a socket path, a "
		    "directory, unix:, tcp:, a postgresql:// URI, a conninfo "
		    "string, a libpq error message or a database.yml", s);
	return 0;
}

int
doctarget_resolve(struct diag_target *t, const struct doctarget_in *in,
    char *err, size_t errlen)
{
	const char *h = in->host, *url = getenv("DATABASE_URL");
	unsigned int port = in->port;
	struct stat st;

	memset(t, 0, sizeof(*t));
	if (in->arg != NULL)
		return arg_target(t, in->arg, port, err, errlen);
	if (h != NULL || port != 0 || in->pg) {
		if (h == NULL && (h = getenv("PGHOST")) != NULL)
			from_add(t, "host from PGHOST=%s", h);
		if (port == 0 && (port = env_port()) != 0)
			from_add(t, "port from PGPORT=%u", port);
		return pg_target(t, h, port, err, errlen);
	}
	/* Nothing given: what the client here would use. */
	if (stat("config/database.yml", &st) == 0)
		return yml_target(t, "config/database.yml", err, errlen);
	if (url != NULL && *url != '\0') {
		from_add(t, "DATABASE_URL");
		return uri_target(t, url, err, errlen);
	}
	if (getenv("PGHOST") || getenv("PGPORT") || getenv("PGDATABASE") ||
	    getenv("PGUSER")) {
		h = getenv("PGHOST");
		port = env_port();
		from_add(t, "the PG* environment: PGHOST=%s PGPORT=%s%s%s%s%s",
		    h ? h : "(unset)", getenv("PGPORT") ? getenv("PGPORT") :
		    "(unset)", getenv("PGDATABASE") ? " PGDATABASE=" : "",
		    getenv("PGDATABASE") ? getenv("PGDATABASE") : "",
		    getenv("PGUSER") ? " PGUSER=" : "",
		    getenv("PGUSER") ? getenv("PGUSER") : "");
		return pg_target(t, h, port, err, errlen);
	}
	return 1;
}
