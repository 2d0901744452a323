/*
 * libFuzzer target for src/num.c: num_parse_int, num_parse_size and
 * num_parse_duration.
 *
 * The input is one string, copied into a heap buffer of exactly its
 * length plus the NUL, so AddressSanitizer sees a read past the end. A
 * broken invariant calls abort(), which libFuzzer reports as a crash:
 *  - each returns 0 or -1, and -1 leaves the output alone;
 *  - a value is within the range asked for; a duration is 0 to one day,
 *    and plain seconds mean what they say;
 *  - a size is a whole number of its unit, and never wraps.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "num.h"

#define DAY_MS	86400000

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	size_t len, sz;
	long v;
	int ms;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	len = strlen(text);

	ms = -7;
	if (num_parse_duration(text, &ms) == 0) {
		check(ms >= 0 && ms <= DAY_MS);
		if (len > 0 && strspn(text, "0123456789") == len && len <= 5)
			check(ms == atoi(text) * 1000);
	} else
		check(ms == -7);

	v = -7;
	if (num_parse_int(text, 0, INT_MAX, &v) == 0)
		check(v >= 0 && v <= INT_MAX);
	else
		check(v == -7);
	v = -7;
	if (num_parse_int(text, -5, 5, &v) == 0)
		check(v >= -5 && v <= 5);
	else
		check(v == -7);

	sz = 7;
	if (num_parse_size(text, 4096, 16 << 20, &sz) == 0) {
		check(sz >= 4096 && sz <= 16 << 20);
		if (len > 0 && (text[len - 1] == 'K' || text[len - 1] == 'k'))
			check(sz % 1024 == 0);
	} else
		check(sz == 7);
	sz = 7;
	if (num_parse_size(text, 0, SIZE_MAX, &sz) != 0)
		check(sz == 7);

	free(text);
	return 0;
}
