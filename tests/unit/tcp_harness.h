/*
 * tcp_harness.h - scripted tests of the TCP core: a stack on one end of a
 * device pair, a scripted peer on the other, and a virtual clock.
 *
 * Read this first: every TCP test is a script of the form "at time T this
 * segment arrives; exactly these segments leave" (STYLE.md, example 11).
 * The stack under test is 10.0.0.2; the peer, played by the test, is
 * 10.0.0.1.  Sequence numbers in scripts are *relative*, as Wireshark shows
 * them: what the peer sends counts from its ISN (t->irs), what the stack
 * sends counts from ours (t->iss, fixed by net.tcp->isn_fixed).  So the
 * peer's SYN has seq=0, its first byte seq=1, and `.ack=1` acknowledges our
 * SYN.
 *
 *   send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1, .data = "hi", .len = 2);
 *   expect_seg(t, TCP_ACK, 1, 3, 0);    flags, seq, ack, payload length
 *   expect_nothing(t);
 *   advance(t, 999);                    the clock, firing timers as due
 *
 * expect_seg() pops the next packet the stack sent and parses it with
 * ipv4_parse() and tcp_parse(), which proves both checksums.  A failure is
 * reported at the line of the test that called the helper, with the segment
 * printed as tcpdump would.  TUNTCP_TRACE=1 prints the stack's own log
 * (state changes, drops) with the virtual time.
 *
 * Fixtures (cmocka setup functions, or the tcb_* helpers called from a
 * test that wants to change t->peer_mss or t->peer_wnd first):
 *   setup_stack           a bare stack, ISS fixed at TEST_ISS
 *   setup_listen          + a listener on 7788 (t->listener)
 *   setup_syn_received    + the peer's SYN in, our SYN,ACK out
 *   setup_established     + the peer's ACK in, the connection accept()ed
 *   setup_syn_sent        a bare stack + connect() to 10.0.0.1:80, SYN out
 *   setup_established_active  + the peer's SYN,ACK in, our ACK out
 * Connections are held as a socket holds them (tcb->user = 1) so that a
 * test can still read a CLOSED block's error; conn_state() finds the
 * connection as the stack does and says CLOSED once it is gone.
 *
 * Before a fixture, t->peer_mss, t->peer_wnd, t->peer_wscale (-1: no
 * option) and t->peer_sack_ok choose what the peer's SYN offers; a
 * segment may carry them too (.wscale = WSCALE(7), .sack_ok = 1).
 *
 * The stack sends through t->wrap, a device around the pair's end: it
 * keeps the capture comment of the latest packet (t->note_out), and
 * t->refuse_sends = n makes the next n sends fail as a full device would.
 *
 * Counters: mark(t) remembers them; expect_drop(t, DROP_...) checks that
 * exactly that one drop happened since, expect_no_drop(t) that none did.
 * A test that shows a stack bug calls known_bug("why") where the bug
 * bites: it is skipped (the suite stays green) until the bug is fixed;
 * TUNTCP_RUN_KNOWN_BUGS=1 runs it anyway, to check a fix.
 *
 * This is a header of static functions because the Makefile builds each
 * tests/unit/test_*.c into its own program linked only with the library.
 */
#ifndef TUNTCP_TCP_HARNESS_H
#define TUNTCP_TCP_HARNESS_H

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
#include "ipv4_wire.h"
#include "net.h"
#include "seq.h"
#include "stats.h"
#include "tcp.h"
#include "tcp_wire.h"

/* Every helper is static (one copy per test program); a program need not
 * use them all. */
#define HELPER static __attribute__((unused))

#define PEER_ADDR   0x0a000001	/* 10.0.0.1: the peer the test plays */
#define OUR_ADDR    0x0a000002	/* 10.0.0.2: the stack under test */
#define LISTEN_PORT 7788	/* where the listener of setup_listen waits */
#define PEER_PORT   40000	/* the peer's port, for a passive open */
#define ACTIVE_LPORT 40001	/* our port, for an active open ... */
#define ACTIVE_RPORT 80		/* ... to the peer's port 80 */
#define TEST_ISS    1000	/* our ISN (net.tcp->isn_value) */
#define TEST_IRS    5000	/* the peer's ISN */
#define TEST_T0     10000	/* the virtual clock starts here (0 means
				 * "unarmed" to the stack's timers) */
