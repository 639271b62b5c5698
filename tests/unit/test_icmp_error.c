/*
 * test_icmp_error.c - ICMP errors, sent (stack/ip/icmp_error.c) and
 * received about our TCP segments (stack/tcp/tcp_icmp.c).
 *
 * Read this first: RFC 792 (the messages), RFC 1122 3.2.2 (when never to
 * send one) and 4.2.3.9 (what TCP does with one), RFC 1812 4.3.2.8 (the
 * rate limit), RFC 5927 4.1 (only errors quoting a sequence number in
 * flight are believed), RFC 1191 (fragmentation needed lowers the MSS).
 * The scripted peer of tcp_harness.h plays the host at 10.0.0.1 and the
 * routers behind it.
 */
#include "tcp_harness.h"

#include "icmp.h"
#include "icmp_wire.h"

/* A datagram from the peer to us, of protocol `proto`, carrying `len`
 * bytes of `payload`, handed to the stack now. */
static void send_ip(struct tcp_test *t, uint8_t proto, uint32_t src,
		    const uint8_t *payload, size_t len)
{
	uint8_t pkt[DEVICE_MTU];

	assert_true(len <= sizeof pkt - IPV4_HDR_MIN);
	ipv4_build(pkt, src, OUR_ADDR, proto, t->ip_id++, IPV4_DEFAULT_TTL, len);
	memcpy(pkt + IPV4_HDR_MIN, payload, len);
	net_input(&t->net, pkt, IPV4_HDR_MIN + len, t->now);
}

/* An ICMP error from `from` quoting `quoted` (len bytes of a datagram). */
static void send_icmp_error(struct tcp_test *t, uint32_t from, uint8_t type,
			    uint8_t code, uint16_t mtu, const uint8_t *quoted,
			    size_t len)
{
	uint8_t msg[ICMP_HDR_LEN + 576];

	assert_true(len <= 576);
	memset(msg, 0, ICMP_HDR_LEN);
	msg[ICMP_OFF_TYPE] = type;
	msg[ICMP_OFF_CODE] = code;
	put16(msg + ICMP_OFF_SEQ, mtu);
	memcpy(msg + ICMP_HDR_LEN, quoted, len);
	put16(msg + ICMP_OFF_CHECKSUM, inet_checksum(msg, ICMP_HDR_LEN + len));
	send_ip(t, IP_PROTO_ICMP, from, msg, ICMP_HDR_LEN + len);
}

/* The next packet the stack sent must be an ICMP message of this type and
 * code, to the peer, with a right checksum; returns its length, the
 * message (from its ICMP header on) in `msg`. */
static size_t expect_icmp(struct tcp_test *t, uint8_t type, uint8_t code,
			  uint8_t *msg)
{
	uint8_t pkt[DEVICE_MTU];
	struct ipv4_hdr ip;
	struct icmp_hdr h;
	long n;

	assert_int_not_equal(pair_pending(t->peer), 0);
	n = device_recv(t->peer, pkt, sizeof pkt);
	assert_true(n > 0);
	assert_int_equal(ipv4_parse(pkt, (size_t)n, &ip), DROP_NONE);
	assert_int_equal(ip.proto, IP_PROTO_ICMP);
	assert_int_equal(ip.dst, PEER_ADDR);
	assert_int_equal(icmp_parse(ip.payload, ip.payload_len, &h), DROP_NONE);
	assert_int_equal(h.type, type);
	assert_int_equal(h.code, code);
	memcpy(msg, ip.payload, ip.payload_len);
	return ip.payload_len;
}

/* ------------------------------------------------------------------ */
/* Sending                                                              */
/* ------------------------------------------------------------------ */

/* RFC 1122 3.2.2.1: a datagram of a protocol we do not speak (200) is
 * answered by "protocol unreachable", quoting its header and data. */
static void test_unknown_protocol_unreachable(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[40], msg[DEVICE_MTU], sent[IPV4_HDR_MIN + sizeof data];
	size_t n;

	memset(data, 0xAB, sizeof data);
	ipv4_build(sent, PEER_ADDR, OUR_ADDR, 200, t->ip_id, IPV4_DEFAULT_TTL, sizeof data);
	memcpy(sent + IPV4_HDR_MIN, data, sizeof data);
	send_ip(t, 200, PEER_ADDR, data, sizeof data);
	n = expect_icmp(t, ICMP_DEST_UNREACH, ICMP_PROTO_UNREACH, msg);
	assert_int_equal(n, ICMP_HDR_LEN + sizeof sent);
	assert_int_equal(get32(msg + 4), 0);		/* unused */
	assert_memory_equal(msg + ICMP_HDR_LEN, sent, sizeof sent);
	assert_int_equal(t->net.stats.icmp_errors_sent, 1);
	assert_int_equal(t->net.stats.drops[DROP_IP_UNKNOWN_PROTO], 1);
	expect_nothing(t);
}

