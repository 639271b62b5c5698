/*
 * icmp.c - answer pings.
 *
 * Read this first: an echo request (type 8) is answered by an echo reply
 * (type 0) carrying the same identifier, sequence number and data
 * (RFC 792, "Echo or Echo Reply Message"; RFC 1122 3.2.2.6).  Errors about
 * our own datagrams (destination unreachable, time exceeded, parameter
 * problem) go to icmp_error.c, which also sends ours; other types are
 * counted and dropped.  The message
 * format and icmp_parse() are in wire/icmp_wire.h and wire/icmp_wire.c.
 */
#include "icmp.h"

#include <stdio.h>
#include <stdlib.h>

#include "bytes.h"
#include "checksum.h"
#include "icmp_wire.h"

/* ICMP as IPv4 sees it (net.h): protocol 1, no timers, no state. */
static const struct net_proto icmp_proto = {
	.name = "ICMP",
	.number = IP_PROTO_ICMP,
	.input = icmp_input,
};

void icmp_layer_init(struct net *net)
{
	if (net_add_proto(net, &icmp_proto) < 0)
		abort();	/* registered twice: a bug in the caller */
	icmp_ratelimit_init(net, ICMP_RATE_DEFAULT, ICMP_BURST_DEFAULT);
}

void icmp_input(struct net *net, const struct ipv4_hdr *ip)
{
	struct icmp_hdr h;
	enum drop_reason why;
	uint8_t *reply;
	size_t i;

	why = icmp_parse(ip->payload, ip->payload_len, &h);
	if (why != DROP_NONE) {
		net_drop(net, why, NULL);
		return;
	}
	/* RFC 1122 3.2.2: an error about a datagram we sent goes to the
	 * protocol that sent it (icmp_error.c). */
	if (h.type == ICMP_DEST_UNREACH || h.type == ICMP_TIME_EXCEEDED ||
	    h.type == ICMP_PARAM_PROBLEM) {
		icmp_error_input(net, ip, &h);
		return;
	}
	if (h.type != ICMP_ECHO_REQUEST || h.code != 0) {
		net_drop(net, DROP_ICMP_UNHANDLED_TYPE, NULL);
		return;
	}
	/* The reply is as long as the request: up to 65515 bytes when the
	 * request came in fragments, and ip_output() sends it in fragments
	 * too (RFC 1122 3.2.2.6: the data must be returned entire). */
	reply = malloc(ip->payload_len);
	if (!reply) {
		net_drop(net, DROP_ICMP_REPLY_TOO_BIG, "no memory for the reply");
		return;
	}

	/* RFC 792: "the source and destination addresses are simply
	 * reversed, the type code changed to 0, and the checksum
	 * recomputed".  (RFC 1624's incremental update would do for the one
	 * changed byte, except when the reply is all zeros - id 0, seq 0,
	 * no data - where it yields 0x0000 instead of 0xFFFF; summing the
	 * message again is always right.) */
	for (i = 0; i < ip->payload_len; i++)
		reply[i] = ip->payload[i];
	reply[ICMP_OFF_TYPE] = ICMP_ECHO_REPLY;
	put16(reply + ICMP_OFF_CHECKSUM, 0);
	put16(reply + ICMP_OFF_CHECKSUM, inet_checksum(reply, ip->payload_len));
	snprintf(net->note_out, sizeof net->note_out, "ICMP echo reply (RFC 792)");
	if (ip_output(net, IP_PROTO_ICMP, ip->src, reply, ip->payload_len) == 0) {
		net->stats.icmp_echo_replied++;
		snprintf(net->note, sizeof net->note, "ICMP echo request: answered");
	}
	else
		net_drop(net, DROP_ICMP_REPLY_TOO_BIG, "could not send the reply");
	free(reply);
}

