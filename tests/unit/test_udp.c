/*
 * test_udp.c - UDP: the header on the wire (wire/udp_wire.c) and the
 * protocol (udp/udp.c): which socket a datagram goes to, the receive
 * queue's limit, what is sent, and the ICMP errors that come back.
 *
 * Read this first: RFC 768 (the header, the checksum, "all zero means
 * none", "zero is sent as all ones") and RFC 1122 4.1.3 (what a host's
 * UDP must do).  The stack under test is 10.0.0.2 on one end of a device
 * pair; the test plays the peer, 10.0.0.1, on the other: peer_send()
 * hands the stack a datagram through net_input(), expect_dgram() reads
 * what the stack sent.  The user calls (udp_bind, udp_send, udp_recv) are
 * called directly, as api/socket.c calls them.  Nothing here reads a
 * clock: time is whatever the test says it is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "checksum.h"
#include "dev_pair.h"
#include "icmp.h"
#include "icmp_wire.h"
#include "ipv4_wire.h"
#include "net.h"
#include "stats.h"
#include "tcp.h"
#include "udp.h"
#include "udp_wire.h"

#define PEER_ADDR 0x0a000001	/* 10.0.0.1: the peer the test plays */
#define OUR_ADDR  0x0a000002	/* 10.0.0.2: the stack under test */
#define PORT      7788
#define PEER_PORT 40005

/* ---------------------------------------------------------------------
 * Golden bytes, made apart from this code (by scapy, from the RFC)
 * ------------------------------------------------------------------- */

/* 10.0.0.1 -> 10.0.0.2, as `nc -u` sends "hello?\n": the whole IPv4
 * packet.  UDP: source port 40005 (9c45), destination 7788 (1e6c),
 * length 15, checksum e30a. */
static const uint8_t golden_hello[35] = {
	0x45, 0x00, 0x00, 0x23, 0x00, 0x01, 0x40, 0x00, 0x40, 0x11,
	0x26, 0xc7, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
	0x9c, 0x45, 0x1e, 0x6c, 0x00, 0x0f, 0xe3, 0x0a,
	'h', 'e', 'l', 'l', 'o', '?', '\n',
};

/* The answer: 10.0.0.2:7788 -> 10.0.0.1:40005 "thank you!", UDP only. */
static const uint8_t golden_thanks[18] = {
	0x1e, 0x6c, 0x9c, 0x45, 0x00, 0x12, 0x01, 0x8e,
	't', 'h', 'a', 'n', 'k', ' ', 'y', 'o', 'u', '!',
};

/* ---------------------------------------------------------------------
 * The harness
 * ------------------------------------------------------------------- */

struct udp_test {
	struct device *dev;	/* the stack's end of the pair */
	struct device *peer;	/* ours: what the stack sends arrives here */
	struct net net;
	uint64_t now;		/* virtual time, ms */
	uint16_t ip_id;
	struct stats mark;	/* counters at the last mark() */
	uint8_t last_pkt[DEVICE_MTU];	/* the packet expect_dgram() popped */
	struct udp_hdr last;	/* ... its datagram (data points into it) */
};

static int setup(void **state)
{
	struct udp_test *t = calloc(1, sizeof *t);

	if (!t)
		return -1;
	t->dev = pair_new(&t->peer);
	if (!t->dev) {
		free(t);
		return -1;
	}
	net_init(&t->net, t->dev, OUR_ADDR);
	icmp_layer_init(&t->net);
	tcp_layer_init(&t->net);
	udp_layer_init(&t->net);
	t->now = 10000;
	t->ip_id = 1;
	t->mark = t->net.stats;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct udp_test *t = *state;

	net_free(&t->net);
	device_destroy(t->dev);
	device_destroy(t->peer);
	free(t);
	return 0;
}

/* `len` bytes of UDP, from the peer to us in an IPv4 packet, now. */
static void peer_send_raw(struct udp_test *t, const uint8_t *udp, size_t len)
{
	uint8_t pkt[IPV4_HDR_MIN + DEVICE_MTU];

	assert_true(len <= DEVICE_MTU - IPV4_HDR_MIN);
	ipv4_build(pkt, PEER_ADDR, OUR_ADDR, IP_PROTO_UDP, t->ip_id++,
		   IPV4_DEFAULT_TTL, len);
	memcpy(pkt + IPV4_HDR_MIN, udp, len);
	net_input(&t->net, pkt, IPV4_HDR_MIN + len, t->now);
}

