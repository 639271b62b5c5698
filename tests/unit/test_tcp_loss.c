/*
 * test_tcp_loss.c - recovery from loss, each case a script in virtual time.
 *
 * Read this first: a lost segment is simply one the script does not
 * deliver (ours: the test pops it and the peer never answers; the peer's:
 * the test never calls send_seg for it).  What must follow is fixed by
 *   RFC 6298    the retransmission timer: 1 s at first and at least 1 s
 *               (2.1, 2.4), doubled at each timeout (5.5), never measuring
 *               a retransmitted segment (3, Karn), 3 s for data after a
 *               SYN timed out (5.7);
 *   RFC 5681    fast retransmit on the third duplicate ACK, ssthresh =
 *               max(FlightSize/2, 2*SMSS) (eq. 4), cwnd = 1 MSS after a
 *               timeout (3.1), an immediate ACK for out-of-order data and
 *               for data that fills a hole (4.2);
 *   RFC 6582    NewReno: a partial ACK resends the next hole at once (3.2);
 *   RFC 9293    3.8.6.1 zero-window probes; 3.10.7.4 the acceptability
 *               test that answers old duplicates with an ACK.
 * Numbers are relative (tcp_harness.h): our first byte is seq 1, the
 * peer's too.  Most tests use a peer MSS of 100 so that segments are
 * short and their numbers easy to read; the initial window is then 4
 * segments (RFC 5681 3.1: min(4*SMSS, max(2*SMSS, 4380)) = 400).
 */
#include "tcp_harness.h"

/* RFC 6298 5.5: RTO <- RTO * 2, at most TCP_RTO_MAX_MS (2.5). */
static uint32_t backed_off(uint32_t rto)
{
	return rto * 2 > TCP_RTO_MAX_MS ? TCP_RTO_MAX_MS : rto * 2;
}

/* Bytes 0..n-1 of a recognizable pattern, for payloads. */
static void pattern(uint8_t *buf, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)(seed + i * 7);
}

/* The user writes all of `data`; it must fit the send buffer. */
static void app_send(struct tcp_test *t, const uint8_t *data, size_t n)
{
	assert_int_equal(tcp_user_send(user(t), t->tcb, data, n), (long)n);
}

/* Milliseconds since `t0`. */
static uint64_t since(const struct tcp_test *t, uint64_t t0)
{
	return t->now - t0;
}

/* The peer as a plain receiver that takes bytes only in order: every
 * segment the stack sent is popped, must begin exactly where the stream
 * goes on (*nxt, relative), and its bytes land at stream[seq - 1].
 * Returns how many segments there were. */
static int peer_takes(struct tcp_test *t, uint8_t *stream, uint32_t *nxt)
{
	const struct tcp_seg *s;
	int n = 0;

	while ((s = next_seg(t)) != NULL) {
		assert_true(s->flags & TCP_ACK);
		assert_int_equal(s->seq - t->iss, *nxt);
		memcpy(stream + *nxt - 1, s->data, s->len);
		*nxt += s->len;
		n++;
	}
	return n;
}

/* The rest of a transfer of `total` bytes flows with nothing lost: the
 * peer, which holds the stream up to `nxt`, acknowledges what it has
 * (window `wnd`) and takes what that lets out, until every byte is in;
 * then the stream must equal `data` and the timer be stopped. */
static void rest_flows(struct tcp_test *t, const uint8_t *data, uint32_t total,
		       uint8_t *stream, uint32_t nxt, uint16_t wnd)
{
	int rounds = 0, sent;

	for (;;) {
		send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = nxt, .wnd = wnd);
		if (nxt == total + 1)
			break;
		sent = peer_takes(t, stream, &nxt);
		assert_true(sent > 0);	/* or the transfer stalls */
		assert_true(++rounds < 1000);
	}
	expect_nothing(t);
	assert_memory_equal(stream, data, total);
	assert_int_equal(t->tcb->sndbuf.len, 0);
	assert_int_equal(t->tcb->rexmt_at, 0);	/* RFC 6298 5.2 */
}

/* ESTABLISHED (passive open) with a peer whose MSS is 100. */
static int setup_established_mss100(void **state)
{
	struct tcp_test *t;

	if (setup_stack(state) != 0)
		return -1;
	t = *state;
	t->peer_mss = 100;
	tcb_established(t);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The handshake                                                        */
/* ------------------------------------------------------------------ */

/* Our SYN is lost (active open): nothing arrives, the SYN goes again at
 * exactly the initial RTO (RFC 6298 2.1, 5.4), with its MSS option; the
 * peer's SYN,ACK then completes the handshake.  It could answer either
 * SYN, so it is no RTT sample (Karn, RFC 6298 3): SRTT stays unset and
 * the RTO backed off, until the first new segment is measured. */
static void test_lost_syn_recovered(void **state)
{
	struct tcp_test *t = *state;
	uint64_t t0 = t->now;

	advance(t, TCP_RTO_INITIAL_MS - 1);
	expect_nothing(t);
	advance(t, 1);
	expect_seg(t, TCP_SYN, 0, 0, 0);
	assert_int_not_equal(t->last.mss, 0);
	expect_nothing(t);
	expect_state(t, TCP_SYN_SENT);

	advance(t, 10);
	send_seg(t, .flags = TCP_SYN | TCP_ACK, .seq = 0, .ack = 1, .mss = 1460);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
	assert_int_equal(since(t, t0), TCP_RTO_INITIAL_MS + 10);
	assert_int_equal(t->tcb->rtt.srtt_us, 0);		/* Karn: no sample */
	assert_int_equal(t->tcb->rexmt_at, 0);		/* nothing in flight */
	assert_int_equal(t->net.stats.tcp_retransmits, 0);	/* a SYN, not data */

	/* The first data segment is new: it is measured (40 ms), and the RTO
	 * comes from that sample (RFC 6298 2.2: 40 + 4*20, raised to 1 s). */
	app_send(t, (const uint8_t *)"x", 1);
	expect_seg(t, TCP_ACK | TCP_PSH, 1, 1, 1);
	advance(t, 40);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 2);
	expect_nothing(t);
	assert_int_equal(t->tcb->rtt.srtt_us, 40000);
	assert_int_equal(t->tcb->rtt.rttvar_us, 20000);
	assert_int_equal(t->tcb->rtt.rto, TCP_RTO_MIN_MS);
}

/* RFC 6298 5.7: "If the timer expires awaiting the ACK of a SYN segment
 * and the TCP implementation is using an RTO less than 3 seconds, the RTO
 * MUST be re-initialized to 3 seconds when data transmission begins."
 * (Linux: TCP_TIMEOUT_FALLBACK in tcp_init_metrics.)  So the first data,
 * lost too, goes again at 3 s, not at the backed-off 2 s. */
static void test_lost_syn_data_rto_is_3s(void **state)
{
	struct tcp_test *t = *state;

	advance(t, TCP_RTO_INITIAL_MS);
	expect_seg(t, TCP_SYN, 0, 0, 0);
	advance(t, 10);
	send_seg(t, .flags = TCP_SYN | TCP_ACK, .seq = 0, .ack = 1, .mss = 1460);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_state(t, TCP_ESTABLISHED);

	app_send(t, (const uint8_t *)"lost", 4);
	expect_seg(t, TCP_ACK | TCP_PSH, 1, 1, 4);
	advance(t, 2 * TCP_RTO_INITIAL_MS - 1);
	expect_nothing(t);
	advance(t, 1000);
	expect_nothing(t);
	advance(t, 1);
	expect_seg(t, TCP_ACK, 1, 1, 4);
	expect_payload(t, "lost", 4);
}

