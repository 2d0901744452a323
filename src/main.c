/*
 * sockbridge: a toolkit for UNIX domain sockets. main() only dispatches.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "log.h"

#ifndef SB_VERSION
#define SB_VERSION "0.1.0"
#endif

static const struct cmd *const cmds[] = {
	&cmd_relay,
	&cmd_echo,
	&cmd_bench,
	&cmd_doctor,
	&cmd_ls,
	&cmd_tunnel,
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void
usage(FILE *f)
{
	fprintf(f, "usage: sockbridge COMMAND [options] ...\n"
	    "       sockbridge LISTEN TARGET    (short for relay)\n"
	    "       sockbridge -d -d LISTEN TARGET    (socat's options: see "
	    "'sockbridge relay --help')\n\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(f, "  %-8s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(f, "\nRun 'sockbridge COMMAND --help' for a command's options, "
	    "or see sockbridge(1).\n");
}

/* Does s look like an address rather than a command name? */
static int
looks_like_address(const char *s)
{
	return strchr(s, ':') != NULL || s[0] == '/' || s[0] == '.' ||
	    s[0] == '@' || strcmp(s, "-") == 0 || strcasecmp(s, "stdio") == 0;
}

int
main(int argc, char **argv)
{
	log_init("sockbridge", LOG_NOTICE);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("sockbridge %s\n", SB_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(argv[1], cmds[i]->name) == 0)
			return cmds[i]->run(argc - 1, argv + 1);
	if (looks_like_address(argv[1]))
		return cmd_relay.run(argc, argv);
	/* socat's global options come first: "sockbridge -d -d A B" */
	if (argv[1][0] == '-')
		return cmd_relay_socat.run(argc, argv);
	log_err("unknown command '%s' (run 'sockbridge --help')", argv[1]);
	return EXIT_USAGE;
}