#define HANDSHAKE_RTT 10	/* ms between SYN and its answer in fixtures */
#define WND_ZERO    0x10000	/* .wnd = WND_ZERO: a zero window */

/* The stack, the peer's view of it, and the clock. */
struct tcp_test {
	struct device *dev;	/* the stack's end of the pair */
	struct device *peer;	/* ours: what the stack sends arrives here */
	struct device wrap;	/* what the stack sends through: `dev`, with
				 * the capture comments kept and sends refused
				 * on demand */
	int refuse_sends;	/* the next n sends fail with -ENOBUFS */
	char note_out[256];	/* the stack's comment on the latest packet
				 * it sent, as a capture would keep it */
	struct net net;
	uint64_t now;		/* virtual time, ms */

	struct tcb *listener;	/* setup_listen's, held as a socket holds it */
	struct tcb *tcb;	/* the connection under test, once we have it */
	uint32_t iss, irs;	/* relative numbers count from these */
	uint16_t lport, rport;	/* its ports: ours and the peer's */
	uint16_t peer_wnd;	/* the window the peer offers by default */
	uint16_t peer_mss;	/* the MSS option on the peer's SYN (0: none) */
	int peer_wscale;	/* the window scale on the peer's SYN (-1: none) */
	uint8_t peer_sack_ok;	/* the peer's SYN says SACK-permitted */
	uint16_t ip_id;

	struct stats mark;	/* counters at the last mark() */
	struct tcp_seg last;	/* the segment expect_seg() popped last */
	uint8_t last_pkt[DEVICE_MTU];	/* its bytes: last.data points here */
};

/* ---------------------------------------------------------------------
 * Printing segments, as tcpdump does, with relative numbers
 * ------------------------------------------------------------------- */

/* "[S.] seq=0 ack=1 win=65535 len=0" for a segment the stack sent. */
HELPER char *sent_summary(const struct tcp_test *t, const struct tcp_seg *s,
			  char *buf, size_t n)
{
	char fl[8];

	snprintf(buf, n, "%u > %u [%s] seq=%u ack=%u win=%u len=%u",
		 s->sport, s->dport, tcp_flags_str(s->flags, fl),
		 s->seq - t->iss, s->ack - t->irs, s->wnd, s->len);
	return buf;
}

HELPER void trace_line(void *ctx, const char *line)
{
	const struct tcp_test *t = ctx;

	fprintf(stderr, "  [t=%llu] %s\n",
		(unsigned long long)(t->now - TEST_T0), line);
}

/* ---------------------------------------------------------------------
 * The stack and its clock
 * ------------------------------------------------------------------- */

/* The wrapper the stack sends through (struct tcp_test's `wrap`). */
HELPER int wrap_send(struct device *dev, const uint8_t *pkt, size_t len)
{
	struct tcp_test *t = (struct tcp_test *)((char *)dev - offsetof(struct tcp_test, wrap));

	if (t->refuse_sends > 0) {
		t->refuse_sends--;
		return -ENOBUFS;
	}
	return device_send(dev->lower, pkt, len);
}

HELPER long wrap_recv(struct device *dev, uint8_t *buf, size_t cap)
{
	return device_recv(dev->lower, buf, cap);
}

HELPER void wrap_note(struct device *dev, int dir, const char *text)
{
	struct tcp_test *t = (struct tcp_test *)((char *)dev - offsetof(struct tcp_test, wrap));

	if (dir == NOTE_OUT)
		snprintf(t->note_out, sizeof t->note_out, "%s", text);
}

HELPER int setup_stack(void **state)
{
	struct tcp_test *t = calloc(1, sizeof *t);

	if (!t)
		return -1;
	t->dev = pair_new(&t->peer);
	if (!t->dev) {
		free(t);
		return -1;
	}
	t->wrap = (struct device){ .name = "test", .send = wrap_send,
				   .recv = wrap_recv, .fd = -1, .lower = t->dev,
				   .note = wrap_note };
	net_init(&t->net, &t->wrap, OUR_ADDR);
	t->now = TEST_T0;
	t->net.now = TEST_T0;
	icmp_layer_init(&t->net);
	tcp_layer_init(&t->net);
	t->net.tcp->isn_fixed = 1;
	t->net.tcp->isn_value = TEST_ISS;
	t->net.tcp->ack_delay_ms = 0;	/* ACK at once: scripts expect it */
	if (getenv("TUNTCP_TRACE")) {
		t->net.log = trace_line;
		t->net.log_ctx = t;
	}
	t->irs = TEST_IRS;
	t->peer_wnd = 65535;
	t->peer_mss = 1460;
	t->peer_wscale = -1;
	t->ip_id = 1;
	*state = t;
	return 0;
}

