/*
 * carrier: see carrier.h.
 *
 * States: down (no child; a restart may be scheduled), up (a child and a
 * session), ending (the session is over, waiting for the child's exit
 * status to say why). The child's exit is learnt from the owner's
 * SIGCHLD handler (carrier_reaped), which reaps every child.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backoff.h"
#include "carrier.h"
#include "log.h"
#include "spawn.h"
#include "sys.h"

#define PENDING_MAX	1024
#define ERRLINE_MAX	256
/* A session that lived this long starts the back-off afresh. */
#define STABLE_MS	5000
/* The carrier's pipes ask for this much: at the default 64 KiB, bulk
 * through docker exec fell to two thirds of what the socketpair did. */
#define PIPE_SIZE	(1024 * 1024)

struct carrier {
	struct loop	*loop;
	struct carrier_cfg cfg;
	struct tunnel	*t;
	struct tunnel	*t_old;		/* dead, freed from the timer */
	pid_t		 pid;		/* -1: none */
	int		 status;	/* wait status, -1: not reaped */
	int		 ending;	/* the session ended; awaiting the exit */
	int		 dead_early;	/* it ended inside tunnel_new() */
	int		 ready;		/* this run's far end answered */
	char		 why[256];	/* how the session ended */
	int		 err_fd;	/* the child's stderr */
	struct loop_io	 err_io;
	char		 errbuf[ERRLINE_MAX];
	size_t		 errlen;
	char		 errline[ERRLINE_MAX];	/* first line of this run */
	char		 last_msg[512];	/* the last failure reported */
	char		 garbage[96];	/* what it wrote, if not the protocol */
	uint64_t	 t_start;
	unsigned int	 backoff_ms;
	uint64_t	 rng;
	struct loop_timer timer;	/* restart; free t_old; open the
					   pending once the far end is up */
	struct loop_timer wait;		/* the oldest pending waited
					   cfg.wait_ms */
	int		 pending[PENDING_MAX];
	uint64_t	 pending_since[PENDING_MAX];
	unsigned int	 pending_target[PENDING_MAX];
	int		 npending;
	struct tunnel_hooks hooks;
};

static void	carrier_start(struct carrier *c);

/* Log one line of the child's stderr, keep the first of this run. */
static void
err_line(struct carrier *c, char *line)
{
	log_escape(line, strlen(line) + 1);
	if (line[0] == '\0')
		return;
	if (c->errline[0] == '\0')
		snprintf(c->errline, sizeof(c->errline), "%s", line);
	/* Failing again as before: the error was said once already. */
	if (c->last_msg[0] != '\0')
		log_info("carrier: %s", line);
	else
		log_notice("carrier: %s", line);
}

/* Read what the child wrote on stderr; log whole lines. */
static void
err_read(struct carrier *c)
{
	for (;;) {
		ssize_t n = read(c->err_fd, c->errbuf + c->errlen,
		    sizeof(c->errbuf) - 1 - c->errlen);
		char *nl;

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN) {
				/* The end: log a last partial line. */
				if (c->errlen > 0) {
					c->errbuf[c->errlen] = '\0';
					err_line(c, c->errbuf);
					c->errlen = 0;
				}
				loop_io_stop(c->loop, &c->err_io);
				close(c->err_fd);
				c->err_fd = -1;
			}
			return;
		}
		c->errlen += (size_t)n;
		c->errbuf[c->errlen] = '\0';
		while ((nl = strchr(c->errbuf, '\n')) != NULL) {
			size_t used = (size_t)(nl - c->errbuf) + 1;

			*nl = '\0';
			err_line(c, c->errbuf);
			memmove(c->errbuf, c->errbuf + used, c->errlen - used);
			c->errlen -= used;
			c->errbuf[c->errlen] = '\0';
		}
		/* A line longer than the buffer: log it in pieces. */
		if (c->errlen == sizeof(c->errbuf) - 1) {
			err_line(c, c->errbuf);
			c->errlen = 0;
		}
	}
}

static void
err_io(struct loop *l, struct loop_io *io, unsigned int ev)
{
	(void)l;
	(void)ev;
	err_read(io->arg);
}

/* Open the clients that waited for the far end's HELLO. */
static void
pending_flush(struct carrier *c)
{
	for (int i = 0; i < c->npending; i++) {
		int rc = tunnel_open(c->t, c->pending[i],
		    c->pending_target[i]);

		if (rc < 0)
			log_info("tunnel: a connection refused: %s",
			    rc == -EAGAIN ? "the far end's stream limit" :
			    strerror(-rc));
	}
	c->npending = 0;
}

