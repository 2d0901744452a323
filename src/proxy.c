/*
 * proxy: see proxy.h. Strict: anything the spec does not allow is
 * rejected, since a relay that trusts a sloppy header can be made to lie
 * to its backend about who connected.
 */
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errbuf.h"
#include "proxy.h"

static const unsigned char v2sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
};

/* A v1 port: 1 to 5 digits, no leading zero, at most 65535. */
static int
v1_port(const char *s, size_t n, uint16_t *port)
{
	unsigned long v = 0;

	if (n == 0 || n > 5 || (s[0] == '0' && n > 1))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* One v1 address of family af from s[0..n) into ss. */
static int
v1_addr(int af, const char *s, size_t n, struct sockaddr_storage *ss,
    socklen_t *len)
{
	char tmp[INET6_ADDRSTRLEN];

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		*len = sizeof(*sin);
		return inet_pton(AF_INET, tmp, &sin->sin_addr) == 1 ? 0 : -1;
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		*len = sizeof(*s6);
		return inet_pton(AF_INET6, tmp, &s6->sin6_addr) == 1 ? 0 : -1;
	}
}

static void
set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

/* "PROXY TCP4 1.2.3.4 5.6.7.8 1234 80\r\n" */
static int
parse_v1(const unsigned char *buf, size_t len, struct proxy_hdr *h, char *err,
    size_t errlen)
{
	const char *s = (const char *)buf, *f[6];
	size_t fl[6], end, i, nf = 0;
	uint16_t sport, dport;
	int af;

	/* Find CRLF within the 107-byte limit. */
	for (end = 0; end + 1 < len && end + 2 <= PROXY_V1_MAX; end++)
		if (s[end] == '\r')
			break;
	if (end + 1 >= len || s[end] != '\r' || end + 2 > PROXY_V1_MAX) {
		if (len >= PROXY_V1_MAX)
			return errbuf_set(err, errlen, "PROXY v1 line longer than %d "
			    "bytes", PROXY_V1_MAX);
		for (i = 0; i < len; i++)
			if (s[i] == '\n' || s[i] == '\0')
				return errbuf_set(err, errlen, "bad PROXY v1 line");
		return 0;
	}
	if (s[end + 1] != '\n')
		return errbuf_set(err, errlen, "PROXY v1 line without CRLF");
	if (memchr(s, '\n', end) != NULL || memchr(s, '\0', end) != NULL)
		return errbuf_set(err, errlen, "bad PROXY v1 line");
	/* Split at single spaces. */
	for (i = 0; i <= end && nf < 6; ) {
		size_t j = i;

		while (j < end && s[j] != ' ')
			j++;
		f[nf] = s + i;
		fl[nf++] = j - i;
		if (j == end)
			break;
		i = j + 1;
		if (i == end)
			return errbuf_set(err, errlen, "PROXY v1: trailing space");
	}
	if (nf < 2 || fl[0] != 5 || memcmp(f[0], "PROXY", 5) != 0)
		return errbuf_set(err, errlen, "not a PROXY v1 line");
	memset(h, 0, sizeof(*h));
	h->version = 1;
	if (fl[1] == 7 && memcmp(f[1], "UNKNOWN", 7) == 0) {
		/* The rest of the line is to be ignored. */
		h->local = 1;
		return (int)end + 2;
	}
	if (fl[1] == 4 && memcmp(f[1], "TCP4", 4) == 0)
		af = AF_INET;
	else if (fl[1] == 4 && memcmp(f[1], "TCP6", 4) == 0)
		af = AF_INET6;
	else
		return errbuf_set(err, errlen, "PROXY v1: unknown protocol");
	if (nf != 6 || f[5] + fl[5] != s + end)
		return errbuf_set(err, errlen, "PROXY v1: expected 4 fields after "
		    "the protocol");
	if (v1_addr(af, f[2], fl[2], &h->src, &h->srclen) == -1 ||
	    v1_addr(af, f[3], fl[3], &h->dst, &h->dstlen) == -1)
		return errbuf_set(err, errlen, "PROXY v1: bad address");
	if (v1_port(f[4], fl[4], &sport) == -1 ||
	    v1_port(f[5], fl[5], &dport) == -1)
		return errbuf_set(err, errlen, "PROXY v1: bad port");
	set_port(&h->src, sport);
	set_port(&h->dst, dport);
	return (int)end + 2;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A unix path field of 108 bytes: NUL-terminated, or all used. */
static void
v2_unix(const unsigned char *p, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;
	size_t n = 0;

	memset(ss, 0, sizeof(*ss));
	sun->sun_family = AF_UNIX;
	if (p[0] == '\0') {
		/* Abstract, or unnamed: trailing NULs are padding. */
		for (n = 108; n > 1 && p[n - 1] == '\0'; n--)
			;
		if (n == 1)
			n = 0;
	} else
		while (n < 108 && p[n] != '\0')
			n++;
	memcpy(sun->sun_path, p, n);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
}

static int
parse_v2(const unsigned char *buf, size_t len, struct proxy_hdr *h, char *err,
    size_t errlen)
{
	size_t total, need, off;
	int cmd, fam, proto;

	if (len < 16)
		return 0;
	if ((buf[12] >> 4) != 2)
		return errbuf_set(err, errlen, "PROXY v2: version %d", buf[12] >> 4);
	cmd = buf[12] & 0x0f;
	fam = buf[13] >> 4;
	proto = buf[13] & 0x0f;
	total = 16 + ((size_t)buf[14] << 8 | buf[15]);
	if (cmd > 1)
		return errbuf_set(err, errlen, "PROXY v2: unknown command %d", cmd);
	if (fam > 3 || proto > 2)
		return errbuf_set(err, errlen, "PROXY v2: unknown family or protocol");
	if (total > PROXY_V2_MAX)
		return errbuf_set(err, errlen, "PROXY v2 header of %zu bytes: more "
		    "than %d", total, PROXY_V2_MAX);
	if (len < total)
		return 0;
	memset(h, 0, sizeof(*h));
	h->version = 2;
	if (cmd == 0 || fam == 0 || proto != 1) {
		/* LOCAL, or nothing we relay (UNSPEC, datagrams): keep the
		 * connection's own addresses; the TLVs are skipped. */
		h->local = 1;
		return (int)total;
	}
	need = fam == 1 ? 12 : fam == 2 ? 36 : 216;
	if (total - 16 < need)
		return errbuf_set(err, errlen, "PROXY v2: address block too short");
	if (fam == 1) {
		struct sockaddr_in *s = (struct sockaddr_in *)&h->src;
		struct sockaddr_in *d = (struct sockaddr_in *)&h->dst;

		s->sin_family = d->sin_family = AF_INET;
		memcpy(&s->sin_addr, buf + 16, 4);
		memcpy(&d->sin_addr, buf + 20, 4);
		memcpy(&s->sin_port, buf + 24, 2);
		memcpy(&d->sin_port, buf + 26, 2);
		h->srclen = h->dstlen = sizeof(*s);
	} else if (fam == 2) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&h->src;
		struct sockaddr_in6 *d = (struct sockaddr_in6 *)&h->dst;

		s->sin6_family = d->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, buf + 16, 16);
		memcpy(&d->sin6_addr, buf + 32, 16);
		memcpy(&s->sin6_port, buf + 48, 2);
		memcpy(&d->sin6_port, buf + 50, 2);
		h->srclen = h->dstlen = sizeof(*s);
	} else {
		v2_unix(buf + 16, &h->src, &h->srclen);
		v2_unix(buf + 16 + 108, &h->dst, &h->dstlen);
	}
	/* TLVs: each must fit exactly in what is left. */
	for (off = 16 + need; off < total; ) {
		size_t tl;

		if (total - off < 3)
			return errbuf_set(err, errlen, "PROXY v2: truncated TLV");
		tl = (size_t)buf[off + 1] << 8 | buf[off + 2];
		if (total - off - 3 < tl)
			return errbuf_set(err, errlen, "PROXY v2: TLV overruns the "
			    "header");
		if (buf[off] == PROXY_TLV_PEERCRED) {
			if (tl != 12)
				return errbuf_set(err, errlen, "PROXY v2: bad peer "
				    "credentials TLV");
			h->has_cred = 1;
			h->pid = get32(buf + off + 3);
			h->uid = get32(buf + off + 7);
			h->gid = get32(buf + off + 11);
		}
		off += 3 + tl;
	}
	return (int)total;
}

