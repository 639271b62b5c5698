/*
 * test_tcp_input.c - "SEGMENT ARRIVES": what the stack does with each kind
 * of segment (stack/tcp/tcp_input.c), and data flowing both ways.
 *
 * Read this first: RFC 9293 section 3.10.7 - 3.10.7.1 (no connection:
 * answer with a reset), 3.10.7.2 (LISTEN), 3.10.7.4 (the acceptability
 * table and the steps after it) - with RFC 5961 (blind in-window attacks:
 * challenge ACKs, section 3 for RST, 4 for SYN, 5 for ACK, 7 for the rate
 * limit), 3.8.6 (the window) and 3.7.1 (MSS).  Scripts use relative
 * numbers (tcp_harness.h): the peer's first byte is seq 1, ours too.
 */
#include "tcp_golden.h"
#include "tcp_harness.h"

/* Bytes 0..n-1 of a recognizable pattern, for payloads. */
static void pattern(uint8_t *buf, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)(seed + i * 7);
}

/* ------------------------------------------------------------------ */
/* 3.10.7.1: no connection                                              */
/* ------------------------------------------------------------------ */

/* Nobody on the port: the stack answers as CLOSED, with absolute numbers
 * (there is no ISS to count ours from). */
static void no_connection(struct tcp_test *t)
{
	t->lport = LISTEN_PORT;
	t->rport = PEER_PORT;
	t->iss = 0;
	mark(t);
}

/* A SYN: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
static void test_closed_port_syn_rst(void **state)
{
	struct tcp_test *t = *state;
	const struct tcp_seg *s;

	no_connection(t);
	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	s = expect_seg(t, TCP_RST | TCP_ACK, 0, 1, 0);
	assert_int_equal(s->seq, 0);
	assert_int_equal(s->ack, TEST_IRS + 1);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_NO_SOCKET);
	assert_int_equal(t->net.stats.tcp_rst_sent, 1);
	assert_int_equal(tcb_count(t), 0);
}

/* The reset to Linux's own SYN is the reset Linux sends, byte for byte
 * (the TCP header; the IPv4 headers differ in their Identification). */
static void test_closed_port_rst_as_linux(void **state)
{
	struct tcp_test *t = *state;
	uint8_t pkt[DEVICE_MTU];
	long n;

	no_connection(t);
	send_tcp_bytes(t, linux_syn, sizeof linux_syn);
	assert_int_equal(pair_pending(t->peer), 1);
	n = device_recv(t->peer, pkt, sizeof pkt);
	assert_int_equal(n, IPV4_HDR_MIN + sizeof linux_rst);
	assert_memory_equal(pkt + IPV4_HDR_MIN, linux_rst, sizeof linux_rst);
}

/* SEG.LEN counts the data and the FIN: ACK = SEG.SEQ + 10 + 1. */
static void test_closed_port_data_fin_rst(void **state)
{
	struct tcp_test *t = *state;

	no_connection(t);
	send_seg(t, .flags = TCP_FIN | TCP_PSH, .seq = 1, .data = "0123456789",
		 .len = 10);
	expect_seg(t, TCP_RST | TCP_ACK, 0, 12, 0);
	expect_drop(t, DROP_TCP_NO_SOCKET);
}

/* A segment with ACK: <SEQ=SEG.ACK><CTL=RST>, no ACK of our own. */
static void test_closed_port_ack_rst(void **state)
{
	struct tcp_test *t = *state;

	no_connection(t);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 0x12345678,
		 .data = "x", .len = 1);
	expect_seg(t, TCP_RST, 0x12345678, 0, 0);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_NO_SOCKET);
}

/* A reset is never answered (two stacks would reset each other forever). */
static void test_closed_port_rst_ignored(void **state)
{
	struct tcp_test *t = *state;

	no_connection(t);
	send_seg(t, .flags = TCP_RST, .seq = 1);
	send_seg(t, .flags = TCP_RST | TCP_ACK, .seq = 1, .ack = 99);
	expect_nothing(t);
	assert_int_equal(t->net.stats.drops[DROP_TCP_NO_SOCKET], 2);
	assert_int_equal(t->net.stats.tcp_rst_sent, 0);
}

/* ------------------------------------------------------------------ */
/* 3.10.7.2: LISTEN                                                     */
/* ------------------------------------------------------------------ */

/* "Any acknowledgment is bad if it arrives on a connection still in the
 * LISTEN state": <SEQ=SEG.ACK><CTL=RST>. */
static void test_listen_ack_rst(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 77);
	expect_seg(t, TCP_RST, 77, 0, 0);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_BAD_ACK);
	assert_int_equal(tcb_count(t), 1);
}

/* "An incoming RST should be ignored." */
static void test_listen_rst_ignored(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_RST, .seq = 1);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_LISTEN_RST);
	assert_int_equal(tcb_count(t), 1);
}

/* Neither SYN, RST nor ACK (a bare FIN, say): dropped. */
static void test_listen_not_syn_dropped(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_FIN, .seq = 1);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_LISTEN_NOT_SYN);
}

/* The peer sends its SYN again (our SYN,ACK was lost): the same SYN,ACK
 * goes out again, and no second connection is made. */
static void test_syn_received_duplicate_syn(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	expect_nothing(t);
	expect_state(t, TCP_SYN_RECEIVED);
	assert_int_equal(tcb_count(t), 2);
	assert_int_equal(t->listener->pending, 1);
	/* And the handshake completes as usual. */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
}

/* A reset in SYN-RECEIVED (passive): the embryonic connection goes; the
 * listener is as it was (3.10.7.4 second step: "return this connection
 * to LISTEN state"). */
