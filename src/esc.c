/*
 * esc: see esc.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "esc.h"

size_t
esc_utf8_len(const unsigned char *s, size_t len)
{
	uint32_t cp;
	size_t need;

	if (len == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {	/* 0xc0, 0xc1: overlong */
		need = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	for (size_t i = 1; i < need; i++) {
		if (i >= len || (s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

/* Is the k-byte sequence at p U+FFFE or U+FFFF, which XML refuses? */
static int
xml_nonchar(const unsigned char *p, size_t k)
{
	return k == 3 && p[0] == 0xef && p[1] == 0xbf &&
	    (p[2] == 0xbe || p[2] == 0xbf);
}

/* Write the JSON form of the character cp (below U+00A0). */
static void
json_char(FILE *f, unsigned int cp)
{
	switch (cp) {
	case '"':  fputs("\\\"", f); break;
	case '\\': fputs("\\\\", f); break;
	case '\b': fputs("\\b", f); break;
	case '\f': fputs("\\f", f); break;
	case '\n': fputs("\\n", f); break;
	case '\r': fputs("\\r", f); break;
	case '\t': fputs("\\t", f); break;
	default:
		if (cp < 0x20 || cp >= 0x7f)
			fprintf(f, "\\u%04x", cp);
		else
			fputc((int)cp, f);
	}
}

/* Write the XML form of the ASCII character c. */
static void
xml_char(FILE *f, unsigned char c)
{
	switch (c) {
	case '<':  fputs("&lt;", f); break;
	case '>':  fputs("&gt;", f); break;
	case '&':  fputs("&amp;", f); break;
	case '"':  fputs("&quot;", f); break;
	case '\'': fputs("&apos;", f); break;
	default:
		/* XML 1.0 has no way to say the other C0 controls */
		fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
	}
}

size_t
esc_put(FILE *f, const char *s, size_t len, enum esc esc)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, shown = 0;

	while (i < len && p[i] != '\0') {
		unsigned char c = p[i];
		size_t k;

		shown++;
		if (esc == ESC_TEXT) {
			fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
			if ((c & 0xc0) == 0x80)	/* continuation: no column */
				shown--;
			i++;
			continue;
		}
		k = esc_utf8_len(p + i, len - i);
		if (k == 0 || (esc == ESC_XML && xml_nonchar(p + i, k))) {
			if (esc == ESC_JSON)
				fprintf(f, "\\udc%02x", c);
			else
				fputs("\xef\xbf\xbd", f);
			i += k > 0 ? k : 1;
			continue;
		}
		if (k == 1 && esc == ESC_JSON)
			json_char(f, c);
		else if (k == 1)
			xml_char(f, c);
		else if (esc == ESC_JSON && c == 0xc2 && p[i + 1] < 0xa0)
			json_char(f, p[i + 1]);		/* C1 control */
		else
			fwrite(p + i, 1, k, f);	/* no NUL hides in it */
		i += k;
	}
	return shown;
}

void
esc_json(FILE *f, const char *s)
{
	fputc('"', f);
	esc_put(f, s, strlen(s), ESC_JSON);
	fputc('"', f);
}