/* Abort the clients that waited longer than cfg.wait_ms (all: every
 * one), the carrier not coming up. They are held meanwhile, unread, so
 * that what they sent makes the abort a reset (see end.h); none of their
 * bytes went into a carrier, so none can be lost with one that fails
 * before its far end answers. */
static void
pending_abort(struct carrier *c, int all)
{
	uint64_t now = loop_now(c->loop);
	int k = 0;

	for (int i = 0; i < c->npending; i++) {
		if (all || now - c->pending_since[i] >=
		    (uint64_t)c->cfg.wait_ms) {
			sys_abort_close(c->pending[i]);
			if (c->cfg.stream_closed != NULL)
				c->cfg.stream_closed(c->cfg.arg);
			continue;
		}
		c->pending[k] = c->pending[i];
		c->pending_target[k] = c->pending_target[i];
		c->pending_since[k] = c->pending_since[i];
		k++;
	}
	c->npending = k;
	loop_timer_stop(c->loop, &c->wait);
	if (k > 0)
		loop_timer_set(c->loop, &c->wait, c->pending_since[0] +
		    (uint64_t)c->cfg.wait_ms - now);
}

/* Timer: clients that waited cfg.wait_ms for the carrier are reset. */
static void
wait_fire(struct loop *l, struct loop_timer *tm)
{
	(void)l;
	pending_abort(tm->arg, 0);
}

/* Exit status in words: "exited with status 1", "killed by SIGTERM". */
static void
status_text(int st, char *buf, size_t len)
{
	if (st == -1)
		snprintf(buf, len, "still running");
	else if (WIFEXITED(st))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(st),
		    strsignal(WTERMSIG(st)));
	else
		snprintf(buf, len, "ended with wait status %d", st);
}

/* The session is over and the child reaped: say why, schedule a
 * restart. */
static void
carrier_ended(struct carrier *c)
{
	char st[96], msg[sizeof(c->last_msg)];
	uint64_t now = loop_now(c->loop), delay;

	if (c->err_fd != -1)
		err_read(c);
	status_text(c->status, st, sizeof(st));
	if (!c->ready) {
		const char *g = c->garbage;

		/* Why, best first: its stderr, what it wrote instead of
		 * the protocol, how the session ended. */
		int closed = strcmp(c->why, "the carrier closed") == 0 ||
		    strcmp(c->why, "the carrier exited") == 0;

		snprintf(msg, sizeof(msg), "carrier '%s' did not start the "
		    "tunnel: %s%s%s", c->cfg.cmd, st,
		    c->errline[0] != '\0' ? ": " : g[0] != '\0' ?
		    ": it wrote: " : !closed ? ": " : "",
		    c->errline[0] != '\0' ? c->errline : g[0] != '\0' ? g :
		    !closed ? c->why : "");
		if (strcmp(msg, c->last_msg) != 0)
			log_err("%s", msg);
		else
			log_info("%s", msg);
		snprintf(c->last_msg, sizeof(c->last_msg), "%s", msg);
		pending_abort(c, 0);
	} else {
		log_warn("carrier '%s': %s (%s); starting it again",
		    c->cfg.cmd, c->why, st);
		c->last_msg[0] = '\0';
	}
	c->ending = 0;
	c->pid = -1;
	if (c->ready && now - c->t_start >= STABLE_MS)
		c->backoff_ms = 0;
	delay = backoff_next(&c->backoff_ms, &c->rng, now, UINT64_MAX);
	/* Lazy: start again only when a connection asks. */
	if (c->cfg.lazy && c->npending == 0)
		delay = 0;
	loop_timer_set(c->loop, &c->timer, delay);
}

/* Timer: free the ended session; start again when due. */
static void
timer_fire(struct loop *l, struct loop_timer *tm)
{
	struct carrier *c = tm->arg;

	(void)l;
	if (c->t_old != NULL) {
		tunnel_free(c->t_old);
		c->t_old = NULL;
	}
	if (c->t == NULL && !c->ending && c->pid == -1 &&
	    (!c->cfg.lazy || c->npending > 0))
		carrier_start(c);
	else if (c->t != NULL && tunnel_ready(c->t) && c->npending > 0)
		pending_flush(c);
}

/* The session t ended (why): keep it for the timer to free, and end
 * the run. */
static void
carrier_dead(struct carrier *c, struct tunnel *t, const char *why)
{
	if (why != c->why)
		snprintf(c->why, sizeof(c->why), "%s", why);
	snprintf(c->garbage, sizeof(c->garbage), "%s", tunnel_garbage(t));
	if (tunnel_ready(t))
		c->ready = 1;
	if (c->t_old != NULL && c->t_old != t)
		tunnel_free(c->t_old);
	c->t_old = t;
	c->t = NULL;
	c->ending = 1;
	loop_timer_set(c->loop, &c->timer, 0);
	if (c->pid != -1 && c->status == -1)
		(void)kill(c->pid, SIGTERM);
	else
		carrier_ended(c);
}

