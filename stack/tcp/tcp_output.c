/*
 * tcp_output.c - what a connection sends: SYN, data, FIN, ACK and RST.
 *
 * Read this first: tcp_output() is called whenever something may be sent:
 * after a segment arrived, after the user wrote, when a timer fired.  It
 * sends what the state and the peer's window allow (RFC 9293 3.8.6: never
 * beyond SND.UNA + SND.WND), each segment at most one MSS, and carries any
 * ACK that is owed on the first of them; if it sends no data, an owed ACK
 * goes out alone.
 */
#include <stdio.h>

#include "seq.h"
#include "tcp.h"

/* The options every ACK of a synchronized connection carries: SACK blocks
 * while pieces wait beyond a hole (RFC 2018).  NULL when there are none. */
static const struct tcp_opts *ack_options(struct tcb *tcb, struct tcp_opts *o)
{
	if (!tcb->sack_ok || !tcb->reass)
		return NULL;
	*o = (struct tcp_opts){ .wscale = -1 };
	o->nsack = (uint8_t)tcp_reass_sack_blocks(tcb, o->sack, TCP_MAX_SACK_BLOCKS);
	return o->nsack ? o : NULL;
}

/* RFC 9293 3.7.1 and RFC 6691: the peer's MSS counts data alone, as if
 * the headers carried no options; a segment that carries options carries
 * that many fewer bytes of data (Linux's tcp_current_mss), or it would not
 * fit the MTU. */
static uint32_t data_mss(const struct tcb *tcb, const struct tcp_opts *opts)
{
	uint32_t optlen = (uint32_t)tcp_opts_len(opts);

	return tcb->snd_mss > optlen ? tcb->snd_mss - optlen : 1;
}

/* Build one segment from the connection's point of view and send it.
 * `opts` NULL means "what any ACK carries" (ack_options).  Returns 0, or
 * -errno when it could not go (counted, and said in the trace): the
 * caller must not count it as sent. */
static int send_segment(struct net *net, struct tcb *tcb, uint32_t seq,
			uint8_t flags, size_t data_off, size_t len,
			const struct tcp_opts *opts)
{
	uint8_t seg[TCP_HDR_MAX + DEVICE_MTU];
	uint8_t data[DEVICE_MTU];
	uint32_t ack = (flags & TCP_ACK) ? tcb->rcv.nxt : 0;
	struct tcp_opts own;
	uint16_t wnd;
	size_t n;
	int err;

	if (!opts && (flags & TCP_ACK) && !(flags & (TCP_SYN | TCP_RST)))
		opts = ack_options(tcb, &own);
	if (len > sizeof data)
		len = sizeof data;
	if (len)
		len = rb_peek(&tcb->sndbuf, data_off, data, len);
	wnd = tcp_window_to_advertise(tcb, flags & TCP_SYN);
	/* The capture's comment: the connection as this segment leaves, and
	 * why, if it is sent again - written only when a capture keeps it
	 * (it costs a copy of the block and a formatted line a segment). */
	if (!net->notes) {
		/* nothing keeps comments */
	} else if (!(flags & TCP_RST)) {
		char state[200];
		int again = seq_lt(seq, tcb->snd_max) && (len || (flags & (TCP_SYN | TCP_FIN)));

		/* Described as it will be once this segment is out. */
		struct tcb after = *tcb;
		uint32_t end = seq + (uint32_t)len + !!(flags & TCP_SYN) + !!(flags & TCP_FIN);

		if (seq_gt(end, after.snd.nxt))
			after.snd.nxt = end;
		tcb_describe(&after, state, sizeof state);
		snprintf(net->note_out, sizeof net->note_out, "%s%s%s%s", state,
			 again ? "; retransmission: " : "",
			 again ? (tcb->rexmt_cause ? tcb->rexmt_cause : "sent again") : "",
			 "");
	} else {
		snprintf(net->note_out, sizeof net->note_out, "RST: abort");
	}
	n = tcp_build(seg, tcb->local_addr, tcb->remote_addr, tcb->local_port,
		      tcb->remote_port, seq, ack, flags,
		      wnd, opts, len ? data : NULL, len);
	err = ip_output(net, IP_PROTO_TCP, tcb->remote_addr, seg, n);
	if (err) {
		char name[48];

		/* Not sent: the caller leaves snd.nxt where it was, and the
		 * retransmission timer sends it again. */
		net->stats.tcp_send_failed++;
		net->note_out[0] = '\0';
		net_logf(net, "%s  segment seq=%u len=%zu not sent: error %d",
			 tcb_name(tcb, name), seq - tcb->iss, len, -err);
		return err;
	}
	if (flags & TCP_ACK) {
		/* Any segment with ACK carries the ACK owed, delayed or not. */
		tcb->ack_now = 0;
		tcb->delack_at = 0;
		tcb->segs_unacked = 0;
	}
	return 0;
}

