/*
 * Unit tests for src/report.c and its three outputs (report-table.c,
 * report-json.c, report-svg.c): throughput, the ratio to tcp, and the
 * table, JSON lines and SVG built from synthetic rows whose numbers are
 * known.
 *
 * The SVG is checked by a small XML walker (tags balance, attributes are
 * quoted, every '&' starts an entity, one root element); the JSON by exact
 * field text and order. Hostile rows (no result, no work name, NaN and
 * infinite times, a label filling its array with no NUL, control bytes and
 * bytes that are not UTF-8) must yield no nan, no inf, no raw markup and no
 * read past the label. Run under -fsanitize=address,undefined.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "report.h"
#include "report-json.h"
#include "report-svg.h"
#include "report-table.h"
#include "util.h"

/* ------------------------------------------------------------ fixtures */

/*
 * A result with msgs messages (all after warm-up), each of bytes_per
 * payload bytes and taking rtt_ns, over measured_s seconds (wall one
 * second more), and cpu_s CPU seconds split over client, server, relay.
 */
static struct bench_result *
mkres(uint64_t msgs, size_t bytes_per, uint64_t rtt_ns, double measured_s,
    double cpu_s)
{
	struct bench_result *res = calloc(1, sizeof(*res));

	assert_non_null(res);
	hist_init(&res->rtt);
	for (uint64_t i = 0; i < msgs; i++)
		hist_add(&res->rtt, rtt_ns);
	res->msgs = res->msgs_all = msgs;
	res->bytes = msgs * bytes_per;
	res->measured_s = measured_s;
	res->wall_s = measured_s;
	res->cpu_client_s = cpu_s / 2;
	res->cpu_server_s = cpu_s / 4;
	res->cpu_relay_s = cpu_s / 4;
	res->cpu_wanted = res->cpu_measured = BENCH_CPU_SERVER |
	    BENCH_CPU_RELAY;
	return res;
}

/* A stream result: bytes one way over measured_s, no messages. */
static struct bench_result *
mkstream(uint64_t bytes, double measured_s, double cpu_s)
{
	struct bench_result *res = mkres(0, 0, 0, measured_s, cpu_s);

	res->bytes = bytes;
	return res;
}

static struct report_row
mkrow(const char *path, const char *work, int users, size_t size,
    struct bench_result *res)
{
	struct report_row r;

	memset(&r, 0, sizeof(r));
	snprintf(r.path, sizeof(r.path), "%s", path);
	r.work = work;
	r.users = users;
	r.size = size;
	r.loop = strcmp(work, "lines") == 0 ? 1 : 0;
	r.res = res;
	return r;
}

static void
free_rows(struct report_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].res);
}

/*
 * The standard set: lines with one and eight users (tcp, unix twice as
 * fast, a relay path), pingpong without a tcp row, a stream pair and a
 * failed row. Returns the number of rows.
 */
static size_t
std_rows(struct report_row *rows)
{
	size_t n = 0;

	/* eight users first: the table must still show one user first */
	rows[n++] = mkrow("tcp", "lines", 8, 0,
	    mkres(528000, 51, 150000, 4.0, 5.28));
	rows[n++] = mkrow("tcp", "lines", 1, 0,
	    mkres(66000, 51, 30000, 2.0, 0.66));
	rows[n++] = mkrow("unix", "lines", 1, 0,
	    mkres(66000, 51, 15000, 1.0, 0.33));
	rows[n++] = mkrow("unix->relay->tcp", "lines", 1, 0,
	    mkres(66000, 51, 60000, 4.0, 0.99));
	rows[n++] = mkrow("unix", "lines", 8, 0,
	    mkres(528000, 51, 75000, 2.0, 2.64));
	rows[n++] = mkrow("unix", "pingpong", 1, 64,
	    mkres(100000, 64, 9000, 1.0, 0.5));
	rows[n++] = mkrow("tcp", "stream", 1, 65536,
	    mkstream(4000000000ULL, 2.0, 3.0));
	rows[n++] = mkrow("unix", "stream", 1, 65536,
	    mkstream(10000000000ULL, 2.0, 3.0));
	rows[n] = mkrow("unix->relay->tcp", "pingpong", 1, 64,
	    mkres(10, 64, 9000, 1.0, 0.5));
	snprintf(rows[n].res->err, sizeof(rows[n].res->err),
	    "user 1: connect: Connection refused\nretry");
	n++;
	return n;
}

