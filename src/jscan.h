/*
 * jscan: find values in a JSON text without building a tree, for the few
 * fields doctor reads from the Docker Engine API. Positions are offsets
 * into the text s[0..n); the text need not be NUL-terminated. Nesting
 * deeper than JSCAN_DEPTH is refused. Pure: no I/O, no allocation.
 */
#ifndef SB_JSCAN_H
#define SB_JSCAN_H

#include <stddef.h>

#define JSCAN_DEPTH	64

/* Skip white space and one value at *pos; *pos ends after it. Returns 0,
 * or -1 if the value is malformed or cut off. */
int	jscan_skip(const char *s, size_t n, size_t *pos);

/*
 * The next element of the array (or member value of the object) whose
 * iterator is *it: start with *it at the '[' (or '{'). Returns 1 with
 * the element's position in *val (for an object, the key's position in
 * *key, if key is not NULL), 0 at the end, -1 if malformed.
 */
int	jscan_next(const char *s, size_t n, size_t *it, size_t *key,
	    size_t *val);

/* The value of member key in the object at obj. Returns 1 with *val, 0
 * if there is none (or obj is not an object), -1 if malformed. */
int	jscan_member(const char *s, size_t n, size_t obj, const char *key,
	    size_t *val);

/* The string at pos, decoded into out (cut to out_len - 1 bytes; \u
 * escapes beyond ASCII become '?'). Returns 0, or -1 if pos holds no
 * well-formed string. */
int	jscan_str(const char *s, size_t n, size_t pos, char *out,
	    size_t out_len);

/* The integer at pos (no fraction, no exponent) into *v. Returns 0 or
 * -1. */
int	jscan_int(const char *s, size_t n, size_t pos, long long *v);

#endif
