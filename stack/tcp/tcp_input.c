/*
 * tcp_input.c - a segment arrives (RFC 9293 section 3.10.7).
 *
 * Read this first: this file follows the RFC's "SEGMENT ARRIVES" text step
 * by step, one function per step, each headed by its section, so it can be
 * read with the RFC open beside it:
 *
 *   tcp_input()            validate (wire/tcp_wire.c), then find the connection
 *   closed_input()         3.10.7.1  no connection: answer with a reset
 *   listen_input()         3.10.7.2  LISTEN: a SYN makes a new connection
 *   syn_sent_input()       3.10.7.3  SYN-SENT: the reply to our SYN
 *   other_input()          3.10.7.4  every other state, in eight steps:
 *     check_sequence()       first, is the segment in the window?
 *     check_rst()            second, the RST bit
 *                            third, security: not implemented (as Linux)
 *     check_syn()            fourth, the SYN bit
 *     check_ack()            fifth, the ACK field
 *                            sixth, the URG bit: ignored (RFC 6093)
 *     process_text()         seventh, the data
 *     check_fin()            eighth, the FIN bit
 *
 * The blind-attack defences of RFC 5961 are woven into steps two, four and
 * five.  Any step may end the segment's journey; a function returns 0 when
 * processing must stop (the tcb may even be freed by then).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "seq.h"
#include "tcp.h"

/* Our SYN or SYN,ACK had to be sent again before the handshake completed.
 * RFC 6298 5.7: "the RTO MUST be re-initialized to 3 seconds when data
 * transmission begins" - 3 s, not the value the SYN's timeouts backed off
 * to (Linux: TCP_TIMEOUT_FALLBACK), nor below our RTO floor.  RFC 5681
 * 3.1: the initial window is one segment. */
static void syn_was_retransmitted(struct net *net, struct tcb *tcb)
{
	tcb->rtt.rto = TCP_RTO_AFTER_SYN_LOSS_MS;
	if (tcb->rtt.rto < net->tcp->rto_min_ms)
		tcb->rtt.rto = net->tcp->rto_min_ms;
	tcb->cwnd = tcb->snd_mss;
}

/* RFC 9293 3.7.1: the peer's MSS bounds our segments; without the option,
 * 536 is assumed.  We never send more than our own MTU allows - nor fewer
 * than TCP_MIN_SND_MSS bytes, whatever the peer says: an MSS of 1 would
 * have us cut every byte into a segment of its own, 40 bytes of headers
 * each (CVE-2019-11479; Linux's floor is the same 48). */
static uint16_t mss_from_syn(const struct tcp_seg *seg)
{
	uint16_t mss = seg->mss ? seg->mss : TCP_MIN_MSS;

	if (mss > TCP_DEFAULT_MSS)
		mss = TCP_DEFAULT_MSS;
	if (mss < TCP_MIN_SND_MSS)
		mss = TCP_MIN_SND_MSS;
	return mss;
}

/* ---------------------------------------------------------------------
 * 3.10.7.1  CLOSED: no connection matches
 * ------------------------------------------------------------------- */
static void closed_input(struct net *net, const struct tcp_seg *seg)
{
	/* "If the state is CLOSED (i.e., TCB does not exist) then all data in
	 * the incoming segment is discarded.  An incoming segment containing
	 * a RST is discarded.  An incoming segment not containing a RST causes
	 * a RST to be sent in response."  That reset is what makes the host's
	 * connect() to a port nobody listens on fail at once. */
	net_drop(net, DROP_TCP_NO_SOCKET, NULL);
	tcp_send_rst_for(net, seg);
}

/* ---------------------------------------------------------------------
 * 3.10.7.2  LISTEN
 * ------------------------------------------------------------------- */