/* Run fn on rows into memory; return the text (free it). */
static char *
capture(void (*fn)(FILE *, const struct report_row *, size_t),
    const struct report_row *rows, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, rows, n);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

/* Read a whole file; NULL-terminated; free it. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static size_t
count_str(const char *hay, const char *needle)
{
	size_t k = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		k++;
	return k;
}

/* Fail at the caller's line unless hay contains needle. */
#define HAS(hay, needle)	has((hay), (needle), 1, __FILE__, __LINE__)
#define HASNT(hay, needle)	has((hay), (needle), 0, __FILE__, __LINE__)

static void
has(const char *hay, const char *needle, int want, const char *file,
    int line)
{
	if ((strstr(hay, needle) != NULL) != want) {
		print_error("%s \"%s\" in:\n%s\n", want ? "missing" :
		    "unexpected", needle, hay);
		_fail(file, line);
	}
}

/* No nan or inf, in any case, anywhere. */
static void
no_nan_inf(const char *s)
{
	assert_null(strcasestr(s, "nan"));
	assert_null(strcasestr(s, "inf"));
}

/* -------------------------------------------------------- XML checking */

/* Length of the name at p (letters, digits, '-', ':', '_', '.'). */
static size_t
xml_name(const char *p)
{
	size_t n = 0;

	while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
	    (n > 0 && p[n] >= '0' && p[n] <= '9') || p[n] == '-' ||
	    p[n] == ':' || p[n] == '_' || (n > 0 && p[n] == '.'))
		n++;
	return n;
}

/* Is p the start of an entity XML knows without a DTD? Returns its length
 * or 0. */
static size_t
xml_entity(const char *p)
{
	static const char *const ents[] = {
		"&lt;", "&gt;", "&amp;", "&quot;", "&apos;"
	};
	size_t n;

	for (size_t i = 0; i < nitems(ents); i++)
		if (strncmp(p, ents[i], strlen(ents[i])) == 0)
			return strlen(ents[i]);
	if (strncmp(p, "&#", 2) != 0)
		return 0;
	for (n = 2; p[n] >= '0' && p[n] <= '9'; n++)
		;
	return n > 2 && p[n] == ';' ? n + 1 : 0;
}

/*
 * A small well-formedness check: the XML declaration, then exactly one
 * root element named root; tags nest and match; attributes are name="..."
 * with no '<' and only entities after '&'; text has no stray '<' or '&';
 * no control characters but tab and newline. Returns NULL if all is well,
 * else what is wrong.
 */
static const char *
xml_check(const char *s, const char *root)
{
	char stack[32][32];
	int depth = 0, roots = 0;
	const char *p = s;

	if (strncmp(p, "<?xml ", 6) != 0)
		return "no XML declaration";
	if ((p = strstr(p, "?>")) == NULL)
		return "unterminated declaration";
	p += 2;
	while (*p != '\0') {
		size_t n;

		if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
			return "control character";
		if (*p == '&') {
			if ((n = xml_entity(p)) == 0)
				return "bare &";
			p += n;
			continue;
		}
		if (*p != '<') {
			if (depth == 0 && *p != '\n' && *p != ' ')
				return "text outside the root";
			p++;
			continue;
		}
		if (strncmp(p, "<!--", 4) == 0) {
			if ((p = strstr(p, "-->")) == NULL)
				return "unterminated comment";
			p += 3;
			continue;
		}
		if (p[1] == '/') {
			n = xml_name(p + 2);
			if (depth == 0 || n == 0 || n != strlen(stack[depth - 1]) ||
			    strncmp(p + 2, stack[depth - 1], n) != 0)
				return "end tag does not match";
			if (p[2 + n] != '>')
				return "bad end tag";
			depth--;
			p += 3 + n;
			continue;
		}
		n = xml_name(p + 1);
		if (n == 0 || n >= sizeof(stack[0]))
			return "bad tag name";
		if (depth == 0) {
			if (roots++ > 0)
				return "two root elements";
			if (n != strlen(root) || strncmp(p + 1, root, n) != 0)
				return "wrong root element";
		}
		if (depth == (int)nitems(stack))
			return "too deep";
		memcpy(stack[depth], p + 1, n);
		stack[depth][n] = '\0';
		p += 1 + n;
		for (;;) {		/* attributes */
			size_t an;

			while (*p == ' ' || *p == '\n' || *p == '\t')
				p++;
			if (*p == '>') {
				depth++;
				p++;
				break;
			}
			if (p[0] == '/' && p[1] == '>') {
				p += 2;
				break;
			}
			if ((an = xml_name(p)) == 0)
				return "bad attribute name";
			p += an;
			if (p[0] != '=' || p[1] != '"')
				return "attribute not name=\"value\"";
			for (p += 2; *p != '"'; p++) {
				if (*p == '\0' || *p == '<')
					return "bad attribute value";
				if (*p == '&') {
					if ((n = xml_entity(p)) == 0)
						return "bare & in attribute";
					p += n - 1;
				}
			}
			p++;
		}
	}
	if (depth != 0)
		return "unclosed element";
	if (roots != 1)
		return "no root element";
	return NULL;
}