/* RFC 1812 4.3.2.3: at most 576 bytes in all; a long datagram is quoted
 * in part. */
static void test_error_quotes_at_most_576_bytes(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[1400], msg[DEVICE_MTU];

	memset(data, 0x5A, sizeof data);
	send_ip(t, 200, PEER_ADDR, data, sizeof data);
	assert_int_equal(expect_icmp(t, ICMP_DEST_UNREACH, ICMP_PROTO_UNREACH, msg),
			 576 - IPV4_HDR_MIN);
}

/* RFC 1122 3.2.2: never about an ICMP error, a non-first fragment, or a
 * datagram whose source is no single host; each refusal is counted. */
static void test_never_send_about(void **state)
{
	struct tcp_test *t = *state;
	uint8_t pkt[IPV4_HDR_MIN + 16] = { 0 };
	struct ipv4_hdr ip;

	/* an ICMP error (port unreachable) */
	ipv4_build(pkt, PEER_ADDR, OUR_ADDR, IP_PROTO_ICMP, 7, 64, 16);
	pkt[IPV4_HDR_MIN] = ICMP_DEST_UNREACH;
	assert_int_equal(ipv4_parse(pkt, sizeof pkt, &ip), DROP_NONE);
	assert_int_equal(icmp_send_error(user(t), ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, &ip), -EPERM);
	/* an ICMP echo request is a query, not an error: allowed */
	pkt[IPV4_HDR_MIN] = ICMP_ECHO_REQUEST;
	assert_int_equal(icmp_send_error(user(t), ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, &ip), 0);
	/* a later fragment */
	ipv4_build(pkt, PEER_ADDR, OUR_ADDR, 200, 8, 64, 16);
	put16(pkt + IPV4_OFF_FRAG, 185);	/* offset 1480 */
	put16(pkt + IPV4_OFF_CHECKSUM, 0);
	put16(pkt + IPV4_OFF_CHECKSUM, inet_checksum(pkt, IPV4_HDR_MIN));
	assert_int_equal(ipv4_parse(pkt, sizeof pkt, &ip), DROP_NONE);
	assert_int_equal(icmp_send_error(user(t), ICMP_DEST_UNREACH, ICMP_PROTO_UNREACH, 0, &ip), -EPERM);
	/* from a broadcast or multicast source */
	ipv4_build(pkt, 0xE0000001, OUR_ADDR, 200, 9, 64, 16);
	assert_int_equal(ipv4_parse(pkt, sizeof pkt, &ip), DROP_NONE);
	assert_int_equal(icmp_send_error(user(t), ICMP_DEST_UNREACH, ICMP_PROTO_UNREACH, 0, &ip), -EPERM);
	/* to a broadcast address */
	ipv4_build(pkt, PEER_ADDR, 0xFFFFFFFF, 200, 10, 64, 16);
	assert_int_equal(ipv4_parse(pkt, sizeof pkt, &ip), DROP_NONE);
	assert_int_equal(icmp_send_error(user(t), ICMP_DEST_UNREACH, ICMP_PROTO_UNREACH, 0, &ip), -EPERM);

	assert_int_equal(t->net.stats.icmp_errors_withheld, 4);
	assert_int_equal(t->net.stats.icmp_errors_sent, 1);
}

/* RFC 1812 4.3.2.8: a burst of 50, then one a millisecond (1000/s). */
static void test_errors_rate_limited(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[8] = { 0 }, msg[DEVICE_MTU];
	int i;

	for (i = 0; i < 60; i++)
		send_ip(t, 200, PEER_ADDR, data, sizeof data);
	assert_int_equal(t->net.stats.icmp_errors_sent, 50);
	assert_int_equal(t->net.stats.icmp_errors_limited, 10);
	for (i = 0; i < 50; i++)
		expect_icmp(t, ICMP_DEST_UNREACH, ICMP_PROTO_UNREACH, msg);
	expect_nothing(t);

	advance(t, 1);
	send_ip(t, 200, PEER_ADDR, data, sizeof data);
	send_ip(t, 200, PEER_ADDR, data, sizeof data);
	assert_int_equal(t->net.stats.icmp_errors_sent, 51);
	expect_icmp(t, ICMP_DEST_UNREACH, ICMP_PROTO_UNREACH, msg);
	expect_nothing(t);

	advance(t, 1000);	/* the bucket fills to its burst again */
	for (i = 0; i < 60; i++)
		send_ip(t, 200, PEER_ADDR, data, sizeof data);
	assert_int_equal(t->net.stats.icmp_errors_sent, 101);
}