static void test_syn_received_rst(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_RST, .seq = 1);
	expect_nothing(t);
	expect_state(t, TCP_CLOSED);
	assert_int_equal(tcb_count(t), 1);
	assert_int_equal(t->listener->pending, 0);
	assert_null(tcp_user_accept(user(t), t->listener));
	expect_no_drop(t);
	advance(t, 10000);
	expect_nothing(t);	/* no SYN,ACK retransmission */
}

/* In SYN-RECEIVED an ACK of something we never sent: "form a reset
 * segment <SEQ=SEG.ACK><CTL=RST> and send it"; the handshake can still
 * complete. */
static void test_syn_received_bad_ack_rst(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 5);
	expect_seg(t, TCP_RST, 5, 0, 0);
	expect_nothing(t);
	expect_state(t, TCP_SYN_RECEIVED);
	expect_drop(t, DROP_TCP_BAD_ACK);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);
	expect_state(t, TCP_ESTABLISHED);
}

/* The third segment of the handshake may carry data (and here a FIN): the
 * ACK makes the connection ESTABLISHED, then the data and the FIN are
 * processed in that state (3.10.7.4: "enter ESTABLISHED state and continue
 * processing"). */
static void test_handshake_ack_with_data_and_fin(void **state)
{
	struct tcp_test *t = *state;
	uint8_t buf[16];

	send_seg(t, .flags = TCP_ACK | TCP_PSH | TCP_FIN, .seq = 1, .ack = 1,
		 .data = "hello", .len = 5);
	expect_seg(t, TCP_ACK, 1, 7, 0);
	expect_nothing(t);
	expect_state(t, TCP_CLOSE_WAIT);
	t->tcb = tcp_user_accept(user(t), t->listener);
	assert_non_null(t->tcb);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), 0);
}

/* listen(fd, 2): connections in SYN-RECEIVED or ready but not accepted
 * count against the backlog; a SYN beyond it is dropped (the peer will
 * send it again), as Linux does. */
static void test_listen_backlog_full(void **state)
{
	struct tcp_test *t = *state;

	tcb_listen(t, 2);
	t->iss = TEST_ISS;
	t->rport = 40000;
	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	t->rport = 40001;
	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	mark(t);
	t->rport = 40002;
	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_BACKLOG_FULL);
	expect_state(t, TCP_CLOSED);

	/* The first completes: ready, but still counted until accepted. */
	t->rport = 40000;
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);
	expect_state(t, TCP_ESTABLISHED);
	t->rport = 40002;
	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_BACKLOG_FULL);

	/* accept() makes room. */
	assert_non_null(tcp_user_accept(user(t), t->listener));
	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	expect_state(t, TCP_SYN_RECEIVED);
}

/* ------------------------------------------------------------------ */
/* 3.10.7.4, first: is the segment acceptable?                          */
/* ------------------------------------------------------------------ */

/* The table, at its edges.  Mostly RCV.NXT = 1000 and RCV.WND = 100: the
 * window is [1000, 1100). */
static const struct {
	uint32_t rcv_nxt, rcv_wnd, seq, len;
	int want;
	const char *why;
} acceptable_cases[] = {
	/* length 0, window 0: only SEG.SEQ = RCV.NXT */
	{ 1000, 0, 1000, 0, 1, "empty, zero window, at RCV.NXT" },
	{ 1000, 0, 999, 0, 0, "empty, zero window, before" },
	{ 1000, 0, 1001, 0, 0, "empty, zero window, after" },
	/* length 0, window > 0: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND */
	{ 1000, 100, 1000, 0, 1, "empty, at RCV.NXT" },
	{ 1000, 100, 1099, 0, 1, "empty, at the last slot" },
	{ 1000, 100, 1100, 0, 0, "empty, at the right edge" },
	{ 1000, 100, 999, 0, 0, "empty, before RCV.NXT" },
	/* length > 0, window 0: never */
	{ 1000, 0, 1000, 1, 0, "1 byte, zero window" },
	{ 1000, 0, 1000, 10, 0, "10 bytes, zero window" },
	{ 1000, 0, 999, 10, 0, "10 bytes, zero window, overlapping" },
	/* length > 0, window > 0: the first or the last byte in the window */
	{ 1000, 100, 1000, 10, 1, "first byte at RCV.NXT" },
	{ 1000, 100, 1099, 10, 1, "first byte at the last slot" },
	{ 1000, 100, 1100, 10, 0, "first byte at the right edge" },
	{ 1000, 100, 991, 10, 1, "last byte at RCV.NXT" },
	{ 1000, 100, 990, 10, 0, "last byte at RCV.NXT-1: all old" },
	{ 1000, 100, 1000, 100, 1, "the whole window" },
	{ 1000, 100, 1050, 100, 1, "runs beyond the edge: trimmed later" },
	/* SEG.LEN counts SYN and FIN: a bare FIN has length 1 */
	{ 1000, 100, 1000, 1, 1, "a FIN at RCV.NXT" },
	{ 1000, 100, 999, 1, 0, "a FIN before RCV.NXT: a repeat" },
	/* across the wrap: the window [0xFFFFFFF0, 0x50) */
	{ 0xFFFFFFF0u, 0x60, 0x10, 10, 1, "wrap: after 0" },
	{ 0xFFFFFFF0u, 0x60, 0xFFFFFFE8u, 10, 1, "wrap: last byte in" },
	{ 0xFFFFFFF0u, 0x60, 0xFFFFFFE6u, 10, 0, "wrap: all old" },
	{ 0xFFFFFFF0u, 0x60, 0x50, 0, 0, "wrap: at the right edge" },
	{ 0xFFFFFFF0u, 0x60, 0x4F, 0, 1, "wrap: at the last slot" },
};

