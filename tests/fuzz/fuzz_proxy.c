/*
 * libFuzzer target for src/proxy.c: the PROXY protocol v1 and v2 parser,
 * and round trips through proxy_build().
 *
 * The input is used twice:
 *  1. As bytes off the wire: proxy_parse() gets an exact-size heap copy, so
 *     AddressSanitizer sees a read past the end.
 *  2. As a description of a connection (families, addresses, ports, unix
 *     paths, credentials: see build_from_input()), from which proxy_build()
 *     makes a header that must parse back to the same thing.
 * A broken invariant calls abort(), which libFuzzer reports as a crash:
 *  - proxy_parse() returns -1 (with a message), 0, or a length no longer
 *    than the input (107 at most for v1, 16 to PROXY_V2_MAX for v2);
 *  - it is a stream parser (the relay feeds it as bytes arrive): a prefix
 *    of a complete header needs more bytes (0), and a prefix of anything
 *    that is not invalid is not invalid either;
 *  - a parsed header has addresses of one family with the right lengths;
 *  - a header proxy_build() made parses to exactly its length, with the
 *    addresses, ports and credentials it was built from; a buffer one byte
 *    too small makes proxy_build() fail without writing past it.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proxy.h"

#define SUN_OFF		offsetof(struct sockaddr_un, sun_path)
#define SUN_FIELD	108	/* v2 address block: bytes per unix path */

static void *
xmemdup(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	check(q != NULL);
	if (n)
		memcpy(q, p, n);
	return q;
}

/* proxy_parse() on an exact-size heap copy of buf[0..len). */
static int
parse_copy(const unsigned char *buf, size_t len, struct proxy_hdr *h)
{
	unsigned char *copy = xmemdup(buf, len);
	char err[128];
	int rc;

	memset(err, 'x', sizeof(err));
	memset(h, 0x5a, sizeof(*h));
	rc = proxy_parse(copy, len, h, err, sizeof(err));
	free(copy);
	check(rc >= -1 && (rc < 0 || (size_t)rc <= len));
	if (rc == -1)
		check(err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL);
	return rc;
}

/* A header parse_copy() accepted is well formed. */
static void
check_hdr(const struct proxy_hdr *h, int rc)
{
	check(h->version == 1 || h->version == 2);
	if (h->version == 1) {
		check(rc >= 15 && rc <= PROXY_V1_MAX);	/* UNKNOWN */
		check(!h->has_cred);
	} else
		check(rc >= 16 && rc <= PROXY_V2_MAX);
	check(h->local == 0 || h->local == 1);
	check(h->has_cred == 0 || h->has_cred == 1);
	if (h->local)
		return;
	check(h->src.ss_family == h->dst.ss_family);
	switch (h->src.ss_family) {
	case AF_INET:
		check(h->srclen == sizeof(struct sockaddr_in));
		check(h->dstlen == sizeof(struct sockaddr_in));
		break;
	case AF_INET6:
		check(h->srclen == sizeof(struct sockaddr_in6));
		check(h->dstlen == sizeof(struct sockaddr_in6));
		break;
	case AF_UNIX:
		check(h->version == 2);
		check(h->srclen >= SUN_OFF && h->srclen <= SUN_OFF + SUN_FIELD);
		check(h->dstlen >= SUN_OFF && h->dstlen <= SUN_OFF + SUN_FIELD);
		break;
	default:
		abort();
	}
}

/*
 * The unix address a v2 header carries for sun_path[0..n): a 108-byte
 * field, NUL-padded. A path name ends at its first NUL; an abstract name
 * (leading NUL) loses its trailing NULs; an unnamed socket is empty.
 */
static size_t
unix_wire(const char *path, size_t n, char out[SUN_FIELD])
{
	size_t len;

	memset(out, 0, SUN_FIELD);
	memcpy(out, path, n < SUN_FIELD ? n : SUN_FIELD);
	if (out[0] != '\0')
		return strnlen(out, SUN_FIELD);
	for (len = SUN_FIELD; len > 1 && out[len - 1] == '\0'; len--)
		;
	return len == 1 ? 0 : len;
}

