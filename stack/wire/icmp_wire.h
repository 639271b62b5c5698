/*
 * icmp_wire.h - the ICMP message on the wire (RFC 792).
 *
 *    0                   1                   2                   3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Type      |     Code      |          Checksum             |
 *   |           Identifier          |        Sequence Number        |   (echo)
 *   |     Data ...
 */
#ifndef TUNTCP_ICMP_WIRE_H
#define TUNTCP_ICMP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define ICMP_OFF_TYPE     0
#define ICMP_OFF_CODE     1
#define ICMP_OFF_CHECKSUM 2
#define ICMP_OFF_ID       4
#define ICMP_OFF_SEQ      6
#define ICMP_HDR_LEN      8

#define ICMP_ECHO_REPLY   0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO_REQUEST 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAM_PROBLEM 12

/* Codes of ICMP_DEST_UNREACH (RFC 792, RFC 1122 3.2.2.1) */
#define ICMP_PROTO_UNREACH 2
#define ICMP_PORT_UNREACH  3
#define ICMP_FRAG_NEEDED   4
/* Code of ICMP_TIME_EXCEEDED: the fragments of a datagram timed out */
#define ICMP_REASSEMBLY_TIMEOUT 1

struct icmp_hdr {
	uint8_t type;
	uint8_t code;
	uint16_t checksum;
	uint16_t id;		/* echo only */
	uint16_t seq;		/* echo only */
	const uint8_t *data;	/* after the 8-byte header */
	size_t data_len;
};

/* Check length and checksum of an ICMP message; fill `h`. */
enum drop_reason icmp_parse(const uint8_t *msg, size_t len,
			    struct icmp_hdr *h);

#endif