static void test_acceptability_table(void **state)
{
	size_t i;
	(void)state;

	for (i = 0; i < sizeof acceptable_cases / sizeof acceptable_cases[0]; i++) {
		int got = tcp_segment_acceptable(acceptable_cases[i].rcv_nxt,
						 acceptable_cases[i].rcv_wnd,
						 acceptable_cases[i].seq,
						 acceptable_cases[i].len);

		if (!got != !acceptable_cases[i].want)
			fail_msg("%s: %s, expected %s", acceptable_cases[i].why,
				 got ? "acceptable" : "not acceptable",
				 acceptable_cases[i].want ? "acceptable"
							  : "not acceptable");
	}
}

/* The right edge of the window we advertised, as a relative number. */
static uint32_t right_edge(struct tcp_test *t)
{
	return t->tcb->rcv_adv - t->irs;
}

/* Data beyond the window: "an acknowledgment should be sent in reply";
 * the data is not delivered. */
static void test_out_of_window_data_acked(void **state)
{
	struct tcp_test *t = *state;
	uint8_t buf[16];

	send_seg(t, .flags = TCP_ACK, .seq = right_edge(t), .ack = 1,
		 .data = "beyond the edge", .len = 15);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_UNACCEPTABLE);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), -EAGAIN);
	expect_state(t, TCP_ESTABLISHED);
}

/* An old duplicate, entirely before RCV.NXT: answered with an ACK of what
 * we have, and not delivered twice. */
static void test_old_duplicate_data_acked(void **state)
{
	struct tcp_test *t = *state;
	uint8_t buf[32];

	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = "0123456789",
		 .len = 10);
	expect_seg(t, TCP_ACK, 1, 11, 0);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = "0123456789",
		 .len = 10);
	expect_seg(t, TCP_ACK, 1, 11, 0);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_UNACCEPTABLE);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), 10);
	assert_memory_equal(buf, "0123456789", 10);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), -EAGAIN);
}

/* A segment that overlaps what we have: the old bytes are trimmed, only
 * the new ones delivered (3.10.7.4: "trimming off any portions that lie
 * outside the window"). */
static void test_overlapping_data_trimmed(void **state)
{
	struct tcp_test *t = *state;
	uint8_t buf[32];

	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = "0123456789",
		 .len = 10);
	expect_seg(t, TCP_ACK, 1, 11, 0);
	/* Bytes 6..15: 6..10 again, then 11..15 new (and different, so a
	 * wrong trim shows). */
	send_seg(t, .flags = TCP_ACK, .seq = 6, .ack = 1, .data = "xxxxxABCDE",
		 .len = 10);
	expect_seg(t, TCP_ACK, 1, 16, 0);
	expect_nothing(t);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), 15);
	assert_memory_equal(buf, "0123456789ABCDE", 15);
}

/* Data after a hole: a duplicate ACK at once tells the peer where the
 * hole begins (RFC 5681 4.2); nothing is readable until the hole fills.
 * (The stack holds such pieces in its out-of-order queue, tcp_reass.c,
 * counted in tcp_ooo_queued; the hole's bytes then deliver both.) */
static void test_out_of_order_dup_ack(void **state)
{
	struct tcp_test *t = *state;
	uint8_t buf[32];

	send_seg(t, .flags = TCP_ACK, .seq = 11, .ack = 1, .data = "ABCDEFGHIJ",
		 .len = 10);
	expect_seg(t, TCP_ACK, 1, 1, 0);	/* the duplicate ACK */
	expect_nothing(t);
	assert_int_equal(t->net.stats.tcp_ooo_queued, 1);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), -EAGAIN);
	/* A second piece beyond the hole: another duplicate ACK. */
	send_seg(t, .flags = TCP_ACK, .seq = 21, .ack = 1, .data = "KLMNO",
		 .len = 5);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	/* The hole fills: everything is acknowledged, at once. */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = "0123456789",
		 .len = 10);
	expect_seg(t, TCP_ACK, 1, 26, 0);
	expect_nothing(t);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), 25);
	assert_memory_equal(buf, "0123456789ABCDEFGHIJKLMNO", 25);
	expect_no_drop(t);
}

/* Pieces of a 300-byte stream - a tiling of bytes 1..299 plus as many
 * again overlapping it at random - arrive in a scrambled order, byte 0
 * last: whatever the overlaps, the reader gets every byte once, in order,
 * and the FIN of the pieces that end the stream closes it.  A fixed
 * generator keeps it deterministic: seeds 1..20 (TUNTCP_REASS_SEEDS=n for
 * more), each on a connection of its own. */
#define LCG(x) ((x) = (x) * 1103515245u + 12345u, (x) >> 8)
static void reassemble(struct tcp_test *t, uint32_t rng)
{
	enum { N = 300, MAXP = 128 };
	static uint8_t stream[N], got[N + 1];
	struct piece { uint32_t off, len; } piece[MAXP], tmp;
	uint32_t off, i, j, n = 0, tiles;

	pattern(stream, N, 9);
	for (off = 1; off < N; off += piece[n++].len) {	/* the tiling */
		piece[n].off = off;
		piece[n].len = 1 + LCG(rng) % 25;
		if (off + piece[n].len > N)
			piece[n].len = N - off;
	}
	for (tiles = n; n < 2 * tiles; n++) {		/* the overlaps */
		piece[n].off = 1 + LCG(rng) % (N - 1);
		piece[n].len = 1 + LCG(rng) % 40;
		if (piece[n].off + piece[n].len > N)
			piece[n].len = N - piece[n].off;
	}
	assert_true(n <= MAXP);
	for (i = n - 1; i > 0; i--) {			/* Fisher-Yates */
		j = LCG(rng) % (i + 1);
		tmp = piece[i];
		piece[i] = piece[j];
		piece[j] = tmp;
	}
	for (i = 0; i < n; i++) {
		uint8_t fin = piece[i].off + piece[i].len == N ? TCP_FIN : 0;

		send_seg(t, .flags = TCP_ACK | fin, .seq = 1 + piece[i].off,
			 .ack = 1, .data = stream + piece[i].off,
			 .len = piece[i].len);
		expect_seg(t, TCP_ACK, 1, 1, 0);	/* a duplicate ACK each */
	}
	/* Now byte 0: everything is there, and the FIN. */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = stream, .len = 1);
	expect_seg(t, TCP_ACK, 1, N + 2, 0);
	expect_state(t, TCP_CLOSE_WAIT);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, got, sizeof got), N);
	assert_memory_equal(got, stream, N);
	assert_int_equal(t->tcb->reass_bytes, 0);
}

