/*
 * conn_dial: reaching a connection's target. Attempts with a deadline,
 * failover to the next target, waiting (with back-off) for a target that
 * is not there yet, a full unix backlog tried again. See conn.h for what
 * the client observes.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backoff.h"
#include "conn_int.h"
#include "keepalive.h"
#include "log.h"

/*
 * Arm c's timer to connect again (what: RETRY_*) after the next back-off
 * delay, cut short so that the last try falls at deadline (loop ms).
 * Returns 1 if armed, 0 if deadline has passed (give up). The client is
 * not read meanwhile, and no fd is held for the target.
 */
static int
conn_retry(struct conn *c, uint64_t deadline, int what)
{
	struct conn_env *env = c->env;
	uint64_t ms;

	ms = backoff_next(&c->retry_ms, &env->rng, loop_now(env->loop),
	    deadline);
	if (ms == 0)
		return 0;
	c->retry = what;
	loop_timer_set(env->loop, &c->timer, ms);
	conn_update(c);
	return 1;
}

/* When c stops trying to connect: the connect timeout after the first
 * pick while waiting for a target, else after this target's attempt. */
static uint64_t
conn_deadline(const struct conn *c)
{
	return (c->waiting ? c->t_dial : c->t_attempt) +
	    (uint64_t)c->env->connect_timeout_ms;
}

/* Does err say the target is not there yet (the socket file is missing,
 * or nothing listens on it), rather than broken? */
static int
conn_absent(const struct conn *c, int err)
{
	return (err == ENOENT || err == ECONNREFUSED) &&
	    c->env->target[c->target].addr.kind != ADDR_EXEC;
}

/* Why err means "not there yet", for the log. */
static const char *
absent_hint(int err)
{
	return err == ENOENT ? "no socket file yet" : "nothing listens yet";
}

/*
 * A connect while waiting for a target failed with errno err: try the
 * next target of the round, or wait for the next round, or give up at the
 * deadline. The wait logged itself once; these failures are the same
 * story again, so they go to the debug log and are not counted against
 * the targets (a success is).
 */
static void
conn_wait_failed(struct conn *c, int err)
{
	struct conn_env *env = c->env;
	const char *name = env->target[c->target].name;
	uint64_t waited = loop_now(env->loop) - c->t_dial;
	char why[160];

	log_debug("conn %llu: connect %s: %s, still waiting",
	    (unsigned long long)c->id, name, strerror(err));
	if (upstream_left(env->up, c->tried) > 0) {
		conn_dial(c);
		return;
	}
	if (conn_retry(c, conn_deadline(c), RETRY_ROUND))
		return;
	env->st->err[STATS_CONNECT_TIMEOUT]++;
	snprintf(why, sizeof(why), "%s%s%s", strerror(err),
	    conn_absent(c, err) ? ", " : "", conn_absent(c, err) ?
	    absent_hint(err) : "");
	log_err("connect %s%s: %s; waited %llu ms, the connect timeout "
	    "(closing conn %llu from %s)", env->up->n > 1 ? "to every target "
	    "failed, the last " : "", name, why, (unsigned long long)waited,
	    (unsigned long long)c->id, c->peer);
	if (env->single)
		env->failed = 1;
	conn_finish(c, "connect failed", ABORT_DOWN);
}

/*
 * The attempt on c's target failed with errno err: log it, count it
 * against the target, and try the next one, or wait for one to appear
 * (none answered, one is not there yet; unless --no-wait-target), or
 * give up on c. A client given up on is aborted: it was accepted, so a
 * clean EOF would read as "the server had nothing to say".
 */
