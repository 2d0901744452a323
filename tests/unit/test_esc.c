/*
 * Unit tests for src/esc.c, the one JSON string writer (and the text and
 * XML cleaners beside it).
 *
 * JSON: UTF-8 passes as it is (paths such as /tmp/café.sock must not turn
 * into cafÃ©); control characters are escaped; each byte that is not part
 * of well-formed UTF-8 (stray continuation bytes, overlong forms, UTF-16
 * surrogates written as UTF-8, code points past U+10FFFF, sequences cut
 * short) becomes \udcXX. A decoder written here, as a JSON reader with
 * Python's surrogateescape would do it, must get the exact bytes back from
 * any input, so no bad byte can pass for text. Sequences cut short are
 * placed to end right at a guard page, so a read past the end faults.
 * Run under -fsanitize=address,undefined.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"

#include "esc.h"
#include "util.h"

/* ------------------------------------------------------------ fixtures */

/* esc_put(s[0..len), esc) into a malloc'd NUL-terminated string. */
static char *
put(const char *s, size_t len, enum esc esc, size_t *shown)
{
	char *buf = NULL;
	size_t blen = 0, n;
	FILE *f = open_memstream(&buf, &blen);

	assert_non_null(f);
	n = esc_put(f, s, len, esc);
	assert_int_equal(fclose(f), 0);
	if (shown != NULL)
		*shown = n;
	return buf;
}

