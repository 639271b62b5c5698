/*
 * tcp_tcb.c - control blocks: making, finding and freeing them, the one
 * door for state changes, and the initial sequence number.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seq.h"
#include "tcp.h"

static const char *const state_names[] = {
	[TCP_CLOSED] = "CLOSED",
	[TCP_LISTEN] = "LISTEN",
	[TCP_SYN_SENT] = "SYN-SENT",
	[TCP_SYN_RECEIVED] = "SYN-RECEIVED",
	[TCP_ESTABLISHED] = "ESTABLISHED",
	[TCP_FIN_WAIT_1] = "FIN-WAIT-1",
	[TCP_FIN_WAIT_2] = "FIN-WAIT-2",
	[TCP_CLOSE_WAIT] = "CLOSE-WAIT",
	[TCP_CLOSING] = "CLOSING",
	[TCP_LAST_ACK] = "LAST-ACK",
	[TCP_TIME_WAIT] = "TIME-WAIT",
};

const char *tcp_state_name(enum tcp_state s)
{
	if ((unsigned)s > TCP_TIME_WAIT)
		return "?";
	return state_names[s];
}

/* TCP as IPv4 and net.c see it (net.h): protocol 6, its input, its
 * timers, and how to free it. */
static const struct net_proto tcp_proto = {
	.name = "TCP",
	.number = IP_PROTO_TCP,
	.input = tcp_input,
	.tick = tcp_tick,
	.next_deadline = tcp_next_deadline,
	.free = tcp_layer_free,
	.error = tcp_icmp_error,
};

void tcp_layer_init(struct net *net)
{
	struct tcp_layer *tcp = calloc(1, sizeof *tcp);

	if (!tcp)
		abort();	/* at start-up: nothing sensible to do */
	tcp->msl_ms = TCP_DEFAULT_MSL_MS;
	tcp->rto_min_ms = TCP_RTO_MIN_MS;
	tcp->next_port = 49152;	/* RFC 6335: the dynamic range 49152-65535 */
	tcp->sndbuf_size = TCP_BUF_SIZE;
	tcp->rcvbuf_size = TCP_BUF_SIZE;
	net->tcp = tcp;
	if (net_add_proto(net, &tcp_proto) < 0)
		abort();	/* registered twice: a bug in the caller */
}

void tcp_layer_free(struct net *net)
{
	if (!net->tcp)
		return;
	struct tcb *t;

	/* Tear down quietly: no RST for anyone, no listener bookkeeping. */
	for (t = net->tcp->tcbs; t; t = t->next) {
		t->listener = NULL;
		t->state = TCP_CLOSED;
	}
	while (net->tcp->tcbs)
		tcb_free(net, net->tcp->tcbs);
	free(net->tcp);
	net->tcp = NULL;
}

/* A new block starts in `state`: CLOSED for a socket's, LISTEN for the
 * copy a listener makes of itself when a SYN arrives (RFC 9293 3.10.7.2).
 * This is creation, not a change of state: tcp_set_state() does those. */
struct tcb *tcb_new(struct net *net, enum tcp_state state)
{
	struct tcb *tcb = calloc(1, sizeof *tcb);

	if (!tcb)
		return NULL;
	if (tcb_set_buffers(tcb, net->tcp->sndbuf_size, net->tcp->rcvbuf_size) < 0) {
		free(tcb);
		return NULL;
	}
	tcb->state = state;
	tcb->snd_mss = TCP_MIN_MSS;
	tcb->rtt.rto = TCP_RTO_INITIAL_MS;
	tcb->next = net->tcp->tcbs;
	net->tcp->tcbs = tcb;
	return tcb;
}

/* RFC 7323 2.3: our shift is the smallest that fits the receive buffer
 * into the 16-bit window field (at most 14).
 *
 * The reserve: a scaled window is stated in units of 2^shift bytes, so
 * keeping its right edge still while RCV.NXT moves (RFC 7323 2.4, and
 * appendix F) rounds up, offering up to 2^shift - 1 bytes more than the
 * buffer holds each time.  The ring keeps room for 256 such roundings,
 * at most a quarter of the buffer, beyond the size the user asked for. */
