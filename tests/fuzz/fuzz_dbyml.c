/*
 * libFuzzer target for src/dbyml.c: dbyml_parse() on the input as a
 * database.yml, for "development", with an environment where every
 * variable is set to the same value and one where none is.
 *
 * The input is copied into a heap buffer of exactly its length, without
 * a NUL, so AddressSanitizer sees a read past the end. A broken
 * invariant calls abort():
 *  - it returns 0, or -1 with a NUL-terminated message;
 *  - every field of the result is NUL-terminated;
 *  - on success, block is "development" or "development.CHILD".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbyml.h"
#include "fuzz.h"

static const char *
all_set(const char *name, void *arg)
{
	(void)name;
	return arg;
}

static void
run(const char *text, size_t len, dbyml_getenv fn, void *arg)
{
	struct dbyml y;
	char err[128];
	int rc;

	memset(err, 'x', sizeof(err));
	memset(&y, 0xa5, sizeof(y));
	rc = dbyml_parse(text, len, "development", fn, arg, &y, err,
	    sizeof(err));
	check_rc(rc, err, sizeof(err));
	if (rc == -1)
		return;
	check(memchr(y.adapter, '\0', sizeof(y.adapter)) != NULL);
	check(memchr(y.host, '\0', sizeof(y.host)) != NULL);
	check(memchr(y.port, '\0', sizeof(y.port)) != NULL);
	check(memchr(y.socket, '\0', sizeof(y.socket)) != NULL);
	check(memchr(y.database, '\0', sizeof(y.database)) != NULL);
	check(memchr(y.username, '\0', sizeof(y.username)) != NULL);
	check(memchr(y.url, '\0', sizeof(y.url)) != NULL);
	check(memchr(y.erb_unknown, '\0', sizeof(y.erb_unknown)) != NULL);
	check(strcmp(y.block, "development") == 0 ||
	    strncmp(y.block, "development.", 12) == 0);
}

static const char *
none_set(const char *name, void *arg)
{
	(void)name;
	(void)arg;
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	static char value[] = "/tmp/from env";

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	run(text, size, none_set, NULL);
	run(text, size, all_set, value);
	free(text);
	return 0;
}
