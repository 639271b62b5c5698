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
#include "seq.h"
#include "tcp.h"

/* Build one segment from the connection's point of view and send it. */
static void send_segment(struct net *net, struct tcb *tcb, uint32_t seq,
			 uint8_t flags, size_t data_off, size_t len,
			 const struct tcp_opts *opts)
{
	uint8_t seg[TCP_HDR_MAX + DEVICE_MTU];
	uint8_t data[DEVICE_MTU];
	uint32_t ack = (flags & TCP_ACK) ? tcb->rcv.nxt : 0;
	size_t n;

	if (len)
		len = rb_peek(&tcb->sndbuf, data_off, data, len);
	n = tcp_build(seg, tcb->local_addr, tcb->remote_addr, tcb->local_port,
		      tcb->remote_port, seq, ack, flags,
		      tcp_window_to_advertise(tcb), opts, len ? data : NULL, len);
	ip_output(net, IP_PROTO_TCP, tcb->remote_addr, seg, n);
	if (flags & TCP_ACK)
		tcb->ack_now = 0;	/* any segment with ACK carries the ACK owed */
}

/* RFC 9293 3.8.6.2.2, receiver-side silly window avoidance: move the right
 * edge of the window only by a worthwhile amount, min(half the buffer, one
 * MSS), and never move it back (3.8.6: a window must not shrink). */
uint16_t tcp_window_to_advertise(struct tcb *tcb)
{
	uint32_t space = (uint32_t)rb_space(&tcb->rcvbuf);
	uint32_t edge = tcb->rcv.nxt + space;
	uint32_t step = (uint32_t)tcb->rcvbuf.cap / 2;

	if (step > tcb->snd_mss)
		step = tcb->snd_mss;
	if (seq_geq(edge, tcb->rcv_adv + step) || seq_lt(tcb->rcv_adv, tcb->rcv.nxt))
		tcb->rcv_adv = edge;
	tcb->rcv.wnd = tcb->rcv_adv - tcb->rcv.nxt;
	return tcb->rcv.wnd > 0xFFFF ? 0xFFFF : (uint16_t)tcb->rcv.wnd;
}

/* Send our SYN (SYN-SENT) or SYN,ACK (SYN-RECEIVED) from iss, with our MSS
 * (RFC 9293 3.7.1: the MSS option is sent only on SYN segments). */
void tcp_send_syn(struct net *net, struct tcb *tcb)
{
	struct tcp_opts opts = { .mss = TCP_DEFAULT_MSS, .wscale = -1 };
	uint8_t flags = TCP_SYN;

	if (tcb->state == TCP_SYN_RECEIVED)
		flags |= TCP_ACK;
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
 * cannot use them to learn our sequence numbers or flood the peer. */
void tcp_send_challenge_ack(struct net *net, struct tcb *tcb)
{
	struct tcp_layer *tcp = net->tcp;

	if (net->now - tcp->challenge_second >= 1000) {
		tcp->challenge_second = net->now;
		tcp->challenge_count = 0;
	}
	if (tcp->challenge_count >= TCP_CHALLENGE_ACKS_PER_SECOND) {
		net->stats.tcp_challenge_acks_limited++;
		return;
	}
	tcp->challenge_count++;
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
	send_segment(net, tcb, tcb->snd.nxt, TCP_RST, 0, 0, NULL);
	net->stats.tcp_rst_sent++;
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
	if (tcb->state == TCP_SYN_SENT || tcb->state == TCP_SYN_RECEIVED) {
		if (tcb->snd.nxt == tcb->iss)	/* not sent, or going back */
			tcp_send_syn(net, tcb);
		else if (tcb->ack_now)
			tcp_send_ack(net, tcb);
		return;
	}
	while (may_send_data(tcb)) {
		/* Bytes of the send buffer before snd.nxt were sent already. */
		uint32_t sent = tcb->snd.nxt - tcb->snd.una;
		uint32_t unsent = sent < tcb->sndbuf.len ?
					  (uint32_t)tcb->sndbuf.len - sent : 0;
		uint32_t edge = tcb->snd.una + tcb->snd.wnd;
		uint32_t usable = seq_gt(edge, tcb->snd.nxt) ? edge - tcb->snd.nxt : 0;
		uint32_t n = unsent;
		uint8_t flags = TCP_ACK;
		int fin;

		if (n > usable)
			n = usable;
		if (n > tcb->snd_mss)
			n = tcb->snd_mss;
		/* The FIN follows the last byte of data, once (or again after
		 * going back for a retransmission). */
		fin = tcb->fin_queued && n == unsent &&
		      (!tcb->fin_sent || seq_leq(tcb->snd.nxt + n, tcb->fin_seq));
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
		/* RFC 6298 3 and Karn: time one new segment at a time. */
		if (tcb->rtt.timed_at == 0 && seq_geq(tcb->snd.nxt, tcb->snd_max)) {
			tcb->rtt.timed_seq = tcb->snd.nxt + n + (uint32_t)fin;
			tcb->rtt.timed_at = net->now;
		}
		send_segment(net, tcb, tcb->snd.nxt, flags, sent, n, NULL);
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
	if (tcb->ack_now)
		tcp_send_ack(net, tcb);
}
