/*
 * icmp_error.c - ICMP errors: the ones we send ("your datagram could not be
 * delivered") and the ones we receive about our own datagrams.
 *
 * Read this first: RFC 792 defines the messages (destination unreachable,
 * time exceeded, parameter problem), each carrying the IP header of the
 * datagram it is about plus at least its first 8 bytes - enough for the
 * sender to find the ports, and TCP's sequence number.  RFC 1122 3.2.2
 * says when a host must never send one (about another error, a broadcast,
 * a fragment other than the first, a forged source): an error about an
 * error could loop for ever, and an error to a broadcast would be answered
 * by a storm.  RFC 1812 4.3.2.8 asks for a rate limit.
 *
 * Sending: icmp_send_error(), called by IPv4 (an unknown protocol), UDP (a
 * closed port) and reassembly (fragments that timed out).
 * Receiving: icmp_error_input(), called by icmp_input() (icmp.c); it checks
 * the quoted header and hands the error to the protocol that sent the
 * datagram, through its struct net_proto's `error` (net.h).  What the
 * protocol does with it is its own business: TCP's is tcp/tcp_icmp.c.
 */
#include <errno.h>
#include <stdio.h>

#include "bytes.h"
#include "checksum.h"
#include "icmp.h"
#include "icmp_wire.h"
#include "ipv4_wire.h"
#include "net.h"

/* RFC 1812 4.3.2.3: an error quotes as much of the datagram as fits in
 * 576 bytes; RFC 792's minimum is the header and 8 bytes. */
#define ICMP_ERROR_MAX 576
#define ICMP_QUOTE_MAX (ICMP_ERROR_MAX - IPV4_HDR_MIN - ICMP_HDR_LEN)

void icmp_ratelimit_init(struct net *net, uint32_t per_second, uint32_t burst)
{
	struct icmp_ratelimit *r = &net->icmp_limit;

	r->per_second = per_second;
	r->burst = burst ? burst : 1;
	r->tokens = (uint64_t)r->burst * 1000;
	r->updated = net->now;
}

/* RFC 1812 4.3.2.8, a token bucket: `per_second` tokens a second flow in,
 * at most `burst` are kept, and each error spends one.  Counted in
 * thousandths of a token, so that a rate of 1000 a second earns one token
 * each millisecond. */
static int ratelimit_allows(struct net *net)
{
	struct icmp_ratelimit *r = &net->icmp_limit;
	uint64_t cap = (uint64_t)r->burst * 1000;

	if (r->per_second == 0)
		return 1;
	if (net->now > r->updated) {
		r->tokens += (net->now - r->updated) * r->per_second;
		if (r->tokens > cap)
			r->tokens = cap;
	}
	r->updated = net->now;
	if (r->tokens < 1000)
		return 0;
	r->tokens -= 1000;
	return 1;
}

/* An address that names no single host: 0, loopback, multicast (224/4),
 * reserved and limited broadcast (240/4). */
static int not_one_host(uint32_t addr)
{
	return addr == 0 || (addr >> 24) == 127 || (addr >> 28) == 0xE ||
	       (addr >> 28) == 0xF;
}

static int is_error_type(uint8_t type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAM_PROBLEM || type == 4 /* source quench */ ||
	       type == 5 /* redirect */;
}

/* RFC 1122 3.2.2: "An ICMP error message MUST NOT be sent as the result
 * of receiving: an ICMP error message, or a datagram destined to an IP
 * broadcast or IP multicast address, or a datagram sent as a link-layer
 * broadcast, or a non-initial fragment, or a datagram whose source
 * address does not define a single host".  Returns why not, or NULL. */
static const char *never_send_about(const struct net *net,
				    const struct ipv4_hdr *d)
{
	if (d->proto == IP_PROTO_ICMP &&
	    (d->payload_len < 1 || is_error_type(d->payload[0])))
		return "it is an ICMP error itself";
	if (d->dst != net->addr)
		return "it was not addressed to us alone";
	if (d->frag & IPV4_FRAG_OFFSET_MASK)
		return "it is not the first fragment";
	if (not_one_host(d->src) || d->src == net->addr)
		return "its source is no single host";
	return NULL;
}

