/*
 * test_ipv4_frag.c - IPv4 fragments (stack/ip/ipv4_frag.c): reassembly on
 * the way in, fragmentation on the way out.
 *
 * Read this first: RFC 791 section 3.2 (fragmentation and reassembly),
 * RFC 815 (the holes), RFC 1122 section 3.3.2 (the timeout, the ICMP
 * error on it).  The stack under test is 10.0.0.2 on one end of a device
 * pair, with ICMP and a stand-in for UDP (protocol 17) that records every
 * datagram IPv4 hands it.  The test plays 10.0.0.1: it cuts a payload into
 * fragments by hand (frag(), cut()) and sends them in the order a case
 * needs; time is virtual (f->now).  The last tests turn it round: the
 * stack cuts, the test parses each fragment, and a second stack glues
 * them back together.
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
#include "ipv4_frag.h"
#include "ipv4_wire.h"
#include "net.h"

#define PEER_ADDR  0x0a000001	/* 10.0.0.1: the test */
#define OUR_ADDR   0x0a000002	/* 10.0.0.2: the stack under test */
#define OTHER_ADDR 0x0a000003	/* 10.0.0.3: a second source */

/* What the stand-in for UDP received: the latest datagram, in a copy. */
static struct {
	int count;
	struct ipv4_hdr ip;	/* ip.payload points into `data` */
	uint8_t data[IPV4_MAX_TOTAL];
} got;

static void fake_udp_input(struct net *net, const struct ipv4_hdr *ip)
{
	(void)net;
	got.count++;
	got.ip = *ip;
	memcpy(got.data, ip->payload, ip->payload_len);
	got.ip.payload = got.data;
}

static const struct net_proto fake_udp = {
	.name = "fake UDP",
	.number = IP_PROTO_UDP,
	.input = fake_udp_input,
};

struct fixture {
	struct device *dev;	/* the stack's end */
	struct device *peer;	/* ours */
	struct net net;
	uint64_t now;		/* virtual time, ms */
	struct stats before;	/* the counters at mark() */
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
	if (net_add_proto(&f->net, &fake_udp) < 0)
		return -1;
	f->now = 1000;
	memset(&got, 0, sizeof got);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	/* What is still being reassembled is freed here: ASan's leak
	 * checker sees to it. */
	net_free(&f->net);
	device_destroy(f->dev);
	device_destroy(f->peer);
	free(f);
	return 0;
}

/* A payload whose every byte says where it is (and which datagram). */
static void fill(uint8_t *buf, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + i / 251 + seed * 13);
}

/* One fragment, built by hand (not by ipv4_build_fragment()): `len`
 * bytes of `payload` from `offset`, of datagram `id` of `proto` from
 * `src`, MF if `more`; with 4 bytes of options if `options`.  Returns the
 * packet's length. */
static size_t build_frag(uint8_t *pkt, uint32_t src, uint8_t proto,
			 uint16_t id, const uint8_t *payload, size_t offset,
			 size_t len, int more, int options)
{
	size_t hdr_len = options ? 24 : 20;

	pkt[0] = (uint8_t)(0x40 | hdr_len / 4);
	pkt[1] = 0;
	put16(pkt + 2, (uint16_t)(hdr_len + len));
	put16(pkt + 4, id);
	put16(pkt + 6, (uint16_t)((more ? IPV4_FLAG_MF : 0) | offset / 8));
	pkt[8] = 64;
	pkt[9] = proto;
	put16(pkt + 10, 0);
	put32(pkt + 12, src);
	put32(pkt + 16, OUR_ADDR);
	if (options)
		put32(pkt + 20, 0x94040000);	/* Router Alert (RFC 2113) */
	put16(pkt + 10, inet_checksum(pkt, hdr_len));
	memcpy(pkt + hdr_len, payload + offset, len);
	return hdr_len + len;
}

/* Send one fragment of a UDP datagram from 10.0.0.1. */
static void frag(struct fixture *f, uint16_t id, const uint8_t *payload,
		 size_t offset, size_t len, int more)
{
	static uint8_t pkt[IPV4_MAX_TOTAL];
	size_t n = build_frag(pkt, PEER_ADDR, IP_PROTO_UDP, id, payload,
			      offset, len, more, 0);

	net_input(&f->net, pkt, n, f->now);
}

/* The pieces of a payload of `len` bytes cut every `step` bytes. */
struct piece {
	size_t offset, len;
	int more;
};

static int cut(size_t len, size_t step, struct piece *p)
{
	size_t off;
	int n = 0;

	for (off = 0; off < len; off += step, n++) {
		p[n].offset = off;
		p[n].len = len - off < step ? len - off : step;
		p[n].more = off + step < len;
	}
	return n;
}

