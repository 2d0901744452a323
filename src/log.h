/*
 * log: messages on stderr as "sockbridge: what: why".
 * Level: -q shows errors only, the default adds warnings and notices
 * (bound addresses), -v adds one line per connection event.
 */
#ifndef SB_LOG_H
#define SB_LOG_H

enum log_level {
	LOG_ERR = 0,
	LOG_WARN,
	LOG_NOTICE,
	LOG_INFO,
	LOG_DEBUG,
};

extern int log_level;

void	log_init(const char *progname, int level);
void	log_msg(enum log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Log at level whatever the log level says: for output asked for
 * explicitly (SIGUSR1's counters show even under -q). */
void	log_force(enum log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* log_err(), then return -1: for front ends rejecting their input. */
int	log_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	do { if (log_level >= LOG_INFO) \
			    log_msg(LOG_INFO, __VA_ARGS__); } while (0)
#define log_debug(...)	do { if (log_level >= LOG_DEBUG) \
			    log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)

#endif
