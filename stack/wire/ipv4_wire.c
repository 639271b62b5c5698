/*
 * ipv4_wire.c - parse and build IPv4 headers (RFC 791 section 3.1).
 */
#include "ipv4_wire.h"

#include <stdio.h>

#include "bytes.h"
#include "checksum.h"

/* Step 2 of both parsers: the fixed fields, in host byte order, from a
 * header whose 20 bytes (and hdr_len) were proven inside the buffer. */
static void read_fields(const uint8_t *pkt, struct ipv4_hdr *h)
{
	h->tos = pkt[IPV4_OFF_TOS];
	h->id = get16(pkt + IPV4_OFF_ID);
	h->frag = get16(pkt + IPV4_OFF_FRAG);
	h->ttl = pkt[IPV4_OFF_TTL];
	h->proto = pkt[IPV4_OFF_PROTO];
	h->checksum = get16(pkt + IPV4_OFF_CHECKSUM);
	h->src = get32(pkt + IPV4_OFF_SRC);
	h->dst = get32(pkt + IPV4_OFF_DST);
	h->payload = pkt + h->hdr_len;
}

enum drop_reason ipv4_parse(const uint8_t *pkt, size_t len,
			    struct ipv4_hdr *h)
{
	/* Step 1: the bounds check.  Nothing below reads past the 20 bytes
	 * proven here, or past hdr_len once that is proven. */
	if (len < 1)
		return DROP_IP_TOO_SHORT;
	if ((pkt[IPV4_OFF_VER_IHL] >> 4) != 4)
		return DROP_IP_NOT_V4;
	if (len < IPV4_HDR_MIN)
		return DROP_IP_TOO_SHORT;

	/* RFC 791 3.1: IHL counts 32-bit words; 5 is the minimum. */
	h->hdr_len = (uint8_t)((pkt[IPV4_OFF_VER_IHL] & 0x0F) * 4);
	if (h->hdr_len < IPV4_HDR_MIN)
		return DROP_IP_BAD_IHL;
	if (h->hdr_len > len)
		return DROP_IP_TRUNCATED;

	/* RFC 1122 3.2.1.1 (version), 3.2.1.2 (checksum): silently discard. */
	if (inet_checksum(pkt, h->hdr_len) != 0)
		return DROP_IP_BAD_CHECKSUM;

	/* Total length covers header and data.  A link may pad the packet
	 * (more bytes than total_len); it may never cut it short. */
	h->total_len = get16(pkt + IPV4_OFF_TOTAL_LEN);
	if (h->total_len < h->hdr_len)
		return DROP_IP_BAD_TOTAL_LEN;
	if (h->total_len > len)
		return DROP_IP_TRUNCATED;

	/* Step 2: the fields, in host byte order. */
	read_fields(pkt, h);
	h->payload_len = (size_t)h->total_len - h->hdr_len;
	return DROP_NONE;
}

enum drop_reason ipv4_parse_quoted(const uint8_t *buf, size_t len,
				   struct ipv4_hdr *h)
{
	/* The bounds check: a version-4 header, whole, and 8 bytes more. */
	if (len < IPV4_HDR_MIN || (buf[IPV4_OFF_VER_IHL] >> 4) != 4)
		return DROP_ICMP_BAD_QUOTE;
	h->hdr_len = (uint8_t)((buf[IPV4_OFF_VER_IHL] & 0x0F) * 4);
	if (h->hdr_len < IPV4_HDR_MIN || len < (size_t)h->hdr_len + 8)
		return DROP_ICMP_BAD_QUOTE;
	h->total_len = get16(buf + IPV4_OFF_TOTAL_LEN);
	if (h->total_len < (size_t)h->hdr_len + 8)
		return DROP_ICMP_BAD_QUOTE;
	read_fields(buf, h);
	h->payload_len = len - h->hdr_len;
	if (h->payload_len > (size_t)h->total_len - h->hdr_len)
		h->payload_len = (size_t)h->total_len - h->hdr_len;
	return DROP_NONE;
}

void ipv4_build(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto,
		uint16_t id, uint8_t ttl, size_t payload_len)
{
	/* A datagram that fits the MTU goes whole, with DF set, as Linux
	 * sends TCP (RFC 1191 path MTU discovery): a router on a narrower
	 * path says so rather than cutting it up. */
	ipv4_build_fragment(buf, src, dst, proto, id, ttl, IPV4_FLAG_DF,
			    payload_len);
}

void ipv4_build_fragment(uint8_t *buf, uint32_t src, uint32_t dst,
			 uint8_t proto, uint16_t id, uint8_t ttl,
			 uint16_t frag, size_t payload_len)
{
	buf[IPV4_OFF_VER_IHL] = 0x45;	/* version 4, IHL 5: no options */
	buf[IPV4_OFF_TOS] = 0;
	put16(buf + IPV4_OFF_TOTAL_LEN, (uint16_t)(IPV4_HDR_MIN + payload_len));
	put16(buf + IPV4_OFF_ID, id);
	put16(buf + IPV4_OFF_FRAG, frag);
	buf[IPV4_OFF_TTL] = ttl;
	buf[IPV4_OFF_PROTO] = proto;
	put16(buf + IPV4_OFF_CHECKSUM, 0);
	put32(buf + IPV4_OFF_SRC, src);
	put32(buf + IPV4_OFF_DST, dst);
	put16(buf + IPV4_OFF_CHECKSUM, inet_checksum(buf, IPV4_HDR_MIN));
}

char *ipv4_ntoa(uint32_t addr, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xFF,
		 (addr >> 8) & 0xFF, addr & 0xFF);
	return buf;
}

int ipv4_aton(const char *s, uint32_t *addr)
{
	uint32_t a = 0;
	int part;

	/* Strictly four decimal parts of 1-3 digits, each at most 255. */
	for (part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return -1;
		a = a << 8 | v;
		if (part < 3 && *s++ != '.')
			return -1;
	}
	if (*s != '\0')
		return -1;
	*addr = a;
	return 0;
}