static void send_pieces(struct fixture *f, uint16_t id, const uint8_t *payload,
			const struct piece *p, const int *order, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		const struct piece *q = &p[order ? order[i] : i];

		frag(f, id, payload, q->offset, q->len, q->more);
	}
}

static void mark(struct fixture *f)
{
	f->before = f->net.stats;
}

/* How much a drop counter rose since mark(). */
static uint64_t drops(const struct fixture *f, enum drop_reason why)
{
	return f->net.stats.drops[why] - f->before.drops[why];
}

static uint64_t all_drops(const struct fixture *f)
{
	uint64_t n = 0;
	int i;

	for (i = 1; i < DROP_COUNT; i++)
		n += drops(f, (enum drop_reason)i);
	return n;
}

/* The stand-in received exactly `payload`, as one whole datagram from
 * 10.0.0.1: Flags and Fragment Offset cleared, Total Length the whole. */
static void expect_delivered(const uint8_t *payload, size_t len, uint16_t id)
{
	assert_int_equal(got.count, 1);
	assert_int_equal(got.ip.frag, 0);
	assert_int_equal(got.ip.total_len, got.ip.hdr_len + len);
	assert_int_equal(got.ip.payload_len, len);
	assert_int_equal(got.ip.id, id);
	assert_int_equal(got.ip.src, PEER_ADDR);
	assert_int_equal(got.ip.dst, OUR_ADDR);
	assert_int_equal(got.ip.proto, IP_PROTO_UDP);
	assert_memory_equal(got.data, payload, len);
}

/* Nothing is left in reassembly, and nothing of it is charged. */
static void expect_table_empty(const struct fixture *f)
{
	assert_int_equal(f->net.reass.count, 0);
	assert_int_equal(f->net.reass.mem, 0);
	assert_null(f->net.reass.oldest);
	assert_int_equal(net_next_deadline(&f->net), UINT64_MAX);
}

/* ---- reassembly: every order ---- */

/* 4000 bytes as Linux cuts them for a 1500-byte MTU: 1480, 1480, 1040. */
static void test_in_order(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[4000];
	struct piece p[8];
	int n, i;

	fill(payload, sizeof payload, 1);
	n = cut(sizeof payload, 1480, p);
	assert_int_equal(n, 3);
	mark(f);
	for (i = 0; i < n; i++) {
		assert_int_equal(got.count, 0);	/* nothing before the last */
		frag(f, 0x1234, payload, p[i].offset, p[i].len, p[i].more);
	}
	expect_delivered(payload, sizeof payload, 0x1234);
	assert_int_equal(f->net.stats.ip_frags_held - f->before.ip_frags_held, 3);
	assert_int_equal(f->net.stats.ip_reassembled - f->before.ip_reassembled, 1);
	assert_int_equal(all_drops(f), 0);
	assert_int_equal(pair_pending(f->peer), 0);
	expect_table_empty(f);
}

/* The last fragment first: the total length is known before anything. */
static void test_reverse_order(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[4000];
	struct piece p[8];
	int order[8], n, i;

	fill(payload, sizeof payload, 2);
	n = cut(sizeof payload, 1480, p);
	for (i = 0; i < n; i++)
		order[i] = n - 1 - i;
	mark(f);
	send_pieces(f, 7, payload, p, order, n);
	expect_delivered(payload, sizeof payload, 7);
	assert_int_equal(all_drops(f), 0);
	expect_table_empty(f);
}

/* A small xorshift, so the shuffles are the same on every run. */
static uint32_t next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* 10000 bytes in 25 fragments of 400, in 50 shuffled orders (seeded). */
static void test_random_orders(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[10000];
	struct piece p[32];
	int order[32], n, i, round;
	uint32_t seed = 0x2545F491;

	n = cut(sizeof payload, 400, p);
	assert_int_equal(n, 25);
	for (round = 0; round < 50; round++) {
		fill(payload, sizeof payload, (unsigned)round);
		for (i = 0; i < n; i++)
			order[i] = i;
		for (i = n - 1; i > 0; i--) {	/* Fisher-Yates */
			int j = (int)(next_random(&seed) % (uint32_t)(i + 1));
			int tmp = order[i];

			order[i] = order[j];
			order[j] = tmp;
		}
		memset(&got, 0, sizeof got);
		mark(f);
		send_pieces(f, (uint16_t)(100 + round), payload, p, order, n);
		expect_delivered(payload, sizeof payload, (uint16_t)(100 + round));
		assert_int_equal(all_drops(f), 0);
		expect_table_empty(f);
		f->now += 10;
	}
}

/* Every fragment twice: the copies are dropped as duplicates and the
 * datagram is whole once.  A copy of the last fragment that comes after
 * the datagram went up starts a new one, which then times out. */
