/*
 * report-table: bench results as an aligned table for people.
 */
#ifndef SB_REPORT_TABLE_H
#define SB_REPORT_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct report_row;

/* Write rows as a table, a block per workload, to f. */
void	report_table(FILE *, const struct report_row *, size_t n);

#endif
