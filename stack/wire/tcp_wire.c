/*
 * tcp_wire.c - parse and build TCP segments (RFC 9293 section 3.1).
 */
#include "tcp_wire.h"

#include <string.h>

#include "bytes.h"
#include "checksum.h"
#include "ipv4_wire.h"

/* RFC 9293 3.1 "Options": an option is either one byte (EOL, NOP) or
 * kind, length, data, where length counts kind and length bytes too.
 * RFC 9293 3.2 and RFC 1122 4.2.2.5: a TCP must ignore options it does not
 * know, by skipping `length` bytes, and must cope with an illegal length.
 * RFC 9293 MUST-7 allows dropping such a segment; we keep it, as Linux
 * does: a known option of the wrong length is skipped, and a length that
 * cannot be (under 2, or past the header) ends the list there.  Dropping
 * would stall a connection whose data segment is resent with the same bad
 * option each time.  seg->bad_options says it happened. */
static void parse_options(const uint8_t *p, size_t n, struct tcp_seg *seg)
{
	size_t i = 0;

	while (i < n) {
		uint8_t kind = p[i], olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n) {
			seg->bad_options = 1;	/* no room for a length */
			return;
		}
		olen = p[i + 1];
		if (olen < 2 || i + olen > n) {
			seg->bad_options = 1;
			return;
		}
		switch (kind) {
		case TCPOPT_MSS:
			if (olen != 4)
				goto skip_bad;
			seg->mss = get16(p + i + 2);
			break;
		case TCPOPT_WSCALE:
			if (olen != 3)
				goto skip_bad;
			/* RFC 7323 2.3: a shift above 14 is used as 14. */
			seg->wscale = (int8_t)(p[i + 2] > 14 ? 14 : p[i + 2]);
			break;
		case TCPOPT_SACK_OK:
			if (olen != 2)
				goto skip_bad;
			seg->sack_ok = 1;
			break;
		case TCPOPT_TIMESTAMP:
			if (olen != 10)
				goto skip_bad;
			seg->has_ts = 1;
			seg->ts_val = get32(p + i + 2);
			seg->ts_ecr = get32(p + i + 6);
			break;
		case TCPOPT_SACK: {
			/* RFC 2018 3: kind 5, length 2 + 8*n, n blocks of
			 * two 32-bit edges (at most 4 fit in 40 bytes). */
			uint8_t b;

			if (olen < 10 || (olen - 2) % 8 != 0)
				goto skip_bad;
			seg->nsack = (uint8_t)((olen - 2) / 8);
			for (b = 0; b < seg->nsack; b++) {
				seg->sack[b][0] = get32(p + i + 2 + 8 * b);
				seg->sack[b][1] = get32(p + i + 6 + 8 * b);
			}
			break;
		}
		default:
			break;	/* unknown: skipped */
		}
		i += olen;
		continue;
skip_bad:
		seg->bad_options = 1;
		i += olen;
	}
}

enum drop_reason tcp_parse(const uint8_t *buf, size_t len, uint32_t src,
			   uint32_t dst, struct tcp_seg *seg)
{

	memset(seg, 0, sizeof *seg);
	seg->wscale = -1;

	/* The bounds: a fixed header, then the data offset within it. */
	if (len < TCP_HDR_MIN)
		return DROP_TCP_TOO_SHORT;
	seg->hdr_len = (uint8_t)((buf[TCP_OFF_DOFF] >> 4) * 4);
	if (seg->hdr_len < TCP_HDR_MIN || seg->hdr_len > len)
		return DROP_TCP_BAD_OFFSET;

	/* RFC 9293 3.1: the checksum covers the pseudo-header, the TCP
	 * header and the data.  RFC 9293 3.10.7: a bad one is discarded. */
	if (len > 0xFFFF ||
	    inet_fold(inet_sum(inet_pseudo_sum(src, dst, IP_PROTO_TCP,
					       (uint16_t)len), buf, len)) != 0)
		return DROP_TCP_BAD_CHECKSUM;

	parse_options(buf + TCP_HDR_MIN, seg->hdr_len - TCP_HDR_MIN, seg);

	seg->src = src;
	seg->dst = dst;
	seg->sport = get16(buf + TCP_OFF_SPORT);
	seg->dport = get16(buf + TCP_OFF_DPORT);
	seg->seq = get32(buf + TCP_OFF_SEQ);
	seg->ack = get32(buf + TCP_OFF_ACK);
	seg->flags = buf[TCP_OFF_FLAGS] & 0x3F;	/* CWR/ECE: not used */
	seg->wnd = get16(buf + TCP_OFF_WINDOW);
	seg->checksum = get16(buf + TCP_OFF_CHECKSUM);
	seg->urp = get16(buf + TCP_OFF_URP);
	seg->data = buf + seg->hdr_len;
	seg->len = (uint32_t)(len - seg->hdr_len);

	/* Port 0 is reserved; nothing may come from or go to it. */
	if (seg->sport == 0 || seg->dport == 0)
		return DROP_TCP_BAD_PORT;
	/* Combinations no correct TCP sends: a SYN cannot also end (FIN) or
	 * abort (RST) the connection it opens. */
	if ((seg->flags & TCP_SYN) && (seg->flags & (TCP_FIN | TCP_RST)))
		return DROP_TCP_BAD_FLAGS;

	/* RFC 9293 3.4: SEG.LEN counts SYN and FIN, which take one sequence
	 * number each. */
	seg->seg_len = seg->len + !!(seg->flags & TCP_SYN) +
		       !!(seg->flags & TCP_FIN);
	return DROP_NONE;
}

