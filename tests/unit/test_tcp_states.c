/*
 * test_tcp_states.c - every transition of TCP's state diagram, one test
 * each, as a script of segments in and out (stack/tcp/tcp_input.c,
 * tcp_user.c, tcp_timer.c).
 *
 * Read this first: RFC 9293 section 3.3.2, Figure 5 (the diagram), and
 * 3.5 for the handshakes (Figure 6, the three-way handshake; Figure 8,
 * simultaneous open) and closes (Figure 12, normal close; Figure 13,
 * simultaneous close).  Each test starts from a fixture that brings the
 * connection to the state it leaves (tcp_harness.h), then plays the
 * diagram's arrow: the event, what must be sent, the state reached.
 * Relative numbers: our SYN is seq 0 and our first byte seq 1; the same
 * for the peer.  After a passive open and no data, our FIN is seq 1, and
 * so is the peer's.
 */
#include "tcp_harness.h"

/* ------------------------------------------------------------------ */
/* Opening                                                              */
/* ------------------------------------------------------------------ */

/* CLOSED -> LISTEN: passive OPEN.  Nothing is sent. */
static void test_closed_listen(void **state)
{
	struct tcp_test *t = *state;
	struct tcb *l = tcb_new(&t->net, TCP_CLOSED);

	assert_non_null(l);
	l->user = 1;
	assert_int_equal(tcp_user_listen(user(t), l, OUR_ADDR, LISTEN_PORT, 5), 0);
	assert_int_equal(l->state, TCP_LISTEN);
	assert_ptr_equal(tcb_find_listener(&t->net, OUR_ADDR, LISTEN_PORT), l);
	expect_nothing(t);
}

/* LISTEN -> SYN-RECEIVED: "rcv SYN / snd SYN,ACK", <SEQ=ISS><ACK=IRS+1>. */
static void test_listen_syn_received(void **state)
{
	struct tcp_test *t = *state;
	const struct tcp_seg *s;

	t->iss = TEST_ISS;
	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	s = expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	assert_int_equal(s->seq, TEST_ISS);
	assert_int_equal(s->ack, TEST_IRS + 1);
	assert_int_not_equal(s->mss, 0);	/* RFC 9293 3.7.1 */
	expect_nothing(t);
	expect_state(t, TCP_SYN_RECEIVED);
	/* The listener stays; the connection is a new block. */
	assert_int_equal(t->listener->state, TCP_LISTEN);
	assert_ptr_not_equal(conn(t), t->listener);
	expect_no_drop(t);
}

/* SYN-RECEIVED -> ESTABLISHED: "rcv ACK of SYN"; nothing is sent, and the
 * connection waits in the listener's accept queue. */
static void test_syn_received_established(void **state)
{
	struct tcp_test *t = *state;
	struct tcb *c = conn(t);

	assert_null(tcp_user_accept(user(t), t->listener));	/* not yet */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
	assert_ptr_equal(tcp_user_accept(user(t), t->listener), c);
	assert_null(tcp_user_accept(user(t), t->listener));	/* just one */
	expect_no_drop(t);
}

/* CLOSED -> SYN-SENT: active OPEN, "snd SYN", <SEQ=ISS><CTL=SYN>. */
static void test_closed_syn_sent(void **state)
{
	struct tcp_test *t = *state;
	const struct tcp_seg *s;

	t->tcb = tcb_new(&t->net, TCP_CLOSED);
	t->tcb->user = 1;
	t->lport = ACTIVE_LPORT;
	t->rport = ACTIVE_RPORT;
	t->iss = TEST_ISS;
	assert_int_equal(tcp_user_connect(user(t), t->tcb, PEER_ADDR,
					  ACTIVE_RPORT, ACTIVE_LPORT), 0);
	s = expect_seg(t, TCP_SYN, 0, 0, 0);
	assert_int_equal(s->seq, TEST_ISS);
	assert_int_not_equal(s->mss, 0);
	expect_nothing(t);
	expect_state(t, TCP_SYN_SENT);
}

/* SYN-SENT -> ESTABLISHED: "rcv SYN,ACK / snd ACK". */
static void test_syn_sent_established(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_SYN | TCP_ACK, .seq = 0, .ack = 1, .mss = 1460);
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
	assert_int_equal(t->tcb->irs, TEST_IRS);
	assert_int_equal(t->tcb->rcv.nxt, TEST_IRS + 1);
	assert_int_equal(t->tcb->snd.una, TEST_ISS + 1);
	expect_no_drop(t);
}

