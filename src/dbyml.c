/*
 * dbyml: see dbyml.h. The text is read line by line, each line's ERB
 * expanded first (Rails runs ERB over the whole file, then YAML; a tag
 * spanning lines is an error here). A block is the lines below a
 * "key:" line that are indented deeper; its direct entries are those
 * at the indentation of its first line. Explicit keys win over merged
 * ones ("<<: *default"), whatever their order, as in YAML.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dbyml.h"
#include "errbuf.h"

#define LINE_LEN	1024
#define MERGE_DEPTH	4

struct ctx {
	const char	*text;
	size_t		 len;
	dbyml_getenv	 getenv;
	void		*arg;
	struct dbyml	*y;
	char		*err;
	size_t		 errlen;
};

/* One YAML line after ERB: indentation, key, anchor, alias, value. */
struct yline {
	int	 indent;
	char	 key[64];
	char	 anchor[32];
	char	 alias[32];
	char	 val[DBYML_VAL];
	int	 has_val;
};

static const char *
skip_ws(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/* A Ruby string literal at *sp ("..." or '...') into out. Returns 0 and
 * moves *sp past it, or -1. */
static int
ruby_str(const char **sp, const char *e, char *out, size_t outlen)
{
	const char *s = *sp;
	char q;
	size_t o = 0;

	if (s >= e || (*s != '"' && *s != '\''))
		return -1;
	q = *s++;
	while (s < e && *s != q) {
		if (*s == '\\' && s + 1 < e)
			s++;
		if (o + 1 < outlen)
			out[o++] = *s;
		s++;
	}
	if (s >= e)
		return -1;
	out[o] = '\0';
	*sp = s + 1;
	return 0;
}

/* A literal: a string, a number, nil, true or false. Returns 1 with a
 * value in out, 0 for nil, -1 if none is there. */
static int
ruby_lit(const char **sp, const char *e, char *out, size_t outlen)
{
	const char *s = skip_ws(*sp, e);
	size_t n;

	if (s < e && (*s == '"' || *s == '\'')) {
		if (ruby_str(&s, e, out, outlen) == -1)
			return -1;
		*sp = s;
		return 1;
	}
	for (n = 0; s + n < e && (isalnum((unsigned char)s[n]) ||
	    s[n] == '.' || s[n] == '_' || s[n] == '-'); n++)
		;
	if (n == 0)
		return -1;
	*sp = s + n;
	if (n == 3 && memcmp(s, "nil", 3) == 0)
		return 0;
	if (!isdigit((unsigned char)s[0]) && s[0] != '-' &&
	    !(n == 4 && memcmp(s, "true", 4) == 0) &&
	    !(n == 5 && memcmp(s, "false", 5) == 0))
		return -1;
	snprintf(out, outlen, "%.*s", (int)n, s);
	return 1;
}

/*
 * One ERB operand: ENV["X"], ENV.fetch("X") { LIT }, ENV.fetch("X", LIT)
 * or a literal. Returns 1 with a value, 0 for nil, -1 not understood, -2
 * an error already in c->err.
 */
static int
erb_operand(struct ctx *c, const char **sp, const char *e, char *out,
    size_t outlen)
{
	const char *s = skip_ws(*sp, e), *v;
	char name[128];
	int fetch, r;

	if ((size_t)(e - s) >= 4 && memcmp(s, "ENV[", 4) == 0) {
		s += 4;
		fetch = 0;
	} else if ((size_t)(e - s) >= 10 && memcmp(s, "ENV.fetch(", 10) == 0) {
		s += 10;
		fetch = 1;
	} else {
		r = ruby_lit(&s, e, out, outlen);
		*sp = s;
		return r;
	}
	s = skip_ws(s, e);
	if (ruby_str(&s, e, name, sizeof(name)) == -1)
		return -1;
	s = skip_ws(s, e);
	v = c->getenv(name, c->arg);
	if (!fetch) {
		if (s >= e || *s != ']')
			return -1;
		*sp = s + 1;
		if (v == NULL)
			return 0;
		snprintf(out, outlen, "%s", v);
		return 1;
	}
	if (s < e && *s == ',') {		/* ENV.fetch("X", LIT) */
		s++;
		r = ruby_lit(&s, e, out, outlen);
		s = skip_ws(s, e);
		if (r == -1 || s >= e || *s != ')')
			return -1;
		*sp = s + 1;
		if (v == NULL)
			return r;
		snprintf(out, outlen, "%s", v);
		return 1;
	}
	if (s >= e || *s != ')')
		return -1;
	s = skip_ws(s + 1, e);
	if (s < e && *s == '{') {		/* ENV.fetch("X") { LIT } */
		s++;
		r = ruby_lit(&s, e, out, outlen);
		s = skip_ws(s, e);
		if (r == -1 || s >= e || *s != '}')
			return -1;
		*sp = s + 1;
		if (v == NULL)
			return r;
		snprintf(out, outlen, "%s", v);
		return 1;
	}
	*sp = s;
	if (v == NULL) {
		errbuf_set(c->err, c->errlen, "ERB: ENV.fetch(\"%s\") with %s "
		    "unset and no default: Rails stops with KeyError too", name,
		    name);
		return -2;
	}
	snprintf(out, outlen, "%s", v);
	return 1;
}

/* Evaluate the inside of "<%= ... %>": OPERAND [|| OPERAND ...]. Returns
 * 0 with the value in out ("" for nil), -1 not understood, -2 error. */
static int
erb_eval(struct ctx *c, const char *s, const char *e, char *out,
    size_t outlen)
{
	char v[DBYML_VAL];
	int r, have = 0;

	out[0] = '\0';
	for (;;) {
		r = erb_operand(c, &s, e, v, sizeof(v));
		if (r < 0)
			return r;
		if (!have && r == 1) {
			snprintf(out, outlen, "%s", v);
			have = 1;
		}
		s = skip_ws(s, e);
		if (s == e)
			return 0;
		if ((size_t)(e - s) < 2 || memcmp(s, "||", 2) != 0)
			return -1;
		s += 2;
	}
}

/* Expand the ERB tags of one line into out. Returns 0 or -1 (err). */
static int
erb_line(struct ctx *c, const char *s, size_t n, char *out, size_t outlen)
{
	const char *e = s + n, *open, *close;
	char v[DBYML_VAL];
	size_t o = 0, k;
	int r;

	while (s < e) {
		open = NULL;
		for (const char *p = s; p + 1 < e; p++)
			if (p[0] == '<' && p[1] == '%') {
				open = p;
				break;
			}
		k = (size_t)((open ? open : e) - s);
		if (o + k >= outlen)
			k = outlen - 1 - o;
		memcpy(out + o, s, k);
		o += k;
		if (open == NULL)
			break;
		close = NULL;
		for (const char *p = open + 2; p + 1 < e; p++)
			if (p[0] == '%' && p[1] == '>') {
				close = p;
				break;
			}
		if (close == NULL)
			return errbuf_set(c->err, c->errlen, "ERB: '<%%' without "
			    "'%%>' on its line");
		s = close + 2;
		if (open[2] != '=')	/* <% code %>, <%# comment %> */
			continue;
		r = erb_eval(c, open + 3, close, v, sizeof(v));
		if (r == -2)
			return -1;
		if (r == -1) {
			if (c->y->erb_unknown[0] == '\0')
				snprintf(c->y->erb_unknown,
				    sizeof(c->y->erb_unknown), "<%%=%.*s%%>",
				    (int)(close - open - 3 > 60 ? 60 :
				    close - open - 3), open + 3);
			v[0] = '\0';
		}
		k = strlen(v);
		if (o + k >= outlen)
			k = outlen - 1 - o;
		memcpy(out + o, v, k);
		o += k;
	}
	out[o] = '\0';
	return 0;
}

/* A YAML scalar at s (ERB done) into out: quoted or plain, comment cut. */
static void
scalar(const char *s, char *out, size_t outlen)
{
	size_t o = 0, n;

	if (*s == '"' || *s == '\'') {
		char q = *s++;

		for (; *s != '\0'; s++) {
			if (q == '\'' && s[0] == '\'' && s[1] == '\'')
				s++;
			else if (q == '"' && s[0] == '\\' && s[1] != '\0')
				s++;
			else if (*s == q)
				break;
			if (o + 1 < outlen)
				out[o++] = *s;
		}
		out[o] = '\0';
		return;
	}
	for (n = 0; s[n] != '\0'; n++)
		if (s[n] == '#' && n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			break;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if ((n == 1 && s[0] == '~') || (n == 4 && memcmp(s, "null", 4) == 0))
		n = 0;
	snprintf(out, outlen, "%.*s", (int)(n < outlen ? n : outlen - 1), s);
}

/* A "&name" or "*name" token at *sp into out; moves *sp past it. */
static void
token(const char **sp, char *out, size_t outlen)
{
	const char *s = *sp + 1;
	size_t n = strcspn(s, " \t");

	snprintf(out, outlen, "%.*s", (int)(n < outlen ? n : outlen - 1), s);
	*sp = s + n;
	while (**sp == ' ' || **sp == '\t')
		(*sp)++;
}

/*
 * The next line of the text at *pos into l. Returns 1 for a key line, 0
 * for a line to skip (blank, comment, list item, too long), -1 at the end,
 * -2 on an ERB error.
 */
static int
next_line(struct ctx *c, size_t *pos, struct yline *l)
{
	char buf[LINE_LEN];
	const char *s, *nl, *k, *ke;
	size_t n;

	if (*pos >= c->len)
		return -1;
	s = c->text + *pos;
	nl = memchr(s, '\n', c->len - *pos);
	n = nl ? (size_t)(nl - s) : c->len - *pos;
	*pos += n + (nl != NULL);
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n >= LINE_LEN || memchr(s, '\0', n) != NULL)
		return 0;
	if (erb_line(c, s, n, buf, sizeof(buf)) == -1)
		return -2;
	memset(l, 0, sizeof(*l));
	for (k = buf; *k == ' ' || *k == '\t'; k++)
		l->indent++;
	if (*k == '\0' || *k == '#' || *k == '-' || *k == '.')
		return 0;
	/* The key ends at the first ':' followed by a blank or the end. */
	if (*k == '"' || *k == '\'') {
		ke = strchr(k + 1, *k);
		if (ke == NULL || ke[1] != ':')
			return 0;
		snprintf(l->key, sizeof(l->key), "%.*s", (int)(ke - k - 1), k + 1);
		ke++;
	} else {
		for (ke = k; *ke != '\0' && !(ke[0] == ':' && (ke[1] == '\0' ||
		    ke[1] == ' ' || ke[1] == '\t')); ke++)
			;
		if (*ke != ':' || ke == k)
			return 0;
		n = (size_t)(ke - k);
		while (n > 0 && k[n - 1] == ' ')
			n--;
		snprintf(l->key, sizeof(l->key), "%.*s", (int)n, k);
	}
	s = ke + 1;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '&')
		token(&s, l->anchor, sizeof(l->anchor));
	if (*s == '*')
		token(&s, l->alias, sizeof(l->alias));
	else if (*s != '\0' && *s != '#') {
		scalar(s, l->val, sizeof(l->val));
		l->has_val = 1;
	}
	return 1;
}