static void listen_input(struct net *net, struct tcb *l,
			 const struct tcp_seg *seg, uint32_t min_iss)
{
	struct tcb *t;

	/* First, check for a RST: "An incoming RST should be ignored." */
	if (seg->flags & TCP_RST) {
		net_drop(net, DROP_TCP_LISTEN_RST, NULL);
		return;
	}
	/* Second, check for an ACK: nothing can be acknowledged yet, so it
	 * is answered by <SEQ=SEG.ACK><CTL=RST>. */
	if (seg->flags & TCP_ACK) {
		net_drop(net, DROP_TCP_BAD_ACK, "ACK to a listener");
		tcp_send_rst_for(net, seg);
		return;
	}
	/* Fourth, anything but a SYN is dropped. */
	if (!(seg->flags & TCP_SYN)) {
		net_drop(net, DROP_TCP_LISTEN_NOT_SYN, NULL);
		return;
	}
	/* Third, a SYN.  The listen(backlog) limit counts connections in
	 * SYN-RECEIVED and those ready but not yet accepted; beyond it the SYN
	 * is dropped (as Linux does) and the peer will retransmit it. */
	if (l->pending >= l->backlog) {
		net_drop(net, DROP_TCP_BACKLOG_FULL, NULL);
		return;
	}
	t = tcb_new(net, TCP_LISTEN);
	if (!t) {
		net_drop(net, DROP_TCP_BACKLOG_FULL, "out of memory");
		return;
	}
	t->local_addr = seg->dst;
	t->local_port = seg->dport;
	t->remote_addr = seg->src;
	t->remote_port = seg->sport;
	t->passive = 1;
	t->listener = l;
	l->pending++;

	/* "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ ... ISS should be
	 * selected and a SYN segment sent of the form
	 * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>." */
	t->irs = seg->seq;
	t->rcv.nxt = seg->seq + 1;
	t->rcv_adv = t->rcv.nxt;
	t->iss = tcp_choose_iss(net, t);
	if (min_iss && seq_lt(t->iss, min_iss))
		t->iss = min_iss;	/* reuse from TIME-WAIT: RFC 1122 4.2.2.13 */
	t->snd.una = t->iss;
	t->snd.nxt = t->iss;
	t->snd_max = t->iss;
	t->snd_mss = mss_from_syn(seg);
	/* A copy of the listener: its buffer sizes and options. */
	tcb_set_buffers(t, (uint32_t)l->sndbuf.cap, tcb_rcvbuf_size(l));
	t->nodelay = l->nodelay;
	/* RFC 7323 2.2: scaling is on only if both SYNs carry the option;
	 * we answer with ours only if the peer's SYN had one. */
	t->sack_ok = seg->sack_ok;
	if (seg->wscale >= 0) {
		t->ws_peer = 1;
		t->snd_wscale = (uint8_t)seg->wscale;
	} else {
		t->rcv_wscale = 0;
	}
	tcp_cc_init(t);
	/* The window of a SYN is never scaled (RFC 7323 2.2). */
	t->snd.wnd = seg->wnd;
	t->snd.wl1 = seg->seq;
	t->snd.wl2 = 0;
	t->max_snd_wnd = seg->wnd;
	tcp_set_state(net, t, TCP_SYN_RECEIVED, seg, NULL);
	/* Data carried on the SYN is not kept: it is not acknowledged, so the
	 * peer sends it again once we are ESTABLISHED. */
	tcp_output(net, t);
}

/* ---------------------------------------------------------------------
 * 3.10.7.3  SYN-SENT
 * ------------------------------------------------------------------- */
static void syn_sent_input(struct net *net, struct tcb *tcb,
			   const struct tcp_seg *seg)
{
	int ack_ok = 0;

	/* First, check the ACK bit: it must acknowledge our SYN and nothing
	 * more (SND.UNA < SEG.ACK =< SND.NXT); otherwise reset the sender
	 * with <SEQ=SEG.ACK><CTL=RST> (unless it is a reset itself). */
	if (seg->flags & TCP_ACK) {
		if (seq_leq(seg->ack, tcb->iss) || seq_gt(seg->ack, tcb->snd_max)) {
			net_drop(net, DROP_TCP_BAD_ACK, "in SYN-SENT");
			tcp_send_rst_for(net, seg);
			return;
		}
		ack_ok = seq_in_upper(seg->ack, tcb->snd.una, tcb->snd_max);
	}
	/* Second, check the RST bit.  RFC 5961 3.2: in SYN-SENT a reset is
	 * believed only if it acknowledges our SYN.  Then the peer refused. */
	if (seg->flags & TCP_RST) {
		if (!ack_ok) {
			net_drop(net, DROP_TCP_RST_OUT_OF_WIN, "in SYN-SENT");
			return;
		}
		tcp_close_tcb(net, tcb, ECONNREFUSED, seg, NULL);
		return;
	}
	/* Third, security: not implemented. */

	/* Fifth: neither SYN nor RST: drop. */
	if (!(seg->flags & TCP_SYN)) {
		net_drop(net, DROP_TCP_NO_ACK, "no SYN in SYN-SENT");
		return;
	}
	/* Fourth, the SYN bit. */
	tcb->irs = seg->seq;
	tcb->rcv.nxt = seg->seq + 1;
	tcb->rcv_adv = tcb->rcv.nxt;
	tcb->snd_mss = mss_from_syn(seg);
	/* RFC 7323 2.2: we offered a scale on our SYN; it is used only if
	 * the peer's SYN offers one too. */
	tcb->sack_ok = seg->sack_ok;	/* we offered it on our SYN */
	if (seg->wscale >= 0) {
		tcb->ws_peer = 1;
		tcb->snd_wscale = (uint8_t)seg->wscale;
	} else {
		tcb->rcv_wscale = 0;
	}
	tcp_cc_init(tcb);
	tcb->snd.wnd = seg->wnd;	/* a SYN's window is never scaled */
	tcb->snd.wl1 = seg->seq;
	tcb->snd.wl2 = seg->ack;
	tcb->max_snd_wnd = seg->wnd;
	if (ack_ok) {
		tcp_rtt_sample(net, tcb, seg->ack);
		tcb->snd.una = seg->ack;
		tcb->syn_acked = 1;
	}
	if (seq_gt(tcb->snd.una, tcb->iss)) {
		/* Our SYN is acknowledged: "enter ESTABLISHED state, form an
		 * ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it".
		 * (Data on a SYN,ACK is not kept: it is not acknowledged, so
		 * the peer sends it again.) */
		tcb->rexmt_at = 0;
		if (tcb->retries)
			syn_was_retransmitted(net, tcb);
		tcb->retries = 0;
		tcp_set_state(net, tcb, TCP_ESTABLISHED, seg, NULL);
		tcb->ack_now = 1;
		tcp_output(net, tcb);
	} else {
		/* Simultaneous open: both SYNs crossed.  "Enter SYN-RECEIVED,
		 * form a SYN,ACK segment <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
		 * and send it." */
		tcp_set_state(net, tcb, TCP_SYN_RECEIVED, seg, NULL);
		tcb->snd.nxt = tcb->iss;
		tcp_output(net, tcb);
	}
}

