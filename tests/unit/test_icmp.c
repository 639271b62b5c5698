/*
 * test_icmp.c - answering pings (stack/ip/icmp.c) and icmp_parse().
 *
 * Read this first: RFC 792, "Echo or Echo Reply Message" (the reply swaps
 * the addresses, sets type 0 and keeps identifier, sequence number and
 * data), RFC 1122 section 3.2.2.6 (a host must answer), RFC 1071 for the
 * checksum.  Requests go in through net_input() on one end of a device
 * pair; the reply is read, byte by byte, from the other end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "checksum.h"
#include "dev_pair.h"
#include "icmp.h"
#include "icmp_wire.h"
#include "ipv4_wire.h"
#include "net.h"
#include "tcp.h"

#define PEER_ADDR 0x0a000001	/* 10.0.0.1: the host that pings us */
#define OUR_ADDR  0x0a000002	/* 10.0.0.2: the stack under test */

/* The ICMP part of a ping as iputils ping(8) sends it: id 0x4d2f, seq 1,
 * 56 bytes of data (a struct timeval, then the bytes 0x10..0x37).  The
 * checksum was computed apart from this code. */
static const uint8_t golden_request[64] = {
	0x08, 0x00, 0xcb, 0xc5, 0x4d, 0x2f, 0x00, 0x01,
	0xb1, 0xa3, 0x45, 0x67, 0x00, 0x00, 0x00, 0x00,
	0x1f, 0x2c, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
	0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
	0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
};

/* The whole reply the stack must send to it, the first datagram of a
 * fresh stack (IPv4 id 1).  IPv4 checksum by hand: 4500+0054+0001+4000+
 * 4001+0a00+0002+0a00+0001 = d959 -> 26a6.  ICMP: type 8 -> 0 moves the
 * checksum up by 0800: cbc5 + 0800 = d3c5. */
static const uint8_t golden_reply_start[28] = {
	0x45, 0x00, 0x00, 0x54, 0x00, 0x01, 0x40, 0x00, 0x40, 0x01,
	0x26, 0xa6, 0x0a, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x01,
	0x00, 0x00, 0xd3, 0xc5, 0x4d, 0x2f, 0x00, 0x01,
};

struct fixture {
	struct device *dev;	/* the stack's end */
	struct device *peer;	/* ours: what the stack sends arrives here */
	struct net net;
	uint64_t now;		/* virtual time, ms */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	f->dev = pair_new(&f->peer);
	if (!f->dev) {
		free(f);
		return -1;
	}
	net_init(&f->net, f->dev, OUR_ADDR);
	icmp_layer_init(&f->net);
	tcp_layer_init(&f->net);
	f->now = 1000;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	net_free(&f->net);
	device_destroy(f->dev);
	device_destroy(f->peer);
	free(f);
	return 0;
}

/* Wrap an ICMP message in an IPv4 header 10.0.0.1 -> 10.0.0.2 (built by
 * hand, not by ipv4_build()); returns the packet's length. */
static size_t wrap_ipv4(uint8_t *pkt, const uint8_t *icmp, size_t icmp_len)
{
	size_t total = IPV4_HDR_MIN + icmp_len;

	pkt[0] = 0x45;			/* version 4, IHL 5 */
	pkt[1] = 0;			/* TOS */
	put16(pkt + 2, (uint16_t)total);
	put16(pkt + 4, 0xa6f3);		/* identification */
	put16(pkt + 6, 0x4000);		/* DF, offset 0 */
	pkt[8] = 64;			/* TTL */
	pkt[9] = 1;			/* ICMP */
	put16(pkt + 10, 0);
	put32(pkt + 12, PEER_ADDR);
	put32(pkt + 16, OUR_ADDR);
	put16(pkt + 10, inet_checksum(pkt, IPV4_HDR_MIN));
	memcpy(pkt + IPV4_HDR_MIN, icmp, icmp_len);
	return total;
}

/* An echo request with `data_len` bytes of data; returns its length. */
static size_t echo_request(uint8_t *msg, uint16_t id, uint16_t seq,
			   size_t data_len)
{
	size_t i;

	msg[0] = ICMP_ECHO_REQUEST;
	msg[1] = 0;
	put16(msg + 2, 0);
	put16(msg + 4, id);
	put16(msg + 6, seq);
	for (i = 0; i < data_len; i++)
		msg[ICMP_HDR_LEN + i] = (uint8_t)(0xA5 ^ (i * 31));
	put16(msg + 2, inet_checksum(msg, ICMP_HDR_LEN + data_len));
	return ICMP_HDR_LEN + data_len;
}

