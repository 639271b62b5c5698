/*
 * tcp_timer.c - TCP's clocks: retransmission, zero-window probe, TIME-WAIT.
 *
 * Read this first: a connection has two deadlines, kept as absolute times
 * in milliseconds (0 when unarmed); the runtime sleeps until the earliest
 * of all connections' (tcp_next_deadline) and then calls tcp_tick().
 *
 * rexmt_at, the retransmission timer (RFC 6298).  Armed whenever something
 * that takes a sequence number (SYN, data, FIN) is in flight; when it
 * fires, the oldest unacknowledged segment is presumed lost: we go back to
 * SND.UNA and send again, doubling the timeout each time (exponential
 * backoff), and give up after TCP_MAX_RETRIES.  The same deadline serves as
 * the persist timer: with data waiting and a zero window, it sends a
 * window probe (RFC 9293 3.8.6.1).
 *
 * delack_at, the delayed ACK (RFC 9293 3.8.6.3): an ACK for in-order data
 * waits up to ack_delay_ms (TUNTCP_DELACK, 40 by default; at most 500) for
 * data to ride on, unless a second segment arrives first.
 *
 * timewait_at, 2*MSL after entering TIME-WAIT (RFC 9293 3.6.1): long enough
 * that every segment of this connection has died in the network before its
 * port pair may be used again.  MSL is TUNTCP_MSL ms, 2000 by default (the
 * RFC's two minutes would make a lab wait four).  An orphaned FIN-WAIT-2
 * (the user closed; the peer never sends its FIN) uses the same deadline,
 * as Linux's tcp_fin_timeout does.
 */
#include <errno.h>

#include "seq.h"
#include "tcp.h"

/* RFC 6298 2.4/2.5: the RTO is rounded up to rto_min, and at most 60 s. */
static uint32_t clamp_rto(const struct net *net, uint32_t rto)
{
	if (rto < net->tcp->rto_min_ms)
		rto = net->tcp->rto_min_ms;
	if (rto > TCP_RTO_MAX_MS)
		rto = TCP_RTO_MAX_MS;
	return rto;
}

/* A segment we timed is acknowledged by `ack`: take an RTT sample.  Karn's
 * rule (RFC 6298 3) is kept by never timing a retransmitted segment: the
 * timing is cancelled when the timer fires. */
void tcp_rtt_sample(struct net *net, struct tcb *tcb, uint32_t ack)
{
	struct rtt *r = &tcb->rtt;
	uint32_t sample, delta, var;

	if (r->timed_at == 0 || seq_lt(ack, r->timed_seq))
		return;
	sample = (uint32_t)(net->now - r->timed_at) * 1000;	/* us */
	r->timed_at = 0;
	if (sample > 60000000)
		sample = 60000000;	/* a minute: far beyond any RTO */
	if (r->srtt_us == 0) {
		/* RFC 6298 2.2: the first measurement R:
		 *   SRTT <- R, RTTVAR <- R/2, RTO <- SRTT + max(G, K*RTTVAR) */
		r->srtt_us = sample ? sample : 1;
		r->rttvar_us = sample / 2;
	} else {
		/* RFC 6298 2.3, alpha = 1/8, beta = 1/4:
		 *   RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|
		 *   SRTT   <- (1 - alpha) * SRTT + alpha * R' */
		delta = r->srtt_us > sample ? r->srtt_us - sample : sample - r->srtt_us;
		r->rttvar_us = (3 * r->rttvar_us + delta) / 4;
		r->srtt_us = (7 * r->srtt_us + sample) / 8;
		if (r->srtt_us == 0)
			r->srtt_us = 1;
	}
	/* G, the clock granularity, is 1 ms here; K = 4.  Rounded up to
	 * whole milliseconds, the unit of our timers. */
	var = 4 * r->rttvar_us > 1000 ? 4 * r->rttvar_us : 1000;
	r->rto = clamp_rto(net, (r->srtt_us + var + 999) / 1000);
}

void tcp_rexmt_arm(struct net *net, struct tcb *tcb)
{
	tcb->rexmt_at = net->now + tcb->rtt.rto;
}

void tcp_timewait_start(struct net *net, struct tcb *tcb)
{
	tcb->rexmt_at = 0;
	tcb->timewait_at = net->now + 2 * (uint64_t)net->tcp->msl_ms;
}