/* RFC 6298 5.7 again, after three SYN timeouts: the RTO had backed off to
 * 8 s; when data begins it is 3 s, not 8. */
static void test_lost_syns_rto_back_to_3s(void **state)
{
	struct tcp_test *t = *state;
	uint32_t rto = TCP_RTO_INITIAL_MS;
	int i;

	for (i = 0; i < 3; i++) {
		advance(t, rto);
		expect_seg(t, TCP_SYN, 0, 0, 0);
		rto = backed_off(rto);
	}
	assert_int_equal(t->tcb->rtt.rto, 8000);
	advance(t, 10);
	send_seg(t, .flags = TCP_SYN | TCP_ACK, .seq = 0, .ack = 1, .mss = 1460);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_state(t, TCP_ESTABLISHED);
	assert_int_equal(t->tcb->rtt.rto, 3000);

	app_send(t, (const uint8_t *)"lost", 4);
	expect_seg(t, TCP_ACK | TCP_PSH, 1, 1, 4);
	advance(t, 2999);
	expect_nothing(t);
	advance(t, 1);
	expect_seg(t, TCP_ACK, 1, 1, 4);
}

/* RFC 5681 3.1: "If the SYN or SYN/ACK is lost, the initial window used
 * by a sender after a correctly transmitted SYN MUST be one segment."
 * (Linux deliberately relaxes this to "more than one SYN retransmission",
 * tcp_init_transfer(), because of the 1 s initial RTO of RFC 6298.) */
static void test_lost_syn_initial_window_one_segment(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[400];

	pattern(data, sizeof data, 1);
	advance(t, TCP_RTO_INITIAL_MS);
	expect_seg(t, TCP_SYN, 0, 0, 0);
	advance(t, 10);
	send_seg(t, .flags = TCP_SYN | TCP_ACK, .seq = 0, .ack = 1, .mss = 100);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_state(t, TCP_ESTABLISHED);

	app_send(t, data, sizeof data);
	expect_seg(t, TCP_ACK, 1, 1, 100);
	expect_nothing(t);
	assert_int_equal(t->tcb->cwnd, 100);
}

/* Our SYN,ACK is lost (passive open), and the peer's timer fires first:
 * its SYN arrives again.  We answer with the same SYN,ACK (same ISS, same
 * ACK) at once; our own timer is not restarted by it, and once the peer's
 * ACK arrives nothing more is sent - at our RTO or ever. */
static void test_lost_syn_ack_peer_resends_syn(void **state)
{
	struct tcp_test *t = *state;
	uint64_t t0 = t->now;

	advance(t, 500);
	expect_nothing(t);
	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = t->peer_mss);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	assert_int_not_equal(t->last.mss, 0);
	expect_nothing(t);
	expect_state(t, TCP_SYN_RECEIVED);
	assert_int_equal(tcb_count(t), 2);	/* the same embryo, not a second */
	assert_int_equal(t->listener->pending, 1);
	assert_int_equal(conn(t)->rexmt_at, t0 + TCP_RTO_INITIAL_MS);

	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
	t->tcb = tcp_user_accept(user(t), t->listener);
	assert_non_null(t->tcb);
	assert_int_equal(t->tcb->rexmt_at, 0);
	advance(t, 10 * TCP_RTO_INITIAL_MS);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
}

/* Karn for the SYN,ACK of the case above: the SYN,ACK went twice (the
 * second for the peer's repeated SYN), so the peer's ACK may answer either
 * and is no RTT sample (RFC 6298 3). */
static void test_karn_resent_syn_ack_not_timed(void **state)
{
	struct tcp_test *t = *state;

	advance(t, 500);
	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = t->peer_mss);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);
	expect_state(t, TCP_ESTABLISHED);
	t->tcb = tcp_user_accept(user(t), t->listener);
	assert_non_null(t->tcb);
	assert_int_equal(t->tcb->rtt.srtt_us, 0);
	assert_int_equal(t->tcb->rtt.rto, TCP_RTO_INITIAL_MS);
}

/* Our SYN,ACK is lost and the peer stays silent (its SYN timer is
 * slower): our SYN,ACK goes again at exactly the RTO, the peer's ACK then
 * completes the handshake, unmeasured (Karn). */
static void test_lost_syn_ack_resent_at_rto(void **state)
{
	struct tcp_test *t = *state;

	advance(t, TCP_RTO_INITIAL_MS - 1);
	expect_nothing(t);
	advance(t, 1);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	assert_int_not_equal(t->last.mss, 0);
	expect_nothing(t);
	expect_state(t, TCP_SYN_RECEIVED);

	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
	t->tcb = tcp_user_accept(user(t), t->listener);
	assert_non_null(t->tcb);
	assert_int_equal(t->tcb->rtt.srtt_us, 0);
	assert_int_equal(t->tcb->rexmt_at, 0);
	advance(t, 10 * TCP_RTO_INITIAL_MS);
	expect_nothing(t);
}

/* The peer's SYN,ACK is lost (we are the client).  From here it looks as
 * our SYN timing out: our SYN goes again at RTO.  Meanwhile the peer's own
 * timer resends its SYN,ACK (it crosses our SYN), which completes the
 * handshake; the peer's answer to our second SYN, one more SYN,ACK, is
 * then an old duplicate (seq 0 < RCV.NXT): answered by an ACK, nothing
 * else changes (RFC 9293 3.10.7.4, first step). */
static void test_lost_peer_syn_ack_recovered(void **state)
{
	struct tcp_test *t = *state;

	/* At 5 ms the peer sends its SYN,ACK: lost. */
	advance(t, TCP_RTO_INITIAL_MS - 1);
	expect_nothing(t);
	advance(t, 1);
	expect_seg(t, TCP_SYN, 0, 0, 0);
	expect_nothing(t);

	/* At 1005 the peer's SYN,ACK again (its RTO from 5 ms). */
	advance(t, 5);
	send_seg(t, .flags = TCP_SYN | TCP_ACK, .seq = 0, .ack = 1, .mss = 1460);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
	assert_int_equal(t->tcb->rtt.srtt_us, 0);	/* Karn */

	/* At 1010 its answer to our second SYN. */
	advance(t, 5);
	mark(t);
	send_seg(t, .flags = TCP_SYN | TCP_ACK, .seq = 0, .ack = 1, .mss = 1460);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_UNACCEPTABLE);
	expect_state(t, TCP_ESTABLISHED);
	assert_int_equal(t->tcb->rcv.nxt, t->irs + 1);
	assert_int_equal(t->tcb->snd.una, t->iss + 1);
	advance(t, 10 * TCP_RTO_INITIAL_MS);
	expect_nothing(t);
}

/* ------------------------------------------------------------------ */
/* Data: the retransmission timer                                       */
/* ------------------------------------------------------------------ */

/* The first data segment is lost.  The peer's window (300) lets three
 * segments out; the other two draw only two duplicate ACKs - not the three
 * of a fast retransmit, and no new data may go (the window is full) - so
 * the RTO recovers it: at exactly 1 s, the first segment alone (RFC 6298
 * 5.4), cwnd = 1 MSS and ssthresh = max(FlightSize/2, 2*SMSS) = 200 (RFC
 * 5681 eq. 4 and 3.1).  The peer then acknowledges all three, and the
 * rest flows in slow start. */
