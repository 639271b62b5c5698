/*
 * print.c - describe a packet in one line, as tcpdump would.
 *
 *   10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 56
 *   10.0.0.1:40000 > 10.0.0.2:7788 [S] seq=0 win=64240 len=0 <mss 1460>
 *   10.0.0.1:40005 > 10.0.0.2:7788 UDP len=7
 *
 * The packet is parsed with the same parsers the stack uses, so what the
 * trace calls malformed is exactly what the stack drops.
 */
#include "print.h"

#include <stdarg.h>
#include <stdio.h>

#include "bytes.h"
#include "checksum.h"
#include "icmp_wire.h"
#include "ipv4_wire.h"
#include "tcp_wire.h"
#include "udp_wire.h"

struct out {
	char *buf;
	size_t len, cap;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->cap - o->len ? (size_t)n : o->cap - o->len - 1;
}

/* What the checksum field at `off` should hold: the sum of everything
 * else (plus `initial`, a pseudo-header sum), as the sender computes it. */
static uint16_t checksum_without_field(uint32_t initial, const uint8_t *p,
				       size_t len, size_t off)
{
	return inet_fold(inet_sum(inet_sum(initial, p, off), p + off + 2,
				  len - off - 2));
}

/* As tcpdump says them: "ICMP 10.0.0.2 udp port 7788 unreachable". */
static void summarize_icmp_error(struct out *o, const struct icmp_hdr *h)
{
	struct ipv4_hdr q;
	char dst[16];
	const char *proto;

	if (ipv4_parse_quoted(h->data, h->data_len, &q) != DROP_NONE) {
		put(o, "ICMP type %u, code %u, quoting no whole datagram", h->type, h->code);
		return;
	}
	ipv4_ntoa(q.dst, dst);
	proto = q.proto == IP_PROTO_TCP ? "tcp" : q.proto == IP_PROTO_UDP ? "udp" : NULL;
	if (h->type == ICMP_TIME_EXCEEDED)
		put(o, "ICMP ip %s time exceeded, about a datagram to %s",
		    h->code == ICMP_REASSEMBLY_TIMEOUT ? "reassembly" : "in-transit", dst);
	else if (h->code == ICMP_PORT_UNREACH && proto)
		put(o, "ICMP %s %s port %u unreachable", dst, proto, get16(q.payload + 2));
	else if (h->code == ICMP_PROTO_UNREACH)
		put(o, "ICMP %s protocol %u unreachable", dst, q.proto);
	else if (h->code == ICMP_FRAG_NEEDED)
		put(o, "ICMP %s unreachable - need to frag (mtu %u)", dst, h->seq);
	else
		put(o, "ICMP %s unreachable, code %u", dst, h->code);
}

static void summarize_icmp(struct out *o, const struct ipv4_hdr *ip)
{
	struct icmp_hdr h;
	enum drop_reason why = icmp_parse(ip->payload, ip->payload_len, &h);

	if (why == DROP_ICMP_BAD_CHECKSUM) {
		put(o, "ICMP bad checksum 0x%04x (should be 0x%04x), length %zu",
		    get16(ip->payload + ICMP_OFF_CHECKSUM),
		    checksum_without_field(0, ip->payload, ip->payload_len,
					   ICMP_OFF_CHECKSUM),
		    ip->payload_len);
		return;
	}
	if (why != DROP_NONE) {
		put(o, "ICMP malformed (%s)", drop_name(why));
		return;
	}
	switch (h.type) {
	case ICMP_ECHO_REQUEST:
	case ICMP_ECHO_REPLY:
		put(o, "ICMP echo %s, id %u, seq %u, length %zu",
		    h.type == ICMP_ECHO_REQUEST ? "request" : "reply", h.id,
		    h.seq, h.data_len);
		break;
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
		summarize_icmp_error(o, &h);
		break;
	default:
		put(o, "ICMP type %u, code %u", h.type, h.code);
		break;
	}
}