/* A datagram from the peer's port `sport` to our `dport`. */
static void peer_send(struct udp_test *t, uint16_t sport, uint16_t dport,
		      const void *data, size_t len)
{
	uint8_t udp[DEVICE_MTU];
	size_t n;

	assert_true(len <= DEVICE_MTU - IPV4_HDR_MIN - UDP_HDR_LEN);
	n = udp_build(udp, PEER_ADDR, OUR_ADDR, sport, dport, data, len);
	peer_send_raw(t, udp, n);
}

static void mark(struct udp_test *t)
{
	t->mark = t->net.stats;
}

/* Exactly one drop since mark(), for `reason` (DROP_NONE: none at all). */
#define expect_drop(t, reason) expect_drop_at(__FILE__, __LINE__, (t), (reason))
static void expect_drop_at(const char *file, int line, struct udp_test *t,
			   enum drop_reason reason)
{
	int i, bad = 0;

	for (i = 0; i < DROP_COUNT; i++) {
		uint64_t d = t->net.stats.drops[i] - t->mark.drops[i];
		uint64_t want = reason != DROP_NONE && (enum drop_reason)i == reason;

		if (d != want) {
			print_error("drop counter %s went up by %llu, expected %llu\n",
				    drop_name((enum drop_reason)i),
				    (unsigned long long)d, (unsigned long long)want);
			bad = 1;
		}
	}
	if (bad)
		_fail(file, line);
	mark(t);
}

/* The next packet the stack sent is a datagram from our `sport` to the
 * peer's `dport` with exactly these bytes (checksums proven by parsing). */
#define expect_dgram(t, sport, dport, data, len) \
	expect_dgram_at(__FILE__, __LINE__, (t), (sport), (dport), (data), (len))
static const struct udp_hdr *expect_dgram_at(const char *file, int line,
					     struct udp_test *t, uint16_t sport,
					     uint16_t dport, const void *data,
					     size_t len)
{
	struct ipv4_hdr ip;
	enum drop_reason why;
	long n;

	if (pair_pending(t->peer) == 0) {
		print_error("expected a datagram of %zu bytes, the stack sent nothing\n", len);
		_fail(file, line);
	}
	n = device_recv(t->peer, t->last_pkt, sizeof t->last_pkt);
	assert_true(n > 0);
	why = ipv4_parse(t->last_pkt, (size_t)n, &ip);
	if (why != DROP_NONE || ip.proto != IP_PROTO_UDP || ip.src != OUR_ADDR) {
		print_error("the stack sent a bad datagram (%s, proto %u)\n",
			    drop_name(why), ip.proto);
		_fail(file, line);
	}
	why = udp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, &t->last);
	if (why != DROP_NONE) {
		print_error("the stack sent a bad UDP datagram: %s\n", drop_name(why));
		_fail(file, line);
	}
	if (t->last.sport != sport || t->last.dport != dport ||
	    t->last.data_len != len || (len && memcmp(t->last.data, data, len))) {
		print_error("expected %u > %u len=%zu, the stack sent %u > %u len=%zu\n",
			    sport, dport, len, t->last.sport, t->last.dport,
			    t->last.data_len);
		_fail(file, line);
	}
	if (t->last.checksum == 0) {
		print_error("the stack sent no checksum (RFC 1122 4.1.3.4: on by default)\n");
		_fail(file, line);
	}
	return &t->last;
}

#define expect_nothing(t) assert_int_equal(pair_pending((t)->peer), 0)

/* A socket bound to addr:port, as bind() makes it. */
static struct udp_pcb *bound(struct udp_test *t, uint32_t addr, uint16_t port)
{
	struct udp_pcb *p = udp_pcb_new(&t->net);

	assert_non_null(p);
	assert_int_equal(udp_bind(&t->net, p, addr, port), 0);
	return p;
}

/* The next datagram waiting for `p`: its length, bytes and sender. */
static void expect_queued(struct udp_pcb *p, struct udp_test *t,
			  const char *data, size_t len, uint16_t sport)
{
	uint8_t buf[2048];
	struct udp_dest from;
	long n = udp_recv(&t->net, p, buf, sizeof buf, 0, &from);

	assert_int_equal(n, (long)len);
	if (len)
		assert_memory_equal(buf, data, len);
	assert_int_equal(from.addr, PEER_ADDR);
	assert_int_equal(from.port, sport);
}

/* An ICMP error about a datagram of ours from our `sport` to the peer's
 * `dport`, handed to UDP's error hook as ICMP (ip/icmp.c) hands it. */
