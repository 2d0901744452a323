/*
 * scrape: see scrape.h.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "scrape.h"
#include "sys.h"

static void	scrape_timeout(struct loop *, struct loop_timer *);

/* Close sc's connection and free its slot. */
static void
scrape_done(struct scrape_client *sc)
{
	struct scrape *s = sc->s;
	int fd = sc->io.fd;	/* loop_io_stop() forgets it */

	loop_timer_stop(s->loop, &sc->timer);
	loop_io_stop(s->loop, &sc->io);
	close(fd);
	free(sc->out);
	sc->out = NULL;
	sc->s = NULL;
}

/*
 * Send what is left of sc's response; when all is sent, or the client is
 * gone, close. A client that reads slowly gets the rest as its socket
 * drains, up to SCRAPE_SEND_MS.
 */
static void
scrape_send(struct scrape_client *sc)
{
	while (sc->off < sc->len) {
		ssize_t n = send(sc->io.fd, sc->out + sc->off, sc->len - sc->off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN &&
		    loop_io_set(sc->s->loop, &sc->io, LOOP_WRITE) == 0)
			return;
		if (n == -1)
			break;
		sc->off += (size_t)n;
	}
	scrape_done(sc);
}

/*
 * Build sc's whole response (head and body, sized to fit however many
 * targets and however long their names) and start sending it. Out of
 * memory: close without an answer rather than a truncated one.
 */
static void
scrape_reply(struct scrape_client *sc)
{
	struct scrape *s = sc->s;
	struct stats_target t[UPSTREAM_MAX];
	struct stats st;
	char head[160];
	size_t n;
	int hl;

	/* The request is read (or given up on): from now on the io waits
	 * for room to write and the timer bounds the whole answer. */
	sc->replying = 1;
	(void)loop_io_set(s->loop, &sc->io, 0);
	loop_timer_stop(s->loop, &sc->timer);
	loop_timer_set(s->loop, &sc->timer, SCRAPE_SEND_MS);
	s->snap(s->arg, &st, t);
	n = stats_format(&st, 1, NULL, 0);
	hl = snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\nContent-Type: "
	    "text/plain; version=0.0.4\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", n);
	if ((sc->out = malloc((size_t)hl + n + 1)) == NULL) {
		scrape_done(sc);
		return;
	}
	memcpy(sc->out, head, (size_t)hl);
	sc->len = (size_t)hl + stats_format(&st, 1, sc->out + hl, n + 1);
	sc->off = 0;
	scrape_send(sc);
}

static void
scrape_read(struct loop *l, struct loop_io *io, unsigned int ev)
{
	struct scrape_client *sc = io->arg;
	char buf[1024];
	ssize_t n;

	(void)l;
	(void)ev;
	if (sc->replying) {
		scrape_send(sc);
		return;
	}
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

/* Waiting for the request: answer anyway. Sending: give up. */
static void
scrape_timeout(struct loop *l, struct loop_timer *t)
{
	struct scrape_client *sc = t->arg;

	(void)l;
	if (sc->replying)
		scrape_done(sc);
	else
		scrape_reply(sc);
}

static void
scrape_accept(struct loop *l, struct loop_io *io, unsigned int ev)
{
	struct scrape *s = io->arg;
	struct scrape_client *sc = NULL;
	char who[160];
	int fd;

	(void)ev;
	if ((fd = sys_accept(s->ls.fd)) < 0)
		return;
	/* The same allow list as the relay's listeners: the labels name
	 * targets, exec: command lines included. */
	if (!listener_allows(&s->ls, fd, who, sizeof(who))) {
		log_warn("stats: denied %s on %s (not in its allow list)", who,
		    s->ls.name);
		if (s->denied != NULL)
			(*s->denied)++;
		close(fd);
		return;
	}
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
	for (int i = 0; i < SCRAPE_CLIENTS; i++) {
		struct scrape_client *sc = &s->client[i];

		if (sc->s != NULL && !sc->replying)
			scrape_reply(sc);
		/* At exit, a client still reading a long answer is cut off. */
		if (sc->s != NULL)
			scrape_done(sc);
	}
	if (s->loop != NULL)
		loop_io_stop(s->loop, &s->ls.io);
	listener_close(&s->ls);
}