static void summarize_tcp(struct out *o, const struct ipv4_hdr *ip,
			  const char *src, const char *dst)
{
	struct tcp_seg seg;
	enum drop_reason why;
	char flags[8];

	why = tcp_parse(ip->payload, ip->payload_len, ip->src, ip->dst, &seg);
	if (why == DROP_TCP_BAD_CHECKSUM) {
		put(o, "%s > %s: TCP bad checksum 0x%04x (should be 0x%04x), length %zu",
		    src, dst, get16(ip->payload + TCP_OFF_CHECKSUM),
		    checksum_without_field(inet_pseudo_sum(ip->src, ip->dst, IP_PROTO_TCP,
							   (uint16_t)ip->payload_len),
					   ip->payload, ip->payload_len, TCP_OFF_CHECKSUM),
		    ip->payload_len);
		return;
	}
	if (why != DROP_NONE) {
		put(o, "%s > %s: TCP malformed (%s), length %zu", src, dst,
		    drop_name(why), ip->payload_len);
		return;
	}
	put(o, "%s:%u > %s:%u [%s] seq=%u", src, seg.sport, dst, seg.dport,
	    tcp_flags_str(seg.flags, flags), seg.seq);
	if (seg.flags & TCP_ACK)
		put(o, " ack=%u", seg.ack);
	put(o, " win=%u len=%u", seg.wnd, seg.len);
	if (seg.mss || seg.wscale >= 0 || seg.sack_ok || seg.has_ts ||
	    seg.nsack) {
		const char *sep = "";

		put(o, " <");
		if (seg.mss) {
			put(o, "mss %u", seg.mss);
			sep = ",";
		}
		if (seg.sack_ok) {
			put(o, "%ssackOK", sep);
			sep = ",";
		}
		if (seg.has_ts) {
			put(o, "%sTS val %u ecr %u", sep, seg.ts_val, seg.ts_ecr);
			sep = ",";
		}
		if (seg.wscale >= 0) {
			put(o, "%swscale %d", sep, seg.wscale);
			sep = ",";
		}
		if (seg.nsack) {
			/* As tcpdump prints them: sack N {left:right}... */
			uint8_t i;

			put(o, "%ssack %u ", sep, seg.nsack);
			for (i = 0; i < seg.nsack; i++)
				put(o, "{%u:%u}", seg.sack[i][0], seg.sack[i][1]);
		}
		put(o, ">");
	}
}

/* "len" is the data length, as Wireshark's "Len=" in the Info column. */
static void summarize_udp(struct out *o, const struct ipv4_hdr *ip,
			  const char *src, const char *dst)
{
	struct udp_hdr h;
	enum drop_reason why;

	why = udp_parse(ip->payload, ip->payload_len, ip->src, ip->dst, &h);
	if (why == DROP_UDP_BAD_CHECKSUM) {
		uint16_t ulen = get16(ip->payload + UDP_OFF_LEN);
		uint16_t want = checksum_without_field(
			inet_pseudo_sum(ip->src, ip->dst, IP_PROTO_UDP, ulen),
			ip->payload, ulen, UDP_OFF_CHECKSUM);

		put(o, "%s:%u > %s:%u: UDP bad checksum 0x%04x (should be 0x%04x), length %u",
		    src, get16(ip->payload + UDP_OFF_SPORT), dst,
		    get16(ip->payload + UDP_OFF_DPORT),
		    get16(ip->payload + UDP_OFF_CHECKSUM),
		    want == 0 ? 0xFFFF : want, ulen);
		return;
	}
	if (why != DROP_NONE) {
		put(o, "%s > %s: UDP malformed (%s), length %zu", src, dst,
		    drop_name(why), ip->payload_len);
		return;
	}
	put(o, "%s:%u > %s:%u UDP len=%zu", src, h.sport, dst, h.dport,
	    h.data_len);
	if (h.checksum == 0)
		put(o, " [no checksum]");
}

void packet_summary(char *outbuf, size_t outlen, const uint8_t *pkt, size_t len)
{
	struct out o = { outbuf, 0, outlen };
	struct ipv4_hdr ip;
	char src[16], dst[16];
	enum drop_reason why;

	if (outlen == 0)
		return;
	outbuf[0] = '\0';
	why = ipv4_parse(pkt, len, &ip);
	if (why != DROP_NONE) {
		put(&o, "malformed IPv4 (%s), %zu bytes", drop_name(why), len);
		return;
	}
	ipv4_ntoa(ip.src, src);
	ipv4_ntoa(ip.dst, dst);
	if (ip.frag & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)) {
		/* The id in hex, as Wireshark's "ID=" shows it. */
		put(&o, "%s > %s: IPv4 fragment id 0x%04x, proto %u, offset %u, length %zu%s",
		    src, dst, ip.id, ip.proto,
		    (ip.frag & IPV4_FRAG_OFFSET_MASK) * IPV4_FRAG_UNIT,
		    ip.payload_len, ip.frag & IPV4_FLAG_MF ? ", more" : "");
		return;
	}
	switch (ip.proto) {
	case IP_PROTO_ICMP:
		put(&o, "%s > %s: ", src, dst);
		summarize_icmp(&o, &ip);
		break;
	case IP_PROTO_TCP:
		summarize_tcp(&o, &ip, src, dst);
		break;
	case IP_PROTO_UDP:
		summarize_udp(&o, &ip, src, dst);
		break;
	default:
		put(&o, "%s > %s: IPv4 protocol %u, length %zu", src, dst,
		    ip.proto, ip.payload_len);
		break;
	}
	if (ip.ttl == 0)
		put(&o, " [ttl 0]");
}
