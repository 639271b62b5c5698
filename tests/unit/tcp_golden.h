/*
 * tcp_golden.h - TCP segments captured from Linux, for golden-bytes tests
 * (test_tcp_wire.c parses and builds them, test_tcp_input.c answers them).
 *
 * How they were captured: in a network namespace (unshare -rn), with
 * 10.0.0.1 and 10.0.0.2 on the loopback device and its MTU set to 1500, a
 * non-blocking connect() from 10.0.0.1:40000 to 10.0.0.2:7788, where
 * nothing listened, read with an AF_PACKET socket.
 */
#ifndef TUNTCP_TCP_GOLDEN_H
#define TUNTCP_TCP_GOLDEN_H

#include <stdint.h>

/* A SYN from Linux 6.18 (connect() from 10.0.0.1:40000 to 10.0.0.2:7788
 * over a 1500-byte MTU), TCP header only:
 *   seq 0xa55c9ec0, win 64240, options: MSS 1460, SACK_PERM, TS val
 *   0x3ea311e0 ecr 0, NOP, WS 10.
 * It was captured on loopback, where Linux leaves the checksum to offload
 * (only the pseudo-header sum is in the field); 0xe9bc is the checksum a
 * NIC would have filled in, computed apart from this code (Python). */
#define LINUX_SYN_SEQ 0xa55c9ec0u
static const uint8_t __attribute__((unused)) linux_syn[40] = {
	0x9c, 0x40, 0x1e, 0x6c, 0xa5, 0x5c, 0x9e, 0xc0,	/* ports, seq */
	0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,	/* ack, doff, SYN, win */
	0xe9, 0xbc, 0x00, 0x00,				/* checksum, urp */
	0x02, 0x04, 0x05, 0xb4,				/* MSS 1460 */
	0x04, 0x02,					/* SACK_PERM */
	0x08, 0x0a, 0x3e, 0xa3, 0x11, 0xe0,		/* TS val ... */
	0x00, 0x00, 0x00, 0x00,				/* ... ecr 0 */
	0x01,						/* NOP */
	0x03, 0x03, 0x0a,				/* WS 10 */
};

/* Linux's answer to that SYN when nothing listens on 7788, captured with
 * its checksum (a reset is checksummed in full by the kernel):
 * 10.0.0.2:7788 > 10.0.0.1:40000 [R.] seq 0 ack 0xa55c9ec1 win 0. */
static const uint8_t __attribute__((unused)) linux_rst[20] = {
	0x1e, 0x6c, 0x9c, 0x40, 0x00, 0x00, 0x00, 0x00,
	0xa5, 0x5c, 0x9e, 0xc1, 0x50, 0x14, 0x00, 0x00,
	0x9d, 0x03, 0x00, 0x00,
};

#endif
