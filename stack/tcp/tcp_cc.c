/*
 * tcp_cc.c - congestion control: slow start, congestion avoidance, fast
 * retransmit and fast recovery (RFC 5681), with NewReno's handling of
 * partial acknowledgments (RFC 6582).
 *
 * Read this first: flow control (the peer's window) protects the receiver;
 * congestion control protects the network between (the tutorial's 阻塞管理).
 * The sender may have at most min(cwnd, snd.wnd) bytes in flight.  cwnd
 * starts small and grows by one MSS per ACK while below ssthresh (slow
 * start: it doubles every round trip), then by about one MSS per round
 * trip (congestion avoidance).  Loss is the signal of congestion: three
 * duplicate ACKs mean one segment was lost but later ones arrive, so we
 * resend it at once and halve (fast retransmit and fast recovery); a
 * retransmission timeout means the pipe drained, so cwnd falls to one
 * segment and slow start begins again.
 */
#include "seq.h"
#include "tcp.h"

#define CWND_MAX (16u << 20)	/* keeps the arithmetic far from overflow */
#define DUPTHRESH 3		/* RFC 5681 3.2 and RFC 6675 2: duplicates
				 * (or segments SACKed) that mean a loss */

static uint32_t flight_size(const struct tcb *tcb)
{
	return tcb->snd_max - tcb->snd.una;
}

/* RFC 5681 eq. (4): ssthresh = max(FlightSize / 2, 2*SMSS). */
static uint32_t half_flight(const struct tcb *tcb)
{
	uint32_t half = flight_size(tcb) / 2;

	return half > 2u * tcb->snd_mss ? half : 2u * tcb->snd_mss;
}

static void trace_cc(struct net *net, struct tcb *tcb, const char *what)
{
	char name[48];

	net_logf(net, "%s  %s: cwnd=%u ssthresh=%u", tcb_name(tcb, name), what,
		 tcb->cwnd, tcb->ssthresh);
}

/* RFC 5681 3.1: the initial window, IW = min(4*SMSS, max(2*SMSS, 4380)). */
static uint32_t initial_window(const struct tcb *tcb)
{
	uint32_t mss = tcb->snd_mss, iw = 4380;

	if (iw < 2 * mss)
		iw = 2 * mss;
	if (iw > 4 * mss)
		iw = 4 * mss;
	return iw;
}

/* cwnd starts at IW, and ssthresh "arbitrarily high". */
void tcp_cc_init(struct tcb *tcb)
{
	tcb->cwnd = initial_window(tcb);
	tcb->ssthresh = CWND_MAX;
	tcb->recover = tcb->iss;
	tcb->dupacks = 0;
	tcb->in_recovery = 0;
	tcb->sack_high = tcb->rexmt_mark = tcb->iss;
}

/* SND.UNA advanced by `acked` bytes to `ack`. */
void tcp_cc_new_ack(struct net *net, struct tcb *tcb, uint32_t ack,
		    uint32_t acked)
{
	uint32_t mss = tcb->snd_mss;

	tcb->dupacks = 0;
	/* recover compares with snd.una modulo 2^32 (RFC 6582 3.2 step 2):
	 * once snd.una is past it, keep it just behind, or 2^31 bytes
	 * later the comparison would turn around and keep fast retransmit
	 * off for the next 2 GiB. */
	if (!tcb->in_recovery && seq_gt(ack - 1, tcb->recover))
		tcb->recover = ack - 1;
	if (tcb->in_recovery) {
		if (seq_geq(ack, tcb->recover)) {
			/* RFC 6582 3.2 step 3, a full acknowledgment: leave
			 * fast recovery, deflating the window to
			 * min(ssthresh, max(FlightSize, SMSS) + SMSS). */
			uint32_t f = flight_size(tcb);

			f = (f > mss ? f : mss) + mss;
			tcb->cwnd = f < tcb->ssthresh ? f : tcb->ssthresh;
			tcb->in_recovery = 0;
			trace_cc(net, tcb, "fast recovery ends");
		} else {
			/* Step 4, a partial acknowledgment: the next hole is
			 * lost too.  Resend its first segment at once, deflate
			 * by what was acked, add back one SMSS. */
			tcp_retransmit_first(net, tcb, REXMT_PARTIAL_ACK);
			tcb->cwnd = tcb->cwnd > acked ? tcb->cwnd - acked : 0;
			if (acked >= mss)
				tcb->cwnd += mss;
			if (tcb->cwnd < mss)
				tcb->cwnd = mss;
			tcp_rexmt_arm(net, tcb);
		}
		return;
	}
	if (tcb->cwnd < tcb->ssthresh) {
		/* RFC 5681 eq. (2), slow start: cwnd += min(N, SMSS). */
		tcb->cwnd += acked < mss ? acked : mss;
		if (tcb->cwnd >= tcb->ssthresh)
			trace_cc(net, tcb, "slow start ends");
	} else {
		/* Eq. (3), congestion avoidance: cwnd += SMSS*SMSS/cwnd. */
		uint32_t inc = mss * mss / tcb->cwnd;

		tcb->cwnd += inc ? inc : 1;
	}
	if (tcb->cwnd > CWND_MAX)
		tcb->cwnd = CWND_MAX;
}

