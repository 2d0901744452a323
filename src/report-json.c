/*
 * report-json: bench results as JSON lines for programs, one object per
 * row in the order given. See report-json.h.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "esc.h"
#include "report.h"
#include "report-json.h"
#include "util.h"

/* A JSON number: finite, fixed point. */
static void
json_num(FILE *f, double v, int prec)
{
	fprintf(f, "%.*f", prec, report_finite(v) + 0.0);	/* no -0 */
}

/* A server's or relay's CPU seconds; null when bench did not start it
 * or could not read it. */
static void
json_cpu(FILE *f, const struct bench_result *res, unsigned which, double v)
{
	if (res->cpu_measured & which)
		json_num(f, v, 6);
	else
		fputs("null", f);
}

void
report_json(FILE *f, const struct report_row *rows, size_t n)
{
	static const char *const keys[] = {
		"min", "p50", "p90", "p99", "p999", "max", "mean"
	};
	static const double pcts[] = { 0.0, 50.0, 90.0, 99.0, 99.9, 100.0 };

	for (size_t i = 0; i < n; i++) {
		const struct report_row *r = &rows[i];
		struct bench_result zero;
		const struct bench_result *res = r->res;

		if (res == NULL) {
			memset(&zero, 0, sizeof(zero));
			hist_init(&zero.rtt);
			res = &zero;
		}
		fputs("{\"path\":\"", f);
		esc_put(f, r->path, report_row_path_len(r), ESC_JSON);
		fputs("\",\"workload\":", f);
		esc_json(f, report_row_work(r));
		fprintf(f, ",\"users\":%d,\"size\":%zu,\"loop\":%d,\"rate\":",
		    r->users, r->size, r->loop);
		json_num(f, r->rate, r->rate == floor(r->rate) ? 0 : 3);
		fprintf(f, ",\"messages\":%" PRIu64 ",\"messages_total\":%"
		    PRIu64 ",\"bytes\":%" PRIu64 ",\"wall_s\":",
		    res->msgs, res->msgs_all, res->bytes);
		json_num(f, res->wall_s, 6);
		fputs(",\"measured_s\":", f);
		json_num(f, res->measured_s, 6);
		fputs(",\"msgs_per_s\":", f);
		json_num(f, report_row_is_stream(r) || r->res == NULL ? 0.0 :
		    report_speed(r), 3);
		fputs(",\"mb_per_s\":", f);
		json_num(f, report_mb_per_s(r), 6);
		fputs(",\"rtt_us\":{", f);
		for (size_t k = 0; k < nitems(keys); k++) {
			double v;

			if (res->rtt.count == 0)
				v = 0.0;
			else if (k < nitems(pcts))
				v = (double)hist_pct(&res->rtt, pcts[k]) / 1e3;
			else
				v = hist_mean(&res->rtt) / 1e3;
			fprintf(f, "%s\"%s\":", k > 0 ? "," : "", keys[k]);
			json_num(f, v, 3);
		}
		fputs("},\"cpu_s\":{\"client\":", f);
		json_num(f, res->cpu_client_s, 6);
		fputs(",\"server\":", f);
		json_cpu(f, res, BENCH_CPU_SERVER, res->cpu_server_s);
		fputs(",\"relay\":", f);
		json_cpu(f, res, BENCH_CPU_RELAY, res->cpu_relay_s);
		fputs("},\"cpu_us_per_msg\":", f);
		if (report_cpu_known(r))
			json_num(f, report_cpu_us_per_msg(r), 3);
		else
			fputs("null", f);
		fputs(",\"vs_tcp\":", f);
		json_num(f, report_vs_tcp(r, rows, n), 4);
		fprintf(f, ",\"runs\":%d,\"spread\":", r->runs);
		json_num(f, r->spread, 4);
		fputs(",\"error\":", f);
		if (r->res == NULL)
			fputs("\"no result\"", f);
		else if (res->err[0] == '\0')
			fputs("null", f);
		else {
			fputc('"', f);
			esc_put(f, res->err, sizeof(res->err), ESC_JSON);
			fputc('"', f);
		}
		fputs("}\n", f);
	}
}

/* ----------------------------------------------------------------- SVG */