/* SYN-SENT -> SYN-RECEIVED, simultaneous open (Figure 8, line 3): a bare
 * SYN crosses ours; "rcv SYN / snd SYN,ACK", <SEQ=ISS><ACK=RCV.NXT>. */
static void test_syn_sent_simultaneous_open(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	expect_nothing(t);
	expect_state(t, TCP_SYN_RECEIVED);
}

/* SYN-RECEIVED -> ESTABLISHED after a simultaneous open, as Figure 8
 * draws it (line 6): the peer's SYN,ACK <SEQ=0><ACK=1> arrives.  Its SYN
 * lies before RCV.NXT (we have it); trimmed away, as 3.10.7.4 first step
 * allows ("trimming off any portions that lie outside the window
 * (including SYN and FIN)"), what is left is an acceptable ACK of our SYN.
 * Linux accepts it too (tcp_validate_incoming, the "simultaneous open"
 * exception). */
static void test_simultaneous_open_syn_ack_established(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	mark(t);
	send_seg(t, .flags = TCP_SYN | TCP_ACK, .seq = 0, .ack = 1, .mss = 1460);
	expect_state(t, TCP_ESTABLISHED);
	assert_int_equal(t->tcb->snd.una, TEST_ISS + 1);
	/* Whatever it sends, it is not a reset. */
	while (pair_pending(t->peer)) {
		expect_seg(t, TCP_ACK, 1, 1, 0);
	}
}

/* The same, when the peer's answer is a plain ACK of our SYN,ACK. */
static void test_simultaneous_open_ack_established(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
	assert_int_equal(t->tcb->snd.una, TEST_ISS + 1);
	/* Nothing is in flight: no retransmission comes. */
	advance(t, 5000);
	expect_nothing(t);
	expect_no_drop(t);
}

/* ------------------------------------------------------------------ */
/* Closing                                                              */
/* ------------------------------------------------------------------ */

/* ESTABLISHED -> FIN-WAIT-1: "CLOSE / snd FIN". */
static void test_established_fin_wait_1(void **state)
{
	struct tcp_test *t = *state;

	tcp_user_close(user(t), t->tcb);
	expect_seg(t, TCP_FIN | TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_state(t, TCP_FIN_WAIT_1);
}

/* SYN-RECEIVED -> FIN-WAIT-1: "CLOSE / snd FIN", reached here through a
 * simultaneous open (the only way a user holds a block in SYN-RECEIVED).
 * 3.10.4: with nothing queued to send, "form a FIN segment and send it";
 * it takes seq 1, after our SYN, which is still unacknowledged.  When the
 * timer fires, the SYN,ACK goes again first and the FIN stays at seq 1, so
 * an ACK of the SYN alone does not pass for an ACK of the FIN. */
static void test_syn_received_fin_wait_1(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	expect_state(t, TCP_SYN_RECEIVED);
	tcp_user_close(user(t), t->tcb);
	t->tcb = NULL;
	expect_seg(t, TCP_FIN | TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_state(t, TCP_FIN_WAIT_1);
	/* Both are lost: the retransmission timeout sends them again. */
	while (!pair_pending(t->peer))
		advance(t, 100);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	expect_seg(t, TCP_FIN | TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	/* The peer acknowledges our SYN only: still FIN-WAIT-1. */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);
	expect_state(t, TCP_FIN_WAIT_1);
	/* Then our FIN: FIN-WAIT-2. */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 2);
	expect_state(t, TCP_FIN_WAIT_2);
	expect_no_drop(t);
}

/* Bring a passive connection to FIN-WAIT-1 with close(): FIN seq=1 out. */
static void to_fin_wait_1(struct tcp_test *t)
{
	tcp_user_close(user(t), t->tcb);
	t->tcb = NULL;		/* closed: the user no longer holds it */
	expect_seg(t, TCP_FIN | TCP_ACK, 1, 1, 0);
	expect_state(t, TCP_FIN_WAIT_1);
	mark(t);
}

/* FIN-WAIT-1 -> FIN-WAIT-2: "rcv ACK of FIN"; nothing sent. */
static void test_fin_wait_1_fin_wait_2(void **state)
{
	struct tcp_test *t = *state;

	to_fin_wait_1(t);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 2);
	expect_nothing(t);
	expect_state(t, TCP_FIN_WAIT_2);
	expect_no_drop(t);
}

/* FIN-WAIT-2 -> TIME-WAIT: "rcv FIN / snd ACK". */
static void test_fin_wait_2_time_wait(void **state)
{
	struct tcp_test *t = *state;

	to_fin_wait_1(t);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 2);
	expect_state(t, TCP_FIN_WAIT_2);
	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 2);
	expect_seg(t, TCP_ACK, 2, 2, 0);
	expect_nothing(t);
	expect_state(t, TCP_TIME_WAIT);
	expect_no_drop(t);
}