HELPER int teardown_stack(void **state)
{
	struct tcp_test *t = *state;

	net_free(&t->net);
	device_destroy(t->dev);
	device_destroy(t->peer);
	free(t);
	return 0;
}

/* Move the clock on by `ms`, running every timer at the moment it is due
 * (as the runtime does: it sleeps until the next deadline), then at the
 * end. */
#define advance(t, ms) advance_at(__FILE__, __LINE__, (t), (ms))
HELPER void advance_at(const char *file, int line, struct tcp_test *t,
		       uint64_t ms)
{
	uint64_t end = t->now + ms, d;
	int guard = 0;

	while ((d = net_next_deadline(&t->net)) <= end) {
		if (++guard > 100000) {
			print_error("advance: a timer at %llu keeps firing\n",
				    (unsigned long long)(d - TEST_T0));
			_fail(file, line);
		}
		if (d > t->now)
			t->now = d;
		net_tick(&t->net, t->now);
		if (net_next_deadline(&t->net) == d)
			break;	/* a deadline that does not move: no loop */
	}
	t->now = end;
	net_tick(&t->net, t->now);
}

/* User calls take the time from net->now: set it first. */
HELPER struct net *user(struct tcp_test *t)
{
	t->net.now = t->now;
	return &t->net;
}

/* Remember the counters; expect_drop() and friends look at what moved. */
HELPER void mark(struct tcp_test *t)
{
	t->mark = t->net.stats;
}

/* Exactly one drop since mark(), for `reason`; then mark again. */
#define expect_drop(t, reason) expect_drop_at(__FILE__, __LINE__, (t), (reason))
HELPER void expect_drop_at(const char *file, int line, struct tcp_test *t,
			   enum drop_reason reason)
{
	int i, bad = 0;