/* ---------------------------------------------------------------------
 * 3.10.7.4  Other states
 * ------------------------------------------------------------------- */

/* The segment as the steps see it once trimmed to the window. */
struct view {
	uint32_t seq;
	const uint8_t *data;
	uint32_t len;
	uint8_t flags;
};

/* First: the acceptability test of 3.10.7.4, a table of four cases:
 *
 *   Segment  Receive  Test
 *   Length   Window
 *   -------  -------  -------------------------------------------
 *      0        0     SEG.SEQ = RCV.NXT
 *      0       >0     RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
 *     >0        0     not acceptable
 *     >0       >0     RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
 *                  or RCV.NXT =< SEG.SEQ+SEG.LEN-1 < RCV.NXT+RCV.WND
 */
int tcp_segment_acceptable(uint32_t rcv_nxt, uint32_t rcv_wnd, uint32_t seq,
			   uint32_t seg_len)
{
	uint32_t end = rcv_nxt + rcv_wnd;

	if (seg_len == 0 && rcv_wnd == 0)
		return seq == rcv_nxt;
	if (seg_len == 0)
		return seq_in(seq, rcv_nxt, end);
	if (rcv_wnd == 0)
		return 0;
	return seq_in(seq, rcv_nxt, end) ||
	       seq_in(seq + seg_len - 1, rcv_nxt, end);
}

static int check_sequence(struct net *net, struct tcb *tcb,
			  const struct tcp_seg *seg, struct view *v)
{
	/* RCV.WND as last advertised, measured from where RCV.NXT is now. */
	uint32_t wnd = seq_gt(tcb->rcv_adv, tcb->rcv.nxt) ?
			       tcb->rcv_adv - tcb->rcv.nxt : 0;
	uint32_t skip;

	if (!tcp_segment_acceptable(tcb->rcv.nxt, wnd, seg->seq, seg->seg_len)) {
		/* "If the RCV.WND is zero, no segments will be acceptable, but
		 * special allowance should be made to accept valid ACKs, URGs
		 * and RSTs": a segment at RCV.NXT keeps its control bits and
		 * loses its data (a zero-window probe, say). */
		if (wnd == 0 && seg->seq == tcb->rcv.nxt) {
			net_drop(net, DROP_TCP_RCV_BUFFER_FULL, "zero window");
			v->len = 0;
			v->flags &= (uint8_t)~TCP_FIN;
			tcb->ack_now = 1;
			return 1;
		}
		/* TIME-WAIT: the peer sent its FIN again (our ACK of it was
		 * lost).  3.10.7.4 eighth step: ACK it and restart the 2 MSL
		 * timeout.  It arrives here because its sequence number is
		 * already behind RCV.NXT. */
		if (tcb->state == TCP_TIME_WAIT && (seg->flags & TCP_FIN))
			tcp_timewait_start(net, tcb);
		/* "If an incoming segment is not acceptable, an acknowledgment
		 * should be sent in reply (unless the RST bit is set ...)". */
		if (seg->flags & TCP_RST) {
			net_drop(net, DROP_TCP_RST_OUT_OF_WIN, NULL);
		} else {
			net_drop(net, DROP_TCP_UNACCEPTABLE, NULL);
			tcp_send_ack(net, tcb);
		}
		return 0;
	}
	/* Trim to the window: bytes before RCV.NXT were received already;
	 * bytes beyond the window would not fit.  (A SYN is left as it is:
	 * step four refuses it anyway.) */
	if (!(v->flags & TCP_SYN) && seq_lt(v->seq, tcb->rcv.nxt)) {
		skip = tcb->rcv.nxt - v->seq;
		if (skip > v->len)
			skip = v->len;
		v->data += skip;
		v->len -= skip;
		v->seq += skip;
	}
	if (v->len && seq_gt(v->seq + v->len, tcb->rcv.nxt + wnd)) {
		v->len = tcb->rcv.nxt + wnd - v->seq;
		v->flags &= (uint8_t)~TCP_FIN;	/* the FIN lies beyond the window */
	}
	return 1;
}

