/*
 * icmp_wire.c - parse an ICMP message (RFC 792); the layout is in
 * icmp_wire.h.  Answering it is ip/icmp.c's job.
 */
#include "icmp_wire.h"

#include "bytes.h"
#include "checksum.h"

enum drop_reason icmp_parse(const uint8_t *msg, size_t len,
			    struct icmp_hdr *h)
{
	if (len < ICMP_HDR_LEN)
		return DROP_ICMP_TOO_SHORT;
	/* RFC 792: the checksum covers the whole ICMP message. */
	if (inet_checksum(msg, len) != 0)
		return DROP_ICMP_BAD_CHECKSUM;
	h->type = msg[ICMP_OFF_TYPE];
	h->code = msg[ICMP_OFF_CODE];
	h->checksum = get16(msg + ICMP_OFF_CHECKSUM);
	h->id = get16(msg + ICMP_OFF_ID);
	h->seq = get16(msg + ICMP_OFF_SEQ);
	h->data = msg + ICMP_HDR_LEN;
	h->data_len = len - ICMP_HDR_LEN;
	return DROP_NONE;
}