static void
test_xml_check_itself(void **state)
{
	(void)state;
	assert_null(xml_check("<?xml version=\"1.0\"?>\n<svg a=\"1\">"
	    "<g><text>a &amp; b</text><line x=\"&lt;\"/></g></svg>\n", "svg"));
	assert_non_null(xml_check("<?xml version=\"1.0\"?><svg><g></svg>",
	    "svg"));
	assert_non_null(xml_check("<?xml version=\"1.0\"?><svg>a & b</svg>",
	    "svg"));
	assert_non_null(xml_check("<?xml version=\"1.0\"?><svg>a < b</svg>",
	    "svg"));
	assert_non_null(xml_check("<?xml version=\"1.0\"?><svg a=\"<\"/>",
	    "svg"));
	assert_non_null(xml_check("<?xml version=\"1.0\"?><svg/><svg/>",
	    "svg"));
	assert_non_null(xml_check("<svg></svg>", "svg"));
}

/* Write rows as SVG into a fresh directory; return the file's text. */
static char *
svg_of(const struct report_row *rows, size_t n)
{
	char dir[] = "/tmp/test_report.XXXXXX", path[64];
	const char *why;
	char *text;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/chart.svg", dir);
	assert_int_equal(report_svg(path, rows, n), 0);
	text = slurp(path);
	if (getenv("TEST_REPORT_KEEP") == NULL) {
		unlink(path);
		rmdir(dir);
	} else
		fprintf(stderr, "kept %s\n", path);
	if ((why = xml_check(text, "svg")) != NULL) {
		print_error("SVG not well-formed: %s\n", why);
		fail();
	}
	return text;
}

/* --------------------------------------------------------------- tests */

static void
test_speed(void **state)
{
	struct report_row rows[12];
	size_t n = std_rows(rows);

	(void)state;
	assert_float_equal(report_speed(&rows[1]), 33000.0, 1e-9);
	assert_float_equal(report_speed(&rows[2]), 66000.0, 1e-9);
	assert_float_equal(report_speed(&rows[0]), 132000.0, 1e-9);
	/* streams count bytes */
	assert_float_equal(report_speed(&rows[6]), 2e9, 1e-3);
	assert_float_equal(report_speed(&rows[7]), 5e9, 1e-3);

	/* nothing measured, NaN, negative, infinite: 0 */
	rows[1].res->measured_s = 0.0;
	assert_true(report_speed(&rows[1]) == 0.0);
	rows[1].res->measured_s = NAN;
	assert_true(report_speed(&rows[1]) == 0.0);
	rows[1].res->measured_s = -1.0;
	assert_true(report_speed(&rows[1]) == 0.0);
	rows[1].res->measured_s = INFINITY;
	assert_true(report_speed(&rows[1]) == 0.0);
	rows[1].res->measured_s = 1e-320;	/* subnormal: would be inf */
	assert_true(isfinite(report_speed(&rows[1])));
	free(rows[1].res);
	rows[1].res = NULL;
	assert_true(report_speed(&rows[1]) == 0.0);
	free_rows(rows, n);
}