void
conn_dial_failed(struct conn *c, int err)
{
	struct conn_env *env = c->env;
	const char *name = env->target[c->target].name;
	uint64_t now = loop_now(env->loop);
	char why[128];
	int more, wait;

	loop_timer_stop(env->loop, &c->timer);
	side_close(env->loop, &c->side[SIDE_UP], 0);
	c->connecting = 0;
	if (err == EMFILE || err == ENFILE) {
		/* Out of fds: the target is not at fault, and accepting
		 * more clients would only drop them too. */
		env->st->err[STATS_CONNECT_OTHER]++;
		env->hooks->pause(env->owner, err, "connect");
		conn_finish(c, "out of fds", ABORT_DOWN);
		return;
	}
	if (c->waiting) {
		conn_wait_failed(c, err);
		return;
	}
	if (err == ETIMEDOUT)
		snprintf(why, sizeof(why), "timed out after %d ms",
		    env->connect_timeout_ms);
	else
		snprintf(why, sizeof(why), "%s", strerror(err));
	env->st->err[err == ECONNREFUSED ? STATS_CONNECT_REFUSED :
	    err == ETIMEDOUT ? STATS_CONNECT_TIMEOUT : STATS_CONNECT_OTHER]++;
	if (conn_absent(c, err))
		c->absent = 1;
	more = upstream_left(env->up, c->tried) > 0;
	/* None answered and one is not there yet: wait for it, unless the
	 * first round took the whole connect timeout already. */
	wait = !more && env->wait_target && c->absent &&
	    now < c->t_dial + (uint64_t)env->connect_timeout_ms;
	if (!wait)
		log_err("connect %s: %s (%s conn %llu from %s)", name, why,
		    more ? "trying the next target for" : "closing",
		    (unsigned long long)c->id, c->peer);
	if (upstream_done(env->up, c->target, 0, now))
		log_warn("%s: marked down for %llu ms after %d failed "
		    "connect%s", name,
		    (unsigned long long)env->up->p[c->target].fail_timeout,
		    env->up->p[c->target].max_fails,
		    env->up->p[c->target].max_fails == 1 ? "" : "s");
	if (more) {
		conn_dial(c);
		return;
	}
	if (wait) {
		uint64_t left = c->t_dial + (uint64_t)env->connect_timeout_ms -
		    now;

		c->waiting = 1;
		c->retry_ms = 0;
		if (env->up->n > 1)
			log_warn("conn %llu: waiting up to %llu ms for a target: "
			    "none of %d answers (the last, %s: %s)",
			    (unsigned long long)c->id, (unsigned long long)left,
			    env->up->n, name, why);
		else
			log_warn("conn %llu: waiting up to %llu ms for %s: %s "
			    "(%s)", (unsigned long long)c->id,
			    (unsigned long long)left, name, why,
			    absent_hint(err));
		if (conn_retry(c, conn_deadline(c), RETRY_ROUND))
			return;
	}
	if (env->single)
		env->failed = 1;
	conn_finish(c, "connect failed", ABORT_DOWN);
}

/* Connect c to its chosen target (again, after a full backlog). */
void
conn_attempt(struct conn *c)
{
	struct conn_env *env = c->env;
	const struct dial_target *t = &env->target[c->target];
	uint64_t now = loop_now(env->loop), deadline = conn_deadline(c);
	int pending, fd;

	fd = dial_start(t, &pending, &c->child);
	if ((fd == -EMFILE || fd == -ENFILE) &&
	    env->hooks->spend_reserve(env->owner, -fd, "connect")) {
		/* The spare fd kept for this moment: this client, accepted
		 * already, is served, and accepting pauses until fds free. */
		fd = dial_start(t, &pending, &c->child);
	}
	/* A unix listener's backlog is full: it is alive, so try it again,
	 * backing off, until the connect timeout. */
	if (fd == -EAGAIN && t->sa.ss.ss_family == AF_UNIX &&
	    conn_retry(c, deadline, RETRY_TARGET))
		return;
	if (fd < 0) {
		conn_dial_failed(c, -fd);
		return;
	}
	if (c->child > 0)
		log_info("conn %llu: started pid %d for %s",
		    (unsigned long long)c->id, (int)c->child, t->name);
	if (t->addr.kind == ADDR_TCP)
		(void)keepalive_apply(fd, &env->keepalive);
	end_socket(&c->side[SIDE_UP].end, fd);
	side_init(&c->side[SIDE_UP], c);
	if (pending) {
		c->connecting = 1;
		loop_timer_set(env->loop, &c->timer, deadline > now ?
		    deadline - now : 0);
		conn_update(c);
		return;
	}
	if (conn_connected(c) == 0)
		conn_update(c);
}

/* Choose a target for c (or echo) and start reaching it. */
void
conn_dial(struct conn *c)
{
	struct conn_env *env = c->env;

	if (env->echo) {
		/* Echo: the up side is the down end again, read never.
		 * Discard: the up side is /dev/null. */
		struct side *down = &c->side[SIDE_DOWN];
		int fd;

		if (env->discard) {
			if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1) {
				conn_fail(c, "open /dev/null for", SIDE_DOWN,
				    errno);
				return;
			}
			end_fd(&c->side[SIDE_UP].end, fd, fd);
		} else {
			if ((fd = dup(down->end.wfd)) == -1) {
				conn_fail(c, "dup", SIDE_DOWN, errno);
				return;
			}
			if (down->end.ops == &end_socket_ops)
				end_socket(&c->side[SIDE_UP].end, fd);
			else
				end_fd(&c->side[SIDE_UP].end, fd, fd);
		}
		side_init(&c->side[SIDE_UP], c);
		c->flow[SIDE_UP].state = FLOW_DONE;
		if (conn_connected(c) == 0)
			conn_update(c);
		return;
	}
	if (env->stdio_target) {
		end_fd(&c->side[SIDE_UP].end, STDIN_FILENO, STDOUT_FILENO);
		side_init(&c->side[SIDE_UP], c);
		if (conn_connected(c) == 0)
			conn_update(c);
		return;
	}
	c->target = upstream_pick(env->up, loop_now(env->loop), c->tried);
	c->tried |= 1u << c->target;
	c->t_attempt = loop_now(env->loop);
	if (c->t_dial == 0)
		c->t_dial = c->t_attempt;
	if (!c->waiting)
		c->retry_ms = 0;	/* a fresh target: a fresh back-off */
	conn_attempt(c);
}