static void test_overlapping_pieces_reassembled(void **state)
{
	struct tcp_test *t = *state;
	uint32_t seed, seeds = getenv("TUNTCP_REASS_SEEDS") ?
		(uint32_t)atoi(getenv("TUNTCP_REASS_SEEDS")) : 20;

	for (seed = 1; seed <= seeds; seed++) {
		t->rport = (uint16_t)(PEER_PORT + seed);
		tcb_established(t);
		reassemble(t, seed);
		tcp_user_abort(user(t), t->tcb);	/* a RST; the block goes */
		t->tcb = NULL;
		while (next_seg(t))
			;
	}
	assert_int_equal(tcb_count(t), 1);
}

/* A FIN after a hole waits with the data before it: the connection
 * closes only once the hole fills (3.10.7.4 eighth step: the FIN is
 * processed when everything before it has arrived). */
static void test_fin_after_hole(void **state)
{
	struct tcp_test *t = *state;
	uint8_t buf[32];

	send_seg(t, .flags = TCP_ACK | TCP_FIN, .seq = 11, .ack = 1,
		 .data = "ABCDEFGHIJ", .len = 10);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_state(t, TCP_ESTABLISHED);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = "0123456789",
		 .len = 10);
	expect_seg(t, TCP_ACK, 1, 22, 0);	/* 20 bytes and the FIN */
	expect_nothing(t);
	expect_state(t, TCP_CLOSE_WAIT);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), 20);
	assert_memory_equal(buf, "0123456789ABCDEFGHIJ", 20);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), 0);
}

/* The same with a bare FIN beyond the hole. */
static void test_bare_fin_after_hole(void **state)
{
	struct tcp_test *t = *state;
	uint8_t buf[32];

	send_seg(t, .flags = TCP_ACK | TCP_FIN, .seq = 11, .ack = 1);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_state(t, TCP_ESTABLISHED);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = "0123456789",
		 .len = 10);
	expect_seg(t, TCP_ACK, 1, 12, 0);
	expect_state(t, TCP_CLOSE_WAIT);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), 10);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), 0);
}

/* A keep-alive probe (RFC 9293 3.8.4, RFC 1122 4.2.3.6): SEG.SEQ =
 * RCV.NXT - 1, with no data or one garbage byte; unacceptable, so it is
 * answered with an ACK, which is all the peer wants to know. */
static void test_keepalive_probe_answered(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_ACK, .seq = 0, .ack = 1);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	send_seg(t, .flags = TCP_ACK, .seq = 0, .ack = 1, .data = "", .len = 1);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
}

/* The peer's FIN again in CLOSE-WAIT (our ACK was lost): ACK it again. */
static void test_close_wait_fin_retransmitted(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 1);
	expect_seg(t, TCP_ACK, 1, 2, 0);
	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 1);
	expect_seg(t, TCP_ACK, 1, 2, 0);
	expect_nothing(t);
	expect_state(t, TCP_CLOSE_WAIT);
}

/* A reset in CLOSE-WAIT: ECONNRESET (3.10.7.4 second step). */
static void test_rst_in_close_wait(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 1);
	expect_seg(t, TCP_ACK, 1, 2, 0);
	send_seg(t, .flags = TCP_RST, .seq = 2);
	expect_nothing(t);
	expect_state(t, TCP_CLOSED);
	assert_int_equal(t->tcb->error, ECONNRESET);
}

/* In LAST-ACK: simply CLOSED, nothing more sent. */
static void test_rst_in_last_ack(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 1);
	expect_seg(t, TCP_ACK, 1, 2, 0);
	tcp_user_close(user(t), t->tcb);
	t->tcb = NULL;
	expect_seg(t, TCP_FIN | TCP_ACK, 1, 2, 0);
	send_seg(t, .flags = TCP_RST, .seq = 2);
	expect_nothing(t);
	expect_state(t, TCP_CLOSED);
	assert_int_equal(tcb_count(t), 1);
	advance(t, 10000);
	expect_nothing(t);	/* no FIN retransmission */
}

/* ------------------------------------------------------------------ */
/* 3.10.7.4, second: the RST bit (RFC 5961 section 3)                   */
/* ------------------------------------------------------------------ */

/* Exactly at RCV.NXT: the connection is reset. */
static void test_rst_at_rcv_nxt_resets(void **state)
{
	struct tcp_test *t = *state;
	uint8_t buf[8];

	send_seg(t, .flags = TCP_RST, .seq = 1);
	expect_nothing(t);
	expect_state(t, TCP_CLOSED);
	assert_int_equal(t->tcb->state, TCP_CLOSED);
	assert_int_equal(t->tcb->error, ECONNRESET);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf),
			 -ECONNRESET);
	/* As the kernel does: the reset is reported once, then a send on
	 * the dead connection says EPIPE and a receive says end of stream. */
	assert_int_equal(tcp_user_send(user(t), t->tcb, buf, 1), -EPIPE);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), 0);
	expect_no_drop(t);
	advance(t, 10000);
	expect_nothing(t);
}