/* Send `request` (an ICMP message) to the stack and check every byte of
 * the one reply it must send; returns the reply's length. */
static size_t ping(struct fixture *f, const uint8_t *request, size_t len,
		   uint8_t *reply)
{
	uint8_t pkt[DEVICE_MTU + 1];
	size_t pkt_len = wrap_ipv4(pkt, request, len);
	const uint8_t *icmp = reply + IPV4_HDR_MIN;
	uint64_t replied = f->net.stats.icmp_echo_replied;
	struct ipv4_hdr ip;
	long n;

	f->now += 1000;
	net_input(&f->net, pkt, pkt_len, f->now);
	assert_int_equal(pair_pending(f->peer), 1);
	n = device_recv(f->peer, reply, DEVICE_MTU);
	assert_int_equal(n, pkt_len);

	/* IPv4 (RFC 792: "the source and destination addresses are simply
	 * reversed"), a header of our own: TTL 64, not a fragment. */
	assert_int_equal(reply[IPV4_OFF_VER_IHL], 0x45);
	assert_int_equal(get16(reply + IPV4_OFF_TOTAL_LEN), pkt_len);
	assert_int_equal(get16(reply + IPV4_OFF_FRAG) &
			 (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK), 0);
	assert_int_equal(reply[IPV4_OFF_TTL], 64);
	assert_int_equal(reply[IPV4_OFF_PROTO], IP_PROTO_ICMP);
	assert_int_equal(get32(reply + IPV4_OFF_SRC), OUR_ADDR);
	assert_int_equal(get32(reply + IPV4_OFF_DST), PEER_ADDR);
	assert_int_equal(inet_checksum(reply, IPV4_HDR_MIN), 0);
	/* ... which our own parser accepts. */
	assert_int_equal(ipv4_parse(reply, (size_t)n, &ip), DROP_NONE);

	/* ICMP: type 0 code 0, the same id, seq and data, and a checksum
	 * over the whole message that verifies. */
	assert_int_equal(icmp[ICMP_OFF_TYPE], ICMP_ECHO_REPLY);
	assert_int_equal(icmp[ICMP_OFF_CODE], 0);
	assert_int_equal(get16(icmp + ICMP_OFF_ID),
			 get16(request + ICMP_OFF_ID));
	assert_int_equal(get16(icmp + ICMP_OFF_SEQ),
			 get16(request + ICMP_OFF_SEQ));
	assert_memory_equal(icmp + ICMP_HDR_LEN, request + ICMP_HDR_LEN,
			    len - ICMP_HDR_LEN);
	assert_int_equal(inet_checksum(icmp, len), 0);

	assert_int_equal(f->net.stats.icmp_echo_replied, replied + 1);
	assert_int_equal(pair_pending(f->peer), 0);
	return (size_t)n;
}

static void ping_with_data(void **state, uint16_t id, uint16_t seq,
			   size_t data_len)
{
	struct fixture *f = *state;
	uint8_t request[DEVICE_MTU];
	uint8_t reply[DEVICE_MTU];
	size_t len = echo_request(request, id, seq, data_len);
	uint64_t drops = 0;
	int i;

	assert_int_equal(ping(f, request, len, reply),
			 IPV4_HDR_MIN + ICMP_HDR_LEN + data_len);
	for (i = 0; i < DROP_COUNT; i++)
		drops += f->net.stats.drops[i];
	assert_int_equal(drops, 0);
	assert_int_equal(f->net.stats.rx_packets, 1);
	assert_int_equal(f->net.stats.tx_packets, 1);
}

static void test_echo_no_data(void **state)
{
	ping_with_data(state, 0x0001, 1, 0);
}

/* An odd length: the last byte is padded for the checksum (RFC 1071 1). */
static void test_echo_one_byte(void **state)
{
	ping_with_data(state, 0xbeef, 0xffff, 1);
}

/* ping(8)'s default: 56 bytes of data, 64 of ICMP, 84 of IPv4. */
static void test_echo_56_bytes(void **state)
{
	ping_with_data(state, 0x4d2f, 7, 56);
}

