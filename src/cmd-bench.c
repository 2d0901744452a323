/*
 * cmd-bench: "sockbridge bench", how much faster a unix socket is than tcp
 * on this machine, and what a relay costs.
 *
 * Without --address it starts its own servers: a "sockbridge echo" on
 * loopback tcp and on a socket file in a private temp dir, a real
 * "sockbridge relay" from a second socket file to the tcp echo, and, with
 * --compare, other relays the same way (benchenv.c starts them all). It
 * parses the options, runs the paths interleaved and keeps the medians.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "bench.h"
#include "benchenv.h"
#include "cmd.h"
#include "corpus.h"
#include "errbuf.h"
#include "log.h"
#include "net.h"
#include "opt.h"
#include "report.h"
#include "report-json.h"
#include "report-svg.h"
#include "report-table.h"
#include "util.h"

#define MAX_SIZES	16
#define MAX_USERS	16
#define MAX_PATHS	BENCHENV_PATHS_MAX
#define MAX_ROWS	512
#define MAX_REPEAT	100
#define INPUT_MAX	(1024L * 1024 * 1024)

static const char bench_help[] =
"usage: sockbridge bench [lines|pingpong|stream|stream-up] [options]\n"
"\n"
"Measure round trips and throughput over tcp, unix and a relay. With no\n"
"--address it starts its own echo servers (tcp on loopback, unix in a\n"
"private temp dir) and a real 'sockbridge relay' (unix -> relay -> tcp);\n"
"with no options it runs the line-echo experiment on a built-in corpus\n"
"shaped like War and Peace, 1 and 10 users, and prints one table.\n"
"\n"
"Workloads (--mode):\n"
"  lines      send a line, wait for its whole echo, then the next (default)\n"
"  pingpong   fixed-size messages, one in flight per user (--size 64,1K,64K)\n"
"  stream     bulk writes of --size bytes, echoed back (both ways)\n"
"  stream-up  bulk writes into a server that discards (one way)\n"
"\n"
"Options take one dash or two. The Go client's command line runs as it\n"
"did: when -network, -address, -input, -loop or -users is written with\n"
"one dash, the defaults are 1 user and 1 run (not 1,10 users, up to 3\n"
"runs).\n"
"  --network tcp|unix   only this path (or how to read --address)\n"
"  --address ADDR       use this echo server: HOST:PORT, PATH, tcp:, unix:\n"
"                       (its CPU is not counted: bench did not start it)\n"
"  --input FILE         lines from FILE instead of the built-in corpus\n"
"                       (the table names FILE and its line count)\n"
"  --loop N             passes over the input (default 1)\n"
"  --users LIST         concurrent clients, e.g. 1,10 (default 1,10)\n"
"  --size LIST          message sizes, e.g. 64,1K,64K (pingpong, stream)\n"
"  --duration D         pingpong/stream run time (default 2s)\n"
"  --count N            pingpong messages per user instead of a duration\n"
"  --warmup D           leave out samples of the first D (default 200ms)\n"
"  --rate N             open loop: N messages/s per user, latency counted\n"
"                       from when each message was due\n"
"  --compare LIST       also run through socat,haproxy,systemd-socket-proxyd,\n"
"                       nginx (those installed); a relay's CPU counts the\n"
"                       processes it forks\n"
"  --no-relay           skip the unix->relay->tcp path\n"
"  --repeat N           run each row N times, paths interleaved, and report\n"
"                       the median (default: lines up to 3 times within\n"
"                       about a minute, others once)\n"
"  --json               JSON lines instead of the table\n"
"  --svg FILE           also draw the results as an SVG chart\n"
"  -h, --help           this text\n"
"\n"
"CPU: the server's and relay's are read from /proc (Linux) or libproc\n"
"(macOS); elsewhere the report says \"CPU: not measured on this system\".\n";

static const char *const work_names[] = {
	"lines", "pingpong", "stream", "stream-up",
};

struct opts {
	enum bench_work	 work;
	const char	*network;	/* NULL, "tcp", "unix" */
	const char	*address;
	const char	*input;
	int		 loop;
	int		 users[MAX_USERS], nusers;
	size_t		 sizes[MAX_SIZES];
	int		 nsizes;
	int		 duration_ms, warmup_ms;
	int		 count;		/* pingpong messages a user, 0: none */
	double		 rate;
	const char	*compare;
	int		 no_relay;
	int		 json;
	const char	*svg;
	int		 repeat;
	int		 budget_s;	/* default repeats stop past this */
	int		 users_given;
	int		 go_style;	/* the Go client's command line */
};

