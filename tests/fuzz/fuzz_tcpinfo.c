/*
 * libFuzzer target for src/tcpinfo.c: tcpinfo_parse_line, a line of
 * /proc/net/tcp or tcp6 (the first byte picks which). The line is copied
 * into a heap buffer of exactly its length plus the NUL, so
 * AddressSanitizer sees a read past the end. Broken invariants abort():
 * it returns 0 or -1; on 0 the family is the one asked for and the port
 * fits 16 bits, the state 8.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tcpinfo.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcpinfo_entry e;
	int family, rc;
	char *text;

	if (size == 0)
		return 0;
	family = data[0] & 1 ? AF_INET6 : AF_INET;
	if ((text = malloc(size)) == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	rc = tcpinfo_parse_line(text, family, &e);
	check(rc == 0 || rc == -1);
	if (rc == 0) {
		check(e.family == family);
		check(e.port <= 0xffff);
		check(e.state <= 0xff);
	}
	free(text);
	return 0;
}
