/*
 * test_tcp_wrap.c - whole connections whose sequence numbers cross 2^32.
 *
 * Read this first: RFC 9293 section 3.4: sequence numbers are compared
 * modulo 2^32 (stack/tcp/seq.h), and every comparison in the stack must hold
 * across the wrap.  Here both sides start just before it - our ISN
 * 0xFFFFFF00, the peer's 0xFFFFFFF0 - so the handshake, the data in both
 * directions and the close all cross it; the bytes must come out intact.
 * A bug here is a plain `<` somewhere on the path.
 */
#include "tcp_harness.h"

static void pattern(uint8_t *buf, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)(seed ^ (i * 13) ^ (i >> 8));
}

/* Passive open, data both ways, the peer closes first. */
static void test_wrap_passive(void **state)
{
	struct tcp_test *t = *state;
	uint8_t from_peer[100], to_peer[300], got[300];

	t->net.tcp->isn_value = 0xFFFFFF00u;
	t->irs = 0xFFFFFFF0u;
	tcb_established(t);
	assert_int_equal(t->tcb->iss, 0xFFFFFF00u);
	assert_int_equal(t->tcb->rcv.nxt, 0xFFFFFFF1u);

	/* 100 bytes from the peer, crossing the wrap after 15. */
	pattern(from_peer, sizeof from_peer, 0x5a);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = from_peer,
		 .len = sizeof from_peer);
	expect_seg(t, TCP_ACK, 1, 101, 0);
	assert_int_equal(t->tcb->rcv.nxt, 0x00000055u);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, got, sizeof got), 100);
	assert_memory_equal(got, from_peer, 100);

	/* 300 bytes to the peer, crossing the wrap after 255. */
	pattern(to_peer, sizeof to_peer, 0xa5);
	assert_int_equal(tcp_user_send(user(t), t->tcb, to_peer, sizeof to_peer),
			 300);
	expect_seg(t, TCP_ACK, 1, 101, 300);
	expect_payload(t, to_peer, 300);
	assert_int_equal(t->last.seq, 0xFFFFFF01u);
	expect_nothing(t);
	send_seg(t, .flags = TCP_ACK, .seq = 101, .ack = 301);
	expect_nothing(t);
	assert_int_equal(t->tcb->snd.una, 0x0000002Du);
	assert_int_equal(t->tcb->sndbuf.len, 0);

	/* The peer closes; we close; its last ACK ends it. */
	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 101, .ack = 301);
	expect_seg(t, TCP_ACK, 301, 102, 0);
	expect_state(t, TCP_CLOSE_WAIT);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, got, sizeof got), 0);
	tcp_user_close(user(t), t->tcb);
	t->tcb = NULL;
	expect_seg(t, TCP_FIN | TCP_ACK, 301, 102, 0);
	expect_state(t, TCP_LAST_ACK);
	send_seg(t, .flags = TCP_ACK, .seq = 102, .ack = 302);
	expect_nothing(t);
	expect_state(t, TCP_CLOSED);
	expect_no_drop(t);
}

/* Active open from the very last number: our SYN is 0xFFFFFFFF and our
 * first byte 0; the same for the peer.  We close first: FIN-WAIT-1,
 * FIN-WAIT-2, TIME-WAIT, CLOSED. */
static void test_wrap_active_from_last_number(void **state)
{
	struct tcp_test *t = *state;
	uint8_t got[16];

	t->net.tcp->isn_value = 0xFFFFFFFFu;
	t->net.tcp->msl_ms = 100;
	t->irs = 0xFFFFFFFFu;
	tcb_established_active(t);
	assert_int_equal(t->tcb->snd.una, 0);
	assert_int_equal(t->tcb->rcv.nxt, 0);

	assert_int_equal(tcp_user_send(user(t), t->tcb, (const uint8_t *)"ping", 4), 4);
	expect_seg(t, TCP_ACK | TCP_PSH, 1, 1, 4);
	assert_int_equal(t->last.seq, 0);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 5, .data = "pong", .len = 4);
	expect_seg(t, TCP_ACK, 5, 5, 0);
	assert_int_equal(tcp_user_recv(user(t), t->tcb, got, sizeof got), 4);
	assert_memory_equal(got, "pong", 4);

	tcp_user_close(user(t), t->tcb);
	t->tcb = NULL;
	expect_seg(t, TCP_FIN | TCP_ACK, 5, 5, 0);
	send_seg(t, .flags = TCP_ACK, .seq = 5, .ack = 6);
	expect_state(t, TCP_FIN_WAIT_2);
	send_seg(t, .flags = TCP_FIN | TCP_ACK, .seq = 5, .ack = 6);
	expect_seg(t, TCP_ACK, 6, 6, 0);
	expect_state(t, TCP_TIME_WAIT);
	advance(t, 200);
	expect_state(t, TCP_CLOSED);
	expect_nothing(t);
	expect_no_drop(t);
}

/* A longer stream across the wrap, MSS-sized segments, each acknowledged
 * as it comes: every byte once, in order. */
static void test_wrap_stream(void **state)
{
	struct tcp_test *t = *state;
	static uint8_t data[20000];
	const struct tcp_seg *s;
	uint32_t next = 1;
	size_t written;
	int rounds = 0;

	t->net.tcp->isn_value = 0xFFFFC000u;	/* the wrap after 16384 bytes */
	t->irs = 0x7FFFFFFFu;
	tcb_established(t);
	pattern(data, sizeof data, 0x33);
	written = (size_t)tcp_user_send(user(t), t->tcb, data, sizeof data);
	assert_int_equal(written, sizeof data);
	while (next < 1 + sizeof data) {
		assert_true(++rounds < 100);
		while ((s = next_seg(t)) != NULL) {
			assert_int_equal(s->seq - t->iss, next);
			assert_true(s->len > 0 && s->len <= 1460);
			assert_memory_equal(s->data, data + next - 1, s->len);
			next += s->len;
		}
		advance(t, 10);
		send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = next);
	}
	expect_nothing(t);
	assert_int_equal(t->tcb->snd.una, (uint32_t)(0xFFFFC000u + 1 + sizeof data));
	assert_int_equal(t->tcb->sndbuf.len, 0);
	expect_no_drop(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TCP_TEST(test_wrap_passive, stack),
		TCP_TEST(test_wrap_active_from_last_number, stack),
		TCP_TEST(test_wrap_stream, stack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