/* A reset while an ACK is being delayed: the connection is CLOSED, and
 * nothing is sent from CLOSED, not even that ACK, however long the user
 * holds the socket (tcp_close_tcb disarms every timer). */
static void test_rst_cancels_delayed_ack(void **state)
{
	struct tcp_test *t = *state;
	static const uint8_t data[10] = "0123456789";

	t->net.tcp->ack_delay_ms = 40;
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = data,
		 .len = sizeof data);
	expect_nothing(t);		/* the ACK waits */
	assert_true(t->tcb->delack_at != 0);
	send_seg(t, .flags = TCP_RST, .seq = 11);
	expect_state(t, TCP_CLOSED);
	/* The fixture holds the block as a socket would (user = 1), so it
	 * outlives the reset and its error can be read. */
	assert_int_equal(t->tcb->error, ECONNRESET);
	advance(t, 1000);
	expect_nothing(t);
}

/* In the window but not at RCV.NXT: a challenge ACK, and the connection
 * lives.  A real peer answers the challenge with a reset at RCV.NXT. */
static void test_rst_in_window_challenged(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_RST, .seq = 100);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
	expect_drop(t, DROP_TCP_RST_CHALLENGED);
	assert_int_equal(t->net.stats.tcp_challenge_acks, 1);

	send_seg(t, .flags = TCP_RST, .seq = 1);
	expect_nothing(t);
	expect_state(t, TCP_CLOSED);
	assert_int_equal(t->tcb->error, ECONNRESET);
}

/* Outside the window (beyond it, or old): dropped without a word. */
static void test_rst_out_of_window_dropped(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_RST, .seq = right_edge(t));
	expect_nothing(t);
	expect_drop(t, DROP_TCP_RST_OUT_OF_WIN);
	send_seg(t, .flags = TCP_RST, .seq = right_edge(t) + 100000);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_RST_OUT_OF_WIN);
	send_seg(t, .flags = TCP_RST, .seq = 0);	/* before RCV.NXT */
	expect_nothing(t);
	expect_drop(t, DROP_TCP_RST_OUT_OF_WIN);
	expect_state(t, TCP_ESTABLISHED);
	assert_int_equal(t->net.stats.tcp_challenge_acks, 0);
}

/* ------------------------------------------------------------------ */
/* 3.10.7.4, fourth: the SYN bit (RFC 5961 section 4)                   */
/* ------------------------------------------------------------------ */

/* A SYN in a synchronized state, in the window: a challenge ACK; the
 * connection lives. */
static void test_syn_in_established_challenged(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_SYN, .seq = 1000, .mss = 1460);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
	expect_drop(t, DROP_TCP_SYN_CHALLENGED);
	assert_int_equal(t->net.stats.tcp_challenge_acks, 1);
}

/* The peer's old SYN again (before RCV.NXT): unacceptable, so an ACK of
 * what we have - the connection lives. */
static void test_old_syn_in_established_acked(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
}

/* RFC 5961 7: a connection sends at most one challenge ACK each
 * TCP_INVALID_RATELIMIT_MS; the excess is counted and not sent. */
static void test_challenge_ack_rate_limited(void **state)
{
	struct tcp_test *t = *state;
	int i;

	send_seg(t, .flags = TCP_RST, .seq = 100);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	for (i = 0; i < 5; i++)
		send_seg(t, .flags = TCP_RST, .seq = 101 + (uint32_t)i);
	send_seg(t, .flags = TCP_SYN, .seq = 300);
	expect_nothing(t);
	assert_int_equal(t->net.stats.tcp_challenge_acks, 1);
	assert_int_equal(t->net.stats.tcp_challenge_acks_limited, 6);

	advance(t, TCP_INVALID_RATELIMIT_MS - 1);
	send_seg(t, .flags = TCP_RST, .seq = 201);
	expect_nothing(t);
	advance(t, 1);
	send_seg(t, .flags = TCP_RST, .seq = 202);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	assert_int_equal(t->net.stats.tcp_challenge_acks, 2);
	expect_state(t, TCP_ESTABLISHED);
}

/* CVE-2016-5696: with one limit for the whole stack, an attacker who
 * floods a victim's connection with RSTs and counts the challenge ACKs on
 * its own connection learns which of its guesses were in the victim's
 * window.  Now the victim's flood leaves the attacker's count as it was:
 * its own in-window RST still gets its challenge ACK. */
static void test_challenge_acks_no_side_channel(void **state)
{
	struct tcp_test *t = *state;
	const uint16_t victim = PEER_PORT, attacker = PEER_PORT + 2;
	int i;

	/* The attacker's own connection, from another port. */
	t->rport = attacker;
	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);
	expect_state(t, TCP_ESTABLISHED);

	/* A flood of in-window RSTs at the victim: one challenge ACK. */
	t->rport = victim;
	for (i = 0; i < 200; i++)
		send_seg(t, .flags = TCP_RST, .seq = 1000 + 100 * (uint32_t)i);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);

	/* The attacker's probe on its own connection, the same instant. */
	t->rport = attacker;
	send_seg(t, .flags = TCP_RST, .seq = 100);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_state(t, TCP_ESTABLISHED);
	assert_int_equal(t->net.stats.tcp_challenge_acks, 2);
}

/* ------------------------------------------------------------------ */
/* 3.10.7.4, fifth: the ACK field (RFC 5961 section 5)                  */
/* ------------------------------------------------------------------ */

