/*
 * checksum.c - the Internet checksum, RFC 1071 (and RFC 1624 for updates).
 */
#include "checksum.h"

/* RFC 1071 section 4.1: add 16-bit words into a 32-bit accumulator; the
 * carries out of bit 15 are folded back in later, which is what makes the
 * sum "one's complement".  A 32-bit accumulator cannot overflow before
 * 2^16 words (128 KiB), far more than one IPv4 packet. */
uint32_t inet_sum(uint32_t sum, const uint8_t *data, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)((data[i] << 8) | data[i + 1]);
	if (len & 1)
		sum += (uint32_t)data[len - 1] << 8;	/* pad with a zero byte */
	return sum;
}

uint16_t inet_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t inet_checksum(const uint8_t *data, size_t len)
{
	return inet_fold(inet_sum(0, data, len));
}

uint32_t inet_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto,
			 uint16_t len)
{
	uint32_t sum = 0;

	sum += src >> 16;
	sum += src & 0xFFFF;
	sum += dst >> 16;
	sum += dst & 0xFFFF;
	sum += proto;		/* the zero byte, then the protocol */
	sum += len;
	return sum;
}

/* RFC 1624 section 3, equation 3:  HC' = ~(~HC + ~m + m')  */
uint16_t inet_checksum_update(uint16_t old_cksum, uint16_t old_word,
			      uint16_t new_word)
{
	uint32_t sum = (uint16_t)~old_cksum;

	sum += (uint16_t)~old_word;
	sum += new_word;
	return inet_fold(sum);
}
