/*
 * fuzz_tcp.c - libFuzzer target: the TCP state machine, driven deep by a
 * script of segments, clock ticks and user calls.
 *
 * Read this first: fuzz_rx.c throws bytes at the front door, and almost
 * none of them get past the checksums and the connection lookup.  This
 * target plays the peer instead, as tests/unit/tcp_harness.h does, but
 * lets libFuzzer write the script.  Each input gets a fresh stack
 * (10.0.0.2, ISS fixed, a listener on 7788) and is read as:
 *
 *   byte 0    setup: bit 0 connect() to 10.0.0.1:80 from 40001 (SYN-SENT);
 *             bit 1 a connection from 10.0.0.1:40000 ESTABLISHED by a
 *             crafted handshake and accept()ed; bits 2-3 our ISS (two of
 *             them near a wrap); bit 4 delayed ACKs; bit 5 TCP_NODELAY;
 *             bits 6-7 the listener's backlog
 *   byte 1    buffer sizes, MSL and RTO minimum (small ones reach the
 *             full-buffer, zero-window and timer paths sooner)
 *   byte 2    the crafted handshake's SYN: MSS, window scale, ISN, window
 *   then      operations, one opcode byte each (see `enum op`) followed by
 *             its arguments; missing bytes read as 0.
 *
 * A segment is built with tcp_build() (checksums right), its sequence and
 * acknowledgment numbers chosen relative to what the peer knows: its own
 * ISN, the end of its previous segment, the last ACK or the highest
 * sequence number the stack sent it, or raw.  The peer's payload bytes are
 * a function of their sequence number, and the user's bytes a function of
 * their offset in the stream, so whatever reordering, overlap or
 * retransmission happens in between, the bytes that come out the other
 * side are known.
 *
 * After every operation, everything the stack sent is drained and must be:
 *   - a datagram ipv4_parse() and tcp_parse() accept (right checksums, no
 *     malformed options), from 10.0.0.2 to 10.0.0.1;
 *   - no bigger than the MSS the peer announced on its SYN (536 without
 *     the option, RFC 9293 3.7.1; at most 1460);
 *   - within a window the peer offered (RFC 9293 3.8.6);
 *   - carrying the user's bytes at the right sequence numbers, and a FIN
 *     only right after the last byte the user wrote;
 *   - with ACK numbers that never go back, and a window whose right edge
 *     never moves back (beyond the window scale's granularity);
 *   - a RST, when no connection of that port pair existed before or after.
 * The bytes tcp_user_recv() returns must be the peer's, in order; a timer
 * must not still be due right after net_tick() ran (the runtime would
 * spin); a few invariants of the control blocks must hold.  A broken rule
 * is an abort() with a line saying which; ASan, UBSan and LeakSanitizer
 * (net_free() at the end) watch the rest.
 *
 * What this target finds is fixed in the stack, with a unit test that
 * shows it (two so far: a delayed ACK sent from CLOSED after a reset,
 * test_tcp_input.c; a FIN moved onto our unacknowledged SYN after a close
 * in SYN-RECEIVED, test_tcp_states.c), never stepped around here.
 *
 * Control blocks are held as the socket layer holds them (tcb->user = 1):
 * the listener, the active connection, accept()ed ones.  The stack may free
 * any other block at any moment, so no other tcb pointer is kept across a
 * call into the stack.
 *
 * Build: make build/fuzz/fuzz_tcp.  Run: tests/fuzz/run.sh 60 build/fuzz/fuzz_tcp
 * Replay one input with a trace of every packet and the stack's log:
 *   FUZZ_TCP_TRACE=1 build/fuzz/fuzz_tcp FILE
 * Seeds: tests/fuzz/seeds/fuzz_tcp/, made by tests/fuzz/gen_tcp_seeds.py
 * (which also documents the encoding of each operation).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "checksum.h"
#include "dev_pair.h"
#include "ipv4_wire.h"
#include "net.h"
#include "print.h"
#include "seq.h"
#include "tcp.h"
#include "tcp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PEER_ADDR    0x0a000001	/* 10.0.0.1: the peer this target plays */
#define OUR_ADDR     0x0a000002	/* 10.0.0.2: the stack */
#define LISTEN_PORT  7788
#define ACTIVE_LPORT 40001	/* our port for connect() ... */
#define ACTIVE_RPORT 80		/* ... to the peer's port 80 */
#define T0           10000	/* the clock starts here: 0 is "unarmed" */
#define MAX_PAYLOAD  (DEVICE_MTU - IPV4_HDR_MIN - TCP_HDR_MIN)

/* Where the peer's segments go: port pairs, the peer's port first.  The
 * connections live on the first four; the others reach a listener or a
 * port with nobody behind it. */
static const struct { uint16_t peer, ours; } ep_ports[] = {
	{ 40000, LISTEN_PORT },	/* 0: the crafted handshake's */
	{ ACTIVE_RPORT, ACTIVE_LPORT },	/* 1: connect()'s */
	{ 40002, LISTEN_PORT },	/* 2, 3: more passive connections */
	{ 40003, LISTEN_PORT },
	{ 40000, ACTIVE_LPORT },	/* 4: the wrong peer port for 40001 */
	{ ACTIVE_RPORT, LISTEN_PORT },	/* 5 */
	{ 40004, LISTEN_PORT },	/* 6 */
	{ 1, 9 },		/* 7: nobody listens on 9 */
};
#define N_EP (sizeof ep_ports / sizeof ep_ports[0])

/* What the peer knows of one port pair, learned only from what it sent
 * and what the stack sent it. */
