/*
 * libFuzzer target for src/follow.c on the input as a process's command
 * line (/proc/PID/cmdline: NUL-separated arguments).
 *
 * The input is copied into a heap buffer of exactly its length, so
 * AddressSanitizer sees a read past the end. A broken invariant calls
 * abort():
 *  - follow_parse returns 0, or -1 with a NUL-terminated message;
 *  - on success the tool is sockbridge or socat, there is at least one
 *    target, at most FOLLOW_MAX kept, every text NUL-terminated, and a
 *    unix target has a path, a tcp target a host.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "follow.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cmd = malloc(size ? size : 1), err[96];
	struct follow_relay r;
	int rc;

	if (cmd == NULL)
		return 0;
	memcpy(cmd, data, size);
	memset(err, 'x', sizeof(err));
	rc = follow_parse(cmd, size, &r, err, sizeof(err));
	check_rc(rc, err, sizeof(err));
	if (rc == 0) {
		check(strcmp(r.tool, "sockbridge") == 0 ||
		    strcmp(r.tool, "socat") == 0);
		check(r.n >= 1 && r.n <= FOLLOW_MAX);
		check(memchr(r.listen, '\0', sizeof(r.listen)) != NULL);
		check(memchr(r.stats, '\0', sizeof(r.stats)) != NULL);
		for (int i = 0; i < r.n; i++) {
			check(memchr(r.t[i].text, '\0', sizeof(r.t[i].text)));
			if (r.t[i].kind == FOLLOW_UNIX ||
			    r.t[i].kind == FOLLOW_ABSTRACT)
				check(r.t[i].path[0] != '\0');
			if (r.t[i].kind == FOLLOW_TCP)
				check(r.t[i].host[0] != '\0');
		}
	}
	free(cmd);
	return 0;
}
