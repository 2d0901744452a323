/*
 * num: parse the numbers option values hold: integers in a range, sizes
 * ("64K"), durations ("250ms", "1.5"). Used by the address parser, the
 * listener and the front ends.
 *
 * Pure: no I/O, no allocation, no logging. Each returns 0, or -1 on junk
 * or out of range, leaving *out alone.
 */
#ifndef SB_NUM_H
#define SB_NUM_H

#include <stddef.h>

/* A decimal integer in [lo, hi]; no leading space, no trailing junk. */
int	num_parse_int(const char *s, long lo, long hi, long *out);

/* A size, "4096", "64K", "1M", "64KB" (K = 1024), in [lo, hi]. */
int	num_parse_size(const char *s, size_t lo, size_t hi, size_t *out);

/* A duration into ms: seconds as socat writes them ("2", "0.5") or with
 * a unit ("250ms", "2s", "1m", "1h"); 0 to one day. */
int	num_parse_duration(const char *s, int *ms);

#endif
