/*
 * udp_wire.h - the UDP header on the wire: layout, parse and build
 * (RFC 768; RFC 1122 section 4.1).
 *
 * Read this first: a UDP datagram is eight bytes of header and the data.
 * udp_parse() proves a received one well formed (its Length inside the IPv4
 * payload, its checksum over the pseudo-header) and fills a struct udp_hdr
 * in host byte order; which socket it goes to is stack/udp/udp.c's job.
 *
 *    0      7 8     15 16    23 24    31
 *   +--------+--------+--------+--------+
 *   |     Source      |   Destination   |
 *   |      Port       |      Port       |
 *   +--------+--------+--------+--------+
 *   |                 |                 |
 *   |     Length      |    Checksum     |
 *   +--------+--------+--------+--------+
 *   |          data octets ...
 *
 * Length counts the header and the data (so at least 8).  The checksum
 * covers the same pseudo-header as TCP's (source, destination, zero,
 * protocol 17, the UDP length), the header and the data.
 */
#ifndef TUNTCP_UDP_WIRE_H
#define TUNTCP_UDP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define UDP_OFF_SPORT    0
#define UDP_OFF_DPORT    2
#define UDP_OFF_LEN      4
#define UDP_OFF_CHECKSUM 6
#define UDP_HDR_LEN      8

/* The most data one datagram can carry over IPv4: the IPv4 Total Length
 * (16 bits, at most 65535) less a 20-byte IPv4 header and UDP's 8. */
#define UDP_MAX_DATA     (65535 - 20 - UDP_HDR_LEN)	/* 65507 */

/* A validated datagram, in host byte order. */
struct udp_hdr {
	uint32_t src, dst;	/* from the IPv4 header */
	uint16_t sport;		/* 0: the sender expects no answer (RFC 768) */
	uint16_t dport;
	uint16_t len;		/* the Length field: header + data */
	uint16_t checksum;	/* as on the wire; 0: none was computed */
	const uint8_t *data;	/* the data, inside the packet */
	size_t data_len;	/* len - 8 */
};

/* Check a datagram of `len` bytes (the IPv4 payload) that arrived from
 * `src` to `dst` (host order) and fill `h`.  Returns DROP_NONE or the
 * reason to drop it: udp-too-short, udp-bad-length, udp-bad-checksum. */
enum drop_reason udp_parse(const uint8_t *buf, size_t len, uint32_t src,
			   uint32_t dst, struct udp_hdr *h);

/* Build a datagram of `len` data bytes into `buf` (which must hold
 * UDP_HDR_LEN + len bytes; len at most UDP_MAX_DATA), with its checksum.
 * Returns the datagram's length. */
size_t udp_build(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport,
		 uint16_t dport, const uint8_t *data, size_t len);

#endif
