/*
 * test_ipv4.c - IPv4 input validation (stack/wire/ipv4_wire.c and
 * stack/ip/ipv4.c).
 *
 * Read this first: RFC 791 section 3.1 (the header), RFC 1122 section 3.2.1
 * (what a host must check and silently discard: 3.2.1.1 version, 3.2.1.2
 * checksum, 3.2.1.3 addressing, 3.2.1.7 TTL), RFC 791 section 3.2
 * (a fragment that can belong to no datagram).  A good ping is mutated one field at a time;
 * each variant must be dropped with exactly one named reason, and answered
 * with nothing.  Then golden bytes for ipv4_parse() and ipv4_build(), and
 * the table of protocols a datagram is delivered through (stack/ip/net.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
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

/* An echo request 10.0.0.1 -> 10.0.0.2, laid out as iputils ping(8) sends
 * it: DF set, TTL 64, id 0x4d2f, seq 1, and 56 bytes of data (a struct
 * timeval, then the bytes 0x10..0x37).  Both checksums were computed apart
 * from this code; test_good_packet_is_answered checks them too. */
static const uint8_t good_ping[84] = {
	0x45, 0x00, 0x00, 0x54, 0xa6, 0xf3, 0x40, 0x00,	/* IPv4 */
	0x40, 0x01, 0x7f, 0xb3, 0x0a, 0x00, 0x00, 0x01,
	0x0a, 0x00, 0x00, 0x02,
				0x08, 0x00, 0xcb, 0xc5,	/* ICMP */
	0x4d, 0x2f, 0x00, 0x01,
				0xb1, 0xa3, 0x45, 0x67,	/* data */
	0x00, 0x00, 0x00, 0x00, 0x1f, 0x2c, 0x0a, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x10, 0x11, 0x12, 0x13,
	0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
	0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23,
	0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b,
	0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33,
	0x34, 0x35, 0x36, 0x37,
};

/* The stack on one end of a pair; the test holds the other end. */
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

/* Hand one packet to the stack, 10 ms after the previous one. */
static void receive(struct fixture *f, const uint8_t *pkt, size_t len)
{
	f->now += 10;
	net_input(&f->net, pkt, len, f->now);
}

/* Check that each counter went from `before` to `after` by exactly what
 * `want` says (a struct of increments, zero for "must not move"); name the
 * first that did not, with the case (`what`) it happened in. */
static void expect_counted(const char *what, const struct stats *before,
			   const struct stats *after, const struct stats *want)
{
	int i;

	for (i = 0; i < DROP_COUNT; i++)
		if (after->drops[i] - before->drops[i] != want->drops[i])
			fail_msg("%s: drop counter %s went up by %llu, "
				 "expected %llu",
				 what, drop_name((enum drop_reason)i),
				 (unsigned long long)(after->drops[i] -
						      before->drops[i]),
				 (unsigned long long)want->drops[i]);
#define SAME(field)							\
	if (after->field - before->field != want->field)		\
		fail_msg("%s: %s went up by %llu, expected %llu", what,	\
			 #field,					\
			 (unsigned long long)(after->field - before->field), \
			 (unsigned long long)want->field)
	SAME(rx_packets);
	SAME(tx_packets);
	SAME(icmp_echo_replied);
	SAME(tcp_rst_sent);
	SAME(tcp_challenge_acks);
	SAME(tcp_challenge_acks_limited);
#undef SAME
}

/* What one answered ping adds: one in, one out, one echo reply. */
static const struct stats answered = {
	.rx_packets = 1, .tx_packets = 1, .icmp_echo_replied = 1,
};

/* Recompute the IPv4 header checksum after a field was changed.  Only the
 * 20 fixed bytes: the packets here have no options. */
static void fix_ip_checksum(uint8_t *pkt)
{
	put16(pkt + IPV4_OFF_CHECKSUM, 0);
	put16(pkt + IPV4_OFF_CHECKSUM, inet_checksum(pkt, IPV4_HDR_MIN));
}

static void fix_icmp_checksum(uint8_t *icmp, size_t len)
{
	put16(icmp + ICMP_OFF_CHECKSUM, 0);
	put16(icmp + ICMP_OFF_CHECKSUM, inet_checksum(icmp, len));
}

