/*
 * opt: command-line helpers shared by the front ends.
 */
#ifndef SB_OPT_H
#define SB_OPT_H

#include <getopt.h>

/*
 * getopt_long() takes unambiguous abbreviations ("--max-conn" for
 * "--max-conns"); a typo should not pass as an option. After it returned
 * long option o, check that argv spelled it out. Returns 0, or -1 (with
 * the spelling in *bad).
 */
int	opt_exact(char **argv, int next, const struct option *o,
	    const char **bad);

#endif