static void test_duplicates(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[4000];
	struct piece p[8];

	fill(payload, sizeof payload, 3);
	cut(sizeof payload, 1480, p);
	mark(f);
	send_pieces(f, 9, payload, &p[0], NULL, 1);
	send_pieces(f, 9, payload, &p[0], NULL, 1);
	send_pieces(f, 9, payload, &p[1], NULL, 1);
	send_pieces(f, 9, payload, &p[1], NULL, 1);
	assert_int_equal(got.count, 0);
	assert_int_equal(drops(f, DROP_IP_FRAG_DUPLICATE), 2);
	assert_int_equal(f->net.reass.count, 1);
	send_pieces(f, 9, payload, &p[2], NULL, 1);
	expect_delivered(payload, sizeof payload, 9);
	assert_int_equal(all_drops(f), 2);
	expect_table_empty(f);

	send_pieces(f, 9, payload, &p[2], NULL, 1);	/* late */
	assert_int_equal(got.count, 1);
	assert_int_equal(f->net.reass.count, 1);
	f->now += REASS_TIMEOUT_MS;
	net_tick(&f->net, f->now);
	assert_int_equal(drops(f, DROP_IP_FRAG_TIMEOUT), 1);
	/* Fragment 0 was not among them: no ICMP error is asked for. */
	assert_int_equal(f->net.stats.ip_reass_timeouts, 0);
	expect_table_empty(f);
}

/* ---- overlaps ---- */

/* Fragments cut two ways overlap, with the same bytes: tolerated, and the
 * datagram is right.  A fragment lying inside what arrived brings nothing
 * new and is dropped alone. */
static void test_overlap_same_bytes(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[4000];

	fill(payload, sizeof payload, 4);
	mark(f);
	frag(f, 11, payload, 0, 1480, 1);
	frag(f, 11, payload, 1000, 1480, 1);	/* 1000..2480: 480 overlap */
	frag(f, 11, payload, 200, 400, 1);	/* inside the first */
	assert_int_equal(drops(f, DROP_IP_FRAG_DUPLICATE), 1);
	frag(f, 11, payload, 400, 2000, 1);	/* across both */
	assert_int_equal(drops(f, DROP_IP_FRAG_DUPLICATE), 2);
	frag(f, 11, payload, 2480, 1520, 0);
	expect_delivered(payload, sizeof payload, 11);
	assert_int_equal(drops(f, DROP_IP_FRAG_OVERLAP), 0);
	assert_int_equal(all_drops(f), 2);
	expect_table_empty(f);
}

/* The same range with one byte changed: nobody can say which copy is
 * right, so the whole datagram goes (RFC 5722's reasoning).  What comes
 * after starts a new datagram, which never completes. */
static void test_overlap_different_bytes(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[4000], forged[4000];

	fill(payload, sizeof payload, 5);
	memcpy(forged, payload, sizeof forged);
	forged[1200] ^= 0x01;
	mark(f);
	frag(f, 12, payload, 0, 1480, 1);
	frag(f, 12, forged, 1000, 1480, 1);
	assert_int_equal(drops(f, DROP_IP_FRAG_OVERLAP), 1);
	expect_table_empty(f);
	frag(f, 12, payload, 2480, 1520, 0);
	assert_int_equal(got.count, 0);
	assert_int_equal(f->net.reass.count, 1);
	assert_int_equal(all_drops(f), 1);
}

/* Teardrop (1997): a second fragment inside the first, shorter than the
 * overlap, with other bytes; and the reverse order. */
static void test_teardrop(void **state)
{
	struct fixture *f = *state;
	uint8_t a[48], b[48];

	memset(a, 'A', sizeof a);
	memset(b, 'B', sizeof b);
	mark(f);
	frag(f, 13, a, 0, 48, 1);
	frag(f, 13, b, 24, 8, 1);
	assert_int_equal(drops(f, DROP_IP_FRAG_OVERLAP), 1);
	frag(f, 14, b, 24, 8, 1);
	frag(f, 14, a, 0, 48, 1);
	assert_int_equal(drops(f, DROP_IP_FRAG_OVERLAP), 2);
	assert_int_equal(got.count, 0);
	expect_table_empty(f);
}

/* ---- the timeout ---- */

/* The middle piece never comes: nothing at timeout - 1, the datagram
 * given up at the timeout, and, since fragment 0 had come, an ICMP time
 * exceeded asked of icmp_send_error() (counted). */
