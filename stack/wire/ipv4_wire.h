/*
 * ipv4_wire.h - the IPv4 header on the wire: layout, parse, build (RFC 791
 * section 3.1).
 *
 * Read this first: ipv4_parse() is the first thing that touches a received
 * packet.  It proves the header is well formed (version, header length,
 * total length, checksum) and fills a struct in host byte order; it decides
 * nothing about whether the packet is *for us* - that is ip/ipv4.c's job.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version|  IHL  |Type of Service|          Total Length         |
 *   |         Identification        |Flags|      Fragment Offset    |
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   |                       Source Address                          |
 *   |                    Destination Address                        |
 *   |                    Options                    |    Padding    |
 */
#ifndef TUNTCP_IPV4_WIRE_H
#define TUNTCP_IPV4_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

/* Offsets of the fields, in bytes from the start of the header. */
#define IPV4_OFF_VER_IHL   0
#define IPV4_OFF_TOS       1
#define IPV4_OFF_TOTAL_LEN 2
#define IPV4_OFF_ID        4
#define IPV4_OFF_FRAG      6
#define IPV4_OFF_TTL       8
#define IPV4_OFF_PROTO     9
#define IPV4_OFF_CHECKSUM  10
#define IPV4_OFF_SRC       12
#define IPV4_OFF_DST       16
#define IPV4_HDR_MIN       20

#define IPV4_FLAG_DF 0x4000	/* don't fragment */
#define IPV4_FLAG_MF 0x2000	/* more fragments */
#define IPV4_FRAG_OFFSET_MASK 0x1FFF	/* in units of 8 bytes */
#define IPV4_FRAG_UNIT 8

/* RFC 791 3.1: Total Length is 16 bits, so a datagram (header included)
 * is at most 65535 bytes, and its payload at most 65515 with no options. */
#define IPV4_MAX_TOTAL   65535
#define IPV4_MAX_PAYLOAD (IPV4_MAX_TOTAL - IPV4_HDR_MIN)

#define IP_PROTO_ICMP 1
#define IP_PROTO_TCP  6
#define IP_PROTO_UDP  17

#define IPV4_DEFAULT_TTL 64

/* A validated IPv4 header, in host byte order. */
struct ipv4_hdr {
	uint8_t hdr_len;	/* IHL * 4, in bytes */
	uint8_t tos;
	uint16_t total_len;
	uint16_t id;
	uint16_t frag;		/* flags and fragment offset, as on the wire */
	uint8_t ttl;
	uint8_t proto;
	uint16_t checksum;
	uint32_t src;
	uint32_t dst;
	const uint8_t *payload;	/* points into the packet */
	size_t payload_len;	/* total_len - hdr_len: link padding excluded */
};

/* Check the header of a received packet of `len` bytes and fill `h`.
 * Returns DROP_NONE, or the reason the packet must be dropped. */
enum drop_reason ipv4_parse(const uint8_t *pkt, size_t len,
			    struct ipv4_hdr *h);

/* Parse the IPv4 header an ICMP error quotes (RFC 792: "Internet Header +
 * 64 bits of Original Data Datagram").  Only the header and at least 8
 * bytes after it need be there: total_len may promise more than was
 * quoted, and the checksum is not checked (a router may have changed the
 * TTL on the way out).  h->payload_len is the number of bytes quoted. */
enum drop_reason ipv4_parse_quoted(const uint8_t *buf, size_t len,
				   struct ipv4_hdr *h);

/* Write a 20-byte header (no options) with its checksum into `buf`.
 * `payload_len` is the length of what follows the header. */
void ipv4_build(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto,
		uint16_t id, uint8_t ttl, size_t payload_len);

/* The same header for one fragment of a datagram (RFC 791 3.2): `frag`
 * is the Flags and Fragment Offset field as on the wire (IPV4_FLAG_MF,
 * and the offset in units of 8 bytes); `payload_len` is this fragment's
 * share.  ipv4_build() is this with `frag` = DF. */
void ipv4_build_fragment(uint8_t *buf, uint32_t src, uint32_t dst,
			 uint8_t proto, uint16_t id, uint8_t ttl,
			 uint16_t frag, size_t payload_len);

/* Dotted quad of a host-order address, into a buffer of at least 16 bytes. */
char *ipv4_ntoa(uint32_t addr, char *buf);

/* Parse a dotted quad into a host-order address.  Returns 0, or -1. */
int ipv4_aton(const char *s, uint32_t *addr);

#endif