/* The window field of a segment we send.  RFC 9293 3.8.6.2.2, receiver-side
 * silly window avoidance: move the right edge of the window only by a
 * worthwhile amount, min(half the buffer, one MSS), and never move it back
 * (3.8.6: a window should not shrink).  RFC 7323 2.3: the field carries
 * the window shifted right by our scale - except on a SYN, never scaled. */
uint16_t tcp_window_to_advertise(struct tcb *tcb, int syn)
{
	uint32_t room = (uint32_t)rb_space(&tcb->rcvbuf);
	/* The buffer as the user sized it; the reserve is for rounding. */
	uint32_t space = room > tcb->rcv_reserve ? room - tcb->rcv_reserve : 0;
	uint32_t edge = tcb->rcv.nxt + space;
	uint32_t step = tcb_rcvbuf_size(tcb) / 2;
	uint32_t unit = 1u << tcb->rcv_wscale;
	uint32_t field;

	if (syn) {
		tcb->rcv_adv = tcb->rcv.nxt + (space > 0xFFFF ? 0xFFFF : space);
		tcb->rcv.wnd = tcb->rcv_adv - tcb->rcv.nxt;
		return (uint16_t)tcb->rcv.wnd;
	}
	if (step > tcb->snd_mss)
		step = tcb->snd_mss;
	/* While a hole is open, our ACKs are duplicates, and RFC 5681
	 * section 2 counts an ACK as a duplicate only if its window is
	 * unchanged: hold the edge still, or the sender never fast-retransmits. */
	if (tcb->reass && seq_geq(tcb->rcv_adv, tcb->rcv.nxt) && seq_leq(tcb->rcv_adv, edge))
		edge = tcb->rcv_adv;
	if (seq_geq(edge, tcb->rcv_adv + step) || seq_lt(tcb->rcv_adv, tcb->rcv.nxt))
		tcb->rcv_adv = edge;
	/* RFC 7323 2.4: the field counts units of 2^rcv_wscale bytes.
	 * Round up, so that the right edge never moves back (and a small
	 * window never becomes zero); the reserve holds what rounding up
	 * offers beyond the buffer.  Only when even the reserve is used up
	 * (a peer sending tiny segments into a closing window) does the
	 * edge come back, by less than one unit. */
	field = (tcb->rcv_adv - tcb->rcv.nxt + unit - 1) >> tcb->rcv_wscale;
	if ((uint64_t)field << tcb->rcv_wscale > room)
		field = room >> tcb->rcv_wscale;
	if (field > 0xFFFF)
		field = 0xFFFF;
	/* What the peer may send is what the field says, after scaling. */
	tcb->rcv_adv = tcb->rcv.nxt + (field << tcb->rcv_wscale);
	tcb->rcv.wnd = tcb->rcv_adv - tcb->rcv.nxt;
	return (uint16_t)field;
}

/* Send our SYN (SYN-SENT) or SYN,ACK (SYN-RECEIVED) from iss, with our MSS
 * (RFC 9293 3.7.1: the MSS option is sent only on SYN segments) and our
 * window scale (RFC 7323 2.2: on a SYN,ACK only if the peer's SYN had one). */