size_t tcp_opts_len(const struct tcp_opts *opts)
{
	size_t n = 0;

	if (!opts)
		return 0;
	if (opts->mss)
		n += 4;
	if (opts->wscale >= 0)
		n += 4;
	if (opts->sack_ok)
		n += 4;
	if (opts->nsack)
		n += 4 + 8 * (opts->nsack > TCP_MAX_SACK_BLOCKS ? TCP_MAX_SACK_BLOCKS : opts->nsack);
	return n;
}

size_t tcp_build(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport,
		 uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		 uint16_t wnd, const struct tcp_opts *opts, const uint8_t *data,
		 size_t len)
{
	size_t hlen = TCP_HDR_MIN, total;
	uint8_t *o = buf + TCP_HDR_MIN;

	if (opts && opts->mss) {
		o[0] = TCPOPT_MSS;
		o[1] = 4;
		put16(o + 2, opts->mss);
		o += 4;
		hlen += 4;
	}
	if (opts && opts->wscale >= 0) {
		o[0] = TCPOPT_NOP;	/* pads the 3-byte option to 4 */
		o[1] = TCPOPT_WSCALE;
		o[2] = 3;
		o[3] = (uint8_t)opts->wscale;
		o += 4;
		hlen += 4;
	}
	if (opts && opts->sack_ok) {
		o[0] = TCPOPT_NOP;
		o[1] = TCPOPT_NOP;
		o[2] = TCPOPT_SACK_OK;
		o[3] = 2;
		o += 4;
		hlen += 4;
	}
	if (opts && opts->nsack) {
		/* RFC 2018 3: kind 5, length 2 + 8 per block, each block the
		 * left edge and the right edge (one past its last byte). */
		uint8_t i, n = opts->nsack > TCP_MAX_SACK_BLOCKS ? TCP_MAX_SACK_BLOCKS : opts->nsack;

		o[0] = TCPOPT_NOP;
		o[1] = TCPOPT_NOP;
		o[2] = TCPOPT_SACK;
		o[3] = (uint8_t)(2 + 8 * n);
		for (i = 0; i < n; i++) {
			put32(o + 4 + 8 * i, opts->sack[i][0]);
			put32(o + 8 + 8 * i, opts->sack[i][1]);
		}
		o += 4 + 8 * n;
		hlen += 4 + 8 * n;
	}
	put16(buf + TCP_OFF_SPORT, sport);
	put16(buf + TCP_OFF_DPORT, dport);
	put32(buf + TCP_OFF_SEQ, seq);
	put32(buf + TCP_OFF_ACK, ack);
	buf[TCP_OFF_DOFF] = (uint8_t)((hlen / 4) << 4);
	buf[TCP_OFF_FLAGS] = flags;
	put16(buf + TCP_OFF_WINDOW, wnd);
	put16(buf + TCP_OFF_CHECKSUM, 0);
	put16(buf + TCP_OFF_URP, 0);
	if (len)
		memcpy(buf + hlen, data, len);
	total = hlen + len;
	put16(buf + TCP_OFF_CHECKSUM,
	      inet_fold(inet_sum(inet_pseudo_sum(src, dst, IP_PROTO_TCP,
						 (uint16_t)total), buf, total)));
	return total;
}

char *tcp_flags_str(uint8_t flags, char *buf)
{
	char *p = buf;

	if (flags & TCP_SYN) *p++ = 'S';
	if (flags & TCP_FIN) *p++ = 'F';
	if (flags & TCP_RST) *p++ = 'R';
	if (flags & TCP_PSH) *p++ = 'P';
	if (flags & TCP_URG) *p++ = 'U';
	if (flags & TCP_ACK) *p++ = '.';
	*p = '\0';
	if (p == buf)
		strcpy(buf, "none");
	return buf;
}