static void test_lost_first_data_segment(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t data[1000], got[1000];
	uint64_t t0;

	t->peer_mss = 100;
	t->peer_wnd = 300;
	tcb_established(t);
	pattern(data, sizeof data, 3);
	t0 = t->now;
	app_send(t, data, sizeof data);
	expect_seg(t, TCP_ACK, 1, 1, 100);	/* lost */
	expect_seg(t, TCP_ACK, 101, 1, 100);
	expect_seg(t, TCP_ACK, 201, 1, 100);
	expect_nothing(t);

	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);	/* for 101 */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);	/* for 201 */
	expect_nothing(t);
	assert_int_equal(t->tcb->dupacks, 2);
	assert_int_equal(t->tcb->in_recovery, 0);

	advance(t, TCP_RTO_MIN_MS - 10 - 1);
	expect_nothing(t);
	advance(t, 1);
	expect_seg(t, TCP_ACK, 1, 1, 100);
	expect_payload(t, data, 100);
	expect_nothing(t);
	assert_int_equal(since(t, t0), TCP_RTO_MIN_MS);
	assert_int_equal(t->tcb->cwnd, 100);
	assert_int_equal(t->tcb->ssthresh, 200);
	assert_int_equal(t->tcb->rtt.rto, 2 * TCP_RTO_MIN_MS);

	/* The peer had 101..300: one ACK covers all three; slow start lets
	 * two segments go (cwnd 200). */
	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 301);
	assert_int_equal(t->tcb->cwnd, 200);
	memcpy(got, data, 300);
	expect_seg(t, TCP_ACK, 301, 1, 100);
	memcpy(got + 300, t->last.data, 100);
	expect_seg(t, TCP_ACK, 401, 1, 100);
	memcpy(got + 400, t->last.data, 100);
	expect_nothing(t);
	rest_flows(t, data, sizeof data, got, 501, 300);
	assert_int_equal(t->net.stats.tcp_retransmits, 1);
	assert_int_equal(t->net.stats.tcp_fast_retransmits, 0);
}

/* The last data segment is lost: nothing follows it, so no duplicate ACK
 * can come; the timer, restarted by the last ACK of new data (RFC 6298
 * 5.3), recovers it one RTO after that ACK. */
static void test_lost_last_data_segment(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[300];
	uint64_t acked_at;

	pattern(data, sizeof data, 5);
	app_send(t, data, sizeof data);
	expect_seg(t, TCP_ACK, 1, 1, 100);
	expect_seg(t, TCP_ACK, 101, 1, 100);
	expect_seg(t, TCP_ACK | TCP_PSH, 201, 1, 100);	/* lost */
	expect_nothing(t);

	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 201);
	expect_nothing(t);
	acked_at = t->now;
	assert_int_equal(t->tcb->rtt.rto, TCP_RTO_MIN_MS);
	assert_int_equal(t->tcb->rexmt_at, acked_at + TCP_RTO_MIN_MS);

	advance(t, TCP_RTO_MIN_MS - 1);
	expect_nothing(t);
	advance(t, 1);
	expect_seg(t, TCP_ACK, 201, 1, 100);
	expect_payload(t, data + 200, 100);
	expect_nothing(t);
	assert_int_equal(since(t, acked_at), TCP_RTO_MIN_MS);

	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 301);
	expect_nothing(t);
	assert_int_equal(t->tcb->rexmt_at, 0);
	assert_int_equal(t->tcb->sndbuf.len, 0);
	assert_int_equal(t->net.stats.tcp_retransmits, 1);
	assert_int_equal(t->net.stats.tcp_fast_retransmits, 0);
	advance(t, 60000);
	expect_nothing(t);
}

/* RTO doubling for data (RFC 6298 5.5): the timeouts fall at 1000, then
 * 2000 and 4000 ms later (3000 and 7000 from the send), and nothing goes
 * one ms before each.  The ACK then stops the timer; it measures nothing
 * (Karn), so the backed-off RTO stays for the next segment (5.7's "keep
 * the backed-off value" until a new sample). */
static void test_rto_doubles_for_data(void **state)
{
	struct tcp_test *t = *state;
	uint64_t t0 = t->now;
	uint64_t due[] = { 1000, 3000, 7000 };
	unsigned i;

	app_send(t, (const uint8_t *)"again", 5);
	expect_seg(t, TCP_ACK | TCP_PSH, 1, 1, 5);
	for (i = 0; i < sizeof due / sizeof due[0]; i++) {
		advance(t, due[i] - since(t, t0) - 1);
		expect_nothing(t);
		advance(t, 1);
		expect_seg(t, TCP_ACK, 1, 1, 5);
		expect_payload(t, "again", 5);
		expect_nothing(t);
		assert_int_equal(since(t, t0), due[i]);
		assert_int_equal(t->tcb->retries, i + 1);
	}
	assert_int_equal(t->tcb->rtt.rto, 8000);
	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 6);
	expect_nothing(t);
	assert_int_equal(t->tcb->retries, 0);
	assert_int_equal(t->tcb->rexmt_at, 0);
	assert_int_equal(t->tcb->rtt.rto, 8000);
	assert_int_equal(t->tcb->rtt.srtt_us, HANDSHAKE_RTT * 1000);
	assert_int_equal(t->net.stats.tcp_retransmits, 3);
}

/* Karn (RFC 6298 3): the ACK after a retransmission may be for either
 * copy: SRTT and RTTVAR stay, the RTO stays backed off (the next segment
 * is timed with it).  A new segment's ACK is a sample: SRTT = 7/8*10 +
 * 1/8*30 = 12, RTTVAR = 3/4*5 + 1/4*20 = 8, and the RTO collapses to
 * max(1 s, 12 + 4*8). */
static void test_karn_after_retransmission(void **state)
{
	struct tcp_test *t = *state;

	assert_int_equal(t->tcb->rtt.srtt_us, 10000);
	assert_int_equal(t->tcb->rtt.rttvar_us, 5000);
	app_send(t, (const uint8_t *)"k", 1);
	expect_seg(t, TCP_ACK | TCP_PSH, 1, 1, 1);
	advance(t, TCP_RTO_MIN_MS);
	expect_seg(t, TCP_ACK, 1, 1, 1);
	advance(t, 5);		/* 5 ms after the copy, 1005 after the original */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 2);
	expect_nothing(t);
	assert_int_equal(t->tcb->rtt.srtt_us, 10000);
	assert_int_equal(t->tcb->rtt.rttvar_us, 5000);
	assert_int_equal(t->tcb->rtt.rto, 2 * TCP_RTO_MIN_MS);

	app_send(t, (const uint8_t *)"l", 1);
	expect_seg(t, TCP_ACK | TCP_PSH, 2, 1, 1);
	assert_int_equal(t->tcb->rexmt_at, t->now + 2 * TCP_RTO_MIN_MS);
	advance(t, 30);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 3);
	expect_nothing(t);
	/* In microseconds: 7/8*10000 + 1/8*30000, 3/4*5000 + 1/4*20000. */
	assert_int_equal(t->tcb->rtt.srtt_us, 12500);
	assert_int_equal(t->tcb->rtt.rttvar_us, 8750);
	assert_int_equal(t->tcb->rtt.rto, TCP_RTO_MIN_MS);
}

/* ------------------------------------------------------------------ */
/* Data: fast retransmit and NewReno                                    */
/* ------------------------------------------------------------------ */

/* RFC 5681 3.1: cwnd starts at IW = min(4*SMSS, max(2*SMSS, 4380)) = 400
 * and grows in slow start by "the number of previously unacknowledged
 * bytes acknowledged" (eq. 2) - of data: the ACK that completes a passive
 * open acknowledges our SYN, no byte, and must leave cwnd at IW (the
 * active side, which gets no such ACK, does). */
