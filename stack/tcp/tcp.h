/*
 * tcp.h - TCP: the control block, its states, and the calls into TCP.
 *
 * Read this first: RFC 9293 section 3.3.1 names the variables a TCP keeps
 * per connection; struct tcb holds them under those names, grouped as the
 * RFC groups them, so `p *tcb` or `p tcb->snd` in gdb reads like the RFC.
 * Implementation variables (buffers, timers, the RTT estimator) follow in
 * blocks of their own.
 *
 * TCP is split by concern:
 *   tcp_tcb.c     control blocks: create, find, free; states (tcp_set_state);
 *                 the initial sequence number (RFC 6528)
 *   tcp_input.c   a segment arrives (RFC 9293 3.10.7), step by step
 *   tcp_output.c  what to send now: data, SYN, FIN, ACK, RST
 *   tcp_timer.c   retransmission (RFC 6298), TIME-WAIT, the zero-window probe
 *   tcp_user.c    the user calls of RFC 9293 3.10.1-3.10.6: OPEN, SEND,
 *                 RECEIVE, CLOSE, ABORT (api/socket.c builds the API on them)
 * All of it is sans-IO: it takes `now` and sends through net->dev.
 */
#ifndef TUNTCP_TCP_H
#define TUNTCP_TCP_H

#include <stdint.h>

#include "ipv4_wire.h"
#include "net.h"
#include "ringbuf.h"
#include "tcp_wire.h"

struct reass_seg;

/* RFC 9293 3.3.2, the states, in the order the diagram introduces them. */
enum tcp_state {
	TCP_CLOSED,
	TCP_LISTEN,
	TCP_SYN_SENT,
	TCP_SYN_RECEIVED,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
	TCP_TIME_WAIT,
};

/* "SYN-RECEIVED", spelled as RFC 9293 spells it. */
const char *tcp_state_name(enum tcp_state s);

/* Defaults; see docs and README for what a learner may change. */
#define TCP_DEFAULT_MSS     1460	/* 1500 - 20 (IPv4) - 20 (TCP) */
#define TCP_MIN_MSS         536		/* RFC 9293 3.7.1: assumed without the option */
#define TCP_MIN_SND_MSS     48		/* the least we send, whatever the peer's MSS */
#define TCP_BUF_SIZE        (256 * 1024)	/* send and receive buffers, bytes */
#define TCP_DEFAULT_MSL_MS  2000	/* a lab MSL: TIME-WAIT lasts 4 s (RFC: 2 min) */
#define TCP_RTO_INITIAL_MS  1000	/* RFC 6298 2.1 */
#define TCP_RTO_MIN_MS      1000	/* RFC 6298 2.4 */
#define TCP_RTO_MAX_MS      60000	/* RFC 6298 2.5 */
#define TCP_RTO_AFTER_SYN_LOSS_MS 3000	/* RFC 6298 5.7 */
#define TCP_MAX_RETRIES     8		/* then the connection times out (ETIMEDOUT) */
#define TCP_SYN_RETRIES     5		/* RFC 1122 4.2.3.5: at least 3 minutes for R2 on SYN; lab: ~1 min */

/* The RTT estimator of RFC 6298.  Samples are whole milliseconds; the
 * averages are kept in microseconds, or a 1/8 step would round away (an
 * SRTT of 10 ms would never move for samples of 17). */
struct rtt {
	uint32_t srtt_us;	/* smoothed round-trip time; 0: no sample yet */
	uint32_t rttvar_us;	/* round-trip time variation */
	uint32_t rto;		/* retransmission timeout, ms */
	uint32_t timed_seq;	/* the segment being timed ends here ... */
	uint64_t timed_at;	/* ... and was sent at this time; 0: none timed */
};

struct tcb {
	enum tcp_state state;	/* change it only with tcp_set_state() */

	/* The connection: local and remote socket (RFC 9293 3.3.1) */
	uint32_t local_addr, remote_addr;
	uint16_t local_port, remote_port;

