/*
 * cmd-doctor: "sockbridge doctor TARGET": why a connection to a socket
 * file or port fails, and what to do. Exit 0 when a connection works, 1
 * when not, 2 on a usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cmd.h"
#include "diag.h"
#include "esc.h"
#include "log.h"
#include "pguri.h"
#include "probe.h"
#include "svccheck.h"
#include "verdict.h"

static const char doctor_help[] =
"usage: sockbridge doctor [--json] [--pg] [--service NAME] [-h HOST|DIR] [-p PORT] [TARGET]\n"
"\n"
"Explain why a connection to a socket file or port fails, and what to do.\n"
"TARGET is one of:\n"
"  /path/to/socket, unix:/path, unix:@name, tcp:HOST:PORT\n"
"  postgresql://user@%2Ftmp:5432/db, postgresql:///db?host=/var/run/postgresql\n"
"  -h DIR -p PORT       as libpq takes them: DIR/.s.PGSQL.PORT\n"
"  --pg                 libpq's default socket (PGHOST, PGPORT, else\n"
"                       " PGURI_DEFAULT_DIR "/.s.PGSQL.5432)\n"
"Options:\n"
"  --json               one JSON object instead of text\n"
"  --service NAME       the protocol to ask the server in: postgresql,\n"
"                       mysql, redis, docker, http, or auto (each in\n"
"                       turn); default: by the socket's well-known name\n"
"      --help           this text\n"
"Exit status: 0 a connection works, 1 it does not, 2 usage error.\n";

static const struct option longopts[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "pg",		no_argument,		NULL, 'P' },
	{ "host",	required_argument,	NULL, 'h' },
	{ "port",	required_argument,	NULL, 'p' },
	{ "service",	required_argument,	NULL, 'S' },
	{ "help",	no_argument,		NULL, 'H' },
	{ NULL,		0,			NULL, 0 },
};

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

/* Fill t from a libpq host (dir or name) and port. */
static int
target_from_pg(struct diag_target *t, const char *host, unsigned int port)
{
	struct pguri u;
	char err[256];

	if (pguri_from_host(&u, host, port, err, sizeof(err)) == -1) {
		log_err("doctor: %s", err);
		return -1;
	}
	t->pg = 1;
	t->pg_port = u.port;
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

static int
parse_target(struct diag_target *t, const char *s)
{
	char err[ADDR_ERR_MAX];
	struct addr a;

	memset(t, 0, sizeof(*t));
	if (strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0) {
		struct pguri u;

		if (pguri_parse(&u, s, err, sizeof(err)) == -1) {
			log_err("doctor: %s: %s", s, err);
			return -1;
		}
		return target_from_pg(t, u.host, u.port);
	}
	/* A plain path may be too long for an address: check it anyway. */
	if (s[0] == '/' || s[0] == '.' || strncmp(s, "unix:/", 6) == 0 ||
	    strncmp(s, "unix:.", 6) == 0) {
		const char *p = s[0] == 'u' ? s + 5 : s;

		if (strlen(p) >= sizeof(t->path)) {
			log_err("doctor: path longer than %zu bytes",
			    sizeof(t->path) - 1);
			return -1;
		}
		t->kind = DIAG_UNIX;
		snprintf(t->path, sizeof(t->path), "%s", p);
		t->pg_port = pg_port_of(p);
		t->pg = t->pg_port > 0;
		return 0;
	}
	if (addr_parse(&a, s, err, sizeof(err)) == -1) {
		log_err("doctor: %s: %s", s, err);
		return -1;
	}
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
	} else {
		log_err("doctor: %s: give a socket path, unix:, tcp: or a "
		    "postgresql:// URI", s);
		return -1;
	}
	return 0;
}

static const char *const marks[] = { "ok", "note", "problem" };

static void
target_name(const struct diag_target *t, char *buf, size_t len)
{
	if (t->kind == DIAG_TCP)
		snprintf(buf, len, strchr(t->host, ':') ? "tcp:[%s]:%u" :
		    "tcp:%s:%u", t->host, t->port);
	else
		snprintf(buf, len, "unix:%s%s", t->kind == DIAG_ABSTRACT ? "@" :
		    "", t->path);
}