/*
 * One malformed variant of good_ping: overwrite one field (`size` bytes at
 * `off`, big-endian; size 0 for none), then hand the stack only `len`
 * bytes if `cut` is set.  The IPv4 header checksum is made right again
 * after the change (it is checked before most rules, so a wrong one would
 * hide the rule under test) unless `keep_ip_checksum`.
 */
struct bad_case {
	const char *name;
	enum drop_reason expect;
	size_t off;
	unsigned size;
	uint32_t value;
	int cut;
	size_t len;
	int keep_ip_checksum;
	int fix_icmp_checksum;
	int unreachable;	/* answered by ICMP destination unreachable */
};

#define FIELD8(o, v)  .off = (o), .size = 1, .value = (v)
#define FIELD16(o, v) .off = (o), .size = 2, .value = (v)
#define FIELD32(o, v) .off = (o), .size = 4, .value = (v)
#define CUT(n)        .cut = 1, .len = (n)
#define ICMP(o)       (IPV4_HDR_MIN + (o))

static const struct bad_case bad_cases[] = {
	/* ipv4_parse(): RFC 791 3.1 and RFC 1122 3.2.1.1, 3.2.1.2 */
	{ "empty packet", DROP_IP_TOO_SHORT, CUT(0) },
	{ "19 bytes", DROP_IP_TOO_SHORT, CUT(19) },
	{ "version 6", DROP_IP_NOT_V4, FIELD8(IPV4_OFF_VER_IHL, 0x65) },
	{ "IHL 4", DROP_IP_BAD_IHL, FIELD8(IPV4_OFF_VER_IHL, 0x44) },
	{ "IHL 15 in a 20-byte packet", DROP_IP_TRUNCATED,
	  FIELD8(IPV4_OFF_VER_IHL, 0x4f), CUT(20) },
	{ "total length 19 < IHL*4", DROP_IP_BAD_TOTAL_LEN,
	  FIELD16(IPV4_OFF_TOTAL_LEN, 19) },
	{ "total length 85 > 84 bytes read", DROP_IP_TRUNCATED,
	  FIELD16(IPV4_OFF_TOTAL_LEN, sizeof good_ping + 1) },
	{ "bad header checksum (7fb4, not 7fb3)", DROP_IP_BAD_CHECKSUM,
	  FIELD16(IPV4_OFF_CHECKSUM, 0x7fb4), .keep_ip_checksum = 1 },
	/* ipv4.c: RFC 1122 3.2.1.3 (addresses) */
	{ "destination 10.0.0.3", DROP_IP_NOT_OURS,
	  FIELD32(IPV4_OFF_DST, 0x0a000003) },
	{ "source 127.0.0.1", DROP_IP_BAD_SOURCE,
	  FIELD32(IPV4_OFF_SRC, 0x7f000001) },
	{ "source 224.0.0.1", DROP_IP_BAD_SOURCE,
	  FIELD32(IPV4_OFF_SRC, 0xe0000001) },
	{ "source 255.255.255.255", DROP_IP_BAD_SOURCE,
	  FIELD32(IPV4_OFF_SRC, 0xffffffff) },
	{ "source 0.0.0.0", DROP_IP_BAD_SOURCE, FIELD32(IPV4_OFF_SRC, 0) },
	{ "source is our own address", DROP_IP_BAD_SOURCE,
	  FIELD32(IPV4_OFF_SRC, OUR_ADDR) },
	/* RFC 1122 3.2.1.7 (TTL), RFC 791 3.1 and 3.2 (fragments; the rest
	 * of reassembly is in test_ipv4_frag.c) */
	{ "TTL 0", DROP_IP_TTL_ZERO, FIELD8(IPV4_OFF_TTL, 0) },
	{ "fragment offset 65512 + 64 bytes: past 65535", DROP_IP_FRAG_TOO_BIG,
	  FIELD16(IPV4_OFF_FRAG, 65512 / 8) },
	{ "protocol 99", DROP_IP_UNKNOWN_PROTO, FIELD8(IPV4_OFF_PROTO, 99),
	  .unreachable = 1 },	/* RFC 1122 3.2.2.1: protocol unreachable */
	/* icmp.c: RFC 792 */
	{ "ICMP message of 4 bytes", DROP_ICMP_TOO_SHORT,
	  FIELD16(IPV4_OFF_TOTAL_LEN, IPV4_HDR_MIN + 4),
	  CUT(IPV4_HDR_MIN + 4) },
	{ "ICMP bad checksum (cbc6, not cbc5)", DROP_ICMP_BAD_CHECKSUM,
	  FIELD16(ICMP(ICMP_OFF_CHECKSUM), 0xcbc6) },
	{ "ICMP type 13 (timestamp)", DROP_ICMP_UNHANDLED_TYPE,
	  FIELD8(ICMP(ICMP_OFF_TYPE), 13), .fix_icmp_checksum = 1 },
	/* RFC 792: an echo request has code 0. */
	{ "ICMP echo request, code 1", DROP_ICMP_UNHANDLED_TYPE,
	  FIELD8(ICMP(ICMP_OFF_CODE), 1), .fix_icmp_checksum = 1 },
	/* An echo reply must never be answered (two hosts would ping-pong). */
	{ "ICMP echo reply", DROP_ICMP_UNHANDLED_TYPE,
	  FIELD8(ICMP(ICMP_OFF_TYPE), ICMP_ECHO_REPLY),
	  .fix_icmp_checksum = 1 },
};

