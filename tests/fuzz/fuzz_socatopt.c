/*
 * libFuzzer target for src/socatopt.c: socat's global options.
 *
 * The input is a command line, words split at newlines, each copied into
 * a heap buffer of exactly its length plus the NUL so AddressSanitizer
 * sees a read past the end. The words are taken the way cmd-relay does,
 * once bare and once after "relay" (chosen by the first byte). Broken
 * invariants abort():
 *  - socatopt_take() returns -1, 0, 1, or 2 only when there was a next
 *    word; -1 fills the error, which starts with the option's '-' or
 *    with "option ";
 *  - 0 (left to relay) only for words relay could own;
 *  - what is set stays in range: -d 0 to 4, -b 4K to 16M, -T above 0 and
 *    at most a day, -4/-6 a family.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "socatopt.h"

#define MAX_WORDS	32

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *words[MAX_WORDS];
	struct socatopt so;
	char err[512];
	size_t start = 0;
	int n = 0, flags;

	if (size == 0)
		return 0;
	flags = data[0] & 1 ? SOCATOPT_RELAY : 0;
	data++;
	size--;
	for (size_t i = 0; i <= size && n < MAX_WORDS; i++) {
		if (i < size && data[i] != '\n')
			continue;
		if ((words[n] = malloc(i - start + 1)) == NULL)
			break;
		memcpy(words[n], data + start, i - start);
		words[n][i - start] = '\0';
		n++;
		start = i + 1;
	}
	socatopt_init(&so);
	for (int i = 0; i < n;) {
		const char *next = i + 1 < n ? words[i + 1] : NULL;
		int rc;

		err[0] = '\0';
		rc = socatopt_take(&so, flags, words[i], next, err,
		    sizeof(err));
		check(rc >= -1 && rc <= 2);
		check(rc != 2 || next != NULL);
		if (rc == -1) {
			check(err[0] == '-' || strncmp(err, "option ", 7) == 0);
			break;
		}
		if (rc == 0) {
			check(words[i][0] != '-' || words[i][1] == '\0' ||
			    words[i][1] == '-' || strcmp(words[i], "-h") == 0 ||
			    (flags & SOCATOPT_RELAY));
			i++;
			continue;
		}
		i += rc;
	}
	check(so.debug >= -1 && so.debug <= 4);
	check(so.bufsize == 0 || (so.bufsize >= SOCATOPT_BUF_MIN &&
	    so.bufsize <= SOCATOPT_BUF_MAX));
	check(so.idle_ms == -1 || (so.idle_ms > 0 && so.idle_ms <= 86400000));
	check(so.family == AF_UNSPEC || so.family == AF_INET ||
	    so.family == AF_INET6);
	check(so.dir == SOCATOPT_BOTH || so.dir == SOCATOPT_LEFT_TO_RIGHT ||
	    so.dir == SOCATOPT_RIGHT_TO_LEFT);
	for (int i = 0; i < n; i++)
		free(words[i]);
	return 0;
}
