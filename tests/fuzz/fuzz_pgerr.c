/*
 * libFuzzer target for src/pgerr.c: pgerr_match() and pgerr_parse() on
 * the input as a pasted libpq error message.
 *
 * The input is copied into a heap buffer of exactly its length plus the
 * NUL, so AddressSanitizer sees a read past the end. A broken invariant
 * calls abort():
 *  - pgerr_parse returns 0, or -1 with a NUL-terminated message;
 *  - it succeeds only on what pgerr_match accepts;
 *  - on success exactly one of path and host is set, each a substring of
 *    the input, and a tcp port is 1 to 65535.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pgerr.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[128];
	struct pgerr e;
	int rc;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(err, 'x', sizeof(err));
	memset(&e, 0xa5, sizeof(e));
	rc = pgerr_parse(&e, text, err, sizeof(err));
	check_rc(rc, err, sizeof(err));
	if (rc == 0) {
		check(pgerr_match(text));
		check(memchr(e.path, '\0', sizeof(e.path)) != NULL);
		check(memchr(e.host, '\0', sizeof(e.host)) != NULL);
		check(memchr(e.addr, '\0', sizeof(e.addr)) != NULL);
		check(memchr(e.reason, '\0', sizeof(e.reason)) != NULL);
		check((e.path[0] != '\0') != (e.host[0] != '\0'));
		check(strstr(text, e.path[0] ? e.path : e.host) != NULL);
		if (e.host[0] != '\0')
			check(e.port >= 1 && e.port <= 65535);
	}
	free(text);
	return 0;
}
