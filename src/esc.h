/*
 * esc: write strings cleaned for where they go: a terminal, JSON or XML.
 * The one JSON string writer of the program.
 */
#ifndef SB_ESC_H
#define SB_ESC_H

#include <stddef.h>
#include <stdio.h>

enum esc {
	ESC_TEXT,	/* control bytes become '?' */
	ESC_JSON,	/* JSON string body, see esc_put() */
	ESC_XML		/* XML text or attribute body */
};

/*
 * Take bytes s[0..len); return the length (1 to 4) of the well-formed
 * UTF-8 sequence at s, or 0 if there is none: a stray continuation byte,
 * a lead byte without all its continuation bytes before len, an overlong
 * form, a UTF-16 surrogate or a code point past U+10FFFF. Reads no byte
 * at or past s + len.
 */
size_t	esc_utf8_len(const unsigned char *s, size_t len);

/*
 * Write s[0..len) to f, stopping early at a NUL, cleaned for esc:
 * - ESC_TEXT: bytes below 0x20 and 0x7f become '?'.
 * - ESC_JSON: well-formed UTF-8 passes as it is; '"' and '\' are
 *   escaped; control characters (U+0000-U+001F, U+007F-U+009F) become
 *   \b \f \n \r \t or \u00XX. A byte that is not part of well-formed
 *   UTF-8 (always 0x80-0xff) becomes the lone low surrogate \udcXX, XX
 *   being the byte: Python's "surrogateescape" form. No well-formed text
 *   ever yields U+DC80-U+DCFF, so a reader keeps the two apart and can
 *   get the bytes back (json.loads(s).encode("utf-8", "surrogateescape")).
 * - ESC_XML: markup characters become entities, the C0 controls XML 1.0
 *   cannot carry become spaces, and bad bytes, U+FFFE and U+FFFF become
 *   U+FFFD.
 * Returns the number of characters shown, for padding.
 */
size_t	esc_put(FILE *f, const char *s, size_t len, enum esc esc);

/* Write the NUL-terminated s to f as a JSON string, quotes included
 * (the rules of esc_put() with ESC_JSON). */
void	esc_json(FILE *f, const char *s);

#endif
