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
#include "doctarget.h"
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
"TARGET is what you have at hand:\n"
"  /path/to/socket, sock.sock (relative), unix:/path, unix:@name, tcp:HOST:PORT\n"
"  DIR                  a directory: libpq's -h DIR; lists its .s.PGSQL.*\n"
"                       sockets and checks the one for -p, PGPORT or 5432\n"
"  postgresql://user@%2Ftmp:5432/db, postgresql:///db?host=/var/run/postgresql\n"
"  'host=/tmp port=5433 dbname=x'   a libpq conninfo string\n"
"  'connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: ...'\n"
"                       a libpq error message pasted whole (old forms too)\n"
"  config/database.yml  Rails' settings for RAILS_ENV (default development),\n"
"                       its ERB defaults, and DATABASE_URL when set\n"
"  -h DIR -p PORT       as libpq takes them: DIR/.s.PGSQL.PORT\n"
"  --pg                 libpq's default socket (PGHOST, PGPORT, else\n"
"                       " PGURI_DEFAULT_DIR "/.s.PGSQL.5432)\n"
"With no TARGET: ./config/database.yml, else DATABASE_URL, else the PG*\n"
"environment (PGHOST, PGPORT, PGDATABASE, PGUSER). A URI or conninfo that\n"
"names no host or port takes PGHOST and PGPORT, as libpq does.\n"
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
	struct doctarget_in in;
	struct diag_target t;
	struct diag *d;
	char err[600];
	int rc;
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
	if (argc > 1 || (argc == 1 && (host || pg))) {
		log_err("doctor: give one TARGET, or -h/-p, or --pg (see "
		    "'sockbridge doctor --help')");
		return EXIT_USAGE;
	}
	in.arg = argc == 1 ? argv[0] : NULL;
	in.host = host;
	in.port = port;
	in.pg = pg;
	if ((rc = doctarget_resolve(&t, &in, err, sizeof(err))) != 0) {
		if (rc == 1)
			log_err("doctor: give one TARGET, or -h/-p, or --pg, or "
			    "run it where config/database.yml, DATABASE_URL or "
			    "PGHOST is (see 'sockbridge doctor --help')");
		else
			log_err("doctor: %s", err);
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
