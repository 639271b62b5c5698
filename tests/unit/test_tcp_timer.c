/*
 * test_tcp_timer.c - retransmission in virtual time (stack/tcp/tcp_timer.c).
 *
 * Read this first: RFC 6298 - 2.1 (the initial RTO is 1 s), 2.2 and 2.3
 * (SRTT, RTTVAR, RTO from measurements), 2.4 (RTO at least 1 s), 3 (Karn:
 * never measure a retransmitted segment), 5.1-5.7 (start, stop, back off,
 * restart the timer) - and RFC 1122 4.2.3.5 (give up after R2).  The
 * clock is the harness's: advance(t, ms) runs every timer at the moment it
 * is due, so "nothing at RTO-1, a retransmission at RTO" is exact.
 */
#include "tcp_harness.h"

/* RFC 6298 5.5: RTO <- RTO * 2, at most TCP_RTO_MAX_MS (2.5). */
static uint32_t backed_off(uint32_t rto)
{
	return rto * 2 > TCP_RTO_MAX_MS ? TCP_RTO_MAX_MS : rto * 2;
}

/* The SYN goes again at exactly the initial RTO (nothing at 999 ms), then
 * after 2 s more (3 s from the start), 4 s, ... ; after TCP_SYN_RETRIES
 * retransmissions, one more RTO, and connect() fails with ETIMEDOUT. */
static void test_syn_retransmitted_and_times_out(void **state)
{
	struct tcp_test *t = *state;
	uint32_t rto = TCP_RTO_INITIAL_MS;
	int i;

	for (i = 1; i <= TCP_SYN_RETRIES; i++) {
		advance(t, rto - 1);
		expect_nothing(t);
		advance(t, 1);
		expect_seg(t, TCP_SYN, 0, 0, 0);
		expect_nothing(t);
		expect_state(t, TCP_SYN_SENT);
		if (i == 2)	/* the second at 3*RTO from the first SYN */
			assert_int_equal(t->now - TEST_T0, 3 * TCP_RTO_INITIAL_MS);
		rto = backed_off(rto);
	}
	advance(t, rto - 1);
	expect_state(t, TCP_SYN_SENT);
	advance(t, 1);
	expect_nothing(t);	/* no RST: the peer never answered */
	expect_state(t, TCP_CLOSED);
	assert_int_equal(t->tcb->state, TCP_CLOSED);
	assert_int_equal(t->tcb->error, ETIMEDOUT);
	assert_true(net_next_deadline(&t->net) == UINT64_MAX);
}

/* The SYN,ACK of a passive open goes again too; a peer that never
 * completes the handshake costs the listener nothing in the end. */
static void test_syn_ack_retransmitted_and_given_up(void **state)
{
	struct tcp_test *t = *state;
	uint32_t rto = TCP_RTO_INITIAL_MS;
	const struct tcp_seg *s;
	int i;

	for (i = 1; i <= TCP_SYN_RETRIES; i++) {
		advance(t, rto - 1);
		expect_nothing(t);
		advance(t, 1);
		expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
		rto = backed_off(rto);
	}
	advance(t, rto);
	while ((s = next_seg(t)) != NULL)	/* a RST, maybe; no SYN */
		assert_false(s->flags & TCP_SYN);
	expect_state(t, TCP_CLOSED);
	assert_int_equal(tcb_count(t), 1);	/* the listener alone */
	assert_int_equal(t->listener->pending, 0);
}

/* A lost SYN,ACK of an active open: our SYN-SENT answer is an ACK; if the
 * peer's SYN,ACK came late, after a retransmitted SYN, the RTT is not
 * measured (Karn, RFC 6298 3) and the RTO for data is at least 3 s
 * (RFC 6298 5.7). */