static void mutate(const struct bad_case *c, uint8_t *pkt, size_t *len)
{
	switch (c->size) {
	case 1:
		pkt[c->off] = (uint8_t)c->value;
		break;
	case 2:
		put16(pkt + c->off, (uint16_t)c->value);
		break;
	case 4:
		put32(pkt + c->off, c->value);
		break;
	}
	if (c->fix_icmp_checksum)
		fix_icmp_checksum(pkt + IPV4_HDR_MIN,
				  sizeof good_ping - IPV4_HDR_MIN);
	if (!c->keep_ip_checksum)
		fix_ip_checksum(pkt);
	*len = c->cut ? c->len : sizeof good_ping;
}

/* Each variant: exactly its own drop counter goes up by one, rx_packets
 * counts it, nothing else moves, and nothing is sent - but an ICMP
 * protocol unreachable where a case says so. */
static void test_each_malformed_packet_is_dropped(void **state)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *c = &bad_cases[i];
		uint8_t pkt[sizeof good_ping];
		struct stats before = f->net.stats;
		struct stats want = { .rx_packets = 1 };
		size_t len;

		memcpy(pkt, good_ping, sizeof pkt);
		mutate(c, pkt, &len);
		receive(f, pkt, len);

		want.drops[c->expect] = 1;
		if (c->unreachable) {
			uint8_t out[DEVICE_MTU];

			want.tx_packets = 1;
			if (pair_pending(f->peer) != 1 ||
			    device_recv(f->peer, out, sizeof out) <= IPV4_HDR_MIN ||
			    out[IPV4_OFF_PROTO] != IP_PROTO_ICMP ||
			    out[IPV4_HDR_MIN] != ICMP_DEST_UNREACH)
				fail_msg("%s: no ICMP destination unreachable", c->name);
		}
		expect_counted(c->name, &before, &f->net.stats, &want);
		if (pair_pending(f->peer) != 0)
			fail_msg("%s: the stack sent %zu packet(s)", c->name,
				 pair_pending(f->peer));
	}
}

/* The base of every case above is itself good: answered, nothing dropped. */
static void test_good_packet_is_answered(void **state)
{
	struct fixture *f = *state;
	struct stats before = f->net.stats;
	uint8_t reply[DEVICE_MTU];

	assert_int_equal(inet_checksum(good_ping, IPV4_HDR_MIN), 0);
	assert_int_equal(inet_checksum(good_ping + IPV4_HDR_MIN,
				       sizeof good_ping - IPV4_HDR_MIN), 0);
	receive(f, good_ping, sizeof good_ping);

	expect_counted("good ping", &before, &f->net.stats, &answered);
	assert_int_equal(pair_pending(f->peer), 1);
	assert_int_equal(device_recv(f->peer, reply, sizeof reply),
			 sizeof good_ping);
}