static void test_handshake_ack_leaves_iw(void **state)
{
	struct tcp_test *t = *state;

	assert_int_equal(t->tcb->cwnd, 400);
}

/* 800 bytes, MSS 100, the initial window 4 segments; segment 101 is lost.
 * Times: a segment reaches the peer 5 ms after it leaves, its ACK comes
 * back 5 ms later.  The ACK of 1..100 opens slow start (cwnd 500: 401 and
 * 501 go); the duplicates for 201 and 301 each let one more out (RFC
 * 3042, limited transmit: 601, 701).  The third duplicate (for 401) sets
 * off the fast retransmit of 101 at 20 ms, long before the RTO:
 * ssthresh = max(FlightSize/2, 2*SMSS) = 700/2 = 350, cwnd = ssthresh +
 * 3*SMSS (RFC 5681 3.2), each further duplicate inflates it by an SMSS,
 * and the full ACK (801 >= recover) ends fast recovery with cwnd =
 * min(ssthresh, max(FlightSize, SMSS) + SMSS) = 200 (RFC 6582 3.2 step 3,
 * option 1: nothing is outstanding any more). */
static void start_800(struct tcp_test *t, uint8_t *data)
{
	uint32_t iw;

	pattern(data, 800, 7);
	app_send(t, data, 800);
	expect_seg(t, TCP_ACK, 1, 1, 100);
	expect_seg(t, TCP_ACK, 101, 1, 100);	/* lost */
	expect_seg(t, TCP_ACK, 201, 1, 100);
	expect_seg(t, TCP_ACK, 301, 1, 100);
	expect_nothing(t);
	iw = t->tcb->cwnd;	/* 400 (401: see test_handshake_ack_leaves_iw) */

	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);
	assert_int_equal(t->tcb->cwnd, iw + 100);
	expect_seg(t, TCP_ACK, 401, 1, 100);
	expect_seg(t, TCP_ACK, 501, 1, 100);
	expect_nothing(t);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);	/* for 201 */
	expect_seg(t, TCP_ACK, 601, 1, 100);
	expect_nothing(t);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);	/* for 301 */
	expect_seg(t, TCP_ACK | TCP_PSH, 701, 1, 100);
	expect_nothing(t);
	assert_int_equal(t->tcb->dupacks, 2);
	assert_int_equal(t->tcb->in_recovery, 0);
}

static void test_lost_middle_segment_fast_retransmit(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[800];
	uint64_t t0 = t->now;

	start_800(t, data);
	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);	/* for 401 */
	expect_seg(t, TCP_ACK, 101, 1, 100);
	expect_payload(t, data + 100, 100);
	expect_nothing(t);
	assert_int_equal(since(t, t0), 20);
	assert_int_equal(t->tcb->in_recovery, 1);
	assert_int_equal(t->tcb->ssthresh, 350);
	assert_int_equal(t->tcb->cwnd, 350 + 3 * 100);
	assert_int_equal(t->tcb->recover, t->iss + 801);
	assert_int_equal(t->net.stats.tcp_fast_retransmits, 1);

	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);	/* for 501 */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);	/* for 601 */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);	/* for 701 */
	expect_nothing(t);	/* nothing new to send; no second retransmit */
	assert_int_equal(t->tcb->cwnd, 650 + 3 * 100);

	advance(t, 10);		/* the retransmission's ACK: all of it */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 801);
	expect_nothing(t);
	assert_int_equal(t->tcb->in_recovery, 0);
	assert_int_equal(t->tcb->ssthresh, 350);
	assert_int_equal(t->tcb->cwnd, 200);
	assert_int_equal(t->tcb->rexmt_at, 0);
	assert_int_equal(t->tcb->sndbuf.len, 0);
	assert_int_equal(t->net.stats.tcp_retransmits, 1);
	advance(t, 60000);
	expect_nothing(t);
}

/* RFC 6582 3.2 step 2 compares snd.una with recover modulo 2^32.  After
 * one recovery, 2^31 bytes and more go by without a loss; then a segment
 * is lost and three duplicates come: fast retransmit must still happen
 * (the comparison would have turned around, keeping it off for 2 GiB).
 * Scripting 2^31 bytes would take millions of segments; the stack's view
 * of them is this: nothing in flight, and new ACKs moving snd.una on, 1
 * MiB at a time, each handed to congestion control as check_ack does. */
static void test_fast_retransmit_after_2gib_without_loss(void **state)
{
	struct tcp_test *t = *state;
	struct tcb *c = t->tcb;
	uint8_t data[800];
	uint32_t una, step = 1u << 20;
	int i;

	start_800(t, data);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);	/* for 401 */
	expect_seg(t, TCP_ACK, 101, 1, 100);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 801);	/* all of it */
	expect_nothing(t);
	assert_int_equal(c->in_recovery, 0);
	assert_int_equal(c->recover, t->iss + 801);

	for (i = 0; i < 2049; i++) {
		c->snd.una += step;
		c->snd.nxt = c->snd_max = c->sack_high = c->snd.wl2 = c->snd.una;
		tcp_cc_new_ack(user(t), c, c->snd.una, step);
	}
	una = c->snd.una - t->iss;	/* 801 + 2049 MiB, relative */
	/* Compared modulo 2^32, the end of the last recovery now lies ahead. */
	assert_true(seq_gt(t->iss + 801, c->snd.una));

	app_send(t, data, 400);
	expect_seg(t, TCP_ACK, una, 1, 100);		/* lost */
	expect_seg(t, TCP_ACK, una + 100, 1, 100);
	expect_seg(t, TCP_ACK, una + 200, 1, 100);
	expect_seg(t, TCP_ACK | TCP_PSH, una + 300, 1, 100);
	expect_nothing(t);
	for (i = 0; i < 3; i++)
		send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = una);
	expect_seg(t, TCP_ACK, una, 1, 100);		/* fast retransmit */
	expect_payload(t, data, 100);
	assert_int_equal(c->in_recovery, 1);
	assert_int_equal(t->net.stats.tcp_fast_retransmits, 2);
}

/* RFC 5681 4.1: after an idle time longer than the RTO, a sender starts
 * again from the restart window, min(IW, cwnd), not from a cwnd that
 * slow start grew before: the ACK clock is gone.  IW is 3 segments of
 * 1460 bytes (4380). */
static void test_restart_after_idle(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t data[30000], stream[65536];	/* 30000 + 2 * 14600 */
	uint32_t nxt = 1, rounds = 0;
	int n;

	pattern(data, sizeof data, 3);
	app_send(t, data, sizeof data);
	while (nxt < sizeof data + 1) {
		assert_true(peer_takes(t, stream, &nxt) > 0);
		advance(t, 10);
		send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = nxt);
		assert_true(++rounds < 100);
	}
	expect_nothing(t);
	assert_true(t->tcb->cwnd > 4380);	/* slow start grew it */

	/* Data last went out 10 ms before the last ACK came.  Idle for less
	 * than the RTO: cwnd is kept. */
	advance(t, t->tcb->rtt.rto - 10);
	app_send(t, data, 10 * 1460);
	n = peer_takes(t, stream, &nxt);
	assert_true(n > 3);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = nxt);
	while (peer_takes(t, stream, &nxt) > 0)
		send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = nxt);

	/* Idle for longer than the RTO: three segments, the restart window. */
	advance(t, t->tcb->rtt.rto + 1);
	expect_nothing(t);
	app_send(t, data, 10 * 1460);
	assert_int_equal(peer_takes(t, stream, &nxt), 3);
	assert_int_equal(t->tcb->cwnd, 4380);
}

