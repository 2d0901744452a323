/*
 * doctarget: what doctor checks, from what the user has at hand: a socket
 * path (relative ones made absolute), a directory (libpq's -h DIR), unix:
 * and tcp: addresses, a postgresql:// URI, a conninfo string
 * ("host=/tmp port=5433"), a libpq error message pasted whole, Rails'
 * config/database.yml (for RAILS_ENV, with DATABASE_URL), libpq's -h and
 * -p, and the PG* environment. Reads the environment, the current
 * directory and the YAML file; never prints.
 */
#ifndef SB_DOCTARGET_H
#define SB_DOCTARGET_H

#include <stddef.h>

#include "diag.h"

struct doctarget_in {
	const char	*arg;		/* TARGET, or NULL */
	const char	*host;		/* -h, or NULL */
	unsigned int	 port;		/* -p, or 0 */
	int		 pg;		/* --pg */
};

/*
 * Fill t from in (and the environment). Returns 0, 1 when nothing was
 * given and nothing was found at hand (a usage error), or -1 with err.
 */
int	doctarget_resolve(struct diag_target *t, const struct doctarget_in *in,
	    char *err, size_t errlen);

#endif