/* The retransmission timer fired. */
static void rexmt_timeout(struct net *net, struct tcb *tcb)
{
	char name[48];
	/* Our SYN is unacknowledged: SYN-SENT, SYN-RECEIVED, or FIN-WAIT-1
	 * after a CLOSE in SYN-RECEIVED.  The SYN goes again, from iss. */
	int syn = !tcb->syn_acked;
	int limit = syn ? TCP_SYN_RETRIES : TCP_MAX_RETRIES;

	tcb->rexmt_at = 0;
	tcb->probing = 0;
	if (++tcb->retries > limit) {
		net_logf(net, "%s  gave up after %d retransmissions",
			 tcb_name(tcb, name), limit);
		tcp_send_rst(net, tcb);
		/* An ICMP error heard meanwhile says more than "timed out"
		 * (RFC 1122 4.2.3.9; Linux's sk_err_soft). */
		tcp_close_tcb(net, tcb, tcb->soft_error ? tcb->soft_error : ETIMEDOUT,
			      NULL, "retransmission timeout");
		return;
	}
	/* RFC 6298 5.5: back off the timer (RTO <- RTO * 2); 5.6: restart
	 * it; Karn: the retransmission is not timed. */
	tcb->rtt.rto = clamp_rto(net, tcb->rtt.rto * 2);
	tcb->rtt.timed_at = 0;
	/* Go back: everything from SND.UNA on is sent again as the window
	 * allows (the SYN states resend their SYN from iss). */
	tcb->snd.nxt = syn ? tcb->iss : tcb->snd.una;
	if (!syn && tcb->snd.wnd)
		tcp_cc_timeout(net, tcb);
	if (!syn && tcb->snd.wnd == 0) {
		/* RFC 9293 3.8.6.1: the window is shut; probe it with one
		 * byte beyond it.  The peer's ACK of the probe tells us the
		 * window; while it keeps answering, retries stay at zero. */
		net_logf(net, "%s  zero-window probe (try %d, rto now %u ms)",
			 tcb_name(tcb, name), tcb->retries, tcb->rtt.rto);
		net->stats.tcp_window_probes++;
		tcb->snd.wnd = 1;
		tcb->rexmt_cause = "zero-window probe (RFC 9293 3.8.6.1)";
		tcp_output(net, tcb);
		tcb->snd.wnd = 0;
		/* The probe byte is not accepted until the window opens: step
		 * back, so the window update that opens it sends it (as BSD);
		 * and do not time it, or the pause would count as RTT. */
		tcb->snd.nxt = tcb->snd.una;
		tcb->rtt.timed_at = 0;
		tcb->rexmt_cause = "the zero-window probe's byte, now the window is open";
	} else {
		net_logf(net, "%s  retransmission timeout: resend from snd.una (try %d, rto now %u ms)",
			 tcb_name(tcb, name), tcb->retries, tcb->rtt.rto);
		/* It stays the reason until snd.nxt is back at snd_max: the
		 * segments that ACKs let out later are sent again for it too. */
		tcb->rexmt_cause = "retransmission timeout (RFC 6298)";
		tcp_output(net, tcb);
	}
	if (!tcb->rexmt_at)
		tcp_rexmt_arm(net, tcb);
}

void tcp_tick(struct net *net, uint64_t now)
{
	struct tcb *tcb, *next;

	net->now = now;
	for (tcb = net->tcp->tcbs; tcb; tcb = next) {
		next = tcb->next;
		if (tcb->timewait_at && now >= tcb->timewait_at) {
			tcb->timewait_at = 0;
			tcp_close_tcb(net, tcb, 0, NULL,
				      tcb->state == TCP_TIME_WAIT ? "2*MSL timeout"
								  : "FIN-WAIT-2 timeout");
			continue;	/* tcb may be freed; `next` is safe */
		}
		if (tcb->delack_at && now >= tcb->delack_at) {
			tcb->delack_at = 0;
			tcb->ack_now = 1;
			tcp_output(net, tcb);
		}
		if (tcb->rexmt_at && now >= tcb->rexmt_at)
			rexmt_timeout(net, tcb);
	}
}

uint64_t tcp_next_deadline(const struct net *net)
{
	uint64_t next = UINT64_MAX;
	const struct tcb *t;

	for (t = net->tcp->tcbs; t; t = t->next) {
		if (t->rexmt_at && t->rexmt_at < next)
			next = t->rexmt_at;
		if (t->timewait_at && t->timewait_at < next)
			next = t->timewait_at;
		if (t->delack_at && t->delack_at < next)
			next = t->delack_at;
	}
	return next;
}