/* ------------------------------------------------------------------ */
/* With SACK (RFC 2018, 6675)                                          */
/* ------------------------------------------------------------------ */

/* Both SYNs said SACK-permitted (tcb_established() offers no option: the
 * negotiation has tests of its own in test_tcp_input.c). */
static void sack_on(struct tcp_test *t)
{
	t->tcb->sack_ok = 1;
}

/* With SACK on, send n bytes of pattern `seed` (MSS 100); 101 is to be
 * lost.  The ACK of 1..100 comes 10 ms later; what it lets out is sent
 * and drained too.  The duplicates are the test's. */
static void sack_send_lose_101(struct tcp_test *t, uint8_t *data, size_t n,
			       uint8_t seed)
{
	sack_on(t);
	pattern(data, n, seed);
	app_send(t, data, n);
	while (next_seg(t))
		;
	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);
	while (next_seg(t))
		;
}

/* Send 800 bytes (MSS 100, IW 4), 101 lost; the ACK of 1..100 lets 401
 * and 501 out.  The duplicate ACKs then come as Linux sends them: each
 * SACKs what arrived, and each offers a bigger window than the last (its
 * receive buffer grows as it goes).  RFC 5681's rule (e), "the same
 * window", would count none of them; RFC 6675 section 2 counts every
 * ACK that SACKs something new.  The third sets off fast retransmit. */
static void test_sack_dup_acks_with_growing_window(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[800];

	sack_on(t);
	pattern(data, sizeof data, 3);
	app_send(t, data, sizeof data);
	expect_seg(t, TCP_ACK, 1, 1, 100);
	expect_seg(t, TCP_ACK, 101, 1, 100);	/* lost */
	expect_seg(t, TCP_ACK, 201, 1, 100);
	expect_seg(t, TCP_ACK, 301, 1, 100);
	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = 30000);
	expect_seg(t, TCP_ACK, 401, 1, 100);
	expect_seg(t, TCP_ACK, 501, 1, 100);
	expect_nothing(t);

	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = 30100,
		 .nsack = 1, .sack = { { 201, 301 } });
	assert_int_equal(t->tcb->dupacks, 1);
	expect_seg(t, TCP_ACK, 601, 1, 100);	/* limited transmit */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = 30200,
		 .nsack = 1, .sack = { { 201, 401 } });
	assert_int_equal(t->tcb->dupacks, 2);
	expect_seg(t, TCP_ACK | TCP_PSH, 701, 1, 100);
	expect_nothing(t);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = 30300,
		 .nsack = 1, .sack = { { 201, 501 } });
	expect_seg(t, TCP_ACK, 101, 1, 100);	/* fast retransmit */
	expect_payload(t, data + 100, 100);
	assert_int_equal(t->tcb->in_recovery, 1);
	assert_int_equal(t->net.stats.tcp_fast_retransmits, 1);
}

/* The same ACKs without SACK are window updates, not duplicates (RFC
 * 5681 section 2, rule (e)): nothing is retransmitted before the RTO. */
static void test_growing_window_without_sack_not_dup_acks(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[800];

	pattern(data, sizeof data, 3);
	app_send(t, data, sizeof data);
	while (next_seg(t))
		;
	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = 30000);
	while (next_seg(t))
		;
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = 30100);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = 30200);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = 30300);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = 30400);
	assert_int_equal(t->tcb->dupacks, 0);
	assert_int_equal(t->tcb->in_recovery, 0);
	assert_int_equal(t->net.stats.tcp_retransmits, 0);
}

/* One of the duplicate ACKs is lost: two arrive, but the second SACKs
 * 201..500, three segments above the hole.  RFC 6675's IsLost() (more
 * than (DupThresh - 1) * SMSS bytes SACKed above it) counts bytes, not
 * ACKs: fast retransmit now, not at the RTO. */
static void test_sack_fast_retransmit_despite_lost_dup_ack(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[800];

	sack_send_lose_101(t, data, sizeof data, 5);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101,
		 .nsack = 1, .sack = { { 201, 301 } });
	expect_seg(t, TCP_ACK, 601, 1, 100);
	/* (the duplicate for 301 is lost) */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101,
		 .nsack = 1, .sack = { { 201, 501 } });
	assert_int_equal(t->tcb->dupacks, 2);
	assert_int_equal(t->tcb->in_recovery, 1);
	expect_seg(t, TCP_ACK, 101, 1, 100);
	expect_payload(t, data + 100, 100);
}

/* The fast retransmission of 101 is lost as well.  NewReno alone would
 * wait for the RTO; but the peer goes on SACKing segments we sent after
 * that retransmission (801, 901, 1001: recovery lets one out per
 * duplicate), and once three of them have arrived, the retransmission
 * must be lost too (RFC 8985 6.2's reasoning): 101 goes again, at once. */
static void test_sack_lost_retransmission_resent(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[1500];
	const struct tcp_seg *s;
	uint32_t right;
	int resent = 0;
	uint64_t t0;

	sack_send_lose_101(t, data, sizeof data, 9);
	t0 = t->now;
	/* Duplicates SACKing 201.. up to `right`, 100 bytes more each. */
	for (right = 301; right <= 1101; right += 100) {
		send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101,
			 .nsack = 1, .sack = { { 201, right } });
		while ((s = next_seg(t)) != NULL)
			if (s->seq - t->iss == 101)
				resent++;
		if (right < 501)
			assert_int_equal(resent, 0);
		else if (right < 1101)	/* from the third on: once (then lost) */
			assert_int_equal(resent, 1);
		if (right == 501)
			assert_int_equal(t->tcb->rexmt_mark - t->iss, 801);
	}
	/* SACKed up to 1101 = 801 + 3 segments: resent again, no timeout.
	 * A lost retransmission is a second sign of congestion (RFC 5681
	 * 4.3): ssthresh halved again, 350 / 2 but at least 2*SMSS. */
	assert_int_equal(resent, 2);
	assert_int_equal(t->net.stats.tcp_retransmits, 2);
	assert_int_equal(t->tcb->in_recovery, 1);
	assert_int_equal(since(t, t0), 0);
	assert_int_equal(t->tcb->ssthresh, 200);
	assert_int_equal(t->tcb->cwnd, 200);
	/* The same report again is no news: no third resend. */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101,
		 .nsack = 1, .sack = { { 201, 1101 } });
	while ((s = next_seg(t)) != NULL)
		if (s->seq - t->iss == 101)
			resent++;
	assert_int_equal(resent, 2);
}

/* Overlapping blocks count once.  Linux starts its SACK option with a
 * D-SACK (RFC 2883) when data arrives twice: {301,401} repeats part of
 * the next block {201,401}.  Added up they would say 300 bytes, three
 * segments above the hole, and set off fast retransmit on the first
 * duplicate ACK; their union is 200.  A block repeated is counted once
 * too, and an ACK that only repeats what was SACKed, with a new window,
 * is a window update, not a duplicate. */
static void test_sack_overlapping_blocks_count_once(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[800];

	sack_send_lose_101(t, data, sizeof data, 11);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .nsack = 2,
		 .sack = { { 301, 401 }, { 201, 401 } });
	assert_int_equal(t->tcb->sack_bytes, 200);
	assert_int_equal(t->tcb->dupacks, 1);
	assert_int_equal(t->tcb->in_recovery, 0);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .nsack = 3,
		 .sack = { { 201, 401 }, { 201, 401 }, { 201, 401 } });
	assert_int_equal(t->tcb->sack_bytes, 200);
	assert_int_equal(t->tcb->dupacks, 2);	/* same window: RFC 5681 */
	assert_int_equal(t->tcb->in_recovery, 0);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101, .wnd = 40000,
		 .nsack = 1, .sack = { { 201, 401 } });
	assert_int_equal(t->tcb->dupacks, 2);	/* no news, new window */
	assert_int_equal(t->tcb->in_recovery, 0);
	assert_int_equal(t->net.stats.tcp_retransmits, 0);
}

