/*
 * test_tcp_wire.c - the TCP header on the wire: tcp_parse() and tcp_build()
 * (stack/wire/tcp_wire.c).
 *
 * Read this first: RFC 9293 section 3.1 (the header and its options),
 * RFC 1122 4.2.2.5 (options of unknown kind are skipped by their length),
 * RFC 7323 (window scale, timestamps), RFC 2018 (SACK-permitted).  A real
 * SYN sent by Linux is parsed field by field; a real RST sent by Linux is
 * built back to identical bytes; then the SYN is broken one defect at a
 * time and each variant must be refused with its own drop reason, both by
 * tcp_parse() and by the whole stack (counted once, answered by nothing).
 */
#include "tcp_golden.h"
#include "tcp_harness.h"

/* 10.0.0.2:7788 > 10.0.0.1:40000 [P.] seq 1001 ack 0xa55c9ec6 win 65535,
 * "hello"; checksum 0x553a computed apart from this code (Python). */
static const uint8_t hello_segment[25] = {
	0x1e, 0x6c, 0x9c, 0x40, 0x00, 0x00, 0x03, 0xe9,
	0xa5, 0x5c, 0x9e, 0xc6, 0x50, 0x18, 0xff, 0xff,
	0x55, 0x3a, 0x00, 0x00, 'h', 'e', 'l', 'l', 'o',
};

static void fix_tcp_checksum(uint8_t *tcp, size_t len, uint32_t src,
			     uint32_t dst)
{
	put16(tcp + TCP_OFF_CHECKSUM, 0);
	put16(tcp + TCP_OFF_CHECKSUM,
	      inet_fold(inet_sum(inet_pseudo_sum(src, dst, IP_PROTO_TCP,
						 (uint16_t)len), tcp, len)));
}

static void test_parse_linux_syn(void **state)
{
	struct tcp_seg s;
	(void)state;

	assert_int_equal(tcp_parse(linux_syn, sizeof linux_syn, PEER_ADDR,
				   OUR_ADDR, &s), DROP_NONE);
	assert_int_equal(s.src, PEER_ADDR);
	assert_int_equal(s.dst, OUR_ADDR);
	assert_int_equal(s.sport, 40000);
	assert_int_equal(s.dport, 7788);
	assert_int_equal(s.seq, LINUX_SYN_SEQ);
	assert_int_equal(s.ack, 0);
	assert_int_equal(s.hdr_len, 40);
	assert_int_equal(s.flags, TCP_SYN);
	assert_int_equal(s.wnd, 64240);
	assert_int_equal(s.checksum, 0xe9bc);
	assert_int_equal(s.urp, 0);
	assert_int_equal(s.mss, 1460);
	assert_int_equal(s.wscale, 10);
	assert_int_equal(s.sack_ok, 1);
	assert_int_equal(s.has_ts, 1);
	assert_int_equal(s.ts_val, 0x3ea311e0);
	assert_int_equal(s.ts_ecr, 0);
	assert_ptr_equal(s.data, linux_syn + 40);
	assert_int_equal(s.len, 0);
	assert_int_equal(s.seg_len, 1);		/* the SYN takes a number */
}

/* The same segment from another pair of addresses: the pseudo-header is
 * part of the checksum (RFC 9293 3.1). */
static void test_parse_checksum_covers_addresses(void **state)
{
	struct tcp_seg s;
	(void)state;

	assert_int_equal(tcp_parse(linux_syn, sizeof linux_syn, PEER_ADDR,
				   OUR_ADDR + 1, &s), DROP_TCP_BAD_CHECKSUM);
}

/* A plain segment built back to the bytes Linux sent. */
static void test_build_linux_rst(void **state)
{
	uint8_t buf[TCP_HDR_MAX + 4];
	size_t n;
	(void)state;

	memset(buf, 0xAA, sizeof buf);
	n = tcp_build(buf, OUR_ADDR, PEER_ADDR, 7788, 40000, 0,
		      LINUX_SYN_SEQ + 1, TCP_RST | TCP_ACK, 0, NULL, NULL, 0);
	assert_int_equal(n, sizeof linux_rst);
	assert_memory_equal(buf, linux_rst, sizeof linux_rst);
	assert_int_equal(buf[20], 0xAA);	/* nothing written beyond */
}