static void test_syn_sent_late_syn_ack_no_sample(void **state)
{
	struct tcp_test *t = *state;

	advance(t, TCP_RTO_INITIAL_MS);
	expect_seg(t, TCP_SYN, 0, 0, 0);
	advance(t, 300);
	send_seg(t, .flags = TCP_SYN | TCP_ACK, .seq = 0, .ack = 1, .mss = 1460);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_state(t, TCP_ESTABLISHED);
	assert_int_equal(t->tcb->rtt.srtt_us, 0);	/* no sample taken */
	assert_int_equal(t->tcb->rtt.rto, 3000);
}

/* RFC 6298 2.2: the first measurement R sets SRTT = R, RTTVAR = R/2 and
 * RTO = SRTT + max(G, 4*RTTVAR), here raised to rto_min (2.4). */
static void test_first_rtt_sample(void **state)
{
	struct tcp_test *t = *state;

	/* The fixture's handshake took HANDSHAKE_RTT = 10 ms. */
	assert_int_equal(t->tcb->rtt.srtt_us, HANDSHAKE_RTT * 1000);
	assert_int_equal(t->tcb->rtt.rttvar_us, HANDSHAKE_RTT / 2 * 1000);
	assert_int_equal(t->tcb->rtt.rto, TCP_RTO_MIN_MS);
}

/* With a lower rto_min, the RTO is what RFC 6298 2.2 computes: a 200 ms
 * handshake gives 200 + 4*100 = 600 ms, and data goes again at 600. */
static void test_rto_from_measured_rtt(void **state)
{
	struct tcp_test *t = *state;

	t->net.tcp->rto_min_ms = 100;
	tcb_syn_received(t);
	advance(t, 200);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);
	t->tcb = tcp_user_accept(user(t), t->listener);
	assert_non_null(t->tcb);
	assert_int_equal(t->tcb->rtt.srtt_us, 200000);
	assert_int_equal(t->tcb->rtt.rttvar_us, 100000);
	assert_int_equal(t->tcb->rtt.rto, 600);

	assert_int_equal(tcp_user_send(user(t), t->tcb, (const uint8_t *)"abc", 3), 3);
	expect_seg(t, TCP_ACK | TCP_PSH, 1, 1, 3);
	advance(t, 599);
	expect_nothing(t);
	advance(t, 1);
	expect_seg(t, TCP_ACK, 1, 1, 3);
	expect_payload(t, "abc", 3);
}

/* Data is sent again at exactly RTO (RFC 6298 5.4), then after 2*RTO (5.5:
 * back off), i.e. at 3*RTO from the first send; an ACK of it all stops
 * the timer (5.2). */
static void test_data_retransmitted_at_rto(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[100];
	uint64_t start = t->now;

	memset(data, 'd', sizeof data);
	assert_int_equal(tcp_user_send(user(t), t->tcb, data, sizeof data), 100);
	expect_seg(t, TCP_ACK | TCP_PSH, 1, 1, 100);
	advance(t, TCP_RTO_MIN_MS - 1);
	expect_nothing(t);
	advance(t, 1);
	expect_seg(t, TCP_ACK, 1, 1, 100);
	expect_payload(t, data, 100);
	expect_nothing(t);
	advance(t, 2 * TCP_RTO_MIN_MS - 1);
	expect_nothing(t);
	advance(t, 1);
	expect_seg(t, TCP_ACK, 1, 1, 100);
	assert_int_equal(t->now - start, 3 * TCP_RTO_MIN_MS);
	assert_int_equal(t->net.stats.tcp_retransmits, 2);

	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);
	expect_nothing(t);
	advance(t, 60000);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
}

/* After 2^32 - 1 bytes acknowledged, snd.una comes round to iss again.
 * That must not pass for an unacknowledged SYN: a timeout then resends
 * the data (with ACK, without SYN), and an ACK of it takes all 100 bytes
 * from the send buffer.  (The 4 GiB are skipped: iss is moved to
 * snd.una, which is where they would leave it.) */
