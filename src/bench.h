/*
 * bench: drive an echo (or discard) server with concurrent clients and
 * measure: the line-echo workload, fixed-size ping-pong, and bulk streams.
 * Each user is a thread with one blocking connection, as in the experiment
 * this project started from. Every echoed byte is verified.
 */
#ifndef SB_BENCH_H
#define SB_BENCH_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "net.h"

enum bench_work {
	BENCH_LINES = 0,	/* send a line, wait for its echo, next */
	BENCH_PINGPONG,		/* fixed-size messages, one in flight */
	BENCH_STREAM,		/* bulk: both ways through an echo */
	BENCH_STREAM_UP,	/* bulk: one way into a discard server */
};

struct bench_spec {
	enum bench_work	 work;
	struct net_sa	 sa;		/* where to connect */
	int		 users;
	const char	*data;		/* lines: the text, '\n'-terminated */
	size_t		 len;
	int		 loop;		/* lines: passes over the text */
	size_t		 size;		/* pingpong message / stream write */
	uint64_t	 count;		/* messages per user; 0: duration */
	int		 duration_ms;	/* pingpong, stream */
	int		 warmup_ms;	/* samples before this are not kept */
	double		 rate;		/* open loop: messages/s per user */
	pid_t		 server_pid;	/* > 0: measure their CPU too, with
					 * their children */
	pid_t		 relay_pid;
	int		 progress;	/* print a progress line on stderr */
	const char	*label;		/* for the progress line */
};

/* bench_result.cpu_wanted: bench started the server (the relay) and so
 * should measure its CPU; cpu_measured: it did (the client's is always
 * measured). Wanted and not measured: this system gives no way to read
 * another process's CPU (proccpu.h), or the process went away. */
#define BENCH_CPU_SERVER	0x1
#define BENCH_CPU_RELAY		0x2

struct bench_result {
	struct hist	 rtt;		/* round trip, ns, after warm-up */
	uint64_t	 msgs;		/* after warm-up */
	uint64_t	 msgs_all;
	uint64_t	 bytes;		/* payload sent, after warm-up */
	double		 wall_s;	/* whole run */
	double		 measured_s;	/* after warm-up */
	double		 cpu_client_s;
	double		 cpu_server_s;
	double		 cpu_relay_s;
	unsigned	 cpu_wanted;	/* BENCH_CPU_*: processes bench started */
	unsigned	 cpu_measured;	/* BENCH_CPU_*: figures that were read */
	char		 err[512];	/* why the run failed */
	char		 note[256];	/* worth a warning, not a failure */
};

/* Run spec; fill res. Returns 0, or -1 with res->err saying what went
 * wrong ("user 3: echo differs at byte 1234 of the stream: sent 0x61,
 * got 0x41"). res is large: allocate it. */
int	bench_run(const struct bench_spec *, struct bench_result *);


#endif
