/*
 * Unit tests for src/opt.c, the option tables of the front ends: every
 * spelling of a value (--name=V, --name V, -cV, -c V), grouped letters,
 * arguments between options or (in order) ending them, "--" and "-",
 * one-dash long names, ranges, and the error texts, with a suggestion for
 * a long option within two edits or a unique prefix, and none for a tie.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "errbuf.h"
#include "opt.h"

struct vals {
	int		 conns, ms, size, quiet, verbose, flag, calls;
	const char	*mode, *seen;
};

static int
handler(const char *v, void *ctx, char *err, size_t errlen)
{
	struct vals *x = ctx;

	x->calls++;
	x->seen = v;
	if (v != NULL && strcmp(v, "bad") == 0)
		return errbuf_set(err, errlen, "--call bad: no");
	return 0;
}

/* Parse the NULL-terminated words (argv[0] is "cmd") with flags; returns
 * opt_parse()'s result; the arguments left are in args, joined by ' '. */
static int
parse(struct vals *x, int flags, char *err, char *args, const char *w, ...)
{
	const struct opt_entry opts[] = {
		{ "max-conns", 'c', OPT_INT, 1, 100, &x->conns, NULL,
		    "not a number from 1 to 100" },
		{ "timeout", 'T', OPT_DURATION, 1, 0, &x->ms, NULL,
		    "not a duration" },
		{ "pipe-size", 0, OPT_SIZE, 4096, 65536, &x->size, NULL,
		    "not a size from 4K to 64K" },
		{ "mode", 0, OPT_STR, 0, 0, &x->mode, NULL, NULL },
		{ "model", 0, OPT_FLAG, 0, 0, &x->flag, NULL, NULL },
		{ "quiet", 'q', OPT_FLAG, 0, 0, &x->quiet, NULL, NULL },
		{ "verbose", 'v', OPT_COUNT, 0, 0, &x->verbose, NULL, NULL },
		{ "call", 0, OPT_FUNC_ARG, 0, 0, NULL, handler, NULL },
		{ "ping", 0, OPT_FUNC, 0, 0, NULL, handler, NULL },
		{ "network", 0, OPT_STR, 0, 0, &x->seen, NULL, NULL },
		{ "help", 'h', OPT_HELP, 0, 0, NULL, NULL, NULL },
		{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
	};
	char *argv[32];
	int argc = 0, first, rc;
	va_list ap;

	memset(x, 0, sizeof(*x));
	argv[argc++] = "cmd";
	va_start(ap, w);
	for (; w != NULL; w = va_arg(ap, const char *))
		argv[argc++] = (char *)(uintptr_t)w;
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	args[0] = '\0';
	rc = opt_parse(opts, "cmd", flags, argc, argv, &first, x, err, 256);
	if (rc == 0)
		for (int i = first; i < argc; i++)
			snprintf(args + strlen(args), 256 - strlen(args),
			    "%s%s", i > first ? " " : "", argv[i]);
	return rc;
}

static void
test_spellings(void **state)
{
	struct vals x;
	char err[256], args[256];

	(void)state;
	assert_int_equal(parse(&x, 0, err, args, "--max-conns=5", "a",
	    "-T", "2s", "b", "--mode", "0660", "-c7", "-qvv", "--pipe-size",
	    "8K", NULL), 0);
	assert_int_equal(x.conns, 7);
	assert_int_equal(x.ms, 2000);
	assert_int_equal(x.size, 8192);
	assert_string_equal(x.mode, "0660");
	assert_int_equal(x.quiet, 1);
	assert_int_equal(x.verbose, 2);
	assert_string_equal(args, "a b");
	/* "-" is an argument, "--" ends the options, a value may start
	 * with '-' */
	assert_int_equal(parse(&x, 0, err, args, "-", "--mode", "-x", "--",
	    "-q", "--bogus", NULL), 0);
	assert_string_equal(x.mode, "-x");
	assert_int_equal(x.quiet, 0);
	assert_string_equal(args, "- -q --bogus");
	/* in order: the first argument ends the options */
	assert_int_equal(parse(&x, OPT_IN_ORDER, err, args, "-q", "a", "-v",
	    NULL), 0);
	assert_int_equal(x.verbose, 0);
	assert_string_equal(args, "a -v");
	/* long only: -network is --network; -h is still the letter */
	assert_int_equal(parse(&x, OPT_LONG_ONLY, err, args, "-network",
	    "tcp", NULL), 0);
	assert_string_equal(x.seen, "tcp");
	assert_int_equal(parse(&x, OPT_LONG_ONLY, err, args, "-h", NULL), 1);
	/* handlers, with and without a value */
	assert_int_equal(parse(&x, 0, err, args, "--call", "v", "--ping",
	    NULL), 0);
	assert_int_equal(x.calls, 2);
	assert_null(x.seen);
	/* help stops there, before a later error */
	assert_int_equal(parse(&x, 0, err, args, "--help", "--bogus", NULL),
	    1);
}

/* rc -1 and exactly this error text. */
#define BAD(flags, want, ...) do {					\
	assert_int_equal(parse(&x, flags, err, args, __VA_ARGS__, NULL), -1); \
	assert_string_equal(err, want);					\
} while (0)