static void test_rto_when_snd_una_wraps_to_iss(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[100];

	t->tcb->iss = t->tcb->snd.una;
	memset(data, 'w', sizeof data);
	assert_int_equal(tcp_user_send(user(t), t->tcb, data, sizeof data), 100);
	expect_seg(t, TCP_ACK | TCP_PSH, 1, 1, 100);
	advance(t, TCP_RTO_MIN_MS);
	expect_seg(t, TCP_ACK, 1, 1, 100);
	expect_payload(t, data, 100);
	expect_nothing(t);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);
	assert_int_equal(t->tcb->sndbuf.len, 0);
	assert_int_equal(t->tcb->rexmt_at, 0);
	expect_nothing(t);
}

/* At a timeout only the earliest unacknowledged segment goes again (RFC
 * 6298 5.4; RFC 5681 3.1: the loss window is one segment). */
static void test_rto_resends_earliest_segment(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[300];

	t->peer_mss = 100;
	tcb_established(t);
	memset(data, 'e', sizeof data);
	assert_int_equal(tcp_user_send(user(t), t->tcb, data, sizeof data), 300);
	expect_seg(t, TCP_ACK, 1, 1, 100);
	expect_seg(t, TCP_ACK, 101, 1, 100);
	expect_seg(t, TCP_ACK, 201, 1, 100);
	advance(t, TCP_RTO_MIN_MS);
	expect_seg(t, TCP_ACK, 1, 1, 100);
	expect_nothing(t);
	/* Its ACK lets the rest go again. */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);
	expect_seg(t, TCP_ACK, 101, 1, 100);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 301);
	while (next_seg(t))
		;
	assert_int_equal(t->tcb->snd.una, TEST_ISS + 301);
}

/* Karn (RFC 6298 3): an ACK that arrives after a retransmission could be
 * for either copy, so it is no measurement: SRTT stays, and the backed-off
 * RTO is kept until a new segment is measured. */
static void test_karn_no_sample_after_retransmission(void **state)
{
	struct tcp_test *t = *state;
	uint32_t srtt = t->tcb->rtt.srtt_us, rttvar = t->tcb->rtt.rttvar_us;

	assert_int_equal(tcp_user_send(user(t), t->tcb, (const uint8_t *)"k", 1), 1);
	expect_seg(t, TCP_ACK | TCP_PSH, 1, 1, 1);
	advance(t, TCP_RTO_MIN_MS);
	expect_seg(t, TCP_ACK, 1, 1, 1);
	advance(t, 700);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 2);
	expect_nothing(t);
	assert_int_equal(t->tcb->rtt.srtt_us, srtt);
	assert_int_equal(t->tcb->rtt.rttvar_us, rttvar);
	assert_int_equal(t->tcb->rtt.rto, 2 * TCP_RTO_MIN_MS);

	/* A new segment, not retransmitted, is measured: 50 ms. */
	assert_int_equal(tcp_user_send(user(t), t->tcb, (const uint8_t *)"l", 1), 1);
	expect_seg(t, TCP_ACK | TCP_PSH, 2, 1, 1);
	advance(t, 50);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 3);
	/* RFC 6298 2.3: SRTT = 7/8 * 10 + 1/8 * 50 = 15. */
	assert_int_equal(t->tcb->rtt.srtt_us, (7 * srtt + 50000) / 8);
	assert_int_equal(t->tcb->rtt.rto, TCP_RTO_MIN_MS);	/* collapsed back */
}

/* RFC 6298 2.3 with whole-millisecond arithmetic would keep SRTT at 10 ms
 * for ever when every sample is 17: 7/8 * 10 + 17/8 = 10.875, truncated.
 * Kept in microseconds, SRTT goes to the samples. */
static void test_srtt_follows_small_changes(void **state)
{
	struct tcp_test *t = *state;
	int i;

	assert_int_equal(t->tcb->rtt.srtt_us, HANDSHAKE_RTT * 1000);
	for (i = 0; i < 40; i++) {
		assert_int_equal(tcp_user_send(user(t), t->tcb, (const uint8_t *)"s", 1), 1);
		expect_seg(t, TCP_ACK | TCP_PSH, 1 + (uint32_t)i, 1, 1);
		advance(t, 17);
		send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 2 + (uint32_t)i);
		expect_nothing(t);
	}
	assert_in_range(t->tcb->rtt.srtt_us, 16900, 17000);
}