static void test_build_data_segment(void **state)
{
	uint8_t buf[TCP_HDR_MAX + 5];
	struct tcp_seg s;
	size_t n;
	(void)state;

	n = tcp_build(buf, OUR_ADDR, PEER_ADDR, 7788, 40000, 1001,
		      LINUX_SYN_SEQ + 6, TCP_PSH | TCP_ACK, 65535, NULL,
		      (const uint8_t *)"hello", 5);
	assert_int_equal(n, sizeof hello_segment);
	assert_memory_equal(buf, hello_segment, sizeof hello_segment);

	/* And back. */
	assert_int_equal(tcp_parse(buf, n, OUR_ADDR, PEER_ADDR, &s), DROP_NONE);
	assert_int_equal(s.seq, 1001);
	assert_int_equal(s.ack, LINUX_SYN_SEQ + 6);
	assert_int_equal(s.flags, TCP_PSH | TCP_ACK);
	assert_int_equal(s.len, 5);
	assert_int_equal(s.seg_len, 5);
	assert_memory_equal(s.data, "hello", 5);
	assert_int_equal(s.mss, 0);
	assert_int_equal(s.wscale, -1);
}

/* Options we build parse back to the same values. */
static void test_build_options_round_trip(void **state)
{
	uint8_t buf[TCP_HDR_MAX];
	struct tcp_opts o = { .mss = 1460, .wscale = 7 };
	struct tcp_seg s;
	size_t n;
	(void)state;

	n = tcp_build(buf, OUR_ADDR, PEER_ADDR, 7788, 40000, 1000,
		      LINUX_SYN_SEQ + 1, TCP_SYN | TCP_ACK, 65535, &o, NULL, 0);
	assert_int_equal(n % 4, 0);
	assert_int_equal(tcp_parse(buf, n, OUR_ADDR, PEER_ADDR, &s), DROP_NONE);
	assert_int_equal(s.hdr_len, n);
	assert_int_equal(s.mss, 1460);
	assert_int_equal(s.wscale, 7);
	assert_int_equal(s.seg_len, 1);
}

/* SACK blocks we build (RFC 2018 3) parse back, edges in order; a SACK
 * option whose length is not 2 + 8*n is malformed: the segment is dropped,
 * as for any other option of an impossible length. */
static void test_sack_blocks_round_trip(void **state)
{
	uint8_t buf[TCP_HDR_MAX];
	struct tcp_opts o = { .wscale = -1, .nsack = 3,
			      .sack = { { 5000, 6000 }, { 1000, 2000 },
					{ 0xFFFFFF00u, 100 } } };
	struct tcp_seg s;
	size_t n, at;
	(void)state;

	n = tcp_build(buf, OUR_ADDR, PEER_ADDR, 7788, 40000, 1000, 500,
		      TCP_ACK, 65535, &o, NULL, 0);
	assert_int_equal(tcp_parse(buf, n, OUR_ADDR, PEER_ADDR, &s), DROP_NONE);
	assert_int_equal(s.nsack, 3);
	assert_int_equal(s.sack[0][0], 5000);
	assert_int_equal(s.sack[0][1], 6000);
	assert_int_equal(s.sack[1][0], 1000);
	assert_int_equal(s.sack[1][1], 2000);
	assert_int_equal(s.sack[2][0], 0xFFFFFF00u);
	assert_int_equal(s.sack[2][1], 100);

	/* Find the option (kind 5) and make its length 2 + 8*n + 1. */
	for (at = TCP_HDR_MIN; at < n && buf[at] != TCPOPT_SACK; at++)
		;
	assert_true(at < n);
	assert_int_equal(buf[at + 1], 2 + 8 * 3);
	buf[at + 1] = 2 + 8 * 2 + 1;
	memset(buf + TCP_OFF_CHECKSUM, 0, 2);	/* (checksum first, so the */
	put16(buf + TCP_OFF_CHECKSUM,		/*  length is what fails) */
	      inet_fold(inet_sum(inet_pseudo_sum(OUR_ADDR, PEER_ADDR, IP_PROTO_TCP,
						 (uint16_t)n), buf, n)));
	/* Skipped, as Linux does; the segment is kept. */
	assert_int_equal(tcp_parse(buf, n, OUR_ADDR, PEER_ADDR, &s), DROP_NONE);
	assert_int_equal(s.bad_options, 1);
	assert_int_equal(s.nsack, 0);
}

