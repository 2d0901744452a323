/*
 * libFuzzer target for src/addr.c: the address and option parser
 * (addr_parse, addr_check_role, addr_str) and the parsers it exports for
 * single values (addr_parse_mode, addr_parse_hostport). The number and
 * network parsers its options use have their own targets (fuzz_num,
 * fuzz_cidr).
 *
 * The input is one string, handed to each of them. It is copied into a heap
 * buffer of exactly its length plus the NUL, so AddressSanitizer sees a read
 * past the end. A broken invariant calls abort(), which libFuzzer reports as
 * a crash:
 *  - every call returns 0 or -1; -1 always leaves a NUL-terminated message;
 *  - a parsed address has a known kind, fields within their limits, and
 *    every fixed-size string NUL-terminated;
 *  - a listen-only address is refused as a target and the other way round;
 *  - addr_str() never overruns even a tiny buffer, and its canonical text
 *    parses back to the same address, whose canonical text is the same
 *    (see canon_needs_quoting() for the one exception);
 *  - a mode is at most 07777; a host:port is a tcp address with a port
 *    of at most 65535 and a NUL-terminated host.
 */
#include <sys/socket.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "addr.h"

#define DAY_MS	86400000

/* A fixed-size field holds a C string. */
#define check_str(field)	check(memchr((field), '\0', sizeof(field)) != NULL)

static void
check_duration(int ms)
{
	check(ms == -1 || (ms >= 0 && ms <= DAY_MS));
}

/* An allow= network is well formed (fuzz_cidr checks what it matches). */
static void
check_net(const struct cidr *n)
{
	int bits = n->family == AF_INET ? 32 : 128;

	check(n->family == AF_INET || n->family == AF_INET6);
	check(n->prefix >= 0 && n->prefix <= bits);
	check(cidr_match(n, n->family, n->addr) == 1);
}

/* Everything addr_parse() promises about a parsed address. */
static void
check_addr(const struct addr *a)
{
	const struct addr_opts *o = &a->opt;

	check(a->kind > ADDR_NONE && a->kind <= ADDR_TUNNEL);
	check(a->role == ADDR_ROLE_ANY || a->role == ADDR_ROLE_LISTEN ||
	    a->role == ADDR_ROLE_CONNECT);
	check(a->family == AF_UNSPEC || a->family == AF_INET ||
	    a->family == AF_INET6);
	check_str(a->path);
	check_str(a->host);
	check_str(a->cmd);
	check_str(a->name);
	switch (a->kind) {
	case ADDR_UNIX:
		check(a->path[0] != '\0' && a->path[0] != '@');
		/* FALLTHROUGH */
	case ADDR_ABSTRACT:
		check(a->path_len >= 1 && a->path_len <= ADDR_PATH_MAX - 1);
		check(strlen(a->path) == a->path_len);
		break;
	case ADDR_TCP:
		check(a->port <= 65535);
		check(a->host_given == (a->host[0] != '\0'));
		break;
	case ADDR_EXEC:
	case ADDR_TUNNEL:
		check(a->cmd[0] != '\0');
		break;
	case ADDR_FD:
		check(a->fd >= 0);
		break;
	default:
		break;
	}
	if (a->kind != ADDR_FD)
		check(a->fd == -1);

	check(o->mode == -1 || (o->mode >= 0 && o->mode <= 07777));
	check(o->backlog == -1 || (o->backlog >= 1 && o->backlog <= 65535));
	check(o->max_conns == -1 || (o->max_conns >= 1 &&
	    o->max_conns <= 1000000));
	check(o->max_fails == -1 || (o->max_fails >= 0 &&
	    o->max_fails <= 1000));
	check_duration(o->connect_timeout_ms);
	check_duration(o->idle_timeout_ms);
	check_duration(o->fail_timeout_ms);
	check(o->reuseaddr >= -1 && o->reuseaddr <= 1);
	check(o->unlink_close >= -1 && o->unlink_close <= 1);
	check(o->unlink_early == 0 || o->unlink_early == 1);
	check(o->backup == 0 || o->backup == 1);
	check(o->accept_proxy == 0 || o->accept_proxy == 1);
	check(o->send_proxy >= 0 && o->send_proxy <= 2);
	check_str(o->user);
	check_str(o->group);
	check_str(o->bind);
	check(o->nallow_user >= 0 && o->nallow_user <= ADDR_ACL_MAX);
	check(o->nallow_group >= 0 && o->nallow_group <= ADDR_ACL_MAX);
	check(o->nallow_net >= 0 && o->nallow_net <= ADDR_ACL_MAX);
	for (int i = 0; i < o->nallow_user; i++) {
		check_str(o->allow_user[i]);
		check(o->allow_user[i][0] != '\0');
	}
	for (int i = 0; i < o->nallow_group; i++) {
		check_str(o->allow_group[i]);
		check(o->allow_group[i][0] != '\0');
	}
	for (int i = 0; i < o->nallow_net; i++)
		check_net(&o->allow_net[i]);
}

