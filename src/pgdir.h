/*
 * pgdir: the sockets in a directory, as libpq's -h DIR sees it: the
 * ports of its PostgreSQL sockets (.s.PGSQL.PORT) and the names of the
 * other socket files. Never prints.
 */
#ifndef SB_PGDIR_H
#define SB_PGDIR_H

#include <stddef.h>

#define PGDIR_MAX	16

struct pgdir {
	unsigned int	 port[PGDIR_MAX];	/* sorted */
	int		 nport;
	char		 other[256];	/* "app.sock, x.sock", cut to fit */
	int		 nother;
};

/* List dir into p. Returns 0 or -errno. */
int	pgdir_list(const char *dir, struct pgdir *p);

#endif
