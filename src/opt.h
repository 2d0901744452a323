/*
 * opt: command-line options described by a table, the way tmux's
 * cmd_entry describes a command. A front end lists its options (long
 * name, short letter, kind, range, where the value goes or what handles
 * it) and opt_parse() does the rest: exact names only, values checked,
 * and a suggestion for a misspelt long option. Never prints: errors fill
 * a buffer for the front end to show.
 */
#ifndef SB_OPT_H
#define SB_OPT_H

#include <stddef.h>

enum opt_kind {
	OPT_FLAG,	/* no value; *(int *)dst = 1 */
	OPT_COUNT,	/* no value; (*(int *)dst)++, as -vv */
	OPT_HELP,	/* no value; opt_parse() stops and returns 1 */
	OPT_INT,	/* integer in [min, max] into *(int *)dst */
	OPT_SIZE,	/* "64K", "1M" in [min, max] bytes into *(int *)dst */
	OPT_DURATION,	/* "5", "2.5", "250ms", "1m" of at least min ms
			 * into *(int *)dst (milliseconds) */
	OPT_STR,	/* the value itself into *(const char **)dst */
	OPT_FUNC,	/* no value; fn(NULL, ...) */
	OPT_FUNC_ARG,	/* fn(value, ...) */
};

struct opt_entry {
	const char	*name;		/* long name, without "--"; NULL ends */
	int		 letter;	/* short name, 0: none */
	enum opt_kind	 kind;
	long		 min, max;	/* OPT_INT, OPT_SIZE range;
					 * OPT_DURATION: min */
	void		*dst;
	/* OPT_FUNC, OPT_FUNC_ARG: take the value (NULL for none) and the
	 * ctx given to opt_parse(); return 0, or -1 with err filled. */
	int		(*fn)(const char *val, void *ctx, char *err,
			    size_t errlen);
	const char	*bad;	/* a bad value: "--NAME VALUE: <bad>" */
};

/* opt_parse() flags. */
#define OPT_IN_ORDER	0x1	/* options end at the first argument */
#define OPT_LONG_ONLY	0x2	/* -name is --name too (a short letter
				 * alone still wins: -h) */

/*
 * Parse argv[1..argc) against the table opts of command cmd ("relay").
 * Long options: --name, --name=VALUE or --name VALUE; short: -c VALUE,
 * -cVALUE, or letters grouped as -qv. "--" ends the options; "-" is an
 * argument. Arguments may come between options unless OPT_IN_ORDER. The
 * arguments are moved, in order, to the end of argv; *first is the index
 * of the first. ctx goes to the handlers.
 *
 * Returns 0; 1 when an OPT_HELP option was met (parsing stops there); or
 * -1 with err: "relay: unknown option '--mdoe' (did you mean --mode?)",
 * "option -c needs a value", "--max-conns 0: not a number from 1 to ...".
 */
int	opt_parse(const struct opt_entry *opts, const char *cmd, int flags,
	    int argc, char **argv, int *first, void *ctx, char *err,
	    size_t errlen);

/*
 * Does the option word arg (it starts with '-') take its value from the
 * next word, given opts and opt_parse() flags? "--mode" and "-c" do;
 * "--mode=0660", "-c5", "-q" and unknown names do not. Returns 1 or 0.
 * For a front end that looks over argv before opt_parse() does.
 */
int	opt_wants_next(const struct opt_entry *opts, int flags,
	    const char *arg);

/*
 * The long name in opts that word most likely meant: the one name within
 * 1 edit (Levenshtein), else the one name word starts, else the one name
 * within 2 edits. NULL if none, or a tie.
 */
const char *opt_suggest(const struct opt_entry *opts, const char *word);

#endif
