/*
 * report-svg: bench results as an SVG chart for the eye: throughput bars
 * per workload, then round-trip latency by percentile. See report-svg.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "report.h"
#include "report-svg.h"
#include "util.h"

/* Percentiles the latency curves show; 100 is the max. */
static const double lat_pcts[] = { 50.0, 90.0, 99.0, 99.9, 99.99, 100.0 };
static const char *const lat_names[] = {
	"p50", "p90", "p99", "p99.9", "p99.99", "max"
};
/* Line styles that tell user counts apart within one latency panel. */
static const char *const dashes[] = { "", "7 4", "2 3", "10 3 2 3" };

#define SVG_W		1000
#define SVG_MARGIN	24
#define BAR_H		16
#define BAR_PITCH	22
#define LAT_PLOT_H	260
#define LAT_LEGEND_W	230
#define BAR_LABEL_MAX	36	/* characters of a label shown */
#define LEGEND_LABEL_MAX 18

/* Write the row's label for XML, cut to max characters with an ellipsis
 * so a long one cannot run off the chart. */
static void
put_label(FILE *f, const struct report_row *r, size_t max)
{
	const unsigned char *p = (const unsigned char *)r->path;
	size_t len = report_row_path_len(r), cut = 0, chars = 0;

	if (report_row_path_chars(r) <= max) {
		esc_put(f, r->path, len, ESC_XML);
		return;
	}
	/* stop at the first byte of character number max */
	for (; cut < len; cut++)
		if ((p[cut] & 0xc0) != 0x80 && chars++ == max - 1)
			break;
	esc_put(f, r->path, cut, ESC_XML);
	fputs("&#8230;", f);
}


/* Throughput in the row's own unit: MB/s for streams. */
static double
bar_value(const struct report_row *r)
{
	return report_row_is_stream(r) ? report_mb_per_s(r) : report_speed(r);
}

static const char *
bar_unit(const struct report_row *r)
{
	if (report_row_is_stream(r))
		return "MB/s";
	return strcmp(report_row_work(r), "lines") == 0 ? "lines/s" : "msg/s";
}

/* Thousands-separated with a sensible number of decimals. */
static const char *
fmt_value(char *buf, size_t len, double v)
{
	return report_fmt_thou(buf, len, v, v < 9.995 ? 2 : v < 99.95 ? 1 : 0);
}

/*
 * Draw the throughput bars of every group from y down; return the y below.
 * One bar per row; bars of a workload share a scale, so the effect of more
 * users shows as well as the difference between paths.
 */
