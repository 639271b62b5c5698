/*
 * test_tcp_transfer.c - two in-process stacks move a large stream through
 * a hostile link, in virtual time: every byte must arrive, in order, once.
 *
 * Stack A (10.0.0.1) connects to stack B (10.0.0.2); a dev_pair joins them
 * and a fault injector (dev_fault.c) on A's end loses, reorders, duplicates
 * and corrupts packets in both directions.  Time is virtual: when nothing
 * is left to do now, the clock jumps to the next timer of either stack or
 * of the injector, so seconds of retransmission timeouts cost nothing.
 * This exercises RFC 6298 (retransmission), RFC 5681/6582 (fast
 * retransmit, NewReno), the out-of-order queue, window scaling (RFC 7323)
 * and the close, with sequence numbers crossing 2^32.
 *
 * TUNTCP_TRANSFER_MB overrides the 50 MB of the main test.
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

#include "dev_fault.h"
#include "dev_pair.h"
#include "net.h"
#include "tcp.h"

#define ADDR_A 0x0a000001
#define ADDR_B 0x0a000002

struct world {
	uint64_t now;
	struct net a, b;
	struct device *dev_a, *dev_b;
};

static uint64_t vclock(void *ctx)
{
	return ((struct world *)ctx)->now;
}

/* Byte i of the stream the sender sends (any offset checkable alone). */
static uint8_t stream_byte(uint64_t i)
{
	uint64_t z = (i >> 3) * 0x9E3779B97F4A7C15ULL;

	z ^= z >> 31;
	z *= 0xBF58476D1CE4E5B9ULL;
	z ^= z >> 29;
	return (uint8_t)(z >> (8 * (i & 7)));
}

/* Feed every packet waiting at each end to its stack; 1 if any moved. */
static int deliver(struct world *w)
{
	uint8_t buf[DEVICE_MTU + 1];
	int moved = 0;
	long n;

	device_timer(w->dev_a, w->now);
	while ((n = device_recv(w->dev_a, buf, sizeof buf)) > 0) {
		net_input(&w->a, buf, (size_t)n, w->now);
		moved = 1;
	}
	while ((n = device_recv(w->dev_b, buf, sizeof buf)) > 0) {
		net_input(&w->b, buf, (size_t)n, w->now);
		moved = 1;
	}
	return moved;
}

static uint64_t min3(uint64_t x, uint64_t y, uint64_t z)
{
	uint64_t m = x < y ? x : y;

	return m < z ? m : z;
}

/* Move `total` bytes from A to B through a link with `faults`; returns the
 * virtual milliseconds it took.  Fails the test on any wrong byte. */
