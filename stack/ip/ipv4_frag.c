/*
 * ipv4_frag.c - IPv4 fragments: glued back together on the way in, cut up
 * on the way out (RFC 791 section 3.2; RFC 815; RFC 1122 section 3.3.2).
 *
 * Read this first.  A datagram longer than a link's MTU travels as
 * fragments: each a copy of its header carrying one slice of its payload.
 * Fragment Offset says where the slice goes (in units of 8 bytes), MF
 * ("more fragments") is set on every fragment but the last, and all share
 * the datagram's Identification.  RFC 791 3.2 names the datagram a
 * fragment belongs to by its source, destination, protocol and
 * identification: the BUFID.
 *
 * The way in.  net_input() (ipv4.c) hands each fragment for us to
 * ip_reass_input().  The fragments of one datagram wait in a reass_buf, as
 * a list of pieces sorted by offset.  RFC 791 marks what has arrived in a
 * bit table and RFC 815 keeps a list of the "holes" still to fill; here the
 * holes are the gaps between the sorted pieces.  When the last fragment
 * (MF clear) has told the total length and no gap is left, the pieces are
 * copied behind the first fragment's header, and the whole datagram goes
 * up to its protocol as if it had arrived in one packet.
 *
 * Anyone can send fragments that never finish, or that contradict each
 * other, so every buffer is bounded and every loss counted by name:
 *   - a datagram has `timeout_ms` to arrive (TUNTCP_FRAG_TIMEOUT, 30 s as
 *     Linux's ipfrag_time; RFC 1122 3.3.2 suggests 60 to 120 s), counted
 *     from its first fragment and never extended, so a trickle of
 *     fragments cannot keep a buffer alive: ip-frag-timeout;
 *   - all buffers together hold at most `mem_max` bytes, bookkeeping
 *     included (TUNTCP_FRAG_MEM, 4 MiB as Linux's ipfrag_high_thresh);
 *     past it the oldest datagram is given up first: ip-frag-evicted;
 *   - at most REASS_MAX_DATAGRAMS (256) datagrams wait at once, so finding
 *     a fragment's buffer in a plain list stays cheap under a flood of
 *     never-finished ones; the oldest makes room: ip-frag-evicted;
 *   - at most REASS_MAX_FRAGMENTS (128) fragments are kept for one
 *     datagram: enough for the largest one (65535 bytes) cut for a
 *     576-byte path (RFC 791's minimum datagram; 119 fragments of 552
 *     bytes), while a flood of 8-byte fragments gives up at 129:
 *     ip-frag-too-many.  (Linux bounds instead how far a source's
 *     fragments may interleave, ipfrag_max_dist = 64; a count is simpler
 *     to check and to explain.)
 *   - no fragment may reach past byte 65535 of its datagram, the "ping of
 *     death": ip-frag-too-big;
 *   - fragments that overlap must agree byte for byte, or the datagram is
 *     given up: ip-frag-overlap.  Linux gives up on any overlap (RFC
 *     5722's rule for IPv6, applied to IPv4 since 2018) except a fragment
 *     lying wholly inside a stretch it holds, which it drops as a
 *     duplicate without looking at the bytes.  We compare them: a
 *     retransmitted or differently cut copy agrees and is harmless; one
 *     that disagrees is an attack (teardrop and its kin, RFC 1858) or
 *     corruption, and no receiver can tell which copy is right.  A
 *     fragment that brings nothing new is dropped alone:
 *     ip-frag-duplicate.
 * Timeouts, evictions, overlaps and too many fragments are counted once
 * per datagram given up, with its id in the log.
 *
 * The way out.  ip_fragment_output() cuts a payload that does not fit the
 * MTU into fragments of 1480 bytes (the most a 1500-byte MTU leaves after
 * the header that is a multiple of 8), DF clear, MF on all but the last,
 * one Identification for all (RFC 791 3.2, "An Example Fragmentation
 * Procedure").
 *
 * Sans-IO like the rest of the core: the time comes in as `now`; the only
 * things sent are the fragments and, on a timeout, ICMP's error.
 */
#include "ipv4_frag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "checksum.h"
#include "icmp.h"
#include "icmp_wire.h"
#include "ipv4_wire.h"
#include "net.h"

/* One fragment's slice of the payload, as it arrived. */
struct reass_piece {
	struct reass_piece *next;	/* the next by offset */
	uint32_t offset;	/* where the slice starts in the payload, bytes */
	uint32_t len;		/* its length, bytes */
	/* Fragment 0 keeps its header in front of its data: that header
	 * becomes the whole datagram's (RFC 791 3.2), and ICMP quotes it on
	 * a timeout.  0 for the other fragments. */
	uint8_t hdr_len;
	uint8_t bytes[];	/* [header] data */
};

