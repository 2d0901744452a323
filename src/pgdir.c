/*
 * pgdir: see pgdir.h.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "pgdir.h"

int
pgdir_list(const char *dir, struct pgdir *p)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	long n;
	int fd;

	memset(p, 0, sizeof(*p));
	if ((d = opendir(dir)) == NULL)
		return -errno;
	fd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		size_t len;

		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISSOCK(st.st_mode))
			continue;
		if (strncmp(de->d_name, ".s.PGSQL.", 9) == 0 &&
		    num_parse_int(de->d_name + 9, 1, 65535, &n) == 0) {
			int i = p->nport;

			if (i == PGDIR_MAX)
				continue;
			/* Insertion sort: a handful of entries. */
			for (; i > 0 && p->port[i - 1] > (unsigned int)n; i--)
				p->port[i] = p->port[i - 1];
			p->port[i] = (unsigned int)n;
			p->nport++;
			continue;
		}
		len = strlen(p->other);
		if (len + strlen(de->d_name) + 3 < sizeof(p->other))
			snprintf(p->other + len, sizeof(p->other) - len, "%s%s",
			    len ? ", " : "", de->d_name);
		p->nother++;
	}
	closedir(d);
	return 0;
}