/* EOL ends the list (what follows is padding); an unknown kind is skipped
 * by its length (RFC 1122 4.2.2.5). */
static void test_parse_eol_and_unknown_option(void **state)
{
	uint8_t buf[32];
	struct tcp_seg s;
	static const uint8_t opts[12] = {
		0xfe, 0x04, 0x12, 0x34,		/* kind 254 (experimental) */
		0x02, 0x04, 0x02, 0x18,		/* MSS 536 */
		0x00, 0x02, 0x04, 0xff,		/* EOL, then junk */
	};
	(void)state;

	tcp_build(buf, PEER_ADDR, OUR_ADDR, 40000, 7788, 1, 0, TCP_SYN, 1024,
		  NULL, NULL, 0);
	memcpy(buf + 20, opts, sizeof opts);
	buf[TCP_OFF_DOFF] = 8 << 4;
	fix_tcp_checksum(buf, sizeof buf, PEER_ADDR, OUR_ADDR);
	assert_int_equal(tcp_parse(buf, sizeof buf, PEER_ADDR, OUR_ADDR, &s),
			 DROP_NONE);
	assert_int_equal(s.mss, 536);
}

/* One defect of the Linux SYN: overwrite `n` bytes at `off` (or cut the
 * segment to `cut` bytes), then fix the checksum unless told not to. */
struct bad_syn {
	const char *name;
	enum drop_reason expect;
	size_t off;
	uint8_t bytes[4];
	size_t n;
	size_t cut;		/* 0: keep all 40 bytes */
	int keep_checksum;
};

#define SET(at, count, ...) .off = (at), .n = (count), .bytes = { __VA_ARGS__ }

static const struct bad_syn bad_syns[] = {
	{ "truncated header (19 bytes)", DROP_TCP_TOO_SHORT, .cut = 19 },
	{ "data offset 4 (16 bytes)", DROP_TCP_BAD_OFFSET,
	  SET(TCP_OFF_DOFF, 1, 0x40) },
	{ "data offset 0", DROP_TCP_BAD_OFFSET, SET(TCP_OFF_DOFF, 1, 0x00) },
	{ "data offset 15 (60 bytes) in 40", DROP_TCP_BAD_OFFSET,
	  SET(TCP_OFF_DOFF, 1, 0xf0) },
	{ "data offset 10 in a 36-byte segment", DROP_TCP_BAD_OFFSET,
	  .cut = 36 },
	{ "bad checksum (e9bd, not e9bc)", DROP_TCP_BAD_CHECKSUM,
	  SET(TCP_OFF_CHECKSUM, 2, 0xe9, 0xbd), .keep_checksum = 1 },
	{ "SYN+FIN", DROP_TCP_BAD_FLAGS,
	  SET(TCP_OFF_FLAGS, 1, TCP_SYN | TCP_FIN) },
	{ "SYN+RST", DROP_TCP_BAD_FLAGS,
	  SET(TCP_OFF_FLAGS, 1, TCP_SYN | TCP_RST) },
	{ "source port 0", DROP_TCP_BAD_PORT, SET(TCP_OFF_SPORT, 2, 0, 0) },
	{ "destination port 0", DROP_TCP_BAD_PORT, SET(TCP_OFF_DPORT, 2, 0, 0) },
};

