/*
 * test_tcp_output.c - what a connection puts on the wire: how big its
 * segments are once options ride on them, what happens when a segment
 * cannot be sent, the window it offers, and the order of its SACK blocks.
 *
 * Scripted against the harness (tcp_harness.h): the peer is played by the
 * test, time is virtual.  Each test here was written for a bug of issue 10
 * and failed before its fix.
 */
#include "tcp_harness.h"

static void app_send(struct tcp_test *t, const uint8_t *data, size_t n)
{
	assert_int_equal(tcp_user_send(user(t), t->tcb, data, n), (long)n);
}

/* ------------------------------------------------------------------ */
/* Room for options                                                     */
/* ------------------------------------------------------------------ */

/* RFC 9293 3.7.1 and RFC 6691: the MSS counts data only.  While we hold
 * a piece beyond a hole, every segment carries a SACK block (12 bytes of
 * options), so a full segment carries 1460 - 12 = 1448 bytes of data:
 * 1460 would make a 1512-byte datagram, which the device cannot take. */
static void test_full_segments_leave_room_for_sack_blocks(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t data[3000], piece[50];
	const struct tcp_seg *s;

	t->peer_sack_ok = 1;
	tcb_established(t);
	assert_true(t->tcb->sack_ok);
	memset(data, 'd', sizeof data);
	memset(piece, 'p', sizeof piece);

	/* The peer's bytes 1..100 are lost; 101..150 arrive. */
	send_seg(t, .flags = TCP_ACK, .seq = 101, .ack = 1, .data = piece, .len = 50);
	s = expect_seg(t, TCP_ACK, 1, 1, 0);
	assert_int_equal(s->nsack, 1);

	app_send(t, data, sizeof data);
	s = expect_seg(t, TCP_ACK, 1, 1, 1448);
	assert_int_equal(s->nsack, 1);
	assert_int_equal(s->hdr_len, 20 + 12);
	expect_seg(t, TCP_ACK, 1449, 1, 1448);
	expect_nothing(t);	/* Nagle holds the last 104 bytes */
	assert_int_equal(t->net.stats.tcp_send_failed, 0);

	/* The hole fills: no more SACK blocks, full segments again. */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 2897, .data = data, .len = 100);
	s = expect_seg(t, TCP_ACK | TCP_PSH, 2897, 151, 104);
	assert_int_equal(s->nsack, 0);
	app_send(t, data, sizeof data);
	s = expect_seg(t, TCP_ACK, 3001, 151, 1460);
	assert_int_equal(s->hdr_len, 20);
}

/* CVE-2019-11479: a peer that announces an MSS of 1 would have every byte
 * sent in a segment of its own; the stack sends at least 48 bytes of data
 * a segment, as Linux does. */
static void test_tiny_peer_mss_floored(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t data[100];

	t->peer_mss = 1;
	tcb_established(t);
	assert_int_equal(t->tcb->snd_mss, 48);
	memset(data, 't', sizeof data);
	app_send(t, data, sizeof data);
	expect_seg(t, TCP_ACK, 1, 1, 48);
	expect_seg(t, TCP_ACK, 49, 1, 48);
	expect_nothing(t);	/* Nagle holds the last 4 */
}

/* A segment the device refuses (a full queue: -ENOBUFS) was not sent:
 * snd.nxt stays, the failure is counted, and the retransmission timer
 * sends it. */
static void test_refused_segment_is_sent_by_the_timer(void **state)
{
	struct tcp_test *t = *state;

	t->refuse_sends = 1;
	app_send(t, (const uint8_t *)"abc", 3);
	expect_nothing(t);
	assert_int_equal(t->tcb->snd.nxt, t->tcb->snd.una);
	assert_int_equal(t->net.stats.tcp_send_failed, 1);
	assert_int_not_equal(t->tcb->rexmt_at, 0);

	advance(t, t->tcb->rtt.rto - 1);
	expect_nothing(t);
	advance(t, 1);
	expect_seg(t, TCP_ACK, 1, 1, 3);
	expect_payload(t, "abc", 3);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 4);
	expect_nothing(t);
	assert_int_equal(t->tcb->rexmt_at, 0);
}

/* ------------------------------------------------------------------ */
/* The window we offer                                                  */
/* ------------------------------------------------------------------ */

/* The right edge of the window an ACK offers: ack + (field << scale). */
static uint32_t right_edge(const struct tcp_test *t, const struct tcp_seg *s)
{
	return s->ack + ((uint32_t)s->wnd << t->tcb->rcv_wscale);
}

/* RFC 7323 2.4 and RFC 9293 3.8.6: the right edge of the window never
 * moves back.  With a scale of 3 the window is said in units of 8 bytes;
 * rounding down as RCV.NXT moves by amounts that are not multiples of 8
 * would pull the edge in (262145 after 1000 bytes, 262138 after 1001). */