static void icmp_error_arrives(struct udp_test *t, uint8_t type, uint8_t code,
			       uint16_t sport, uint16_t dport)
{
	const struct net_proto *udp = net_find_proto(&t->net, IP_PROTO_UDP);
	uint8_t quoted_udp[UDP_HDR_LEN];
	struct ipv4_hdr quoted = {
		.hdr_len = IPV4_HDR_MIN, .total_len = IPV4_HDR_MIN + UDP_HDR_LEN + 5,
		.ttl = 64, .proto = IP_PROTO_UDP, .src = OUR_ADDR,
		.dst = PEER_ADDR, .payload = quoted_udp,
		.payload_len = sizeof quoted_udp,
	};
	struct icmp_error err = { .type = type, .code = code, .from = PEER_ADDR,
				  .quoted = &quoted };

	udp_build(quoted_udp, OUR_ADDR, PEER_ADDR, sport, dport, NULL, 0);
	assert_non_null(udp);
	assert_non_null(udp->error);
	udp->error(&t->net, &err);
}

/* ---------------------------------------------------------------------
 * The header (wire/udp_wire.c)
 * ------------------------------------------------------------------- */

static void test_parse_golden(void **state)
{
	struct ipv4_hdr ip;
	struct udp_hdr h;

	(void)state;
	assert_int_equal(ipv4_parse(golden_hello, sizeof golden_hello, &ip), DROP_NONE);
	assert_int_equal(udp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, &h),
			 DROP_NONE);
	assert_int_equal(h.src, PEER_ADDR);
	assert_int_equal(h.dst, OUR_ADDR);
	assert_int_equal(h.sport, 40005);
	assert_int_equal(h.dport, 7788);
	assert_int_equal(h.len, 15);
	assert_int_equal(h.checksum, 0xe30a);
	assert_int_equal(h.data_len, 7);
	assert_memory_equal(h.data, "hello?\n", 7);
	assert_ptr_equal(h.data, golden_hello + IPV4_HDR_MIN + UDP_HDR_LEN);
}

static void test_build_golden(void **state)
{
	uint8_t buf[64];
	size_t n;

	(void)state;
	n = udp_build(buf, OUR_ADDR, PEER_ADDR, 7788, 40005,
		      (const uint8_t *)"thank you!", 10);
	assert_int_equal(n, sizeof golden_thanks);
	assert_memory_equal(buf, golden_thanks, sizeof golden_thanks);
}

/* Parsed to fields and built back from them: the same bytes. */
static void test_round_trip(void **state)
{
	const uint8_t *udp = golden_hello + IPV4_HDR_MIN;
	size_t len = sizeof golden_hello - IPV4_HDR_MIN;
	uint8_t buf[64];
	struct udp_hdr h;

	(void)state;
	assert_int_equal(udp_parse(udp, len, PEER_ADDR, OUR_ADDR, &h), DROP_NONE);
	assert_int_equal(udp_build(buf, h.src, h.dst, h.sport, h.dport, h.data,
				   h.data_len), len);
	assert_memory_equal(buf, udp, len);
}

/* RFC 768: "An all zero transmitted checksum value means that the
 * transmitter generated no checksum": accepted, unchecked.  A non-zero
 * wrong one is not (RFC 1122 4.1.3.4). */
static void test_zero_checksum_means_none(void **state)
{
	uint8_t udp[sizeof golden_hello - IPV4_HDR_MIN];
	struct udp_hdr h;

	(void)state;
	memcpy(udp, golden_hello + IPV4_HDR_MIN, sizeof udp);
	udp[UDP_HDR_LEN] ^= 0x20;	/* "Hello?": the sum no longer matches */
	assert_int_equal(udp_parse(udp, sizeof udp, PEER_ADDR, OUR_ADDR, &h),
			 DROP_UDP_BAD_CHECKSUM);
	put16(udp + UDP_OFF_CHECKSUM, 0);
	assert_int_equal(udp_parse(udp, sizeof udp, PEER_ADDR, OUR_ADDR, &h), DROP_NONE);
	assert_int_equal(h.checksum, 0);
	assert_memory_equal(h.data, "Hello?\n", 7);
}

/* RFC 768: "If the computed checksum is zero, it is transmitted as all
 * ones".  Data chosen to make the sum come out zero: build it once with a
 * zero word, then put that checksum in the word - the sum of everything
 * becomes 0xFFFF, whose complement is 0. */
static void test_zero_sum_sent_as_ffff(void **state)
{
	uint8_t data[2] = { 0, 0 }, buf[16];
	struct udp_hdr h;
	uint16_t first;

	(void)state;
	udp_build(buf, OUR_ADDR, PEER_ADDR, 7788, 40005, data, 2);
	first = get16(buf + UDP_OFF_CHECKSUM);
	put16(data, first);
	udp_build(buf, OUR_ADDR, PEER_ADDR, 7788, 40005, data, 2);
	assert_int_equal(get16(buf + UDP_OFF_CHECKSUM), 0xFFFF);
	/* and a receiver's sum still checks: 0xFFFF is "minus zero" */
	assert_int_equal(udp_parse(buf, 10, OUR_ADDR, PEER_ADDR, &h), DROP_NONE);
	assert_int_equal(h.checksum, 0xFFFF);
}