/* tunnel hooks */
static void
hook_dead(void *arg, const char *why)
{
	struct carrier *c = arg;

	if (c->t == NULL) {
		/* Inside tunnel_new(): the carrier was gone before its
		 * HELLO was written. carrier_start() ends the run. */
		snprintf(c->why, sizeof(c->why), "%s", why);
		c->dead_early = 1;
		return;
	}
	carrier_dead(c, c->t, why);
}

/* The far end answered: open the waiting clients, after this pass (not
 * inside the session's read). */
static void
hook_ready(void *arg)
{
	struct carrier *c = arg;

	c->ready = 1;
	if (c->npending > 0)
		loop_timer_set(c->loop, &c->timer, 0);
}

static void
hook_closed(void *arg)
{
	struct carrier *c = arg;

	/* The far end answered once streams flow. */
	if (c->t != NULL && !c->ready && tunnel_ready(c->t))
		c->ready = 1;
	if (c->cfg.stream_closed != NULL)
		c->cfg.stream_closed(c->cfg.arg);
}

static int
hook_dial(void *arg, unsigned int target, int *pending, char *err,
    size_t errlen)
{
	struct carrier *c = arg;

	return c->cfg.dial(c->cfg.arg, target, pending, err, errlen);
}

/* Start the command and a session on it; on failure, report as an ended
 * run (so the back-off applies). */
