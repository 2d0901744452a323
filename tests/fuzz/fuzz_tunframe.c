/*
 * libFuzzer target for src/tunframe.c: the tunnel protocol's frames
 * (doc/tunnel-protocol.txt), decoded as the session engine reads them
 * off a carrier: header after header, each payload parsed by its type.
 *
 * The input is an exact-size heap copy, so AddressSanitizer sees a read
 * past the end. A broken invariant calls abort():
 *  - tunframe_decode() returns -1 (with a message), 0 only when fewer
 *    than TUNFRAME_HDR bytes are left, or TUNFRAME_HDR;
 *  - a decoded header is within the limits the engine relies on (stream
 *    0 exactly for session frames, payload at most TUNFRAME_DATA_MAX or
 *    TUNFRAME_CTL_MAX), and encodes back to the same 12 bytes;
 *  - payload parsers fail with a message or give NUL-terminated,
 *    printable text no longer than its buffer;
 *  - a payload built by a put function parses back to what it was built
 *    from.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tunframe.h"

static void
check_text(const char *s, size_t size)
{
	const char *end = memchr(s, '\0', size);

	check(end != NULL);
	for (; s < end; s++)
		check(*s >= 0x20 && *s < 0x7f);
}

static void
payload(const struct tunframe *f, const uint8_t *p, size_t len)
{
	char err[128], text[TUNFRAME_TEXT_MAX + 1];
	struct tunframe_hello h;
	uint16_t target;
	uint32_t code;
	int rc;

	memset(err, 'x', sizeof(err));
	switch (f->type) {
	case TUNFRAME_HELLO:
		rc = tunframe_hello_get(p, len, &h, err, sizeof(err));
		check_rc(rc, err, sizeof(err));
		if (rc == 0) {
			uint8_t out[128];
			struct tunframe_hello g;
			int n;

			check(h.version >= 1 && h.max_streams >= 1);
			check_text(h.name, sizeof(h.name));
			n = tunframe_hello_put(out, sizeof(out), &h);
			check(n >= 12);
			check(tunframe_hello_get(out, (size_t)n, &g, err,
			    sizeof(err)) == 0);
			check(g.version == h.version &&
			    g.max_streams == h.max_streams &&
			    strcmp(g.name, h.name) == 0);
		}
		break;
	case TUNFRAME_OPEN:
		rc = tunframe_open_get(p, len, &target, err, sizeof(err));
		check_rc(rc, err, sizeof(err));
		check(rc == -1 || len == 2);
		break;
	case TUNFRAME_RESET:
	case TUNFRAME_GOAWAY:
		rc = tunframe_reason_get(p, len, &code, text, sizeof(text), err,
		    sizeof(err));
		check_rc(rc, err, sizeof(err));
		if (rc == 0) {
			uint8_t out[4 + TUNFRAME_TEXT_MAX];
			char back[TUNFRAME_TEXT_MAX + 1];
			uint32_t c2;
			int n;

			check_text(text, sizeof(text));
			check(tunframe_reason_name(code) != NULL);
			n = tunframe_reason_put(out, sizeof(out), code, text);
			check(n >= 4);
			check(tunframe_reason_get(out, (size_t)n, &c2, back,
			    sizeof(back), err, sizeof(err)) == 0);
			check(c2 == code && strcmp(back, text) == 0);
		}
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	size_t off = 0;

	check(buf != NULL);
	if (size)
		memcpy(buf, data, size);
	for (;;) {
		struct tunframe f;
		char err[128];
		uint8_t again[TUNFRAME_HDR];
		size_t plen;
		int rc;

		memset(err, 'x', sizeof(err));
		rc = tunframe_decode(buf + off, size - off, &f, err,
		    sizeof(err));
		if (rc == -1) {
			check_rc(rc, err, sizeof(err));
			break;
		}
		if (rc == 0) {
			check(size - off < TUNFRAME_HDR);
			break;
		}
		check(rc == TUNFRAME_HDR);
		check(f.version == TUNFRAME_VERSION && f.type < TUNFRAME_NTYPES);
		check((f.stream == 0) == (f.type == TUNFRAME_HELLO ||
		    f.type == TUNFRAME_PING || f.type == TUNFRAME_GOAWAY));
		plen = tunframe_payload_len(&f);
		check(plen <= (f.type == TUNFRAME_DATA ? TUNFRAME_DATA_MAX :
		    TUNFRAME_CTL_MAX));
		tunframe_encode(again, &f);
		check(memcmp(again, buf + off, TUNFRAME_HDR) == 0);
		check(strcmp(tunframe_type_name(f.type), "unknown") != 0);
		off += TUNFRAME_HDR;
		if (size - off < plen)
			break;
		payload(&f, buf + off, plen);
		off += plen;
	}
	free(buf);
	return 0;
}