static uint64_t transfer(uint64_t total, const char *faults, uint32_t isn)
{
	struct fault_cfg in, out;
	struct world w = { .now = 1000 };
	struct device *pa, *pb;
	struct tcb *listener, *ta, *tb = NULL;
	uint64_t sent = 0, got = 0, steps = 0;
	static uint8_t chunk[65536], rbuf[65536];
	char err[200];
	int shut = 0, eof = 0;

	assert_int_equal(fault_parse(faults, &in, &out, err, sizeof err), 0);
	pa = pair_new(&pb);
	w.dev_a = fault_wrap(pa, &in, &out, vclock, &w, NULL);
	w.dev_b = pb;
	net_init(&w.a, w.dev_a, ADDR_A);
	net_init(&w.b, w.dev_b, ADDR_B);
	tcp_layer_init(&w.a);
	tcp_layer_init(&w.b);
	w.a.now = w.b.now = w.now;
	w.a.tcp->isn_fixed = w.b.tcp->isn_fixed = 1;
	w.a.tcp->isn_value = isn;
	w.b.tcp->isn_value = isn + 0x40000000u;
	w.a.tcp->ack_delay_ms = w.b.tcp->ack_delay_ms = 40;

	listener = tcb_new(&w.b, TCP_CLOSED);
	listener->user = 1;
	tcp_user_listen(&w.b, listener, ADDR_B, 7788, 8);
	ta = tcb_new(&w.a, TCP_CLOSED);
	ta->user = 1;
	assert_int_equal(tcp_user_connect(&w.a, ta, ADDR_B, 7788, 40000), 0);

	while (!eof) {
		int moved = deliver(&w);
		long n;

		assert_true(++steps < 50000000);
		w.a.now = w.b.now = w.now;
		if (!tb && (tb = tcp_user_accept(&w.b, listener)) != NULL)
			moved = 1;
		/* The sender writes whatever fits, then closes its side. */
		while (sent < total && ta->state == TCP_ESTABLISHED) {
			size_t k = total - sent < sizeof chunk ? (size_t)(total - sent) : sizeof chunk;
			size_t i;

			for (i = 0; i < k; i++)
				chunk[i] = stream_byte(sent + i);
			n = tcp_user_send(&w.a, ta, chunk, k);
			assert_true(n >= 0);
			if (n == 0)
				break;
			sent += (uint64_t)n;
			moved = 1;
		}
		if (sent == total && !shut && ta->state == TCP_ESTABLISHED) {
			tcp_user_shutdown(&w.a, ta);
			shut = moved = 1;
		}
		/* The receiver reads and checks every byte. */
		while (tb && (n = tcp_user_recv(&w.b, tb, rbuf, sizeof rbuf)) != -EAGAIN) {
			long i;

			if (n == 0) {
				eof = 1;
				break;
			}
			assert_true(n > 0);
			for (i = 0; i < n; i++)
				if (rbuf[i] != stream_byte(got + (uint64_t)i))
					fail_msg("byte %llu is wrong", (unsigned long long)(got + (uint64_t)i));
			got += (uint64_t)n;
			moved = 1;
		}
		if (net_next_deadline(&w.a) <= w.now)
			net_tick(&w.a, w.now);
		if (net_next_deadline(&w.b) <= w.now)
			net_tick(&w.b, w.now);
		if (!moved && pair_pending(pb) == 0 && pair_pending(pa) == 0) {
			/* Idle: jump to the next thing that will happen. */
			uint64_t next = min3(net_next_deadline(&w.a),
					     net_next_deadline(&w.b),
					     device_timer(w.dev_a, w.now));

			assert_true(next != UINT64_MAX);	/* stuck forever */
			if (next > w.now)
				w.now = next;
		}
		assert_true(ta->state != TCP_CLOSED || ta->error == 0);
	}
	assert_int_equal(got, total);
	if (getenv("TUNTCP_TRACE"))
		fprintf(stderr, "# %llu bytes in %llu virtual ms; A sent %llu packets, %llu retransmitted (%llu fast); B held %llu out of order\n",
			(unsigned long long)total, (unsigned long long)(w.now - 1000),
			(unsigned long long)w.a.stats.tx_packets,
			(unsigned long long)w.a.stats.tcp_retransmits,
			(unsigned long long)w.a.stats.tcp_fast_retransmits,
			(unsigned long long)w.b.stats.tcp_ooo_queued);
	/* Both ends close: B answers the FIN with its own. */
	tcp_user_close(&w.b, tb);
	while (ta->state != TCP_CLOSED && ta->state != TCP_TIME_WAIT &&
	       ta->state != TCP_FIN_WAIT_2) {
		if (!deliver(&w)) {
			uint64_t next = min3(net_next_deadline(&w.a),
					     net_next_deadline(&w.b),
					     device_timer(w.dev_a, w.now));

			assert_true(next != UINT64_MAX);
			w.now = next > w.now ? next : w.now;
			w.a.now = w.b.now = w.now;
			net_tick(&w.a, w.now);
			net_tick(&w.b, w.now);
		}
	}
	assert_int_equal(ta->error, 0);
	tcp_user_close(&w.a, ta);
	tcp_user_close(&w.b, listener);
	net_free(&w.a);
	net_free(&w.b);
	device_destroy(w.dev_a);
	device_destroy(w.dev_b);
	return w.now;
}

static void test_clean_link_1mb(void **state)
{
	(void)state;
	transfer(1 << 20, "seed=1", 1000);
}

static void test_hostile_link_50mb(void **state)
{
	const char *mb = getenv("TUNTCP_TRANSFER_MB");

	(void)state;
	transfer((uint64_t)(mb ? atoi(mb) : 50) << 20,
		 "loss=0.10,reorder=0.05,dup=0.02,corrupt=0.01,seed=7",
		 0xFFFFF000u);
}

static void test_hostile_link_other_seeds(void **state)
{
	(void)state;
	transfer(2 << 20, "loss=0.2,reorder=0.1,dup=0.05,corrupt=0.02,seed=11", 0);
	transfer(2 << 20, "loss=0.05,delay=20,jitter=15,seed=12", 0x7FFFFF00u);
	transfer(2 << 20, "rate=10,delay=5,seed=13", 123);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_link_1mb),
		cmocka_unit_test(test_hostile_link_50mb),
		cmocka_unit_test(test_hostile_link_other_seeds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