struct endpoint {
	uint32_t irs;		/* the peer's ISN: relative seq counts from it */
	uint32_t iss;		/* the stack's, from its last SYN */
	uint8_t have_iss;
	uint32_t rcv_nxt;	/* the stack's last ACK number */
	uint8_t have_rcv_nxt;
	uint32_t snd_max;	/* the highest seq+len the stack sent */
	uint8_t have_snd_max;
	uint32_t last_ack;	/* the peer's last ACK number (dup ACKs) */
	uint32_t peer_nxt;	/* where the peer's last segment ended */
	uint64_t written;	/* bytes the user gave this connection */

	/* What the peer told the connection (forgotten when there is none):
	 * bounds on what the stack may send it. */
	uint16_t mss_allowed;	/* largest MSS the peer announced, 0: none */
	uint8_t wscale;		/* largest window scale the peer announced */
	uint8_t have_wnd;
	uint32_t max_ack;	/* the furthest ACK the stack could take */
	uint32_t max_wnd;	/* the largest window offered, scaled */
	uint8_t have_syn_wnd;
	uint16_t syn_wnd;	/* window of a SYN, from the stack's ISS on */
	uint8_t have_ack_floor;
	uint32_t ack_floor;	/* the stack's ACKs never go back below this */
	uint8_t have_rcv_edge;
	uint32_t rcv_edge;	/* the right edge of the window the stack offered */
	uint8_t sack_ok;	/* the peer's SYN said SACK-permitted */
	uint8_t conn_before;	/* a connection existed before this op */
};

/* A block held as a socket holds it, and where its streams are. */
struct slot {
	struct tcb *tcb;
	uint64_t rd_off;	/* bytes tcp_user_recv() has returned */
	uint64_t wr_off;	/* bytes tcp_user_send() has taken */
};
#define SLOT_LISTENER 0
#define SLOT_ACTIVE   1
#define N_SLOTS       8	/* 2..7: accept()ed connections */

struct fuzz {
	const uint8_t *in;	/* the rest of the input */
	size_t left;
	struct net net;
	struct device *dev, *peer;
	uint64_t now;
	uint16_t ip_id;
	int backlog;
	uint8_t nodelay;
	struct endpoint ep[N_EP];
	struct slot slot[N_SLOTS];
};

/* --------------------------------------------------------------------
 * Reading the input
 * ------------------------------------------------------------------ */

static uint8_t u8(struct fuzz *f)
{
	if (!f->left)
		return 0;
	f->left--;
	return *f->in++;
}

static uint16_t u16(struct fuzz *f)
{
	uint16_t hi = u8(f);

	return (uint16_t)(hi << 8 | u8(f));
}

static uint32_t u32(struct fuzz *f)
{
	uint32_t hi = u16(f);

	return hi << 16 | u16(f);
}

/* The peer's byte at sequence number `seq`, and the user's byte at
 * offset `off` of what it wrote: fixed functions, so the receiver of
 * either stream knows what each byte must be. */
static uint8_t peer_byte(uint32_t seq)
{
	return (uint8_t)((seq * 0x9E3779B1u) >> 24);
}

static uint8_t user_byte(uint64_t off)
{
	return (uint8_t)(((uint32_t)off * 0x85EBCA77u) >> 24 ^ 0x5A);
}

/* FUZZ_TCP_TRACE=1: print every packet, each operation and the stack's
 * log, with the virtual time (for replaying one input). */
static int tracing;
static uint64_t trace_now;

static void trace_line(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "  [t=%llu] %s\n",
		(unsigned long long)(trace_now - T0), line);
}

static void trace_packet(const char *dir, const uint8_t *pkt, size_t len)
{
	char line[256];

	if (!tracing)
		return;
	packet_summary(line, sizeof line, pkt, len);
	fprintf(stderr, "  [t=%llu] %s %s\n",
		(unsigned long long)(trace_now - T0), dir, line);
}

#define FAIL(...)                                                      \
	do {                                                           \
		fprintf(stderr, "fuzz_tcp: " __VA_ARGS__);             \
		fprintf(stderr, "\n");                                 \
		abort();                                               \
	} while (0)

/* --------------------------------------------------------------------
 * What the stack sends
 * ------------------------------------------------------------------ */

static int find_ep(uint16_t peer, uint16_t ours)
{
	size_t i;

	for (i = 0; i < N_EP; i++)
		if (ep_ports[i].peer == peer && ep_ports[i].ours == ours)
			return (int)i;
	return -1;
}

/* The peer offered a window of `wnd` bytes from `ack` on.  The stack
 * takes a window only from the newest segment (SND.WL1, SND.WL2), and
 * keeps it as SND.UNA moves on, so the edge it sends up to is no further
 * than the furthest ACK plus the largest window: a loose bound, but one
 * that holds whatever order the peer's segments come in. */
static void offer_window(struct endpoint *ep, uint32_t ack, uint32_t wnd)
{
	if (!ep->have_wnd || seq_gt(ack, ep->max_ack))
		ep->max_ack = ack;
	if (!ep->have_wnd || wnd > ep->max_wnd)
		ep->max_wnd = wnd;
	ep->have_wnd = 1;
}

static int conn_exists(struct fuzz *f, int e)
{
	return tcb_find(&f->net, OUR_ADDR, ep_ports[e].ours, PEER_ADDR,
			ep_ports[e].peer) != NULL;
}

/* RFC 9293 3.8.6: "the receiver SHOULD NOT shrink the window": the right
 * edge (ACK + window, scaled by our shift) never moves back by more than
 * the scale's granularity, 2^shift - 1 bytes (RFC 7323 2.4).  The shift is
 * the connection's own (read from the block, if it is still there). */