static void test_missing_middle_times_out(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[4000];
	struct piece p[8];
	uint64_t t0 = f->now;

	fill(payload, sizeof payload, 6);
	cut(sizeof payload, 1480, p);
	mark(f);
	send_pieces(f, 15, payload, &p[0], NULL, 1);
	f->now += 500;				/* the timer does not move */
	send_pieces(f, 15, payload, &p[2], NULL, 1);
	assert_int_equal(net_next_deadline(&f->net), t0 + REASS_TIMEOUT_MS);

	net_tick(&f->net, t0 + REASS_TIMEOUT_MS - 1);
	assert_int_equal(f->net.reass.count, 1);
	assert_int_equal(all_drops(f), 0);

	net_tick(&f->net, t0 + REASS_TIMEOUT_MS);
	assert_int_equal(drops(f, DROP_IP_FRAG_TIMEOUT), 1);
	assert_int_equal(f->net.stats.ip_reass_timeouts, 1);
	assert_int_equal(got.count, 0);
	expect_table_empty(f);

	/* The middle piece, late: a datagram of its own, which waits. */
	f->now = t0 + REASS_TIMEOUT_MS + 1;
	send_pieces(f, 15, payload, &p[1], NULL, 1);
	assert_int_equal(got.count, 0);
	assert_int_equal(f->net.reass.count, 1);
}

/* Without fragment 0 there is nothing to quote: no ICMP error. */
static void test_timeout_without_first_fragment(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[4000];
	struct piece p[8];

	fill(payload, sizeof payload, 7);
	cut(sizeof payload, 1480, p);
	mark(f);
	send_pieces(f, 16, payload, &p[1], NULL, 2);
	f->now += REASS_TIMEOUT_MS;
	net_tick(&f->net, f->now);
	assert_int_equal(drops(f, DROP_IP_FRAG_TIMEOUT), 1);
	assert_int_equal(f->net.stats.ip_reass_timeouts, 0);
	expect_table_empty(f);
}

/* TUNTCP_FRAG_TIMEOUT lands in net->reass.timeout_ms. */
static void test_timeout_setting(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[16];
	uint64_t t0 = f->now;

	f->net.reass.timeout_ms = 2000;
	mark(f);
	frag(f, 17, payload, 0, 8, 1);
	assert_int_equal(net_next_deadline(&f->net), t0 + 2000);
	net_tick(&f->net, t0 + 1999);
	assert_int_equal(f->net.reass.count, 1);
	net_tick(&f->net, t0 + 2000);
	assert_int_equal(drops(f, DROP_IP_FRAG_TIMEOUT), 1);
	expect_table_empty(f);
}

/* ---- the bounds ---- */

/* The memory cap: when it is passed, the oldest datagram goes first, and
 * the table never holds more than the cap. */
static void test_memory_cap_evicts_oldest(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[4000];
	struct piece p[8];
	uint16_t id;

	fill(payload, sizeof payload, 8);
	cut(sizeof payload, 1480, p);
	/* Room for the first two pieces of three datagrams, not four. */
	f->net.reass.mem_max = 3 * (2 * 1480 + 300);
	mark(f);
	for (id = 1; id <= 3; id++) {
		send_pieces(f, id, payload, p, NULL, 2);
		f->now += 10;
	}
	assert_int_equal(f->net.reass.count, 3);
	assert_int_equal(all_drops(f), 0);

	send_pieces(f, 4, payload, p, NULL, 2);		/* 1 must go */
	assert_int_equal(drops(f, DROP_IP_FRAG_EVICTED), 1);
	assert_int_equal(f->net.reass.count, 3);
	assert_true(f->net.reass.mem <= f->net.reass.mem_max);

	/* Datagram 1 was evicted: its last piece starts a datagram of its
	 * own, which pushes out 2, now the oldest. */
	send_pieces(f, 1, payload, &p[2], NULL, 1);
	assert_int_equal(got.count, 0);
	assert_int_equal(drops(f, DROP_IP_FRAG_EVICTED), 2);
	/* 4, the newest, is untouched and completes. */
	send_pieces(f, 4, payload, &p[2], NULL, 1);
	expect_delivered(payload, sizeof payload, 4);
	assert_true(f->net.reass.mem <= f->net.reass.mem_max);
}

/* At most REASS_MAX_DATAGRAMS at once; the oldest makes room. */
static void test_table_full_evicts_oldest(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[16];
	unsigned id;

	fill(payload, sizeof payload, 9);
	mark(f);
	for (id = 0; id < REASS_MAX_DATAGRAMS; id++)
		frag(f, (uint16_t)id, payload, 0, 8, 1);
	assert_int_equal(f->net.reass.count, REASS_MAX_DATAGRAMS);
	assert_int_equal(all_drops(f), 0);

	frag(f, (uint16_t)id, payload, 0, 8, 1);
	assert_int_equal(f->net.reass.count, REASS_MAX_DATAGRAMS);
	assert_int_equal(drops(f, DROP_IP_FRAG_EVICTED), 1);
	/* id 1 is whole once its end arrives; id 0 went, so its end
	 * starts a datagram of its own. */
	frag(f, 1, payload, 8, 8, 0);
	expect_delivered(payload, sizeof payload, 1);
	frag(f, 0, payload, 8, 8, 0);
	assert_int_equal(got.count, 1);
	assert_int_equal(f->net.reass.count, REASS_MAX_DATAGRAMS);
	assert_int_equal(drops(f, DROP_IP_FRAG_EVICTED), 1);
}

