/*
 * tcp_wire.h - the TCP header on the wire: layout, options, parse and build
 * (RFC 9293 section 3.1).
 *
 * Read this first: tcp_parse() proves a received segment well formed (data
 * offset, option lengths, checksum over the pseudo-header, a sensible
 * combination of flags) and fills a struct tcp_seg in host byte order.  It
 * decides nothing about connections: that is tcp/tcp_input.c.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Source Port          |       Destination Port        |
 *   |                        Sequence Number                        |
 *   |                    Acknowledgment Number                      |
 *   |  Data |       |C|E|U|A|P|R|S|F|                               |
 *   | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *   |           Checksum            |         Urgent Pointer        |
 *   |                           [Options]                           |
 */
#ifndef TUNTCP_TCP_WIRE_H
#define TUNTCP_TCP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define TCP_OFF_SPORT    0
#define TCP_OFF_DPORT    2
#define TCP_OFF_SEQ      4
#define TCP_OFF_ACK      8
#define TCP_OFF_DOFF     12	/* data offset in the high 4 bits */
#define TCP_OFF_FLAGS    13
#define TCP_OFF_WINDOW   14
#define TCP_OFF_CHECKSUM 16
#define TCP_OFF_URP      18
#define TCP_HDR_MIN      20
#define TCP_HDR_MAX      60

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

/* Option kinds (RFC 9293 3.2, RFC 7323, RFC 2018) */
#define TCPOPT_EOL       0
#define TCPOPT_NOP       1
#define TCPOPT_MSS       2
#define TCPOPT_WSCALE    3
#define TCPOPT_SACK_OK   4
#define TCPOPT_SACK      5
#define TCPOPT_TIMESTAMP 8

/* A validated segment, in host byte order. */
#define TCP_MAX_SACK_BLOCKS 4	/* as many as 40 bytes of options hold */

struct tcp_seg {
	uint32_t src, dst;	/* from the IPv4 header */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t hdr_len;	/* data offset * 4, in bytes */
	uint8_t flags;		/* TCP_SYN | TCP_ACK | ... */
	uint16_t wnd;		/* as on the wire, before any scaling */
	uint16_t checksum;
	uint16_t urp;
	/* Options we understand; the others are skipped by their length. */
	uint16_t mss;		/* 0: absent */
	int8_t wscale;		/* -1: absent */
	uint8_t sack_ok;
	uint8_t has_ts;
	uint32_t ts_val, ts_ecr;
	uint8_t bad_options;	/* malformed options were skipped (tcp_wire.c) */
	uint8_t nsack;		/* SACK blocks (RFC 2018 3) */
	uint32_t sack[TCP_MAX_SACK_BLOCKS][2];	/* [left edge, right edge) of each */
	const uint8_t *data;	/* the payload, inside the packet */
	uint32_t len;		/* payload bytes */
	uint32_t seg_len;	/* SEG.LEN: payload + 1 for SYN + 1 for FIN */
};

/* Check a segment of `len` bytes that arrived from `src` to `dst` (host
 * order) and fill `seg`.  Returns DROP_NONE or the reason to drop it. */
enum drop_reason tcp_parse(const uint8_t *buf, size_t len, uint32_t src,
			   uint32_t dst, struct tcp_seg *seg);

/* The options a segment we build carries. */
struct tcp_opts {
	uint16_t mss;		/* 0: none */
	int8_t wscale;		/* -1: none */
	uint8_t sack_ok;	/* SACK-permitted (on a SYN) */
	uint8_t nsack;		/* SACK blocks (RFC 2018), each [left, right) */
	uint32_t sack[TCP_MAX_SACK_BLOCKS][2];
};

/* How many option bytes tcp_build() writes for `opts` (0 for NULL). */
size_t tcp_opts_len(const struct tcp_opts *opts);

/* Build a segment into `buf` (which must hold TCP_HDR_MAX + len bytes)
 * with its checksum.  Returns the segment's length. */
size_t tcp_build(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport,
		 uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		 uint16_t wnd, const struct tcp_opts *opts, const uint8_t *data,
		 size_t len);

/* "[S.]"-style flag letters, as tcpdump prints them, into buf[8]. */
char *tcp_flags_str(uint8_t flags, char *buf);

#endif