/* FIN-WAIT-1 -> CLOSING: simultaneous close (Figure 13): the peer's FIN
 * arrives before it has acknowledged ours; "rcv FIN / snd ACK". */
static void test_fin_wait_1_closing(void **state)
{
	struct tcp_test *t = *state;

	to_fin_wait_1(t);
	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 1);
	expect_seg(t, TCP_ACK, 2, 2, 0);
	expect_nothing(t);
	expect_state(t, TCP_CLOSING);
}

/* CLOSING -> TIME-WAIT: "rcv ACK of FIN"; nothing sent. */
static void test_closing_time_wait(void **state)
{
	struct tcp_test *t = *state;

	to_fin_wait_1(t);
	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 1);
	expect_seg(t, TCP_ACK, 2, 2, 0);
	expect_state(t, TCP_CLOSING);
	send_seg(t, .flags = TCP_ACK, .seq = 2, .ack = 2);
	expect_nothing(t);
	expect_state(t, TCP_TIME_WAIT);
	expect_no_drop(t);
}

/* FIN-WAIT-1 -> TIME-WAIT: the peer's FIN acknowledges ours in the same
 * segment; "rcv FIN,ACK / snd ACK". */
static void test_fin_wait_1_time_wait(void **state)
{
	struct tcp_test *t = *state;

	to_fin_wait_1(t);
	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 2);
	expect_seg(t, TCP_ACK, 2, 2, 0);
	expect_nothing(t);
	expect_state(t, TCP_TIME_WAIT);
	expect_no_drop(t);
}

/* ESTABLISHED -> CLOSE-WAIT: "rcv FIN / snd ACK"; the user reads the end
 * of the stream. */
static void test_established_close_wait(void **state)
{
	struct tcp_test *t = *state;
	uint8_t buf[16];

	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 1);
	expect_seg(t, TCP_ACK, 1, 2, 0);
	expect_nothing(t);
	expect_state(t, TCP_CLOSE_WAIT);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), 0);
	expect_no_drop(t);
}

/* CLOSE-WAIT -> LAST-ACK: "CLOSE / snd FIN". */
static void test_close_wait_last_ack(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 1);
	expect_seg(t, TCP_ACK, 1, 2, 0);
	tcp_user_close(user(t), t->tcb);
	expect_seg(t, TCP_FIN | TCP_ACK, 1, 2, 0);
	expect_nothing(t);
	expect_state(t, TCP_LAST_ACK);
}

/* LAST-ACK -> CLOSED: "rcv ACK of FIN"; the block is deleted. */
static void test_last_ack_closed(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 1);
	expect_seg(t, TCP_ACK, 1, 2, 0);
	tcp_user_close(user(t), t->tcb);
	t->tcb = NULL;
	expect_seg(t, TCP_FIN | TCP_ACK, 1, 2, 0);
	send_seg(t, .flags = TCP_ACK, .seq = 2, .ack = 2);
	expect_nothing(t);
	expect_state(t, TCP_CLOSED);
	assert_int_equal(tcb_count(t), 1);	/* the listener alone */
	expect_no_drop(t);
	/* Nothing more, ever: no timer is left. */
	assert_true(net_next_deadline(&t->net) == UINT64_MAX);
}

/* Reach TIME-WAIT by the normal close (Figure 12) with MSL = 500 ms. */
static void to_time_wait(struct tcp_test *t)
{
	t->net.tcp->msl_ms = 500;
	to_fin_wait_1(t);
	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 2);
	expect_seg(t, TCP_ACK, 2, 2, 0);
	expect_state(t, TCP_TIME_WAIT);
	mark(t);
}

/* TIME-WAIT -> CLOSED: "Timeout=2MSL", exactly: still there at 2*MSL-1. */
static void test_time_wait_closed_after_2msl(void **state)
{
	struct tcp_test *t = *state;

	to_time_wait(t);
	advance(t, 999);
	expect_state(t, TCP_TIME_WAIT);
	advance(t, 1);
	expect_state(t, TCP_CLOSED);
	expect_nothing(t);
	assert_int_equal(tcb_count(t), 1);	/* the listener alone */
}

/* In TIME-WAIT the peer's FIN comes again (our last ACK was lost): ACK it
 * again and restart the 2*MSL timer (3.10.7.4, eighth step). */
