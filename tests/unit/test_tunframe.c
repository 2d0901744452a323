/*
 * Unit tests for src/tunframe.c: the tunnel protocol's frame headers and
 * payloads (doc/tunnel-protocol.txt). Hostile headers are decoded from a
 * copy that ends right before a PROT_NONE page.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"
#include "util.h"

#include "tunframe.h"

/* Decode len bytes of buf from a copy that ends at a guard page. */
static int
decode_guarded(const uint8_t *buf, size_t len, struct tunframe *f,
    char *err, size_t errlen)
{
	struct guard g;
	uint8_t *p = (uint8_t *)guard_map(&g, len);
	int rc;

	memcpy(p, buf, len);
	rc = tunframe_decode(p, len, f, err, errlen);
	guard_free(&g);
	return rc;
}

static void
test_roundtrip(void **state)
{
	uint8_t b[TUNFRAME_HDR];
	struct tunframe f;
	char err[128];

	(void)state;
	assert_int_equal(tunframe_put(b, TUNFRAME_DATA, 0, 0x01020304u,
	    4096), TUNFRAME_HDR);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[1], TUNFRAME_DATA);
	assert_int_equal(b[4], 1);
	assert_int_equal(b[7], 4);
	assert_int_equal(decode_guarded(b, sizeof(b), &f, err, sizeof(err)),
	    TUNFRAME_HDR);
	assert_int_equal(f.type, TUNFRAME_DATA);
	assert_int_equal(f.stream, 0x01020304u);
	assert_int_equal(f.length, 4096);
	assert_int_equal(tunframe_payload_len(&f), 4096);

	/* WINDOW and PING carry their value in length, no payload. */
	tunframe_put(b, TUNFRAME_WINDOW, 0, 3, 65536);
	assert_int_equal(decode_guarded(b, sizeof(b), &f, err, sizeof(err)),
	    TUNFRAME_HDR);
	assert_int_equal(tunframe_payload_len(&f), 0);
	tunframe_put(b, TUNFRAME_PING, TUNFRAME_F_ACK, 0, 0xffffffffu);
	assert_int_equal(decode_guarded(b, sizeof(b), &f, err, sizeof(err)),
	    TUNFRAME_HDR);
	assert_int_equal(f.flags, TUNFRAME_F_ACK);
	assert_int_equal(tunframe_payload_len(&f), 0);
}

static void
test_short(void **state)
{
	uint8_t b[TUNFRAME_HDR];
	struct tunframe f;
	char err[128];

	(void)state;
	tunframe_put(b, TUNFRAME_FIN, 0, 1, 0);
	for (size_t n = 0; n < TUNFRAME_HDR; n++)
		assert_int_equal(decode_guarded(b, n, &f, err, sizeof(err)), 0);
}

/* Each header here is refused, with a message. */
static void
test_bad_headers(void **state)
{
	static const struct {
		uint8_t		 type;
		uint16_t	 flags;
		uint32_t	 stream, length;
		int		 version;
		const char	*why;
	} bad[] = {
		{ TUNFRAME_DATA, 0, 1, 1, 2, "protocol version 2, expected 1" },
		{ TUNFRAME_DATA, 0, 1, 1, 0, "protocol version 0, expected 1" },
		{ 8, 0, 1, 0, 1, "unknown frame type 8" },
		{ 255, 0, 1, 0, 1, "unknown frame type 255" },
		{ TUNFRAME_DATA, 0, 0, 1, 1, "DATA frame on stream 0" },
		{ TUNFRAME_OPEN, 0, 0, 2, 1, "OPEN frame on stream 0" },
		{ TUNFRAME_HELLO, 0, 1, 12, 1, "HELLO frame on stream 1" },
		{ TUNFRAME_PING, 0, 7, 0, 1, "PING frame on stream 7" },
		{ TUNFRAME_DATA, 1, 1, 1, 1, "DATA frame with flags 0x1" },
		{ TUNFRAME_PING, 2, 0, 1, 1, "PING frame with flags 0x2" },
		{ TUNFRAME_WINDOW, 0, 1, 0, 1, "window update of 0 bytes" },
		{ TUNFRAME_WINDOW, 0, 1, 0x80000000u, 1,
		    "window update of 2147483648 bytes" },
		{ TUNFRAME_FIN, 0, 1, 1, 1, "FIN frame with a payload" },
		{ TUNFRAME_DATA, 0, 1, TUNFRAME_DATA_MAX + 1, 1,
		    "DATA frame of 262145 bytes, limit 262144" },
		{ TUNFRAME_RESET, 0, 1, TUNFRAME_CTL_MAX + 1, 1,
		    "RESET frame of 1025 bytes, limit 1024" },
		{ TUNFRAME_GOAWAY, 0, 0, 0xffffffffu, 1,
		    "GOAWAY frame of 4294967295 bytes, limit 1024" },
	};
	uint8_t b[TUNFRAME_HDR];
	struct tunframe f;
	char err[128];

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++) {
		tunframe_put(b, bad[i].type, bad[i].flags, bad[i].stream,
		    bad[i].length);
		b[0] = (uint8_t)bad[i].version;
		err[0] = '\0';
		assert_int_equal(decode_guarded(b, sizeof(b), &f, err,
		    sizeof(err)), -1);
		assert_string_equal(err, bad[i].why);
	}
}