/* Second: the RST bit (RFC 9293 3.10.7.4 with RFC 5961 section 3.2). */
static int check_rst(struct net *net, struct tcb *tcb,
		     const struct tcp_seg *seg)
{
	if (!(seg->flags & TCP_RST))
		return 1;
	/* RFC 5961 3.2: reset only on an exact hit of RCV.NXT; a reset that
	 * is merely in the window gets a challenge ACK: a real peer answers
	 * it with a reset at the right number, a blind attacker cannot. */
	if (seg->seq != tcb->rcv.nxt) {
		net_drop(net, DROP_TCP_RST_CHALLENGED, NULL);
		tcp_send_challenge_ack(net, tcb);
		return 0;
	}
	switch (tcb->state) {
	case TCP_SYN_RECEIVED:
		/* From a passive OPEN: "return this connection to LISTEN" -
		 * here, forget the copy; the listener never changed.  From an
		 * active OPEN (simultaneous open): the connection was refused. */
		tcp_close_tcb(net, tcb, tcb->passive ? 0 : ECONNREFUSED, seg, NULL);
		return 0;
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
	case TCP_CLOSE_WAIT:
		/* "Any outstanding RECEIVEs and SEND should receive 'reset'
		 * responses ... enter the CLOSED state, delete the TCB." */
		tcp_close_tcb(net, tcb, ECONNRESET, seg, NULL);
		return 0;
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		tcp_close_tcb(net, tcb, 0, seg, NULL);
		return 0;
	case TCP_TIME_WAIT:
		/* RFC 1337 ("TIME-WAIT assassination"): a reset must not cut
		 * TIME-WAIT short, or an old duplicate could corrupt a new
		 * connection.  Ignore it. */
		net_drop(net, DROP_TCP_RST_TIME_WAIT, NULL);
		return 0;
	default:
		return 0;
	}
}

/* Fourth: the SYN bit (RFC 9293 3.10.7.4, RFC 5961 section 4.2). */
static int check_syn(struct net *net, struct tcb *tcb,
		     const struct tcp_seg *seg)
{
	if (!(seg->flags & TCP_SYN))
		return 1;
	if (tcb->state == TCP_SYN_RECEIVED && tcb->passive) {
		/* "If the connection was initiated with a passive OPEN, then
		 * return this connection to the LISTEN state." */
		tcp_close_tcb(net, tcb, 0, seg, "SYN in SYN-RECEIVED");
		return 0;
	}
	/* "Irrespective of the sequence number", a SYN in a synchronized
	 * state gets a challenge ACK; the segment is dropped. */
	net_drop(net, DROP_TCP_SYN_CHALLENGED, NULL);
	tcp_send_challenge_ack(net, tcb);
	return 0;
}

/* Has the peer acknowledged our FIN? */
static int our_fin_acked(const struct tcb *tcb)
{
	return tcb->fin_sent && seq_gt(tcb->snd.una, tcb->fin_seq);
}

/* The acknowledged bytes leave the send buffer (SYN and FIN take a
 * sequence number each but no byte of the buffer). */
static void take_acked(struct tcb *tcb, uint32_t ack)
{
	uint32_t acked = ack - tcb->snd.una;

	if (!tcb->syn_acked) {
		acked--;		/* our SYN */
		tcb->syn_acked = 1;
	}
	if (tcb->fin_sent && seq_gt(ack, tcb->fin_seq))
		acked--;		/* our FIN */
	rb_drop(&tcb->sndbuf, acked);
}

/* RFC 2018: read the SACK blocks of a duplicate ACK into sack_bytes (the
 * bytes above snd.una they cover together) and sack_high.  Only blocks
 * inside what we have sent and not had acknowledged count (a block
 * elsewhere is a lie or a stale report: ignored).  Blocks may overlap: a
 * D-SACK (RFC 2883, Linux sends them) repeats bytes of the next block, and
 * a hostile peer may repeat a block; each byte is counted once.  Returns 1
 * if a block reaches beyond the highest SACKed so far: news, RFC 6675
 * section 2's duplicate ACK.  (A block that fills a gap below sack_high
 * is news too by that definition; we do not count it - without a
 * scoreboard we cannot tell - which only errs towards waiting.) */
