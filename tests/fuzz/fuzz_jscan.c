/*
 * libFuzzer target for src/jscan.c on the input as an API answer, the
 * way dockerfind.c reads it: iterate the top-level array (or object),
 * look up members, decode strings and integers.
 *
 * The input is copied into a heap buffer of exactly its length (no NUL),
 * so AddressSanitizer sees a read past the end. A broken invariant calls
 * abort():
 *  - every position returned lies within the input, and an iterator
 *    only moves forward;
 *  - jscan_skip succeeds on a value exactly when it ends within the
 *    input, and a second skip from the same place agrees;
 *  - decoded strings are NUL-terminated within their buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "jscan.h"

static void
look(const char *s, size_t n, size_t el)
{
	static const char *const keys[] = { "Id", "Names", "Ports", "State",
	    "Pid", "PublicPort" };
	char out[16];
	long long v;
	size_t val, it, e;

	check(el < n);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (jscan_member(s, n, el, keys[k], &val) != 1)
			continue;
		check(val < n);
		memset(out, 'x', sizeof(out));
		jscan_str(s, n, val, out, sizeof(out));
		check(memchr(out, '\0', sizeof(out)) != NULL);
		jscan_int(s, n, val, &v);
		if (s[val] == '[') {
			it = val;
			for (int i = 0; i < 8 && jscan_next(s, n, &it, NULL,
			    &e) == 1; i++)
				check(e < n && it < n);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);
	size_t pos = 0, pos2 = 0, it, el, key;
	int rc;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	rc = jscan_skip(s, size, &pos);
	check(rc == 0 || rc == -1);
	check(jscan_skip(s, size, &pos2) == rc);
	if (rc == 0)
		check(pos == pos2 && pos <= size);
	for (it = 0; it < size && s[it] != '[' && s[it] != '{'; it++)
		;
	if (it < size) {
		int obj = s[it] == '{';

		for (int i = 0; i < 64; i++) {
			size_t before = it;

			rc = jscan_next(s, size, &it, obj ? &key : NULL, &el);
			check(rc >= -1 && rc <= 1);
			if (rc != 1)
				break;
			check(it > before && it < size && el < size);
			look(s, size, el);
		}
	}
	free(s);
	return 0;
}