/* One datagram being reassembled, named by its BUFID (RFC 791 3.2). */
struct reass_buf {
	struct reass_buf *older, *newer;	/* the table's list, by age */
	/* BUFID: the fragments of one datagram share all four. */
	uint32_t src, dst;
	uint8_t proto;
	uint16_t id;
	/* RFC 791's TDL, total data length: the payload's length, known
	 * once the last fragment (MF clear) arrived, `have_last`. */
	uint32_t tdl;
	int have_last;
	uint32_t max_end;	/* the end of the furthest piece so far */
	uint64_t deadline;	/* ms: the datagram is given up at this time */
	int npieces;
	size_t mem;		/* bytes charged to the table for it */
	struct reass_piece *pieces;	/* sorted by offset; gaps are holes */
};

static const uint8_t *piece_data(const struct reass_piece *p)
{
	return p->bytes + p->hdr_len;
}

void ip_reass_init(struct ip_reass *reass)
{
	memset(reass, 0, sizeof *reass);
	reass->timeout_ms = REASS_TIMEOUT_MS;
	reass->mem_max = REASS_MEM_MAX;
}

/* "id 0x1a2b from 10.0.0.1": how the log names a datagram. */
static const char *describe(const struct reass_buf *b, char *buf, size_t n)
{
	char src[16];

	snprintf(buf, n, "id 0x%04x from %s", b->id, ipv4_ntoa(b->src, src));
	return buf;
}

/* Take `b` off the table and free it. */
static void free_buf(struct ip_reass *t, struct reass_buf *b)
{
	struct reass_piece *p, *next;

	if (b->older)
		b->older->newer = b->newer;
	else
		t->oldest = b->newer;
	if (b->newer)
		b->newer->older = b->older;
	else
		t->newest = b->older;
	t->count--;
	t->mem -= b->mem;
	for (p = b->pieces; p; p = next) {
		next = p->next;
		free(p);
	}
	free(b);
}

/* Give up the datagram in `b`: count why, once, and free it. */
static void give_up(struct net *net, struct reass_buf *b,
		    enum drop_reason why, const char *what)
{
	char name[48], detail[96];

	snprintf(detail, sizeof detail, "%s: %s",
		 describe(b, name, sizeof name), what);
	net_drop(net, why, detail);
	free_buf(&net->reass, b);
}

static struct reass_buf *find_buf(struct ip_reass *t,
				  const struct ipv4_hdr *ip)
{
	struct reass_buf *b;

	for (b = t->newest; b; b = b->older)
		if (b->id == ip->id && b->src == ip->src &&
		    b->dst == ip->dst && b->proto == ip->proto)
			return b;
	return NULL;
}

/* A new, empty buffer for the datagram `ip` is a fragment of, the newest
 * on the table; the oldest makes room if the table is full.  NULL when
 * memory ran out (counted). */
static struct reass_buf *new_buf(struct net *net, const struct ipv4_hdr *ip,
				 uint64_t now, int *evicted)
{
	struct ip_reass *t = &net->reass;
	struct reass_buf *b;

	if (t->count >= REASS_MAX_DATAGRAMS) {
		give_up(net, t->oldest, DROP_IP_FRAG_EVICTED,
			"too many datagrams in reassembly");
		(*evicted)++;
	}
	b = calloc(1, sizeof *b);
	if (!b) {
		net_drop(net, DROP_IP_FRAG_NO_MEMORY, NULL);
		return NULL;
	}
	b->src = ip->src;
	b->dst = ip->dst;
	b->proto = ip->proto;
	b->id = ip->id;
	/* RFC 1122 3.3.2: the timer starts with the first fragment to
	 * arrive.  (RFC 791 would raise it to each fragment's TTL; a fixed
	 * wait, as Linux has, cannot be kept alive by a trickle.) */
	b->deadline = now + t->timeout_ms;
	b->mem = sizeof *b;
	b->older = t->newest;
	if (t->newest)
		t->newest->newer = b;
	else
		t->oldest = b;
	t->newest = b;
	t->count++;
	t->mem += b->mem;
	return b;
}

/* The fragment's place in its datagram must agree with what the others
 * said: the last fragment fixes the total data length (TDL), every other
 * fragment must end within it, and a second "last" must agree with the
 * first.  Returns 1 when it agrees. */