	/* RFC 9293 3.3.1, Send Sequence Variables */
	struct {
		uint32_t una;	/* oldest unacknowledged sequence number */
		uint32_t nxt;	/* next sequence number to send */
		uint32_t wnd;	/* window the peer offered, in bytes (scaled) */
		uint32_t up;	/* urgent pointer: unused */
		uint32_t wl1;	/* SEG.SEQ of the segment that last set wnd */
		uint32_t wl2;	/* SEG.ACK of the segment that last set wnd */
	} snd;
	uint32_t iss;		/* initial send sequence number */

	/* RFC 9293 3.3.1, Receive Sequence Variables */
	struct {
		uint32_t nxt;	/* next sequence number we expect */
		uint32_t wnd;	/* window we offer: free receive buffer */
		uint32_t up;	/* urgent pointer: unused */
	} rcv;
	uint32_t irs;		/* initial receive sequence number */

	/* Implementation: sending */
	uint32_t snd_max;	/* highest sequence number sent (snd.nxt goes
				 * back to snd.una when we retransmit) */
	uint32_t max_snd_wnd;	/* largest window the peer offered (RFC 5961 5.2) */
	uint16_t snd_mss;	/* largest segment we send: the peer's MSS */
	struct ringbuf sndbuf;	/* bytes from snd.una on: unacked, then unsent */
	uint8_t syn_acked;	/* our SYN is acknowledged (snd.una passed iss;
				 * snd.una == iss again after 2^32 bytes) */
	uint8_t fin_queued;	/* the user closed: send FIN after the data */
	uint8_t fin_sent;	/* our FIN went out (at fin_seq) at least once */
	uint32_t fin_seq;	/* sequence number of our FIN */
	uint64_t data_sent_at;	/* when data last went out (ms; 0: never) */

	/* Implementation: receiving */
	struct ringbuf rcvbuf;	/* in-order bytes the user has not read */
	uint32_t rcv_reserve;	/* bytes of rcvbuf beyond the size the user
				 * set, for a scaled window that must not
				 * shrink (tcp_window_to_advertise) */
	uint32_t rcv_adv;	/* rcv.nxt + rcv.wnd as last advertised */
	uint8_t fin_received;	/* the peer's FIN arrived: end of stream */
	uint8_t ack_now;	/* an ACK is owed: send one before returning */
	struct reass_seg *reass;	/* out-of-order pieces, by seq (tcp_reass.c) */
	uint32_t reass_bytes;	/* bytes held there */
	uint8_t segs_unacked;	/* in-order segments since our last ACK */

	/* Timers, as absolute deadlines in ms (0: not armed); tcp_timer.c */
	uint64_t rexmt_at;	/* retransmission, or zero-window probe */
	uint64_t timewait_at;	/* 2*MSL after entering TIME-WAIT */
	uint64_t delack_at;	/* a delayed ACK is due (RFC 9293 3.8.6.3) */
	struct rtt rtt;
	uint8_t retries;	/* consecutive timeouts without progress */
	uint8_t probing;	/* rexmt_at is the zero-window probe (persist) */
	const char *rexmt_cause;	/* why segments go again (for captures): set
				 * when going back, cleared once snd.nxt is
				 * back at snd_max */

	/* Congestion control (RFC 5681, NewReno RFC 6582); tcp_cc.c */
	uint32_t cwnd;		/* congestion window: bytes in flight allowed */
	uint32_t ssthresh;	/* slow start threshold */
	uint32_t recover;	/* snd_max when fast recovery began */
	uint8_t in_recovery;	/* in fast recovery */
	uint8_t dupacks;	/* duplicate ACKs in a row */
	uint32_t sack_high;	/* right edge of the highest block the peer
				 * SACKed (RFC 2018): news beyond it counts
				 * as a duplicate ACK (RFC 6675 2) */
	uint32_t sack_bytes;	/* bytes above snd.una the last ACK SACKed */
	uint32_t rexmt_mark;	/* snd_max when snd.una was last resent in
				 * recovery: data SACKed beyond it was sent
				 * after that retransmission */