static void check_window_edge(struct fuzz *f, int e, const struct tcp_seg *s)
{
	struct endpoint *ep = &f->ep[e];
	const struct tcb *t = tcb_find(&f->net, OUR_ADDR, s->sport, PEER_ADDR,
				       s->dport);
	uint32_t edge, slack;

	if (!t || t->state < TCP_ESTABLISHED)
		return;
	edge = s->ack + ((uint32_t)s->wnd << t->rcv_wscale);
	slack = (1u << t->rcv_wscale) - 1;
	if (ep->have_rcv_edge && seq_lt(edge + slack, ep->rcv_edge))
		FAIL("%u > %u ack=%u win=%u: the window's right edge moved back "
		     "by %u bytes", s->sport, s->dport, s->ack, s->wnd,
		     ep->rcv_edge - edge);
	if (!ep->have_rcv_edge || seq_gt(edge, ep->rcv_edge))
		ep->rcv_edge = edge;
	ep->have_rcv_edge = 1;
}

/* RFC 2018: SACK blocks only to a peer that said SACK-permitted on its
 * SYN, SACK-permitted only on a SYN; each block [left, right) non-empty,
 * above the cumulative ACK (we send no D-SACK), inside the window we
 * offered, and apart from the others.  tcp_parse() has proven the options
 * well formed, and skips SACK blocks: read them here. */
