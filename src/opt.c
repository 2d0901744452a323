/*
 * opt: see opt.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "errbuf.h"
#include "opt.h"

/* Longest word opt_suggest() compares. */
#define OPT_WORD_MAX	64

/* Edit distance between a and b (both at most OPT_WORD_MAX bytes). */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[OPT_WORD_MAX + 1];

	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], v;

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			v = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < v)
				v = row[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			diag = row[j];
			row[j] = v;
		}
	}
	return row[lb];
}

const char *
opt_suggest(const struct opt_entry *opts, const char *word)
{
	const char *best = NULL, *prefix = NULL;
	size_t best_d = 3, n = strlen(word);
	int ties = 0, prefixes = 0;

	if (n == 0 || n > OPT_WORD_MAX)
		return NULL;
	for (const struct opt_entry *o = opts; o->name != NULL; o++) {
		size_t d;

		if (strlen(o->name) > OPT_WORD_MAX)
			continue;
		if (strncmp(o->name, word, n) == 0) {
			prefix = o->name;
			prefixes++;
		}
		if ((d = distance(word, o->name)) < best_d) {
			best_d = d;
			best = o->name;
			ties = 0;
		} else if (d == best_d)
			ties++;
	}
	/* one edit beats a prefix ("--mod": mode), a prefix beats two
	 * ("--pipe": pipe-size, not ping) */
	if (best != NULL && ties == 0 && best_d <= 1)
		return best;
	if (prefixes == 1)
		return prefix;
	return best != NULL && ties == 0 ? best : NULL;
}

/* Entry for the long name name[0..len), or NULL. */
static const struct opt_entry *
find_long(const struct opt_entry *opts, const char *name, size_t len)
{
	for (const struct opt_entry *o = opts; o->name != NULL; o++)
		if (strncmp(o->name, name, len) == 0 && o->name[len] == '\0')
			return o;
	return NULL;
}

static const struct opt_entry *
find_short(const struct opt_entry *opts, int c)
{
	for (const struct opt_entry *o = opts; o->name != NULL; o++)
		if (o->letter != 0 && o->letter == c)
			return o;
	return NULL;
}

static int
takes_value(const struct opt_entry *o)
{
	return o->kind != OPT_FLAG && o->kind != OPT_COUNT &&
	    o->kind != OPT_HELP && o->kind != OPT_FUNC;
}

int
opt_wants_next(const struct opt_entry *opts, int flags, const char *arg)
{
	const struct opt_entry *o;

	if (arg[0] != '-' || arg[1] == '\0' || strcmp(arg, "--") == 0)
		return 0;
	if (arg[1] == '-' || ((flags & OPT_LONG_ONLY) &&
	    !(arg[2] == '\0' && find_short(opts, arg[1]) != NULL))) {
		const char *name = arg + (arg[1] == '-' ? 2 : 1);

		if (strchr(name, '=') != NULL)
			return 0;
		o = find_long(opts, name, strlen(name));
		return o != NULL && takes_value(o);
	}
	/* grouped letters: the first that takes a value takes the rest of
	 * the word, or the next word when it ends the group */
	for (const char *p = arg + 1; *p != '\0'; p++) {
		if ((o = find_short(opts, (unsigned char)*p)) == NULL)
			return 0;
		if (takes_value(o))
			return p[1] == '\0';
	}
	return 0;
}

/* Apply option o with value val (NULL if it takes none). Returns 0, 1 for
 * help, or -1 with err. */
static int
apply(const struct opt_entry *o, const char *val, void *ctx, char *err,
    size_t errlen)
{
	long n;
	size_t sz;
	int ms;

	switch (o->kind) {
	case OPT_FLAG:
		*(int *)o->dst = 1;
		return 0;
	case OPT_COUNT:
		(*(int *)o->dst)++;
		return 0;
	case OPT_HELP:
		return 1;
	case OPT_INT:
		if (num_parse_int(val, o->min, o->max, &n) == -1)
			break;
		*(int *)o->dst = (int)n;
		return 0;
	case OPT_SIZE:
		if (num_parse_size(val, (size_t)o->min, (size_t)o->max,
		    &sz) == -1)
			break;
		*(int *)o->dst = (int)sz;
		return 0;
	case OPT_DURATION:
		if (num_parse_duration(val, &ms) == -1 || ms < o->min)
			break;
		*(int *)o->dst = ms;
		return 0;
	case OPT_STR:
		*(const char **)o->dst = val;
		return 0;
	case OPT_FUNC:
	case OPT_FUNC_ARG:
		return o->fn(val, ctx, err, errlen) == -1 ? -1 : 0;
	}
	return errbuf_set(err, errlen, "--%s %s: %s", o->name, val,
	    o->bad != NULL ? o->bad : "bad value");
}