static int
svg_bars(FILE *f, const struct report_row *rows, size_t n, int y)
{
	size_t maxlen = 12;
	int label_r, bar_x, bar_w;

	for (size_t i = 0; i < n; i++)
		if (report_row_path_chars(&rows[i]) > maxlen)
			maxlen = report_row_path_chars(&rows[i]);
	if (maxlen > BAR_LABEL_MAX)
		maxlen = BAR_LABEL_MAX;
	/* at most 8 px a character at 12 px */
	label_r = SVG_MARGIN + (int)maxlen * 8;
	bar_x = label_r + 10;
	bar_w = SVG_W - bar_x - 230;

	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"17\" "
	    "font-weight=\"bold\">Throughput <tspan font-weight=\"normal\" "
	    "fill=\"#666\" font-size=\"13\">(longer is better)</tspan></text>\n",
	    SVG_MARGIN, y + 17);
	y += 34;
	for (size_t gi = 0; gi < n; gi++) {
		const struct report_row *g = &rows[gi];
		char title[256];
		double max = 0.0;
		int have = 0, users = 0;

		if (!report_group_first(rows, gi))
			continue;
		for (size_t i = gi; i < n; i++)
			if (report_same_group(&rows[i], g) &&
			    !report_row_failed(&rows[i]) &&
			    bar_value(&rows[i]) > max)
				max = bar_value(&rows[i]);
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"13\" "
		    "font-weight=\"bold\" fill=\"#333\">", SVG_MARGIN, y + 13);
		esc_put(f, report_group_title(title, sizeof(title), g, rows, n),
		    sizeof(title), ESC_XML);
		fputs("</text>\n", f);
		y += 22;
		while (report_group_next_users(rows, n, g, have, users,
		    &users)) {
			have = 1;
			fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\" "
			    "fill=\"#777\">%d user%s</text>\n", bar_x, y + 10,
			    users, users == 1 ? "" : "s");
			y += 15;
			for (size_t i = gi; i < n; i++) {
				const struct report_row *r = &rows[i];
				char val[48], vs[48];
				double v;
				int w;

				if (!report_same_group(r, g) ||
				    r->users != users)
					continue;
				fprintf(f, "<text x=\"%d\" y=\"%d\" "
				    "font-size=\"12\" text-anchor=\"end\">",
				    label_r, y + 12);
				put_label(f, r, BAR_LABEL_MAX);
				fputs("</text>\n", f);
				if (report_row_failed(r)) {
					fprintf(f, "<text x=\"%d\" y=\"%d\" "
					    "font-size=\"12\" fill=\"#c0392b\">"
					    "FAILED: ", bar_x, y + 12);
					if (r->res == NULL)
						fputs("no result", f);
					else
						esc_put(f, r->res->err, 90,
						    ESC_XML);
					fputs("</text>\n", f);
					y += BAR_PITCH;
					continue;
				}
				v = bar_value(r);
				w = max > 0.0 ?
				    (int)lround(v / max * bar_w) : 0;
				if (w < 1 && v > 0.0)
					w = 1;
				fmt_value(val, sizeof(val), v);
				report_fmt_vs(vs, sizeof(vs),
				    report_vs_tcp(r, rows, n));
				fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" "
				    "height=\"%d\" rx=\"2\" fill=\"%s\"><title>",
				    bar_x, y, w, BAR_H,
				    report_path_color(rows, i));
				esc_put(f, r->path, report_row_path_len(r),
				    ESC_XML);
				fprintf(f, ": %s %s</title></rect>\n", val,
				    bar_unit(r));
				fprintf(f, "<text x=\"%d\" y=\"%d\" "
				    "font-size=\"12\">%s %s", bar_x + w + 6,
				    y + 12, val, bar_unit(r));
				if (strcmp(vs, "-") != 0)
					fprintf(f, "<tspan fill=\"#777\" "
					    "dx=\"8\">%s</tspan>", vs);
				fputs("</text>\n", f);
				y += BAR_PITCH;
			}
		}
		y += 12;
	}
	return y;
}

/* "500 ns", "2 µs", "100 µs", "1 ms", "20 s": a log-axis tick label. */
static void
svg_tick_label(FILE *f, double us)
{
	if (us < 1.0)
		fprintf(f, "%g ns", us * 1e3);
	else if (us < 1e3)
		fprintf(f, "%g &#181;s", us);
	else if (us < 1e6)
		fprintf(f, "%g ms", us / 1e3);
	else
		fprintf(f, "%g s", us / 1e6);
}

/* x of a percentile on the nines scale: p50 0.3, p90 1, p99 2, ..., max 5. */
static double
nines(size_t k)
{
	if (lat_pcts[k] >= 100.0)
		return 5.0;
	return -log10(1.0 - lat_pcts[k] / 100.0);
}

/* Does this row get a latency curve? */
static int
has_curve(const struct report_row *r)
{
	return !report_row_is_stream(r) && !report_row_failed(r) &&
	    r->res->rtt.count > 0;
}

/*
 * Draw one latency panel for g's group from y down; return the y below.
 * x: percentile on the nines scale; y: round trip on a log scale spanning
 * whole decades around the data. One curve per row, coloured by path,
 * dashed by user count, each with a legend entry.
 */
