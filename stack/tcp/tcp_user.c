/*
 * tcp_user.c - the user's calls on a connection (RFC 9293 3.10.1-3.10.6):
 * OPEN (listen, connect), SEND, RECEIVE, CLOSE, ABORT.
 *
 * Read this first: these are the core's half of the socket API.  They never
 * block: each does what the state allows now and says what happened; the
 * blocking, waiting and errno conventions are api/socket.c's.  They run under
 * the runtime's lock and take the time from net->now, which the caller has
 * set.  Errors are returned as -errno, as the kernel would report them.
 */
#include <errno.h>

#include "seq.h"
#include "tcp.h"

/* OPEN, passive (3.10.1): "enter the LISTEN state and return". */
int tcp_user_listen(struct net *net, struct tcb *tcb, uint32_t addr,
		    uint16_t port, int backlog)
{
	tcb->local_addr = addr;
	tcb->local_port = port;
	/* listen(128) as the seed calls it; Linux caps it by somaxconn. */
	tcb->backlog = backlog < 1 ? 1 : backlog > 4096 ? 4096 : backlog;
	tcp_set_state(net, tcb, TCP_LISTEN, NULL, "listen()");
	return 0;
}

/* OPEN, active (3.10.1): "select an ISS.  Send a SYN segment of the form
 * <SEQ=ISS><CTL=SYN>.  Set SND.UNA to ISS, SND.NXT to ISS+1, enter SYN-SENT". */
int tcp_user_connect(struct net *net, struct tcb *tcb, uint32_t raddr,
		     uint16_t rport, uint16_t lport)
{
	tcb->local_addr = net->addr;
	tcb->local_port = lport;
	tcb->remote_addr = raddr;
	tcb->remote_port = rport;
	if (tcb_find(net, net->addr, lport, raddr, rport))
		return -EADDRINUSE;
	tcb->iss = tcp_choose_iss(net, tcb);
	tcb->snd.una = tcb->iss;
	tcb->snd.nxt = tcb->iss;
	tcb->snd_max = tcb->iss;
	tcp_set_state(net, tcb, TCP_SYN_SENT, NULL, "connect()");
	tcp_output(net, tcb);	/* sends the SYN, arms the timer */
	return 0;
}

/* The oldest ready connection of a listener, or NULL. */
struct tcb *tcp_user_accept(struct net *net, struct tcb *l)
{
	struct tcb *t = l->accept_head;

	(void)net;
	if (!t)
		return NULL;
	l->accept_head = t->accept_next;
	if (!l->accept_head)
		l->accept_tail = NULL;
	l->pending--;
	t->accept_next = NULL;
	t->listener = NULL;
	t->user = 1;
	return t;
}

/* SEND (3.10.2): queue what fits in the send buffer and send what the
 * window allows.  Returns the bytes taken (maybe 0: buffer full), or
 * -errno. */
long tcp_user_send(struct net *net, struct tcb *tcb, const uint8_t *data,
		   size_t len)
{
	size_t n;

	/* As the kernel does: the reset is reported once, then a send on
	 * the dead connection says EPIPE. */
	if (tcb->error && !tcb->error_reported) {
		tcb->error_reported = 1;
		return -tcb->error;
	}
	switch (tcb->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
		break;
	case TCP_SYN_SENT:
	case TCP_SYN_RECEIVED:
		return 0;	/* "queue the data": wait for ESTABLISHED */
	default:
		/* After our FIN, or no connection: "connection closing". */
		return -EPIPE;
	}
	if (tcb->fin_queued)
		return -EPIPE;
	n = rb_write(&tcb->sndbuf, data, len);
	if (n)
		tcp_output(net, tcb);
	return (long)n;
}

/* RECEIVE (3.10.3): take what has arrived in order.  Returns the bytes
 * copied, 0 at the end of the stream, or -EAGAIN when nothing is there
 * yet; -errno after a reset. */
