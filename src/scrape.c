/*
 * scrape: see scrape.h.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scrape.h"
#include "sys.h"

static void
scrape_reply(struct scrape_client *sc)
{
	struct scrape *s = sc->s;
	struct stats_target t[UPSTREAM_MAX];
	struct stats st;
	char body[16384], head[160];
	int fd = sc->io.fd, hl;
	size_t n;

	s->snap(s->arg, &st, t);
	n = stats_format(&st, 1, body, sizeof(body));
	hl = snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\nContent-Type: "
	    "text/plain; version=0.0.4\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", n);
	/* One response fits a socket buffer; a client too slow for that
	 * gets a short read. */
	if (send(fd, head, (size_t)hl, MSG_NOSIGNAL | MSG_MORE) == hl)
		(void)!send(fd, body, n, MSG_NOSIGNAL);
	loop_timer_stop(s->loop, &sc->timer);
	loop_io_stop(s->loop, &sc->io);
	close(fd);
	sc->s = NULL;
}

static void
scrape_read(struct loop *l, struct loop_io *io, unsigned int ev)
{
	struct scrape_client *sc = io->arg;
	char buf[1024];
	ssize_t n;

	(void)l;
	(void)ev;
	while ((n = recv(io->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		/* Keep the tail to spot the blank line ending the head. */
		size_t keep = (size_t)n < sizeof(sc->req) ? (size_t)n :
		    sizeof(sc->req);

		memmove(sc->req, sc->req + keep, sizeof(sc->req) - keep);
		memcpy(sc->req + sizeof(sc->req) - keep, buf + n - keep, keep);
		if (memcmp(sc->req + 4, "\r\n\r\n", 4) == 0 ||
		    memcmp(sc->req + 6, "\n\n", 2) == 0)
			break;
	}
	if (n >= 0 || (errno != EAGAIN && errno != EINTR))
		scrape_reply(sc);
}

static void
scrape_timeout(struct loop *l, struct loop_timer *t)
{
	(void)l;
	scrape_reply(t->arg);
}

static void
scrape_accept(struct loop *l, struct loop_io *io, unsigned int ev)
{
	struct scrape *s = io->arg;
	struct scrape_client *sc = NULL;
	int fd;

	(void)ev;
	if ((fd = sys_accept(s->ls.fd)) < 0)
		return;
	for (int i = 0; i < SCRAPE_CLIENTS && sc == NULL; i++)
		if (s->client[i].s == NULL)
			sc = &s->client[i];
	if (sc == NULL) {
		close(fd);		/* a scraper storm: drop, stay bounded */
		return;
	}
	memset(sc, 0, sizeof(*sc));
	sc->s = s;
	loop_io_init(&sc->io, fd, scrape_read, sc);
	loop_timer_init(&sc->timer, scrape_timeout, sc);
	loop_timer_set(l, &sc->timer, SCRAPE_WAIT_MS);
	if (loop_io_set(l, &sc->io, LOOP_READ) < 0)
		scrape_reply(sc);
}

void
scrape_none(struct scrape *s)
{
	memset(s, 0, sizeof(*s));
	s->ls.fd = -1;
}

int
scrape_open(struct scrape *s, struct loop *l, const struct addr *a,
    scrape_snapshot_fn *snap, void *arg, char *err, size_t errlen)
{
	int rc;

	scrape_none(s);
	s->loop = l;
	s->snap = snap;
	s->arg = arg;
	if (listener_open(a, &s->ls, 1, err, errlen) < 0)
		return -1;
	loop_io_init(&s->ls.io, s->ls.fd, scrape_accept, s);
	if ((rc = loop_io_set(l, &s->ls.io, LOOP_READ)) < 0) {
		snprintf(err, errlen, "%s: %s", s->ls.name, strerror(-rc));
		loop_io_stop(l, &s->ls.io);
		listener_close(&s->ls);
		return -1;
	}
	return 0;
}

void
scrape_close(struct scrape *s)
{
	for (int i = 0; i < SCRAPE_CLIENTS; i++)
		if (s->client[i].s != NULL)
			scrape_reply(&s->client[i]);
	if (s->loop != NULL)
		loop_io_stop(s->loop, &s->ls.io);
	listener_close(&s->ls);
}
