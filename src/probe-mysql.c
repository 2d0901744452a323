/*
 * probe-mysql: MySQL and MariaDB. The server speaks first: a packet
 * (3-byte little-endian length, sequence 0) holding the handshake
 * (protocol 10, then the server version, NUL-terminated) or an error
 * packet (0xff, a 2-byte code, the message) when it turns the client
 * away. Client setting: socket= in my.cnf's [client], Rails' socket:,
 * DATABASE_URL's ?socket=.
 */
#include <stdio.h>
#include <string.h>

#include "probe.h"

static const char *const my_paths[] = { "/var/run/mysqld/mysqld.sock",
	"/run/mysqld/mysqld.sock", "/tmp/mysql.sock", NULL };
static const char *const my_bases[] = { "mysqld.sock", "mysql.sock",
	"mariadb.sock", "mysqlx.sock", NULL };

/* The first packet of a MySQL server. */
static int
my_parse(const unsigned char *buf, size_t len, char *detail, size_t dl)
{
	size_t plen, vlen;
	const unsigned char *p;

	detail[0] = '\0';
	if (len < 4)
		return PROBE_MORE;
	plen = (size_t)buf[0] | (size_t)buf[1] << 8 | (size_t)buf[2] << 16;
	/* A greeting is some 80 bytes; an error packet less than 600. */
	if (buf[3] != 0 || plen < 3 || plen > 1024)
		return PROBE_NOMATCH;
	p = buf + 4;
	if (len > 4 && p[0] != 0x0a && p[0] != 0xff)
		return PROBE_NOMATCH;
	if (len < 4 + plen)
		return PROBE_MORE;
	if (p[0] == 0xff) {
		size_t off = 3;

		if (plen > 3 && p[3] == '#')	/* '#' and a SQLSTATE */
			off = plen >= 9 ? 9 : plen;
		snprintf(detail, dl, "an error packet, %u: %.*s",
		    (unsigned)(p[1] | p[2] << 8), (int)(plen - off > 120 ?
		    120 : plen - off), (const char *)p + off);
		for (char *c = detail; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				*c = '?';
		return PROBE_MATCH;
	}
	if (p[0] != 0x0a)
		return PROBE_NOMATCH;
	vlen = strnlen((const char *)p + 1, plen - 1);
	if (vlen == plen - 1 || vlen == 0)
		return PROBE_NOMATCH;	/* the version must end in a NUL */
	for (size_t i = 1; i <= vlen; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return PROBE_NOMATCH;
	snprintf(detail, dl, "a server greeting, version %.*s%s",
	    (int)(vlen > 64 ? 64 : vlen), (const char *)p + 1,
	    strstr((const char *)p + 1, "MariaDB") ? " (MariaDB)" : "");
	return PROBE_MATCH;
}

static void
my_advice(const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "MySQL clients: socket=%s under [client] in "
	    "my.cnf, or --socket=%s; Rails: socket: %s in "
	    "config/database.yml; DATABASE_URL=mysql2://USER@localhost/DB?"
	    "socket=%s", path, path, path, path);
}

const struct probe_svc probe_mysql = {
	"mysql", "MySQL/MariaDB", my_paths, my_bases, 3306,
	NULL, 0, "nothing (the server speaks first)",
	my_parse, my_advice,
};