/* The largest that fits a 1500-byte MTU: 1500 - 20 - 8. */
static void test_echo_1472_bytes(void **state)
{
	ping_with_data(state, 0xffff, 0, 1472);
}

/* The golden request gets exactly the golden reply. */
static void test_echo_reply_golden(void **state)
{
	struct fixture *f = *state;
	uint8_t reply[DEVICE_MTU];

	assert_int_equal(ping(f, golden_request, sizeof golden_request, reply),
			 84);
	assert_memory_equal(reply, golden_reply_start,
			    sizeof golden_reply_start);
	assert_memory_equal(reply + sizeof golden_reply_start,
			    golden_request + ICMP_HDR_LEN,
			    sizeof golden_request - ICMP_HDR_LEN);
}

/* Several pings in a row: each answered, the IPv4 id counts up. */
static void test_echo_sequence(void **state)
{
	struct fixture *f = *state;
	uint8_t request[DEVICE_MTU];
	uint8_t reply[DEVICE_MTU];
	uint16_t seq;

	for (seq = 1; seq <= 5; seq++) {
		size_t len = echo_request(request, 0x1234, seq, 56);

		ping(f, request, len, reply);
		assert_int_equal(get16(reply + IPV4_OFF_ID), seq);
	}
	assert_int_equal(f->net.stats.icmp_echo_replied, 5);
}

/*
 * A request with id 0, seq 0 and no data gets a reply whose bytes are all
 * zero but the checksum, which must then be 0xFFFF: RFC 1624's incremental
 * update would give 0x0000 here (a bug this test found).
 */
static void test_echo_reply_all_zero_message(void **state)
{
	ping_with_data(state, 0, 0, 0);
}

static void test_parse_golden(void **state)
{
	struct icmp_hdr h;
	(void)state;

	assert_int_equal(icmp_parse(golden_request, sizeof golden_request, &h),
			 DROP_NONE);
	assert_int_equal(h.type, ICMP_ECHO_REQUEST);
	assert_int_equal(h.code, 0);
	assert_int_equal(h.checksum, 0xcbc5);
	assert_int_equal(h.id, 0x4d2f);
	assert_int_equal(h.seq, 1);
	assert_ptr_equal(h.data, golden_request + ICMP_HDR_LEN);
	assert_int_equal(h.data_len, 56);

	/* The reply's ICMP part, as the stack must build it. */
	{
		uint8_t reply[sizeof golden_request];

		memcpy(reply, golden_request, sizeof reply);
		memcpy(reply, golden_reply_start + IPV4_HDR_MIN, ICMP_HDR_LEN);
		assert_int_equal(icmp_parse(reply, sizeof reply, &h),
				 DROP_NONE);
		assert_int_equal(h.type, ICMP_ECHO_REPLY);
		assert_int_equal(h.checksum, 0xd3c5);
	}

	/* Just the 8-byte header, no data: fine. */
	{
		uint8_t hdr[ICMP_HDR_LEN];

		assert_int_equal(echo_request(hdr, 1, 2, 0), ICMP_HDR_LEN);
		assert_int_equal(icmp_parse(hdr, sizeof hdr, &h), DROP_NONE);
		assert_int_equal(h.data_len, 0);
	}
}

static void test_parse_rejects(void **state)
{
	uint8_t msg[sizeof golden_request];
	struct icmp_hdr h;
	size_t len;
	(void)state;

	for (len = 0; len < ICMP_HDR_LEN; len++)
		assert_int_equal(icmp_parse(golden_request, len, &h),
				 DROP_ICMP_TOO_SHORT);
	/* One byte less: the checksum no longer covers what it did. */
	assert_int_equal(icmp_parse(golden_request, sizeof golden_request - 1,
				    &h), DROP_ICMP_BAD_CHECKSUM);
	memcpy(msg, golden_request, sizeof msg);
	msg[sizeof msg - 1] ^= 0x01;		/* one bit of the data */
	assert_int_equal(icmp_parse(msg, sizeof msg, &h),
			 DROP_ICMP_BAD_CHECKSUM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_echo_no_data, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_echo_one_byte, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_echo_56_bytes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_echo_1472_bytes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_echo_reply_golden, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_echo_sequence, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_echo_reply_all_zero_message, setup, teardown),
		cmocka_unit_test(test_parse_golden),
		cmocka_unit_test(test_parse_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