	for (i = 0; i < DROP_COUNT; i++) {
		uint64_t d = t->net.stats.drops[i] - t->mark.drops[i];
		uint64_t want = reason != DROP_NONE &&
				(enum drop_reason)i == reason;

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

/* No drop at all since mark(). */
#define expect_no_drop(t) expect_no_drop_at(__FILE__, __LINE__, (t))
HELPER void expect_no_drop_at(const char *file, int line, struct tcp_test *t)
{
	expect_drop_at(file, line, t, DROP_NONE);
}

/* ---------------------------------------------------------------------
 * The peer sends
 * ------------------------------------------------------------------- */

/* A segment from the peer, fields overridden with designated initializers;
 * whatever is left out takes the connection's value. */
struct peer_seg {
	uint8_t flags;		/* TCP_SYN | TCP_ACK | ... */
	uint32_t seq;		/* relative to t->irs: 0 is the peer's SYN */
	uint32_t ack;		/* relative to t->iss: 1 acknowledges our SYN */
	const void *data;
	uint32_t len;
	uint32_t wnd;		/* 0: t->peer_wnd; WND_ZERO: a zero window */
	uint16_t mss;		/* an MSS option (0: none) */
	uint8_t wscale;		/* a window scale option: WSCALE(shift); 0: none */
	uint8_t sack_ok;	/* a SACK-permitted option */
	uint8_t nsack;		/* SACK blocks (RFC 2018) in .sack */
	uint32_t sack[TCP_MAX_SACK_BLOCKS][2];	/* relative to t->iss, as .ack */
	uint16_t sport;		/* 0: t->rport */
	uint16_t dport;		/* 0: t->lport */
};

#define WSCALE(shift) ((uint8_t)((shift) + 1))

/* The options of the peer's SYN, as the fixture's fields say. */
#define PEER_SYN_OPTS(t) .mss = (t)->peer_mss, .sack_ok = (t)->peer_sack_ok, \
	.wscale = (t)->peer_wscale >= 0 ? WSCALE((t)->peer_wscale) : 0

/* Wrap `len` bytes of TCP in an IPv4 header from the peer to us and hand
 * it to the stack at the current time. */
HELPER void send_tcp_bytes(struct tcp_test *t, const uint8_t *tcp, size_t len)
{
	uint8_t pkt[IPV4_HDR_MIN + TCP_HDR_MAX + DEVICE_MTU];

	assert_true(len <= sizeof pkt - IPV4_HDR_MIN);
	ipv4_build(pkt, PEER_ADDR, OUR_ADDR, IP_PROTO_TCP, t->ip_id++,
		   IPV4_DEFAULT_TTL, len);
	memcpy(pkt + IPV4_HDR_MIN, tcp, len);
	net_input(&t->net, pkt, IPV4_HDR_MIN + len, t->now);
}

#define send_seg(t, ...) send_seg_(t, (struct peer_seg){ __VA_ARGS__ })
HELPER void send_seg_(struct tcp_test *t, struct peer_seg s)
{
	uint8_t tcp[TCP_HDR_MAX + DEVICE_MTU];
	struct tcp_opts opts = { .mss = s.mss, .wscale = (int8_t)(s.wscale - 1),
				 .sack_ok = s.sack_ok, .nsack = s.nsack };
	uint16_t wnd = s.wnd == WND_ZERO ? 0 :
		       s.wnd ? (uint16_t)s.wnd : t->peer_wnd;
	size_t n;
	uint8_t i;

	assert_true(s.nsack <= 3);	/* with an MSS option, 4 would not fit */
	for (i = 0; i < s.nsack; i++) {
		opts.sack[i][0] = t->iss + s.sack[i][0];
		opts.sack[i][1] = t->iss + s.sack[i][1];
	}
	assert_true(s.len + tcp_opts_len(&opts) <= DEVICE_MTU - IPV4_HDR_MIN - TCP_HDR_MIN);
	n = tcp_build(tcp, PEER_ADDR, OUR_ADDR, s.sport ? s.sport : t->rport,
		      s.dport ? s.dport : t->lport, t->irs + s.seq,
		      (s.flags & TCP_ACK) ? t->iss + s.ack : 0, s.flags, wnd,
		      &opts, s.data, s.len);
	send_tcp_bytes(t, tcp, n);
}

/* ---------------------------------------------------------------------
 * What the stack sends
 * ------------------------------------------------------------------- */

/* Take the next packet the stack sent into t->last; 0 if there is none.
 * It must be a well-formed IPv4 datagram from us to the peer carrying a
 * well-formed TCP segment (both checksums right). */
HELPER int pop_seg(const char *file, int line, struct tcp_test *t)
{
	struct ipv4_hdr ip;
	enum drop_reason why;
	long n;

	if (pair_pending(t->peer) == 0)
		return 0;
	n = device_recv(t->peer, t->last_pkt, sizeof t->last_pkt);
	if (n <= 0) {
		print_error("device_recv: %ld\n", n);
		_fail(file, line);
	}
	why = ipv4_parse(t->last_pkt, (size_t)n, &ip);
	if (why != DROP_NONE || ip.proto != IP_PROTO_TCP ||
	    ip.src != OUR_ADDR || ip.dst != PEER_ADDR) {
		print_error("the stack sent a bad datagram (%s, proto %u)\n",
			    why ? drop_name(why) : "parsed", ip.proto);
		_fail(file, line);
	}
	why = tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, &t->last);
	if (why != DROP_NONE) {
		print_error("the stack sent a bad segment: %s\n", drop_name(why));
		_fail(file, line);
	}
	return 1;
}

/* The next segment the stack sent must have exactly these flags (PSH is
 * compared only when `flags` has it), relative seq, relative ack (when
 * ACK is set) and payload length, and go to t->rport from t->lport.
 * Returns the segment, kept in t->last. */
#define expect_seg(t, flags, seq, ack, len) \
	expect_seg_at(__FILE__, __LINE__, (t), (flags), (seq), (ack), (len))
HELPER const struct tcp_seg *expect_seg_at(const char *file, int line,
					   struct tcp_test *t, uint8_t flags,
					   uint32_t seq, uint32_t ack,
					   uint32_t len)
{
	const struct tcp_seg *s = &t->last;
	uint8_t mask = (flags & TCP_PSH) ? 0xFF : (uint8_t)~TCP_PSH;
	char want[96], got[96], fl[8];

	snprintf(want, sizeof want, "%u > %u [%s] seq=%u ack=%u len=%u",
		 t->lport, t->rport, tcp_flags_str(flags, fl), seq,
		 (flags & TCP_ACK) ? ack : 0, len);
	if (!pop_seg(file, line, t)) {
		print_error("expected   %s\nbut the stack sent nothing\n", want);
		_fail(file, line);
		return NULL;
	}
	if ((s->flags & mask) != flags || s->seq - t->iss != seq ||
	    ((flags & TCP_ACK) && s->ack - t->irs != ack) || s->len != len ||
	    s->sport != t->lport || s->dport != t->rport) {
		print_error("expected   %s\nthe stack  %s\n", want,
			    sent_summary(t, s, got, sizeof got));
		_fail(file, line);
	}
	return s;
}

/* The next segment the stack sent, or NULL: for tests that loop over
 * whatever was sent (relative numbers: s->seq - t->iss). */
#define next_seg(t) next_seg_at(__FILE__, __LINE__, (t))
HELPER const struct tcp_seg *next_seg_at(const char *file, int line,
					 struct tcp_test *t)
{
	return pop_seg(file, line, t) ? &t->last : NULL;
}

/* The payload of the segment expect_seg() returned last. */
#define expect_payload(t, bytes, n) \
	expect_payload_at(__FILE__, __LINE__, (t), (bytes), (n))
HELPER void expect_payload_at(const char *file, int line, struct tcp_test *t,
			      const void *bytes, size_t n)
{
	if (t->last.len != n || memcmp(t->last.data, bytes, n) != 0) {
		print_error("payload differs (%u bytes sent, %zu expected)\n",
			    t->last.len, n);
		_fail(file, line);
	}
}

#define expect_nothing(t) expect_nothing_at(__FILE__, __LINE__, (t))
HELPER void expect_nothing_at(const char *file, int line, struct tcp_test *t)
{
	char got[96];

	if (pop_seg(file, line, t)) {
		print_error("expected nothing, but the stack sent %s "
			    "(and %zu more)\n",
			    sent_summary(t, &t->last, got, sizeof got),
			    pair_pending(t->peer));
		_fail(file, line);
	}
}

/* ---------------------------------------------------------------------
 * The connection's state
 * ------------------------------------------------------------------- */

/* The connection's state as the stack finds it for the next segment:
 * CLOSED when no block matches any more (freed, or closed and held). */
HELPER enum tcp_state conn_state(struct tcp_test *t)
{
	struct tcb *c = tcb_find(&t->net, OUR_ADDR, t->lport, PEER_ADDR,
				 t->rport);

	return c ? c->state : TCP_CLOSED;
}

HELPER struct tcb *conn(struct tcp_test *t)
{
	return tcb_find(&t->net, OUR_ADDR, t->lport, PEER_ADDR, t->rport);
}

#define expect_state(t, s) expect_state_at(__FILE__, __LINE__, (t), (s))
HELPER void expect_state_at(const char *file, int line, struct tcp_test *t,
			    enum tcp_state want)
{
	enum tcp_state got = conn_state(t);