static int ends_agree(const struct reass_buf *b, uint32_t end, int more)
{
	if (!more)
		return (!b->have_last || end == b->tdl) && end >= b->max_end;
	return !b->have_last || end <= b->tdl;
}

enum overlap { OVERLAP_NONE, OVERLAP_SAME_BYTES, OVERLAP_DIFFERENT,
	       OVERLAP_NOTHING_NEW };

/* Compare the fragment [offset, end) holding `data` with the pieces it
 * overlaps.  OVERLAP_DIFFERENT when any byte disagrees; otherwise
 * OVERLAP_NOTHING_NEW when the pieces already cover all of it, else
 * OVERLAP_SAME_BYTES or OVERLAP_NONE. */
static enum overlap check_overlap(const struct reass_buf *b, uint32_t offset,
				  uint32_t end, const uint8_t *data)
{
	const struct reass_piece *p;
	uint32_t reach = offset;	/* [offset, reach) is covered */
	int overlaps = 0, gap = 0;

	for (p = b->pieces; p && p->offset < end; p = p->next) {
		uint32_t p_end = p->offset + p->len;
		uint32_t lo, hi;

		if (p_end <= offset)
			continue;
		lo = p->offset > offset ? p->offset : offset;
		hi = p_end < end ? p_end : end;
		if (memcmp(data + (lo - offset), piece_data(p) + (lo - p->offset),
			   hi - lo) != 0)
			return OVERLAP_DIFFERENT;
		overlaps = 1;
		if (p->offset > reach)
			gap = 1;
		if (p_end > reach)
			reach = p_end;
	}
	if (overlaps && !gap && reach >= end)
		return OVERLAP_NOTHING_NEW;
	return overlaps ? OVERLAP_SAME_BYTES : OVERLAP_NONE;
}

/* Keep the fragment's slice (and, for fragment 0, its header) in `b`, in
 * offset order; after any piece with the same offset, so the first
 * fragment 0 to arrive stays first.  Returns 0, or -1 without memory. */
static int add_piece(struct ip_reass *t, struct reass_buf *b,
		     const struct ipv4_hdr *ip, uint32_t offset)
{
	size_t hdr_len = offset == 0 ? ip->hdr_len : 0;
	size_t size = sizeof(struct reass_piece) + hdr_len + ip->payload_len;
	struct reass_piece *p, **at;

	p = malloc(size);
	if (!p)
		return -1;
	p->offset = offset;
	p->len = (uint32_t)ip->payload_len;
	p->hdr_len = (uint8_t)hdr_len;
	/* ipv4_parse() proved the header sits just before the payload. */
	memcpy(p->bytes, ip->payload - hdr_len, hdr_len + ip->payload_len);
	for (at = &b->pieces; *at && (*at)->offset <= offset; at = &(*at)->next)
		;
	p->next = *at;
	*at = p;
	b->npieces++;
	if (offset + p->len > b->max_end)
		b->max_end = offset + p->len;
	b->mem += size;
	t->mem += size;
	return 0;
}

/* Whole when the last fragment has arrived and the pieces cover
 * [0, TDL) with no hole between them. */
static int is_whole(const struct reass_buf *b)
{
	const struct reass_piece *p;
	uint32_t reach = 0;

	if (!b->have_last)
		return 0;
	for (p = b->pieces; p; p = p->next) {
		if (p->offset > reach)
			return 0;	/* a hole before this piece */
		if (p->offset + p->len > reach)
			reach = p->offset + p->len;
	}
	return reach >= b->tdl;
}

/* Copy the whole datagram out of `b` into a buffer of its own, describe
 * it in `*whole`, and free `b`.  RFC 791 3.2: the header is fragment 0's
 * (its options too), with Total Length the whole and the fragment fields
 * cleared. */
static uint8_t *assemble(struct net *net, struct reass_buf *b,
			 struct ipv4_hdr *whole)
{
	const struct reass_piece *first = b->pieces, *p;
	size_t hdr_len = first->hdr_len, total = hdr_len + b->tdl;
	enum drop_reason why;
	int npieces = b->npieces;
	char name[48];
	uint8_t *dgram;