/* Print text wrapped at 78 columns, continuation lines indented. */
static void
print_wrapped(const char *first, const char *text, int indent)
{
	int col = printf("%s", first);
	const char *p = text;

	while (*p != '\0') {
		size_t w = strcspn(p, " ");

		if (col + 1 + (int)w > 78 && col > indent) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (p != text) {
			putchar(' ');
			col++;
		}
		col += printf("%.*s", (int)w, p);
		p += w;
		while (*p == ' ')
			p++;
	}
	putchar('\n');
}

static void
print_text(const struct diag_target *t, const struct diag *d)
{
	char name[4200], head[64];

	target_name(t, name, sizeof(name));
	printf("sockbridge doctor: %s\n", name);
	for (int i = 0; i < d->n; i++) {
		snprintf(head, sizeof(head), "  %-8s %-10s ", marks[d->c[i].mark],
		    d->c[i].topic);
		print_wrapped(head, d->c[i].text, 22);
	}
	print_wrapped("verdict: ", d->verdict, 9);
}

static void
print_json(const struct diag_target *t, const struct diag *d)
{
	char name[4200];

	target_name(t, name, sizeof(name));
	fputs("{\"target\":", stdout);
	esc_json(stdout, name);
	printf(",\"connect\":{\"ok\":%s,\"errno\":", d->connect_ok ? "true" :
	    "false");
	if (d->connect_ok)
		fputs("null", stdout);
	else
		esc_json(stdout, verdict_errno_name(d->connect_errno));
	fputs("},\"checks\":[", stdout);
	for (int i = 0; i < d->n; i++) {
		printf("%s{\"mark\":\"%s\",\"topic\":", i ? "," : "",
		    marks[d->c[i].mark]);
		esc_json(stdout, d->c[i].topic);
		fputs(",\"text\":", stdout);
		esc_json(stdout, d->c[i].text);
		fputc('}', stdout);
	}
	fputs("],\"verdict\":", stdout);
	esc_json(stdout, d->verdict);
	fputs("}\n", stdout);
}

static int
run_doctor(int argc, char **argv)
{
	struct diag_target t;
	struct diag *d;
	const char *host = NULL, *service = NULL;
	unsigned int port = 0;
	int ch, json = 0, pg = 0, fail;
	long n;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h:p:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'P':
			pg = 1;
			break;
		case 'h':
			host = optarg;
			break;
		case 'p':
			if (num_parse_int(optarg, 1, 65535, &n) == -1) {
				log_err("doctor: -p %s: not a port from 1 to "
				    "65535", optarg);
				return EXIT_USAGE;
			}
			port = (unsigned int)n;
			break;
		case 'S':
			if (strcmp(optarg, "auto") != 0 &&
			    probe_by_name(optarg) == NULL) {
				log_err("doctor: --service %s: not one of "
				    "postgresql, mysql, redis, docker, http, "
				    "auto", optarg);
				return EXIT_USAGE;
			}
			service = optarg;
			break;
		case 'H':
			fputs(doctor_help, stdout);
			return 0;
		default:
			log_err("doctor: %s '%s' (see 'sockbridge doctor "
			    "--help')", optopt ? "option needs a value:" :
			    "unknown option", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1 || (argc == 1 && (host || port || pg)) ||
	    (argc == 0 && !host && !port && !pg)) {
		log_err("doctor: give one TARGET, or -h/-p, or --pg (see "
		    "'sockbridge doctor --help')");
		return EXIT_USAGE;
	}
	if (argc == 1) {
		if (parse_target(&t, argv[0]) == -1)
			return EXIT_USAGE;
	} else {
		const char *env_port = getenv("PGPORT");

		memset(&t, 0, sizeof(t));
		if (host == NULL)
			host = getenv("PGHOST");
		if (port == 0 && env_port != NULL &&
		    num_parse_int(env_port, 1, 65535, &n) == 0)
			port = (unsigned int)n;
		if (target_from_pg(&t, host, port) == -1)
			return EXIT_USAGE;
	}
	if ((d = malloc(sizeof(*d))) == NULL) {
		log_err("doctor: out of memory");
		return 1;
	}
	diag_run(&t, d);
	fail = svccheck_run(&t, service, d);
	if (json)
		print_json(&t, d);
	else
		print_text(&t, d);
	ch = d->connect_ok && !fail ? 0 : 1;
	free(d);
	return ch;
}

const struct cmd cmd_doctor = {
	"doctor", "[--json] [--pg] [--service NAME] [-h HOST|DIR] [-p PORT] [TARGET]",
	"explain why a connection to a socket or port fails",
	run_doctor,
};