static void test_bad_lengths(void **state)
{
	const uint8_t *good = golden_hello + IPV4_HDR_MIN;
	uint8_t udp[64];
	size_t len = sizeof golden_hello - IPV4_HDR_MIN;	/* 15 */
	struct udp_hdr h;

	(void)state;
	/* Shorter than the header. */
	assert_int_equal(udp_parse(good, 7, PEER_ADDR, OUR_ADDR, &h), DROP_UDP_TOO_SHORT);
	assert_int_equal(udp_parse(good, 0, PEER_ADDR, OUR_ADDR, &h), DROP_UDP_TOO_SHORT);
	/* A Length below 8, or beyond what IPv4 delivered (cut short). */
	memcpy(udp, good, len);
	put16(udp + UDP_OFF_LEN, 7);
	assert_int_equal(udp_parse(udp, len, PEER_ADDR, OUR_ADDR, &h), DROP_UDP_BAD_LENGTH);
	put16(udp + UDP_OFF_LEN, 0);
	assert_int_equal(udp_parse(udp, len, PEER_ADDR, OUR_ADDR, &h), DROP_UDP_BAD_LENGTH);
	put16(udp + UDP_OFF_LEN, 16);
	assert_int_equal(udp_parse(udp, len, PEER_ADDR, OUR_ADDR, &h), DROP_UDP_BAD_LENGTH);
	assert_int_equal(udp_parse(good, len - 1, PEER_ADDR, OUR_ADDR, &h), DROP_UDP_BAD_LENGTH);
	/* Bytes after the datagram (an IPv4 payload longer than Length):
	 * not part of it, not in the checksum, ignored as Linux ignores them. */
	memcpy(udp, good, len);
	memset(udp + len, 0xEE, 5);
	assert_int_equal(udp_parse(udp, len + 5, PEER_ADDR, OUR_ADDR, &h), DROP_NONE);
	assert_int_equal(h.data_len, 7);
	/* A header alone: an empty datagram, fine. */
	udp_build(udp, PEER_ADDR, OUR_ADDR, 1, 2, NULL, 0);
	assert_int_equal(udp_parse(udp, 8, PEER_ADDR, OUR_ADDR, &h), DROP_NONE);
	assert_int_equal(h.data_len, 0);
}

