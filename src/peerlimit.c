/*
 * peerlimit: see peerlimit.h. A chained hash table of the peers with a
 * connection open, grown (doubled) when it holds twice as many peers as
 * buckets, never shrunk below its largest size.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "peerlimit.h"
#include "sys.h"

struct peer_count {
	struct peer_key	 key;
	int		 open;
	struct peer_count *next;
};

void
peerlimit_init(struct peerlimit *pl, int max)
{
	memset(pl, 0, sizeof(*pl));
	pl->max = max;
}

void
peerlimit_free(struct peerlimit *pl)
{
	for (size_t i = 0; i < pl->nbucket; i++)
		while (pl->bucket[i] != NULL) {
			struct peer_count *p = pl->bucket[i];

			pl->bucket[i] = p->next;
			free(p);
		}
	free(pl->bucket);
	peerlimit_init(pl, pl->max);
}

int
peerlimit_key(int fd, struct peer_key *k)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	pid_t pid;
	uid_t uid;
	gid_t gid;

	memset(k, 0, sizeof(*k));
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	switch (ss.ss_family) {
	case AF_UNIX:
		if (sys_peercred(fd, &pid, &uid, &gid) != 0)
			return -1;
		k->family = AF_UNIX;
		memcpy(k->a, &uid, sizeof(uid));
		return 0;
	case AF_INET:
		k->family = AF_INET;
		memcpy(k->a, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		return 0;
	case AF_INET6: {
		/* Not const: musl's IN6_IS_ADDR_V4MAPPED casts the const away. */
		struct in6_addr *a = &((struct sockaddr_in6 *)&ss)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			k->family = AF_INET;
			memcpy(k->a, &a->s6_addr[12], 4);
		} else {
			k->family = AF_INET6;
			memcpy(k->a, a->s6_addr, 16);
		}
		return 0;
	}
	default:
		return -1;
	}
}

/* FNV-1a over the key. */
static size_t
hash(const struct peer_key *k)
{
	uint64_t h = 14695981039346656037ULL ^ (uint64_t)k->family;

	for (size_t i = 0; i < sizeof(k->a); i++)
		h = (h ^ k->a[i]) * 1099511628211ULL;
	return (size_t)(h ^ h >> 32);
}

static struct peer_count **
find(const struct peerlimit *pl, const struct peer_key *k)
{
	struct peer_count **pp;

	if (pl->nbucket == 0)
		return NULL;
	for (pp = &pl->bucket[hash(k) & (pl->nbucket - 1)]; *pp != NULL;
	    pp = &(*pp)->next)
		if (memcmp(&(*pp)->key, k, sizeof(*k)) == 0)
			return pp;
	return NULL;
}

/* Double the buckets (or make the first 64). Returns 0 or -ENOMEM. */
static int
grow(struct peerlimit *pl)
{
	size_t nb = pl->nbucket == 0 ? 64 : pl->nbucket * 2;
	struct peer_count **b = calloc(nb, sizeof(*b));

	if (b == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < pl->nbucket; i++)
		while (pl->bucket[i] != NULL) {
			struct peer_count *p = pl->bucket[i];
			size_t h = hash(&p->key) & (nb - 1);

			pl->bucket[i] = p->next;
			p->next = b[h];
			b[h] = p;
		}
	free(pl->bucket);
	pl->bucket = b;
	pl->nbucket = nb;
	return 0;
}

int
peerlimit_take(struct peerlimit *pl, const struct peer_key *k, int *open)
{
	struct peer_count **pp = find(pl, k), *p;
	size_t h;

	if (pp != NULL) {
		p = *pp;
		if (pl->max > 0 && p->open >= pl->max) {
			*open = p->open;
			return 0;
		}
		p->open++;
		*open = p->open;
		return 1;
	}
	if ((pl->n >= 2 * pl->nbucket) && grow(pl) < 0)
		return -ENOMEM;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -ENOMEM;
	p->key = *k;
	p->open = 1;
	h = hash(k) & (pl->nbucket - 1);
	p->next = pl->bucket[h];
	pl->bucket[h] = p;
	pl->n++;
	*open = 1;
	return 1;
}

void
peerlimit_put(struct peerlimit *pl, const struct peer_key *k)
{
	struct peer_count **pp = find(pl, k), *p;

	if (pp == NULL)
		return;
	p = *pp;
	if (--p->open > 0)
		return;
	*pp = p->next;
	free(p);
	pl->n--;
}

int
peerlimit_open(const struct peerlimit *pl, const struct peer_key *k)
{
	struct peer_count **pp = find(pl, k);

	return pp != NULL ? (*pp)->open : 0;
}
