/*
 * num: parse numbers, sizes and durations from option values. See num.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

int
num_parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
num_parse_size(const char *s, size_t lo, size_t hi, size_t *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end == 'K' || *end == 'k')
		mul = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mul = 1024 * 1024, end++;
	if ((*end == 'B' || *end == 'b') && end[1] == '\0')
		end++;
	/* Check before multiplying: "17179869184K" must not wrap. */
	if (*end != '\0' || v > hi / mul || v * mul < lo)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

/*
 * Durations are seconds as socat writes them ("2", "0.5") or carry a unit
 * ("250ms", "2s", "5m"). Range: 0 to one day.
 */
int
num_parse_duration(const char *s, int *ms)
{
	unsigned long long whole = 0, frac = 0, scale = 1, unit = 1000;
	const char *p = s;
	int digits = 0;

	if (s == NULL)
		return -1;
	for (; isdigit((unsigned char)*p); p++, digits++) {
		whole = whole * 10 + (unsigned)(*p - '0');
		if (whole > 86400000ULL)
			return -1;
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, digits++) {
			if (scale < 1000000) {
				frac = frac * 10 + (unsigned)(*p - '0');
				scale *= 10;
			}
		}
	}
	if (digits == 0)
		return -1;
	if (strcmp(p, "ms") == 0)
		unit = 1;
	else if (strcmp(p, "s") == 0 || *p == '\0')
		unit = 1000;
	else if (strcmp(p, "m") == 0)
		unit = 60000;
	else if (strcmp(p, "h") == 0)
		unit = 3600000;
	else
		return -1;
	whole = whole * unit + frac * unit / scale;
	if (whole > 86400000ULL)
		return -1;
	*ms = (int)whole;
	return 0;
}