int
proxy_parse(const unsigned char *buf, size_t len, struct proxy_hdr *h,
    char *err, size_t errlen)
{
	size_t n = len < sizeof(v2sig) ? len : sizeof(v2sig);

	if (len == 0)
		return 0;
	if (memcmp(buf, v2sig, n) == 0)
		return len < sizeof(v2sig) ? 0 : parse_v2(buf, len, h, err,
		    errlen);
	n = len < 6 ? len : 6;
	if (memcmp(buf, "PROXY ", n) == 0)
		return len < 6 ? 0 : parse_v1(buf, len, h, err, errlen);
	return errbuf_set(err, errlen, "no PROXY protocol header");
}

int
proxy_build(int version, const struct sockaddr *src, socklen_t srclen,
    const struct sockaddr *dst, socklen_t dstlen, const uint32_t *cred,
    unsigned char *buf, size_t buflen)
{
	int fam = (src != NULL && dst != NULL &&
	    src->sa_family == dst->sa_family) ? src->sa_family : AF_UNSPEC;
	size_t alen, n;

	if (version == 1) {
		char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
		int w;

		if (fam == AF_INET) {
			const struct sockaddr_in *a = (const void *)src;
			const struct sockaddr_in *b = (const void *)dst;

			inet_ntop(AF_INET, &a->sin_addr, s, sizeof(s));
			inet_ntop(AF_INET, &b->sin_addr, d, sizeof(d));
			w = snprintf((char *)buf, buflen, "PROXY TCP4 %s %s %u "
			    "%u\r\n", s, d, ntohs(a->sin_port),
			    ntohs(b->sin_port));
		} else if (fam == AF_INET6) {
			const struct sockaddr_in6 *a = (const void *)src;
			const struct sockaddr_in6 *b = (const void *)dst;

			inet_ntop(AF_INET6, &a->sin6_addr, s, sizeof(s));
			inet_ntop(AF_INET6, &b->sin6_addr, d, sizeof(d));
			w = snprintf((char *)buf, buflen, "PROXY TCP6 %s %s %u "
			    "%u\r\n", s, d, ntohs(a->sin6_port),
			    ntohs(b->sin6_port));
		} else
			w = snprintf((char *)buf, buflen, "PROXY UNKNOWN\r\n");
		return w < 0 || (size_t)w >= buflen ? -1 : w;
	}
	alen = fam == AF_INET ? 12 : fam == AF_INET6 ? 36 : fam == AF_UNIX ?
	    216 : 0;
	n = 16 + alen + (cred != NULL ? 15 : 0);
	if (n > buflen)
		return -1;
	memset(buf, 0, n);
	memcpy(buf, v2sig, sizeof(v2sig));
	buf[12] = 0x21;			/* version 2, PROXY */
	buf[13] = fam == AF_INET ? 0x11 : fam == AF_INET6 ? 0x21 :
	    fam == AF_UNIX ? 0x31 : 0x00;
	buf[14] = (unsigned char)((n - 16) >> 8);
	buf[15] = (unsigned char)(n - 16);
	if (fam == AF_INET) {
		const struct sockaddr_in *a = (const void *)src;
		const struct sockaddr_in *b = (const void *)dst;

		memcpy(buf + 16, &a->sin_addr, 4);
		memcpy(buf + 20, &b->sin_addr, 4);
		memcpy(buf + 24, &a->sin_port, 2);
		memcpy(buf + 26, &b->sin_port, 2);
	} else if (fam == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)src;
		const struct sockaddr_in6 *b = (const void *)dst;

		memcpy(buf + 16, &a->sin6_addr, 16);
		memcpy(buf + 32, &b->sin6_addr, 16);
		memcpy(buf + 48, &a->sin6_port, 2);
		memcpy(buf + 50, &b->sin6_port, 2);
	} else if (fam == AF_UNIX) {
		size_t off = offsetof(struct sockaddr_un, sun_path);

		size_t sl = srclen > off ? srclen - off : 0;
		size_t dl = dstlen > off ? dstlen - off : 0;

		memcpy(buf + 16, ((const struct sockaddr_un *)(const void *)
		    src)->sun_path, sl < 108 ? sl : 108);
		memcpy(buf + 16 + 108, ((const struct sockaddr_un *)
		    (const void *)dst)->sun_path, dl < 108 ? dl : 108);
	}
	if (cred != NULL) {
		unsigned char *t = buf + 16 + alen;

		t[0] = PROXY_TLV_PEERCRED;
		t[1] = 0;
		t[2] = 12;
		put32(t + 3, cred[0]);
		put32(t + 7, cred[1]);
		put32(t + 11, cred[2]);
	}
	return (int)n;
}