static void check_sack(struct fuzz *f, int e, const struct tcp_seg *s)
{
	const struct endpoint *ep = &f->ep[e];
	const uint8_t *o = s->data - (s->hdr_len - TCP_HDR_MIN);
	size_t i = 0, n = s->hdr_len - TCP_HDR_MIN;
	uint32_t b[TCP_MAX_SACK_BLOCKS][2];
	unsigned k, j, nb;

	while (i < n && o[i] != TCPOPT_EOL) {
		if (o[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (o[i] == TCPOPT_SACK_OK && !(s->flags & TCP_SYN))
			FAIL("SACK-permitted on a segment without SYN");
		if (o[i] == TCPOPT_SACK) {
			nb = (o[i + 1] - 2u) / 8;
			if (!ep->sack_ok)
				FAIL("SACK blocks to a peer that never said "
				     "SACK-permitted");
			if ((o[i + 1] - 2u) % 8 || nb < 1 || nb > TCP_MAX_SACK_BLOCKS)
				FAIL("a SACK option of %u bytes", o[i + 1]);
			for (k = 0; k < nb; k++) {
				b[k][0] = get32(o + i + 2 + 8 * k);
				b[k][1] = get32(o + i + 6 + 8 * k);
				if (!seq_lt(b[k][0], b[k][1]) ||
				    !seq_gt(b[k][0], s->ack) ||
				    (ep->have_rcv_edge &&
				     seq_gt(b[k][1], ep->rcv_edge)))
					FAIL("SACK block %u-%u with ack=%u",
					     b[k][0], b[k][1], s->ack);
				if (tracing)
					fprintf(stderr, "      SACK %u-%u\n",
						b[k][0], b[k][1]);
				for (j = 0; j < k; j++)
					if (seq_lt(b[k][0], b[j][1]) &&
					    seq_lt(b[j][0], b[k][1]))
						FAIL("SACK blocks %u-%u and %u-%u "
						     "overlap", b[j][0], b[j][1],
						     b[k][0], b[k][1]);
			}
		}
		i += o[i + 1];
	}
}

static void check_segment(struct fuzz *f, const struct tcp_seg *s)
{
	struct endpoint *ep;
	char fl[8];
	uint32_t i;
	int e = find_ep(s->dport, s->sport);

	tcp_flags_str(s->flags, fl);
	if (e < 0) {
		/* Only the raw op's random ports get here: a reset at most. */
		if (!(s->flags & TCP_RST) || s->len)
			FAIL("[%s] len=%u to an unknown port pair %u > %u", fl,
			     s->len, s->sport, s->dport);
		return;
	}
	ep = &f->ep[e];
	/* RFC 9293 3.7.1: never more than the peer's MSS in one segment. */
	if (s->len > ep->mss_allowed)
		FAIL("%u > %u [%s] carries %u bytes, the peer's MSS allows %u",
		     s->sport, s->dport, fl, s->len, ep->mss_allowed);
	/* Nothing but resets where there is no connection. */
	if (!ep->conn_before && !conn_exists(f, e) && !(s->flags & TCP_RST))
		FAIL("%u > %u [%s] seq=%u from no connection", s->sport,
		     s->dport, fl, s->seq);
	if (s->flags & TCP_SYN) {
		/* A new ISS: a new connection, nothing written to it yet (the
		 * user cannot write before ESTABLISHED). */
		ep->iss = s->seq;
		ep->have_iss = 1;
		ep->written = 0;
		ep->have_rcv_edge = 0;
		/* The window of the peer's SYN counts from our ISS. */
		if (ep->have_syn_wnd)
			offer_window(ep, s->seq, ep->syn_wnd);
		ep->have_syn_wnd = 0;
	}
	/* RFC 9293 3.8.6: never beyond the window the peer offered (one
	 * byte beyond it for a zero-window probe, 3.8.6.1). */
	if (s->len && ep->have_wnd &&
	    seq_gt(s->seq + s->len, ep->max_ack + ep->max_wnd + 1))
		FAIL("%u > %u [%s] seq=%u len=%u goes %u bytes beyond any "
		     "window the peer offered", s->sport, s->dport, fl,
		     s->seq - ep->iss, s->len,
		     s->seq + s->len - (ep->max_ack + ep->max_wnd));
	/* The FIN follows the last byte the user wrote, and nothing else. */
	if ((s->flags & TCP_FIN) && ep->have_iss &&
	    s->seq + s->len != ep->iss + 1 + (uint32_t)ep->written)
		FAIL("%u > %u [%s] seq=%u len=%u: a FIN at %u, but the user "
		     "wrote %llu bytes", s->sport, s->dport, fl,
		     s->seq - ep->iss, s->len, s->seq + s->len - ep->iss,
		     (unsigned long long)ep->written);
	/* RCV.NXT only moves forward: so do our ACKs. */
	if ((s->flags & TCP_ACK) && !(s->flags & TCP_RST)) {
		if (ep->have_ack_floor && seq_lt(s->ack, ep->ack_floor))
			FAIL("%u > %u [%s] ack=%u: behind an earlier ACK %u",
			     s->sport, s->dport, fl, s->ack, ep->ack_floor);
		ep->ack_floor = s->ack;
		ep->have_ack_floor = 1;
	}
	if ((s->flags & TCP_ACK) && !(s->flags & (TCP_RST | TCP_SYN)))
		check_window_edge(f, e, s);
	check_sack(f, e, s);
	if (s->len && ep->have_iss) {
		/* Byte k of the user's stream goes at ISS + 1 + k. */
		for (i = 0; i < s->len; i++) {
			uint32_t off = s->seq + i - ep->iss - 1;

			if (s->data[i] != user_byte(off))
				FAIL("%u > %u [%s] seq=%u: byte %u is not the "
				     "user's byte %u", s->sport, s->dport, fl,
				     s->seq - ep->iss, i, off);
		}
	}
	if (s->flags & TCP_ACK) {
		ep->rcv_nxt = s->ack;
		ep->have_rcv_nxt = 1;
	}
	if (!(s->flags & TCP_RST)) {
		uint32_t end = s->seq + s->seg_len;

		if (!ep->have_snd_max || seq_gt(end, ep->snd_max))
			ep->snd_max = end;
		ep->have_snd_max = 1;
	}
}

/* Take and check everything the stack sent. */
static void drain(struct fuzz *f)
{
	uint8_t out[DEVICE_MTU];
	struct ipv4_hdr ip;
	struct tcp_seg s;
	enum drop_reason why;
	long n;

	while ((n = device_recv(f->peer, out, sizeof out)) > 0) {
		trace_packet("out", out, (size_t)n);
		why = ipv4_parse(out, (size_t)n, &ip);
		if (why != DROP_NONE)
			FAIL("the stack sent a bad datagram: %s", drop_name(why));
		if (ip.proto != IP_PROTO_TCP || ip.src != OUR_ADDR ||
		    ip.dst != PEER_ADDR)
			FAIL("the stack sent proto %u from %08x to %08x",
			     ip.proto, ip.src, ip.dst);
		why = tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, &s);
		if (why != DROP_NONE)
			FAIL("the stack sent a bad segment: %s", drop_name(why));
		check_segment(f, &s);
	}
	if (n < 0)
		FAIL("device_recv: %ld", n);
}

/* Cheap invariants of every block the stack holds. */
static void check_tcbs(struct fuzz *f)
{
	const struct tcb *t;

	for (t = f->net.tcp->tcbs; t; t = t->next) {
		if (t->rcvbuf.len > t->rcvbuf.cap || t->sndbuf.len > t->sndbuf.cap)
			FAIL("a buffer holds more than its capacity");
		if (t->state < TCP_ESTABLISHED || t->state == TCP_TIME_WAIT)
			continue;
		/* The receive buffer has room for the whole window offered
		 * (tcp_reass.c counts on it). */
		if (seq_geq(t->rcv_adv, t->rcv.nxt) &&
		    t->rcv_adv - t->rcv.nxt > t->rcvbuf.cap - t->rcvbuf.len)
			FAIL("%s: window offered %u, room for %zu",
			     tcp_state_name(t->state), t->rcv_adv - t->rcv.nxt,
			     t->rcvbuf.cap - t->rcvbuf.len);
		if (!seq_leq(t->snd.una, t->snd.nxt) ||
		    !seq_leq(t->snd.nxt, t->snd_max))
			FAIL("%s: snd.una=%u snd.nxt=%u snd_max=%u out of order",
			     tcp_state_name(t->state), t->snd.una - t->iss,
			     t->snd.nxt - t->iss, t->snd_max - t->iss);
	}
}

/* Before an operation: which port pairs have a connection.  A pair with
 * none forgets the MSS its last connection was told. */
static void before_op(struct fuzz *f)
{
	size_t e;

	for (e = 0; e < N_EP; e++) {
		struct endpoint *ep = &f->ep[e];

		ep->conn_before = (uint8_t)conn_exists(f, (int)e);
		if (!ep->conn_before) {
			ep->mss_allowed = 0;
			ep->wscale = 0;
			ep->have_wnd = 0;
			ep->have_syn_wnd = 0;
			ep->have_ack_floor = 0;
			ep->have_rcv_edge = 0;
			ep->sack_ok = 0;
		}
	}
	f->net.now = f->now;	/* user calls take the time from here */
	trace_now = f->now;
}

static void after_op(struct fuzz *f)
{
	drain(f);
	check_tcbs(f);
}

/* --------------------------------------------------------------------
 * The clock
 * ------------------------------------------------------------------ */

static void tick(struct fuzz *f, uint64_t at)
{
	f->now = at;
	trace_now = at;
	net_tick(&f->net, at);
	/* Whatever was due ran: the runtime sleeps until the next deadline,
	 * and one still due now would make it spin. */
	if (net_next_deadline(&f->net) <= at)
		FAIL("a timer is still due after net_tick(%llu)",
		     (unsigned long long)(at - T0));
}

/* Move the clock on by `ms`, running each timer when it is due, as the
 * runtime does. */
static void advance(struct fuzz *f, uint64_t ms)
{
	uint64_t end = f->now + ms, d;
	int guard = 0;

	while ((d = net_next_deadline(&f->net)) <= end) {
		if (++guard > 10000)
			FAIL("a timer keeps firing");
		tick(f, d > f->now ? d : f->now);
	}
	tick(f, end);
}

/* --------------------------------------------------------------------
 * What the peer sends
 * ------------------------------------------------------------------ */

/* Hand one datagram to the stack.  If it is a TCP segment for one of our
 * port pairs that tcp_parse() accepts, the peer remembers what it said:
 * the MSS of a SYN, the ACK number. */
static void inject(struct fuzz *f, const uint8_t *pkt, size_t len)
{
	struct ipv4_hdr ip;
	struct tcp_seg s;
	int e;

	if (ipv4_parse(pkt, len, &ip) == DROP_NONE &&
	    ip.proto == IP_PROTO_TCP &&
	    tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, &s) ==
		    DROP_NONE &&
	    (e = find_ep(s.sport, s.dport)) >= 0) {
		struct endpoint *ep = &f->ep[e];

		if (s.flags & TCP_SYN) {
			uint16_t mss = s.mss ? s.mss : TCP_MIN_MSS;

			if (mss > TCP_DEFAULT_MSS)
				mss = TCP_DEFAULT_MSS;
			if (mss < TCP_MIN_SND_MSS)	/* CVE-2019-11479's floor */
				mss = TCP_MIN_SND_MSS;
			if (mss > ep->mss_allowed)
				ep->mss_allowed = mss;
			if (s.wscale > ep->wscale)
				ep->wscale = (uint8_t)s.wscale;
			if (s.sack_ok)
				ep->sack_ok = 1;
			if (!(s.flags & TCP_ACK)) {
				ep->syn_wnd = s.wnd;
				ep->have_syn_wnd = 1;
			}
		}
		if (s.flags & TCP_ACK)
			ep->last_ack = s.ack;
		/* The window it offers, if the stack can take the ACK: one
		 * beyond what it sent is not (RFC 5961 5.2).  RFC 7323 2.2:
		 * the window of a SYN is never scaled. */
		if ((s.flags & TCP_ACK) && !(s.flags & TCP_RST) &&
		    ep->have_snd_max && seq_leq(s.ack, ep->snd_max))
			offer_window(ep, s.ack, (uint32_t)s.wnd
				<< ((s.flags & TCP_SYN) ? 0 : ep->wscale));
		if (!(s.flags & TCP_RST))
			ep->peer_nxt = s.seq + s.seg_len;
	}
	trace_packet("in ", pkt, len);
	net_input(&f->net, pkt, len, f->now);
}