	/* Window scaling (RFC 7323): shift counts, 0 when not in use */
	uint8_t snd_wscale;	/* the peer's: applied to windows it sends */
	uint8_t rcv_wscale;	/* ours: applied to windows we send */
	uint8_t ws_peer;	/* the peer's SYN carried a window scale */
	uint8_t sack_ok;	/* both SYNs said SACK-permitted (RFC 2018) */
	uint32_t last_ooo_seq;	/* the latest out-of-order piece: first SACK block */
	uint32_t sack_sent[TCP_MAX_SACK_BLOCKS][2];	/* the blocks our last
				 * SACK reported, first first (RFC 2018 4) */
	uint8_t nsack_sent;
	uint8_t nodelay;	/* TCP_NODELAY: Nagle's algorithm off */
	uint64_t challenge_at;	/* when this connection last sent a challenge
				 * ACK (RFC 5961 7); 0: never */

	/* Life of the block */
	int error;		/* errno to report to the user: ECONNRESET, ... */
	int soft_error;		/* an ICMP error taken note of (tcp_icmp.c): the
				 * error reported if the connection times out */
	uint8_t error_reported;	/* reported once; then send says EPIPE, recv 0 */
	uint8_t user;		/* a socket holds this block */
	uint8_t passive;	/* came from a LISTEN (the SYN-RECEIVED rule) */
	struct tcb *listener;	/* the LISTEN it came from, until accepted */
	struct tcb *next;	/* all blocks of the stack */

	/* For a LISTEN: connections not yet accept()ed */
	struct tcb *accept_head, *accept_tail;
	struct tcb *accept_next;
	int backlog;		/* most SYN-RECEIVED + ready connections */
	int pending;		/* how many are SYN-RECEIVED or ready now */
};

/* TCP's part of a stack instance. */
struct tcp_layer {
	struct tcb *tcbs;	/* every control block, listeners included */
	uint32_t isn_key[4];	/* RFC 6528 secret; the runtime fills it */
	uint8_t isn_fixed;	/* TUNTCP_ISN: every iss is isn_value */
	uint32_t isn_value;
	uint32_t msl_ms;	/* maximum segment lifetime; TIME-WAIT is 2*MSL */
	uint32_t rto_min_ms;	/* RFC 6298 2.4 says 1 s */
	uint16_t next_port;	/* next ephemeral port to try */
	uint64_t challenge_second;	/* RFC 5961 7: rate-limit window start */
	uint32_t challenge_budget;	/* challenge ACKs left in that second */
	uint32_t ack_delay_ms;	/* delayed ACKs (RFC 9293 3.8.6.3); 0: ACK at once */
	uint32_t sndbuf_size;	/* buffer sizes of new connections */
	uint32_t rcvbuf_size;
};

/* RFC 5961 7, as Linux: a connection sends at most one challenge ACK per
 * TCP_INVALID_RATELIMIT_MS (tcp_invalid_ratelimit), and the whole stack
 * between 1/2 and 3/2 of TCP_CHALLENGE_ACK_LIMIT a second, redrawn each
 * second (tcp_output.c says why). */
#define TCP_INVALID_RATELIMIT_MS 500
#define TCP_CHALLENGE_ACK_LIMIT  1000

/* --- entry points: tcp_layer_init() registers TCP with the stack; IPv4
 * and net.c call the rest through struct net_proto (net.h) --- */
void tcp_layer_init(struct net *net);
void tcp_layer_free(struct net *net);
void tcp_input(struct net *net, const struct ipv4_hdr *ip);
void tcp_tick(struct net *net, uint64_t now);
uint64_t tcp_next_deadline(const struct net *net);

/* RFC 9293 3.10.7.4's acceptability table (tcp_input.c) */
int tcp_segment_acceptable(uint32_t rcv_nxt, uint32_t rcv_wnd, uint32_t seq,
			   uint32_t seg_len);

/* --- control blocks (tcp_tcb.c) --- */
struct tcb *tcb_new(struct net *net, enum tcp_state state);
void tcb_free(struct net *net, struct tcb *tcb);
struct tcb *tcb_find(struct net *net, uint32_t laddr, uint16_t lport,
		     uint32_t raddr, uint16_t rport);
struct tcb *tcb_find_listener(struct net *net, uint32_t laddr, uint16_t lport);
int tcp_port_in_use(struct net *net, uint16_t port);
uint16_t tcp_ephemeral_port(struct net *net);
uint32_t tcp_choose_iss(struct net *net, const struct tcb *tcb);
uint32_t tcp_keyed_random(const struct net *net, uint64_t x);
/* The one door for state changes: `why` names the cause, `seg` (may be
 * NULL) the segment that caused it; both are shown by TUNTCP_TRACE=1. */
