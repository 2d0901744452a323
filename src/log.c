/*
 * log: see log.h. One write(2) per line so lines from a daemon and its
 * children do not interleave.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

int log_level = LOG_NOTICE;
static const char *log_prog = "sockbridge";
static int log_journal;		/* stderr is the journal: "<N>" prefixes */

/*
 * Under systemd, stderr goes to the journal; JOURNAL_STREAM names its
 * device and inode. Then each line starts with its syslog priority, which
 * journald strips and records (sd-daemon(3)).
 */
void
log_init(const char *progname, int level)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long dev, ino;
	struct stat st;

	if (progname != NULL)
		log_prog = progname;
	log_level = level;
	log_journal = js != NULL && sscanf(js, "%lu:%lu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &st) == 0 && st.st_dev == (dev_t)dev &&
	    st.st_ino == (ino_t)ino;
}

static void	log_v(enum log_level, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(level, 0, fmt, ap);
	va_end(ap);
}

void
log_force(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(level, 1, fmt, ap);
	va_end(ap);
}

int
log_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(LOG_ERR, 0, fmt, ap);
	va_end(ap);
	return -1;
}

/* Format and write one line; force: whatever log_level says. */
static void
log_v(enum log_level level, int force, const char *fmt, va_list ap)
{
	char line[1024];
	int n, saved = errno;

	if (!force && (int)level > log_level)
		return;
	/* syslog priorities: err 3, warning 4, notice 5, info 6, debug 7 */
	n = log_journal ? snprintf(line, sizeof(line), "<%d>", 3 + (int)level) :
	    0;
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s: ", log_prog);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
	errno = saved;
}