static void
test_vs_tcp(void **state)
{
	struct report_row rows[12];
	size_t n = std_rows(rows);

	(void)state;
	assert_float_equal(report_vs_tcp(&rows[1], rows, n), 1.0, 0.0);
	assert_float_equal(report_vs_tcp(&rows[2], rows, n), 2.0, 1e-12);
	assert_float_equal(report_vs_tcp(&rows[3], rows, n), 0.5, 1e-12);
	/* eight users compare with eight users */
	assert_float_equal(report_vs_tcp(&rows[4], rows, n), 2.0, 1e-12);
	assert_float_equal(report_vs_tcp(&rows[7], rows, n), 2.5, 1e-12);
	/* no tcp pingpong row; a failed row has no ratio */
	assert_true(report_vs_tcp(&rows[5], rows, n) == 0.0);
	assert_true(report_vs_tcp(&rows[8], rows, n) == 0.0);
	/* only the rows given count */
	assert_true(report_vs_tcp(&rows[2], rows + 2, n - 2) == 0.0);

	/* "tcp" means exactly that */
	snprintf(rows[1].path, sizeof(rows[1].path), "tcp ");
	assert_true(report_vs_tcp(&rows[2], rows, n) == 0.0);
	snprintf(rows[1].path, sizeof(rows[1].path), "TCP");
	assert_true(report_vs_tcp(&rows[2], rows, n) == 0.0);
	snprintf(rows[1].path, sizeof(rows[1].path), "tcp");

	/* another size is another workload */
	rows[2].size = 1;
	assert_true(report_vs_tcp(&rows[2], rows, n) == 0.0);
	rows[2].size = 0;

	/* a tcp row that measured nothing, or failed, is no yardstick */
	rows[1].res->msgs = 0;
	assert_true(report_vs_tcp(&rows[2], rows, n) == 0.0);
	rows[1].res->msgs = 66000;
	snprintf(rows[1].res->err, sizeof(rows[1].res->err), "broken");
	assert_true(report_vs_tcp(&rows[2], rows, n) == 0.0);
	free_rows(rows, n);
}

static void
test_json(void **state)
{
	struct report_row rows[12];
	size_t n = std_rows(rows);
	char *out, *line, *save = NULL;
	size_t lines = 0;
	static const char *const keys[] = {
		"{\"path\":", ",\"workload\":", ",\"users\":", ",\"size\":",
		",\"loop\":", ",\"rate\":", ",\"messages\":",
		",\"messages_total\":", ",\"bytes\":", ",\"wall_s\":",
		",\"measured_s\":", ",\"msgs_per_s\":", ",\"mb_per_s\":",
		",\"rtt_us\":{\"min\":", ",\"p50\":", ",\"p90\":", ",\"p99\":",
		",\"p999\":", ",\"max\":", ",\"mean\":", "},\"cpu_s\":{\"client\":",
		",\"server\":", ",\"relay\":", "},\"cpu_us_per_msg\":",
		",\"vs_tcp\":", ",\"runs\":", ",\"spread\":", ",\"error\":",
	};

	(void)state;
	out = capture(report_json, rows, n);
	/* exact text of a known row */
	HAS(out, "{\"path\":\"tcp\",\"workload\":\"lines\",\"users\":1,"
	    "\"size\":0,\"loop\":1,\"rate\":0,\"messages\":66000,"
	    "\"messages_total\":66000,\"bytes\":3366000,\"wall_s\":2.000000,"
	    "\"measured_s\":2.000000,\"msgs_per_s\":33000.000,"
	    "\"mb_per_s\":1.683000,\"rtt_us\":{\"min\":30.000,\"p50\":30.000,"
	    "\"p90\":30.000,\"p99\":30.000,\"p999\":30.000,\"max\":30.000,"
	    "\"mean\":30.000},\"cpu_s\":{\"client\":0.330000,"
	    "\"server\":0.165000,\"relay\":0.165000},"
	    "\"cpu_us_per_msg\":10.000,\"vs_tcp\":1.0000,\"runs\":0,\"spread\":0.0000,"
	    "\"error\":null}\n");
	HAS(out, "{\"path\":\"unix\",\"workload\":\"lines\",\"users\":1,");
	HAS(out, "\"cpu_us_per_msg\":5.000,\"vs_tcp\":2.0000,\"runs\":0,"
	    "\"spread\":0.0000,\"error\":null}");
	/* streams: bytes count, there are no messages */
	HAS(out, "\"workload\":\"stream\",\"users\":1,\"size\":65536,"
	    "\"loop\":0,\"rate\":0,\"messages\":0,\"messages_total\":0,"
	    "\"bytes\":10000000000,");
	HAS(out, "\"msgs_per_s\":0.000,\"mb_per_s\":5000.000000,");
	HAS(out, "\"vs_tcp\":2.5000,");
	/* the error, escaped */
	HAS(out, "\"error\":\"user 1: connect: Connection refused\\nretry\"}");
	/* one object a line, every field in order */
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		const char *p = line;

		lines++;
		for (size_t k = 0; k < nitems(keys); k++) {
			const char *q = strstr(p, keys[k]);

			if (q == NULL) {
				print_error("no %s after ...%s in %s\n",
				    keys[k], p, line);
				fail();
			}
			p = q + strlen(keys[k]);
		}
		assert_int_equal(line[strlen(line) - 1], '}');
		assert_int_equal(count_str(line, "{"), 3);
		assert_int_equal(count_str(line, "}"), 3);
	}
	assert_int_equal(lines, n);
	free(out);
	free_rows(rows, n);
}

