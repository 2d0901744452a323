/*
 * What every fuzz harness shares: the libFuzzer entry point and checks
 * that abort (libFuzzer reports an abort as a crash, with the input).
 */
#ifndef SB_FUZZ_H
#define SB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define check(cond)	do { if (!(cond)) abort(); } while (0)

/* A parser's result: 0, or -1 with a message in err. */
static inline void
check_rc(int rc, const char *err, size_t errlen)
{
	check(rc == 0 || rc == -1);
	if (rc == -1)
		check(err[0] != '\0' && memchr(err, '\0', errlen) != NULL);
}

#endif