/* Does parsed address got (from a header built at version) stand for
 * sockaddr want/wantlen? */
static void
check_same(const struct sockaddr *want, socklen_t wantlen,
    const struct sockaddr_storage *got, socklen_t gotlen)
{
	check(got->ss_family == want->sa_family);
	if (want->sa_family == AF_INET) {
		const struct sockaddr_in *w = (const void *)want;
		const struct sockaddr_in *g = (const void *)got;

		check(w->sin_addr.s_addr == g->sin_addr.s_addr);
		check(w->sin_port == g->sin_port);
	} else if (want->sa_family == AF_INET6) {
		const struct sockaddr_in6 *w = (const void *)want;
		const struct sockaddr_in6 *g = (const void *)got;

		check(memcmp(&w->sin6_addr, &g->sin6_addr, 16) == 0);
		check(w->sin6_port == g->sin6_port);
	} else {
		const struct sockaddr_un *w = (const void *)want;
		const struct sockaddr_un *g = (const void *)got;
		char field[SUN_FIELD];
		size_t n = unix_wire(w->sun_path, wantlen > SUN_OFF ?
		    wantlen - SUN_OFF : 0, field);

		check(gotlen == SUN_OFF + n);
		check(memcmp(g->sun_path, field, n) == 0);
	}
}

/*
 * Build a header of version from src and dst (either may be NULL), check
 * the buffer-size contract, and that it parses back to what it was built
 * from.
 */
static void
round_trip(int version, const struct sockaddr *src, socklen_t srclen,
    const struct sockaddr *dst, socklen_t dstlen, const uint32_t *cred)
{
	unsigned char buf[PROXY_V2_MAX + 8], *small;
	struct proxy_hdr h;
	int n, m, fam, rc;

	n = proxy_build(version, src, srclen, dst, dstlen, cred, buf,
	    sizeof(buf));
	check(n > 0 && n <= (version == 1 ? PROXY_V1_MAX : PROXY_V2_MAX));

	/* A buffer one byte short (v1 writes a NUL after the CRLF, so it
	 * needs n + 1) fails cleanly; exact-size so ASan sees an overrun. */
	m = version == 1 ? n : n - 1;
	small = malloc((size_t)m);
	check(small != NULL);
	check(proxy_build(version, src, srclen, dst, dstlen, cred, small,
	    (size_t)m) == -1);
	free(small);

	rc = parse_copy(buf, (size_t)n, &h);
	check(rc == n);
	check_hdr(&h, rc);
	check(h.version == version);
	fam = (src != NULL && dst != NULL && src->sa_family ==
	    dst->sa_family) ? src->sa_family : AF_UNSPEC;
	if (fam == AF_UNSPEC || (version == 1 && fam == AF_UNIX) ||
	    (fam != AF_INET && fam != AF_INET6 && fam != AF_UNIX)) {
		check(h.local);
		check(!h.has_cred);
		return;
	}
	check(!h.local);
	check_same(src, srclen, &h.src, h.srclen);
	check_same(dst, dstlen, &h.dst, h.dstlen);
	if (version == 2 && cred != NULL) {
		check(h.has_cred);
		check(h.pid == cred[0] && h.uid == cred[1] && h.gid == cred[2]);
	} else
		check(!h.has_cred);
}

/* Bytes of the input, cycled, for build_from_input(). */
struct cursor {
	const uint8_t	*p;
	size_t		 n, i;
};

static uint8_t
next(struct cursor *c)
{
	return c->n ? c->p[c->i++ % c->n] : 0;
}

static uint32_t
next_be(struct cursor *c, int bytes)
{
	uint32_t v = 0;

	while (bytes-- > 0)
		v = v << 8 | next(c);
	return v;
}

/*
 * One end of a connection from the input: family (inet, inet6, unix or
 * other), address, port, and for unix a sun_path of any length from 0 to
 * 108 bytes, in an exact-size heap object so proxy_build()'s reads are
 * checked. Returns NULL for "no address".
 */