static int
svg_latency_panel(FILE *f, const struct report_row *rows, size_t n,
    const struct report_row *g, int y)
{
	const int pl = SVG_MARGIN + 66, pr = SVG_W - SVG_MARGIN - LAT_LEGEND_W;
	double lo = INFINITY, hi = 0.0, dlo, dhi, decade_step;
	int pt, pb, entries = 0, ulist[nitems(dashes)], nu = 0;
	int have = 0, users = 0, ly;
	char title[256];

	for (size_t i = 0; i < n; i++) {
		if (!report_same_group(&rows[i], g) || !has_curve(&rows[i]))
			continue;
		entries++;
		for (size_t k = 0; k < nitems(lat_pcts); k++) {
			double v = report_rtt_us(&rows[i], lat_pcts[k]);

			if (v < 1e-3)		/* 1 ns: the log axis floor */
				v = 1e-3;
			if (v < lo)
				lo = v;
			if (v > hi)
				hi = v;
		}
	}
	if (entries == 0)
		return y;
	while (nu < (int)nitems(ulist) &&
	    report_group_next_users(rows, n, g, have, users, &users)) {
		have = 1;
		ulist[nu++] = users;
	}
	dlo = floor(log10(lo));
	dhi = ceil(log10(hi));
	if (dhi <= dlo)
		dhi = dlo + 1;

	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"13\" "
	    "font-weight=\"bold\" fill=\"#333\">", SVG_MARGIN, y + 13);
	esc_put(f, report_group_title(title, sizeof(title), g, rows, n),
	    sizeof(title), ESC_XML);
	fputs("</text>\n", f);
	pt = y + 30;
	pb = pt + LAT_PLOT_H;
	if (pb < pt + 24 + entries * 18)
		pb = pt + 24 + entries * 18;

#define LAT_X(x)	(pl + 16 + ((x) - nines(0)) / (5.0 - nines(0)) * \
			    (pr - pl - 32))
#define LAT_Y(v)	(pb - (log10(v) - dlo) / (dhi - dlo) * (pb - pt))
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
	    "fill=\"#fafafa\" stroke=\"#ccc\"/>\n", pl, pt, pr - pl, pb - pt);
	/*
	 * y gridlines: a line every decade, labelled; 2 and 5 too while there
	 * is room. A wild range (a stall of seconds among microseconds) labels
	 * every decade_step-th decade only, so labels never overlap.
	 */
	decade_step = ceil((dhi - dlo) / 10.0);
	for (double d = dlo; d <= dhi; d++) {
		static const double steps[] = { 1, 2, 5 };

		for (size_t s = 0; s < nitems(steps); s++) {
			double v = steps[s] * pow(10.0, d);
			int major = s == 0;

			if (v > pow(10.0, dhi) * 1.0001 ||
			    (!major && dhi - dlo > 4))
				break;
			fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"%s\"/>\n", pl, pr, LAT_Y(v),
			    LAT_Y(v), major ? "#d0d0d0" : "#ececec");
			if ((!major && dhi - dlo > 2) ||
			    fmod(d - dlo, decade_step) != 0.0)
				continue;
			fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" "
			    "text-anchor=\"end\" fill=\"%s\">", pl - 6,
			    LAT_Y(v) + 4, major ? "#333" : "#888");
			svg_tick_label(f, v);
			fputs("</text>\n", f);
		}
	}
	for (size_t k = 0; k < nitems(lat_pcts); k++) {
		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
		    "stroke=\"#e4e4e4\"/>\n", LAT_X(nines(k)), LAT_X(nines(k)),
		    pt, pb);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" "
		    "text-anchor=\"middle\" fill=\"#333\">%s</text>\n",
		    LAT_X(nines(k)), pb + 15, lat_names[k]);
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" "
	    "text-anchor=\"middle\" fill=\"#555\">percentile (nines scale)"
	    "</text>\n", (pl + pr) / 2.0, pb + 32);
	fprintf(f, "<text transform=\"translate(%d %.1f) rotate(-90)\" "
	    "font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">round "
	    "trip (log scale)</text>\n", SVG_MARGIN + 4, (pt + pb) / 2.0);

	ly = pt + 6;
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" "
	    "font-weight=\"bold\" fill=\"#333\">path, users</text>\n",
	    pr + 20, ly + 8);
	ly += 22;
	for (size_t i = 0; i < n; i++) {
		const struct report_row *r = &rows[i];
		const char *color = report_path_color(rows, i), *dash = "";

		if (!report_same_group(r, g) || !has_curve(r))
			continue;
		for (int u = 0; u < nu; u++)
			if (ulist[u] == r->users)
				dash = dashes[u];
		fprintf(f, "<g stroke=\"%s\" fill=\"%s\">\n<polyline "
		    "fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\"",
		    color, color);
		if (dash[0] != '\0')
			fprintf(f, " stroke-dasharray=\"%s\"", dash);
		fputs(" points=\"", f);
		for (size_t k = 0; k < nitems(lat_pcts); k++) {
			double v = report_rtt_us(r, lat_pcts[k]);

			fprintf(f, "%s%.1f,%.1f", k > 0 ? " " : "",
			    LAT_X(nines(k)), LAT_Y(v < 1e-3 ? 1e-3 : v));
		}
		fputs("\"/>\n", f);
		for (size_t k = 0; k < nitems(lat_pcts); k++) {
			double v = report_rtt_us(r, lat_pcts[k]);
			char num[48];

			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\">"
			    "<title>", LAT_X(nines(k)),
			    LAT_Y(v < 1e-3 ? 1e-3 : v));
			esc_put(f, r->path, report_row_path_len(r), ESC_XML);
			fprintf(f, ", %d user%s: %s %s &#181;s</title></circle>\n",
			    r->users, r->users == 1 ? "" : "s", lat_names[k],
			    report_fmt_us(num, sizeof(num), v));
		}
		/* legend entry */
		fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" "
		    "stroke-width=\"2\"", pr + 20, pr + 48, ly, ly);
		if (dash[0] != '\0')
			fprintf(f, " stroke-dasharray=\"%s\"", dash);
		fprintf(f, "/>\n<circle cx=\"%d\" cy=\"%d\" r=\"3\"/>\n"
		    "</g>\n<text x=\"%d\" y=\"%d\" font-size=\"12\">",
		    pr + 34, ly, pr + 56, ly + 4);
		put_label(f, r, LEGEND_LABEL_MAX);
		fprintf(f, "<tspan fill=\"#777\">, %d</tspan></text>\n",
		    r->users);
		ly += 18;
	}
