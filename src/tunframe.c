/*
 * tunframe: see tunframe.h and doc/tunnel-protocol.txt.
 */
#include <stdio.h>
#include <string.h>

#include "errbuf.h"
#include "tunframe.h"

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Does a frame of this type belong to stream 0 (the session)? */
static int
session_type(unsigned int type)
{
	return type == TUNFRAME_HELLO || type == TUNFRAME_PING ||
	    type == TUNFRAME_GOAWAY;
}

size_t
tunframe_payload_len(const struct tunframe *f)
{
	if (f->type == TUNFRAME_WINDOW || f->type == TUNFRAME_PING)
		return 0;
	return f->length;
}

int
tunframe_decode(const uint8_t *buf, size_t len, struct tunframe *f,
    char *err, size_t errlen)
{
	size_t max;

	if (len < TUNFRAME_HDR)
		return 0;
	f->version = buf[0];
	f->type = buf[1];
	f->flags = get16(buf + 2);
	f->stream = get32(buf + 4);
	f->length = get32(buf + 8);
	if (f->version != TUNFRAME_VERSION)
		return errbuf_set(err, errlen, "protocol version %u, "
		    "expected %u", f->version, TUNFRAME_VERSION);
	if (f->type >= TUNFRAME_NTYPES)
		return errbuf_set(err, errlen, "unknown frame type %u",
		    f->type);
	if (session_type(f->type) && f->stream != 0)
		return errbuf_set(err, errlen, "%s frame on stream %u",
		    tunframe_type_name(f->type), f->stream);
	if (!session_type(f->type) && f->stream == 0)
		return errbuf_set(err, errlen, "%s frame on stream 0",
		    tunframe_type_name(f->type));
	if (f->flags & ~TUNFRAME_F_ACK || (f->flags != 0 &&
	    f->type != TUNFRAME_PING))
		return errbuf_set(err, errlen, "%s frame with flags 0x%x",
		    tunframe_type_name(f->type), f->flags);
	if (f->type == TUNFRAME_WINDOW && (f->length == 0 ||
	    f->length > 0x7fffffffu))
		return errbuf_set(err, errlen, "window update of %u bytes",
		    f->length);
	if (f->type == TUNFRAME_FIN && f->length != 0)
		return errbuf_set(err, errlen, "FIN frame with a payload");
	max = f->type == TUNFRAME_DATA ? TUNFRAME_DATA_MAX : TUNFRAME_CTL_MAX;
	if (tunframe_payload_len(f) > max)
		return errbuf_set(err, errlen, "%s frame of %u bytes, "
		    "limit %zu", tunframe_type_name(f->type), f->length,
		    max);
	return TUNFRAME_HDR;
}

void
tunframe_encode(uint8_t *out, const struct tunframe *f)
{
	out[0] = f->version;
	out[1] = f->type;
	put16(out + 2, f->flags);
	put32(out + 4, f->stream);
	put32(out + 8, f->length);
}

size_t
tunframe_put(uint8_t *out, uint8_t type, uint16_t flags, uint32_t stream,
    uint32_t length)
{
	struct tunframe f = { TUNFRAME_VERSION, type, flags, stream, length };

	tunframe_encode(out, &f);
	return TUNFRAME_HDR;
}

int
tunframe_hello_put(uint8_t *out, size_t outlen,
    const struct tunframe_hello *h)
{
	size_t n = strnlen(h->name, sizeof(h->name));

	if (outlen < 12 + n)
		return -1;
	put32(out, h->version);
	put32(out + 4, h->max_streams);
	put32(out + 8, 0);
	memcpy(out + 12, h->name, n);
	return (int)(12 + n);
}

/* Copy text p[0..len) into out (outlen > 0) as printable ASCII. */
static void
copy_text(char *out, size_t outlen, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len && i + 1 < outlen; i++)
		out[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[i] = '\0';
}

int
tunframe_hello_get(const uint8_t *p, size_t len, struct tunframe_hello *h,
    char *err, size_t errlen)
{
	if (len < 12)
		return errbuf_set(err, errlen, "HELLO of %zu bytes, "
		    "at least 12 expected", len);
	h->version = get32(p);
	h->max_streams = get32(p + 4);
	if (h->version < 1)
		return errbuf_set(err, errlen, "HELLO with version 0");
	if (h->max_streams == 0)
		return errbuf_set(err, errlen, "HELLO allowing no stream");
	copy_text(h->name, sizeof(h->name), p + 12, len - 12);
	return 0;
}

int
tunframe_open_put(uint8_t *out, size_t outlen, uint16_t target)
{
	if (outlen < 2)
		return -1;
	put16(out, target);
	return 2;
}

int
tunframe_open_get(const uint8_t *p, size_t len, uint16_t *target,
    char *err, size_t errlen)
{
	if (len != 2)
		return errbuf_set(err, errlen, "OPEN of %zu bytes, "
		    "2 expected", len);
	*target = get16(p);
	return 0;
}

int
tunframe_reason_put(uint8_t *out, size_t outlen, uint32_t code,
    const char *text)
{
	size_t n = text != NULL ? strnlen(text, TUNFRAME_TEXT_MAX) : 0;

	if (outlen < 4 + n)
		return -1;
	put32(out, code);
	memcpy(out + 4, text, n);
	return (int)(4 + n);
}

int
tunframe_reason_get(const uint8_t *p, size_t len, uint32_t *code,
    char *text, size_t textlen, char *err, size_t errlen)
{
	if (len < 4)
		return errbuf_set(err, errlen, "reason of %zu bytes, "
		    "at least 4 expected", len);
	if (len > 4 + TUNFRAME_TEXT_MAX)
		return errbuf_set(err, errlen, "reason text of %zu bytes, "
		    "limit %d", len - 4, TUNFRAME_TEXT_MAX);
	*code = get32(p);
	if (textlen > 0)
		copy_text(text, textlen, p + 4, len - 4);
	return 0;
}

const char *
tunframe_type_name(unsigned int type)
{
	static const char *const names[TUNFRAME_NTYPES] = {
		"HELLO", "OPEN", "DATA", "WINDOW", "FIN", "RESET", "PING",
		"GOAWAY",
	};

	return type < TUNFRAME_NTYPES ? names[type] : "unknown";
}

const char *
tunframe_reason_name(uint32_t code)
{
	static const char *const names[TUNR_NREASONS] = {
		"normal", "reset by peer", "refused", "no such target",
		"stream limit", "protocol error", "carrier lost",
		"keepalive timeout", "shutting down",
	};

	return code < TUNR_NREASONS ? names[code] : "unknown reason";
}