/* A FIN at RCV.NXT while data beyond it is held out of order: the peer
 * contradicts itself, and the held data cannot belong to a stream that
 * ends here.  It is dropped (counted), and the ACK of the FIN reports no
 * SACK block at or below its own ACK number (RFC 2018 3: blocks are
 * above it).  Found by tests/fuzz/fuzz_tcp.c. */
static void test_fin_drops_data_held_beyond_it(void **state)
{
	struct tcp_test *t = *state;
	static const uint8_t data[10] = "0123456789";
	const struct tcp_seg *s;

	sack_on(t);
	send_seg(t, .flags = TCP_ACK, .seq = 11, .ack = 1, .data = data,
		 .len = sizeof data);
	s = expect_seg(t, TCP_ACK, 1, 1, 0);	/* a duplicate, with SACK */
	assert_int_equal(s->nsack, 1);
	mark(t);
	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 1);
	s = expect_seg(t, TCP_ACK, 1, 2, 0);
	assert_int_equal(s->nsack, 0);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_BEYOND_FIN);
	expect_state(t, TCP_CLOSE_WAIT);
	assert_null(t->tcb->reass);
	assert_int_equal(t->tcb->reass_bytes, 0);
}

/* NewReno (RFC 6582): 101 and 401 are both lost from one window.  The
 * fast retransmit of 101 fills the first hole; the peer's ACK of 401 is
 * partial (below recover = 801), so 401 goes again at once - no waiting
 * for three more duplicates or a timeout - and cwnd is deflated by what
 * was acknowledged, plus one SMSS (step 4): 850 - 300 + 100. */
static void test_newreno_partial_ack(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[800];
	uint64_t t0 = t->now;

	start_800(t, data);	/* here 401 is lost as well */
	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);	/* for 501 */
	expect_seg(t, TCP_ACK, 101, 1, 100);
	expect_nothing(t);
	assert_int_equal(t->tcb->cwnd, 650);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);	/* for 601 */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 101);	/* for 701 */
	expect_nothing(t);
	assert_int_equal(t->tcb->cwnd, 850);

	advance(t, 10);		/* 101 arrived: 1..400 are in, 401 missing */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 401);
	expect_seg(t, TCP_ACK, 401, 1, 100);
	expect_payload(t, data + 400, 100);
	expect_nothing(t);
	assert_int_equal(since(t, t0), 30);
	assert_int_equal(t->tcb->in_recovery, 1);
	assert_int_equal(t->tcb->cwnd, 850 - 300 + 100);
	assert_int_equal(t->tcb->ssthresh, 350);
	assert_int_equal(t->tcb->rexmt_at, t->now + TCP_RTO_MIN_MS);

	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 801);
	expect_nothing(t);
	assert_int_equal(t->tcb->in_recovery, 0);
	assert_int_equal(t->tcb->cwnd, 200);
	assert_int_equal(t->tcb->rexmt_at, 0);
	assert_int_equal(t->net.stats.tcp_fast_retransmits, 1);
	assert_int_equal(t->net.stats.tcp_retransmits, 2);
	advance(t, 60000);
	expect_nothing(t);
}

/* ------------------------------------------------------------------ */
/* The close                                                            */
/* ------------------------------------------------------------------ */

/* Our FIN is lost: it goes again at exactly the RTO (it takes a sequence
 * number, so the timer guards it like data); the peer's ACK of it then
 * moves FIN-WAIT-1 to FIN-WAIT-2 and stops the timer. */
static void test_lost_fin_recovered(void **state)
{
	struct tcp_test *t = *state;

	assert_int_equal(tcp_user_shutdown(user(t), t->tcb), 0);
	expect_seg(t, TCP_FIN | TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_state(t, TCP_FIN_WAIT_1);
	advance(t, TCP_RTO_MIN_MS - 1);
	expect_nothing(t);
	advance(t, 1);
	expect_seg(t, TCP_FIN | TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_state(t, TCP_FIN_WAIT_1);

	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 2);
	expect_nothing(t);
	expect_state(t, TCP_FIN_WAIT_2);
	assert_int_equal(t->tcb->rexmt_at, 0);
	advance(t, 60000);
	expect_nothing(t);
	expect_state(t, TCP_FIN_WAIT_2);	/* held by its user: no timeout */
}

/* FIN-WAIT-2: our FIN acknowledged, the peer's FIN the only thing left. */
static void fin_wait_2(struct tcp_test *t)
{
	assert_int_equal(tcp_user_shutdown(user(t), t->tcb), 0);
	expect_seg(t, TCP_FIN | TCP_ACK, 1, 1, 0);
	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 2);
	expect_nothing(t);
	expect_state(t, TCP_FIN_WAIT_2);
}

/* The peer's FIN is lost.  We have nothing to send and no timer to run,
 * so nothing happens until the peer's timer resends it; we ACK that and
 * enter TIME-WAIT for exactly 2*MSL. */
static void test_lost_peer_fin_recovered(void **state)
{
	struct tcp_test *t = *state;
	uint64_t msl2 = 2 * (uint64_t)t->net.tcp->msl_ms;

	fin_wait_2(t);
	/* Now the peer's FIN goes; lost. */
	advance(t, TCP_RTO_MIN_MS);
	expect_nothing(t);
	expect_state(t, TCP_FIN_WAIT_2);
	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 2);
	expect_seg(t, TCP_ACK, 2, 2, 0);
	expect_nothing(t);
	expect_state(t, TCP_TIME_WAIT);
	assert_int_equal(t->tcb->timewait_at, t->now + msl2);
	advance(t, msl2 - 1);
	expect_state(t, TCP_TIME_WAIT);
	advance(t, 1);
	expect_nothing(t);
	assert_int_equal(t->tcb->state, TCP_CLOSED);
	assert_int_equal(t->tcb->error, 0);
}

/* Our ACK of the peer's FIN is lost: the peer resends its FIN into our
 * TIME-WAIT; it is acknowledged again and the 2*MSL wait starts over
 * (RFC 9293 3.10.7.4, eighth step). */
static void test_lost_ack_of_peer_fin(void **state)
{
	struct tcp_test *t = *state;
	uint64_t msl2 = 2 * (uint64_t)t->net.tcp->msl_ms;

	fin_wait_2(t);
	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 2);
	expect_seg(t, TCP_ACK, 2, 2, 0);	/* lost */
	expect_state(t, TCP_TIME_WAIT);

	advance(t, TCP_RTO_MIN_MS);
	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 2);
	expect_seg(t, TCP_ACK, 2, 2, 0);
	expect_nothing(t);
	expect_state(t, TCP_TIME_WAIT);
	advance(t, msl2 - 1);
	expect_state(t, TCP_TIME_WAIT);
	advance(t, 1);
	expect_nothing(t);
	assert_int_equal(t->tcb->state, TCP_CLOSED);
}

/* ------------------------------------------------------------------ */
/* Lost ACKs                                                            */
/* ------------------------------------------------------------------ */

/* The peer's ACK of our first segment is lost; its next ACK, cumulative,
 * covers both, and arrives 1 ms before the RTO: nothing is resent, the
 * timer stops. */