static void test_time_wait_fin_retransmitted(void **state)
{
	struct tcp_test *t = *state;

	to_time_wait(t);
	advance(t, 600);
	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 1, .ack = 2);
	expect_seg(t, TCP_ACK, 2, 2, 0);
	expect_nothing(t);
	/* The old deadline (1000 ms after entering) passes ... */
	advance(t, 999);
	expect_state(t, TCP_TIME_WAIT);
	/* ... the new one is 2*MSL after the repeated FIN. */
	advance(t, 1);
	expect_state(t, TCP_CLOSED);
	expect_nothing(t);
}

/* RFC 1337: a reset must not end TIME-WAIT early ("TIME-WAIT
 * assassination"); it is ignored and counted. */
static void test_time_wait_rst_ignored(void **state)
{
	struct tcp_test *t = *state;

	to_time_wait(t);
	send_seg(t, .flags = TCP_RST, .seq = 2);
	expect_nothing(t);
	expect_state(t, TCP_TIME_WAIT);
	expect_drop(t, DROP_TCP_RST_TIME_WAIT);
	/* It still lasts its full 2*MSL. */
	advance(t, 999);
	expect_state(t, TCP_TIME_WAIT);
	advance(t, 1);
	expect_state(t, TCP_CLOSED);
}

/* An orphan (the user called close()) in FIN-WAIT-2 whose peer never sends
 * its FIN does not wait forever: tcp_timer.c promises the 2*MSL deadline,
 * as Linux's tcp_fin_timeout. */
static void test_fin_wait_2_orphan_times_out(void **state)
{
	struct tcp_test *t = *state;

	t->net.tcp->msl_ms = 500;
	to_fin_wait_1(t);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 2);
	expect_state(t, TCP_FIN_WAIT_2);
	advance(t, 1000);
	expect_state(t, TCP_CLOSED);
	expect_nothing(t);
	assert_int_equal(tcb_count(t), 1);	/* the listener alone */
}

/* A socket that only shut down its sending half stays in FIN-WAIT-2 as
 * long as the peer keeps sending: no timer for a block the user holds. */
static void test_fin_wait_2_half_close_stays(void **state)
{
	struct tcp_test *t = *state;
	uint8_t buf[8];

	t->net.tcp->msl_ms = 500;
	assert_int_equal(tcp_user_shutdown(user(t), t->tcb), 0);
	expect_seg(t, TCP_FIN | TCP_ACK, 1, 1, 0);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 2);
	expect_state(t, TCP_FIN_WAIT_2);
	advance(t, 5000);
	expect_state(t, TCP_FIN_WAIT_2);
	/* Data still flows toward us. */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 2, .data = "late", .len = 4);
	expect_seg(t, TCP_ACK, 2, 5, 0);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, buf, sizeof buf), 4);
	assert_memory_equal(buf, "late", 4);
}

/* ------------------------------------------------------------------ */
/* Closing before a connection exists                                   */
/* ------------------------------------------------------------------ */

/* LISTEN -> CLOSED: "CLOSE"; the port is then closed to SYNs. */
static void test_listen_closed(void **state)
{
	struct tcp_test *t = *state;

	tcp_user_close(user(t), t->listener);
	t->listener = NULL;
	expect_nothing(t);
	assert_null(tcb_find_listener(&t->net, OUR_ADDR, LISTEN_PORT));
	assert_int_equal(tcb_count(t), 0);
	/* A SYN now finds no one: <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>. */
	t->iss = 0;
	send_seg(t, .flags = TCP_SYN, .seq = 0);
	expect_seg(t, TCP_RST | TCP_ACK, 0, 1, 0);
	expect_drop(t, DROP_TCP_NO_SOCKET);
}

/* LISTEN -> CLOSED with connections not yet accepted: "Any outstanding
 * RECEIVEs are returned with 'closing' responses" - they go with the
 * listener, each told with a reset (tcb_free, as Linux does on close() of
 * a listening socket), and none is left pointing at the freed listener. */
static void test_listen_closed_resets_pending(void **state)
{
	struct tcp_test *t = *state;
	const struct tcp_seg *s;
	int resets = 0;

	t->iss = TEST_ISS;
	t->rport = 40000;		/* ready, not accepted */
	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);
	expect_state(t, TCP_ESTABLISHED);
	t->rport = 40001;		/* still in SYN-RECEIVED */
	send_seg(t, .flags = TCP_SYN, .seq = 0, .mss = 1460);
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	expect_state(t, TCP_SYN_RECEIVED);
	assert_int_equal(tcb_count(t), 3);

	tcp_user_close(user(t), t->listener);
	t->listener = NULL;
	while ((s = next_seg(t)) != NULL) {
		assert_int_equal(s->flags & TCP_RST, TCP_RST);
		resets++;
	}
	assert_int_equal(resets, 2);
	assert_int_equal(tcb_count(t), 0);
	/* The peer's late ACK finds no one. */
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);
	expect_seg(t, TCP_RST, 1, 0, 0);
	advance(t, 70000);	/* no timer of theirs fires */
	expect_nothing(t);
}