	if (got != want) {
		print_error("expected the connection in %s, it is in %s\n",
			    tcp_state_name(want), tcp_state_name(got));
		_fail(file, line);
	}
}

/* How many control blocks the stack holds: a leak shows here. */
HELPER int tcb_count(struct tcp_test *t)
{
	int n = 0;
	struct tcb *c;

	for (c = t->net.tcp->tcbs; c; c = c->next)
		n++;
	return n;
}

/* A test that shows a bug in the stack: it is kept, and skipped with the
 * reason until the bug is fixed.  TUNTCP_RUN_KNOWN_BUGS=1 runs it anyway
 * (it must then pass once the fix is in). */
#define known_bug(why)							\
	do {								\
		if (!getenv("TUNTCP_RUN_KNOWN_BUGS")) {			\
			print_message("[  BUG     ] %s\n", (why));		\
			skip();						\
			return;						\
		}							\
	} while (0)

/* ---------------------------------------------------------------------
 * Fixtures: a connection brought to a state by a scripted exchange
 * ------------------------------------------------------------------- */

/* LISTEN on 7788 (RFC 9293 3.10.1, passive OPEN). */
HELPER void tcb_listen(struct tcp_test *t, int backlog)
{
	t->listener = tcb_new(&t->net, TCP_CLOSED);
	assert_non_null(t->listener);
	t->listener->user = 1;
	assert_int_equal(tcp_user_listen(user(t), t->listener, OUR_ADDR,
					 LISTEN_PORT, backlog), 0);
	t->lport = LISTEN_PORT;
	t->rport = PEER_PORT;
	mark(t);
}

/* LISTEN -> SYN-RECEIVED: <SEQ=0><CTL=SYN> in, <SEQ=0><ACK=1><CTL=SYN,ACK>
 * out.  The block is the listener's until accept(): t->tcb stays NULL. */
HELPER void tcb_syn_received(struct tcp_test *t)
{
	if (!t->listener)
		tcb_listen(t, 16);
	t->iss = t->net.tcp->isn_value;
	send_seg(t, .flags = TCP_SYN, .seq = 0, PEER_SYN_OPTS(t));
	expect_seg(t, TCP_SYN | TCP_ACK, 0, 1, 0);
	assert_int_not_equal(t->last.mss, 0);	/* RFC 9293 3.7.1 */
	expect_nothing(t);
	expect_state(t, TCP_SYN_RECEIVED);
	mark(t);
}

/* SYN-RECEIVED -> ESTABLISHED: <SEQ=1><ACK=1><CTL=ACK> in, nothing out;
 * then accept() takes the connection from the listener's queue. */
HELPER void tcb_established(struct tcp_test *t)
{
	tcb_syn_received(t);
	advance(t, HANDSHAKE_RTT);
	send_seg(t, .flags = TCP_ACK, .seq = 1, .ack = 1);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
	t->tcb = tcp_user_accept(user(t), t->listener);
	assert_non_null(t->tcb);
	assert_ptr_equal(t->tcb, conn(t));
	mark(t);
}

/* CLOSED -> SYN-SENT: connect() from 40001 to 10.0.0.1:80; SYN out. */
HELPER void tcb_syn_sent(struct tcp_test *t)
{
	t->tcb = tcb_new(&t->net, TCP_CLOSED);
	assert_non_null(t->tcb);
	t->tcb->user = 1;
	t->lport = ACTIVE_LPORT;
	t->rport = ACTIVE_RPORT;
	t->iss = t->net.tcp->isn_value;
	assert_int_equal(tcp_user_connect(user(t), t->tcb, PEER_ADDR,
					  ACTIVE_RPORT, ACTIVE_LPORT), 0);
	expect_seg(t, TCP_SYN, 0, 0, 0);
	assert_int_not_equal(t->last.mss, 0);
	expect_nothing(t);
	expect_state(t, TCP_SYN_SENT);
	mark(t);
}

/* SYN-SENT -> ESTABLISHED: <SEQ=0><ACK=1><CTL=SYN,ACK> in,
 * <SEQ=1><ACK=1><CTL=ACK> out. */
HELPER void tcb_established_active(struct tcp_test *t)
{
	tcb_syn_sent(t);
	advance(t, HANDSHAKE_RTT);
	send_seg(t, .flags = TCP_SYN | TCP_ACK, .seq = 0, .ack = 1,
		 PEER_SYN_OPTS(t));
	expect_seg(t, TCP_ACK, 1, 1, 0);
	expect_nothing(t);
	expect_state(t, TCP_ESTABLISHED);
	mark(t);
}

#define FIXTURE(name, body)						\
	HELPER int setup_##name(void **state)				\
	{								\
		if (setup_stack(state) != 0)				\
			return -1;					\
		body;							\
		return 0;						\
	}
FIXTURE(listen, tcb_listen(*state, 16))
FIXTURE(syn_received, tcb_syn_received(*state))
FIXTURE(established, tcb_established(*state))
FIXTURE(syn_sent, tcb_syn_sent(*state))
FIXTURE(established_active, tcb_established_active(*state))
#undef FIXTURE

/* A test with a fixture: cmocka_unit_test_setup_teardown, shorter. */
#define TCP_TEST(fn, fixture) \
	cmocka_unit_test_setup_teardown(fn, setup_##fixture, teardown_stack)

#endif