static int read_sack(struct tcb *tcb, const struct tcp_seg *seg)
{
	uint32_t b[TCP_MAX_SACK_BLOCKS][2], end = tcb->snd.una;
	int news = 0, n = 0, i, j;

	tcb->sack_bytes = 0;
	if (!tcb->sack_ok)
		return 0;
	for (i = 0; i < seg->nsack; i++) {
		uint32_t left = seg->sack[i][0], right = seg->sack[i][1];

		if (!seq_lt(left, right) || !seq_gt(left, tcb->snd.una) ||
		    seq_gt(right, tcb->snd_max))
			continue;
		/* Insertion sort by left edge: at most four blocks. */
		for (j = n; j > 0 && seq_lt(left, b[j - 1][0]); j--) {
			b[j][0] = b[j - 1][0];
			b[j][1] = b[j - 1][1];
		}
		b[j][0] = left;
		b[j][1] = right;
		n++;
	}
	/* The union of the sorted blocks: what lies beyond `end` is new. */
	for (i = 0; i < n; i++) {
		uint32_t from = seq_gt(b[i][0], end) ? b[i][0] : end;

		if (seq_gt(b[i][1], from)) {
			tcb->sack_bytes += b[i][1] - from;
			end = b[i][1];
		}
	}
	if (n && seq_gt(end, tcb->sack_high)) {
		tcb->sack_high = end;
		news = 1;
	}
	return news;
}

/* Fifth: the ACK field.  Returns 1 to go on, 0 to stop here, and -1 when
 * the connection is gone (its tcb freed). */