/* RFC 791 3.1: nothing reaches past byte 65535 (the ping of death).  The
 * largest datagram there is still goes through. */
static void test_too_big_offset(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[IPV4_MAX_PAYLOAD + 64];
	struct piece p[64];
	int n;

	fill(payload, sizeof payload, 10);
	mark(f);
	frag(f, 20, payload, 65528, 16, 0);	/* 20 + 65544 */
	frag(f, 20, payload, 65512, 8, 1);	/* 20 + 65520 */
	frag(f, 20, payload, 8189 * 8, 24, 0);
	assert_int_equal(drops(f, DROP_IP_FRAG_TOO_BIG), 3);
	assert_int_equal(f->net.reass.count, 0);

	/* 65515 bytes: the header's 20 and the payload make 65535. */
	n = cut(IPV4_MAX_PAYLOAD, 1480, p);
	assert_int_equal(n, 45);
	send_pieces(f, 21, payload, p, NULL, n);
	expect_delivered(payload, IPV4_MAX_PAYLOAD, 21);
	assert_int_equal(got.ip.total_len, IPV4_MAX_TOTAL);
	assert_int_equal(drops(f, DROP_IP_FRAG_TOO_BIG), 3);
}

/* The same, when fragment 0 carries options and the last does not: each
 * fragment fits, the whole would not. */
static void test_too_big_with_options(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[IPV4_MAX_PAYLOAD], pkt[IPV4_MAX_TOTAL];
	size_t n;

	mark(f);
	n = build_frag(pkt, PEER_ADDR, IP_PROTO_UDP, 22, payload, 0, 1480, 1, 1);
	net_input(&f->net, pkt, n, f->now);
	frag(f, 22, payload, 1480, IPV4_MAX_PAYLOAD - 1480, 0);
	assert_int_equal(drops(f, DROP_IP_FRAG_TOO_BIG), 1);
	assert_int_equal(got.count, 0);
	expect_table_empty(f);
}

/* Fragment 0's header, options and all, becomes the whole datagram's. */
static void test_options_of_first_fragment_kept(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[2000], pkt[IPV4_MAX_TOTAL];
	size_t n;

	fill(payload, sizeof payload, 11);
	frag(f, 23, payload, 1480, 520, 0);
	n = build_frag(pkt, PEER_ADDR, IP_PROTO_UDP, 23, payload, 0, 1480, 1, 1);
	net_input(&f->net, pkt, n, f->now);
	assert_int_equal(got.count, 1);
	assert_int_equal(got.ip.hdr_len, 24);
	assert_int_equal(got.ip.total_len, 24 + sizeof payload);
	assert_memory_equal(got.data, payload, sizeof payload);
}

/* 128 fragments of 8 bytes make a datagram; the 129th of another is one
 * too many and the datagram is given up. */
static void test_too_many_fragments(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[8 * (REASS_MAX_FRAGMENTS + 1)];
	int i;

	fill(payload, sizeof payload, 12);
	mark(f);
	for (i = 0; i < REASS_MAX_FRAGMENTS; i++)
		frag(f, 30, payload, (size_t)i * 8, 8,
		     i < REASS_MAX_FRAGMENTS - 1);
	expect_delivered(payload, 8 * REASS_MAX_FRAGMENTS, 30);

	for (i = 0; i < REASS_MAX_FRAGMENTS; i++)
		frag(f, 31, payload, (size_t)i * 8, 8, 1);
	assert_int_equal(f->net.reass.count, 1);
	assert_int_equal(all_drops(f), 0);
	frag(f, 31, payload, (size_t)i * 8, 8, 0);
	assert_int_equal(drops(f, DROP_IP_FRAG_TOO_MANY), 1);
	assert_int_equal(got.count, 1);
	expect_table_empty(f);
}

/* RFC 791 3.2: all but the last carry a multiple of 8 bytes, and some. */
static void test_bad_size(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[64];

	mark(f);
	frag(f, 40, payload, 0, 7, 1);
	frag(f, 40, payload, 8, 0, 1);
	frag(f, 40, payload, 0, 20, 1);
	assert_int_equal(drops(f, DROP_IP_FRAG_BAD_SIZE), 3);
	expect_table_empty(f);
	/* The last fragment may have any length. */
	frag(f, 41, payload, 8, 13, 0);
	frag(f, 41, payload, 0, 8, 1);
	assert_int_equal(got.count, 1);
	assert_int_equal(got.ip.payload_len, 21);
}

/* The ends must agree: two "last" fragments with different ends, or data
 * past the last fragment's end, give the datagram up. */
