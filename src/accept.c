/*
 * accept: see accept.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "accept.h"
#include "log.h"
#include "sys.h"

#define ACCEPT_BATCH	64
#define BACKOFF_MIN_MS	50
#define BACKOFF_MAX_MS	1000

static void
reserve_open(struct acceptor *a)
{
	if (a->reserve_fd == -1)
		a->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void
accept_update(struct acceptor *a)
{
	int on = !a->draining && a->backoff_ms == 0 &&
	    a->hooks->nconns(a->owner) < a->max_conns &&
	    !(a->once && a->accepted > 0);

	for (int i = 0; i < a->nls; i++)
		if (a->ls[i].fd != -1)
			(void)loop_io_set(a->loop, &a->ls[i].io,
			    on ? LOOP_READ : 0);
}

static void
backoff_done(struct loop *l, struct loop_timer *t)
{
	struct acceptor *a = t->arg;

	(void)l;
	a->backoff_ms = 0;
	accept_update(a);
}

void
accept_pause(struct acceptor *a, int err, const char *where)
{
	if (a->backoff_ms > 0)
		return;
	if (a->backoff_next == 0)
		a->backoff_next = BACKOFF_MIN_MS;
	a->backoff_ms = a->backoff_next;
	(*a->paused)++;
	log_warn("%s: %s; pausing accepts for %d ms (%d connections open)",
	    where, strerror(err), a->backoff_ms, a->hooks->nconns(a->owner));
	loop_timer_set(a->loop, &a->backoff, (uint64_t)a->backoff_ms);
	a->backoff_next = a->backoff_next * 2 > BACKOFF_MAX_MS ?
	    BACKOFF_MAX_MS : a->backoff_next * 2;
	accept_update(a);
}

int
accept_spend_reserve(struct acceptor *a, int err, const char *where)
{
	if (a->reserve_fd == -1)
		return 0;
	close(a->reserve_fd);
	a->reserve_fd = -1;
	accept_pause(a, err, where);
	return 1;
}

static void
on_accept(struct loop *l, struct loop_io *io, unsigned int ev)
{
	struct listener *ls = io->arg;
	struct acceptor *a = ls->owner;

	(void)l;
	(void)ev;
	for (int n = 0; n < ACCEPT_BATCH &&
	    a->hooks->nconns(a->owner) < a->max_conns && !a->draining &&
	    io->mask != 0; n++) {
		int fd = sys_accept(ls->fd);

		if (fd >= 0) {
			a->accepted++;
			a->hooks->conn(a->owner, fd, ls);
			if (a->backoff_ms == 0)
				a->backoff_next = BACKOFF_MIN_MS;
			continue;
		}
		if (fd == -EAGAIN || fd == -EINTR)
			break;
		if (fd == -EMFILE || fd == -ENFILE || fd == -ENOBUFS ||
		    fd == -ENOMEM) {
			/* Out of fds: pause instead of spinning on a
			 * listener that stays readable. */
			char where[sizeof(ls->name) + 8];

			snprintf(where, sizeof(where), "accept %s", ls->name);
			accept_pause(a, -fd, where);
			break;
		}
		/* ECONNABORTED and the like concern one peer only. */
		log_info("accept %s: %s", ls->name, strerror(-fd));
	}
	accept_update(a);
}

static void
drain_done(struct loop *l, struct loop_timer *t)
{
	struct acceptor *a = t->arg;

	log_warn("drain timeout: closing %d connections",
	    a->hooks->nconns(a->owner));
	a->hooks->drain_expired(a->owner);
	loop_stop(l);
}

void
accept_init(struct acceptor *a, struct loop *l, struct listener *ls, int nls,
    int max_conns, int once, uint64_t *paused,
    const struct accept_hooks *hooks, void *owner)
{
	memset(a, 0, sizeof(*a));
	a->loop = l;
	a->ls = ls;
	a->nls = nls;
	a->max_conns = max_conns;
	a->once = once;
	a->paused = paused;
	a->hooks = hooks;
	a->owner = owner;
	a->reserve_fd = -1;
	loop_timer_init(&a->backoff, backoff_done, a);
	loop_timer_init(&a->drain, drain_done, a);
	for (int i = 0; i < nls; i++) {
		ls[i].owner = a;
		loop_io_init(&ls[i].io, ls[i].fd, on_accept, &ls[i]);
	}
	reserve_open(a);
}

void
accept_free(struct acceptor *a)
{
	loop_timer_stop(a->loop, &a->backoff);
	loop_timer_stop(a->loop, &a->drain);
	for (int i = 0; i < a->nls; i++)
		loop_io_stop(a->loop, &a->ls[i].io);
	if (a->reserve_fd != -1)
		close(a->reserve_fd);
	a->reserve_fd = -1;
}

void
accept_taken(struct acceptor *a)
{
	a->accepted++;
}

void
accept_closed(struct acceptor *a)
{
	reserve_open(a);
	if (a->once || (a->draining && a->hooks->nconns(a->owner) == 0))
		loop_stop(a->loop);
	else
		accept_update(a);
}

int
accept_drain(struct acceptor *a, int drain_ms)
{
	if (a->draining)
		return 0;
	a->draining = 1;
	for (int i = 0; i < a->nls; i++) {
		loop_io_stop(a->loop, &a->ls[i].io);
		listener_close(&a->ls[i]);
	}
	loop_timer_set(a->loop, &a->drain, (uint64_t)drain_ms);
	return 1;
}