static void
carrier_start(struct carrier *c)
{
	static const char prefix[] = "exec 2>&3 1>&4 3>&- 4>&-\n";
	char *cmd, *argv[] = { "/bin/sh", "-c", NULL, NULL };
	struct tunnel_cfg tc;
	struct tunnel *t;
	struct spawn sp;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, ep[2] = { -1, -1 };
	int kid[2], rc;
	size_t len = sizeof(prefix) + strlen(c->cfg.cmd);

	if (c->err_fd != -1) {
		loop_io_stop(c->loop, &c->err_io);
		close(c->err_fd);
		c->err_fd = -1;
	}
	c->errline[0] = '\0';
	c->garbage[0] = '\0';
	c->errlen = 0;
	c->ready = 0;
	c->status = -1;
	c->t_start = loop_now(c->loop);
	if ((cmd = malloc(len)) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	/* The child's stderr and stdout are our pipes, passed as fds 3
	 * and 4 so that spawn's fd rules hold; the shell moves them to 2
	 * and 1 before running CMD. Two pipes, not a socketpair: on one
	 * socket both ways, each read of ours also woke the carrier's
	 * thread asleep reading its stdin there (a unix socket wakes its
	 * sleepers when the bytes it sent are read): a wakeup more per
	 * round trip in docker exec. */
	snprintf(cmd, len, "%s%s", prefix, c->cfg.cmd);
	argv[2] = cmd;
	if ((rc = sys_pipe(in, PIPE_SIZE)) < 0 ||
	    (rc = sys_pipe(out, PIPE_SIZE)) < 0)
		goto fail;
	/* The child's ends block, as a program expects of its stdio. */
	if (fcntl(in[0], F_SETFL, 0) == -1 ||
	    fcntl(out[1], F_SETFL, 0) == -1) {
		rc = -errno;
		goto fail;
	}
	if (pipe(ep) == -1) {
		rc = -errno;
		goto fail;
	}
	(void)fcntl(ep[0], F_SETFD, FD_CLOEXEC);
	(void)fcntl(ep[1], F_SETFD, FD_CLOEXEC);
	memset(&sp, 0, sizeof(sp));
	sp.argv = argv;
	kid[0] = ep[1];
	kid[1] = out[1];
	sp.stdio_fd = in[0];
	sp.fds = kid;
	sp.nfds = 2;
	sp.die_with_us = 1;
	rc = spawn_start(&sp, &c->pid);
	close(in[0]);
	close(out[1]);
	close(ep[1]);
	in[0] = out[1] = ep[1] = -1;
	if (rc != 0) {
		c->pid = -1;
		goto fail;
	}
	free(cmd);
	cmd = NULL;
	if ((rc = sys_nonblock(ep[0])) != 0)
		goto fail;
	c->err_fd = ep[0];
	ep[0] = -1;
	loop_io_init(&c->err_io, c->err_fd, err_io, c);
	(void)loop_io_set(c->loop, &c->err_io, LOOP_READ);
	memset(&tc, 0, sizeof(tc));
	tc.name = "tunnel";
	tc.opener = 1;
	tc.max_streams = c->cfg.max_streams;
	tc.keepalive_ms = c->cfg.keepalive_ms;
	tc.ntargets = c->cfg.ntargets;
	c->dead_early = 0;
	if ((t = tunnel_new(c->loop, out[0], in[1], &tc, &c->hooks,
	    c)) == NULL) {
		rc = -errno;
		goto fail;
	}
	out[0] = in[1] = -1;
	if (c->dead_early) {
		carrier_dead(c, t, c->why);
		return;
	}
	c->t = t;
	log_info("carrier '%s' started, pid %d", c->cfg.cmd, (int)c->pid);
	return;
fail:
	free(cmd);
	for (int i = 0; i < 2; i++) {
		if (in[i] != -1)
			close(in[i]);
		if (out[i] != -1)
			close(out[i]);
		if (ep[i] != -1)
			close(ep[i]);
	}
	snprintf(c->why, sizeof(c->why), "%s", strerror(-rc));
	log_err("carrier '%s': %s", c->cfg.cmd, strerror(-rc));
	if (c->pid != -1) {
		(void)kill(c->pid, SIGTERM);
		c->ending = 1;
		return;
	}
	pending_abort(c, 0);
	loop_timer_set(c->loop, &c->timer,
	    backoff_next(&c->backoff_ms, &c->rng, loop_now(c->loop),
	    UINT64_MAX));
}

struct carrier *
carrier_new(struct loop *l, const struct carrier_cfg *cfg)
{
	struct carrier *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->loop = l;
	c->cfg = *cfg;
	c->pid = -1;
	c->status = -1;
	c->err_fd = -1;
	c->rng = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull | 1;
	c->hooks.dial = cfg->dial != NULL ? hook_dial : NULL;
	c->hooks.dial_finish = cfg->dial_finish;
	c->hooks.stream_closed = hook_closed;
	c->hooks.dead = hook_dead;
	c->hooks.ready = hook_ready;
	loop_timer_init(&c->timer, timer_fire, c);
	loop_timer_init(&c->wait, wait_fire, c);
	if (!cfg->lazy)
		carrier_start(c);
	return c;
}

int
carrier_accept(struct carrier *c, int fd, unsigned int target)
{
	struct tunnel *t;
	int rc;

	if ((t = c->t) != NULL && tunnel_ready(t)) {
		/* t outlives a session that ends in tunnel_open(): the timer
		 * frees it (carrier_dead). */
		if ((rc = tunnel_open(t, fd, target)) < 0) {
			if (rc == -EAGAIN)
				log_info("tunnel: a connection refused: the far "
				    "end's limit of %d streams", tunnel_peer_max(t));
			else
				log_info("tunnel: a connection refused: %s",
				    strerror(-rc));
			if (c->cfg.stream_closed != NULL)
				c->cfg.stream_closed(c->cfg.arg);
		}
		if (!c->ready && tunnel_ready(t))
			c->ready = 1;
		return rc;
	}
	if (c->npending == PENDING_MAX) {
		sys_abort_close(fd);
		if (c->cfg.stream_closed != NULL)
			c->cfg.stream_closed(c->cfg.arg);
		return -EAGAIN;
	}
	c->pending[c->npending] = fd;
	c->pending_target[c->npending] = target;
	c->pending_since[c->npending] = loop_now(c->loop);
	c->npending++;
	if (c->wait.idx == 0)
		loop_timer_set(c->loop, &c->wait, (uint64_t)c->cfg.wait_ms);
	/* Down and not already waiting to start: start now (lazy, or the
	 * back-off has passed). */
	if (!c->ending && c->pid == -1 && c->timer.idx == 0)
		carrier_start(c);
	return 0;
}

int
carrier_nstreams(const struct carrier *c)
{
	return (c->t != NULL ? tunnel_nstreams(c->t) : 0) + c->npending;
}

int
carrier_reaped(struct carrier *c, pid_t pid, int st)
{
	if (c == NULL || pid != c->pid)
		return 0;
	c->status = st;
	/* Still in session: the command is gone even if a child of its
	 * (sh -c running a pipeline) still holds the carrier's stdout. Our
	 * end closes, so that child sees end of file too. */
	if (c->ending)
		carrier_ended(c);
	else if (c->t != NULL)
		tunnel_fail(c->t, "the carrier exited");
	return 1;
}

void
carrier_free(struct carrier *c)
{
	if (c == NULL)
		return;
	pending_abort(c, 1);
	tunnel_free(c->t);
	tunnel_free(c->t_old);
	loop_timer_stop(c->loop, &c->timer);
	loop_timer_stop(c->loop, &c->wait);
	if (c->err_fd != -1) {
		loop_io_stop(c->loop, &c->err_io);
		close(c->err_fd);
	}
	if (c->pid != -1 && c->status == -1)
		(void)kill(c->pid, SIGTERM);
	free(c);
}
