/*
 * scrape: the --stats endpoint. Each client gets the counters in
 * Prometheus text as an HTTP/1.0 response, so Prometheus and curl can
 * scrape them. The request is read (and ignored) first: closing on unread
 * bytes would reset the connection under the response. A client that
 * sends nothing (nc -U) gets the response after SCRAPE_WAIT_MS. The
 * answer is built whole, sized to the text, and sent as the client reads
 * it, within SCRAPE_SEND_MS. At most SCRAPE_CLIENTS at once per endpoint;
 * more are dropped. The endpoint honours its address's allow-... list
 * (listener_allows), like the relay's listeners; mode=, user= and group=
 * apply through listener_open, the same as theirs.
 */
#ifndef SB_SCRAPE_H
#define SB_SCRAPE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "listener.h"
#include "loop.h"
#include "stats.h"
#include "upstream.h"

#define SCRAPE_CLIENTS	16
#define SCRAPE_WAIT_MS	500
#define SCRAPE_SEND_MS	10000	/* to send the whole answer */

/* Fill st (and t, room for UPSTREAM_MAX targets) with the counters now. */
typedef void	scrape_snapshot_fn(void *arg, struct stats *st,
		    struct stats_target *t);

struct scrape;

struct scrape_client {
	struct scrape	*s;		/* NULL: slot free */
	struct loop_io	 io;
	struct loop_timer timer;
	char		 req[8];	/* the last bytes seen */
	int		 replying;	/* request read; sending out */
	char		*out;		/* the whole answer, head and body */
	size_t		 len, off;	/* its length; sent so far */
};

struct scrape {
	struct loop	*loop;
	struct listener	 ls;
	scrape_snapshot_fn *snap;
	void		*arg;
	uint64_t	*denied;	/* counter: peers refused, or NULL */
	struct scrape_client client[SCRAPE_CLIENTS];
};

/* Mark s closed (so scrape_close() is harmless) without opening it. */
void	scrape_none(struct scrape *s);

/*
 * Listen on a for scrapers, answering with what snap fills in. Returns 0,
 * or -1 with err saying what and why.
 */
int	scrape_open(struct scrape *s, struct loop *l, const struct addr *a,
	    scrape_snapshot_fn *snap, void *arg, char *err, size_t errlen);

/* Answer the clients still waiting, then close the listener. */
void	scrape_close(struct scrape *s);

#endif