/* An ACK of data we never sent (beyond SND.NXT): "send an ACK, drop the
 * segment, and return" - its data is not delivered either. */
static void test_ack_of_unsent_data(void **state)
{
	struct tcp_test *t = *state;
	uint8_t buf[8];

	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 100, .data = "data",
		 .len = 4);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_BAD_ACK);
	assert_int_equal(t->tcb->snd.una, TEST_ISS + 1);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), -EAGAIN);
	expect_state(t, TCP_ESTABLISHED);
}

/* RFC 5961 5.2, the lower bound: an ACK older than SND.UNA - MAX.SND.WND
 * is just as suspicious. */
static void test_ack_too_old(void **state)
{
	struct tcp_test *t = *state;
	uint32_t old = 1 - t->tcb->max_snd_wnd - 1;

	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = old);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_drop(t, DROP_TCP_BAD_ACK);
	/* At the bound itself it is acceptable (a duplicate): no answer. */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = old + 1);
	expect_nothing(t);
	expect_no_drop(t);
}

/* ------------------------------------------------------------------ */
/* Data flowing                                                         */
/* ------------------------------------------------------------------ */

/* The peer's MSS bounds our segments (RFC 9293 3.7.1): MSS 100 on its
 * SYN, 300 bytes written, three segments of 100. */
static void test_send_segments_at_most_peer_mss(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[300];
	int i;

	t->peer_mss = 100;
	tcb_established(t);
	pattern(data, sizeof data, 1);
	assert_int_equal(tcp_user_send(user(t), t->tcb, data, sizeof data), 300);
	for (i = 0; i < 3; i++) {
		expect_seg(t, TCP_ACK, 1 + 100 * (uint32_t)i, 1, 100);
		expect_payload(t, data + 100 * i, 100);
	}
	assert_true(t->last.flags & TCP_PSH);	/* the last of the write */
	expect_nothing(t);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 301);
	expect_nothing(t);
	assert_int_equal(t->tcb->snd.una, TEST_ISS + 301);
	assert_int_equal(t->tcb->sndbuf.len, 0);
	advance(t, 10000);	/* all acknowledged: no retransmission */
	expect_nothing(t);
}

/* Never beyond SND.UNA + SND.WND (RFC 9293 3.8.6): the peer offers 300
 * bytes; 500 are written; 300 go; the rest when the window moves. */
static void test_send_within_peer_window(void **state)
{
	struct tcp_test *t = *state;
	const struct tcp_seg *s;
	uint8_t data[500];
	uint32_t next = 1;

	t->peer_mss = 100;
	t->peer_wnd = 300;
	tcb_established(t);
	pattern(data, sizeof data, 2);
	assert_int_equal(tcp_user_send(user(t), t->tcb, data, sizeof data), 500);
	while ((s = next_seg(t)) != NULL) {
		assert_int_equal(s->seq - t->iss, next);
		assert_true(s->len <= 100);
		assert_memory_equal(s->data, data + next - 1, s->len);
		next += s->len;
	}
	assert_int_equal(next, 301);	/* exactly the window, no more */

	/* The peer takes 200 and offers 300 again: the edge moves to 501. */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 201);
	while ((s = next_seg(t)) != NULL) {
		assert_int_equal(s->seq - t->iss, next);
		assert_true(s->len <= 100);
		assert_memory_equal(s->data, data + next - 1, s->len);
		next += s->len;
	}
	assert_int_equal(next, 501);
}

/* The peer's window is the bytes it can take; when it shrinks to zero
 * nothing more is sent. */
static void test_send_stops_at_zero_window(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[200];

	t->peer_mss = 100;
	t->peer_wnd = 100;
	tcb_established(t);
	pattern(data, sizeof data, 3);
	assert_int_equal(tcp_user_send(user(t), t->tcb, data, sizeof data), 200);
	expect_seg(t, TCP_ACK, 1, 1, 100);
	expect_nothing(t);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = WND_ZERO);
	expect_nothing(t);
	assert_int_equal(t->tcb->snd.wnd, 0);
	/* The window opens: the rest goes. */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = 100);
	expect_seg(t, TCP_ACK | TCP_PSH, 101, 1, 100);
	expect_payload(t, data + 100, 100);
}

/* What arrives in order is readable with tcp_user_recv(); the window we
 * advertise shrinks as the buffer fills, and reading reopens it with a
 * window update - once the gain is worth it (RFC 9293 3.8.6.2.2: at least
 * min(half the buffer, one MSS)). */
static void test_recv_and_window_update(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t data[4096], got[4096];
	const struct tcp_seg *s;

	t->net.tcp->rcvbuf_size = 4096;	/* a small buffer: the window shows */
	tcb_established(t);
	pattern(data, sizeof data, 4);

	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = data,
		 .len = 1000);
	s = expect_seg(t, TCP_ACK, 1, 1001, 0);
	assert_int_equal(s->wnd, 4096 - 1000);
	send_seg(t, .flags = TCP_ACK, .seq = 1001, .ack = 1, .data = data + 1000,
		 .len = 1460);
	s = expect_seg(t, TCP_ACK, 1, 2461, 0);
	assert_int_equal(s->wnd, 4096 - 2460);
	send_seg(t, .flags = TCP_ACK, .seq = 2461, .ack = 1, .data = data + 2460,
		 .len = 1460);
	s = expect_seg(t, TCP_ACK, 1, 3921, 0);
	assert_int_equal(s->wnd, 4096 - 3920);
	send_seg(t, .flags = TCP_ACK, .seq = 3921, .ack = 1, .data = data + 3920,
		 .len = 176);
	s = expect_seg(t, TCP_ACK, 1, 4097, 0);
	assert_int_equal(s->wnd, 0);		/* full */
	expect_no_drop(t);

	/* A byte into the closed window is not taken; the ACK repeats it. */
	send_seg(t, .flags = TCP_ACK, .seq = 4097, .ack = 1, .data = "!", .len = 1);
	s = expect_seg(t, TCP_ACK, 1, 4097, 0);
	assert_int_equal(s->wnd, 0);
	expect_drop(t, DROP_TCP_RCV_BUFFER_FULL);

	/* Reading 1000 bytes frees less than an MSS: no update yet (receiver
	 * silly window avoidance). */
	assert_int_equal(tcp_user_recv(user(t), t->tcb, got, 1000), 1000);
	expect_nothing(t);
	/* Reading 1000 more: 2000 free, worth an update. */
	assert_int_equal(tcp_user_recv(user(t), t->tcb, got + 1000, 1000), 1000);
	s = expect_seg(t, TCP_ACK, 1, 4097, 0);
	assert_int_equal(s->wnd, 2000);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, got + 2000, 4096), 2096);
	assert_memory_equal(got, data, 4096);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, got, 1), -EAGAIN);
}