/* A fragment from the peer: `len` bytes at `offset`, MF as told. */
static void send_fragment(struct tcp_test *t, uint16_t id, uint16_t offset,
			  int more, size_t len)
{
	uint8_t pkt[IPV4_HDR_MIN + 64] = { 0 };

	assert_true(len <= 64);
	ipv4_build(pkt, PEER_ADDR, OUR_ADDR, 200, id, IPV4_DEFAULT_TTL, len);
	put16(pkt + IPV4_OFF_FRAG, (uint16_t)((more ? IPV4_FLAG_MF : 0) | offset / 8));
	put16(pkt + IPV4_OFF_CHECKSUM, 0);
	put16(pkt + IPV4_OFF_CHECKSUM, inet_checksum(pkt, IPV4_HDR_MIN));
	memset(pkt + IPV4_HDR_MIN, 'f', len);
	net_input(&t->net, pkt, IPV4_HDR_MIN + len, t->now);
}

/* RFC 792 and RFC 1122 3.3.2: when a datagram's fragments time out and
 * its first fragment had come, the sender is told: time exceeded, code 1,
 * quoting that first fragment.  Without the first fragment there is
 * nothing to quote (RFC 1122 3.2.2: never about a later fragment). */
static void test_reassembly_timeout_time_exceeded(void **state)
{
	struct tcp_test *t = *state;
	uint8_t msg[DEVICE_MTU];
	struct ipv4_hdr q;

	t->net.reass.timeout_ms = 1000;
	send_fragment(t, 77, 0, 1, 64);		/* the first, then nothing */
	send_fragment(t, 78, 64, 0, 16);	/* a last piece alone */
	expect_nothing(t);
	advance(t, 999);
	expect_nothing(t);
	advance(t, 1);
	expect_icmp(t, ICMP_TIME_EXCEEDED, ICMP_REASSEMBLY_TIMEOUT, msg);
	assert_int_equal(ipv4_parse_quoted(msg + ICMP_HDR_LEN, 28, &q), DROP_NONE);
	assert_int_equal(q.id, 77);
	assert_int_equal(q.frag, IPV4_FLAG_MF);
	expect_nothing(t);		/* nothing about datagram 78 */
	assert_int_equal(t->net.stats.icmp_errors_sent, 1);
}

/* ------------------------------------------------------------------ */
/* Receiving, for TCP                                                   */
/* ------------------------------------------------------------------ */

/* The datagram the stack sent last (the harness kept its bytes): what an
 * ICMP error would quote, header and 8 bytes. */
#define QUOTE_LEN (IPV4_HDR_MIN + 8)

/* RFC 1122 4.2.3.9 and RFC 5461: port unreachable in SYN-SENT is hard:
 * the attempt ends at once with ECONNREFUSED, no SYN goes again. */
static void test_port_unreachable_aborts_connect(void **state)
{
	struct tcp_test *t = *state;
	uint8_t syn[QUOTE_LEN];

	memcpy(syn, t->last_pkt, sizeof syn);	/* tcb_syn_sent's SYN */
	advance(t, 5);
	send_icmp_error(t, PEER_ADDR, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, syn, sizeof syn);
	expect_state(t, TCP_CLOSED);
	assert_int_equal(t->tcb->error, ECONNREFUSED);
	assert_int_equal(t->net.stats.tcp_icmp_aborts, 1);
	assert_int_equal(t->net.stats.icmp_errors_received, 1);
	advance(t, 10000);
	expect_nothing(t);
}

/* A soft error (host unreachable, from a router) does not end the
 * attempt: the SYN goes again; if the connection finally times out, the
 * error reported is the ICMP one, not ETIMEDOUT. */
static void test_host_unreachable_is_soft(void **state)
{
	struct tcp_test *t = *state;
	uint8_t syn[QUOTE_LEN];
	int i;

	memcpy(syn, t->last_pkt, sizeof syn);
	send_icmp_error(t, 0x0a000063, ICMP_DEST_UNREACH, 1, 0, syn, sizeof syn);
	expect_state(t, TCP_SYN_SENT);
	advance(t, TCP_RTO_INITIAL_MS);
	expect_seg(t, TCP_SYN, 0, 0, 0);
	for (i = 0; i < 10 && conn_state(t) != TCP_CLOSED; i++)
		advance(t, TCP_RTO_MAX_MS);
	expect_state(t, TCP_CLOSED);
	assert_int_equal(t->tcb->error, EHOSTUNREACH);
}

