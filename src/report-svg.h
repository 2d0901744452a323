/*
 * report-svg: bench results as an SVG chart.
 */
#ifndef SB_REPORT_SVG_H
#define SB_REPORT_SVG_H

#include <stddef.h>

struct report_row;

/* Write an SVG chart of rows to path. Returns 0 or -errno. */
int	report_svg(const char *path, const struct report_row *, size_t n);

#endif