void tcp_send_syn(struct net *net, struct tcb *tcb)
{
	struct tcp_opts opts = { .mss = TCP_DEFAULT_MSS, .wscale = -1 };
	uint8_t flags = TCP_SYN;

	if (tcb->state != TCP_SYN_SENT)
		flags |= TCP_ACK;	/* SYN-RECEIVED, or closed in it */
	if (tcb->state == TCP_SYN_SENT || tcb->ws_peer)
		opts.wscale = (int8_t)tcb->rcv_wscale;
	/* RFC 2018 2: SACK-permitted on a SYN; on a SYN,ACK only if the
	 * peer's SYN offered it.  We send SACK blocks as a receiver; as a
	 * sender, tcp_input.c and tcp_cc.c read them to find losses. */
	opts.sack_ok = tcb->state == TCP_SYN_SENT || tcb->sack_ok;
	if (tcb->rtt.timed_at == 0 && tcb->snd_max == tcb->iss) {
		/* RFC 6298 3: time the SYN too, unless it is a retransmission. */
		tcb->rtt.timed_seq = tcb->iss + 1;
		tcb->rtt.timed_at = net->now;
	}
	send_segment(net, tcb, tcb->iss, flags, 0, 0, &opts);
	tcb->snd.nxt = tcb->iss + 1;
	tcb->snd_max = seq_max(tcb->snd_max, tcb->snd.nxt);
	if (!tcb->rexmt_at)
		tcp_rexmt_arm(net, tcb);
}

void tcp_send_ack(struct net *net, struct tcb *tcb)
{
	send_segment(net, tcb, tcb->snd.nxt, TCP_ACK, 0, 0, NULL);
}

/* RFC 5961 section 7: challenge ACKs are rate-limited, so that an attacker
 * cannot use them to flood the peer.  One limit for the whole stack (as
 * this stack first had, and Linux before 4.7) is a side channel: an
 * off-path attacker who floods a victim's connection with guesses and
 * counts the challenge ACKs on a connection of its own learns which
 * guesses were in the victim's window (CVE-2016-5696).  So, as Linux now:
 * each connection has its own limit, one per TCP_INVALID_RATELIMIT_MS;
 * and the stack-wide cap, only there against floods of many connections,
 * is redrawn each second from a number the attacker cannot predict. */
void tcp_send_challenge_ack(struct net *net, struct tcb *tcb)
{
	struct tcp_layer *tcp = net->tcp;

	if (tcb->challenge_at &&
	    net->now - tcb->challenge_at < TCP_INVALID_RATELIMIT_MS) {
		net->stats.tcp_challenge_acks_limited++;
		return;
	}
	if (tcp->challenge_second == 0 || net->now - tcp->challenge_second >= 1000) {
		tcp->challenge_second = net->now;
		tcp->challenge_budget = TCP_CHALLENGE_ACK_LIMIT / 2 +
			tcp_keyed_random(net, net->now) % TCP_CHALLENGE_ACK_LIMIT;
	}
	if (tcp->challenge_budget == 0) {
		net->stats.tcp_challenge_acks_limited++;
		return;
	}
	tcp->challenge_budget--;
	tcb->challenge_at = net->now;
	net->stats.tcp_challenge_acks++;
	net_logf(net, "challenge ACK (RFC 5961)");
	tcp_send_ack(net, tcb);
}

/* RFC 9293 3.10.7.1: a segment for no connection is answered by a reset
 * that the sender will accept - unless it is itself a reset.
 *   ACK on:  <SEQ=SEG.ACK><CTL=RST>
 *   ACK off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>  */
void tcp_send_rst_for(struct net *net, const struct tcp_seg *seg)
{
	uint8_t buf[TCP_HDR_MAX];
	size_t n;

	if (seg->flags & TCP_RST)
		return;
	snprintf(net->note_out, sizeof net->note_out,
		 "RST: no connection for this segment (RFC 9293 3.10.7.1)");
	if (seg->flags & TCP_ACK)
		n = tcp_build(buf, seg->dst, seg->src, seg->dport, seg->sport,
			      seg->ack, 0, TCP_RST, 0, NULL, NULL, 0);
	else
		n = tcp_build(buf, seg->dst, seg->src, seg->dport, seg->sport, 0,
			      seg->seq + seg->seg_len, TCP_RST | TCP_ACK, 0, NULL,
			      NULL, 0);
	if (ip_output(net, IP_PROTO_TCP, seg->src, buf, n) == 0)
		net->stats.tcp_rst_sent++;
}

/* RFC 9293 3.10.5 (ABORT): <SEQ=SND.NXT><CTL=RST>. */
void tcp_send_rst(struct net *net, struct tcb *tcb)
{
	if (tcb->state == TCP_CLOSED || tcb->state == TCP_LISTEN ||
	    tcb->state == TCP_SYN_SENT)
		return;		/* nobody to tell */
	if (send_segment(net, tcb, tcb->snd.nxt, TCP_RST, 0, 0, NULL) == 0)
		net->stats.tcp_rst_sent++;
}