static struct sockaddr *
end_from_input(struct cursor *c, socklen_t *len)
{
	uint8_t sel = next(c);
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	switch (sel % 5) {
	case 0: {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		for (size_t i = 0; i < 4; i++)
			((uint8_t *)&sin->sin_addr)[i] = next(c);
		sin->sin_port = htons((uint16_t)next_be(c, 2));
		*len = sizeof(*sin);
		break;
	}
	case 1: {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		/* Mostly zeros, so the compressed and IPv4-mapped text
		 * forms of v1 come up too. */
		for (size_t i = 0; i < 16; i++)
			s6->sin6_addr.s6_addr[i] = (sel & 0x20) ? next(c) :
			    i >= 10 ? next(c) : 0;
		s6->sin6_port = htons((uint16_t)next_be(c, 2));
		s6->sin6_flowinfo = next(c);
		s6->sin6_scope_id = next(c);
		*len = sizeof(*s6);
		break;
	}
	case 2: {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
		size_t n = next(c) % (sizeof(sun->sun_path) + 1);

		sun->sun_family = AF_UNIX;
		for (size_t i = 0; i < n; i++)
			sun->sun_path[i] = (char)((sel & 0x20) ? next(c) :
			    'a' + next(c) % 26);
		if (sel & 0x40)
			sun->sun_path[0] = '\0';	/* abstract */
		*len = (socklen_t)(SUN_OFF + n);
		break;
	}
	case 3:
		ss.ss_family = (sa_family_t)(sel & 0x20 ? AF_UNSPEC : 42);
		*len = sizeof(struct sockaddr);
		break;
	default:
		return NULL;
	}
	return xmemdup(&ss, *len);
}

static void
build_from_input(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size, 0 };
	struct sockaddr *src, *dst;
	socklen_t srclen = 0, dstlen = 0;
	uint32_t cred[3];
	uint8_t sel = next(&c);

	src = end_from_input(&c, &srclen);
	if (sel & 1) {
		/* Usually the same family at both ends. */
		dst = src ? xmemdup(src, srclen) : NULL;
		dstlen = srclen;
		if (dst != NULL && dst->sa_family == AF_INET)
			((struct sockaddr_in *)(void *)dst)->sin_port ^=
			    (uint16_t)next(&c);
	} else
		dst = end_from_input(&c, &dstlen);
	for (int i = 0; i < 3; i++)
		cred[i] = next_be(&c, 4);
	round_trip(1, src, srclen, dst, dstlen, NULL);
	round_trip(2, src, srclen, dst, dstlen, (sel & 2) ? cred : NULL);
	free(src);
	free(dst);
}

static void
parse_input(const uint8_t *data, size_t size)
{
	struct proxy_hdr h, hp;
	uint32_t cred[3];
	int rc, rp;
	size_t upto;

	rc = parse_copy(data, size, &h);
	if (rc > 0)
		check_hdr(&h, rc);

	/* Stream property: every shorter prefix of a header (or of input
	 * that is not yet invalid) needs more bytes. All prefixes up to the
	 * v1 limit, then a few more. */
	if (rc != -1) {
		upto = rc > 0 ? (size_t)rc : size;
		for (size_t k = 0; k < upto; k++) {
			if (k > PROXY_V1_MAX && k != upto - 1 && k != upto / 2 &&
			    k % 97 != 0)
				continue;
			rp = parse_copy(data, k, &hp);
			check(rp == 0);
		}
	}
	if (rc <= 0)
		return;
	/* Trailing bytes (the client's data) do not change the header. */
	if ((size_t)rc < size) {
		rp = parse_copy(data, (size_t)rc, &hp);
		check(rp == rc && hp.version == h.version &&
		    hp.local == h.local && hp.has_cred == h.has_cred);
	}
	if (h.local)
		return;
	/* What the relay does with an accepted header: pass it on, as v1
	 * and as v2. */
	cred[0] = h.pid;
	cred[1] = h.uid;
	cred[2] = h.gid;
	round_trip(1, (struct sockaddr *)&h.src, h.srclen,
	    (struct sockaddr *)&h.dst, h.dstlen, NULL);
	round_trip(2, (struct sockaddr *)&h.src, h.srclen,
	    (struct sockaddr *)&h.dst, h.dstlen, h.has_cred ? cred : NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_input(data, size);
	build_from_input(data, size);
	return 0;
}