#define N_BAD (sizeof bad_syns / sizeof bad_syns[0])

/* Malformed options: the segment is kept (as Linux keeps it), the bad
 * option skipped - or, for a length that cannot be, the rest of the list
 * - and what parsed before it stays.  `mss` and `wscale` are what must be
 * read from the list afterwards (the Linux SYN's options are MSS 1460,
 * SACK_PERM, TS, NOP, WS 7). */
static const struct bad_syn bad_options[] = {
	{ "option length 0 (SACK_PERM)", DROP_NONE, SET(25, 1, 0x00) },
	{ "option length 1 (SACK_PERM)", DROP_NONE, SET(25, 1, 0x01) },
	{ "option overruns the header (TS length 30)", DROP_NONE, SET(27, 1, 30) },
	{ "option kind in the last byte, no length", DROP_NONE,
	  SET(36, 4, 0x01, 0x01, 0x01, 0x03) },
	{ "MSS option of length 3", DROP_NONE, SET(21, 1, 0x03) },
	{ "MSS option of length 6", DROP_NONE, SET(21, 1, 0x06) },
	{ "TS option of length 8", DROP_NONE, SET(27, 1, 0x08) },
	{ "WS option of length 2", DROP_NONE, SET(38, 1, 0x02) },
};
/* What each case above leaves parsed: MSS (0: none), window scale (-1).
 * A wrong length misaligns what follows, which is then read for whatever
 * it looks like (the MSS of length 6 lands on bytes that read as a window
 * scale of 10), as Linux reads it too. */
static const struct { uint16_t mss; int8_t wscale; } bad_options_left[] = {
	{ 1460, -1 }, { 1460, -1 }, { 1460, -1 }, { 1460, -1 },
	{ 0, -1 }, { 0, 10 }, { 1460, -1 }, { 1460, -1 },
};

#define N_BAD_OPTIONS (sizeof bad_options / sizeof bad_options[0])

static size_t make_bad(const struct bad_syn *b, uint8_t *buf)
{
	size_t len = b->cut ? b->cut : sizeof linux_syn;

	memcpy(buf, linux_syn, sizeof linux_syn);
	memcpy(buf + b->off, b->bytes, b->n);
	if (!b->keep_checksum && len >= TCP_HDR_MIN)
		fix_tcp_checksum(buf, len, PEER_ADDR, OUR_ADDR);
	return len;
}

static void test_parse_rejects_each_defect(void **state)
{
	size_t i;
	(void)state;

	for (i = 0; i < N_BAD; i++) {
		uint8_t buf[sizeof linux_syn];
		size_t len = make_bad(&bad_syns[i], buf);
		struct tcp_seg s;
		enum drop_reason why = tcp_parse(buf, len, PEER_ADDR, OUR_ADDR,
						 &s);

		if (why != bad_syns[i].expect)
			fail_msg("%s: %s, expected %s", bad_syns[i].name,
				 why ? drop_name(why) : "accepted",
				 drop_name(bad_syns[i].expect));
	}
}

static void test_parse_skips_each_bad_option(void **state)
{
	size_t i;
	(void)state;

	for (i = 0; i < N_BAD_OPTIONS; i++) {
		uint8_t buf[sizeof linux_syn];
		size_t len = make_bad(&bad_options[i], buf);
		struct tcp_seg s;
		enum drop_reason why = tcp_parse(buf, len, PEER_ADDR, OUR_ADDR, &s);

		if (why != DROP_NONE || !s.bad_options)
			fail_msg("%s: %s, bad_options %d; expected kept and marked",
				 bad_options[i].name, why ? drop_name(why) : "kept",
				 s.bad_options);
		if (s.mss != bad_options_left[i].mss ||
		    s.wscale != bad_options_left[i].wscale)
			fail_msg("%s: mss %u wscale %d left, expected %u and %d",
				 bad_options[i].name, s.mss, s.wscale,
				 bad_options_left[i].mss, bad_options_left[i].wscale);
	}
}