static int check_ack(struct net *net, struct tcb *tcb,
		     const struct tcp_seg *seg)
{
	uint32_t wnd;

	/* "If the ACK bit is off, drop the segment and return." */
	if (!(seg->flags & TCP_ACK)) {
		net_drop(net, DROP_TCP_NO_ACK, NULL);
		return 0;
	}
	if (tcb->state == TCP_SYN_RECEIVED) {
		/* "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED
		 * state and continue processing ... If the segment
		 * acknowledgment is not acceptable, form a reset segment
		 * <SEQ=SEG.ACK><CTL=RST> and send it." */
		if (!seq_in_upper(seg->ack, tcb->snd.una, tcb->snd_max)) {
			net_drop(net, DROP_TCP_BAD_ACK, "in SYN-RECEIVED");
			tcp_send_rst_for(net, seg);
			return 0;
		}
		tcb->snd.wnd = (uint32_t)seg->wnd << tcb->snd_wscale;
		tcb->snd.wl1 = seg->seq;
		tcb->snd.wl2 = seg->ack;
		if (tcb->retries)
			syn_was_retransmitted(net, tcb);
		tcp_set_state(net, tcb, TCP_ESTABLISHED, seg, NULL);
		if (tcb->listener) {
			/* Ready: to the listener's accept queue. */
			struct tcb *l = tcb->listener;

			if (l->accept_tail)
				l->accept_tail->accept_next = tcb;
			else
				l->accept_head = tcb;
			l->accept_tail = tcb;
		}
	}
	/* RFC 5961 5.2: an ACK is acceptable only within
	 * (SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT; others are dropped
	 * and answered with an ACK.  (We use snd_max, the highest number
	 * sent, for SND.NXT: after a timeout snd.nxt steps back.) */
	if (!(seq_leq(tcb->snd.una - tcb->max_snd_wnd, seg->ack) &&
	      seq_leq(seg->ack, tcb->snd_max))) {
		net_drop(net, DROP_TCP_BAD_ACK, NULL);
		tcp_send_ack(net, tcb);
		return 0;
	}
	wnd = (uint32_t)seg->wnd << tcb->snd_wscale;	/* RFC 7323 2.3 */
	/* ESTABLISHED processing, shared by every synchronized state:
	 * "If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK" and
	 * drop what is acknowledged; older ACKs are duplicates, ignored. */
	if (seq_in_upper(seg->ack, tcb->snd.una, tcb->snd_max)) {
		size_t unacked = tcb->sndbuf.len;
		uint32_t acked;

		tcp_rtt_sample(net, tcb, seg->ack);
		take_acked(tcb, seg->ack);
		/* Data bytes only: our SYN and FIN do not grow cwnd. */
		acked = (uint32_t)(unacked - tcb->sndbuf.len);
		tcb->snd.una = seg->ack;
		if (seq_lt(tcb->snd.nxt, tcb->snd.una))
			tcb->snd.nxt = tcb->snd.una;
		if (seq_lt(tcb->sack_high, tcb->snd.una))
			tcb->sack_high = tcb->snd.una;	/* SACKed is above snd.una */
		tcb->retries = 0;
		tcb->soft_error = 0;	/* the path works: forget old ICMP errors */
		/* RFC 6298 5.2 and 5.3: all acknowledged, stop the timer;
		 * otherwise restart it for the rest. */
		tcb->probing = 0;
		if (tcb->snd.una == tcb->snd_max)
			tcb->rexmt_at = 0;
		else
			tcp_rexmt_arm(net, tcb);
		tcp_cc_new_ack(net, tcb, seg->ack, acked);
	} else if (seg->ack == tcb->snd.una && seg->len == 0 &&
		   !(seg->flags & (TCP_SYN | TCP_FIN)) && wnd != 0 &&
		   tcb->snd_max != tcb->snd.una) {
		/* RFC 5681 section 2, a duplicate ACK: data outstanding, no
		 * data or SYN/FIN in it, the same ACK number and window - and
		 * not a zero window, whose answers to our probes are flow
		 * control, not a sign of loss.  With SACK, RFC 6675 section
		 * 2: an ACK that SACKs data not SACKed before is one too,
		 * even if its window grew (as Linux's does while its receive
		 * buffer grows). */
		int news = read_sack(tcb, seg);

		if (wnd == tcb->snd.wnd || news)
			tcp_cc_dup_ack(net, tcb);
	}
	/* "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be
	 * updated.  If (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and
	 * SND.WL2 =< SEG.ACK))": the newest segment sets the window, never
	 * an old one that arrived late. */
	if (seq_leq(tcb->snd.una, seg->ack) &&
	    (seq_lt(tcb->snd.wl1, seg->seq) ||
	     (tcb->snd.wl1 == seg->seq && seq_leq(tcb->snd.wl2, seg->ack)))) {
		if (wnd == 0 && tcb->snd.wnd != 0)
			net->stats.tcp_zero_windows++;	/* the peer shut it */
		tcb->snd.wnd = wnd;
		tcb->snd.wl1 = seg->seq;
		tcb->snd.wl2 = seg->ack;
		if (tcb->snd.wnd > tcb->max_snd_wnd)
			tcb->max_snd_wnd = tcb->snd.wnd;
		/* RFC 9293 3.8.6.1: while the peer answers our zero-window
		 * probes, the connection stays open however long it lasts -
		 * while a program holds it.  An orphan (closed with data
		 * still to send) would keep its buffers for ever behind a
		 * peer that never reads: its probes count as retries and it
		 * is given up after TCP_MAX_RETRIES, as Linux gives up an
		 * orphan after tcp_orphan_retries. */
		if (tcb->snd.wnd == 0 && tcb->user)
			tcb->retries = 0;
	}

	switch (tcb->state) {
	case TCP_FIN_WAIT_1:
		/* "if the FIN segment is now acknowledged, then enter
		 * FIN-WAIT-2 and continue processing in that state." */
		if (our_fin_acked(tcb)) {
			tcp_set_state(net, tcb, TCP_FIN_WAIT_2, seg, NULL);
			/* Nobody holds it: wait for the peer's FIN at most
			 * 2*MSL (tcp_timer.c), or a silent peer leaks it. */
			if (!tcb->user && !tcb->timewait_at)
				tcb->timewait_at = net->now + 2 * (uint64_t)net->tcp->msl_ms;
		}
		break;
	case TCP_CLOSING:
		/* "if the ACK acknowledges our FIN, then enter the TIME-WAIT
		 * state; otherwise, ignore the segment." */
		if (our_fin_acked(tcb)) {
			tcp_set_state(net, tcb, TCP_TIME_WAIT, seg, NULL);
			tcp_timewait_start(net, tcb);
		}
		return 0;
	case TCP_LAST_ACK:
		/* "If our FIN is now acknowledged, delete the TCB, enter the
		 * CLOSED state, and return." */
		if (our_fin_acked(tcb)) {
			tcp_close_tcb(net, tcb, 0, seg, NULL);
			return -1;
		}
		break;
	default:
		break;
	}
	return 1;
}

/* RFC 9293 3.8.6.3 and RFC 1122 4.2.3.2: an ACK may wait a little (at
 * most 500 ms; we wait ack_delay_ms) in the hope of riding on data, but at
 * least every second full-sized segment is acknowledged at once. */
static void ack_soon(struct net *net, struct tcb *tcb)
{
	if (net->tcp->ack_delay_ms == 0 || ++tcb->segs_unacked >= 2) {
		tcb->ack_now = 1;
		return;
	}
	if (!tcb->delack_at)
		tcb->delack_at = net->now + net->tcp->ack_delay_ms;
}