/* The same endpoint: what addr_str() shows of an address. */
static int
same_endpoint(const struct addr *a, const struct addr *b)
{
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case ADDR_UNIX:
	case ADDR_ABSTRACT:
		return a->path_len == b->path_len &&
		    memcmp(a->path, b->path, a->path_len) == 0;
	case ADDR_TCP:
		return a->port == b->port && strcmp(a->host, b->host) == 0;
	case ADDR_EXEC:
	case ADDR_TUNNEL:
		return strcmp(a->cmd, b->cmd) == 0;
	case ADDR_FD:
		return a->fd == b->fd;
	case ADDR_SYSTEMD:
		return strcmp(a->name, b->name) == 0;
	default:
		return 1;
	}
}

/*
 * addr_str() is text for logs: it does not quote. A path, host or command
 * holding a comma, a quote or a backslash (written escaped or quoted in the
 * original) reads differently when its canonical text is parsed again, and
 * so does a host that only a socat bind= option allows, like "a%b". Those
 * are the only addresses whose canonical text may fail to parse back.
 */
static int
canon_needs_quoting(const struct addr *a, const char *canon)
{
	if (strpbrk(canon, ",'\"\\") != NULL)
		return 1;
	return a->kind == ADDR_TCP && strchr(a->host, ':') == NULL &&
	    strchr(a->host, '%') != NULL;
}

static void
fuzz_addr(const char *text, size_t size)
{
	static struct addr a, b;	/* 5 KB each: keep them off the stack */
	static char canon[ADDR_CMD_MAX + 64], canon2[ADDR_CMD_MAX + 64];
	char err[ADDR_ERR_MAX];
	int rc;

	memset(err, 'x', sizeof(err));
	rc = addr_parse(&a, text, err, sizeof(err));
	check_rc(rc, err, sizeof(err));
	if (rc == -1)
		return;
	check_addr(&a);

	/* Role: rc tri-state is 0/-1; a fixed role refuses the other one. */
	for (int role = ADDR_ROLE_LISTEN; role <= ADDR_ROLE_CONNECT; role++) {
		memset(err, 'x', sizeof(err));
		rc = addr_check_role(&a, (enum addr_role)role, err, sizeof(err));
		check_rc(rc, err, sizeof(err));
		if (a.role != ADDR_ROLE_ANY && (int)a.role != role)
			check(rc == -1);
	}
	/* No message buffer, or one of a single byte, is allowed too. */
	(void)addr_check_role(&a, ADDR_ROLE_LISTEN, NULL, 0);
	memset(err, 'x', sizeof(err));
	if (addr_check_role(&a, ADDR_ROLE_CONNECT, err, 1) == -1)
		check(err[0] == '\0');
	check(err[1] == 'x');

	/* Canonical text, into a buffer that is always big enough. */
	check(addr_str(&a, canon, sizeof(canon)) == canon);
	check(memchr(canon, '\0', sizeof(canon)) != NULL);
	check(strlen(canon) < sizeof(canon) - 1);	/* not truncated */
	check(canon[0] != '\0' && strcmp(canon, "(none)") != 0);

	/* ... and into exact-size small heap buffers: no overrun, always a
	 * NUL-terminated prefix. */
	{
		size_t len = 1 + size % 24;
		char *small = malloc(len);

		check(small != NULL);
		addr_str(&a, small, len);
		check(memchr(small, '\0', len) != NULL);
		check(strncmp(small, canon, strlen(small)) == 0);
		free(small);
	}

	/* Round trip: the canonical text names the same endpoint, and is a
	 * fixed point. */
	memset(err, 'x', sizeof(err));
	rc = addr_parse(&b, canon, err, sizeof(err));
	check_rc(rc, err, sizeof(err));
	if (rc == -1) {
		check(canon_needs_quoting(&a, canon));
		return;
	}
	check_addr(&b);
	/* Unquoted text with a backslash may read back as another form
	 * ("unix:\\@s" as an abstract name): the same one exception. */
	if (!canon_needs_quoting(&a, canon)) {
		check(b.kind == a.kind);
		check(same_endpoint(&a, &b));
	}
	if (same_endpoint(&a, &b)) {
		addr_str(&b, canon2, sizeof(canon2));
		check(strcmp(canon, canon2) == 0);
	}
}

static void
fuzz_values(const char *text)
{
	char err[ADDR_ERR_MAX];
	struct addr a;
	int mode, rc;

	mode = -7;
	if (addr_parse_mode(text, &mode) == 0)
		check(mode >= 0 && mode <= 07777);
	else
		check(mode == -7);

	memset(err, 0, sizeof(err));
	rc = addr_parse_hostport(&a, text, err, sizeof(err));
	check_rc(rc, err, sizeof(err));
	check(a.kind == ADDR_TCP);
	if (rc == 0) {
		check(a.port <= 65535);
		check_str(a.host);
		check(a.host[0] != '\0');
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	fuzz_addr(text, size);
	fuzz_values(text);
	free(text);
	return 0;
}
