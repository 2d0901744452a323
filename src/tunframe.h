/*
 * tunframe: the frames of the tunnel protocol (doc/tunnel-protocol.txt),
 * encoded into and decoded from caller buffers. Pure: no I/O, no
 * allocation, no logging.
 *
 * Every frame is a 12-byte header, then length bytes of payload for the
 * types that carry one:
 *
 *	version(1) type(1) flags(2) stream(4) length(4)	(big-endian)
 *
 * WINDOW and PING carry their value in the length field and no payload
 * (as yamux does); the other types carry length payload bytes.
 */
#ifndef SB_TUNFRAME_H
#define SB_TUNFRAME_H

#include <stddef.h>
#include <stdint.h>

#define TUNFRAME_VERSION	1
#define TUNFRAME_HDR		12
#define TUNFRAME_DATA_MAX	(256 * 1024)	/* payload of one DATA frame */
#define TUNFRAME_CTL_MAX	1024	/* payload of any other frame */
#define TUNFRAME_WINDOW_INIT	(256 * 1024)	/* initial credit per stream */
#define TUNFRAME_TEXT_MAX	512	/* reason texts, target names */

enum tunframe_type {
	TUNFRAME_HELLO = 0,	/* stream 0: version handshake */
	TUNFRAME_OPEN,		/* new stream; payload: target index */
	TUNFRAME_DATA,		/* payload: stream bytes */
	TUNFRAME_WINDOW,	/* length: credit granted, in bytes */
	TUNFRAME_FIN,		/* the sender sends no more on the stream */
	TUNFRAME_RESET,		/* the stream is cut off; payload: reason */
	TUNFRAME_PING,		/* stream 0; length: opaque; flag ACK */
	TUNFRAME_GOAWAY,	/* stream 0: no new streams; payload: reason */
	TUNFRAME_NTYPES
};

#define TUNFRAME_F_ACK	0x0001	/* PING: this is the answer */

/* Reset and goaway reasons (the code on the wire). */
enum tunframe_reason {
	TUNR_NORMAL = 0,	/* goaway: orderly close */
	TUNR_ABORT,		/* the peer of the stream reset it */
	TUNR_REFUSED,		/* the target could not be reached */
	TUNR_NO_TARGET,		/* no such target index */
	TUNR_LIMIT,		/* too many streams */
	TUNR_PROTOCOL,		/* a protocol error (window overrun, ...) */
	TUNR_CARRIER,		/* the carrier went away */
	TUNR_TIMEOUT,		/* keepalive timeout */
	TUNR_SHUTDOWN,		/* the far end is shutting down */
	TUNR_NREASONS
};

struct tunframe {
	uint8_t		 version;
	uint8_t		 type;
	uint16_t	 flags;
	uint32_t	 stream;
	uint32_t	 length;
};

/* Bytes of payload that follow a header of this frame on the wire. */
size_t	tunframe_payload_len(const struct tunframe *f);

/*
 * Decode a header from buf[0..len). Returns TUNFRAME_HDR with *f filled,
 * 0 when fewer than TUNFRAME_HDR bytes are there, or -1 when the header
 * is not valid (err says why: unknown version or type, a stream frame on
 * stream 0, a session frame on a stream, a payload over its limit).
 */
int	tunframe_decode(const uint8_t *buf, size_t len, struct tunframe *f,
	    char *err, size_t errlen);

/* Encode f's header into out (TUNFRAME_HDR bytes). */
void	tunframe_encode(uint8_t *out, const struct tunframe *f);

/* Encode a header of the given fields into out. Returns TUNFRAME_HDR. */
size_t	tunframe_put(uint8_t *out, uint8_t type, uint16_t flags,
	    uint32_t stream, uint32_t length);

/*
 * HELLO payload: u32 highest version spoken, u32 most streams the sender
 * accepts, u32 flags (0), then the sender's name for logs (text, no NUL).
 * tunframe_hello_put writes it into out (outlen bytes); returns its length
 * or -1 if it does not fit. tunframe_hello_get parses payload[0..len);
 * returns 0, or -1 with err.
 */
struct tunframe_hello {
	uint32_t	 version;
	uint32_t	 max_streams;
	char		 name[64];
};
int	tunframe_hello_put(uint8_t *out, size_t outlen,
	    const struct tunframe_hello *h);
int	tunframe_hello_get(const uint8_t *p, size_t len,
	    struct tunframe_hello *h, char *err, size_t errlen);

/*
 * OPEN payload: u16 target index (0: the first). Returns the length (2).
 * tunframe_open_get: 0 with *target, or -1 with err.
 */
int	tunframe_open_put(uint8_t *out, size_t outlen, uint16_t target);
int	tunframe_open_get(const uint8_t *p, size_t len, uint16_t *target,
	    char *err, size_t errlen);

/*
 * RESET and GOAWAY payload: u32 reason code, then text (no NUL, at most
 * TUNFRAME_TEXT_MAX bytes). put returns the length or -1; get returns 0
 * with *code and text (NUL-terminated, bytes outside printable ASCII
 * replaced by '?'), or -1 with err. Unknown codes are kept: a newer peer
 * may send them.
 */
int	tunframe_reason_put(uint8_t *out, size_t outlen, uint32_t code,
	    const char *text);
int	tunframe_reason_get(const uint8_t *p, size_t len, uint32_t *code,
	    char *text, size_t textlen, char *err, size_t errlen);

/* Name of a frame type or a reason code, for logs ("DATA", "refused"). */
const char *tunframe_type_name(unsigned int type);
const char *tunframe_reason_name(uint32_t code);

#endif