static void test_lost_peer_ack_covered_by_later_ack(void **state)
{
	struct tcp_test *t = *state;
	uint8_t data[200];

	pattern(data, sizeof data, 11);
	app_send(t, data, sizeof data);
	expect_seg(t, TCP_ACK, 1, 1, 100);
	expect_seg(t, TCP_ACK | TCP_PSH, 101, 1, 100);
	/* At 10 ms the peer's ACK 101: lost. */
	advance(t, TCP_RTO_MIN_MS - 1);
	expect_nothing(t);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 201);
	expect_nothing(t);
	assert_int_equal(t->tcb->snd.una, t->iss + 201);
	assert_int_equal(t->tcb->sndbuf.len, 0);
	assert_int_equal(t->tcb->rexmt_at, 0);
	advance(t, 60000);
	expect_nothing(t);
	assert_int_equal(t->net.stats.tcp_retransmits, 0);
}

/* Our ACK of the peer's data is lost, so the peer resends - here with
 * more bytes after them (a retransmission may be repacketized).  The old
 * bytes are trimmed (3.10.7.4), only the new ones are taken, and the ACK
 * covers both; a late network duplicate of the first copy is answered
 * with an ACK and changes nothing.  The reader sees every byte once. */
static void test_lost_our_ack_peer_resends_data(void **state)
{
	struct tcp_test *t = *state;
	uint8_t buf[32];

	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = "hello",
		 .len = 5);
	expect_seg(t, TCP_ACK, 1, 6, 0);	/* lost */
	expect_nothing(t);

	advance(t, TCP_RTO_MIN_MS);
	mark(t);
	send_seg(t, .flags = TCP_ACK | TCP_PSH, .seq = 1, .ack = 1,
		 .data = "hello world", .len = 11);
	expect_seg(t, TCP_ACK, 1, 12, 0);
	expect_nothing(t);
	expect_no_drop(t);

	advance(t, 5);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = "hello",
		 .len = 5);
	expect_seg(t, TCP_ACK, 1, 12, 0);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_UNACCEPTABLE);

	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), 11);
	assert_memory_equal(buf, "hello world", 11);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), -EAGAIN);
}

/* The simplest case of the above: the very same segment again, nothing
 * new in it.  An ACK, no second delivery. */
static void test_lost_our_ack_exact_duplicate(void **state)
{
	struct tcp_test *t = *state;
	uint8_t buf[32];

	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = "hello",
		 .len = 5);
	expect_seg(t, TCP_ACK, 1, 6, 0);	/* lost */
	advance(t, TCP_RTO_MIN_MS);
	mark(t);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = "hello",
		 .len = 5);
	expect_seg(t, TCP_ACK, 1, 6, 0);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_UNACCEPTABLE);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), -EAGAIN);
}

/* ------------------------------------------------------------------ */
/* The peer's zero window                                               */
/* ------------------------------------------------------------------ */

/* RFC 9293 3.8.6.1.  The peer (window 300) takes three segments and shuts
 * its window; 700 bytes wait.  Nothing goes until the persist timer
 * fires at the RTO: a probe of one byte (the next, 301), and again with
 * backoff - 1, 2, 4, ... s, at most 60 (RFC 6298 2.5).  The peer refuses
 * each (ACK 301, window 0), which keeps the connection open well past
 * TCP_MAX_RETRIES.  Then the reader makes room and the peer says so with
 * a window update (ACK 301, window 300): the data must go at once, from
 * the first byte the peer has not taken - 301, the probe's byte, which
 * the peer threw away - so that a receiver that accepts only in-order
 * bytes gets them all, in order, with no timeout. */
static void test_zero_window_probes_and_reopen(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t data[1000], got[1000];
	uint32_t rto;
	uint64_t probe_at;
	int i, probes = TCP_MAX_RETRIES + 3;

	t->peer_mss = 100;
	t->peer_wnd = 300;
	tcb_established(t);
	pattern(data, sizeof data, 13);
	app_send(t, data, sizeof data);
	expect_seg(t, TCP_ACK, 1, 1, 100);
	expect_seg(t, TCP_ACK, 101, 1, 100);
	expect_seg(t, TCP_ACK, 201, 1, 100);
	expect_nothing(t);
	memcpy(got, data, 300);

	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 301, .wnd = WND_ZERO);
	expect_nothing(t);
	assert_int_equal(t->tcb->snd.wnd, 0);
	rto = t->tcb->rtt.rto;
	assert_int_equal(rto, TCP_RTO_MIN_MS);
	probe_at = t->now + rto;
	assert_int_equal(t->tcb->rexmt_at, probe_at);

	for (i = 0; i < probes; i++) {
		/* Each probe is answered 10 ms later; the next is due one
		 * (doubled) RTO after the probe itself. */
		advance(t, probe_at - t->now - 1);
		expect_nothing(t);
		advance(t, 1);
		expect_seg(t, TCP_ACK, 301, 1, 1);
		expect_payload(t, data + 300, 1);
		expect_nothing(t);
		advance(t, 10);
		send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 301, .wnd = WND_ZERO);
		expect_nothing(t);
		expect_state(t, TCP_ESTABLISHED);
		assert_int_equal(t->tcb->retries, 0);
		rto = backed_off(rto);
		probe_at += rto;
		assert_int_equal(t->tcb->rexmt_at, probe_at);
	}
	assert_int_equal(rto, TCP_RTO_MAX_MS);
	assert_int_equal(t->net.stats.tcp_fast_retransmits, 0);

	/* Halfway to the next probe, the window opens. */
	advance(t, 30000);
	expect_nothing(t);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 301, .wnd = 300);
	expect_seg(t, TCP_ACK, 301, 1, 100);
	memcpy(got + 300, t->last.data, 100);
	expect_seg(t, TCP_ACK, 401, 1, 100);
	memcpy(got + 400, t->last.data, 100);
	expect_seg(t, TCP_ACK, 501, 1, 100);
	memcpy(got + 500, t->last.data, 100);
	expect_nothing(t);
	rest_flows(t, data, sizeof data, got, 601, 300);
}

/* ------------------------------------------------------------------ */
/* Our receive side                                                     */
/* ------------------------------------------------------------------ */

/* Four pieces of a 400-byte stream arrive in the order 3, 1, 4, 2, each
 * later one overlapping its neighbours:
 *   3: 201..300   out of order: held, a duplicate ACK (ack 1)
 *   1:   1..100   in order: ACK 101 (at once: a hole is still open)
 *   4: 281..400   out of order, its first 20 bytes held already: ACK 101
 *   2:  91..210   fills the hole (its first 10 bytes are old): ACK 401
 * Delayed ACKs are on (40 ms), and still every ACK here is immediate (RFC
 * 5681 4.2).  A duplicate of 3 arriving meanwhile changes nothing. */
