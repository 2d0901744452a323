/*
 * report-json: bench results as JSON lines for programs.
 */
#ifndef SB_REPORT_JSON_H
#define SB_REPORT_JSON_H

#include <stddef.h>
#include <stdio.h>

struct report_row;

/* Write one JSON object per row, one a line, in the order given. */
void	report_json(FILE *, const struct report_row *, size_t n);

#endif