/*
 * Take the option at argv[*i] (it starts with '-' and is not "-" or
 * "--"); apply it, and each grouped short letter, consuming a value from
 * argv[*i + 1] if one is needed. Advances *i past what it used. Returns
 * 0, 1 for help, or -1 with err.
 */
static int
one_option(const struct opt_entry *opts, const char *cmd, int flags,
    int argc, char **argv, int *i, void *ctx, char *err, size_t errlen)
{
	const char *arg = argv[*i], *name, *eq, *val, *hint;
	const struct opt_entry *o;
	size_t len;

	(*i)++;
	if (arg[1] == '-' || ((flags & OPT_LONG_ONLY) &&
	    !(arg[2] == '\0' && find_short(opts, arg[1]) != NULL))) {
		name = arg + (arg[1] == '-' ? 2 : 1);
		eq = strchr(name, '=');
		len = eq != NULL ? (size_t)(eq - name) : strlen(name);
		if ((o = find_long(opts, name, len)) == NULL) {
			char word[OPT_WORD_MAX + 1];

			hint = NULL;
			if (len <= OPT_WORD_MAX) {
				memcpy(word, name, len);
				word[len] = '\0';
				hint = opt_suggest(opts, word);
			}
			if (hint != NULL)
				return errbuf_set(err, errlen, "%s: unknown "
				    "option '%.*s' (did you mean --%s?)", cmd,
				    (int)(name - arg + len), arg, hint);
			return errbuf_set(err, errlen, "%s: unknown option "
			    "'%.*s' (see 'sockbridge %s --help')", cmd,
			    (int)(name - arg + len), arg, cmd);
		}
		if (!takes_value(o)) {
			if (eq != NULL)
				return errbuf_set(err, errlen, "option '%.*s' "
				    "takes no value", (int)(eq - arg), arg);
			return apply(o, NULL, ctx, err, errlen);
		}
		if (eq != NULL)
			val = eq + 1;
		else if (*i < argc)
			val = argv[(*i)++];
		else
			return errbuf_set(err, errlen, "option '%s' needs a "
			    "value", arg);
		return apply(o, val, ctx, err, errlen);
	}
	for (const char *p = arg + 1; *p != '\0'; p++) {
		int rc;

		if ((o = find_short(opts, (unsigned char)*p)) == NULL)
			return errbuf_set(err, errlen, "%s: unknown option "
			    "'-%c' (see 'sockbridge %s --help')", cmd, *p,
			    cmd);
		if (!takes_value(o)) {
			if ((rc = apply(o, NULL, ctx, err, errlen)) != 0)
				return rc;
			continue;
		}
		if (p[1] != '\0')
			val = p + 1;
		else if (*i < argc)
			val = argv[(*i)++];
		else
			return errbuf_set(err, errlen, "option -%c needs a "
			    "value", *p);
		return apply(o, val, ctx, err, errlen);
	}
	return 0;
}

int
opt_parse(const struct opt_entry *opts, const char *cmd, int flags,
    int argc, char **argv, int *first, void *ctx, char *err, size_t errlen)
{
	char **args;
	int nargs = 0, i = 1, rc = 0;

	*first = argc;
	if (argc < 1)
		return 0;
	if ((args = calloc((size_t)argc, sizeof(*args))) == NULL)
		return errbuf_set(err, errlen, "%s: %s", cmd, strerror(ENOMEM));
	while (i < argc) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			args[nargs++] = argv[i++];
			if (flags & OPT_IN_ORDER)
				break;
			continue;
		}
		if ((rc = one_option(opts, cmd, flags, argc, argv, &i, ctx,
		    err, errlen)) != 0)
			break;
	}
	if (rc == 0) {
		/* the rest are arguments: after "--", or in order */
		while (i < argc)
			args[nargs++] = argv[i++];
		*first = argc - nargs;
		memcpy(argv + *first, args, (size_t)nargs * sizeof(*args));
	}
	free(args);
	return rc;
}