int tcb_set_buffers(struct tcb *tcb, uint32_t snd, uint32_t rcv)
{
	struct ringbuf s, r;
	uint8_t shift = 0;
	uint32_t reserve;

	if (tcb->sndbuf.len || tcb->rcvbuf.len)
		return -1;
	while (shift < 14 && (rcv >> shift) > 0xFFFF)
		shift++;
	reserve = ((1u << shift) - 1) * 256;
	if (reserve > rcv / 4)
		reserve = rcv / 4;
	if (rb_init(&s, snd) < 0)
		return -1;
	if (rb_init(&r, (size_t)rcv + reserve) < 0) {
		rb_free(&s);
		return -1;
	}
	rb_free(&tcb->sndbuf);
	rb_free(&tcb->rcvbuf);
	tcb->sndbuf = s;
	tcb->rcvbuf = r;
	tcb->rcv_reserve = reserve;
	tcb->rcv_wscale = shift;
	tcb->rcv.wnd = rcv;
	return 0;
}

/* Take `tcb` out of its listener's accept queue, if it is in one. */
static void unlink_from_listener(struct tcb *tcb)
{
	struct tcb *l = tcb->listener, **pp;

	if (!l)
		return;
	for (pp = &l->accept_head; *pp; pp = &(*pp)->accept_next) {
		if (*pp == tcb) {
			*pp = tcb->accept_next;
			break;
		}
	}
	l->accept_tail = NULL;
	for (pp = &l->accept_head; *pp; pp = &(*pp)->accept_next)
		l->accept_tail = *pp;
	l->pending--;
	tcb->listener = NULL;
	tcb->accept_next = NULL;
}

void tcb_free(struct net *net, struct tcb *tcb)
{
	struct tcb **pp;

	unlink_from_listener(tcb);
	/* A listener going away takes its unaccepted connections with it
	 * (SYN-RECEIVED ones, and ready ones not yet accept()ed).  Its state
	 * may already read CLOSED; only a listener is ever a `listener`. */
	{
		struct tcb *child;

		do {
			for (child = net->tcp->tcbs; child; child = child->next)
				if (child->listener == tcb)
					break;
			if (child) {
				unlink_from_listener(child);
				tcp_send_rst(net, child);
				tcb_free(net, child);
			}
		} while (child);
	}
	for (pp = &net->tcp->tcbs; *pp; pp = &(*pp)->next) {
		if (*pp == tcb) {
			*pp = tcb->next;
			break;
		}
	}
	rb_free(&tcb->sndbuf);
	rb_free(&tcb->rcvbuf);
	tcp_reass_free(tcb);
	free(tcb);
}

/* RFC 9293 3.10.7: find the connection a segment belongs to.  A fully
 * specified match wins; a listener matches on its port (and address, if
 * bound to one).  CLOSED blocks (kept only for their socket) never match. */
struct tcb *tcb_find(struct net *net, uint32_t laddr, uint16_t lport,
		     uint32_t raddr, uint16_t rport)
{
	struct tcb *t;

	for (t = net->tcp->tcbs; t; t = t->next)
		if (t->state != TCP_CLOSED && t->state != TCP_LISTEN &&
		    t->local_port == lport && t->remote_port == rport &&
		    t->remote_addr == raddr && t->local_addr == laddr)
			return t;
	return NULL;
}

struct tcb *tcb_find_listener(struct net *net, uint32_t laddr, uint16_t lport)
{
	struct tcb *t;

	for (t = net->tcp->tcbs; t; t = t->next)
		if (t->state == TCP_LISTEN && t->local_port == lport &&
		    (t->local_addr == 0 || t->local_addr == laddr))
			return t;
	return NULL;
}

int tcp_port_in_use(struct net *net, uint16_t port)
{
	struct tcb *t;

	for (t = net->tcp->tcbs; t; t = t->next)
		if (t->local_port == port &&
		    (t->state != TCP_CLOSED || t->user))
			return 1;
	return 0;
}

