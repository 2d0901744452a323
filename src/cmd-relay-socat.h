/*
 * cmd-relay-socat: socat's command line for relay (see socatopt.h for
 * the options themselves): taking socat's global options out of argv,
 * applying them to the relay's configuration, -4/-6 on tcp addresses,
 * and -lf's log file. Used by cmd-relay.c only.
 */
#ifndef SB_CMD_RELAY_SOCAT_H
#define SB_CMD_RELAY_SOCAT_H

#include "addr.h"
#include "opt.h"
#include "relay.h"
#include "socatopt.h"

/* Take socat's global options out of argv[1..*argc) into so, leaving
 * relay's own (opts); bare: no word "relay". Returns 0 or -1 (logged). */
int	socat_take_all(const struct opt_entry *opts, int bare, int *argc,
	    char **argv, struct socatopt *so);
/* Apply so's idle timeout (merged into *idle_ms, -1: not given), buffer
 * size and direction to cfg. Returns 0 or -1 (logged). */
int	socat_apply(const struct socatopt *so, int *idle_ms,
	    struct relay_cfg *cfg);
/* socat's -4 / -6 (family, AF_UNSPEC: neither) on address a, typed as
 * text. Returns 0 or -1 (logged). */
int	socat_family(struct addr *a, const char *text, int family);
/* socat's -lf: the log goes to path from now on. Returns 0 or -1
 * (logged). */
int	socat_log_to_file(const char *path);

#endif
