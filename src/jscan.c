/*
 * jscan: see jscan.h. A value is skipped by walking it with a stack of
 * the open brackets, so a text can be arbitrarily long but not deep.
 */
#include <string.h>

#include "jscan.h"

static size_t
ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
	    s[i] == '\r'))
		i++;
	return i;
}

/* Skip the string whose '"' is at i; returns the offset after its
 * closing quote, or 0 if it is cut off or holds a control byte. */
static size_t
skip_str(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"')
			return i + 1;
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (++i >= n)
				return 0;
			if (s[i] == 'u') {
				for (int k = 1; k <= 4; k++)
					if (i + (size_t)k >= n ||
					    !strchr("0123456789abcdefABCDEF",
					    s[i + (size_t)k]) || s[i + (size_t)k] == '\0')
						return 0;
				i += 4;
			} else if (!strchr("\"\\/bfnrt", s[i]) || s[i] == '\0')
				return 0;
		}
	}
	return 0;
}

/* Skip a scalar (number, true, false, null) at i; returns the offset
 * after it, or 0. */
static size_t
skip_scalar(const char *s, size_t n, size_t i)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t j = i;

	for (int w = 0; w < 3; w++) {
		size_t l = strlen(words[w]);

		if (n - i >= l && memcmp(s + i, words[w], l) == 0)
			return i + l;
	}
	while (j < n && s[j] != '\0' && strchr("+-0123456789.eE", s[j]))
		j++;
	/* a digit first, after an optional sign */
	i += i < j && s[i] == '-';
	return i < j && s[i] >= '0' && s[i] <= '9' ? j : 0;
}

int
jscan_skip(const char *s, size_t n, size_t *pos)
{
	char stack[JSCAN_DEPTH];
	int depth = 0, want_val = 1;
	size_t i = ws(s, n, *pos), j;

	for (;;) {
		if (i >= n)
			return -1;
		if (want_val) {
			if (s[i] == '{' || s[i] == '[') {
				if (depth == JSCAN_DEPTH)
					return -1;
				stack[depth++] = s[i] == '{' ? '}' : ']';
				i = ws(s, n, i + 1);
				if (i < n && s[i] == stack[depth - 1]) {
					depth--;
					i++;
					want_val = 0;
					goto after;
				}
				if (stack[depth - 1] == '}') {
					/* a key, then ':' */
					if (i >= n || s[i] != '"' ||
					    (j = skip_str(s, n, i)) == 0)
						return -1;
					i = ws(s, n, j);
					if (i >= n || s[i] != ':')
						return -1;
					i = ws(s, n, i + 1);
				}
				continue;
			}
			if (s[i] == '"')
				j = skip_str(s, n, i);
			else
				j = skip_scalar(s, n, i);
			if (j == 0)
				return -1;
			i = j;
			want_val = 0;
		}
after:
		if (depth == 0) {
			*pos = i;
			return 0;
		}
		i = ws(s, n, i);
		if (i >= n)
			return -1;
		if (s[i] == stack[depth - 1]) {
			depth--;
			i++;
			goto after;
		}
		if (s[i] != ',')
			return -1;
		i = ws(s, n, i + 1);
		if (stack[depth - 1] == '}') {
			if (i >= n || s[i] != '"' || (j = skip_str(s, n, i)) == 0)
				return -1;
			i = ws(s, n, j);
			if (i >= n || s[i] != ':')
				return -1;
			i = ws(s, n, i + 1);
		}
		want_val = 1;
	}
}

int
jscan_next(const char *s, size_t n, size_t *it, size_t *key, size_t *val)
{
	size_t i = *it, j;
	char close;

	if (i >= n)
		return -1;
	if (s[i] == '[' || s[i] == '{') {
		close = s[i] == '[' ? ']' : '}';
		i = ws(s, n, i + 1);
		if (i < n && s[i] == close) {
			*it = i;
			return 0;
		}
	} else if (s[i] == ']' || s[i] == '}') {
		return 0;
	} else if (s[i] == ',') {
		/* the closer is found by what follows the last element */
		close = 0;
		i = ws(s, n, i + 1);
	} else
		return -1;
	if (i >= n)
		return -1;
	if (s[i] == '"' && (close == '}' || (close == 0 && key != NULL))) {
		/* an object member: "key": value */
		if (key != NULL)
			*key = i;
		if ((j = skip_str(s, n, i)) == 0)
			return -1;
		i = ws(s, n, j);
		if (i >= n || s[i] != ':')
			return -1;
		i = ws(s, n, i + 1);
	}
	*val = i;
	if (jscan_skip(s, n, &i) == -1)
		return -1;
	i = ws(s, n, i);
	if (i >= n || (s[i] != ',' && s[i] != ']' && s[i] != '}'))
		return -1;
	*it = i;
	return 1;
}

int
jscan_str(const char *s, size_t n, size_t pos, char *out, size_t out_len)
{
	size_t end, o = 0;

	if (out_len > 0)
		out[0] = '\0';
	if (pos >= n || s[pos] != '"' || (end = skip_str(s, n, pos)) == 0)
		return -1;
	for (size_t i = pos + 1; i < end - 1; i++) {
		char c = s[i];

		if (c == '\\') {
			c = s[++i];
			if (c == 'u') {
				unsigned v = 0;

				for (int k = 1; k <= 4; k++) {
					char h = s[i + (size_t)k];

					v = v * 16 + (unsigned)(h <= '9' ? h - '0' :
					    (h | 0x20) - 'a' + 10);
				}
				i += 4;
				c = v >= 0x20 && v < 0x80 ? (char)v : '?';
			} else
				c = c == 'n' ? '\n' : c == 't' ? '\t' :
				    c == 'r' ? '\r' : c == 'b' ? '\b' :
				    c == 'f' ? '\f' : c;
		}
		if (o + 1 < out_len)
			out[o++] = c;
	}
	if (out_len > 0)
		out[o] = '\0';
	return 0;
}

int
jscan_member(const char *s, size_t n, size_t obj, const char *key,
    size_t *val)
{
	char k[128];
	size_t it = ws(s, n, obj), kp, vp;
	int rc;

	if (it >= n || s[it] != '{')
		return 0;
	while ((rc = jscan_next(s, n, &it, &kp, &vp)) == 1) {
		if (jscan_str(s, n, kp, k, sizeof(k)) == 0 &&
		    strcmp(k, key) == 0) {
			*val = vp;
			return 1;
		}
	}
	return rc;
}

int
jscan_int(const char *s, size_t n, size_t pos, long long *v)
{
	long long x = 0;
	size_t i = pos;
	int neg = 0;

	if (i < n && s[i] == '-') {
		neg = 1;
		i++;
	}
	if (i >= n || s[i] < '0' || s[i] > '9')
		return -1;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (x > (9223372036854775807LL - 9) / 10)
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	if (i < n && (s[i] == '.' || s[i] == 'e' || s[i] == 'E'))
		return -1;
	*v = neg ? -x : x;
	return 0;
}