static void test_bad_end(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[4000];

	fill(payload, sizeof payload, 13);
	mark(f);
	frag(f, 50, payload, 1480, 100, 0);
	frag(f, 50, payload, 1480, 200, 0);
	assert_int_equal(drops(f, DROP_IP_FRAG_BAD_END), 1);
	expect_table_empty(f);

	frag(f, 51, payload, 1480, 100, 0);
	frag(f, 51, payload, 1480, 1480, 1);	/* past the end */
	assert_int_equal(drops(f, DROP_IP_FRAG_BAD_END), 2);
	expect_table_empty(f);

	frag(f, 52, payload, 1480, 1480, 1);
	frag(f, 52, payload, 1480, 800, 0);	/* ends before data did */
	assert_int_equal(drops(f, DROP_IP_FRAG_BAD_END), 3);
	assert_int_equal(got.count, 0);
	expect_table_empty(f);
}

/* Datagrams are told apart by source, destination, protocol and id
 * (RFC 791 3.2): four at once, interleaved, each whole and right. */
static void test_interleaved_datagrams(void **state)
{
	struct fixture *f = *state;
	static uint8_t a[3000], b[3000], c[3000], d[3000], pkt[DEVICE_MTU];
	struct piece p[4];
	int n, i;
	size_t len;

	fill(a, sizeof a, 20);
	fill(b, sizeof b, 21);
	fill(c, sizeof c, 22);
	fill(d, sizeof d, 23);
	n = cut(3000, 1480, p);
	mark(f);
	for (i = 0; i < n; i++) {
		frag(f, 60, a, p[i].offset, p[i].len, p[i].more);
		frag(f, 61, b, p[i].offset, p[i].len, p[i].more);
		/* c: id 60 again, from another source */
		len = build_frag(pkt, OTHER_ADDR, IP_PROTO_UDP, 60, c,
				 p[i].offset, p[i].len, p[i].more, 0);
		net_input(&f->net, pkt, len, f->now);
		/* d: id 60 again, another protocol (ICMP: dropped once whole,
		 * for d is no ICMP message) */
		len = build_frag(pkt, PEER_ADDR, IP_PROTO_ICMP, 60, d,
				 p[i].offset, p[i].len, p[i].more, 0);
		net_input(&f->net, pkt, len, f->now);
		if (i < n - 1)
			assert_int_equal(f->net.reass.count, 4);
	}
	/* Three UDP datagrams went up; the last was c's, from 10.0.0.3. */
	assert_int_equal(got.count, 3);
	assert_int_equal(got.ip.src, OTHER_ADDR);
	assert_memory_equal(got.data, c, sizeof c);
	assert_int_equal(f->net.stats.ip_reassembled - f->before.ip_reassembled, 4);
	/* d reached ICMP whole: its checksum is wrong, as a whole message. */
	assert_int_equal(drops(f, DROP_ICMP_BAD_CHECKSUM), 1);
	expect_table_empty(f);
}

/* ---- the way out ---- */

/* Read every packet waiting at `end` into `pkts` (each DEVICE_MTU bytes). */
static int read_all(struct device *end, uint8_t (*pkts)[DEVICE_MTU],
		    size_t *lens, int max)
{
	long len;
	int n = 0;

	while (n < max && (len = device_recv(end, pkts[n], DEVICE_MTU)) > 0)
		lens[n++] = (size_t)len;
	return n;
}

static uint8_t out_pkts[64][DEVICE_MTU];
static size_t out_lens[64];

/* Each fragment as RFC 791 3.2 makes them: a valid header, the same id,
 * DF clear, offsets in order, 1480 bytes (a multiple of 8) in all but the
 * last, MF on all but the last; together exactly `payload`. */
static void expect_fragments(int n, uint8_t proto, uint32_t src, uint32_t dst,
			     const uint8_t *payload, size_t len)
{
	struct ipv4_hdr ip;
	size_t offset = 0;
	uint16_t id = 0;
	int i;

	assert_int_equal(n, (int)((len + 1479) / 1480));
	for (i = 0; i < n; i++) {
		int last = i == n - 1;

		assert_int_equal(ipv4_parse(out_pkts[i], out_lens[i], &ip),
				 DROP_NONE);	/* checksum included */
		assert_int_equal(inet_checksum(out_pkts[i], IPV4_HDR_MIN), 0);
		if (i == 0)
			id = ip.id;
		assert_int_equal(ip.id, id);
		assert_int_equal(ip.proto, proto);
		assert_int_equal(ip.src, src);
		assert_int_equal(ip.dst, dst);
		assert_int_equal(ip.hdr_len, IPV4_HDR_MIN);
		assert_int_equal(ip.frag & IPV4_FLAG_DF, 0);
		assert_int_equal(!!(ip.frag & IPV4_FLAG_MF), !last);
		assert_int_equal((ip.frag & IPV4_FRAG_OFFSET_MASK) * 8, offset);
		assert_int_equal(ip.payload_len, last ? len - offset : 1480);
		assert_true(out_lens[i] <= DEVICE_MTU);
		assert_memory_equal(ip.payload, payload + offset, ip.payload_len);
		offset += ip.payload_len;
	}
	assert_int_equal(offset, len);
}