static void
test_errors(void **state)
{
	struct vals x;
	char err[256], args[256];

	(void)state;
	BAD(0, "cmd: unknown option '--mdoe' (did you mean --mode?)",
	    "--mdoe", "0660");
	BAD(0, "cmd: unknown option '--max-conn' (did you mean --max-conns?)",
	    "--max-conn=5");
	BAD(0, "cmd: unknown option '--pipe' (did you mean --pipe-size?)",
	    "--pipe", "4K");
	BAD(0, "cmd: unknown option '--bogus' (see 'sockbridge cmd --help')",
	    "--bogus");
	/* "--mod": one edit from mode, two from model: the nearest wins */
	BAD(0, "cmd: unknown option '--mod' (did you mean --mode?)", "--mod");
	BAD(0, "cmd: unknown option '-x' (see 'sockbridge cmd --help')",
	    "-qx");
	BAD(OPT_LONG_ONLY, "cmd: unknown option '-netwrk' (did you mean "
	    "--network?)", "-netwrk", "tcp");
	BAD(0, "option -c needs a value", "-c");
	BAD(0, "option '--mode' needs a value", "a", "--mode");
	BAD(0, "option '--quiet' takes no value", "--quiet=1");
	BAD(0, "--max-conns 0: not a number from 1 to 100", "-c", "0");
	BAD(0, "--max-conns 101: not a number from 1 to 100", "-c101");
	BAD(0, "--timeout 0: not a duration", "-T", "0");
	BAD(0, "--timeout 2x: not a duration", "--timeout=2x");
	BAD(0, "--pipe-size 1M: not a size from 4K to 64K", "--pipe-size",
	    "1M");
	BAD(0, "--call bad: no", "--call", "bad");
}

static void
test_suggest(void **state)
{
	const struct opt_entry opts[] = {
		{ "connect-timeout", 0, OPT_FLAG, 0, 0, NULL, NULL, NULL },
		{ "idle-timeout", 0, OPT_FLAG, 0, 0, NULL, NULL, NULL },
		{ "user", 0, OPT_FLAG, 0, 0, NULL, NULL, NULL },
		{ "users", 0, OPT_FLAG, 0, 0, NULL, NULL, NULL },
		{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
	};
	char big[200];

	(void)state;
	assert_string_equal(opt_suggest(opts, "conect-timeout"),
	    "connect-timeout");
	assert_string_equal(opt_suggest(opts, "idle-timeuot"), "idle-timeout");
	assert_string_equal(opt_suggest(opts, "connect"), "connect-timeout");
	assert_string_equal(opt_suggest(opts, "usr"), "user");
	assert_null(opt_suggest(opts, "timeout"));
	assert_null(opt_suggest(opts, "usera"));	/* a tie */
	assert_null(opt_suggest(opts, "xyz"));
	assert_null(opt_suggest(opts, ""));
	memset(big, 'u', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_null(opt_suggest(opts, big));
}

static void
test_wants_next(void **state)
{
	const struct opt_entry opts[] = {
		{ "max-conns", 'c', OPT_INT, 1, 100, NULL, NULL, NULL },
		{ "mode", 0, OPT_STR, 0, 0, NULL, NULL, NULL },
		{ "quiet", 'q', OPT_FLAG, 0, 0, NULL, NULL, NULL },
		{ "network", 0, OPT_STR, 0, 0, NULL, NULL, NULL },
		{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
	};

	(void)state;
	assert_int_equal(opt_wants_next(opts, 0, "--mode"), 1);
	assert_int_equal(opt_wants_next(opts, 0, "--mode=0660"), 0);
	assert_int_equal(opt_wants_next(opts, 0, "--quiet"), 0);
	assert_int_equal(opt_wants_next(opts, 0, "--mdoe"), 0);
	assert_int_equal(opt_wants_next(opts, 0, "-c"), 1);
	assert_int_equal(opt_wants_next(opts, 0, "-qc"), 1);
	assert_int_equal(opt_wants_next(opts, 0, "-c5"), 0);
	assert_int_equal(opt_wants_next(opts, 0, "-q"), 0);
	assert_int_equal(opt_wants_next(opts, 0, "-z"), 0);
	assert_int_equal(opt_wants_next(opts, 0, "-"), 0);
	assert_int_equal(opt_wants_next(opts, 0, "--"), 0);
	assert_int_equal(opt_wants_next(opts, 0, "x"), 0);
	assert_int_equal(opt_wants_next(opts, OPT_LONG_ONLY, "-network"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_wants_next),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