/* "64", "1K", "64K", "1M" -> bytes, 1 to 64 MiB. */
static int
parse_size(const char *s, size_t *out)
{
	return num_parse_size(s, 1, 64 * 1024 * 1024, out);
}

/* Comma-separated list of sizes or counts. Returns how many, or -1. */
static int
parse_list(const char *s, size_t *out, int max, int sizes)
{
	char buf[256], *tok, *save = NULL;
	int n = 0;

	if (strlen(s) >= sizeof(buf) || *s == '\0')
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		long v;

		if (n == max)
			return -1;
		if (sizes) {
			if (parse_size(tok, &out[n]) == -1)
				return -1;
		} else {
			if (num_parse_int(tok, 1, 1000, &v) == -1)
				return -1;
			out[n] = (size_t)v;
		}
		n++;
	}
	return n;
}

/* --network tcp|unix */
static int
opt_network(const char *v, void *ctx, char *err, size_t errlen)
{
	struct opts *o = ctx;

	if (strcmp(v, "tcp") != 0 && strcmp(v, "unix") != 0)
		return errbuf_set(err, errlen, "--network %s: use tcp or unix",
		    v);
	o->network = v;
	return 0;
}

/* --users 1,10 */
static int
opt_users(const char *v, void *ctx, char *err, size_t errlen)
{
	struct opts *o = ctx;
	size_t tmp[MAX_USERS];
	int n;

	if ((n = parse_list(v, tmp, MAX_USERS, 0)) < 0)
		return errbuf_set(err, errlen, "--users %s: a list of up to %d "
		    "numbers from 1 to 1000, like 1,10", v, MAX_USERS);
	for (o->nusers = 0; o->nusers < n; o->nusers++)
		o->users[o->nusers] = (int)tmp[o->nusers];
	o->users_given = 1;
	return 0;
}

/* Index of workload name v in work_names, or -1. */
static int
work_index(const char *v)
{
	for (int i = 0; i < (int)nitems(work_names); i++)
		if (strcmp(v, work_names[i]) == 0)
			return i;
	return -1;
}

/* --mode lines|pingpong|stream|stream-up */
static int
opt_mode(const char *v, void *ctx, char *err, size_t errlen)
{
	struct opts *o = ctx;
	int i;

	if ((i = work_index(v)) == -1)
		return errbuf_set(err, errlen, "--mode %s: use lines, "
		    "pingpong, stream or stream-up", v);
	o->work = (enum bench_work)i;
	return 0;
}

/* --size 64,1K,64K */
static int
opt_size(const char *v, void *ctx, char *err, size_t errlen)
{
	struct opts *o = ctx;

	if ((o->nsizes = parse_list(v, o->sizes, MAX_SIZES, 1)) < 0)
		return errbuf_set(err, errlen, "--size %s: a list of sizes "
		    "from 1 to 64M, like 64,1K,64K", v);
	return 0;
}

/* --rate N: messages per second per user, a real number. */
static int
opt_rate(const char *v, void *ctx, char *err, size_t errlen)
{
	struct opts *o = ctx;
	char *end;

	o->rate = strtod(v, &end);
	if (*end != '\0' || !(o->rate >= 1 && o->rate <= 1e7))
		return errbuf_set(err, errlen, "--rate %s: messages per second "
		    "per user, from 1 to 10000000", v);
	return 0;
}

/* --compare socat,haproxy,...: names checked now, run later. */
static int
opt_compare(const char *v, void *ctx, char *err, size_t errlen)
{
	static const char *const peers[] = { "socat", "haproxy",
	    "systemd-socket-proxyd", "nginx" };
	struct opts *o = ctx;
	char buf[256], *tok, *save = NULL;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < nitems(peers) && strcmp(tok, peers[i]); i++)
			;
		if (i == nitems(peers))
			return errbuf_set(err, errlen, "--compare: unknown "
			    "relay '%s' (socat, haproxy, "
			    "systemd-socket-proxyd, nginx)", tok);
	}
	o->compare = v;
	return 0;
}

/*
 * After the options: the workload named as an argument (args[0..nargs)),
 * the defaults that depend on it, and the options that conflict. Returns
 * 0 or -1 (logged).
 */