long tcp_user_recv(struct net *net, struct tcb *tcb, uint8_t *buf, size_t len)
{
	uint32_t before = tcb->rcv.wnd;
	size_t n = rb_read(&tcb->rcvbuf, buf, len);

	if (n) {
		/* Reading opened the window; tell the peer if it grew by a
		 * worthwhile amount (RFC 9293 3.8.6.2.2), so a sender stopped
		 * by a full buffer can go on. */
		uint32_t edge = tcb->rcv_adv;

		tcp_window_to_advertise(tcb, 0);
		if (tcb->rcv_adv != edge && tcb->state != TCP_CLOSED &&
		    tcb->state != TCP_SYN_SENT) {
			tcb->ack_now = 1;
			tcp_output(net, tcb);
		}
		(void)before;
		return (long)n;
	}
	if (tcb->fin_received)
		return 0;
	if (tcb->error && !tcb->error_reported) {
		tcb->error_reported = 1;
		return -tcb->error;
	}
	if (tcb->state == TCP_CLOSED)
		return 0;
	return -EAGAIN;
}

/* The FIN half of CLOSE (3.10.4), also shutdown(SHUT_WR): "Queue this until
 * all preceding SENDs have been segmentized, then form a FIN segment and
 * send it."  ESTABLISHED (or SYN-RECEIVED) -> FIN-WAIT-1, CLOSE-WAIT ->
 * LAST-ACK. */
int tcp_user_shutdown(struct net *net, struct tcb *tcb)
{
	if (tcb->fin_queued)
		return 0;
	switch (tcb->state) {
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
		tcb->fin_queued = 1;
		tcp_set_state(net, tcb, TCP_FIN_WAIT_1, NULL, "close()");
		break;
	case TCP_CLOSE_WAIT:
		tcb->fin_queued = 1;
		tcp_set_state(net, tcb, TCP_LAST_ACK, NULL, "close()");
		break;
	default:
		return -ENOTCONN;
	}
	tcp_output(net, tcb);
	return 0;
}

/* CLOSE (3.10.4): the user is done with the connection.  What remains is
 * the protocol's: the FIN exchange, TIME-WAIT.  The block is freed when it
 * reaches CLOSED. */
void tcp_user_close(struct net *net, struct tcb *tcb)
{
	switch (tcb->state) {
	case TCP_LISTEN:
	case TCP_SYN_SENT:
		/* "Any outstanding RECEIVEs are returned with 'closing'
		 * responses ... enter CLOSED state" (unaccepted connections
		 * of a listener are reset by tcb_free). */
		tcb->user = 0;
		tcp_close_tcb(net, tcb, 0, NULL, "close()");
		return;
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
		if (tcb->rcvbuf.len || tcb->reass) {
			/* RFC 1122 4.2.2.13 (and RFC 2525 2.17): closing with
			 * data unread loses it; say so with a reset, not a
			 * FIN that would look like a clean end (as Linux). */
			tcp_user_abort(net, tcb);
			return;
		}
		tcp_user_shutdown(net, tcb);
		break;
	default:
		break;	/* FIN already queued, or CLOSED */
	}
	tcb->user = 0;
	if (tcb->state == TCP_CLOSED) {
		tcb_free(net, tcb);
		return;
	}
	/* Nobody will read any more: an orphan in FIN-WAIT-2 waits for the
	 * peer's FIN at most 2*MSL (tcp_timer.c). */
	if (tcb->state == TCP_FIN_WAIT_2 && !tcb->timewait_at)
		tcb->timewait_at = net->now + 2 * (uint64_t)net->tcp->msl_ms;
}

/* ABORT (3.10.5): "send a reset segment <SEQ=SND.NXT><CTL=RST>", CLOSED. */
void tcp_user_abort(struct net *net, struct tcb *tcb)
{
	tcp_send_rst(net, tcb);
	tcb->user = 0;
	if (tcb->state == TCP_CLOSED)
		tcb_free(net, tcb);
	else
		tcp_close_tcb(net, tcb, 0, NULL, "abort");
}