/* After TCP_MAX_RETRIES retransmissions without progress the connection is
 * given up: a reset tells the peer, the user sees ETIMEDOUT. */
static void test_data_gives_up_after_max_retries(void **state)
{
	struct tcp_test *t = *state;
	uint32_t rto = t->tcb->rtt.rto;
	uint8_t buf[4];
	int i;

	assert_int_equal(tcp_user_send(user(t), t->tcb, (const uint8_t *)"gone", 4), 4);
	expect_seg(t, TCP_ACK | TCP_PSH, 1, 1, 4);
	for (i = 1; i <= TCP_MAX_RETRIES; i++) {
		advance(t, rto - 1);
		expect_nothing(t);
		advance(t, 1);
		expect_seg(t, TCP_ACK, 1, 1, 4);
		expect_nothing(t);
		rto = backed_off(rto);
	}
	advance(t, rto - 1);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
	advance(t, 1);
	expect_seg(t, TCP_RST, 5, 0, 0);	/* <SEQ=SND.NXT><CTL=RST> */
	expect_nothing(t);
	expect_state(t, TCP_CLOSED);
	assert_int_equal(t->tcb->error, ETIMEDOUT);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), -ETIMEDOUT);
}

/* Our FIN is retransmitted like data (FIN-WAIT-1 with the peer silent). */
static void test_fin_retransmitted(void **state)
{
	struct tcp_test *t = *state;

	tcp_user_close(user(t), t->tcb);
	t->tcb = NULL;
	expect_seg(t, TCP_FIN | TCP_ACK, 1, 1, 0);
	advance(t, TCP_RTO_MIN_MS - 1);
	expect_nothing(t);
	advance(t, 1);
	expect_seg(t, TCP_FIN | TCP_ACK, 1, 1, 0);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 2);
	expect_state(t, TCP_FIN_WAIT_2);
	expect_nothing(t);
}

/* Data waiting behind a zero window from the peer: 100 bytes sent, 100
 * more held, the byte at 101 ('P') will be the probe's. */
static void zero_window(struct tcp_test *t, uint8_t *data)
{
	t->peer_mss = 100;
	t->peer_wnd = 100;
	tcb_established(t);
	memset(data, 'z', 200);
	data[100] = 'P';
	assert_int_equal(tcp_user_send(user(t), t->tcb, data, 200), 200);
	expect_seg(t, TCP_ACK, 1, 1, 100);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = WND_ZERO);
	expect_nothing(t);
}

/* `n` probes, at RTO and backing off, each answered "still shut"; returns
 * the RTO for the next. */
static uint32_t probes_refused(struct tcp_test *t, int n)
{
	uint32_t rto = TCP_RTO_MIN_MS;
	int i;

	for (i = 0; i < n; i++) {
		advance(t, rto - 1);
		expect_nothing(t);
		advance(t, 1);
		expect_seg(t, TCP_ACK, 101, 1, 1);
		expect_payload(t, "P", 1);
		expect_nothing(t);
		send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = WND_ZERO);
		expect_nothing(t);
		expect_state(t, TCP_ESTABLISHED);
		rto = backed_off(rto);
	}
	return rto;
}

/* The window opens at the next probe: the peer takes its byte and offers
 * 100; the other 99 go at once. */
static void window_opens(struct tcp_test *t, const uint8_t *data, uint32_t rto)
{
	advance(t, rto);
	expect_seg(t, TCP_ACK, 101, 1, 1);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 102, .wnd = 100);
	expect_seg(t, TCP_ACK | TCP_PSH, 102, 1, 99);
	expect_payload(t, data + 101, 99);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 201, .wnd = 100);
	expect_nothing(t);
	assert_int_equal(t->tcb->sndbuf.len, 0);
}