static int
check_args(struct opts *o, char **args, int nargs)
{
	int i;

	if (nargs > 0) {
		if ((i = work_index(args[0])) == -1)
			return log_fail("unexpected argument '%s' (workloads: "
			    "lines, pingpong, stream, stream-up)", args[0]);
		if (nargs > 1)
			return log_fail("unexpected argument '%s'", args[1]);
		o->work = (enum bench_work)i;
	}
	/* The Go client's command line measures what that client did: one
	 * user unless -users says otherwise, one run. */
	if (o->go_style) {
		if (!o->users_given) {
			o->users[0] = 1;
			o->nusers = 1;
		}
		if (o->repeat == 0)
			o->repeat = 1;
	}
	/* The built-in default: up to 3 runs of the lines experiment, as
	 * long as the whole stays near a minute; --repeat asks for exactly
	 * that many. */
	if (o->repeat == 0) {
		o->repeat = o->work == BENCH_LINES ? 3 : 1;
		o->budget_s = 60;
	}
	if (o->nsizes == 0) {
		if (o->work == BENCH_PINGPONG) {
			o->sizes[0] = 64;
			o->sizes[1] = 1024;
			o->sizes[2] = 65536;
			o->nsizes = 3;
		} else {
			o->sizes[0] = 65536;
			o->nsizes = 1;
		}
	}
	if (o->work == BENCH_LINES && (o->count > 0 || o->nsizes > 1 ||
	    o->sizes[0] != 65536))
		return log_fail("--size and --count apply to pingpong and "
		    "stream; lines come from the input");
	if (o->work != BENCH_LINES && (o->input != NULL || o->loop != 1))
		return log_fail("--input and --loop apply to the lines "
		    "workload");
	if (o->count > 0 && o->work >= BENCH_STREAM)
		return log_fail("--count applies to pingpong; streams run for "
		    "--duration");
	if (o->rate > 0 && o->work >= BENCH_STREAM)
		return log_fail("--rate applies to lines and pingpong");
	if (o->address != NULL && (o->compare != NULL || o->no_relay))
		return log_fail("--compare and --no-relay need the built-in "
		    "servers (no --address)");
	return 0;
}

/*
 * Is argv, parsed with opts, the Go client's command line: one of its
 * options (-network, -address, -input, -loop, -users) written with one
 * dash? Walks the options as opt_parse() will, skipping their values.
 * Returns 1 or 0.
 */
static int
go_style(const struct opt_entry *opts, int argc, char **argv)
{
	static const char *const go_opts[] = {
		"network", "address", "input", "loop", "users",
	};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *name = a + 1 + (a[1] == '-');
		size_t len = strcspn(name, "=");
		const struct opt_entry *e;

		if (strcmp(a, "--") == 0)
			break;
		if (a[0] != '-' || a[1] == '\0')
			continue;
		for (e = opts; e->name != NULL; e++)
			if (strlen(e->name) == len &&
			    strncmp(e->name, name, len) == 0)
				break;
		if (e->name == NULL)
			continue;	/* opt_parse() will refuse it */
		if (a[1] != '-')
			for (size_t k = 0; k < nitems(go_opts); k++)
				if (strcmp(e->name, go_opts[k]) == 0)
					return 1;
		if (e->kind != OPT_FLAG && e->kind != OPT_COUNT &&
		    e->kind != OPT_HELP && e->kind != OPT_FUNC &&
		    name[len] != '=')
			i++;	/* its value */
	}
	return 0;
}

/* Parse argv into o. Returns 0, 1 when --help was printed, or -1 on a
 * usage error (logged). */
