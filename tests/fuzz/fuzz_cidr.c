/*
 * libFuzzer target for src/cidr.c: cidr_parse and cidr_match.
 *
 * The input is one string, copied into a heap buffer of exactly its
 * length plus the NUL, so AddressSanitizer sees a read past the end. A
 * broken invariant calls abort(), which libFuzzer reports as a crash:
 *  - cidr_parse returns 0 or -1;
 *  - a parsed network has a family, a prefix within it, no host bits
 *    set, and contains its own address, and an IPv4 one its IPv4-mapped
 *    IPv6 form too;
 *  - flipping the last network bit leaves the network;
 *  - the input's first bytes, taken as an address of either family, are
 *    matched without reading past 4 or 16 bytes.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "cidr.h"

static void
check_net(const struct cidr *n, const unsigned char *raw)
{
	int bits = n->family == AF_INET ? 32 : 128;
	unsigned char other[16];

	check(n->family == AF_INET || n->family == AF_INET6);
	check(n->prefix >= 0 && n->prefix <= bits);
	for (int b = n->prefix; b < bits; b++)
		check(!(n->addr[b / 8] & (0x80 >> (b % 8))));
	check(cidr_match(n, n->family, n->addr) == 1);
	if (n->family == AF_INET) {
		unsigned char mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    0xff, 0xff };

		memcpy(mapped + 12, n->addr, 4);
		check(cidr_match(n, AF_INET6, mapped) == 1);
		check(cidr_match(n, AF_INET6, n->addr) == 0 ||
		    memcmp(n->addr, mapped, 12) == 0);
	}
	if (n->prefix > 0) {
		int b = n->prefix - 1;

		memcpy(other, n->addr, sizeof(other));
		other[b / 8] ^= (unsigned char)(0x80 >> (b % 8));
		check(cidr_match(n, n->family, other) == 0);
	}
	/* Any address: 0 or 1, reading only its own bytes. */
	check(cidr_match(n, AF_INET, raw) <= 1);
	check(cidr_match(n, AF_INET6, raw) <= 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	unsigned char *raw = malloc(16);
	struct cidr n;
	int rc;

	if (text == NULL || raw == NULL) {
		free(text);
		free(raw);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	memset(raw, 0, 16);
	memcpy(raw, data, size < 16 ? size : 16);
	memset(&n, 0xa5, sizeof(n));
	rc = cidr_parse(text, &n);
	check(rc == 0 || rc == -1);
	if (rc == 0)
		check_net(&n, raw);
	free(raw);
	free(text);
	return 0;
}
