/*
 * tcp_reass.c - the out-of-order queue: pieces that arrived after a hole.
 *
 * Read this first: TCP delivers bytes in order, once (the tutorial's
 * 有序数据传输, 舍弃重复的数据包).  A segment beyond RCV.NXT cannot be
 * delivered yet; rather than throw it away (and make the sender resend it),
 * it waits here, in a list sorted by sequence number, with every overlap
 * trimmed away so each byte is stored once.  When the hole before it fills,
 * tcp_reass_deliver() moves everything now contiguous into the receive
 * buffer.  RFC 9293 3.10.7.4 (seventh step) allows this ("segments with
 * higher beginning sequence numbers may be held for later processing");
 * RFC 5681 4.2 asks for a duplicate ACK per out-of-order segment and an
 * immediate ACK when a hole fills, which tcp_input.c sends.
 *
 * Everything held lies inside the window we advertised, and the receive
 * buffer always has room for the whole advertised window, so delivery
 * never fails for lack of space.
 */
#include <stdlib.h>
#include <string.h>

#include "seq.h"
#include "tcp.h"

struct reass_seg {
	uint32_t seq;
	uint32_t len;
	uint8_t fin;		/* a FIN follows the last byte */
	struct reass_seg *next;
	uint8_t data[];
};

static void remove_seg(struct tcb *tcb, struct reass_seg **pp)
{
	struct reass_seg *e = *pp;

	*pp = e->next;
	tcb->reass_bytes -= e->len;
	free(e);
}

/* Store the piece [seq, seq+len) (and a FIN after it, if fin).  Returns 1
 * if anything new was stored, 0 if it was all a duplicate. */
int tcp_reass_insert(struct tcb *tcb, uint32_t seq, const uint8_t *data,
		     uint32_t len, int fin)
{
	struct reass_seg **pp = &tcb->reass, *e, *n;
	uint32_t end = seq + len;

	/* Skip the pieces that end before this one begins. */
	while (*pp && seq_lt((*pp)->seq + (*pp)->len, seq))
		pp = &(*pp)->next;
	/* One that begins at or before us and reaches into us: trim our front. */
	if (*pp && seq_leq((*pp)->seq, seq) && seq_geq((*pp)->seq + (*pp)->len, seq)) {
		e = *pp;
		if (seq_geq(e->seq + e->len, end)) {
			/* Wholly a duplicate; it may still bring the FIN. */
			if (fin && e->seq + e->len == end && !e->fin) {
				e->fin = 1;
				return 1;
			}
			return 0;
		}
		data += e->seq + e->len - seq;
		seq = e->seq + e->len;
		pp = &e->next;
	}
	/* Pieces that begin inside us: those wholly inside are replaced;
	 * one that runs beyond our end cuts our tail short. */
	while (*pp && seq_lt((*pp)->seq, end)) {
		e = *pp;
		if (seq_leq(e->seq + e->len, end)) {
			if (e->fin && e->seq + e->len == end)
				fin = 1;
			remove_seg(tcb, pp);
			continue;
		}
		end = e->seq;
		fin = 0;
		break;
	}
	len = end - seq;
	if (len == 0 && !fin)
		return 0;
	n = malloc(sizeof *n + len);
	if (!n)
		return 0;	/* the sender will retransmit it */
	n->seq = seq;
	n->len = len;
	n->fin = (uint8_t)fin;
	memcpy(n->data, data, len);
	n->next = *pp;
	*pp = n;
	tcb->reass_bytes += len;
	return 1;
}

/* Move the pieces that now follow RCV.NXT into the receive buffer.
 * Returns 1 if a held FIN was reached (RCV.NXT is now its sequence
 * number), else 0. */
int tcp_reass_deliver(struct tcb *tcb)
{
	while (tcb->reass && seq_leq(tcb->reass->seq, tcb->rcv.nxt)) {
		struct reass_seg *e = tcb->reass;
		uint32_t off = tcb->rcv.nxt - e->seq;
		int fin;

		if (off < e->len)
			tcb->rcv.nxt += (uint32_t)rb_write(&tcb->rcvbuf, e->data + off,
							   e->len - off);
		fin = e->fin && tcb->rcv.nxt == e->seq + e->len;
		remove_seg(tcb, &tcb->reass);
		if (fin)
			return 1;
	}
	return 0;
}

/* RFC 2018 section 4: the SACK blocks of an ACK tell the sender which
 * pieces beyond the hole we already hold, so it resends only what is
 * missing.  Adjacent pieces make one block.  The order is the RFC's: the
 * first block holds the piece that arrived last (the one this ACK
 * answers); then the blocks reported most recently, so that a block is
 * repeated in several ACKs and survives the loss of some; then the rest,
 * in sequence order.  What is returned is remembered as "reported" for the
 * next ACK.  Returns how many blocks were written (at most `max`). */
#define SACK_SCAN 64		/* blocks looked at: the first 64 holes */
int tcp_reass_sack_blocks(struct tcb *tcb, uint32_t blocks[][2], int max)
{
	const struct reass_seg *e = tcb->reass;
	uint32_t b[SACK_SCAN][2];
	uint8_t used[SACK_SCAN] = { 0 };
	int n = 0, i, k, out = 0;

	while (e && n < SACK_SCAN) {
		uint32_t left = e->seq, right = e->seq + e->len;

		for (e = e->next; e && e->seq == right; e = e->next)
			right += e->len;
		if (right == left)
			continue;	/* a bare FIN holds no byte */
		b[n][0] = left;
		b[n][1] = right;
		n++;
	}
	if (max > TCP_MAX_SACK_BLOCKS)
		max = TCP_MAX_SACK_BLOCKS;
	/* Pass 0: the newest piece.  Pass 1..: the blocks reported before,
	 * newest first (a reported block may have grown since, or been
	 * delivered).  Last pass: whatever is left. */
	for (k = -1; k <= tcb->nsack_sent && out < max; k++) {
		for (i = 0; i < n && out < max; i++) {
			int pick;

			if (used[i])
				continue;
			if (k == -1)
				pick = seq_in(tcb->last_ooo_seq, b[i][0], b[i][1]);
			else if (k < tcb->nsack_sent)
				pick = seq_lt(b[i][0], tcb->sack_sent[k][1]) &&
				       seq_gt(b[i][1], tcb->sack_sent[k][0]);
			else
				pick = 1;
			if (!pick)
				continue;
			used[i] = 1;
			blocks[out][0] = b[i][0];
			blocks[out][1] = b[i][1];
			out++;
		}
	}
	for (i = 0; i < out; i++) {
		tcb->sack_sent[i][0] = blocks[i][0];
		tcb->sack_sent[i][1] = blocks[i][1];
	}
	tcb->nsack_sent = (uint8_t)out;
	return out;
}

void tcp_reass_free(struct tcb *tcb)
{
	while (tcb->reass)
		remove_seg(tcb, &tcb->reass);
}