/* Seventh: the segment text.  Returns 1 when a FIN now sits at RCV.NXT
 * (in this segment, or held in the out-of-order queue) for step eight. */
static int process_text(struct net *net, struct tcb *tcb, struct view *v)
{
	int fin = (v->flags & TCP_FIN) != 0;
	size_t n;

	switch (tcb->state) {
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
		break;
	default:
		/* CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "This should not
		 * occur since a FIN has been received from the remote side.
		 * Ignore the segment text."  (A repeated FIN is step eight's.) */
		return 0;
	}
	if (v->len == 0 && !fin)
		return 0;
	if (seq_gt(v->seq, tcb->rcv.nxt)) {
		/* Out of order: a later piece, with a hole before it.  Hold it,
		 * and send a duplicate ACK at once (RFC 5681 4.2): it tells the
		 * sender where the hole begins, and three of them trigger its
		 * fast retransmit. */
		tcb->last_ooo_seq = v->seq;
		if (tcp_reass_insert(tcb, v->seq, v->data, v->len, fin))
			net->stats.tcp_ooo_queued++;
		else
			net_drop(net, DROP_TCP_DUPLICATE, "out of order");
		tcb->ack_now = 1;
		return 0;
	}
	/* In order.  "Once in the ESTABLISHED state, it is possible to
	 * deliver segment text to user RECEIVE buffers ... RCV.NXT is set to
	 * the next sequence number expected, and an acknowledgment is sent." */
	n = rb_write(&tcb->rcvbuf, v->data, v->len);
	tcb->rcv.nxt += (uint32_t)n;
	if (n < v->len) {
		net_drop(net, DROP_TCP_RCV_BUFFER_FULL, NULL);
		tcb->ack_now = 1;
		return 0;	/* the FIN is behind bytes we could not take */
	}
	if (tcb->reass) {
		/* Maybe a hole just filled: ACK at once (RFC 5681 4.2). */
		tcb->ack_now = 1;
		if (tcp_reass_deliver(tcb))
			return 1;
	} else if (n) {
		ack_soon(net, tcb);
	}
	return fin && v->seq + v->len == tcb->rcv.nxt;
}

/* Eighth: the FIN bit, once a FIN sits at RCV.NXT (all data before it
 * has arrived). */
static void check_fin(struct net *net, struct tcb *tcb,
		      const struct tcp_seg *seg)
{
	/* "advance RCV.NXT over the FIN, and send an acknowledgment for the
	 * FIN" ... and signal "connection closing" to the user: recv()
	 * returns 0 once the buffer is empty. */
	tcb->rcv.nxt++;
	tcb->fin_received = 1;
	tcb->ack_now = 1;
	/* Pieces held out of order beyond the FIN cannot be part of a
	 * stream that ends here (the peer contradicts itself): let them go,
	 * as Linux does, or they would be reported as SACKed at RCV.NXT. */
	if (tcb->reass) {
		net_drop(net, DROP_TCP_BEYOND_FIN, NULL);
		tcp_reass_free(tcb);
	}
	switch (tcb->state) {
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
		tcp_set_state(net, tcb, TCP_CLOSE_WAIT, seg, NULL);
		break;
	case TCP_FIN_WAIT_1:
		/* "If our FIN has been ACKed (perhaps in this segment), then
		 * enter TIME-WAIT ...; otherwise, enter the CLOSING state."
		 * (Both FINs crossing is the simultaneous close.) */
		if (our_fin_acked(tcb)) {
			tcp_set_state(net, tcb, TCP_TIME_WAIT, seg, NULL);
			tcp_timewait_start(net, tcb);
		} else {
			tcp_set_state(net, tcb, TCP_CLOSING, seg, NULL);
		}
		break;
	case TCP_FIN_WAIT_2:
		tcp_set_state(net, tcb, TCP_TIME_WAIT, seg, NULL);
		tcp_timewait_start(net, tcb);
		break;
	case TCP_TIME_WAIT:
		tcp_timewait_start(net, tcb);	/* "Restart the 2 MSL time-wait timeout." */
		break;
	default:
		break;	/* CLOSE-WAIT, CLOSING, LAST-ACK: "Remain in the ... state." */
	}
}

