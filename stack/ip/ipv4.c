/*
 * ipv4.c - IPv4 input and output: is this packet for us, and to whom does
 * it go next (RFC 791, RFC 1122 section 3.2.1).
 *
 * Read this first: ipv4_parse() (wire/ipv4_wire.c) has already proven the
 * header well formed.  Here we decide whether a host should accept it:
 * addressed to us, from a believable source, a protocol we speak.  Every
 * refusal is a counted drop with a reason.  A fragment waits in
 * ipv4_frag.c until its datagram is whole.  What is accepted goes up to
 * the protocol registered for its number (net_add_proto()): this file
 * names no protocol above it.  On the way down, ip_output() sends one
 * datagram, or hands one too big for the MTU to ipv4_frag.c to cut up.
 */
#include <errno.h>
#include <stdio.h>

#include "icmp.h"
#include "ipv4_frag.h"
#include "ipv4_wire.h"
#include "net.h"

/* RFC 1122 3.2.1.3: a host must discard a datagram whose source is not a
 * unicast address it could answer: 0.0.0.0, loopback (127/8, which must
 * never appear on a wire), multicast (224/4), reserved and limited
 * broadcast (240/4).  A packet claiming to come from our own address is
 * dropped too: it can only be forged (the "land" attack). */
static int source_is_bad(const struct net *net, uint32_t src)
{
	return src == 0 || (src >> 24) == 127 || (src >> 28) == 0xE ||
	       (src >> 28) == 0xF || src == net->addr;
}

/* A whole datagram for us, from one packet or reassembled: up to the
 * protocol its Protocol field names (RFC 791 3.1: "the next level
 * protocol"). */
static void deliver(struct net *net, const struct ipv4_hdr *ip)
{
	const struct net_proto *proto = net_find_proto(net, ip->proto);

	if (!proto) {
		/* RFC 1122 3.2.2.1: "a host SHOULD generate Destination
		 * Unreachable messages with code 2 (Protocol Unreachable)
		 * when the designated transport protocol is not supported". */
		net_drop(net, DROP_IP_UNKNOWN_PROTO, NULL);
		icmp_send_error(net, ICMP_DEST_UNREACH, ICMP_PROTO_UNREACH, 0, ip);
		return;
	}
	proto->input(net, ip);
}

/* The fragment `ip` is kept until its datagram is whole; the fragment
 * that completes it sends the whole datagram up.  The capture's comment
 * on that fragment says both: reassembled, and what the protocol did. */
static void reassemble(struct net *net, const struct ipv4_hdr *ip,
		       uint64_t now)
{
	char reassembled[sizeof net->note];
	struct ipv4_hdr whole;
	uint8_t *dgram;

	dgram = ip_reass_input(net, ip, now, &whole);
	if (!dgram)
		return;		/* held, or dropped */
	snprintf(reassembled, sizeof reassembled, "%s", net->note);
	net->note[0] = '\0';
	deliver(net, &whole);
	if (net->note[0]) {
		char said[sizeof net->note];

		snprintf(said, sizeof said, "%s", net->note);
		snprintf(net->note, sizeof net->note, "%.120s; %.120s",
			 reassembled, said);
	} else {
		snprintf(net->note, sizeof net->note, "%s", reassembled);
	}
	ip_reass_release(dgram);
}

void net_input(struct net *net, const uint8_t *pkt, size_t len, uint64_t now)
{
	struct ipv4_hdr ip;
	enum drop_reason why;

	net->now = now;
	net->stats.rx_packets++;
	net->note[0] = '\0';

	why = ipv4_parse(pkt, len, &ip);
	if (why != DROP_NONE) {
		net_drop(net, why, NULL);
		return;
	}
	/* RFC 1122 3.2.1.3: the destination must be one of ours. */
	if (ip.dst != net->addr) {
		net_drop(net, DROP_IP_NOT_OURS, NULL);
		return;
	}
	if (source_is_bad(net, ip.src)) {
		net_drop(net, DROP_IP_BAD_SOURCE, NULL);
		return;
	}
	/* RFC 1122 3.2.1.7: a host must not send TTL 0, so one that arrives
	 * was forged or mangled.  (TTL 1 is fine: it need not be forwarded.) */
	if (ip.ttl == 0) {
		net_drop(net, DROP_IP_TTL_ZERO, NULL);
		return;
	}
	/* RFC 791 3.2, RFC 1122 3.3.2: a fragment (MF set, or a non-zero
	 * offset) is kept until its datagram is whole. */
	if (ip.frag & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)) {
		reassemble(net, &ip, now);
		return;
	}

	deliver(net, &ip);
}

int ip_output(struct net *net, uint8_t proto, uint32_t dst,
	      const uint8_t *payload, size_t len)
{
	uint8_t pkt[DEVICE_MTU];
	size_t i;
	int err;

	/* RFC 791 3.1: 16 bits of Total Length bound every datagram. */
	if (len > IPV4_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (len > sizeof pkt - IPV4_HDR_MIN) {
		/* RFC 9293 3.7.1: TCP sizes its segments to fit (the MSS)
		 * and sets DF (RFC 1191), so a TCP segment too big for the
		 * MTU is TCP's mistake, refused rather than cut up.  ICMP
		 * and UDP messages go in fragments (RFC 791 3.2). */
		if (proto == IP_PROTO_TCP)
			return -EMSGSIZE;
		return ip_fragment_output(net, proto, dst, payload, len);
	}
	/* RFC 791 3.2 and RFC 6864: the Identification only has to be
	 * unique for reassembly; a counter is what most hosts use. */
	ipv4_build(pkt, net->addr, dst, proto, net->ip_id++, IPV4_DEFAULT_TTL,
		   len);
	for (i = 0; i < len; i++)
		pkt[IPV4_HDR_MIN + i] = payload[i];
	if (net->note_out[0]) {
		device_note(net->dev, NOTE_OUT, net->note_out);
		net->note_out[0] = '\0';
	}
	err = device_send(net->dev, pkt, IPV4_HDR_MIN + len);
	if (err == 0)
		net->stats.tx_packets++;
	return err;
}