/* Hand `n` packets to `net` in the order `order` (NULL: as they are). */
static void feed(struct net *net, int n, const int *order, uint64_t now)
{
	int i;

	for (i = 0; i < n; i++) {
		int k = order ? order[i] : i;

		net_input(net, out_pkts[k], out_lens[k], now);
	}
}

/* An echo request with `data_len` bytes of data. */
static size_t echo_request(uint8_t *msg, uint16_t seq, size_t data_len)
{
	msg[0] = ICMP_ECHO_REQUEST;
	msg[1] = 0;
	put16(msg + 2, 0);
	put16(msg + 4, 0x4d2f);
	put16(msg + 6, seq);
	fill(msg + ICMP_HDR_LEN, data_len, seq);
	put16(msg + 2, inet_checksum(msg, ICMP_HDR_LEN + data_len));
	return ICMP_HDR_LEN + data_len;
}

/* 4000 bytes of UDP from our stack: three fragments, parsed back, then
 * glued together by a second stack (10.0.0.1), in reverse order. */
static void test_output_udp_4000(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[4000];
	struct net other;
	int n, order[3] = { 2, 1, 0 };

	fill(payload, sizeof payload, 30);
	assert_int_equal(ip_output(&f->net, IP_PROTO_UDP, PEER_ADDR, payload,
				   sizeof payload), 0);
	assert_int_equal(f->net.stats.ip_fragmented, 1);
	assert_int_equal(f->net.stats.ip_frags_sent, 3);
	assert_int_equal(f->net.stats.tx_packets, 3);
	n = read_all(f->peer, out_pkts, out_lens, 64);
	expect_fragments(n, IP_PROTO_UDP, OUR_ADDR, PEER_ADDR, payload,
			 sizeof payload);
	assert_int_equal(out_lens[0], 1500);
	assert_int_equal(out_lens[2], 20 + 1040);

	net_init(&other, f->peer, PEER_ADDR);
	assert_int_equal(net_add_proto(&other, &fake_udp), 0);
	feed(&other, n, order, 5000);
	assert_int_equal(got.count, 1);
	assert_int_equal(got.ip.src, OUR_ADDR);
	assert_int_equal(got.ip.payload_len, sizeof payload);
	assert_memory_equal(got.data, payload, sizeof payload);
	net_free(&other);
}

/* A 4000-byte echo request from our stack goes out in fragments; a second
 * stack reassembles it, answers with a reply in fragments, and ours
 * reassembles that (then drops it: we sent no ping to match it). */
static void test_output_icmp_4000_round_trip(void **state)
{
	struct fixture *f = *state;
	static uint8_t msg[4000];
	struct net other;
	int n;

	echo_request(msg, 1, sizeof msg - ICMP_HDR_LEN);
	assert_int_equal(ip_output(&f->net, IP_PROTO_ICMP, PEER_ADDR, msg,
				   sizeof msg), 0);
	n = read_all(f->peer, out_pkts, out_lens, 64);
	expect_fragments(n, IP_PROTO_ICMP, OUR_ADDR, PEER_ADDR, msg, sizeof msg);

	net_init(&other, f->peer, PEER_ADDR);
	icmp_layer_init(&other);
	feed(&other, n, NULL, 5000);
	assert_int_equal(other.stats.ip_reassembled, 1);
	assert_int_equal(other.stats.icmp_echo_replied, 1);
	assert_int_equal(other.stats.ip_fragmented, 1);

	/* The reply, cut the same way, comes back to us. */
	n = read_all(f->dev, out_pkts, out_lens, 64);
	msg[0] = ICMP_ECHO_REPLY;
	put16(msg + 2, 0);
	put16(msg + 2, inet_checksum(msg, sizeof msg));
	expect_fragments(n, IP_PROTO_ICMP, PEER_ADDR, OUR_ADDR, msg, sizeof msg);
	mark(f);
	feed(&f->net, n, NULL, 5000);
	assert_int_equal(f->net.stats.ip_reassembled, 1);
	assert_int_equal(drops(f, DROP_ICMP_UNHANDLED_TYPE), 1);
	net_free(&other);
}

/* The largest ping (65507 bytes of data: 65535 in all) arrives in 45
 * fragments and is answered, in 45 fragments carrying the same data. */