uint16_t tcp_ephemeral_port(struct net *net)
{
	struct tcp_layer *tcp = net->tcp;
	int tries;

	for (tries = 0; tries < 16384; tries++) {
		uint16_t p = tcp->next_port;

		tcp->next_port = p == 65535 ? 49152 : (uint16_t)(p + 1);
		if (!tcp_port_in_use(net, p))
			return p;
	}
	return 0;
}

/* SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed hash, short and
 * strong enough that an off-path attacker cannot predict its output. */
#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                     \
	do {                                                         \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;               \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;               \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while (0)

static uint64_t siphash24(const uint32_t key[4], const uint8_t *in, size_t n)
{
	uint64_t k0 = (uint64_t)key[0] | (uint64_t)key[1] << 32;
	uint64_t k1 = (uint64_t)key[2] | (uint64_t)key[3] << 32;
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t m, last = (uint64_t)n << 56;
	size_t i, j;

	for (i = 0; i + 8 <= n; i += 8) {
		for (m = 0, j = 0; j < 8; j++)
			m |= (uint64_t)in[i + j] << (8 * j);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (j = 0; i + j < n; j++)
		last |= (uint64_t)in[i + j] << (8 * j);
	v3 ^= last;
	SIPROUND;
	SIPROUND;
	v0 ^= last;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* RFC 6528 section 3:  ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey), where M is a timer ticking every 4 microseconds
 * and F a keyed hash.  M makes successive connections of one 4-tuple move
 * forward; F keeps an attacker from guessing the numbers of others.
 * TUNTCP_ISN=N replaces all of it with N, a lesson option. */
uint32_t tcp_choose_iss(struct net *net, const struct tcb *tcb)
{
	uint8_t tuple[12];
	uint32_t m;

	if (net->tcp->isn_fixed)
		return net->tcp->isn_value;
	memcpy(tuple, &tcb->local_addr, 4);
	memcpy(tuple + 4, &tcb->remote_addr, 4);
	memcpy(tuple + 8, &tcb->local_port, 2);
	memcpy(tuple + 10, &tcb->remote_port, 2);
	m = (uint32_t)(net->now * 250);	/* now is in ms: 250 ticks of 4 us */
	return m + (uint32_t)siphash24(net->tcp->isn_key, tuple, sizeof tuple);
}

/* A number an attacker cannot predict, the same for the same `x`: the
 * keyed hash of the ISNs, for the core, which draws no random numbers of
 * its own (the key comes from the runtime). */
uint32_t tcp_keyed_random(const struct net *net, uint64_t x)
{
	uint8_t in[8];

	memcpy(in, &x, sizeof in);
	return (uint32_t)siphash24(net->tcp->isn_key, in, sizeof in);
}

/* Is any connection still in the middle of something the peer needs us
 * for: data or a FIN not yet acknowledged, or a close not yet finished
 * (FIN-WAIT-1/2, CLOSING, LAST-ACK)?  The runtime lingers at exit until
 * none is, so the peer is not left waiting on a program that is gone. */
int tcp_has_unacked(const struct net *net)
{
	const struct tcb *t;

	for (t = net->tcp->tcbs; t; t = t->next) {
		switch (t->state) {
		case TCP_FIN_WAIT_1:
		case TCP_FIN_WAIT_2:
		case TCP_CLOSING:
		case TCP_LAST_ACK:
			return 1;
		case TCP_ESTABLISHED:
		case TCP_CLOSE_WAIT:
			if (t->snd_max != t->snd.una || t->sndbuf.len)
				return 1;
			break;
		default:
			break;
		}
	}
	return 0;
}

char *tcb_name(const struct tcb *tcb, char *buf)
{
	char l[16], r[16];

	if (tcb->remote_port == 0) {	/* a listener: no peer yet */
		snprintf(buf, 48, "%s:%u", tcb->local_addr ? ipv4_ntoa(tcb->local_addr, l) : "*",
			 tcb->local_port);
		return buf;
	}
	snprintf(buf, 48, "%s:%u > %s:%u", ipv4_ntoa(tcb->local_addr, l),
		 tcb->local_port, ipv4_ntoa(tcb->remote_addr, r),
		 tcb->remote_port);
	return buf;
}

/* Describe the segment that caused a change, with sequence numbers
 * relative to irs and iss as Wireshark shows them: "SYN,ACK seq=0 ack=1". */
static void describe_cause(const struct tcb *tcb, const struct tcp_seg *seg,
			   char *buf, size_t n)
{
	static const struct { uint8_t flag; const char *name; } names[] = {
		{ TCP_SYN, "SYN" }, { TCP_FIN, "FIN" }, { TCP_RST, "RST" },
		{ TCP_ACK, "ACK" },
	};
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (seg->flags & names[i].flag)
			len += (size_t)snprintf(buf + len, n - len, "%s%s",
						len ? "," : "", names[i].name);
	if (seg->flags & (TCP_SYN | TCP_FIN) || seg->len)
		len += (size_t)snprintf(buf + len, n - len, " seq=%u",
					seg->seq - tcb->irs);
	if (seg->flags & TCP_ACK && len < n)
		snprintf(buf + len, n - len, " ack=%u", seg->ack - tcb->iss);
}

void tcp_set_state(struct net *net, struct tcb *tcb, enum tcp_state state,
		   const struct tcp_seg *seg, const char *why)
{
	enum tcp_state old = tcb->state;
	char who[48], cause[64], l[16], r[16];

	tcb->state = state;
	if (!net->log)
		return;
	if (seg) {
		/* Name the connection as the segment travelled: peer > us. */
		snprintf(who, sizeof who, "%s:%u > %s:%u",
			 ipv4_ntoa(tcb->remote_addr, r), tcb->remote_port,
			 ipv4_ntoa(tcb->local_addr, l), tcb->local_port);
		describe_cause(tcb, seg, cause, sizeof cause);
	} else {
		tcb_name(tcb, who);
		snprintf(cause, sizeof cause, "%s", why ? why : "");
	}
	net_logf(net, "%s  %s -> %s  (%s)", who, tcp_state_name(old),
		 tcp_state_name(state), cause);
}

/* The connection's variables in one line, relative to iss and irs as
 * Wireshark shows sequence numbers: the comment a capture keeps beside
 * each packet (dev_pcap.c). */
void tcb_describe(const struct tcb *tcb, char *buf, size_t n)
{
	char ssthresh[16];

	if (tcb->state == TCP_LISTEN || tcb->state == TCP_CLOSED ||
	    tcb->state == TCP_SYN_SENT) {
		snprintf(buf, n, "%s", tcp_state_name(tcb->state));
		return;
	}
	if (tcb->ssthresh >= (16u << 20))
		snprintf(ssthresh, sizeof ssthresh, "inf");
	else
		snprintf(ssthresh, sizeof ssthresh, "%u", tcb->ssthresh);
	snprintf(buf, n, "%s snd.una=%u snd.nxt=%u rcv.nxt=%u snd.wnd=%u rcv.wnd=%u cwnd=%u ssthresh=%s rto=%ums",
		 tcp_state_name(tcb->state), tcb->snd.una - tcb->iss,
		 tcb->snd.nxt - tcb->iss, tcb->rcv.nxt - tcb->irs, tcb->snd.wnd,
		 tcb->rcv.wnd, tcb->cwnd, ssthresh, tcb->rtt.rto);
}

void tcp_close_tcb(struct net *net, struct tcb *tcb, int error,
		   const struct tcp_seg *seg, const char *why)
{
	if (error && !tcb->error)
		tcb->error = error;
	tcp_set_state(net, tcb, TCP_CLOSED, seg, why);
	tcb->rexmt_at = 0;
	tcb->timewait_at = 0;
	tcb->delack_at = 0;	/* no ACK is sent from CLOSED */
	/* RFC 9293 3.10.7.4: "delete the TCB" - unless the user still holds
	 * it through a socket, which must be able to read the error. */
	if (!tcb->user)
		tcb_free(net, tcb);
}