static const char *error_name(uint8_t type, uint8_t code)
{
	if (type == ICMP_DEST_UNREACH && code == ICMP_PORT_UNREACH)
		return "port unreachable";
	if (type == ICMP_DEST_UNREACH && code == ICMP_PROTO_UNREACH)
		return "protocol unreachable";
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		return "fragmentation needed";
	if (type == ICMP_DEST_UNREACH)
		return "destination unreachable";
	if (type == ICMP_TIME_EXCEEDED && code == ICMP_REASSEMBLY_TIMEOUT)
		return "time exceeded in reassembly";
	if (type == ICMP_TIME_EXCEEDED)
		return "time exceeded";
	if (type == ICMP_PARAM_PROBLEM)
		return "parameter problem";
	return "error";
}

int icmp_send_error(struct net *net, uint8_t type, uint8_t code,
		    uint32_t info, const struct ipv4_hdr *offender)
{
	uint8_t msg[ICMP_HDR_LEN + ICMP_QUOTE_MAX];
	const uint8_t *quote = offender->payload - offender->hdr_len;
	size_t n = offender->hdr_len + offender->payload_len;
	const char *why_not = never_send_about(net, offender);
	char who[16];
	size_t i;
	int err;

	if (why_not) {
		net->stats.icmp_errors_withheld++;
		net_logf(net, "no ICMP %s: %s (RFC 1122 3.2.2)",
			 error_name(type, code), why_not);
		return -EPERM;
	}
	if (!ratelimit_allows(net)) {
		net->stats.icmp_errors_limited++;
		net_logf(net, "no ICMP %s: over the rate limit (RFC 1812 4.3.2.8)",
			 error_name(type, code));
		return -ENOBUFS;
	}
	/* RFC 792: type, code, checksum, 32 bits (unused, or the next-hop
	 * MTU for "fragmentation needed", RFC 1191), then the datagram's
	 * header and the start of its data, as they arrived. */
	if (n > ICMP_QUOTE_MAX)
		n = ICMP_QUOTE_MAX;
	msg[ICMP_OFF_TYPE] = type;
	msg[ICMP_OFF_CODE] = code;
	put16(msg + ICMP_OFF_CHECKSUM, 0);
	put32(msg + ICMP_OFF_ID, info);
	for (i = 0; i < n; i++)
		msg[ICMP_HDR_LEN + i] = quote[i];
	put16(msg + ICMP_OFF_CHECKSUM, inet_checksum(msg, ICMP_HDR_LEN + n));
	snprintf(net->note_out, sizeof net->note_out,
		 "ICMP %s (RFC 792), about a datagram from %s", error_name(type, code),
		 ipv4_ntoa(offender->src, who));
	err = ip_output(net, IP_PROTO_ICMP, offender->src, msg, ICMP_HDR_LEN + n);
	if (err == 0) {
		net->stats.icmp_errors_sent++;
		net_logf(net, "sent ICMP %s to %s", error_name(type, code), who);
	}
	return err;
}

void icmp_error_input(struct net *net, const struct ipv4_hdr *ip,
		      const struct icmp_hdr *h)
{
	const struct net_proto *proto;
	struct icmp_error e = { .type = h->type, .code = h->code, .from = ip->src };
	struct ipv4_hdr quoted;
	enum drop_reason why;

	/* Parse before you trust: the quoted header must be whole, with
	 * 8 bytes after it, and describe a datagram we sent. */
	why = ipv4_parse_quoted(h->data, h->data_len, &quoted);
	if (why != DROP_NONE) {
		net_drop(net, why, error_name(h->type, h->code));
		return;
	}
	if (quoted.src != net->addr) {
		net_drop(net, DROP_ICMP_NOT_OURS, error_name(h->type, h->code));
		return;
	}
	/* Only the first fragment holds the transport header. */
	if (quoted.frag & IPV4_FRAG_OFFSET_MASK) {
		net_drop(net, DROP_ICMP_BAD_QUOTE, "quotes a later fragment");
		return;
	}
	proto = net_find_proto(net, quoted.proto);
	if (!proto || !proto->error) {
		net_drop(net, DROP_ICMP_NO_HANDLER, error_name(h->type, h->code));
		return;
	}
	if (h->type == ICMP_DEST_UNREACH && h->code == ICMP_FRAG_NEEDED)
		e.mtu = h->seq;	/* RFC 1191 4: the low 16 bits of the word */
	e.quoted = &quoted;
	net->stats.icmp_errors_received++;
	snprintf(net->note, sizeof net->note, "ICMP %s about our %s datagram: to %s",
		 error_name(h->type, h->code), proto->name, proto->name);
	proto->error(net, &e);
}