	/* Each fragment was checked against its own header's length; the
	 * whole carries fragment 0's, which may be longer (options). */
	if (total > IPV4_MAX_TOTAL) {
		give_up(net, b, DROP_IP_FRAG_TOO_BIG, "longer than 65535 bytes");
		return NULL;
	}
	dgram = malloc(total);
	if (!dgram) {
		give_up(net, b, DROP_IP_FRAG_NO_MEMORY, "whole datagram");
		return NULL;
	}
	memcpy(dgram, first->bytes, hdr_len);
	put16(dgram + IPV4_OFF_TOTAL_LEN, (uint16_t)total);
	put16(dgram + IPV4_OFF_FRAG, 0);
	put16(dgram + IPV4_OFF_CHECKSUM, 0);
	put16(dgram + IPV4_OFF_CHECKSUM, inet_checksum(dgram, hdr_len));
	/* Overlapping pieces hold the same bytes (check_overlap()), so
	 * copying each in turn is right. */
	for (p = b->pieces; p; p = p->next)
		memcpy(dgram + hdr_len + p->offset, piece_data(p), p->len);
	describe(b, name, sizeof name);
	free_buf(&net->reass, b);

	why = ipv4_parse(dgram, total, whole);
	if (why != DROP_NONE) {		/* cannot happen: we built it */
		free(dgram);
		net_drop(net, why, "reassembled datagram");
		return NULL;
	}
	net->stats.ip_reassembled++;
	snprintf(net->note, sizeof net->note,
		 "reassembled: %s, %zu bytes of payload from %d fragments (RFC 791 3.2)",
		 name, total - hdr_len, npieces);
	net_logf(net, "ip: %s", net->note);
	return dgram;
}

uint8_t *ip_reass_input(struct net *net, const struct ipv4_hdr *ip,
			uint64_t now, struct ipv4_hdr *whole)
{
	struct ip_reass *t = &net->reass;
	uint32_t offset = (uint32_t)(ip->frag & IPV4_FRAG_OFFSET_MASK) *
			  IPV4_FRAG_UNIT;
	uint32_t end = offset + (uint32_t)ip->payload_len;
	int more = (ip->frag & IPV4_FLAG_MF) != 0;
	int evicted = 0;
	struct reass_buf *b;
	char name[48];

	/* RFC 791 3.2: a datagram is cut "on 8 octet boundaries", so every
	 * fragment but the last carries a multiple of 8 bytes of data, and
	 * one with none carries nothing to reassemble. */
	if (more && (ip->payload_len == 0 ||
		     ip->payload_len % IPV4_FRAG_UNIT != 0)) {
		net_drop(net, DROP_IP_FRAG_BAD_SIZE, NULL);
		return NULL;
	}
	/* RFC 791 3.1: Total Length has 16 bits, so no datagram reaches past
	 * byte 65535.  A fragment that does (the "ping of death") would
	 * overrun a buffer sized for the largest datagram. */
	if (ip->hdr_len + end > IPV4_MAX_TOTAL) {
		net_drop(net, DROP_IP_FRAG_TOO_BIG, NULL);
		return NULL;
	}

	b = find_buf(t, ip);
	if (!b) {
		b = new_buf(net, ip, now, &evicted);
		if (!b)
			return NULL;
	}
	if (!ends_agree(b, end, more)) {
		give_up(net, b, DROP_IP_FRAG_BAD_END,
			more ? "data past the last fragment"
			     : "the last fragment disagrees");
		return NULL;
	}
	switch (check_overlap(b, offset, end, ip->payload)) {
	case OVERLAP_DIFFERENT:
		give_up(net, b, DROP_IP_FRAG_OVERLAP,
			"overlapping fragments disagree");
		return NULL;
	case OVERLAP_NOTHING_NEW:
		/* The datagram keeps what it has; only the copy goes. */
		net_drop(net, DROP_IP_FRAG_DUPLICATE, describe(b, name, sizeof name));
		return NULL;
	case OVERLAP_SAME_BYTES:
	case OVERLAP_NONE:
		break;
	}
	if (b->npieces >= REASS_MAX_FRAGMENTS) {
		give_up(net, b, DROP_IP_FRAG_TOO_MANY, "too many fragments");
		return NULL;
	}
	if (add_piece(t, b, ip, offset) < 0) {
		net_drop(net, DROP_IP_FRAG_NO_MEMORY, NULL);
		if (!b->pieces)
			free_buf(t, b);
		return NULL;
	}
	net->stats.ip_frags_held++;
	if (!more) {
		b->have_last = 1;
		b->tdl = end;
	}

	/* The memory cap: the oldest datagrams go first, perhaps this one. */
	while (t->mem > t->mem_max) {
		struct reass_buf *old = t->oldest;
		int self = old == b;

		give_up(net, old, DROP_IP_FRAG_EVICTED, "memory cap");
		if (self)
			return NULL;
		evicted++;
	}

	if (is_whole(b))
		return assemble(net, b, whole);

	snprintf(net->note, sizeof net->note,
		 "fragment held for reassembly: %s, offset %u, %d held%s",
		 describe(b, name, sizeof name), offset, b->npieces,
		 evicted ? "; older datagrams evicted" : "");
	return NULL;
}

