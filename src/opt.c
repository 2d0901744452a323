/*
 * opt: see opt.h.
 */
#include <string.h>

#include "opt.h"

int
opt_exact(char **argv, int next, const struct option *o, const char **bad)
{
	/* The option is argv[next - 1], or argv[next - 2] when its
	 * value came as the next argument. */
	for (int back = 1; back <= 2 && next - back >= 1; back++) {
		const char *a = argv[next - back];
		size_t n;

		if (a[0] != '-')
			continue;
		a += a[1] == '-' ? 2 : 1;
		n = strcspn(a, "=");
		if (strncmp(a, o->name, n) != 0)
			continue;
		if (n == strlen(o->name))
			return 0;
		*bad = argv[next - back];
		return -1;
	}
	return 0;
}