static void test_scaled_window_edge_never_moves_back(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t data[1460];
	uint32_t seq = 1, edge, prev;
	const struct tcp_seg *s;
	int i;

	t->peer_wscale = 7;
	tcb_established(t);
	assert_int_equal(t->tcb->rcv_wscale, 3);
	assert_int_equal(t->tcb->snd_wscale, 7);
	memset(data, 'w', sizeof data);

	send_seg(t, .flags = TCP_ACK, .seq = seq, .ack = 1, .data = data, .len = 1000);
	seq += 1000;
	s = expect_seg(t, TCP_ACK, 1, seq, 0);
	prev = right_edge(t, s);
	/* Nobody reads: segment sizes that are not multiples of 8. */
	for (i = 0; i < 150; i++) {
		uint32_t len = 1001 + (uint32_t)(i * 37) % 459;

		send_seg(t, .flags = TCP_ACK, .seq = seq, .ack = 1, .data = data, .len = len);
		seq += len;
		s = expect_seg(t, TCP_ACK, 1, seq, 0);
		edge = right_edge(t, s);
		if (seq_lt(edge, prev))
			fail_msg("segment %d: the right edge moved back from %u to %u",
				 i, prev - t->irs, edge - t->irs);
		prev = edge;
	}
	expect_no_drop(t);
}

/* The buffer as the user sized it still fills to a zero window, and the
 * window never offers more than the buffer (with its reserve) can hold:
 * every byte the peer sends inside it is kept. */
static void test_scaled_window_closes_when_buffer_full(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t data[1460];
	uint32_t seq = 1, wnd;
	const struct tcp_seg *s;
	int rounds = 0;

	t->peer_wscale = 7;
	tcb_established(t);
	memset(data, 'f', sizeof data);
	wnd = t->tcb->rcv.wnd;
	while (wnd > 0) {
		uint32_t len = wnd < 1453 ? wnd : 1453;

		send_seg(t, .flags = TCP_ACK, .seq = seq, .ack = 1, .data = data, .len = len);
		seq += len;
		s = expect_seg(t, TCP_ACK, 1, seq, 0);
		wnd = (uint32_t)s->wnd << t->tcb->rcv_wscale;
		assert_true(++rounds < 1000);
	}
	expect_no_drop(t);
	assert_true(t->tcb->rcvbuf.len >= tcb_rcvbuf_size(t->tcb));
	assert_true(t->tcb->rcvbuf.len <= t->tcb->rcvbuf.cap);
}

/* ------------------------------------------------------------------ */
/* SACK blocks as a receiver (RFC 2018 4)                              */
/* ------------------------------------------------------------------ */

/* "The first SACK block MUST specify the contiguous block of data
 * containing the segment which triggered this ACK"; the others SHOULD
 * repeat the most recently reported blocks.  Pieces arrive at 301, then
 * 101, then 501: each ACK names the newest first, then the ones it named
 * before, newest first - not the blocks in sequence order. */
static void test_sack_blocks_newest_first(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t piece[50];
	const struct tcp_seg *s;

	t->peer_sack_ok = 1;
	tcb_established(t);
	memset(piece, 's', sizeof piece);

	send_seg(t, .flags = TCP_ACK, .seq = 301, .ack = 1, .data = piece, .len = 50);
	s = expect_seg(t, TCP_ACK, 1, 1, 0);
	assert_int_equal(s->nsack, 1);
	assert_int_equal(s->sack[0][0] - t->irs, 301);

	send_seg(t, .flags = TCP_ACK, .seq = 101, .ack = 1, .data = piece, .len = 50);
	s = expect_seg(t, TCP_ACK, 1, 1, 0);
	assert_int_equal(s->nsack, 2);
	assert_int_equal(s->sack[0][0] - t->irs, 101);
	assert_int_equal(s->sack[1][0] - t->irs, 301);

	send_seg(t, .flags = TCP_ACK, .seq = 501, .ack = 1, .data = piece, .len = 50);
	s = expect_seg(t, TCP_ACK, 1, 1, 0);
	assert_int_equal(s->nsack, 3);
	assert_int_equal(s->sack[0][0] - t->irs, 501);
	assert_int_equal(s->sack[1][0] - t->irs, 101);
	assert_int_equal(s->sack[2][0] - t->irs, 301);

	/* 151..200 joins the block at 101: that block comes first, grown. */
	send_seg(t, .flags = TCP_ACK, .seq = 151, .ack = 1, .data = piece, .len = 50);
	s = expect_seg(t, TCP_ACK, 1, 1, 0);
	assert_int_equal(s->nsack, 3);
	assert_int_equal(s->sack[0][0] - t->irs, 101);
	assert_int_equal(s->sack[0][1] - t->irs, 201);
	assert_int_equal(s->sack[1][0] - t->irs, 501);
	assert_int_equal(s->sack[2][0] - t->irs, 301);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TCP_TEST(test_full_segments_leave_room_for_sack_blocks, stack),
		TCP_TEST(test_tiny_peer_mss_floored, stack),
		TCP_TEST(test_refused_segment_is_sent_by_the_timer, established),
		TCP_TEST(test_scaled_window_edge_never_moves_back, stack),
		TCP_TEST(test_scaled_window_closes_when_buffer_full, stack),
		TCP_TEST(test_sack_blocks_newest_first, stack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