/* Build a segment from the peer on endpoint `e` into `pkt`, an IPv4
 * datagram, with right checksums; returns the datagram's length.  `raw`
 * (raw_len bytes), if any, replaces the options of `opts`.  Byte i of the
 * payload is the peer's byte at sequence number seq + i (+1 after a SYN). */
static size_t build_segment(struct fuzz *f, uint8_t *pkt, int e,
			    uint8_t flags, uint32_t seq, uint32_t ack,
			    uint16_t wnd, const struct tcp_opts *opts,
			    const uint8_t *raw, uint32_t raw_len, uint32_t len)
{
	uint8_t *tcp = pkt + IPV4_HDR_MIN;
	uint8_t payload[MAX_PAYLOAD];
	uint32_t i;
	size_t n;

	for (i = 0; i < len; i++)
		payload[i] = peer_byte(seq + i + !!(flags & TCP_SYN));
	if (!raw_len) {
		n = tcp_build(tcp, PEER_ADDR, OUR_ADDR, ep_ports[e].peer,
			      ep_ports[e].ours, seq, ack, flags, wnd, opts,
			      payload, len);
	} else {
		/* tcp_build() knows only MSS and window scale: lay the raw
		 * options (zero-padded: EOL) and the payload behind a bare
		 * header, and compute the checksum again. */
		size_t hlen = TCP_HDR_MIN + ((raw_len + 3) & ~3u);

		tcp_build(tcp, PEER_ADDR, OUR_ADDR, ep_ports[e].peer,
			  ep_ports[e].ours, seq, ack, flags, wnd, NULL, NULL, 0);
		memset(tcp + TCP_HDR_MIN, 0, hlen - TCP_HDR_MIN);
		memcpy(tcp + TCP_HDR_MIN, raw, raw_len);
		memcpy(tcp + hlen, payload, len);
		tcp[TCP_OFF_DOFF] = (uint8_t)((hlen / 4) << 4);
		n = hlen + len;
		put16(tcp + TCP_OFF_CHECKSUM, 0);
		put16(tcp + TCP_OFF_CHECKSUM,
		      inet_fold(inet_sum(inet_pseudo_sum(PEER_ADDR, OUR_ADDR,
							 IP_PROTO_TCP,
							 (uint16_t)n),
					 tcp, n)));
	}
	ipv4_build(pkt, PEER_ADDR, OUR_ADDR, IP_PROTO_TCP, f->ip_id++,
		   IPV4_DEFAULT_TTL, n);
	return IPV4_HDR_MIN + n;
}

static const uint8_t flag_table[] = {
	TCP_ACK, TCP_ACK | TCP_PSH, TCP_SYN, TCP_SYN | TCP_ACK,
	TCP_FIN | TCP_ACK, TCP_RST, TCP_RST | TCP_ACK, TCP_FIN | TCP_PSH | TCP_ACK,
};
static const uint16_t mss_table[] = { 1460, 536, 1, 100, 0, 1400, 9000, 65535 };
static const int8_t wscale_table[] = { 0, 1, 2, 7, 8, 14, 15, 100 };

/* A segment from the peer, described by the input:
 *   byte  endpoint (bits 0-2), seq mode (bits 3-4), ack mode (bits 5-6)
 *   byte  flags: bit 7 set, the low 6 bits as they are; else flag_table
 *   seq   mode 0: the stack's last ACK + (int8); 1: ISN + u16;
 *         2: the end of the peer's previous segment + (int8) (the next
 *         in line, whether the stack acknowledged it yet or not);
 *         3: u32 raw, and a SYN makes it the peer's ISN
 *   ack   mode 0: the highest seq the stack sent + (int8); 1: ISS + u16;
 *         2: the peer's previous ACK (a duplicate); 3: u32 raw
 *   byte  window: < 16 as it is, else times 257
 *   byte  options: bits 0-1 none / MSS / MSS and window scale / raw
 *         (then a length byte and that many bytes, at most 40); bits 2-4
 *         the MSS (mss_table), bits 5-7 the shift (wscale_table).  With
 *         none, bits 2-3 are a number of SACK blocks (RFC 2018), each
 *         two u16: its left edge after the ACK, and its length
 *   byte  payload length: < 128 as it is, < 192 times 23, else all that
 *         fits
 * Built into `pkt` (an IPv4 datagram); returns its length. */