static void other_input(struct net *net, struct tcb *tcb,
			const struct tcp_seg *seg)
{
	struct view v = { seg->seq, seg->data, seg->len, seg->flags };

	/* The peer sent its SYN again: our SYN,ACK was lost.  Send it again
	 * (RFC 9293 3.8.1 retransmission; Linux does the same). */
	if (tcb->state == TCP_SYN_RECEIVED && (seg->flags & TCP_SYN) &&
	    !(seg->flags & TCP_ACK) && seg->seq == tcb->irs) {
		tcb->snd.nxt = tcb->iss;
		tcb->rtt.timed_at = 0;	/* Karn: the answer to a resend is not timed */
		tcp_output(net, tcb);
		return;
	}
	if (!check_sequence(net, tcb, seg, &v))
		return;
	if (!check_rst(net, tcb, seg))
		return;
	/* Third: security and precedence - not implemented. */
	if (!check_syn(net, tcb, seg))
		return;
	switch (check_ack(net, tcb, seg)) {
	case -1:
		return;		/* LAST-ACK -> CLOSED: the tcb is gone */
	case 0:
		break;
	default:
		/* Sixth: the URG bit - ignored; urgent data is deprecated
		 * (RFC 6093). */
		if (v.len && !tcb->user && !tcb->listener &&
		    (tcb->state == TCP_FIN_WAIT_1 || tcb->state == TCP_FIN_WAIT_2)) {
			/* Data for a connection its user has closed: nobody will
			 * ever read it.  RFC 9293 3.6 and RFC 1122 4.2.2.13: tell
			 * the sender with a reset rather than pretend (as Linux). */
			net_drop(net, DROP_TCP_AFTER_CLOSE, NULL);
			tcp_send_rst(net, tcb);
			tcp_close_tcb(net, tcb, 0, seg, "data after close()");
			return;
		}
		if (process_text(net, tcb, &v))
			check_fin(net, tcb, seg);
		break;
	}
	/* Whatever the segment allowed (window opened) or owes (an ACK). */
	tcp_output(net, tcb);
}

/* Find the connection a segment is for, and hand it to its state's step. */
static void tcp_input_segment(struct net *net, const struct tcp_seg *segp)
{
	struct tcp_seg seg = *segp;
	struct tcb *tcb, *l;

	tcb = tcb_find(net, seg.dst, seg.dport, seg.src, seg.sport);
	if (tcb && tcb->state == TCP_TIME_WAIT && (seg.flags & TCP_SYN) &&
	    !(seg.flags & TCP_ACK) && seq_gt(seg.seq, tcb->rcv.nxt) &&
	    (l = tcb_find_listener(net, seg.dst, seg.dport)) != NULL) {
		/* RFC 1122 4.2.2.13: a new SYN may reopen a connection from
		 * TIME-WAIT if its sequence number is beyond the old one's,
		 * and our new ISS is beyond anything we used before. */
		uint32_t min_iss = tcb->snd_max + 65536;

		tcp_close_tcb(net, tcb, 0, &seg, "new SYN in TIME-WAIT");
		listen_input(net, l, &seg, min_iss ? min_iss : 1);
		return;
	}
	if (!tcb) {
		l = tcb_find_listener(net, seg.dst, seg.dport);
		if (l)
			listen_input(net, l, &seg, 0);
		else
			closed_input(net, &seg);
		return;
	}
	if (tcb->state == TCP_SYN_RECEIVED && !tcb->passive &&
	    (seg.flags & TCP_SYN) && (seg.flags & TCP_ACK) && seg.seq == tcb->irs) {
		/* Simultaneous open (RFC 9293 figure 8): the peer's SYN,ACK
		 * repeats the SYN we already have.  Trim it (3.10.7.4, first
		 * step) so the ACK completes the handshake now, as Linux does. */
		seg.flags &= (uint8_t)~TCP_SYN;
		seg.seq++;
		seg.seg_len--;
	}
	if (tcb->state == TCP_SYN_SENT)
		syn_sent_input(net, tcb, &seg);
	else
		other_input(net, tcb, &seg);
}

void tcp_input(struct net *net, const struct ipv4_hdr *ip)
{
	struct tcp_seg seg;
	enum drop_reason why;
	struct tcb *tcb;

	why = tcp_parse(ip->payload, ip->payload_len, ip->src, ip->dst, &seg);
	if (why != DROP_NONE) {
		net_drop(net, why, NULL);
		return;
	}
	if (seg.bad_options) {
		/* Kept, as Linux keeps it (tcp_wire.c says why). */
		net->stats.tcp_bad_options++;
		snprintf(net->note, sizeof net->note, "malformed TCP options skipped");
		net_logf(net, "malformed TCP options skipped; the segment is kept");
	}
	tcp_input_segment(net, &seg);
	if (!net->notes)
		return;		/* no capture keeps comments */
	/* The connection as this segment left it, for the capture's comment
	 * (found again: the segment may have ended it). */
	tcb = tcb_find(net, seg.dst, seg.dport, seg.src, seg.sport);
	if (tcb) {
		char state[200];
		size_t used = strlen(net->note);

		tcb_describe(tcb, state, sizeof state);
		snprintf(net->note + used, sizeof net->note - used, "%s%s",
			 used ? "; " : "", state);
	} else if (!net->note[0]) {
		snprintf(net->note, sizeof net->note, "connection closed");
	}
}