/* esc_json(s) into a malloc'd string. */
static char *
json(const char *s)
{
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);

	assert_non_null(f);
	esc_json(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* ESC_JSON of the len bytes at s must be exactly want. */
static void
json_is(const char *s, size_t len, const char *want)
{
	char *got = put(s, len, ESC_JSON, NULL);

	if (strcmp(got, want) != 0)
		fail_msg("json of %zu bytes: got \"%s\", want \"%s\"", len,
		    got, want);
	free(got);
}

#define JSON_IS(lit, want)	json_is(lit, sizeof(lit) - 1, want)

static void
put_utf8(unsigned char *out, size_t *o, uint32_t cp)
{
	if (cp < 0x80)
		out[(*o)++] = (unsigned char)cp;
	else if (cp < 0x800) {
		out[(*o)++] = (unsigned char)(0xc0 | cp >> 6);
		out[(*o)++] = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		out[(*o)++] = (unsigned char)(0xe0 | cp >> 12);
		out[(*o)++] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[(*o)++] = (unsigned char)(0x80 | (cp & 0x3f));
	}
}

/*
 * Decode a JSON string body the way a reader does, then encode it back to
 * bytes with surrogateescape (U+DC80-U+DCFF: the byte 0x80-0xff). Fails
 * the test on anything a JSON reader would refuse: raw control
 * characters, a raw quote, an unknown escape, a surrogate outside
 * DC80-DCFF (esc never writes pairs). Returns the byte count in out.
 */
static size_t
decode(const char *js, unsigned char *out)
{
	const unsigned char *p = (const unsigned char *)js;
	size_t o = 0;

	while (*p != '\0') {
		unsigned int cp;

		assert_true(*p >= 0x20);
		assert_true(*p != '"');
		if (*p != '\\') {
			out[o++] = *p++;
			continue;
		}
		p++;
		switch (*p) {
		case '"': case '\\': case '/':
			out[o++] = *p;
			break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u':
			assert_int_equal(sscanf((const char *)p + 1, "%4x",
			    &cp), 1);
			p += 4;
			if (cp >= 0xdc80 && cp <= 0xdcff)
				out[o++] = (unsigned char)(cp - 0xdc00);
			else {
				assert_false(cp >= 0xd800 && cp <= 0xdfff);
				put_utf8(out, &o, cp);
			}
			break;
		default:
			fail_msg("unknown escape \\%c", *p);
		}
		p++;
	}
	return o;
}

/* ------------------------------------------------------------- tests */

static void
test_utf8_passes(void **state)
{
	char *s;

	(void)state;
	JSON_IS("/tmp/caf\xc3\xa9.sock", "/tmp/caf\xc3\xa9.sock");
	JSON_IS("\xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf",
	    "\xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf");
	/* smallest of each length, U+00A0 (not a control), U+FFFF */
	JSON_IS("\xc2\x80x", "\\u0080x");
	JSON_IS("\xc2\xa0\xe0\xa0\x80\xf0\x90\x80\x80\xef\xbf\xbf",
	    "\xc2\xa0\xe0\xa0\x80\xf0\x90\x80\x80\xef\xbf\xbf");
	s = json("/run/caf\xc3\xa9/\xd0\xb1\xd0\xb4.sock");
	assert_string_equal(s, "\"/run/caf\xc3\xa9/\xd0\xb1\xd0\xb4.sock\"");
	free(s);
}

static void
test_controls(void **state)
{
	(void)state;
	JSON_IS("a\"b\\c/", "a\\\"b\\\\c/");
	JSON_IS("\b\f\n\r\t", "\\b\\f\\n\\r\\t");
	JSON_IS("\x01\x1b\x1f\x7f", "\\u0001\\u001b\\u001f\\u007f");
	/* C1 controls, written as well-formed UTF-8: escaped, same value */
	JSON_IS("\xc2\x85\xc2\x9f", "\\u0085\\u009f");
	/* a NUL ends the string */
	json_is("ab\0cd", 5, "ab");
}

static void
test_bad_bytes(void **state)
{
	(void)state;
	JSON_IS("\xff", "\\udcff");
	JSON_IS("\xfe\xf5\xf8", "\\udcfe\\udcf5\\udcf8");
	/* stray continuation bytes */
	JSON_IS("a\x80\xbf" "b", "a\\udc80\\udcbfb");
	/* overlong forms of '/' and of U+0000 */
	JSON_IS("\xc0\xaf", "\\udcc0\\udcaf");
	JSON_IS("\xc1\xbf", "\\udcc1\\udcbf");
	JSON_IS("\xe0\x80\xaf", "\\udce0\\udc80\\udcaf");
	JSON_IS("\xf0\x80\x80\xaf", "\\udcf0\\udc80\\udc80\\udcaf");
	JSON_IS("\xc0\x80", "\\udcc0\\udc80");
	/* UTF-16 surrogates written as UTF-8 (CESU-8 style), and a pair */
	JSON_IS("\xed\xa0\x80", "\\udced\\udca0\\udc80");
	JSON_IS("\xed\xbf\xbf", "\\udced\\udcbf\\udcbf");
	JSON_IS("\xed\xa0\xbd\xed\xb8\x80",
	    "\\udced\\udca0\\udcbd\\udced\\udcb8\\udc80");
	/* past U+10FFFF */
	JSON_IS("\xf4\x90\x80\x80", "\\udcf4\\udc90\\udc80\\udc80");
	/* cut short by other text: the good byte after stays itself */
	JSON_IS("\xe2\x82" "A", "\\udce2\\udc82A");
	JSON_IS("\xf0\x9f\x98" "\xc3\xa9", "\\udcf0\\udc9f\\udc98\xc3\xa9");
	/* a Latin-1 "café" is not the UTF-8 one */
	JSON_IS("caf\xe9", "caf\\udce9");
}

/*
 * Every proper prefix of a multi-byte character, ending right at a guard
 * page: esc_utf8_len() must say 0 without touching the page, and esc_put()
 * escapes each byte.
 */
static void
test_truncated_at_guard(void **state)
{
	static const char *const chars[] = {
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		"\xef\xbf\xbf", "\xf4\x8f\xbf\xbf",
	};

	(void)state;
	for (size_t c = 0; c < nitems(chars); c++) {
		size_t n = strlen(chars[c]);

		for (size_t cut = 1; cut <= n; cut++) {
			struct guard g;
			char *p = guard_map(&g, cut), want[64] = "";
			char *got;

			memcpy(p, chars[c], cut);
			assert_int_equal(esc_utf8_len((unsigned char *)p, cut),
			    cut == n ? n : 0);
			if (cut == n)
				memcpy(want, chars[c], n + 1);
			else
				for (size_t i = 0; i < cut; i++)
					snprintf(want + strlen(want),
					    sizeof(want) - strlen(want),
					    "\\udc%02x", (unsigned char)p[i]);
			got = put(p, cut, ESC_JSON, NULL);
			assert_string_equal(got, want);
			free(got);
			guard_free(&g);
		}
	}
	assert_int_equal(esc_utf8_len((const unsigned char *)"", 0), 0);
}

/*
 * Whatever the bytes, the JSON is valid and decodes (surrogateescape) to
 * exactly those bytes: no bad byte reads as text, no text as a bad byte.
 * Random strings weighted to high bytes and UTF-8 lead bytes.
 */
static void
test_round_trip(void **state)
{
	static const unsigned char pick[] = {
		0x00, 0x01, 0x0a, 0x1f, '"', '\\', 'a', 0x7f, 0x80, 0x9f,
		0xa0, 0xbf, 0xc0, 0xc2, 0xc3, 0xdf, 0xe0, 0xed, 0xef, 0xf0,
		0xf4, 0xf5, 0xff,
	};
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned char in[24], back[24 * 4];
	char *js;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t len = 1 + round % nitems(in), blen;

		for (size_t i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			in[i] = x % 3 == 0 ? (unsigned char)(x >> 8) :
			    pick[(x >> 8) % nitems(pick)];
			if (in[i] == 0)
				in[i] = 'z';
		}
		js = put((const char *)in, len, ESC_JSON, NULL);
		blen = decode(js, back);
		if (blen != len || memcmp(back, in, len) != 0)
			fail_msg("round %d: bytes changed through \"%s\"",
			    round, js);
		free(js);
	}
}

static void
test_text_and_xml(void **state)
{
	size_t shown;
	char *s;

	(void)state;
	s = put("caf\xc3\xa9\t\x7f", 7, ESC_TEXT, &shown);
	assert_string_equal(s, "caf\xc3\xa9??");
	assert_int_equal(shown, 6);
	free(s);
	s = put("<a&'\">\x01 caf\xc3\xa9 \xff\xef\xbf\xbe", 18, ESC_XML,
	    &shown);
	assert_string_equal(s, "&lt;a&amp;&apos;&quot;&gt;  caf\xc3\xa9 "
	    "\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_passes),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_truncated_at_guard),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_text_and_xml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