static size_t build_peer_segment(struct fuzz *f, uint8_t *pkt)
{
	uint8_t raw_opts[TCP_HDR_MAX - TCP_HDR_MIN];
	uint8_t b = u8(f), fb = u8(f), ob, lb;
	int e = b & 7, seq_mode = (b >> 3) & 3, ack_mode = (b >> 5) & 3;
	struct endpoint *ep = &f->ep[e];
	uint8_t flags = (fb & 0x80) ? (fb & 0x3F) : flag_table[fb & 7];
	struct tcp_opts opts = { .mss = 0, .wscale = -1 };
	uint32_t seq, ack, i, len, max, raw_len = 0;
	uint16_t wnd;

	switch (seq_mode) {
	case 0:
		seq = (ep->have_rcv_nxt ? ep->rcv_nxt : ep->irs + 1) +
		      (uint32_t)(int8_t)u8(f);
		break;
	case 1:
		seq = ep->irs + u16(f);
		break;
	case 2:
		seq = ep->peer_nxt + (uint32_t)(int8_t)u8(f);
		break;
	default:
		seq = u32(f);
		if (flags & TCP_SYN)
			ep->irs = seq;
		break;
	}
	switch (ack_mode) {
	case 0:
		ack = (ep->have_snd_max ? ep->snd_max :
					  f->net.tcp->isn_value + 1) +
		      (uint32_t)(int8_t)u8(f);
		break;
	case 1:
		ack = (ep->have_iss ? ep->iss : f->net.tcp->isn_value) + u16(f);
		break;
	case 2:
		ack = ep->last_ack;
		break;
	default:
		ack = u32(f);
		break;
	}
	b = u8(f);
	wnd = b < 16 ? b : (uint16_t)(b * 257);
	ob = u8(f);
	switch (ob & 3) {
	case 1:
		opts.mss = mss_table[(ob >> 2) & 7];
		break;
	case 2:
		opts.mss = mss_table[(ob >> 2) & 7];
		opts.wscale = wscale_table[ob >> 5];
		break;
	case 3:
		raw_len = u8(f) % (sizeof raw_opts + 1);
		for (i = 0; i < raw_len; i++)
			raw_opts[i] = u8(f);
		break;
	default:
		opts.nsack = (ob >> 2) & 3;
		for (i = 0; i < opts.nsack; i++) {
			opts.sack[i][0] = ack + u16(f);
			opts.sack[i][1] = opts.sack[i][0] + u16(f);
		}
		break;
	}
	if (opts.mss == 0 && opts.wscale < 0 && !raw_len)
		max = MAX_PAYLOAD - (opts.nsack ? 4 + 8 * opts.nsack : 0);
	else
		max = MAX_PAYLOAD - (raw_len ? ((raw_len + 3) & ~3u) : 8);
	lb = u8(f);
	len = lb < 128 ? lb : lb < 192 ? (uint32_t)(lb - 128) * 23 : max;
	if (len > max)
		len = max;
	return build_segment(f, pkt, e, flags, seq, ack, wnd, &opts, raw_opts,
			     raw_len, len);
}

static void op_segment(struct fuzz *f)
{
	uint8_t pkt[DEVICE_MTU];
	size_t n = build_peer_segment(f, pkt);

	inject(f, pkt, n);
}

/* A broken segment: one byte of a good one flipped (the TCP checksum can
 * no longer match), or the TCP part replaced by raw input bytes. */
static void op_raw(struct fuzz *f)
{
	uint8_t pkt[DEVICE_MTU];
	uint8_t mode = u8(f);
	size_t n, i;

	if (mode & 1) {
		n = build_peer_segment(f, pkt);
		i = IPV4_HDR_MIN + u16(f) % (n - IPV4_HDR_MIN);
		pkt[i] ^= (uint8_t)(u8(f) | 1);
	} else {
		n = u8(f);
		if (n > sizeof pkt - IPV4_HDR_MIN)
			n = sizeof pkt - IPV4_HDR_MIN;
		for (i = 0; i < n; i++)
			pkt[IPV4_HDR_MIN + i] = u8(f);
		ipv4_build(pkt, PEER_ADDR, OUR_ADDR, IP_PROTO_TCP, f->ip_id++,
			   IPV4_DEFAULT_TTL, n);
		n += IPV4_HDR_MIN;
	}
	inject(f, pkt, n);
}

/* --------------------------------------------------------------------
 * The user
 * ------------------------------------------------------------------ */

static struct slot *pick(struct fuzz *f)
{
	struct slot *s = &f->slot[u8(f) % N_SLOTS];

	return s->tcb ? s : NULL;
}

static void op_send(struct fuzz *f)
{
	static uint8_t buf[65536];
	struct slot *s = pick(f);
	uint8_t b = u8(f);
	size_t len = b < 128 ? b : (size_t)(b - 128) * 512, i;
	long n;

	if (!s || s->tcb->state == TCP_LISTEN)
		return;	/* socket.c: ENOTCONN */
	for (i = 0; i < len; i++)
		buf[i] = user_byte(s->wr_off + i);
	n = tcp_user_send(&f->net, s->tcb, buf, len);
	if (n > (long)len)
		FAIL("tcp_user_send took %ld of %zu bytes", n, len);
	if (n > 0) {
		int e = find_ep(s->tcb->remote_port, s->tcb->local_port);

		s->wr_off += (uint64_t)n;
		if (e >= 0)
			f->ep[e].written += (uint64_t)n;
	}
}

