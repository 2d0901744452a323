/*
 * guard: test inputs that end right at a PROT_NONE page, so a parser that
 * reads one byte too far faults (picohttpparser's test.c does the same).
 * Include after <cmocka.h>.
 */
#ifndef SB_TEST_GUARD_H
#define SB_TEST_GUARD_H

#include <sys/mman.h>

#include <string.h>
#include <unistd.h>

/*
 * Guard pages. guard_map() maps enough pages for n bytes plus one PROT_NONE
 * page and returns where n bytes must start to end right at the guard.
 */
struct guard {
	char	*map;
	size_t	 maplen;
	size_t	 datalen;
};

static inline char *
guard_map(struct guard *g, size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	g->datalen = (n + pg - 1) / pg * pg;
	if (g->datalen == 0)
		g->datalen = pg;
	g->maplen = g->datalen + pg;
	g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(g->map != MAP_FAILED);
	assert_int_equal(mprotect(g->map + g->datalen, pg, PROT_NONE), 0);
	return g->map + g->datalen - n;
}

/* Copy s so its NUL is the last readable byte; the copy is made read-only
 * too, so a parser that writes to its input faults as well. */
static inline const char *
guard_str(struct guard *g, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = guard_map(g, n);

	memcpy(p, s, n);
	assert_int_equal(mprotect(g->map, g->datalen, PROT_READ), 0);
	return p;
}

static inline void
guard_free(struct guard *g)
{
	assert_int_equal(munmap(g->map, g->maplen), 0);
}

#endif