/* RFC 5927 4.1: an error quoting a sequence number that is not in flight
 * (a blind attacker's guess) is ignored; the connection is untouched. */
static void test_error_outside_window_ignored(void **state)
{
	struct tcp_test *t = *state;
	uint8_t seg[QUOTE_LEN];

	assert_int_equal(tcp_user_send(user(t), t->tcb, (const uint8_t *)"data", 4), 4);
	expect_seg(t, TCP_ACK | TCP_PSH, 1, 1, 4);
	memcpy(seg, t->last_pkt, sizeof seg);
	put32(seg + IPV4_HDR_MIN + TCP_OFF_SEQ, t->iss + 100000);
	send_icmp_error(t, PEER_ADDR, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, seg, sizeof seg);
	expect_drop(t, DROP_TCP_ICMP_BAD_SEQ);
	expect_state(t, TCP_ESTABLISHED);
	assert_int_equal(t->tcb->soft_error, 0);

	/* The same error quoting the segment in flight is believed - and on
	 * an open connection only remembered (RFC 5461). */
	memcpy(seg, t->last_pkt, sizeof seg);
	send_icmp_error(t, PEER_ADDR, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, seg, sizeof seg);
	expect_state(t, TCP_ESTABLISHED);
	assert_int_equal(t->tcb->soft_error, ECONNREFUSED);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 5);
	assert_int_equal(t->tcb->soft_error, 0);	/* the path works */
	expect_nothing(t);
}

/* Parse before you trust: a quote too short for a header and 8 bytes, or
 * of a datagram that was not ours, goes no further. */
static void test_bad_quotes_dropped(void **state)
{
	struct tcp_test *t = *state;
	uint8_t seg[QUOTE_LEN];

	assert_int_equal(tcp_user_send(user(t), t->tcb, (const uint8_t *)"x", 1), 1);
	expect_seg(t, TCP_ACK | TCP_PSH, 1, 1, 1);
	memcpy(seg, t->last_pkt, sizeof seg);
	mark(t);
	send_icmp_error(t, PEER_ADDR, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, seg, IPV4_HDR_MIN + 4);
	expect_drop(t, DROP_ICMP_BAD_QUOTE);
	put32(seg + IPV4_OFF_SRC, 0x0a000005);	/* someone else's datagram */
	send_icmp_error(t, PEER_ADDR, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, seg, sizeof seg);
	expect_drop(t, DROP_ICMP_NOT_OURS);
	expect_state(t, TCP_ESTABLISHED);
	expect_nothing(t);
}

/* RFC 1191: "fragmentation needed" with a next-hop MTU of 1000 lowers
 * the segments to 960 bytes, and what was lost goes again at once. */
static void test_frag_needed_lowers_mss(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t data[2920];
	uint8_t seg[QUOTE_LEN];

	memset(data, 'm', sizeof data);
	assert_int_equal(tcp_user_send(user(t), t->tcb, data, sizeof data), (long)sizeof data);
	expect_seg(t, TCP_ACK, 1, 1, 1460);
	memcpy(seg, t->last_pkt, sizeof seg);
	expect_seg(t, TCP_ACK, 1461, 1, 1460);
	send_icmp_error(t, 0x0a000063, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1000, seg, sizeof seg);
	assert_int_equal(t->tcb->snd_mss, 960);
	expect_seg(t, TCP_ACK, 1, 1, 960);
	expect_seg(t, TCP_ACK, 961, 1, 960);
	expect_seg(t, TCP_ACK, 1921, 1, 960);
	expect_state(t, TCP_ESTABLISHED);

	/* Never below 576 bytes of datagram. */
	send_icmp_error(t, 0x0a000063, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 100, seg, sizeof seg);
	assert_int_equal(t->tcb->snd_mss, 536);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TCP_TEST(test_unknown_protocol_unreachable, stack),
		TCP_TEST(test_error_quotes_at_most_576_bytes, stack),
		TCP_TEST(test_never_send_about, stack),
		TCP_TEST(test_errors_rate_limited, stack),
		TCP_TEST(test_reassembly_timeout_time_exceeded, stack),
		TCP_TEST(test_port_unreachable_aborts_connect, syn_sent),
		TCP_TEST(test_host_unreachable_is_soft, syn_sent),
		TCP_TEST(test_error_outside_window_ignored, established),
		TCP_TEST(test_bad_quotes_dropped, established),
		TCP_TEST(test_frag_needed_lowers_mss, established),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