/* Through the stack: a SYN with a malformed option still opens the
 * connection; it is counted, not dropped. */
static void test_stack_keeps_syn_with_bad_option(void **state)
{
	struct tcp_test *t = *state;
	uint8_t buf[sizeof linux_syn];
	size_t len = make_bad(&bad_options[4], buf);	/* MSS of length 3 */

	t->irs = LINUX_SYN_SEQ;
	t->iss = TEST_ISS;
	send_tcp_bytes(t, buf, len);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	expect_no_drop(t);
	expect_state(t, TCP_SYN_RECEIVED);
	assert_int_equal(t->net.stats.tcp_bad_options, 1);
	assert_int_equal(conn(t)->snd_mss, TCP_MIN_MSS);	/* no MSS read */
}

/* The good SYN, to a listener, is answered with a SYN,ACK: so each
 * variant below is refused for its defect, not for something else. */
static void test_stack_answers_linux_syn(void **state)
{
	struct tcp_test *t = *state;

	t->irs = LINUX_SYN_SEQ;
	t->iss = TEST_ISS;
	send_tcp_bytes(t, linux_syn, sizeof linux_syn);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	expect_no_drop(t);
	expect_state(t, TCP_SYN_RECEIVED);
}

/* Through the whole stack: each variant counted once under its own reason,
 * no connection made, and nothing sent (not even a reset: a segment that
 * does not parse belongs to no connection we could name). */
static void test_stack_drops_each_defect(void **state)
{
	struct tcp_test *t = *state;
	size_t i;

	for (i = 0; i < N_BAD; i++) {
		uint8_t buf[sizeof linux_syn];
		size_t len = make_bad(&bad_syns[i], buf);
		uint64_t before = t->net.stats.drops[bad_syns[i].expect];
		uint64_t total = 0, total_before = 0;
		int r;

		for (r = 0; r < DROP_COUNT; r++)
			total_before += t->net.stats.drops[r];
		send_tcp_bytes(t, buf, len);
		for (r = 0; r < DROP_COUNT; r++)
			total += t->net.stats.drops[r];
		if (t->net.stats.drops[bad_syns[i].expect] != before + 1 ||
		    total != total_before + 1)
			fail_msg("%s: not counted once as %s", bad_syns[i].name,
				 drop_name(bad_syns[i].expect));
		if (pair_pending(t->peer))
			fail_msg("%s: the stack answered", bad_syns[i].name);
	}
	assert_int_equal(tcb_count(t), 1);	/* the listener alone */
}

static void test_flags_str(void **state)
{
	char buf[8];
	(void)state;

	assert_string_equal(tcp_flags_str(TCP_SYN, buf), "S");
	assert_string_equal(tcp_flags_str(TCP_SYN | TCP_ACK, buf), "S.");
	assert_string_equal(tcp_flags_str(TCP_FIN | TCP_PSH | TCP_ACK, buf),
			    "FP.");
	assert_string_equal(tcp_flags_str(TCP_RST | TCP_ACK, buf), "R.");
	assert_string_equal(tcp_flags_str(0, buf), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_linux_syn),
		cmocka_unit_test(test_parse_checksum_covers_addresses),
		cmocka_unit_test(test_build_linux_rst),
		cmocka_unit_test(test_build_data_segment),
		cmocka_unit_test(test_build_options_round_trip),
		cmocka_unit_test(test_sack_blocks_round_trip),
		cmocka_unit_test(test_parse_eol_and_unknown_option),
		cmocka_unit_test(test_parse_rejects_each_defect),
		cmocka_unit_test(test_parse_skips_each_bad_option),
		TCP_TEST(test_stack_keeps_syn_with_bad_option, listen),
		TCP_TEST(test_stack_answers_linux_syn, listen),
		TCP_TEST(test_stack_drops_each_defect, listen),
		cmocka_unit_test(test_flags_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
