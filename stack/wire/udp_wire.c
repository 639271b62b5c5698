/*
 * udp_wire.c - parse and build UDP datagrams (RFC 768, RFC 1122 4.1.3).
 */
#include "udp_wire.h"

#include <string.h>

#include "bytes.h"
#include "checksum.h"
#include "ipv4_wire.h"

enum drop_reason udp_parse(const uint8_t *buf, size_t len, uint32_t src,
			   uint32_t dst, struct udp_hdr *h)
{
	memset(h, 0, sizeof *h);

	/* The bounds: the fixed header, then the Length field inside what
	 * IPv4 delivered.  RFC 768: "Length is the length in octets of this
	 * user datagram including this header and the data", so never less
	 * than 8.  A Length short of the IPv4 payload leaves bytes after the
	 * datagram: they are ignored, as Linux ignores them (udp_rcv trims
	 * to the UDP length); a Length beyond it means the datagram was cut. */
	if (len < UDP_HDR_LEN)
		return DROP_UDP_TOO_SHORT;
	h->len = get16(buf + UDP_OFF_LEN);
	if (h->len < UDP_HDR_LEN || h->len > len)
		return DROP_UDP_BAD_LENGTH;

	h->checksum = get16(buf + UDP_OFF_CHECKSUM);
	/* RFC 768: "An all zero transmitted checksum value means that the
	 * transmitter generated no checksum" - optional over IPv4, so such
	 * a datagram is accepted unchecked (RFC 1122 4.1.3.4 lets a host
	 * refuse it; Linux, like us, accepts it).  RFC 1122 4.1.3.4: a
	 * non-zero checksum that is wrong MUST be discarded silently.  The
	 * sum covers the pseudo-header, the header and the data (RFC 768). */
	if (h->checksum != 0 &&
	    inet_fold(inet_sum(inet_pseudo_sum(src, dst, IP_PROTO_UDP, h->len),
			       buf, h->len)) != 0)
		return DROP_UDP_BAD_CHECKSUM;

	h->src = src;
	h->dst = dst;
	h->sport = get16(buf + UDP_OFF_SPORT);
	h->dport = get16(buf + UDP_OFF_DPORT);
	h->data = buf + UDP_HDR_LEN;
	h->data_len = (size_t)h->len - UDP_HDR_LEN;
	return DROP_NONE;
}

size_t udp_build(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport,
		 uint16_t dport, const uint8_t *data, size_t len)
{
	size_t total = UDP_HDR_LEN + len;
	uint16_t sum;

	put16(buf + UDP_OFF_SPORT, sport);
	put16(buf + UDP_OFF_DPORT, dport);
	put16(buf + UDP_OFF_LEN, (uint16_t)total);
	put16(buf + UDP_OFF_CHECKSUM, 0);
	if (len)
		memcpy(buf + UDP_HDR_LEN, data, len);
	/* RFC 1122 4.1.3.4: a host MUST be able to generate the checksum, and
	 * it must be on by default; we always compute it.  RFC 768: "If the
	 * computed checksum is zero, it is transmitted as all ones", since
	 * all zeros would say "no checksum" (and 0xFFFF is the same number,
	 * minus zero, in one's complement: the receiver's sum still checks). */
	sum = inet_fold(inet_sum(inet_pseudo_sum(src, dst, IP_PROTO_UDP,
						 (uint16_t)total), buf, total));
	put16(buf + UDP_OFF_CHECKSUM, sum == 0 ? 0xFFFF : sum);
	return total;
}