static void
test_limits_ok(void **state)
{
	uint8_t b[TUNFRAME_HDR];
	struct tunframe f;
	char err[128];

	(void)state;
	tunframe_put(b, TUNFRAME_DATA, 0, 0xffffffffu, TUNFRAME_DATA_MAX);
	assert_int_equal(decode_guarded(b, sizeof(b), &f, err, sizeof(err)),
	    TUNFRAME_HDR);
	tunframe_put(b, TUNFRAME_WINDOW, 0, 2, 0x7fffffffu);
	assert_int_equal(decode_guarded(b, sizeof(b), &f, err, sizeof(err)),
	    TUNFRAME_HDR);
	tunframe_put(b, TUNFRAME_DATA, 0, 2, 0);
	assert_int_equal(decode_guarded(b, sizeof(b), &f, err, sizeof(err)),
	    TUNFRAME_HDR);
}

static void
test_hello(void **state)
{
	struct tunframe_hello h = { 1, 64, "sockbridge tunnel" }, g;
	uint8_t p[128];
	char err[128];
	int n;

	(void)state;
	n = tunframe_hello_put(p, sizeof(p), &h);
	assert_int_equal(n, 12 + 17);
	assert_int_equal(tunframe_hello_put(p, 28, &h), -1);
	assert_int_equal(tunframe_hello_get(p, (size_t)n, &g, err,
	    sizeof(err)), 0);
	assert_int_equal(g.version, 1);
	assert_int_equal(g.max_streams, 64);
	assert_string_equal(g.name, "sockbridge tunnel");
	/* A newer peer: its version is kept, the session takes the lower. */
	p[3] = 9;
	assert_int_equal(tunframe_hello_get(p, (size_t)n, &g, err,
	    sizeof(err)), 0);
	assert_int_equal(g.version, 9);
	assert_int_equal(tunframe_hello_get(p, 11, &g, err, sizeof(err)), -1);
	assert_string_equal(err, "HELLO of 11 bytes, at least 12 expected");
	memset(p, 0, 12);
	assert_int_equal(tunframe_hello_get(p, 12, &g, err, sizeof(err)), -1);
	assert_string_equal(err, "HELLO with version 0");
	p[3] = 1;
	assert_int_equal(tunframe_hello_get(p, 12, &g, err, sizeof(err)), -1);
	assert_string_equal(err, "HELLO allowing no stream");
	/* Control bytes in the name are not passed to the log. */
	p[7] = 1;
	memcpy(p + 12, "a\nb\x1b", 4);
	assert_int_equal(tunframe_hello_get(p, 16, &g, err, sizeof(err)), 0);
	assert_string_equal(g.name, "a?b?");
}

static void
test_open_reason(void **state)
{
	uint8_t p[4 + TUNFRAME_TEXT_MAX + 8];
	char text[TUNFRAME_TEXT_MAX + 1], err[128], big[TUNFRAME_TEXT_MAX + 50];
	uint16_t target;
	uint32_t code;
	int n;

	(void)state;
	assert_int_equal(tunframe_open_put(p, sizeof(p), 513), 2);
	assert_int_equal(tunframe_open_get(p, 2, &target, err, sizeof(err)),
	    0);
	assert_int_equal(target, 513);
	assert_int_equal(tunframe_open_get(p, 3, &target, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "OPEN of 3 bytes, 2 expected");
	assert_int_equal(tunframe_open_put(p, 1, 0), -1);

	n = tunframe_reason_put(p, sizeof(p), TUNR_REFUSED,
	    "connect unix:/x: No such file or directory");
	assert_int_equal(n, 4 + 42);
	assert_int_equal(tunframe_reason_get(p, (size_t)n, &code, text,
	    sizeof(text), err, sizeof(err)), 0);
	assert_int_equal(code, TUNR_REFUSED);
	assert_string_equal(text, "connect unix:/x: No such file or directory");
	assert_string_equal(tunframe_reason_name(code), "refused");
	assert_string_equal(tunframe_reason_name(77), "unknown reason");
	/* Text is cut at the limit, never past the buffer. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	n = tunframe_reason_put(p, sizeof(p), 99, big);
	assert_int_equal(n, 4 + TUNFRAME_TEXT_MAX);
	assert_int_equal(tunframe_reason_get(p, (size_t)n, &code, text, 8,
	    err, sizeof(err)), 0);
	assert_string_equal(text, "xxxxxxx");
	assert_int_equal(code, 99);
	assert_int_equal(tunframe_reason_get(p, 3, &code, text, sizeof(text),
	    err, sizeof(err)), -1);
	assert_int_equal(tunframe_reason_get(p, 4 + TUNFRAME_TEXT_MAX + 1,
	    &code, text, sizeof(text), err, sizeof(err)), -1);
	assert_int_equal(tunframe_reason_put(p, 10, 1, "0123456789"), -1);
	assert_string_equal(tunframe_type_name(TUNFRAME_GOAWAY), "GOAWAY");
	assert_string_equal(tunframe_type_name(200), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_limits_ok),
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_open_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