static void test_bad_checksum(void **state)
{
	uint8_t udp[sizeof golden_hello - IPV4_HDR_MIN];
	struct udp_hdr h;
	size_t i;

	(void)state;
	/* Any one bit flipped anywhere is caught, the checksum field included. */
	for (i = 0; i < sizeof udp * 8; i++) {
		if (i / 8 == UDP_OFF_CHECKSUM || i / 8 == UDP_OFF_CHECKSUM + 1)
			continue;	/* into 0: "no checksum"; tried above */
		if (i / 8 == UDP_OFF_LEN || i / 8 == UDP_OFF_LEN + 1)
			continue;	/* a length check catches those first */
		memcpy(udp, golden_hello + IPV4_HDR_MIN, sizeof udp);
		udp[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(udp_parse(udp, sizeof udp, PEER_ADDR, OUR_ADDR, &h),
				 DROP_UDP_BAD_CHECKSUM);
	}
	/* The pseudo-header counts: from another address, the sum fails. */
	memcpy(udp, golden_hello + IPV4_HDR_MIN, sizeof udp);
	assert_int_equal(udp_parse(udp, sizeof udp, PEER_ADDR + 1, OUR_ADDR, &h),
			 DROP_UDP_BAD_CHECKSUM);
}

/* ---------------------------------------------------------------------
 * A datagram arrives (udp/udp.c)
 * ------------------------------------------------------------------- */

static void test_datagram_to_bound_socket(void **state)
{
	struct udp_test *t = *state;
	struct udp_pcb *p = bound(t, 0, PORT);

	net_input(&t->net, golden_hello, sizeof golden_hello, t->now);
	expect_drop(t, DROP_NONE);
	assert_int_equal(p->rcv_count, 1);
	assert_int_equal(t->net.stats.udp_delivered, 1);
	assert_non_null(strstr(t->net.note, "queued for *:7788"));
	expect_queued(p, t, "hello?\n", 7, 40005);
	assert_int_equal(udp_recv(&t->net, p, NULL, 0, 0, NULL), -EAGAIN);
	assert_int_equal(p->rcv_bytes, 0);
	expect_nothing(t);	/* no acknowledgement: it is a letter */
}

/* Malformed datagrams are counted under their reason and go nowhere. */
static void test_bad_datagrams_dropped(void **state)
{
	struct udp_test *t = *state;
	struct udp_pcb *p = bound(t, 0, PORT);
	uint8_t udp[32];

	memcpy(udp, golden_hello + IPV4_HDR_MIN, 15);
	peer_send_raw(t, udp, 6);
	expect_drop(t, DROP_UDP_TOO_SHORT);
	put16(udp + UDP_OFF_LEN, 40);
	peer_send_raw(t, udp, 15);
	expect_drop(t, DROP_UDP_BAD_LENGTH);
	memcpy(udp, golden_hello + IPV4_HDR_MIN, 15);
	udp[10] ^= 1;
	peer_send_raw(t, udp, 15);
	expect_drop(t, DROP_UDP_BAD_CHECKSUM);
	assert_string_equal(t->net.note, "dropped: udp-bad-checksum");
	assert_int_equal(p->rcv_count, 0);
	expect_nothing(t);
}

/* RFC 1122 4.1.3.1: nobody on the port - counted (and ICMP is asked for
 * a port unreachable: icmp_send_error(), ip/icmp.c, decides and sends). */
static void test_no_socket(void **state)
{
	struct udp_test *t = *state;

	bound(t, 0, PORT);
	peer_send(t, PEER_PORT, 7799, "x", 1);
	expect_drop(t, DROP_UDP_NO_SOCKET);
	assert_string_equal(t->net.note, "dropped: udp-no-socket (port 7799)");
	/* A socket that is not bound yet holds no port, not even port 0. */
	udp_pcb_new(&t->net);
	peer_send(t, PEER_PORT, 0, "x", 1);
	expect_drop(t, DROP_UDP_NO_SOCKET);
}

/* The most particular socket wins: connected to this very sender, then
 * bound to our address, then bound to any.  (Two sockets share a port
 * only when both set SO_REUSEADDR.) */
static void test_demux_connected_before_bound(void **state)
{
	struct udp_test *t = *state;
	struct udp_pcb *any = udp_pcb_new(&t->net);
	struct udp_pcb *conn = udp_pcb_new(&t->net);
	struct udp_pcb *ours = udp_pcb_new(&t->net);

	any->reuse = conn->reuse = ours->reuse = 1;
	assert_int_equal(udp_bind(&t->net, any, 0, PORT), 0);
	assert_int_equal(udp_bind(&t->net, conn, 0, PORT), 0);
	assert_int_equal(udp_connect(&t->net, conn, PEER_ADDR, PEER_PORT), 0);

	peer_send(t, PEER_PORT, PORT, "to conn", 7);
	peer_send(t, PEER_PORT + 1, PORT, "to any", 6);
	expect_drop(t, DROP_NONE);
	expect_queued(conn, t, "to conn", 7, PEER_PORT);
	expect_queued(any, t, "to any", 6, PEER_PORT + 1);

	/* Bound to our address: before the one bound to any address. */
	assert_int_equal(udp_bind(&t->net, ours, OUR_ADDR, PORT), 0);
	peer_send(t, PEER_PORT + 1, PORT, "to ours", 7);
	peer_send(t, PEER_PORT, PORT, "to conn", 7);
	expect_queued(ours, t, "to ours", 7, PEER_PORT + 1);
	expect_queued(conn, t, "to conn", 7, PEER_PORT);
	assert_int_equal(any->rcv_count, 0);
}

/* A connected socket receives only from its peer (Linux, and POSIX's
 * connect() for datagram sockets): anyone else finds no socket. */
static void test_connected_socket_filters(void **state)
{
	struct udp_test *t = *state;
	struct udp_pcb *p = bound(t, 0, PORT);

	assert_int_equal(udp_connect(&t->net, p, PEER_ADDR, PEER_PORT), 0);
	peer_send(t, PEER_PORT + 1, PORT, "stranger", 8);
	expect_drop(t, DROP_UDP_NO_SOCKET);
	peer_send(t, PEER_PORT, PORT, "friend", 6);
	expect_drop(t, DROP_NONE);
	expect_queued(p, t, "friend", 6, PEER_PORT);
	/* connect(AF_UNSPEC): anyone again, and the bound port stays. */
	udp_disconnect(&t->net, p);
	assert_int_equal(p->local_port, PORT);
	peer_send(t, PEER_PORT + 1, PORT, "stranger", 8);
	expect_drop(t, DROP_NONE);
	expect_queued(p, t, "stranger", 8, PEER_PORT + 1);
}

/* bind() as Linux without SO_REUSEADDR. */
static void test_bind_rules(void **state)
{
	struct udp_test *t = *state;
	struct udp_pcb *a = bound(t, 0, PORT), *b = udp_pcb_new(&t->net);
	struct udp_pcb *c = udp_pcb_new(&t->net), *d = udp_pcb_new(&t->net);

	assert_int_equal(udp_bind(&t->net, a, 0, PORT + 1), -EINVAL);	/* again */
	assert_int_equal(udp_bind(&t->net, b, 0, PORT), -EADDRINUSE);
	assert_int_equal(udp_bind(&t->net, b, OUR_ADDR, PORT), -EADDRINUSE);
	assert_int_equal(udp_bind(&t->net, b, 0x0a000099, PORT + 1), -EADDRNOTAVAIL);
	/* SO_REUSEADDR on one side only is not enough; on both, it is. */
	b->reuse = 1;
	assert_int_equal(udp_bind(&t->net, b, 0, PORT), -EADDRINUSE);
	a->reuse = 1;
	assert_int_equal(udp_bind(&t->net, b, 0, PORT), 0);
	/* Port 0: an ephemeral port, a different one each time. */
	assert_int_equal(udp_bind(&t->net, c, 0, 0), 0);
	assert_int_equal(udp_bind(&t->net, d, 0, 0), 0);
	assert_true(c->local_port >= 49152);
	assert_true(d->local_port >= 49152);
	assert_int_not_equal(c->local_port, d->local_port);
	/* TCP's port 7788 is another door: a TCP port does not block it. */
	assert_int_equal(tcp_port_in_use(&t->net, PORT), 0);
}

/* The letter may be lost: a receiver that does not read fills its queue,
 * and what comes next is dropped, counted, and said in the note. */
static void test_receive_queue_limit(void **state)
{
	struct udp_test *t = *state;
	struct udp_pcb *p = bound(t, 0, PORT);
	char data[100];

	memset(data, 'x', sizeof data);
	p->rcvbuf = 3 * (uint32_t)UDP_DGRAM_COST(sizeof data);
	peer_send(t, PEER_PORT, PORT, data, sizeof data);
	peer_send(t, PEER_PORT, PORT, data, sizeof data);
	peer_send(t, PEER_PORT, PORT, data, sizeof data);
	expect_drop(t, DROP_NONE);
	assert_int_equal(p->rcv_count, 3);
	assert_int_equal(p->rcv_bytes, p->rcvbuf);
	peer_send(t, PEER_PORT, PORT, data, sizeof data);
	expect_drop(t, DROP_UDP_RCV_QUEUE_FULL);
	assert_int_equal(p->rcv_count, 3);
	assert_non_null(strstr(t->net.note, "dropped: udp-receive-queue-full (*:7788: 3 datagrams"));
	/* Even an empty datagram costs its bookkeeping: no room for it. */
	peer_send(t, PEER_PORT, PORT, NULL, 0);
	expect_drop(t, DROP_UDP_RCV_QUEUE_FULL);
	/* One read makes room for one more. */
	expect_queued(p, t, data, sizeof data, PEER_PORT);
	peer_send(t, PEER_PORT, PORT, data, sizeof data);
	expect_drop(t, DROP_NONE);
	assert_int_equal(p->rcv_count, 3);
	expect_nothing(t);	/* and the sender is told nothing */

	/* An empty queue takes a datagram larger than the limit. */
	while (p->rcv_count)
		expect_queued(p, t, data, sizeof data, PEER_PORT);
	p->rcvbuf = 50;
	peer_send(t, PEER_PORT, PORT, data, sizeof data);
	expect_drop(t, DROP_NONE);
	peer_send(t, PEER_PORT, PORT, "y", 1);
	expect_drop(t, DROP_UDP_RCV_QUEUE_FULL);
}

/* Message boundaries: a read takes one datagram, cut to the buffer; the
 * rest of it is gone, and the whole length is returned (MSG_TRUNC). */
static void test_receive_keeps_boundaries(void **state)
{
	struct udp_test *t = *state;
	struct udp_pcb *p = bound(t, 0, PORT);
	uint8_t buf[16];

	peer_send(t, PEER_PORT, PORT, "one", 3);
	peer_send(t, PEER_PORT, PORT, "abcdefghij", 10);
	peer_send(t, PEER_PORT, PORT, NULL, 0);
	peer_send(t, PEER_PORT, PORT, "last", 4);

	assert_int_equal(udp_recv(&t->net, p, buf, sizeof buf, 0, NULL), 3);
	assert_memory_equal(buf, "one", 3);
	/* MSG_PEEK leaves it there. */
	assert_int_equal(udp_recv(&t->net, p, buf, 4, 1, NULL), 10);
	assert_int_equal(p->rcv_count, 3);
	memset(buf, 0, sizeof buf);
	assert_int_equal(udp_recv(&t->net, p, buf, 4, 0, NULL), 10);
	assert_memory_equal(buf, "abcd\0", 5);
	/* the 0-byte datagram reads as 0 */
	assert_int_equal(udp_recv(&t->net, p, buf, sizeof buf, 0, NULL), 0);
	assert_int_equal(udp_recv(&t->net, p, buf, sizeof buf, 0, NULL), 4);
	assert_memory_equal(buf, "last", 4);
	assert_int_equal(udp_recv(&t->net, p, buf, sizeof buf, 0, NULL), -EAGAIN);
	assert_int_equal(p->rcv_bytes, 0);
}

/* ---------------------------------------------------------------------
 * A datagram is sent
 * ------------------------------------------------------------------- */

static void test_send(void **state)
{
	struct udp_test *t = *state;
	struct udp_pcb *p = bound(t, 0, PORT);
	struct udp_pcb *q = udp_pcb_new(&t->net);
	struct udp_dest to = { PEER_ADDR, PEER_PORT };
	char big[UDP_MAX_DATA + 1];
	long n;

	assert_int_equal(udp_send(&t->net, p, &to, (const uint8_t *)"thank you!", 10), 10);
	expect_dgram(t, PORT, PEER_PORT, "thank you!", 10);
	/* The golden answer, byte for byte. */
	assert_memory_equal(t->last_pkt + IPV4_HDR_MIN, golden_thanks, sizeof golden_thanks);
	assert_int_equal(t->net.stats.udp_sent, 1);

	/* Empty, and as large as one packet holds (1500 - 20 - 8). */
	assert_int_equal(udp_send(&t->net, p, &to, NULL, 0), 0);
	expect_dgram(t, PORT, PEER_PORT, NULL, 0);
	memset(big, 'b', sizeof big);
	assert_int_equal(udp_send(&t->net, p, &to, (uint8_t *)big, 1472), 1472);
	expect_dgram(t, PORT, PEER_PORT, big, 1472);

	/* An unbound socket gets an ephemeral port on its first send. */
	assert_int_equal(q->local_port, 0);
	assert_int_equal(udp_send(&t->net, q, &to, (const uint8_t *)"hi", 2), 2);
	assert_true(q->local_port >= 49152);
	expect_dgram(t, q->local_port, PEER_PORT, "hi", 2);

	/* What Linux refuses, we refuse with the same errno. */
	assert_int_equal(udp_send(&t->net, p, &to, (uint8_t *)big, UDP_MAX_DATA + 1), -EMSGSIZE);
	assert_int_equal(udp_send(&t->net, p, NULL, (const uint8_t *)"x", 1), -EDESTADDRREQ);
	to.addr = 0xFFFFFFFF;
	assert_int_equal(udp_send(&t->net, p, &to, (const uint8_t *)"x", 1), -EACCES);
	assert_int_equal(udp_connect(&t->net, p, 0xFFFFFFFF, 9), -EACCES);
	p->broadcast = 1;	/* SO_BROADCAST */
	n = udp_send(&t->net, p, &to, (const uint8_t *)"all", 3);
	assert_int_equal(n, 3);
	expect_dgram(t, PORT, PEER_PORT, "all", 3);
	expect_nothing(t);

	/* Connected: no address needed. */
	assert_int_equal(udp_connect(&t->net, q, PEER_ADDR, 9), 0);
	assert_int_equal(q->local_addr, OUR_ADDR);
	assert_int_equal(udp_send(&t->net, q, NULL, (const uint8_t *)"c", 1), 1);
	expect_dgram(t, q->local_port, 9, "c", 1);
}

/* Disconnecting (connect() with AF_UNSPEC) keeps only what bind() named:
 * a port chosen for the socket goes back, as in Linux. */
static void test_connect_and_disconnect(void **state)
{
	struct udp_test *t = *state;
	struct udp_pcb *p = udp_pcb_new(&t->net);
	struct udp_pcb *q = udp_pcb_new(&t->net);
	struct udp_pcb *r = udp_pcb_new(&t->net);

	assert_int_equal(udp_connect(&t->net, p, PEER_ADDR, PEER_PORT), 0);
	assert_true(p->local_port >= 49152);
	assert_int_equal(p->local_addr, OUR_ADDR);
	udp_disconnect(&t->net, p);
	assert_int_equal(p->connected, 0);
	assert_int_equal(p->local_port, 0);
	assert_int_equal(p->local_addr, 0);
	assert_int_equal(udp_connect(&t->net, p, 0, PEER_PORT), -ENETUNREACH);

	assert_int_equal(udp_bind(&t->net, q, 0, 0), 0);	/* bind(port 0) */
	assert_int_equal(udp_connect(&t->net, q, PEER_ADDR, PEER_PORT), 0);
	udp_disconnect(&t->net, q);
	assert_int_equal(q->local_port, 0);

	assert_int_equal(udp_bind(&t->net, r, OUR_ADDR, PORT), 0);
	assert_int_equal(udp_connect(&t->net, r, PEER_ADDR, PEER_PORT), 0);
	udp_disconnect(&t->net, r);
	assert_int_equal(r->local_port, PORT);
	assert_int_equal(r->local_addr, OUR_ADDR);
}

/* ---------------------------------------------------------------------
 * ICMP errors come back (the protocol's `error` hook, net.h)
 * ------------------------------------------------------------------- */

/* Port unreachable quoting a datagram of a connected socket: ECONNREFUSED
 * on its next call, once - as Linux. */
static void test_port_unreachable_refuses_connected(void **state)
{
	struct udp_test *t = *state;
	struct udp_pcb *p = bound(t, 0, PORT);
	uint8_t buf[8];

	assert_int_equal(udp_connect(&t->net, p, PEER_ADDR, 9), 0);
	icmp_error_arrives(t, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, PORT, 9);
	assert_int_equal(p->error, ECONNREFUSED);
	assert_non_null(strstr(t->net.note, "port unreachable"));
	/* reported by the next send, and the datagram is not sent ... */
	assert_int_equal(udp_send(&t->net, p, NULL, (const uint8_t *)"x", 1), -ECONNREFUSED);
	expect_nothing(t);
	/* ... then forgotten */
	assert_int_equal(udp_send(&t->net, p, NULL, (const uint8_t *)"x", 1), 1);
	expect_dgram(t, PORT, 9, "x", 1);

	/* or by the next receive, before any datagram that waits */
	udp_disconnect(&t->net, p);
	assert_int_equal(udp_connect(&t->net, p, PEER_ADDR, PEER_PORT), 0);
	peer_send(t, PEER_PORT, PORT, "late", 4);
	icmp_error_arrives(t, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, PORT, PEER_PORT);
	assert_int_equal(udp_recv(&t->net, p, buf, sizeof buf, 0, NULL), -ECONNREFUSED);
	assert_int_equal(udp_recv(&t->net, p, buf, sizeof buf, 0, NULL), 4);

	/* protocol unreachable: Linux's errno for it */
	icmp_error_arrives(t, ICMP_DEST_UNREACH, ICMP_PROTO_UNREACH, PORT, PEER_PORT);
	assert_int_equal(udp_take_error(p), ENOPROTOOPT);
}

/* An unconnected socket may post to many; one refusing says nothing of
 * the others: ignored (Linux without IP_RECVERR).  So are soft errors,
 * and errors quoting a datagram no socket of ours sent. */
static void test_errors_ignored(void **state)
{
	struct udp_test *t = *state;
	struct udp_pcb *p = bound(t, 0, PORT);
	struct udp_pcb *c = bound(t, 0, PORT + 1);

	icmp_error_arrives(t, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, PORT, 9);
	assert_int_equal(p->error, 0);
	assert_non_null(strstr(t->net.note, "ignored"));

	assert_int_equal(udp_connect(&t->net, c, PEER_ADDR, 9), 0);
	icmp_error_arrives(t, ICMP_DEST_UNREACH, 1 /* host unreachable */, PORT + 1, 9);
	icmp_error_arrives(t, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, PORT + 1, 9);
	icmp_error_arrives(t, ICMP_TIME_EXCEEDED, 0, PORT + 1, 9);
	assert_int_equal(c->error, 0);
	/* another peer port than the one connected to: not ours */
	icmp_error_arrives(t, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, PORT + 1, 10);
	assert_int_equal(c->error, 0);
	assert_int_equal(p->error, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_golden),
		cmocka_unit_test(test_build_golden),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_zero_checksum_means_none),
		cmocka_unit_test(test_zero_sum_sent_as_ffff),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test_setup_teardown(test_datagram_to_bound_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_datagrams_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_demux_connected_before_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connected_socket_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_queue_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_keeps_boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connect_and_disconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_unreachable_refuses_connected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_ignored, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