static void test_permuted_overlapping_segments_reassembled(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t stream[400], buf[500];

	t->net.tcp->ack_delay_ms = 40;
	pattern(stream, sizeof stream, 17);

	send_seg(t, .flags = TCP_ACK, .seq = 201, .ack = 1, .data = stream + 200,
		 .len = 100);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), -EAGAIN);

	advance(t, 1);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = stream,
		 .len = 100);
	expect_seg(t, TCP_ACK, 1, 101, 0);
	expect_nothing(t);

	advance(t, 1);
	send_seg(t, .flags = TCP_ACK, .seq = 281, .ack = 1, .data = stream + 280,
		 .len = 120);
	expect_seg(t, TCP_ACK, 1, 101, 0);
	expect_nothing(t);

	advance(t, 1);
	mark(t);
	send_seg(t, .flags = TCP_ACK, .seq = 201, .ack = 1, .data = stream + 200,
		 .len = 100);
	expect_seg(t, TCP_ACK, 1, 101, 0);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_DUPLICATE);
	assert_int_equal(t->net.stats.tcp_ooo_queued, 2);
	assert_int_equal(t->tcb->reass_bytes, 200);	/* 201..400, once */

	advance(t, 1);
	send_seg(t, .flags = TCP_ACK, .seq = 91, .ack = 1, .data = stream + 90,
		 .len = 120);
	expect_seg(t, TCP_ACK, 1, 401, 0);
	expect_nothing(t);
	assert_int_equal(t->tcb->delack_at, 0);
	assert_int_equal(t->tcb->reass_bytes, 0);

	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), 400);
	assert_memory_equal(buf, stream, 400);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), -EAGAIN);
	advance(t, 1000);
	expect_nothing(t);
}

/* A 1000-byte receive buffer, full: the window we advertise falls to 0. */
static void fill_receive_buffer(struct tcp_test *t, const uint8_t *stream)
{
	const struct tcp_seg *s;

	t->net.tcp->rcvbuf_size = 1000;	/* before the connection is made */
	tcb_established(t);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = stream,
		 .len = 500);
	s = expect_seg(t, TCP_ACK, 1, 501, 0);
	assert_int_equal(s->wnd, 500);
	send_seg(t, .flags = TCP_ACK, .seq = 501, .ack = 1, .data = stream + 500,
		 .len = 500);
	s = expect_seg(t, TCP_ACK, 1, 1001, 0);
	assert_int_equal(s->wnd, 0);
	expect_nothing(t);
	mark(t);
}

/* The application does not read; our window closes.  The peer's probes
 * (one byte at RCV.NXT, BSD's way; an old sequence number with no data,
 * Linux's) are answered by an ACK with the window still zero, and the
 * byte is not taken.  When the application reads enough (RFC 9293
 * 3.8.6.2.2: at least min(half the buffer, an MSS)), a window update goes
 * at once; the peer's next byte is then taken. */
static void test_receive_window_closes_and_reopens(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t stream[1100], buf[1100];
	const struct tcp_seg *s;

	pattern(stream, sizeof stream, 19);
	fill_receive_buffer(t, stream);

	advance(t, TCP_RTO_MIN_MS);
	send_seg(t, .flags = TCP_ACK, .seq = 1001, .ack = 1, .data = stream + 1000,
		 .len = 1);
	s = expect_seg(t, TCP_ACK, 1, 1001, 0);
	assert_int_equal(s->wnd, 0);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_RCV_BUFFER_FULL);

	advance(t, 2 * TCP_RTO_MIN_MS);
	send_seg(t, .flags = TCP_ACK, .seq = 1000, .ack = 1);
	s = expect_seg(t, TCP_ACK, 1, 1001, 0);
	assert_int_equal(s->wnd, 0);
	expect_nothing(t);
	expect_drop(t, DROP_TCP_UNACCEPTABLE);

	/* 100 bytes read: too little to be worth announcing. */
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, 100), 100);
	expect_nothing(t);
	/* 400 more: 500 free, half the buffer: the update goes. */
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf + 100, 400), 400);
	s = expect_seg(t, TCP_ACK, 1, 1001, 0);
	assert_int_equal(s->wnd, 500);
	expect_nothing(t);

	advance(t, 10);
	send_seg(t, .flags = TCP_ACK, .seq = 1001, .ack = 1, .data = stream + 1000,
		 .len = 100);
	s = expect_seg(t, TCP_ACK, 1, 1101, 0);
	assert_int_equal(s->wnd, 400);
	expect_no_drop(t);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf + 500, 600), 600);
	assert_memory_equal(buf, stream, 1100);
}

/* The same, but our window update is lost: the peer learns of the open
 * window only from its next probe, whose byte is now taken (and ACKed,
 * with the window that is left). */
static void test_lost_window_update_recovered_by_probe(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t stream[1001], buf[1001];
	const struct tcp_seg *s;

	pattern(stream, sizeof stream, 23);
	fill_receive_buffer(t, stream);

	advance(t, 100);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, 500), 500);
	s = expect_seg(t, TCP_ACK, 1, 1001, 0);	/* lost */
	assert_int_equal(s->wnd, 500);

	advance(t, TCP_RTO_MIN_MS - 100);	/* the peer's probe timer */
	send_seg(t, .flags = TCP_ACK, .seq = 1001, .ack = 1, .data = stream + 1000,
		 .len = 1);
	s = expect_seg(t, TCP_ACK, 1, 1002, 0);
	assert_int_equal(s->wnd, 499);
	expect_nothing(t);
	expect_no_drop(t);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf + 500, 501), 501);
	assert_memory_equal(buf, stream, 1001);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* the handshake */
		TCP_TEST(test_lost_syn_recovered, syn_sent),
		TCP_TEST(test_lost_syn_data_rto_is_3s, syn_sent),
		TCP_TEST(test_lost_syns_rto_back_to_3s, syn_sent),
		TCP_TEST(test_lost_syn_initial_window_one_segment, syn_sent),
		TCP_TEST(test_lost_syn_ack_peer_resends_syn, syn_received),
		TCP_TEST(test_karn_resent_syn_ack_not_timed, syn_received),
		TCP_TEST(test_lost_syn_ack_resent_at_rto, syn_received),
		TCP_TEST(test_lost_peer_syn_ack_recovered, syn_sent),
		/* data: the timer */
		TCP_TEST(test_lost_first_data_segment, stack),
		TCP_TEST(test_lost_last_data_segment, established_mss100),
		TCP_TEST(test_rto_doubles_for_data, established),
		TCP_TEST(test_karn_after_retransmission, established),
		/* data: duplicate ACKs */
		TCP_TEST(test_handshake_ack_leaves_iw, established_mss100),
		TCP_TEST(test_lost_middle_segment_fast_retransmit, established_mss100),
		TCP_TEST(test_newreno_partial_ack, established_mss100),
		TCP_TEST(test_fast_retransmit_after_2gib_without_loss, established_mss100),
		/* congestion control */
		TCP_TEST(test_restart_after_idle, established),
		/* the close */
		TCP_TEST(test_lost_fin_recovered, established),
		TCP_TEST(test_lost_peer_fin_recovered, established),
		TCP_TEST(test_lost_ack_of_peer_fin, established),
		/* ACKs */
		TCP_TEST(test_lost_peer_ack_covered_by_later_ack, established_mss100),
		TCP_TEST(test_lost_our_ack_peer_resends_data, established),
		TCP_TEST(test_lost_our_ack_exact_duplicate, established),
		/* windows */
		TCP_TEST(test_zero_window_probes_and_reopen, stack),
		TCP_TEST(test_permuted_overlapping_segments_reassembled, established),
		TCP_TEST(test_sack_dup_acks_with_growing_window, established_mss100),
		TCP_TEST(test_growing_window_without_sack_not_dup_acks, established_mss100),
		TCP_TEST(test_sack_fast_retransmit_despite_lost_dup_ack, established_mss100),
		TCP_TEST(test_sack_lost_retransmission_resent, established_mss100),
		TCP_TEST(test_sack_overlapping_blocks_count_once, established_mss100),
		TCP_TEST(test_fin_drops_data_held_beyond_it, established),
		TCP_TEST(test_receive_window_closes_and_reopens, stack),
		TCP_TEST(test_lost_window_update_recovered_by_probe, stack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