/* Set y's field named key from val, unless set already. */
static int
set_field(struct dbyml *y, const char *key, const char *val)
{
	static const struct {
		const char	*key;
		size_t		 off, len;
	} f[] = {
#define F(k, m) { k, offsetof(struct dbyml, m), sizeof(((struct dbyml *)0)->m) }
		F("adapter", adapter), F("host", host), F("port", port),
		F("socket", socket), F("database", database),
		F("username", username), F("url", url),
#undef F
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		char *dst = (char *)y + f[i].off;

		if (strcmp(key, f[i].key) != 0)
			continue;
		if (dst[0] == '\0')
			snprintf(dst, f[i].len, "%s", val);
		return 1;
	}
	return 0;
}

/*
 * Collect the direct entries of a block into c->y: the block under the
 * top-level key top (anchor NULL) or under the line carrying &anchor;
 * with sub, the block under its child sub instead. Merges are applied
 * after the explicit keys. first_child gets the first child that is a
 * block. Returns 1 if the block was found, 0 if not, -1 on error.
 */
static int
collect(struct ctx *c, const char *top, const char *anchor, const char *sub,
    int depth, char *first_child, size_t fclen)
{
	char merges[4][32];
	struct yline l;
	size_t pos = 0;
	int r, nmerge = 0, found = 0, in = 0, base = -1, child = -1,
	    sub_in = 0, sub_child = -1, sub_base = -1;

	while ((r = next_line(c, &pos, &l)) != -1) {
		if (r == -2)
			return -1;
		if (r == 0)
			continue;
		if (in && l.indent <= base) {
			in = 0;
			if (found)
				break;
		}
		if (!in) {
			if ((anchor == NULL && l.indent == 0 &&
			    strcmp(l.key, top) == 0) || (anchor != NULL &&
			    strcmp(l.anchor, anchor) == 0)) {
				in = found = 1;
				base = l.indent;
				child = -1;
				if (l.alias[0] != '\0' && nmerge < 4)
					snprintf(merges[nmerge++],
					    sizeof(merges[0]), "%s", l.alias);
			}
			continue;
		}
		if (child == -1)
			child = l.indent;
		if (sub != NULL) {
			if (l.indent == child) {
				sub_in = strcmp(l.key, sub) == 0;
				sub_base = l.indent;
				sub_child = -1;
				continue;
			}
			if (!sub_in || l.indent <= sub_base)
				continue;
			if (sub_child == -1)
				sub_child = l.indent;
			if (l.indent != sub_child)
				continue;
		} else if (l.indent != child)
			continue;
		if (strcmp(l.key, "<<") == 0 && l.alias[0] != '\0') {
			if (nmerge < 4)
				snprintf(merges[nmerge++], sizeof(merges[0]),
				    "%s", l.alias);
			continue;
		}
		if (!set_field(c->y, l.key, l.has_val ? l.val : "") &&
		    !l.has_val && l.alias[0] == '\0' && first_child != NULL &&
		    first_child[0] == '\0')
			snprintf(first_child, fclen, "%s", l.key);
	}
	for (int i = 0; i < nmerge && depth < MERGE_DEPTH; i++)
		if (collect(c, NULL, merges[i], NULL, depth + 1, NULL, 0) == -1)
			return -1;
	return found;
}

