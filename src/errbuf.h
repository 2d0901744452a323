/*
 * errbuf: how core modules report a failure without printing: they fill
 * the caller's buffer with "what: why" and return -1.
 */
#ifndef SB_ERRBUF_H
#define SB_ERRBUF_H

#include <stddef.h>

/* Format into err (if not NULL and errlen > 0). Always returns -1. */
int	errbuf_set(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