/* A segment shorter than the MSS: send it now, or wait for more?
 * RFC 9293 3.7.4, Nagle's algorithm (RFC 896): while data is unacknowledged,
 * hold small segments back (TCP_NODELAY turns this off).  RFC 9293
 * 3.8.6.2.1, sender-side silly window avoidance: send a small segment only
 * when it is all we have, or at least half the largest window the peer
 * ever offered, or nothing is in flight (so nothing else would wake us). */
static int send_small_now(const struct tcb *tcb, uint32_t n, uint32_t unsent)
{
	int idle = tcb->snd.nxt == tcb->snd.una;

	if (n == unsent)	/* the last of the data */
		return idle || tcb->nodelay;
	return idle || n >= tcb->max_snd_wnd / 2;
}

/* Fast retransmit (RFC 5681 3.2), NewReno's partial ACKs (RFC 6582) and a
 * lost retransmission: send the first unacknowledged segment again, now,
 * without going back.  `why` says which, for the trace and the capture. */
void tcp_retransmit_first(struct net *net, struct tcb *tcb,
			  enum tcp_rexmt_why why)
{
	static const char *const cause[] = {
		[REXMT_FAST] = "fast retransmit, 3 duplicate ACKs (RFC 5681)",
		[REXMT_SACK] = "fast retransmit, 3 segments SACKed above it (RFC 6675)",
		[REXMT_PARTIAL_ACK] = "NewReno partial ACK (RFC 6582)",
		[REXMT_LOST] = "lost retransmission: 3 segments sent after it were SACKed (RFC 8985 6.2)",
	};
	static const char *const label[] = {
		[REXMT_FAST] = "fast",
		[REXMT_SACK] = "fast, SACK",
		[REXMT_PARTIAL_ACK] = "partial ACK",
		[REXMT_LOST] = "lost retransmission",
	};
	uint32_t outstanding = tcb->snd_max - tcb->snd.una;
	uint32_t n = (uint32_t)tcb->sndbuf.len, mss;
	uint8_t flags = TCP_ACK;
	struct tcp_opts o;
	const struct tcp_opts *opts = ack_options(tcb, &o);
	const char *going_back = tcb->rexmt_cause;
	char name[48];
	int err;

	tcb->rexmt_mark = tcb->snd_max;	/* even if nothing can go now */
	if (outstanding == 0)
		return;
	mss = data_mss(tcb, opts);
	if (n > mss)
		n = mss;
	if (n > outstanding)
		n = outstanding;
	if (tcb->fin_sent && tcb->snd.una + n == tcb->fin_seq && n < mss)
		flags |= TCP_FIN;
	if (n == 0 && !(flags & TCP_FIN))
		return;
	tcb->rtt.timed_at = 0;	/* Karn: a retransmission is never timed */
	tcb->rexmt_cause = cause[why];
	err = send_segment(net, tcb, tcb->snd.una, flags, 0, n, opts);
	tcb->rexmt_cause = going_back;
	if (err)
		return;		/* the timer is running: it resends */
	net->stats.tcp_retransmits++;
	net_logf(net, "%s  retransmit seq=%u len=%u (%s)", tcb_name(tcb, name),
		 tcb->snd.una - tcb->iss, n, label[why]);
}

/* Have we data or a FIN still to send, in a state that sends them? */
static int may_send_data(const struct tcb *tcb)
{
	switch (tcb->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		return 1;
	default:
		return 0;
	}
}