static void op_recv(struct fuzz *f)
{
	static uint8_t buf[65536];
	struct slot *s = pick(f);
	uint8_t b = u8(f);
	size_t len = b ? (size_t)b * 64 : sizeof buf;
	long n, i;

	if (!s || s->tcb->state == TCP_LISTEN)
		return;	/* socket.c: ENOTCONN */
	n = tcp_user_recv(&f->net, s->tcb, buf, len);
	if (n > (long)len)
		FAIL("tcp_user_recv returned %ld of %zu bytes", n, len);
	/* Byte k of the peer's stream has sequence number IRS + 1 + k. */
	for (i = 0; i < n; i++)
		if (buf[i] != peer_byte(s->tcb->irs + 1 + (uint32_t)(s->rd_off + (uint64_t)i)))
			FAIL("tcp_user_recv: byte %llu of the stream is wrong",
			     (unsigned long long)(s->rd_off + (uint64_t)i));
	if (n > 0)
		s->rd_off += (uint64_t)n;
}

static void op_shutdown(struct fuzz *f)
{
	struct slot *s = pick(f);

	if (s && s->tcb->state != TCP_LISTEN)
		tcp_user_shutdown(&f->net, s->tcb);
}

/* The block is the stack's again after these two: forget it. */
static void op_close(struct fuzz *f)
{
	struct slot *s = pick(f);

	if (!s)
		return;
	tcp_user_close(&f->net, s->tcb);
	memset(s, 0, sizeof *s);
}

static void op_abort(struct fuzz *f)
{
	struct slot *s = pick(f);

	if (!s)
		return;
	tcp_user_abort(&f->net, s->tcb);
	memset(s, 0, sizeof *s);
}

static void op_accept(struct fuzz *f)
{
	struct tcb *l = f->slot[SLOT_LISTENER].tcb, *t;
	int i;

	if (!l || l->state != TCP_LISTEN)
		return;
	for (i = 2; i < N_SLOTS && f->slot[i].tcb; i++)
		;
	if (i == N_SLOTS)
		return;	/* every slot busy: the connection waits */
	t = tcp_user_accept(&f->net, l);
	if (!t)
		return;
	if (!t->user || t->listener)
		FAIL("tcp_user_accept returned a block still the listener's");
	f->slot[i].tcb = t;
}

static void listen_again(struct fuzz *f)
{
	struct tcb *t;

	if (f->slot[SLOT_LISTENER].tcb)
		return;
	t = tcb_new(&f->net, TCP_CLOSED);
	if (!t)
		FAIL("tcb_new");
	t->user = 1;
	t->nodelay = f->nodelay;
	tcp_user_listen(&f->net, t, OUR_ADDR, LISTEN_PORT, f->backlog);
	f->slot[SLOT_LISTENER].tcb = t;
}

static void connect_again(struct fuzz *f)
{
	struct tcb *t;

	if (f->slot[SLOT_ACTIVE].tcb)
		return;
	t = tcb_new(&f->net, TCP_CLOSED);
	if (!t)
		FAIL("tcb_new");
	t->user = 1;
	t->nodelay = f->nodelay;
	if (tcp_user_connect(&f->net, t, PEER_ADDR, ACTIVE_RPORT,
			     ACTIVE_LPORT) < 0) {
		/* The port pair is busy (TIME-WAIT, say): as socket.c does. */
		t->user = 0;
		tcb_free(&f->net, t);
		return;
	}
	f->slot[SLOT_ACTIVE].tcb = t;
}

/* --------------------------------------------------------------------
 * Setting up, and the script
 * ------------------------------------------------------------------ */

static const uint32_t iss_table[] = { 1000, 0xFFFFFC00u, 0x7FFFFF00u, 0 };
/* Buffer sizes: 65536 and 120000 make our window scale 1.  Nothing
 * bigger: ASan maps and unmaps blocks over 128 KiB one by one, and the
 * default 256 KiB buffers made a run ten times slower. */
static const uint32_t buf_table[] = { 1024, 4096, 65536, 120000 };
static const uint32_t msl_table[] = { 2000, 100, 10, 60000 };
static const uint32_t rto_min_table[] = { 1000, 200, 1, 1000 };
static const int backlog_table[] = { 1, 2, 16, 128 };
static const uint32_t irs_table[] = { 5000, 0xFFFFFFF0u, 0x80000000u, 0 };

/* LISTEN -> SYN-RECEIVED -> ESTABLISHED from 10.0.0.1:40000, accept()ed.
 * The handshake's byte: bits 0-2 the SYN's MSS (hs_mss_table; 0: no
 * option), bits 3-4 its window scale (none, 0, 7, 14), bits 5-6 the
 * peer's ISN (irs_table), bit 7 a small window. */
static void crafted_handshake(struct fuzz *f, uint8_t b)
{
	static const uint16_t hs_mss_table[] = { 0, 1460, 536, 1, 100, 1400,
						 9000, 65535 };
	static const int8_t hs_wscale_table[] = { -1, 0, 7, 14 };
	struct tcp_opts opts = { .mss = hs_mss_table[b & 7],
				 .wscale = hs_wscale_table[(b >> 3) & 3] };
	uint16_t wnd = (b & 0x80) ? 1028 : 65535;
	struct endpoint *ep = &f->ep[0];
	uint8_t pkt[DEVICE_MTU];
	size_t n;

	ep->irs = irs_table[(b >> 5) & 3];
	before_op(f);
	n = build_segment(f, pkt, 0, TCP_SYN, ep->irs, 0, wnd, &opts, NULL, 0, 0);
	inject(f, pkt, n);
	after_op(f);
	if (!ep->have_iss)
		FAIL("no SYN,ACK for the crafted SYN");
	before_op(f);
	advance(f, 10);
	after_op(f);
	before_op(f);
	n = build_segment(f, pkt, 0, TCP_ACK, ep->irs + 1, ep->iss + 1, wnd,
			  NULL, NULL, 0, 0);
	inject(f, pkt, n);
	after_op(f);
	before_op(f);
	op_accept(f);
	after_op(f);
	if (!f->slot[2].tcb || f->slot[2].tcb->state != TCP_ESTABLISHED)
		FAIL("the crafted handshake did not establish a connection");
}