/* An older segment must not set the send window (3.10.7.4 fifth step:
 * only if SND.WL1 < SEG.SEQ, or SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK):
 * a late copy offering a zero window does not stop us. */
static void test_window_update_ignores_older_segment(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = "0123456789",
		 .len = 10, .wnd = 5000);
	expect_seg(t, TCP_ACK, 1, 11, 0);
	send_seg(t, .flags = TCP_ACK, .seq = 11, .ack = 1, .data = "ABCDE",
		 .len = 5, .wnd = 5000);
	expect_seg(t, TCP_ACK, 1, 16, 0);
	assert_int_equal(t->tcb->snd.wl1, t->irs + 11);
	assert_int_equal(t->tcb->snd.wnd, 5000);
	/* A late retransmission from before (seq 6 < SND.WL1), overlapping
	 * what we have by 10 bytes and bringing one new, with a zero window:
	 * the byte is taken, the window is not. */
	send_seg(t, .flags = TCP_ACK, .seq = 6, .ack = 1, .data = "56789ABCDEF",
		 .len = 11, .wnd = WND_ZERO);
	expect_seg(t, TCP_ACK, 1, 17, 0);
	assert_int_equal(t->tcb->snd.wnd, 5000);
	/* A newer segment sets it. */
	send_seg(t, .flags = TCP_ACK, .seq = 17, .ack = 1, .wnd = 3000);
	expect_nothing(t);
	assert_int_equal(t->tcb->snd.wnd, 3000);
}

/* A SYN without the MSS option: RFC 9293 3.7.1 (and RFC 1122 4.2.2.6),
 * the peer is assumed to take 536 bytes. */
static void test_no_mss_option_means_536(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t data[2 * TCP_MIN_MSS];

	t->peer_mss = 0;
	tcb_established(t);
	assert_int_equal(tcp_user_send(user(t), t->tcb, data, sizeof data),
			 2 * TCP_MIN_MSS);
	expect_seg(t, TCP_ACK, 1, 1, TCP_MIN_MSS);
	expect_seg(t, TCP_ACK, 1 + TCP_MIN_MSS, 1, TCP_MIN_MSS);
	expect_nothing(t);
}

/* A peer MSS larger than our MTU allows is bounded by it. */
static void test_large_peer_mss_bounded_by_mtu(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t data[3000];
	const struct tcp_seg *s;

	t->peer_mss = 9000;
	tcb_established(t);
	assert_int_equal(tcp_user_send(user(t), t->tcb, data, sizeof data), 3000);
	while ((s = next_seg(t)) != NULL)
		assert_true(s->len <= TCP_DEFAULT_MSS);
}

/* After close(), send() fails with EPIPE; nothing is queued. */
static void test_send_after_close_epipe(void **state)
{
	struct tcp_test *t = *state;

	assert_int_equal(tcp_user_shutdown(user(t), t->tcb), 0);
	expect_seg(t, TCP_FIN | TCP_ACK, 1, 1, 0);
	assert_int_equal(tcp_user_send(user(t), t->tcb, (const uint8_t *)"x", 1),
			 -EPIPE);
	expect_nothing(t);
}

/* In CLOSE-WAIT the peer is done but we are not: our data still goes. */
static void test_send_in_close_wait(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 1);
	expect_seg(t, TCP_ACK, 1, 2, 0);
	assert_int_equal(tcp_user_send(user(t), t->tcb, (const uint8_t *)"bye", 3), 3);
	expect_seg(t, TCP_ACK | TCP_PSH, 1, 2, 3);
	expect_payload(t, "bye", 3);
	tcp_user_close(user(t), t->tcb);
	expect_seg(t, TCP_FIN | TCP_ACK, 4, 2, 0);
	send_seg(t, .flags = TCP_ACK, .seq = 2, .ack = 5);
	expect_state(t, TCP_CLOSED);
}

/* CLOSE with data still queued: "Queue this until all preceding SENDs
 * have been segmentized, then form a FIN segment" (3.10.4) - the FIN rides
 * on the last byte, however long the window makes it wait. */
static void test_fin_follows_queued_data(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[300];

	t->peer_mss = 100;
	t->peer_wnd = 100;
	tcb_established(t);
	pattern(data, sizeof data, 5);
	assert_int_equal(tcp_user_send(user(t), t->tcb, data, sizeof data), 300);
	expect_seg(t, TCP_ACK, 1, 1, 100);
	tcp_user_close(user(t), t->tcb);
	t->tcb = NULL;
	expect_nothing(t);		/* the FIN waits behind 200 bytes */
	expect_state(t, TCP_FIN_WAIT_1);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);
	expect_seg(t, TCP_ACK, 101, 1, 100);
	expect_nothing(t);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 201);
	expect_seg(t, TCP_ACK | TCP_FIN, 201, 1, 100);
	expect_payload(t, data + 200, 100);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 302);
	expect_state(t, TCP_FIN_WAIT_2);
}