static int
parse_args(int argc, char **argv, struct opts *o)
{
	const struct opt_entry opts[] = {
		{ "network", 0, OPT_FUNC_ARG, 0, 0, NULL, opt_network, NULL },
		{ "address", 0, OPT_STR, 0, 0, &o->address, NULL, NULL },
		{ "input", 0, OPT_STR, 0, 0, &o->input, NULL, NULL },
		{ "loop", 0, OPT_INT, 1, 1000000, &o->loop, NULL,
		    "not a number from 1 to 1000000" },
		{ "users", 0, OPT_FUNC_ARG, 0, 0, NULL, opt_users, NULL },
		{ "mode", 0, OPT_FUNC_ARG, 0, 0, NULL, opt_mode, NULL },
		{ "size", 0, OPT_FUNC_ARG, 0, 0, NULL, opt_size, NULL },
		{ "duration", 0, OPT_DURATION, 1, 0, &o->duration_ms, NULL,
		    "not a duration (like 2s or 500ms)" },
		{ "count", 0, OPT_INT, 1, 1000000000, &o->count, NULL,
		    "not a number from 1 to 1000000000" },
		{ "warmup", 0, OPT_DURATION, 0, 0, &o->warmup_ms, NULL,
		    "not a duration (like 200ms)" },
		{ "rate", 0, OPT_FUNC_ARG, 0, 0, NULL, opt_rate, NULL },
		{ "compare", 0, OPT_FUNC_ARG, 0, 0, NULL, opt_compare, NULL },
		{ "no-relay", 0, OPT_FLAG, 0, 0, &o->no_relay, NULL, NULL },
		{ "json", 0, OPT_FLAG, 0, 0, &o->json, NULL, NULL },
		{ "svg", 0, OPT_STR, 0, 0, &o->svg, NULL, NULL },
		{ "repeat", 0, OPT_INT, 1, MAX_REPEAT, &o->repeat, NULL,
		    "not a number from 1 to 100" },
		{ "help", 'h', OPT_HELP, 0, 0, NULL, NULL, NULL },
		{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
	};
	char err[512];
	int first, rc;

	memset(o, 0, sizeof(*o));
	o->loop = 1;
	o->users[0] = 1;
	o->users[1] = 10;
	o->nusers = 2;
	o->duration_ms = 2000;
	o->warmup_ms = 200;
	o->go_style = go_style(opts, argc, argv);
	/* one dash or two: "-network tcp" as in the original client */
	rc = opt_parse(opts, "bench", OPT_LONG_ONLY, argc, argv, &first, o,
	    err, sizeof(err));
	if (rc == 1) {
		fputs(bench_help, stdout);
		return 1;
	}
	if (rc == -1)
		return log_fail("%s", err);
	return check_args(o, argv + first, argc - first);
}

/* Read a whole input file (lines workload). */
static char *
read_input(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_fail("input %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		log_fail("input %s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_size == 0 || st.st_size > INPUT_MAX) {
		log_fail("input %s: %s", path, st.st_size == 0 ?
		    "the file is empty" : "larger than 1 GiB");
		close(fd);
		return NULL;
	}
	if ((buf = malloc((size_t)st.st_size)) == NULL) {
		log_fail("input %s: out of memory", path);
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0) {
			log_fail("input %s: %s", path, n == 0 ?
			    "file shrank while reading" : strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return buf;
}

/* Resolve --address: "HOST:PORT" or a path as --network says; native
 * "tcp:"/"unix:" forms as they are. */
static int
resolve_address(const struct opts *o, struct benchenv_path *p)
{
	char spec[ADDR_CMD_MAX], err[ADDR_ERR_MAX];
	struct addr a;
	const char *net = o->network;

	if (strncmp(o->address, "tcp:", 4) == 0 ||
	    strncmp(o->address, "unix:", 5) == 0)
		snprintf(spec, sizeof(spec), "%s", o->address);
	else {
		if (net == NULL)
			net = (strchr(o->address, '/') != NULL ||
			    o->address[0] == '@') ? "unix" : "tcp";
		snprintf(spec, sizeof(spec), "%s:%s", net, o->address);
	}
	if (addr_parse(&a, spec, err, sizeof(err)) == -1 ||
	    (a.kind != ADDR_TCP && a.kind != ADDR_UNIX &&
	    a.kind != ADDR_ABSTRACT))
		return log_fail("--address %s: %s", o->address,
		    a.kind == ADDR_NONE ? err : "not a tcp or unix address");
	if (a.kind == ADDR_TCP && !a.host_given)
		snprintf(a.host, sizeof(a.host), "127.0.0.1");
	if (net_sockaddr(&a, 0, &p->sa, err, sizeof(err)) == -1)
		return log_fail("--address %s: %s", o->address, err);
	snprintf(p->name, sizeof(p->name), "%s", a.kind == ADDR_TCP ? "tcp" :
	    "unix");
	return 0;
}

/* The Debian package that installs the --compare peer named name. */
static const char *
peer_package(const char *name)
{
	if (strcmp(name, "nginx") == 0)
		return "nginx libnginx-mod-stream";
	if (strcmp(name, "socket-proxyd") == 0 ||
	    strcmp(name, "systemd-socket-proxyd") == 0)
		return "systemd";
	return name;
}

/* Paths to measure with the built-in servers. Returns how many or -1. */
static int
setup_paths(const struct opts *o, struct benchenv *e,
    struct benchenv_path *paths)
{
	char err[256];
	int n = 0;

	if (benchenv_servers(e, o->work == BENCH_STREAM_UP, err,
	    sizeof(err)) == -1)
		return log_fail("bench: %s", err);
	if (o->network == NULL || strcmp(o->network, "tcp") == 0) {
		snprintf(paths[n].name, sizeof(paths[n].name), "tcp");
		paths[n++].sa = e->tcp_sa;
	}
	if (o->network == NULL || strcmp(o->network, "unix") == 0) {
		snprintf(paths[n].name, sizeof(paths[n].name), "unix");
		paths[n++].sa = e->unix_sa;
	}
	if (!o->no_relay) {
		if (benchenv_relay(e, &paths[n], err, sizeof(err)) == -1)
			return log_fail("bench: %s", err);
		n++;
	}
	if (o->compare != NULL) {
		char buf[256], *tok, *save = NULL;
		char missing[256] = "", pkgs[256] = "";

		snprintf(buf, sizeof(buf), "%s", o->compare);
		for (tok = strtok_r(buf, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			int rc;

			if (n == MAX_PATHS)
				return log_fail("--compare: too many relays");
			rc = benchenv_peer(e, tok, &paths[n], err, sizeof(err));
			if (rc == -1)
				return log_fail("bench: %s", err);
			if (rc == 1) {
				size_t l = strlen(missing), k = strlen(pkgs);

				snprintf(missing + l, sizeof(missing) - l, "%s%s",
				    l ? ", " : "", tok);
				snprintf(pkgs + k, sizeof(pkgs) - k, " %s",
				    peer_package(tok));
				continue;
			}
			n++;
		}
		if (missing[0] != '\0')
			log_warn("bench: not installed, left out: %s (on Debian "
			    "and Ubuntu: apt-get install%s; or, in this "
			    "repository, scripts/install-deps --test)", missing,
			    pkgs);
	}
	return n;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_speed(const void *a, const void *b)
{
	double x = ((const double *)a)[0], y = ((const double *)b)[0];

	return x < y ? -1 : x > y;
}

/*
 * Keep the run of median speed as row->res, note the spread, free the
 * rest. A failed run is kept instead, so its error is reported.
 */
static void
pick_median(struct report_row *row, struct bench_result **runs, int n)
{
	double speed[MAX_REPEAT][2];
	struct report_row tmp = *row;
	int k = 0, keep;

	for (int i = 0; i < n && runs[i] != NULL; i++, k++) {
		tmp.res = runs[i];
		speed[i][0] = runs[i]->err[0] != '\0' ? -1 : report_speed(&tmp);
		speed[i][1] = i;
	}
	qsort(speed, (size_t)k, sizeof(speed[0]), cmp_speed);
	keep = speed[0][0] < 0 ? (int)speed[0][1] : (int)speed[k / 2][1];
	row->runs = k;
	row->spread = speed[k / 2][0] > 0 ?
	    (speed[k - 1][0] - speed[0][0]) / speed[k / 2][0] : 0;
	row->res = runs[keep];
	for (int i = 0; i < k; i++)
		if (i != keep)
			free(runs[i]);
}

static int
run_bench(int argc, char **argv)
{
	struct opts o;
	struct benchenv e;
	struct benchenv_path paths[MAX_PATHS];
	struct report_row *rows = NULL;
	struct bench_spec spec;
	char *data = NULL;
	size_t len = 0, nrows = 0;
	double t_start, t_group;
	uint64_t nlines = 0;
	int npaths, rc, status = 0;

	if ((rc = parse_args(argc, argv, &o)) != 0)
		return rc == 1 ? 0 : EXIT_USAGE;
	memset(&e, 0, sizeof(e));
	memset(paths, 0, sizeof(paths));	/* relay_pid 0: no relay */
	signal(SIGPIPE, SIG_IGN);
	if (o.work == BENCH_LINES) {
		data = o.input ? read_input(o.input, &len) :
		    corpus_generate(&len);
		if (data == NULL) {
			if (o.input == NULL)
				log_fail("bench: out of memory");
			return 1;
		}
		/* lines as the client sends them: a last one may lack '\n' */
		for (const char *p = data; p < data + len; p++)
			nlines += *p == '\n';
		nlines += data[len - 1] != '\n';
	}
	if (o.address != NULL) {
		npaths = 1;
		if (resolve_address(&o, &paths[0]) == -1) {
			free(data);
			return EXIT_USAGE;
		}
		paths[0].relay_pid = 0;
	} else if ((npaths = setup_paths(&o, &e, paths)) == -1) {
		benchenv_cleanup(&e);
		free(data);
		return 1;
	}
	rows = calloc(MAX_ROWS, sizeof(*rows));
	t_start = now_s();
	for (int si = 0; rows != NULL && si < o.nsizes && status == 0; si++)
	for (int ui = 0; ui < o.nusers && status == 0; ui++) {
		struct bench_result *runs[MAX_PATHS][MAX_REPEAT];

		if (nrows + (size_t)npaths > MAX_ROWS) {
			status = -log_fail("bench: too many runs");
			break;
		}
		memset(runs, 0, sizeof(runs));
		/* Interleave the paths (A B C A B C ...) so a burst of noise
		 * on this shared machine does not land on one path only.
		 * Under a time budget, stop repeating when another round of
		 * this group (as long as its first) would overrun it. */
		t_group = now_s();
		for (int rep = 0; rep < o.repeat && status == 0 &&
		    (rep < 1 || o.budget_s == 0 || now_s() - t_start +
		    (now_s() - t_group) / rep * (o.nusers - ui) <= o.budget_s);
		    rep++)
		for (int pi = 0; pi < npaths && status == 0; pi++) {
			struct bench_result *res = malloc(sizeof(*res));
			char label[128];

			if ((runs[pi][rep] = res) == NULL) {
				status = -log_fail("bench: out of memory");
				break;
			}
			memset(&spec, 0, sizeof(spec));
			spec.work = o.work;
			spec.sa = paths[pi].sa;
			spec.users = o.users[ui];
			spec.data = data;
			spec.len = len;
			spec.loop = o.loop;
			spec.size = o.sizes[si];
			spec.count = (uint64_t)o.count;
			spec.duration_ms = o.duration_ms;
			spec.warmup_ms = o.warmup_ms;
			spec.rate = o.rate;
			spec.server_pid = e.server_pid;
			spec.relay_pid = paths[pi].relay_pid;
			spec.progress = isatty(STDERR_FILENO);
			snprintf(label, sizeof(label), "%s %.47s, %d user%s, "
			    "run %d of %d", work_names[o.work], paths[pi].name,
			    spec.users, spec.users == 1 ? "" : "s", rep + 1,
			    o.repeat);
			spec.label = label;
			if (bench_run(&spec, res) == -1) {
				log_err("bench %s: %s", paths[pi].name, res->err);
				status = 1;
			} else if (res->note[0] != '\0')
				log_warn("bench %s: %s", paths[pi].name,
				    res->note);
		}
		for (int pi = 0; pi < npaths; pi++) {
			struct report_row *row = &rows[nrows];

			if (runs[pi][0] == NULL)
				continue;
			nrows++;
			snprintf(row->path, sizeof(row->path), "%.47s",
			    paths[pi].name);
			row->work = work_names[o.work];
			row->users = o.users[ui];
			row->size = o.work == BENCH_LINES ? 0 : o.sizes[si];
			row->loop = o.work == BENCH_LINES ? o.loop : 0;
			row->input = o.work == BENCH_LINES ? o.input : NULL;
			row->lines = nlines;
			row->rate = o.rate;
			pick_median(row, runs[pi], o.repeat);
		}
	}
	if (rows == NULL)
		status = -log_fail("bench: out of memory");
	benchenv_cleanup(&e);
	if (nrows > 0) {
		if (o.json)
			report_json(stdout, rows, nrows);
		else
			report_table(stdout, rows, nrows);
		if (o.svg != NULL && (rc = report_svg(o.svg, rows, nrows)) < 0)
			status = -log_fail("bench: --svg %s: %s", o.svg,
			    strerror(-rc));
	}
	for (size_t i = 0; i < nrows; i++)
		free(rows[i].res);
	free(rows);
	free(data);
	return status;
}

const struct cmd cmd_bench = {
	"bench", "[lines|pingpong|stream|stream-up] [options]",
	"measure unix vs tcp vs relay: round trips and throughput",
	run_bench,
};
