/*
 * log: see log.h. One write(2) per line so lines from a daemon and its
 * children do not interleave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

int log_level = LOG_NOTICE;
static const char *log_prog = "sockbridge";

void
log_init(const char *progname, int level)
{
	if (progname != NULL)
		log_prog = progname;
	log_level = level;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[1024];
	int n, saved = errno;
	va_list ap;

	if ((int)level > log_level)
		return;
	n = snprintf(line, sizeof(line), "%s: ", log_prog);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
	errno = saved;
}