/* ABORT (3.10.5): <SEQ=SND.NXT><CTL=RST>, and the connection is gone. */
static void test_abort_sends_rst(void **state)
{
	struct tcp_test *t = *state;

	assert_int_equal(tcp_user_send(user(t), t->tcb, (const uint8_t *)"abc", 3), 3);
	expect_seg(t, TCP_ACK | TCP_PSH, 1, 1, 3);
	tcp_user_abort(user(t), t->tcb);
	t->tcb = NULL;
	expect_seg(t, TCP_RST, 4, 0, 0);
	expect_nothing(t);
	expect_state(t, TCP_CLOSED);
	assert_int_equal(tcb_count(t), 1);
	advance(t, 10000);
	expect_nothing(t);	/* no retransmission of the data */
}

/* RFC 1122 4.2.2.13: a new SYN for the same pair of sockets, beyond the
 * old connection's numbers, may reopen it from TIME-WAIT; our new ISN is
 * then beyond anything the old one used. */
static void test_time_wait_new_syn_reopens(void **state)
{
	struct tcp_test *t = *state;
	const struct tcp_seg *s;
	uint32_t old_max;

	tcp_user_close(user(t), t->tcb);
	t->tcb = NULL;
	expect_seg(t, TCP_FIN | TCP_ACK, 1, 1, 0);
	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 2);
	expect_seg(t, TCP_ACK, 2, 2, 0);
	expect_state(t, TCP_TIME_WAIT);
	old_max = conn(t)->snd_max;

	send_seg(t, .flags = TCP_SYN, .seq = 100000, .mss = 1460);
	expect_state(t, TCP_SYN_RECEIVED);
	s = next_seg(t);
	assert_non_null(s);
	assert_int_equal(s->flags, TCP_SYN | TCP_ACK);
	assert_int_equal(s->ack, t->irs + 100001);
	assert_true(seq_gt(s->seq, old_max));
	expect_nothing(t);
	assert_int_equal(tcb_count(t), 2);	/* the listener and the new one */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* 3.10.7.1 */
		TCP_TEST(test_closed_port_syn_rst, stack),
		TCP_TEST(test_closed_port_rst_as_linux, stack),
		TCP_TEST(test_closed_port_data_fin_rst, stack),
		TCP_TEST(test_closed_port_ack_rst, stack),
		TCP_TEST(test_closed_port_rst_ignored, stack),
		/* 3.10.7.2 */
		TCP_TEST(test_listen_ack_rst, listen),
		TCP_TEST(test_listen_rst_ignored, listen),
		TCP_TEST(test_listen_not_syn_dropped, listen),
		TCP_TEST(test_syn_received_duplicate_syn, syn_received),
		TCP_TEST(test_syn_received_rst, syn_received),
		TCP_TEST(test_syn_received_bad_ack_rst, syn_received),
		TCP_TEST(test_handshake_ack_with_data_and_fin, syn_received),
		TCP_TEST(test_listen_backlog_full, stack),
		/* 3.10.7.4 first */
		cmocka_unit_test(test_acceptability_table),
		TCP_TEST(test_out_of_window_data_acked, established),
		TCP_TEST(test_old_duplicate_data_acked, established),
		TCP_TEST(test_overlapping_data_trimmed, established),
		TCP_TEST(test_out_of_order_dup_ack, established),
		TCP_TEST(test_overlapping_pieces_reassembled, stack),
		TCP_TEST(test_fin_after_hole, established),
		TCP_TEST(test_bare_fin_after_hole, established),
		TCP_TEST(test_keepalive_probe_answered, established),
		TCP_TEST(test_close_wait_fin_retransmitted, established),
		/* second */
		TCP_TEST(test_rst_at_rcv_nxt_resets, established),
		TCP_TEST(test_rst_cancels_delayed_ack, established),
		TCP_TEST(test_rst_in_window_challenged, established),
		TCP_TEST(test_rst_out_of_window_dropped, established),
		TCP_TEST(test_rst_in_close_wait, established),
		TCP_TEST(test_rst_in_last_ack, established),
		/* fourth */
		TCP_TEST(test_syn_in_established_challenged, established),
		TCP_TEST(test_old_syn_in_established_acked, established),
		TCP_TEST(test_challenge_ack_rate_limited, established),
		TCP_TEST(test_challenge_acks_no_side_channel, established),
		/* fifth */
		TCP_TEST(test_ack_of_unsent_data, established),
		TCP_TEST(test_ack_too_old, established),
		TCP_TEST(test_window_update_ignores_older_segment, established),
		/* data */
		TCP_TEST(test_send_segments_at_most_peer_mss, stack),
		TCP_TEST(test_send_within_peer_window, stack),
		TCP_TEST(test_send_stops_at_zero_window, stack),
		TCP_TEST(test_recv_and_window_update, stack),
		TCP_TEST(test_no_mss_option_means_536, stack),
		TCP_TEST(test_large_peer_mss_bounded_by_mtu, stack),
		TCP_TEST(test_send_after_close_epipe, established),
		TCP_TEST(test_send_in_close_wait, established),
		TCP_TEST(test_fin_follows_queued_data, stack),
		TCP_TEST(test_abort_sends_rst, established),
		TCP_TEST(test_time_wait_new_syn_reopens, established),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
