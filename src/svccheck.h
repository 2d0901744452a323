/*
 * svccheck: doctor's second half, after diag_run(): ask the server behind
 * the target in its own protocol (probe.h), follow a relay (sockbridge,
 * socat) to the targets on its command line (follow.h) and check them,
 * and when the socket file is missing, look across the container boundary
 * (dockerfind.h). Adds its checks to the diag and rewrites the verdict
 * when it knows better: a server that accepts and closes, or a relay whose
 * target is dead, is not a working connection. Never prints.
 */
#ifndef SB_SVCCHECK_H
#define SB_SVCCHECK_H

#include "diag.h"

/*
 * Run the service checks for t on d (already filled by diag_run).
 * service: a name from probe.h's table, "auto" (try each in turn), or
 * NULL to go by the well-known path or port. Returns 1 when the
 * connection does not work although connect() succeeded (doctor then
 * exits 1), else 0.
 */
int	svccheck_run(const struct diag_target *t, const char *service,
	    struct diag *d);

#endif