#undef LAT_X
#undef LAT_Y
	return pb + 52;
}

/* Draw the charts into f; return the height used. */
static int
svg_body(FILE *f, const struct report_row *rows, size_t n)
{
	int y = SVG_MARGIN, any = 0;

	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"22\" "
	    "font-weight=\"bold\" fill=\"#222\">sockbridge bench</text>\n",
	    SVG_MARGIN, y + 20);
	y += 44;
	if (n == 0) {
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"14\">no "
		    "results</text>\n", SVG_MARGIN, y + 14);
		return y + 40;
	}
	y = svg_bars(f, rows, n, y);
	for (size_t i = 0; i < n; i++)
		any |= has_curve(&rows[i]);
	if (!any)
		return y + 8;
	y += 16;
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"17\" "
	    "font-weight=\"bold\">Round-trip latency by percentile <tspan "
	    "font-weight=\"normal\" fill=\"#666\" font-size=\"13\">(lower is "
	    "better; hover a point for its value)</tspan></text>\n",
	    SVG_MARGIN, y + 17);
	y += 36;
	for (size_t gi = 0; gi < n; gi++)
		if (report_group_first(rows, gi) &&
		    !report_row_is_stream(&rows[gi]))
			y = svg_latency_panel(f, rows, n, &rows[gi], y);
	return y;
}

int
report_svg(const char *path, const struct report_row *rows, size_t n)
{
	char *body = NULL;
	size_t body_len = 0;
	FILE *mem, *f;
	int height, rc = 0;

	/* The height is known only once drawn: draw to memory first. */
	if ((mem = open_memstream(&body, &body_len)) == NULL)
		return -errno;
	height = svg_body(mem, rows, n);
	if (fclose(mem) == EOF) {
		rc = -errno;
		free(body);
		return rc;
	}
	if ((f = fopen(path, "w")) == NULL) {
		rc = -errno;
		free(body);
		return rc;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
	    "<title>sockbridge bench</title>\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n"
	    "<g font-family=\"Helvetica, Arial, 'DejaVu Sans', sans-serif\" "
	    "fill=\"#222\">\n", SVG_W, height, SVG_W, height);
	fwrite(body, 1, body_len, f);
	fputs("</g>\n</svg>\n", f);
	free(body);
	if (ferror(f)) {
		rc = -(errno != 0 ? errno : EIO);
		fclose(f);
		return rc;
	}
	if (fclose(f) == EOF)
		return -errno;
	return 0;
}