static void test_ping_65507(void **state)
{
	struct fixture *f = *state;
	static uint8_t msg[IPV4_MAX_PAYLOAD], pkt[DEVICE_MTU];
	struct piece p[64];
	size_t len = echo_request(msg, 2, IPV4_MAX_PAYLOAD - ICMP_HDR_LEN);
	int n, i;

	n = cut(len, 1480, p);
	assert_int_equal(n, 45);
	mark(f);
	for (i = n - 1; i >= 0; i--) {
		size_t plen = build_frag(pkt, PEER_ADDR, IP_PROTO_ICMP, 0x777,
					 msg, p[i].offset, p[i].len,
					 p[i].more, 0);
		net_input(&f->net, pkt, plen, f->now);
	}
	assert_int_equal(f->net.stats.icmp_echo_replied, 1);
	assert_int_equal(all_drops(f), 0);

	n = read_all(f->peer, out_pkts, out_lens, 64);
	msg[0] = ICMP_ECHO_REPLY;
	put16(msg + 2, 0);
	put16(msg + 2, inet_checksum(msg, len));
	expect_fragments(n, IP_PROTO_ICMP, OUR_ADDR, PEER_ADDR, msg, len);
	expect_table_empty(f);
}

/* TCP is never cut up, and nothing is bigger than 65515 bytes. */
static void test_output_limits(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[IPV4_MAX_PAYLOAD + 1];
	int n;

	assert_int_equal(ip_output(&f->net, IP_PROTO_TCP, PEER_ADDR, payload,
				   1481), -EMSGSIZE);
	assert_int_equal(ip_output(&f->net, IP_PROTO_UDP, PEER_ADDR, payload,
				   IPV4_MAX_PAYLOAD + 1), -EMSGSIZE);
	assert_int_equal(pair_pending(f->peer), 0);

	/* 1480 bytes fit one packet: whole, with DF as before. */
	assert_int_equal(ip_output(&f->net, IP_PROTO_UDP, PEER_ADDR, payload,
				   1480), 0);
	n = read_all(f->peer, out_pkts, out_lens, 64);
	assert_int_equal(n, 1);
	assert_int_equal(get16(out_pkts[0] + IPV4_OFF_FRAG), IPV4_FLAG_DF);

	/* 1481 do not: 1480 and 1 byte. */
	fill(payload, sizeof payload, 31);
	assert_int_equal(ip_output(&f->net, IP_PROTO_UDP, PEER_ADDR, payload,
				   1481), 0);
	n = read_all(f->peer, out_pkts, out_lens, 64);
	expect_fragments(n, IP_PROTO_UDP, OUR_ADDR, PEER_ADDR, payload, 1481);

	/* The most there is: 65515 bytes in 45 fragments. */
	assert_int_equal(ip_output(&f->net, IP_PROTO_UDP, PEER_ADDR, payload,
				   IPV4_MAX_PAYLOAD), 0);
	n = read_all(f->peer, out_pkts, out_lens, 64);
	expect_fragments(n, IP_PROTO_UDP, OUR_ADDR, PEER_ADDR, payload,
			 IPV4_MAX_PAYLOAD);
}

/* Every datagram gets an id of its own (RFC 791 3.2, RFC 6864): two in a
 * row, each in fragments, never share one. */
static void test_output_ids_differ(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[3000];
	int n;

	assert_int_equal(ip_output(&f->net, IP_PROTO_UDP, PEER_ADDR, payload,
				   sizeof payload), 0);
	assert_int_equal(ip_output(&f->net, IP_PROTO_UDP, PEER_ADDR, payload,
				   sizeof payload), 0);
	n = read_all(f->peer, out_pkts, out_lens, 64);
	assert_int_equal(n, 6);
	assert_int_equal(get16(out_pkts[0] + IPV4_OFF_ID),
			 get16(out_pkts[2] + IPV4_OFF_ID));
	assert_int_not_equal(get16(out_pkts[0] + IPV4_OFF_ID),
			     get16(out_pkts[3] + IPV4_OFF_ID));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_in_order),
		T(test_reverse_order),
		T(test_random_orders),
		T(test_duplicates),
		T(test_overlap_same_bytes),
		T(test_overlap_different_bytes),
		T(test_teardrop),
		T(test_missing_middle_times_out),
		T(test_timeout_without_first_fragment),
		T(test_timeout_setting),
		T(test_memory_cap_evicts_oldest),
		T(test_table_full_evicts_oldest),
		T(test_too_big_offset),
		T(test_too_big_with_options),
		T(test_options_of_first_fragment_kept),
		T(test_too_many_fragments),
		T(test_bad_size),
		T(test_bad_end),
		T(test_interleaved_datagrams),
		T(test_output_udp_4000),
		T(test_output_icmp_4000_round_trip),
		T(test_ping_65507),
		T(test_output_limits),
		T(test_output_ids_differ),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