void ip_reass_release(uint8_t *datagram)
{
	free(datagram);
}

/* RFC 1122 3.3.2: when the timer runs out, the fragments are freed and,
 * if fragment 0 had arrived, the source is told with an ICMP Time
 * Exceeded, code 1 "fragment reassembly time exceeded" (RFC 792).  Without
 * fragment 0 there is no header worth quoting (RFC 1122 3.2.2 forbids
 * errors about later fragments), and nothing is sent. */
static void time_out(struct net *net, struct reass_buf *b)
{
	const struct reass_piece *first = b->pieces;
	struct ipv4_hdr hdr;

	if (first && first->offset == 0 &&
	    ipv4_parse(first->bytes, first->hdr_len + first->len, &hdr) ==
		    DROP_NONE) {
		net->stats.ip_reass_timeouts++;
		icmp_send_error(net, ICMP_TIME_EXCEEDED, ICMP_REASSEMBLY_TIMEOUT,
				0, &hdr);
	}
	give_up(net, b, DROP_IP_FRAG_TIMEOUT, "reassembly timed out");
}

void ip_reass_tick(struct net *net, uint64_t now)
{
	struct reass_buf *b, *next;

	for (b = net->reass.oldest; b; b = next) {
		next = b->newer;
		if (b->deadline <= now)
			time_out(net, b);
	}
}

uint64_t ip_reass_next_deadline(const struct net *net)
{
	const struct reass_buf *b;
	uint64_t next = UINT64_MAX;

	/* Oldest first means earliest deadline first, unless timeout_ms
	 * was changed on the way; looking at all is cheap and always right. */
	for (b = net->reass.oldest; b; b = b->newer)
		if (b->deadline < next)
			next = b->deadline;
	return next;
}

void ip_reass_free(struct net *net)
{
	while (net->reass.oldest)
		free_buf(&net->reass, net->reass.oldest);
}

/* RFC 791 3.2, "An Example Fragmentation Procedure": every fragment gets
 * a copy of the header (ours has no options to leave out), the same
 * Identification, its offset in 8-byte units and MF on all but the last;
 * each carries the most data that fits the MTU in a multiple of 8 bytes.
 * DF is clear: these are fragments already. */
int ip_fragment_output(struct net *net, uint8_t proto, uint32_t dst,
		       const uint8_t *payload, size_t len)
{
	const size_t max_data = (DEVICE_MTU - IPV4_HDR_MIN) / IPV4_FRAG_UNIT *
				IPV4_FRAG_UNIT;	/* 1480 */
	size_t nfrags = (len + max_data - 1) / max_data, k, off, n;
	uint16_t id = net->ip_id++;
	uint8_t pkt[DEVICE_MTU];
	char note[sizeof net->note_out];
	int err;

	for (k = 0, off = 0; off < len; k++, off += n) {
		uint16_t frag = (uint16_t)(off / IPV4_FRAG_UNIT);

		n = len - off < max_data ? len - off : max_data;
		if (off + n < len)
			frag |= IPV4_FLAG_MF;
		ipv4_build_fragment(pkt, net->addr, dst, proto, id,
				    IPV4_DEFAULT_TTL, frag, n);
		memcpy(pkt + IPV4_HDR_MIN, payload + off, n);
		/* The capture's comment: what the datagram is on the first
		 * fragment, and where each fragment goes. */
		if (k == 0)
			snprintf(note, sizeof note,
				 "%.180s%sfragment 1 of %zu, id 0x%04x (RFC 791 3.2)",
				 net->note_out, net->note_out[0] ? "; " : "",
				 nfrags, id);
		else
			snprintf(note, sizeof note, "fragment %zu of %zu, offset %zu",
				 k + 1, nfrags, off);
		device_note(net->dev, NOTE_OUT, note);
		net->note_out[0] = '\0';
		err = device_send(net->dev, pkt, IPV4_HDR_MIN + n);
		if (err)
			return err;
		net->stats.tx_packets++;
		net->stats.ip_frags_sent++;
	}
	net->stats.ip_fragmented++;
	return 0;
}