/* RFC 9293 3.8.6.1: data waits behind a zero window; when the timer fires
 * a probe of one byte goes out, again with backoff; when the window opens
 * the data flows. */
static void test_zero_window_probe(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[200];

	zero_window(t, data);
	window_opens(t, data, probes_refused(t, 2));
}

/* As long as the peer answers the probes the connection never times out,
 * however many it takes (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17).  The
 * answers are not duplicate ACKs in RFC 5681's sense: a zero window is
 * flow control, not loss, and must not set off fast retransmit (Linux
 * probes with an old sequence number, so nothing is outstanding; FreeBSD
 * counts no duplicates while its persist timer runs). */
static void test_zero_window_probes_outlast_retries(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[200];

	zero_window(t, data);
	window_opens(t, data, probes_refused(t, 2 * TCP_MAX_RETRIES));
	assert_int_equal(t->net.stats.tcp_fast_retransmits, 0);
}

/* An orphan behind a zero window: the program closed with data still to
 * send, and the peer answers every probe "still shut".  A program could
 * wait for ever; nobody waits for an orphan, whose buffers would be held
 * for ever: after TCP_MAX_RETRIES probes it is reset and freed. */
static void test_orphan_behind_zero_window_given_up(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[200];
	uint32_t rto = TCP_RTO_MIN_MS;
	int i;

	zero_window(t, data);
	tcp_user_close(user(t), t->tcb);
	t->tcb = NULL;
	expect_nothing(t);	/* the FIN waits behind the data */
	for (i = 0; i < TCP_MAX_RETRIES; i++) {
		advance(t, rto);
		expect_seg(t, TCP_ACK, 101, 1, 1);	/* the probe */
		send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = WND_ZERO);
		expect_state(t, TCP_FIN_WAIT_1);
		rto = backed_off(rto);
	}
	advance(t, rto);
	expect_seg(t, TCP_RST, 101, 0, 0);
	expect_state(t, TCP_CLOSED);
	assert_int_equal(tcb_count(t), 1);	/* the listener alone */
}

/* A window update (not a timer) lets data out again after a probe: the
 * first segment carries the probe's byte again, and the capture says so;
 * it must not say "retransmission timeout", for no timer fired. */
static void test_window_update_after_probe_is_not_a_timeout(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[200];

	zero_window(t, data);
	probes_refused(t, 1);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = 100);
	expect_seg(t, TCP_ACK, 101, 1, 100);
	expect_payload(t, data + 100, 100);
	if (strstr(t->note_out, "timeout") || !strstr(t->note_out, "probe"))
		fail_msg("capture comment: %s", t->note_out);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 201, .wnd = 100);
	expect_nothing(t);
	assert_null(t->tcb->rexmt_cause);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TCP_TEST(test_syn_retransmitted_and_times_out, syn_sent),
		TCP_TEST(test_syn_ack_retransmitted_and_given_up, syn_received),
		TCP_TEST(test_syn_sent_late_syn_ack_no_sample, syn_sent),
		TCP_TEST(test_first_rtt_sample, established),
		TCP_TEST(test_rto_from_measured_rtt, stack),
		TCP_TEST(test_data_retransmitted_at_rto, established),
		TCP_TEST(test_rto_when_snd_una_wraps_to_iss, established),
		TCP_TEST(test_rto_resends_earliest_segment, stack),
		TCP_TEST(test_karn_no_sample_after_retransmission, established),
		TCP_TEST(test_srtt_follows_small_changes, established),
		TCP_TEST(test_data_gives_up_after_max_retries, established),
		TCP_TEST(test_fin_retransmitted, established),
		TCP_TEST(test_zero_window_probe, stack),
		TCP_TEST(test_zero_window_probes_outlast_retries, stack),
		TCP_TEST(test_window_update_after_probe_is_not_a_timeout, stack),
		TCP_TEST(test_orphan_behind_zero_window_given_up, stack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