void tcp_output(struct net *net, struct tcb *tcb)
{
	struct tcp_opts o;
	const struct tcp_opts *opts;
	uint32_t mss;

	if (tcb->state == TCP_SYN_SENT || tcb->state == TCP_SYN_RECEIVED) {
		if (tcb->snd.nxt == tcb->iss)	/* not sent, or going back */
			tcp_send_syn(net, tcb);
		else if (tcb->ack_now)
			tcp_send_ack(net, tcb);
		return;
	}
	/* A CLOSE in SYN-RECEIVED (RFC 9293 3.10.4) leaves FIN-WAIT-1 with
	 * our SYN still unacknowledged: going back after a timeout, the
	 * SYN,ACK goes again first, then the FIN after it at ISS+1. */
	if (!tcb->syn_acked && tcb->snd.nxt == tcb->iss)
		tcp_send_syn(net, tcb);
	/* Every data segment below carries the same options (the SACK
	 * blocks, if any), so the same room for data. */
	opts = ack_options(tcb, &o);
	mss = data_mss(tcb, opts);
	/* RFC 5681 4.1: nothing in flight, data to send, and none sent for
	 * longer than the RTO: the restart window. */
	if (tcb->snd_max == tcb->snd.una && tcb->sndbuf.len && tcb->data_sent_at &&
	    net->now - tcb->data_sent_at > tcb->rtt.rto)
		tcp_cc_idle_restart(net, tcb);
	while (may_send_data(tcb)) {
		/* Bytes of the send buffer before snd.nxt were sent already. */
		uint32_t sent = tcb->snd.nxt - tcb->snd.una;
		uint32_t unsent = sent < tcb->sndbuf.len ?
					  (uint32_t)tcb->sndbuf.len - sent : 0;
		/* RFC 5681 and 9293 3.8.6: at most min(cwnd, snd.wnd) beyond
		 * snd.una may be in flight.  RFC 3042, limited transmit: the
		 * first two duplicate ACKs each let one new segment out, so a
		 * small window still produces the three that fast retransmit
		 * needs. */
		uint32_t lt = tcb->in_recovery ? 0 : tcb->dupacks > 2 ? 2 : tcb->dupacks;
		uint32_t cwnd = tcb->cwnd + lt * mss;
		uint32_t limit = tcb->snd.wnd < cwnd ? tcb->snd.wnd : cwnd;
		uint32_t edge = tcb->snd.una + limit;
		uint32_t usable = seq_gt(edge, tcb->snd.nxt) ? edge - tcb->snd.nxt : 0;
		uint32_t n = unsent;
		uint8_t flags = TCP_ACK;
		int fin;

		if (n > usable)
			n = usable;
		if (n > mss)
			n = mss;
		/* The FIN follows the last byte of data, once (or again after
		 * going back for a retransmission). */
		fin = tcb->fin_queued && n == unsent &&
		      (!tcb->fin_sent || seq_leq(tcb->snd.nxt + n, tcb->fin_seq));
		if (n && n < mss && !fin && !send_small_now(tcb, n, unsent))
			break;
		if (n == 0 && !fin) {
			/* RFC 9293 3.8.6.1: data waits on a zero window with
			 * nothing in flight: probe it when the timer fires. */
			if (unsent && tcb->snd.wnd == 0 && !tcb->rexmt_at &&
			    tcb->snd.nxt == tcb->snd.una) {
				tcb->probing = 1;
				tcp_rexmt_arm(net, tcb);
			}
			break;
		}
		if (fin)
			flags |= TCP_FIN;
		if (n && n == unsent)
			flags |= TCP_PSH;	/* the last of what the user wrote */
		if (send_segment(net, tcb, tcb->snd.nxt, flags, sent, n, opts)) {
			/* Not sent, so snd.nxt stays; the timer resends. */
			if (!tcb->rexmt_at)
				tcp_rexmt_arm(net, tcb);
			break;
		}
		/* RFC 6298 3 and Karn: time one new segment at a time. */
		if (tcb->rtt.timed_at == 0 && seq_geq(tcb->snd.nxt, tcb->snd_max)) {
			tcb->rtt.timed_seq = tcb->snd.nxt + n + (uint32_t)fin;
			tcb->rtt.timed_at = net->now;
		}
		if (seq_lt(tcb->snd.nxt, tcb->snd_max))
			net->stats.tcp_retransmits++;
		if (n)
			tcb->data_sent_at = net->now;
		if (fin) {
			tcb->fin_sent = 1;
			tcb->fin_seq = tcb->snd.nxt + n;
		}
		tcb->snd.nxt += n + (uint32_t)fin;
		tcb->snd_max = seq_max(tcb->snd_max, tcb->snd.nxt);
		/* RFC 6298 5.1: start the timer when data goes out, unless running. */
		if (!tcb->rexmt_at || tcb->probing) {
			tcb->probing = 0;
			tcp_rexmt_arm(net, tcb);
		}
		if (fin)
			break;
	}
	/* Caught up with what was sent before: no longer sending again. */
	if (seq_geq(tcb->snd.nxt, tcb->snd_max))
		tcb->rexmt_cause = NULL;
	if (tcb->ack_now)
		tcp_send_ack(net, tcb);
}