/* A duplicate ACK (RFC 5681 section 2's definition, checked by the caller). */
void tcp_cc_dup_ack(struct net *net, struct tcb *tcb)
{
	uint32_t mss = tcb->snd_mss;
	int by_sack;

	if (tcb->in_recovery) {
		/* RFC 5681 3.2 step 4: each further duplicate means a segment
		 * left the network; inflate cwnd by one SMSS. */
		tcb->cwnd += mss;
		/* A lost retransmission (the idea of RACK, RFC 8985 6.2):
		 * the peer SACKed three segments sent after we resent
		 * snd.una, so that resend is lost too; NewReno alone would
		 * wait for the timeout.  RFC 5681 4.3: the loss of a
		 * retransmission is a second sign of congestion, and cwnd
		 * and ssthresh "MUST be lowered twice": halve ssthresh
		 * again (not to half of FlightSize, which recovery let
		 * grow), then resend it. */
		if (tcb->sack_ok &&
		    seq_geq(tcb->sack_high, tcb->rexmt_mark + DUPTHRESH * mss)) {
			tcb->ssthresh = tcb->ssthresh / 2 > 2 * mss ?
					tcb->ssthresh / 2 : 2 * mss;
			tcb->cwnd = tcb->ssthresh;
			tcb->recover = tcb->snd_max;
			trace_cc(net, tcb, "retransmission lost: halved again");
			tcp_retransmit_first(net, tcb, REXMT_LOST);
		}
		return;
	}
	if (tcb->dupacks < 255)
		tcb->dupacks++;
	/* Three duplicates; or, with SACK, RFC 6675 section 4's IsLost():
	 * more than (DupThresh - 1) * SMSS bytes SACKed above snd.una, even
	 * if some of the ACKs that told us were lost on the way. */
	by_sack = tcb->dupacks < DUPTHRESH &&
		  tcb->sack_bytes > (DUPTHRESH - 1) * mss;
	if (tcb->dupacks != DUPTHRESH && !by_sack)
		return;
	/* RFC 6582 3.2 step 2: enter fast retransmit only if this loss is
	 * beyond the last recovery (avoids a second halving for one event). */
	if (!seq_gt(tcb->snd.una, tcb->recover))
		return;
	tcb->ssthresh = half_flight(tcb);
	tcb->recover = tcb->snd_max;
	tcb->in_recovery = 1;
	/* Step 3: cwnd = ssthresh + 3*SMSS, the three segments that left. */
	tcb->cwnd = tcb->ssthresh + 3 * mss;
	net->stats.tcp_fast_retransmits++;
	tcp_retransmit_first(net, tcb, by_sack ? REXMT_SACK : REXMT_FAST);
	trace_cc(net, tcb, by_sack ?
		 "3 segments SACKed: fast retransmit, fast recovery" :
		 "3 duplicate ACKs: fast retransmit, fast recovery");
}

/* The retransmission timer fired (RFC 5681 3.1 eq. (4) and "loss window"). */
void tcp_cc_timeout(struct net *net, struct tcb *tcb)
{
	if (tcb->retries <= 1)	/* only the first timeout halves ssthresh */
		tcb->ssthresh = half_flight(tcb);
	tcb->cwnd = tcb->snd_mss;
	tcb->dupacks = 0;
	tcb->in_recovery = 0;
	tcb->recover = tcb->snd_max;	/* RFC 6582 section 4 */
	trace_cc(net, tcb, "timeout: slow start again");
}

/* RFC 5681 4.1, restarting idle connections: after more than one RTO
 * without sending data, the ACK clock has stopped and cwnd says nothing
 * about the network any more; start again from at most the restart
 * window RW = min(IW, cwnd), so the next burst is not a whole old cwnd. */
void tcp_cc_idle_restart(struct net *net, struct tcb *tcb)
{
	uint32_t rw = initial_window(tcb);

	if (tcb->cwnd <= rw)
		return;
	tcb->cwnd = rw;
	trace_cc(net, tcb, "idle for more than an RTO: restart window");
}