/* A link may pad a packet past its total length (Ethernet pads to 60
 * bytes); the padding is not part of the datagram (RFC 791 3.1, Total
 * Length) and must not be echoed back. */
static void test_link_padding_is_ignored(void **state)
{
	struct fixture *f = *state;
	uint8_t pkt[sizeof good_ping + 13];
	uint8_t reply[DEVICE_MTU];
	struct stats before = f->net.stats;

	memcpy(pkt, good_ping, sizeof good_ping);
	memset(pkt + sizeof good_ping, 0xEE, 13);
	receive(f, pkt, sizeof pkt);

	expect_counted("padded ping", &before, &f->net.stats, &answered);
	assert_int_equal(device_recv(f->peer, reply, sizeof reply),
			 sizeof good_ping);
	assert_int_equal(get16(reply + IPV4_OFF_TOTAL_LEN), sizeof good_ping);
	assert_memory_equal(reply + IPV4_HDR_MIN + ICMP_HDR_LEN,
			    good_ping + IPV4_HDR_MIN + ICMP_HDR_LEN,
			    sizeof good_ping - IPV4_HDR_MIN - ICMP_HDR_LEN);
}

/* IHL 6: a header with 4 bytes of options (Router Alert, RFC 2113) is
 * accepted, and the ICMP message is found after the options. */
static void test_header_with_options(void **state)
{
	struct fixture *f = *state;
	uint8_t pkt[sizeof good_ping + 4];
	uint8_t reply[DEVICE_MTU];
	static const uint8_t router_alert[4] = { 0x94, 0x04, 0x00, 0x00 };

	memcpy(pkt, good_ping, IPV4_HDR_MIN);
	memcpy(pkt + IPV4_HDR_MIN, router_alert, 4);
	memcpy(pkt + IPV4_HDR_MIN + 4, good_ping + IPV4_HDR_MIN,
	       sizeof good_ping - IPV4_HDR_MIN);
	pkt[IPV4_OFF_VER_IHL] = 0x46;
	put16(pkt + IPV4_OFF_TOTAL_LEN, sizeof pkt);
	put16(pkt + IPV4_OFF_CHECKSUM, 0);
	put16(pkt + IPV4_OFF_CHECKSUM, inet_checksum(pkt, 24));
	receive(f, pkt, sizeof pkt);

	assert_int_equal(f->net.stats.icmp_echo_replied, 1);
	/* Our reply carries no options. */
	assert_int_equal(device_recv(f->peer, reply, sizeof reply),
			 sizeof good_ping);
	assert_int_equal(reply[IPV4_OFF_VER_IHL], 0x45);
}

/* A real UDP header, 192.168.0.1 -> 192.168.0.199, 115 bytes: the worked
 * example of Wikipedia's "Internet checksum" article. */