static void
test_json_hostile(void **state)
{
	struct report_row rows[5];
	char *out;

	(void)state;
	rows[0] = mkrow("a\"b\\c\nd\x01\x7f" "e\xc3\xa9\xff\xed\xa0\x80",
	    "pingpong", 1, 64, mkres(3, 64, 1000, NAN, INFINITY));
	rows[0].rate = NAN;
	rows[0].res->wall_s = -INFINITY;
	snprintf(rows[0].res->err, sizeof(rows[0].res->err), "tab\there\x1b");
	/* a label filling its array, no NUL: never read past it */
	rows[1] = mkrow("", "lines", 2, 0, mkres(1, 1, 1, 1.0, NAN));
	memset(rows[1].path, 'x', sizeof(rows[1].path));
	rows[2] = mkrow("tcp", "lines", 2, 0, NULL);
	rows[3] = mkrow("tcp", "x", 1, 0, mkres(0, 0, 0, 0.0, 0.0));
	rows[3].work = NULL;
	rows[3].rate = 1.5;
	rows[4] = mkrow("tcp", "stream-up", 1, 1,
	    mkstream(UINT64_MAX, 1e-300, 1e300));

	out = capture(report_json, rows, nitems(rows));
	no_nan_inf(out);
	HAS(out, "{\"path\":\"a\\\"b\\\\c\\nd\\u0001\\u007f" "e\xc3\xa9"
	    "\\udcff\\udced\\udca0\\udc80\",");
	HAS(out, "\"error\":\"tab\\there\\u001b\"}");
	HAS(out, "\"rate\":0.000,");
	HAS(out, "\"wall_s\":0.000000,");
	HAS(out, "{\"path\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",");
	HAS(out, "\"error\":\"no result\"}");
	HAS(out, "\"workload\":\"\",");
	HAS(out, "\"rate\":1.500,");
	HAS(out, "\"bytes\":18446744073709551615,");
	assert_int_equal(count_str(out, "\n"), nitems(rows));
	free(out);
	free_rows(rows, nitems(rows));
}

static void
test_table(void **state)
{
	struct report_row rows[12];
	size_t n = std_rows(rows);
	char *out, *p, *one, *eight;

	(void)state;
	out = capture(report_table, rows, n);
	HAS(out, "lines workload: 66,000-line corpus x 1 loop, full round "
	    "trip per line\n");
	HAS(out, "pingpong workload: 64 B messages");
	HAS(out, "stream workload: 64 KiB writes, both ways");
	HAS(out, "round trip us");
	HAS(out, "lines/s");
	HAS(out, "msg/s");
	HAS(out, "CPU us/msg");
	HAS(out, "CPU s/GB");
	HAS(out, "1.00x tcp");
	HAS(out, "2.00x tcp");
	HAS(out, "0.50x tcp");
	HAS(out, "2.50x tcp");
	/* thousands separators, microseconds */
	HAS(out, "33,000");
	HAS(out, "132,000");
	HAS(out, "30.0");
	HAS(out, "150");
	/* a failed row says why, on one line */
	HAS(out, "FAILED: user 1: connect: Connection refused?retry\n");
	/* one user before eight, whatever the input order */
	one = strstr(out, "\ntcp                   1");
	eight = strstr(out, "\ntcp                   8");
	assert_non_null(one);
	assert_non_null(eight);
	assert_true(one < eight);
	/* readable at 130 columns */
	for (p = out; *p != '\0';) {
		size_t len = strcspn(p, "\n");

		if (len > 130) {
			print_error("line of %zu columns: %.*s\n", len,
			    (int)len, p);
			fail();
		}
		p += len + (p[len] == '\n');
	}
	no_nan_inf(out);
	free(out);
	free_rows(rows, n);
}

static void
test_table_hostile(void **state)
{
	struct report_row rows[4];
	char *out;

	(void)state;
	rows[0] = mkrow("a\nb\x1b[31m", "lines", 1, 0,
	    mkres(0, 0, 0, NAN, NAN));
	rows[0].res->wall_s = INFINITY;
	rows[1] = mkrow("", "stream", 1, 3, mkstream(0, 0.0, 1.0));
	memset(rows[1].path, 'y', sizeof(rows[1].path));
	rows[2] = mkrow("tcp", "pingpong", 1, 1 << 20, NULL);
	rows[3] = mkrow("unix", "pingpong", 1, 1 << 20,
	    mkres(5, 1 << 20, UINT64_MAX, 1e-300, 1e300));
	out = capture(report_table, rows, nitems(rows));
	no_nan_inf(out);
	HAS(out, "a?b?[31m");
	HASNT(out, "\x1b");
	HAS(out, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy  ");
	HAS(out, "1 MiB messages");
	HAS(out, "FAILED: no result");
	free(out);
	free_rows(rows, nitems(rows));
}

static void
test_svg(void **state)
{
	struct report_row rows[12];
	size_t n = std_rows(rows);
	char *out;

	(void)state;
	/* markup in a label */
	snprintf(rows[3].path, sizeof(rows[3].path), "a<&>\"b'");
	out = svg_of(rows, n);
	assert_int_equal(strncmp(out, "<?xml", 5), 0);
	HAS(out, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
	assert_int_equal(count_str(out, "<svg"), 1);
	assert_int_equal(count_str(out, "</svg>"), 1);
	assert_non_null(strstr(out, "</svg>\n"));
	assert_int_equal(strcmp(strstr(out, "</svg>"), "</svg>\n"), 0);
	HAS(out, "a&lt;&amp;&gt;&quot;b&apos;");
	HASNT(out, "<&>");
	HAS(out, "sans-serif");
	HAS(out, "2.00x tcp");
	HAS(out, "1.00x tcp");
	HAS(out, "FAILED: user 1: connect");
	/* latency curves: the five lines rows and the pingpong row; none
	 * for streams or the failed row */
	assert_int_equal(count_str(out, "<polyline"), 6);
	HAS(out, ">p99.9<");
	HAS(out, ">max<");
	no_nan_inf(out);
	free(out);

	/* nowhere to write */
	assert_int_equal(report_svg("/nonexistent/dir/chart.svg", rows, n),
	    -ENOENT);
	free_rows(rows, n);
}

static void
test_svg_hostile(void **state)
{
	struct report_row rows[5];
	char *out;

	(void)state;
	rows[0] = mkrow("x\x01y\xff" "z\xc3", "pingpong", 1, 64,
	    mkres(4, 64, 0, 1.0, 1.0));
	hist_add(&rows[0].res->rtt, UINT64_MAX);
	rows[1] = mkrow("", "pingpong", 3, 64, mkres(2, 64, 1, NAN, NAN));
	memset(rows[1].path, '<', sizeof(rows[1].path));
	rows[2] = mkrow("tcp", "pingpong", 1, 64, NULL);
	rows[3] = mkrow("q", "lines", 1, 0, mkres(1, 1, 1000, 1.0, 0.0));
	rows[3].work = NULL;
	rows[4] = mkrow("q", "pingpong", 1, 64, mkres(1, 1, 1, 1.0, 0.0));
	snprintf(rows[4].res->err, sizeof(rows[4].res->err), "<\x02>&");
	out = svg_of(rows, nitems(rows));
	no_nan_inf(out);
	HAS(out, "x y\xef\xbf\xbdz\xef\xbf\xbd<");
	HAS(out, "&lt;&lt;&lt;&lt;");
	HAS(out, "FAILED: &lt; &gt;&amp;");
	free(out);
	free_rows(rows, nitems(rows));
}

static void
test_empty(void **state)
{
	char *out;

	(void)state;
	out = capture(report_json, NULL, 0);
	assert_string_equal(out, "");
	free(out);
	out = capture(report_table, NULL, 0);
	assert_string_equal(out, "");
	free(out);
	out = svg_of(NULL, 0);
	HAS(out, "no results");
	free(out);
}

/* --input names the file and its lines; CPU not measured, or of a server
 * bench did not start, is never shown as a figure. */
static void
test_input_and_cpu(void **state)
{
	struct report_row rows[2];
	char title[256], *out;

	(void)state;
	rows[0] = mkrow("unix", "lines", 1, 0, mkres(20000, 40, 30000, 1.0,
	    0.2));
	rows[0].loop = 10;
	rows[0].input = "book.txt";
	rows[0].lines = 2000;
	rows[1] = mkrow("unix", "lines", 2, 0, mkres(40000, 40, 30000, 1.0,
	    0.2));
	rows[1].loop = 10;
	rows[1].input = "book.txt";
	rows[1].lines = 2000;
	assert_string_equal(report_group_title(title, sizeof(title), &rows[0],
	    rows, 2), "lines workload: book.txt (2,000 lines) x 10 loops, "
	    "full round trip per line");
	rows[0].lines = rows[1].lines = 1;
	HAS(report_group_title(title, sizeof(title), &rows[0], rows, 2),
	    "book.txt (1 line) x 10 loops");

	/* an outside server: the client's CPU only, and said so */
	rows[0].res->cpu_wanted = rows[0].res->cpu_measured = 0;
	rows[1].res->cpu_wanted = rows[1].res->cpu_measured = 0;
	assert_true(report_cpu_known(&rows[0]));
	assert_float_equal(report_cpu_us_per_msg(&rows[0]), 0.1 / 20000 * 1e6,
	    1e-9);
	out = capture(report_table, rows, 2);
	HAS(out, "CPU: the client's (bench) only");
	assert_null(strstr(out, "client + server"));
	free(out);
	out = capture(report_json, rows, 2);
	HAS(out, "\"server\":null,\"relay\":null}");
	free(out);

	/* started but not measured: "-" and null, never 0 */
	rows[1].res->cpu_wanted = BENCH_CPU_SERVER;
	assert_false(report_cpu_known(&rows[1]));
	assert_true(report_cpu_us_per_msg(&rows[1]) == 0.0);
	out = capture(report_table, rows, 2);
	HAS(out, "CPU: not measured on this system");
	free(out);
	out = capture(report_json, rows, 2);
	HAS(out, "\"cpu_us_per_msg\":null,");
	free(out);

	/* all measured, with a relay */
	rows[0].res->cpu_wanted = rows[0].res->cpu_measured =
	    BENCH_CPU_SERVER | BENCH_CPU_RELAY;
	rows[1].res->cpu_measured = BENCH_CPU_SERVER;
	out = capture(report_table, rows, 2);
	HAS(out, "CPU: client + server + relay (with the processes it "
	    "forks)");
	free(out);
	free_rows(rows, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml_check_itself),
		cmocka_unit_test(test_speed),
		cmocka_unit_test(test_vs_tcp),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_hostile),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_hostile),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_svg_hostile),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_input_and_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