void tcp_set_state(struct net *net, struct tcb *tcb, enum tcp_state state,
		   const struct tcp_seg *seg, const char *why);
/* Enter CLOSED; free the block unless a socket still holds it. */
void tcp_close_tcb(struct net *net, struct tcb *tcb, int error,
		   const struct tcp_seg *seg, const char *why);
int tcp_has_unacked(const struct net *net);
/* "ESTABLISHED snd.una=1 snd.nxt=11 rcv.nxt=7 ..." (relative numbers) */
void tcb_describe(const struct tcb *tcb, char *buf, size_t n);
/* "10.0.0.2:7788 > 10.0.0.1:40000" into buf[48] */
char *tcb_name(const struct tcb *tcb, char *buf);

/* --- output (tcp_output.c) --- */
void tcp_output(struct net *net, struct tcb *tcb);
void tcp_send_ack(struct net *net, struct tcb *tcb);
void tcp_send_syn(struct net *net, struct tcb *tcb);
void tcp_send_challenge_ack(struct net *net, struct tcb *tcb);
void tcp_send_rst_for(struct net *net, const struct tcp_seg *seg);
void tcp_send_rst(struct net *net, struct tcb *tcb);
uint16_t tcp_window_to_advertise(struct tcb *tcb, int syn);
enum tcp_rexmt_why { REXMT_FAST, REXMT_SACK, REXMT_PARTIAL_ACK, REXMT_LOST };
void tcp_retransmit_first(struct net *net, struct tcb *tcb,
			  enum tcp_rexmt_why why);
/* Give a block buffers of these sizes (only while they are empty). */
int tcb_set_buffers(struct tcb *tcb, uint32_t snd, uint32_t rcv);
/* The receive buffer's size as set (SO_RCVBUF), without the reserve. */
static inline uint32_t tcb_rcvbuf_size(const struct tcb *tcb)
{
	return (uint32_t)tcb->rcvbuf.cap - tcb->rcv_reserve;
}

/* --- the out-of-order queue (tcp_reass.c) --- */
int tcp_reass_insert(struct tcb *tcb, uint32_t seq, const uint8_t *data,
		     uint32_t len, int fin);
int tcp_reass_deliver(struct tcb *tcb);
int tcp_reass_sack_blocks(struct tcb *tcb, uint32_t blocks[][2], int max);
void tcp_reass_free(struct tcb *tcb);

/* --- congestion control (tcp_cc.c) --- */
void tcp_cc_init(struct tcb *tcb);
void tcp_cc_new_ack(struct net *net, struct tcb *tcb, uint32_t ack,
		    uint32_t acked);
void tcp_cc_dup_ack(struct net *net, struct tcb *tcb);
void tcp_cc_timeout(struct net *net, struct tcb *tcb);
void tcp_cc_idle_restart(struct net *net, struct tcb *tcb);

/* --- ICMP errors about our segments (tcp_icmp.c) --- */
void tcp_icmp_error(struct net *net, const struct icmp_error *e);

/* --- timers (tcp_timer.c) --- */
void tcp_rtt_sample(struct net *net, struct tcb *tcb, uint32_t ack);
void tcp_rexmt_arm(struct net *net, struct tcb *tcb);
void tcp_timewait_start(struct net *net, struct tcb *tcb);

/* --- user calls (tcp_user.c): all under the runtime's lock --- */
int tcp_user_listen(struct net *net, struct tcb *tcb, uint32_t addr,
		    uint16_t port, int backlog);
int tcp_user_connect(struct net *net, struct tcb *tcb, uint32_t raddr,
		     uint16_t rport, uint16_t lport);
struct tcb *tcp_user_accept(struct net *net, struct tcb *listener);
long tcp_user_send(struct net *net, struct tcb *tcb, const uint8_t *data,
		   size_t len);
long tcp_user_recv(struct net *net, struct tcb *tcb, uint8_t *buf, size_t len);
int tcp_user_shutdown(struct net *net, struct tcb *tcb);
void tcp_user_close(struct net *net, struct tcb *tcb);
void tcp_user_abort(struct net *net, struct tcb *tcb);

#endif
