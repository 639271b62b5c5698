/*
 * tcp_icmp.c - what TCP does when an ICMP error comes back about one of
 * its segments.
 *
 * Read this first: RFC 1122 4.2.3.9 sorts ICMP errors into soft ones (the
 * network or host is unreachable just now: routes change, keep trying)
 * and hard ones (port or protocol unreachable: nobody is there).  RFC 5461
 * refines it: a hard error aborts a connection only while it is being
 * opened (SYN-SENT), since an established one may well survive a passing
 * problem; otherwise the error is only remembered, and reported if the
 * connection later times out ("No route to host" rather than "Connection
 * timed out").  "Fragmentation needed" (RFC 1191) is neither: it lowers
 * the segment size.
 *
 * An ICMP error is easy to forge, so RFC 5927 4.1's check comes first: the
 * sequence number it quotes must be one we sent and is not yet
 * acknowledged (snd.una =< SEG.SEQ < snd.nxt), or it is ignored.
 */
#include <errno.h>

#include "bytes.h"
#include "icmp_wire.h"
#include "seq.h"
#include "tcp.h"

/* RFC 1122 4.2.3.9 and Linux's icmp_err_convert: the errno an error
 * means, and whether it is hard. */
static int errno_for(const struct icmp_error *e, int *hard)
{
	*hard = 0;
	if (e->type == ICMP_TIME_EXCEEDED)
		return EHOSTUNREACH;
	if (e->type == ICMP_PARAM_PROBLEM)
		return EPROTO;
	switch (e->code) {
	case 0:			/* net unreachable */
	case 6:			/* destination network unknown */
	case 11:		/* net unreachable for this TOS */
		*hard = e->code == 6;
		return ENETUNREACH;
	case ICMP_PROTO_UNREACH:
		*hard = 1;
		return ENOPROTOOPT;
	case ICMP_PORT_UNREACH:
		*hard = 1;
		return ECONNREFUSED;
	case 5:			/* source route failed */
		return EOPNOTSUPP;
	case 7: case 8: case 9: case 10: case 13: case 14: case 15:
		*hard = 1;	/* host unknown, isolated, prohibited */
		return EHOSTUNREACH;
	default:		/* 1 host unreachable, 12 host for this TOS */
		return EHOSTUNREACH;
	}
}

/* RFC 1191 and RFC 9293 3.7.1: a router on the path could not forward a
 * segment of ours without fragmenting it.  Send smaller segments from now
 * on - never below 576 bytes of datagram (536 of data) - and resend what
 * was lost at once: this is no sign of congestion, cwnd stays. */
static void path_mtu_lowered(struct net *net, struct tcb *tcb, uint16_t mtu)
{
	uint32_t mss;
	char name[48];

	if (mtu == 0)
		return;		/* an old router that does not say: ignore */
	if (mtu < 576)
		mtu = 576;
	mss = (uint32_t)mtu - IPV4_HDR_MIN - TCP_HDR_MIN;
	if (mss >= tcb->snd_mss)
		return;
	net_logf(net, "%s  path MTU %u: segments of %u bytes now (RFC 1191)",
		 tcb_name(tcb, name), mtu, mss);
	tcb->snd_mss = (uint16_t)mss;
	if (!tcb->syn_acked || tcb->snd.una == tcb->snd_max)
		return;
	tcb->snd.nxt = tcb->snd.una;
	tcb->rtt.timed_at = 0;	/* Karn: what goes again is not timed */
	tcb->rexmt_cause = "path MTU lowered: ICMP fragmentation needed (RFC 1191)";
	tcp_output(net, tcb);
}

void tcp_icmp_error(struct net *net, const struct icmp_error *e)
{
	const struct ipv4_hdr *q = e->quoted;
	uint16_t sport = get16(q->payload + TCP_OFF_SPORT);
	uint16_t dport = get16(q->payload + TCP_OFF_DPORT);
	uint32_t seq = get32(q->payload + TCP_OFF_SEQ);
	struct tcb *tcb = tcb_find(net, q->src, sport, q->dst, dport);
	char name[48];
	int err, hard;

	if (!tcb || tcb->state == TCP_LISTEN || tcb->state == TCP_CLOSED) {
		net_drop(net, DROP_TCP_ICMP_NO_CONN, NULL);
		return;
	}
	/* RFC 5927 4.1: only about a segment in flight. */
	if (!(seq_leq(tcb->snd.una, seq) && seq_lt(seq, tcb->snd_max))) {
		net_drop(net, DROP_TCP_ICMP_BAD_SEQ, NULL);
		return;
	}
	if (e->type == ICMP_DEST_UNREACH && e->code == ICMP_FRAG_NEEDED) {
		path_mtu_lowered(net, tcb, e->mtu);
		return;
	}
	err = errno_for(e, &hard);
	if (tcb->state == TCP_SYN_SENT && hard) {
		/* RFC 1122 4.2.3.9, RFC 5461 4.1: the attempt is aborted;
		 * connect() fails with the error now, not after its SYN
		 * retransmissions. */
		net->stats.tcp_icmp_aborts++;
		tcp_close_tcb(net, tcb, err, NULL, "ICMP error: the attempt is aborted (RFC 1122 4.2.3.9)");
		return;
	}
	/* Soft, or a connection already open: remembered, and reported
	 * if the connection times out (as Linux's sk_err_soft). */
	tcb->soft_error = err;
	net_logf(net, "%s  ICMP error recorded (errno %d), the connection goes on",
		 tcb_name(tcb, name), err);
}