static const uint8_t captured_hdr[20] = {
	0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

static void test_parse_golden(void **state)
{
	uint8_t pkt[115 + 5];	/* and 5 bytes of link padding */
	struct ipv4_hdr h;
	(void)state;

	memset(pkt, 0, sizeof pkt);
	memcpy(pkt, captured_hdr, sizeof captured_hdr);
	assert_int_equal(ipv4_parse(pkt, sizeof pkt, &h), DROP_NONE);
	assert_int_equal(h.hdr_len, 20);
	assert_int_equal(h.tos, 0);
	assert_int_equal(h.total_len, 115);
	assert_int_equal(h.id, 0);
	assert_int_equal(h.frag, IPV4_FLAG_DF);
	assert_int_equal(h.ttl, 64);
	assert_int_equal(h.proto, IP_PROTO_UDP);
	assert_int_equal(h.checksum, 0xb861);
	assert_int_equal(h.src, 0xc0a80001);
	assert_int_equal(h.dst, 0xc0a800c7);
	assert_ptr_equal(h.payload, pkt + 20);
	assert_int_equal(h.payload_len, 95);	/* not the padding */

	/* The parser reads; it never writes (the buffer is what Wireshark
	 * shows). */
	assert_memory_equal(pkt, captured_hdr, sizeof captured_hdr);

	/* One byte short of the total length: truncated. */
	assert_int_equal(ipv4_parse(pkt, 114, &h), DROP_IP_TRUNCATED);
}

/* The golden ping above, parsed: every field. */
static void test_parse_golden_ping(void **state)
{
	struct ipv4_hdr h;
	(void)state;

	assert_int_equal(ipv4_parse(good_ping, sizeof good_ping, &h),
			 DROP_NONE);
	assert_int_equal(h.hdr_len, 20);
	assert_int_equal(h.tos, 0);
	assert_int_equal(h.total_len, 84);
	assert_int_equal(h.id, 0xa6f3);
	assert_int_equal(h.frag, IPV4_FLAG_DF);
	assert_int_equal(h.ttl, 64);
	assert_int_equal(h.proto, IP_PROTO_ICMP);
	assert_int_equal(h.checksum, 0x7fb3);
	assert_int_equal(h.src, PEER_ADDR);
	assert_int_equal(h.dst, OUR_ADDR);
	assert_ptr_equal(h.payload, good_ping + 20);
	assert_int_equal(h.payload_len, 64);
}

/* Fields built back into identical bytes; nothing written past 20. */
static void test_build_golden(void **state)
{
	/* Our echo reply's header: 10.0.0.2 -> 10.0.0.1, id 1, 64 bytes of
	 * ICMP.  Checksum summed by hand:
	 * 4500+0054+0001+4000+4001+0a00+0002+0a00+0001 = d959 -> 26a6 */
	static const uint8_t reply_hdr[20] = {
		0x45, 0x00, 0x00, 0x54, 0x00, 0x01, 0x40, 0x00, 0x40, 0x01,
		0x26, 0xa6, 0x0a, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x01,
	};
	uint8_t buf[24];
	struct ipv4_hdr h;
	(void)state;

	memset(buf, 0xAA, sizeof buf);
	ipv4_build(buf, 0xc0a80001, 0xc0a800c7, IP_PROTO_UDP, 0, 64, 95);
	assert_memory_equal(buf, captured_hdr, 20);
	assert_int_equal(buf[20], 0xAA);

	memset(buf, 0xAA, sizeof buf);
	ipv4_build(buf, OUR_ADDR, PEER_ADDR, IP_PROTO_ICMP, 1, 64, 64);
	assert_memory_equal(buf, reply_hdr, 20);
	assert_int_equal(buf[20], 0xAA);

	/* And what is built parses back to the same fields. */
	assert_int_equal(ipv4_parse(buf, 20, &h), DROP_IP_TRUNCATED);
	put16(buf + IPV4_OFF_TOTAL_LEN, 20);
	fix_ip_checksum(buf);
	assert_int_equal(ipv4_parse(buf, 20, &h), DROP_NONE);
	assert_int_equal(h.src, OUR_ADDR);
	assert_int_equal(h.dst, PEER_ADDR);
	assert_int_equal(h.id, 1);
	assert_int_equal(h.proto, IP_PROTO_ICMP);
}

static void test_aton_ntoa(void **state)
{
	char buf[16];
	uint32_t a = 0;
	(void)state;

	assert_int_equal(ipv4_aton("10.0.0.1", &a), 0);
	assert_int_equal(a, 0x0a000001);
	assert_int_equal(ipv4_aton("255.255.255.255", &a), 0);
	assert_int_equal(a, 0xffffffff);
	assert_string_equal(ipv4_ntoa(0xc0a800c7, buf), "192.168.0.199");
	assert_string_equal(ipv4_ntoa(0xffffffff, buf), "255.255.255.255");
	assert_int_equal(ipv4_aton("256.0.0.1", &a), -1);
	assert_int_equal(ipv4_aton("10.0.0", &a), -1);
	assert_int_equal(ipv4_aton("10.0.0.1x", &a), -1);
	assert_int_equal(ipv4_aton("10.0.0.1 ", &a), -1);
	assert_int_equal(ipv4_aton("", &a), -1);
}

/*
 * ipv4_aton() refuses what sscanf("%u") would let through: a sign, blanks,
 * and numbers too big for an unsigned int ("4294967297.0.0.1").
 */
static void test_aton_strict(void **state)
{
	uint32_t a = 0;
	(void)state;

	assert_int_equal(ipv4_aton("4294967297.0.0.1", &a), -1);
	assert_int_equal(ipv4_aton("+10.0.0.1", &a), -1);
	assert_int_equal(ipv4_aton(" 10.0.0.1", &a), -1);
	assert_int_equal(ipv4_aton("10. 0.0.1", &a), -1);
	assert_int_equal(ipv4_aton("1000.0.0.1", &a), -1);
}

/*
 * The protocol table (ip/net.h): IPv4 hands a datagram to whoever
 * registered its Protocol number, and net.c runs every registered
 * protocol's timers.  A stand-in for UDP (protocol 17) shows both, with
 * nothing in stack/ip/ knowing it exists.
 */
static int fake_inputs;
static size_t fake_payload_len;
static uint64_t fake_ticked_at;

static void fake_input(struct net *net, const struct ipv4_hdr *ip)
{
	(void)net;
	fake_inputs++;
	fake_payload_len = ip->payload_len;
}

static void fake_tick(struct net *net, uint64_t now)
{
	(void)net;
	fake_ticked_at = now;
}

static uint64_t fake_next_deadline(const struct net *net)
{
	(void)net;
	return 5000;
}

static const struct net_proto fake_udp = {
	.name = "fake UDP",
	.number = IP_PROTO_UDP,
	.input = fake_input,
	.tick = fake_tick,
	.next_deadline = fake_next_deadline,
};

static const struct net_proto spare[] = {
	{ .name = "spare 99", .number = 99, .input = fake_input },
	{ .name = "spare 100", .number = 100, .input = fake_input },
};

static void test_protocol_table(void **state)
{
	struct fixture *f = *state;
	uint8_t pkt[sizeof good_ping];
	struct stats before;

	memcpy(pkt, good_ping, sizeof pkt);
	pkt[IPV4_OFF_PROTO] = IP_PROTO_UDP;
	fix_ip_checksum(pkt);

	/* Unregistered, protocol 17 is dropped as unknown. */
	before = f->net.stats;
	receive(f, pkt, sizeof pkt);
	assert_int_equal(f->net.stats.drops[DROP_IP_UNKNOWN_PROTO] -
			 before.drops[DROP_IP_UNKNOWN_PROTO], 1);
	assert_int_equal(fake_inputs, 0);

	/* Registered, it gets the datagram, and only once per number. */
	assert_int_equal(net_add_proto(&f->net, &fake_udp), 0);
	assert_int_equal(net_add_proto(&f->net, &fake_udp), -EEXIST);
	assert_ptr_equal(net_find_proto(&f->net, IP_PROTO_UDP), &fake_udp);
	before = f->net.stats;
	receive(f, pkt, sizeof pkt);
	assert_int_equal(fake_inputs, 1);
	assert_int_equal(fake_payload_len, sizeof pkt - IPV4_HDR_MIN);
	assert_int_equal(f->net.stats.drops[DROP_IP_UNKNOWN_PROTO],
			 before.drops[DROP_IP_UNKNOWN_PROTO]);

	/* Its timers run with the others' (TCP has none armed here). */
	assert_int_equal(net_next_deadline(&f->net), 5000);
	net_tick(&f->net, 5000);
	assert_int_equal(fake_ticked_at, 5000);

	/* ICMP, TCP and UDP leave room for one more. */
	assert_int_equal(net_add_proto(&f->net, &spare[0]), 0);
	assert_int_equal(net_add_proto(&f->net, &spare[1]), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_each_malformed_packet_is_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_good_packet_is_answered,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_padding_is_ignored,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_with_options,
						setup, teardown),
		cmocka_unit_test(test_parse_golden),
		cmocka_unit_test(test_parse_golden_ping),
		cmocka_unit_test(test_build_golden),
		cmocka_unit_test(test_aton_ntoa),
		cmocka_unit_test(test_aton_strict),
		cmocka_unit_test_setup_teardown(test_protocol_table, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