/* SYN-SENT -> CLOSED: "CLOSE"; nothing is sent, no SYN comes again. */
static void test_syn_sent_closed(void **state)
{
	struct tcp_test *t = *state;

	tcp_user_close(user(t), t->tcb);
	t->tcb = NULL;
	expect_nothing(t);
	expect_state(t, TCP_CLOSED);
	assert_int_equal(tcb_count(t), 0);
	advance(t, 10000);
	expect_nothing(t);
}

/* SYN-SENT -> CLOSED on a reset that acknowledges our SYN: the peer
 * refused (3.10.7.3: "signal to the user 'error: connection reset'";
 * the sockets API says ECONNREFUSED). */
static void test_syn_sent_rst(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_RST | TCP_ACK, .seq = 0, .ack = 1);
	expect_nothing(t);
	expect_state(t, TCP_CLOSED);
	assert_int_equal(t->tcb->state, TCP_CLOSED);
	assert_int_equal(t->tcb->error, ECONNREFUSED);
	expect_no_drop(t);
	advance(t, 10000);
	expect_nothing(t);	/* no SYN retransmission */
}

/* RFC 5961 3.2 / RFC 9293 3.10.7.3: in SYN-SENT a reset that does not
 * acknowledge our SYN (here: no ACK at all) is dropped. */
static void test_syn_sent_rst_without_ack_ignored(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_RST, .seq = 0);
	expect_nothing(t);
	expect_state(t, TCP_SYN_SENT);
	expect_drop(t, DROP_TCP_RST_OUT_OF_WIN);
}

/* RFC 9293 3.10.7.3: in SYN-SENT, an ACK of something we never sent is
 * answered with <SEQ=SEG.ACK><CTL=RST>, and the connection goes on. */
static void test_syn_sent_bad_ack_rst(void **state)
{
	struct tcp_test *t = *state;

	send_seg(t, .flags = TCP_SYN | TCP_ACK, .seq = 0, .ack = 5);
	expect_seg(t, TCP_RST, 5, 0, 0);
	expect_nothing(t);
	expect_state(t, TCP_SYN_SENT);
	expect_drop(t, DROP_TCP_BAD_ACK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* opening */
		TCP_TEST(test_closed_listen, stack),
		TCP_TEST(test_listen_syn_received, listen),
		TCP_TEST(test_syn_received_established, syn_received),
		TCP_TEST(test_closed_syn_sent, stack),
		TCP_TEST(test_syn_sent_established, syn_sent),
		TCP_TEST(test_syn_sent_simultaneous_open, syn_sent),
		TCP_TEST(test_simultaneous_open_syn_ack_established, syn_sent),
		TCP_TEST(test_simultaneous_open_ack_established, syn_sent),
		/* closing */
		TCP_TEST(test_established_fin_wait_1, established),
		TCP_TEST(test_syn_received_fin_wait_1, syn_sent),
		TCP_TEST(test_fin_wait_1_fin_wait_2, established),
		TCP_TEST(test_fin_wait_2_time_wait, established),
		TCP_TEST(test_fin_wait_1_closing, established),
		TCP_TEST(test_closing_time_wait, established),
		TCP_TEST(test_fin_wait_1_time_wait, established),
		TCP_TEST(test_established_close_wait, established),
		TCP_TEST(test_close_wait_last_ack, established),
		TCP_TEST(test_last_ack_closed, established),
		TCP_TEST(test_time_wait_closed_after_2msl, established),
		TCP_TEST(test_time_wait_fin_retransmitted, established),
		TCP_TEST(test_time_wait_rst_ignored, established),
		TCP_TEST(test_fin_wait_2_orphan_times_out, established),
		TCP_TEST(test_fin_wait_2_half_close_stays, established),
		/* closing before a connection exists */
		TCP_TEST(test_listen_closed, listen),
		TCP_TEST(test_listen_closed_resets_pending, listen),
		TCP_TEST(test_syn_sent_closed, syn_sent),
		TCP_TEST(test_syn_sent_rst, syn_sent),
		TCP_TEST(test_syn_sent_rst_without_ack_ignored, syn_sent),
		TCP_TEST(test_syn_sent_bad_ack_rst, syn_sent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
