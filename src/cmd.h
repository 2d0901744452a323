/*
 * cmd: the subcommand table. Each front end (src/cmd-NAME.c) parses its
 * arguments, calls the core modules and returns the exit status.
 */
#ifndef SB_CMD_H
#define SB_CMD_H

struct cmd {
	const char	*name;
	const char	*usage;		/* one line, after "sockbridge NAME" */
	const char	*summary;
	int		(*run)(int argc, char **argv);
};

extern const struct cmd cmd_relay;
extern const struct cmd cmd_relay_socat;	/* not in the table */
extern const struct cmd cmd_echo;
extern const struct cmd cmd_bench;
extern const struct cmd cmd_doctor;
extern const struct cmd cmd_ls;
extern const struct cmd cmd_tunnel;

/* Exit statuses shared by the front ends. */
#define EXIT_USAGE	2

#endif