enum op {
	OP_SEGMENT,	/* 0-5: the most common: a segment arrives */
	OP_ADVANCE = 6,	/* byte: bits 0-1 unit (1, 50, 1000 ms; 3: to the
			 * next deadline), bits 2-7 count */
	OP_SEND,	/* slot byte, length byte (< 128, else 512 * (b-128)) */
	OP_RECV,	/* slot byte, length byte (64 * b, 0: 64 KiB) */
	OP_SHUTDOWN,	/* slot byte */
	OP_CLOSE,	/* slot byte */
	OP_ACCEPT,
	OP_ABORT,	/* slot byte */
	OP_RAW,		/* a segment with a bad checksum, or raw bytes */
	OP_REOPEN,	/* byte: even, listen() again; odd, connect() again */
	OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"segment", "segment", "segment", "segment", "segment", "segment",
	"advance", "send", "recv", "shutdown", "close", "accept", "abort",
	"raw", "reopen",
};

static void run_op(struct fuzz *f, uint8_t op)
{
	uint8_t b;

	switch (op % OP_COUNT) {
	case OP_ADVANCE:
		b = u8(f);
		if ((b & 3) == 3) {
			uint64_t d = net_next_deadline(&f->net);

			if (d != UINT64_MAX && d > f->now)
				advance(f, d - f->now);
		} else {
			static const uint32_t unit[] = { 1, 50, 1000 };

			advance(f, (uint64_t)(b >> 2) * unit[b & 3]);
		}
		break;
	case OP_SEND:
		op_send(f);
		break;
	case OP_RECV:
		op_recv(f);
		break;
	case OP_SHUTDOWN:
		op_shutdown(f);
		break;
	case OP_CLOSE:
		op_close(f);
		break;
	case OP_ACCEPT:
		op_accept(f);
		break;
	case OP_ABORT:
		op_abort(f);
		break;
	case OP_RAW:
		op_raw(f);
		break;
	case OP_REOPEN:
		if (u8(f) & 1)
			connect_again(f);
		else
			listen_again(f);
		break;
	default:
		op_segment(f);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz fz;
	struct fuzz *f = &fz;
	uint8_t setup, sizes, hs;
	int i;

	memset(f, 0, sizeof *f);
	f->in = data;
	f->left = size;
	setup = u8(f);
	sizes = u8(f);
	hs = u8(f);

	f->dev = pair_new(&f->peer);
	if (!f->dev)
		FAIL("pair_new");
	net_init(&f->net, f->dev, OUR_ADDR);
	f->net.notes = 1;	/* write the comments too: their code is fuzzed */
	tcp_layer_init(&f->net);
	f->now = T0;
	f->net.now = T0;
	f->ip_id = 1;
	tracing = getenv("FUZZ_TCP_TRACE") != NULL;
	if (tracing) {
		f->net.log = trace_line;
		trace_now = T0;
	}
	f->net.tcp->isn_fixed = 1;
	f->net.tcp->isn_value = iss_table[(setup >> 2) & 3];
	f->net.tcp->ack_delay_ms = (setup & 0x10) ? 40 : 0;
	f->nodelay = (setup & 0x20) != 0;
	f->backlog = backlog_table[setup >> 6];
	f->net.tcp->sndbuf_size = buf_table[sizes & 3];
	f->net.tcp->rcvbuf_size = buf_table[(sizes >> 2) & 3];
	f->net.tcp->msl_ms = msl_table[(sizes >> 4) & 3];
	f->net.tcp->rto_min_ms = rto_min_table[sizes >> 6];
	for (i = 0; i < (int)N_EP; i++) {
		f->ep[i].irs = 5000;
		f->ep[i].peer_nxt = 5001;
	}

	before_op(f);
	listen_again(f);
	after_op(f);
	if (setup & 1) {
		before_op(f);
		connect_again(f);
		after_op(f);
	}
	if (setup & 2)
		crafted_handshake(f, hs);

	while (f->left) {
		uint8_t op = u8(f);

		before_op(f);
		if (tracing)
			fprintf(stderr, "[t=%llu] op %u (%s)\n",
				(unsigned long long)(f->now - T0), op % OP_COUNT,
				op_names[op % OP_COUNT]);
		run_op(f, op);
		after_op(f);
	}

	/* Let go of every block, as the sockets would on exit, and let the
	 * protocol finish without the peer: retransmissions give up, TIME-WAIT
	 * and FIN-WAIT-2 time out.  Half an hour later no block may be left
	 * (an orphan with no timer would live for ever).  Then free the
	 * stack: LeakSanitizer checks that nothing was left behind. */
	before_op(f);
	for (i = N_SLOTS - 1; i >= 0; i--) {
		if (!f->slot[i].tcb)
			continue;
		tcp_user_close(&f->net, f->slot[i].tcb);
		memset(&f->slot[i], 0, sizeof f->slot[i]);
	}
	after_op(f);
	before_op(f);
	advance(f, 30 * 60 * 1000);
	after_op(f);
	if (f->net.tcp->tcbs) {
		char name[48];

		FAIL("%s in %s outlived its user by half an hour",
		     tcb_name(f->net.tcp->tcbs, name),
		     tcp_state_name(f->net.tcp->tcbs->state));
	}
	net_free(&f->net);
	device_destroy(f->dev);
	device_destroy(f->peer);
	return 0;
}