static int
any_set(const struct dbyml *y)
{
	return y->adapter[0] || y->host[0] || y->port[0] || y->socket[0] ||
	    y->database[0] || y->url[0];
}

int
dbyml_parse(const char *text, size_t len, const char *env,
    dbyml_getenv getenv, void *arg, struct dbyml *y, char *err,
    size_t errlen)
{
	struct ctx c = { text, len, getenv, arg, y, err, errlen };
	char child[64] = "";
	int r;

	memset(y, 0, sizeof(*y));
	if (env == NULL || *env == '\0')
		return errbuf_set(err, errlen, "no environment name");
	if ((r = collect(&c, env, NULL, NULL, 0, child, sizeof(child))) == -1)
		return -1;
	if (r == 0)
		return errbuf_set(err, errlen, "no '%s:' block", env);
	snprintf(y->block, sizeof(y->block), "%s", env);
	if (!any_set(y) && child[0] != '\0') {
		/* Several databases: "primary" is the main one. */
		const char *sub = "primary";

		memset(&c.y->adapter, 0, offsetof(struct dbyml, block));
		if ((r = collect(&c, env, NULL, sub, 0, NULL, 0)) == -1)
			return -1;
		if (!any_set(y)) {
			sub = child;
			memset(&c.y->adapter, 0, offsetof(struct dbyml, block));
			if (collect(&c, env, NULL, sub, 0, NULL, 0) == -1)
				return -1;
		}
		snprintf(y->block, sizeof(y->block), "%.30s.%.30s", env, sub);
	}
	return 0;
}
