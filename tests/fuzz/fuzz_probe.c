/*
 * libFuzzer target for the protocol probes' parsers (src/probe-*.c):
 * every service's parser, the HTTP head and header readers and the
 * escaper on the input as an answer from a server.
 *
 * The input is copied into a heap buffer of exactly its length, so
 * AddressSanitizer sees a read past the end. A broken invariant calls
 * abort():
 *  - a parser returns PROBE_MORE, PROBE_MATCH or PROBE_NOMATCH, and its
 *    detail is NUL-terminated within its size, even when tiny;
 *  - a match stays a match when more bytes follow for the services
 *    whose answer has a fixed end (Redis' line, MySQL's packet, HTTP's
 *    head), so a probe never takes half an answer for a whole one;
 *  - probe_http_head's body offset lies within the input, and its status
 *    is 100 to 999 when it matches;
 *  - probe_escape's output is NUL-terminated, printable, within its size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "probe.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *buf = malloc(size ? size : 1);
	char detail[192], tiny[3], out[40];
	size_t body;
	int rc, status;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	for (int i = 0; probe_all[i] != NULL; i++) {
		const struct probe_svc *s = probe_all[i];

		memset(detail, 'x', sizeof(detail));
		rc = s->parse(buf, size, detail, sizeof(detail));
		check(rc == PROBE_MORE || rc == PROBE_MATCH ||
		    rc == PROBE_NOMATCH);
		check(memchr(detail, '\0', sizeof(detail)) != NULL);
		memset(tiny, 'x', sizeof(tiny));
		check(s->parse(buf, size, tiny, sizeof(tiny)) == rc);
		check(memchr(tiny, '\0', sizeof(tiny)) != NULL);
		/* Every prefix of a match is MORE or a match itself
		 * (never NOMATCH: the probe would stop too early). */
		if (rc == PROBE_MATCH && size > 0)
			check(s->parse(buf, size - 1, detail,
			    sizeof(detail)) != PROBE_NOMATCH);
	}
	rc = probe_http_head(buf, size, &status, &body);
	check(rc == PROBE_MORE || rc == PROBE_MATCH || rc == PROBE_NOMATCH);
	if (rc == PROBE_MATCH) {
		check(body <= size);
		check(status >= 0 && status <= 999);
		probe_http_header(buf, body, "Server", out, sizeof(out));
		check(memchr(out, '\0', sizeof(out)) != NULL);
	}
	probe_escape(buf, size, out, sizeof(out));
	check(memchr(out, '\0', sizeof(out)) != NULL);
	for (char *c = out; *c; c++)
		check(*c >= 0x20 && *c < 0x7f);
	free(buf);
	return 0;
}
