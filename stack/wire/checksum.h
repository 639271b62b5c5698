/*
 * checksum.h - the Internet checksum (RFC 1071) and the TCP/UDP pseudo-header.
 *
 * Read this first: the checksum is the 16-bit one's complement of the one's
 * complement sum of the data taken as 16-bit big-endian words; an odd last
 * byte is padded with a zero byte (RFC 1071 section 1).  A receiver sums the
 * data *including* the checksum field: a good packet sums to 0xFFFF, so
 * inet_checksum() returns 0 for it.
 *
 * The tutorial calls this 错误校验 (error checking).
 */
#ifndef TUNTCP_CHECKSUM_H
#define TUNTCP_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add `len` bytes to a running 32-bit sum.  Chain calls only on even-length
 * pieces; an odd length is allowed on the last piece. */
uint32_t inet_sum(uint32_t sum, const uint8_t *data, size_t len);

/* Fold the carries of a running sum into 16 bits and complement it. */
uint16_t inet_fold(uint32_t sum);

/* The checksum of one buffer: inet_fold(inet_sum(0, data, len)). */
uint16_t inet_checksum(const uint8_t *data, size_t len);

/* The sum of the IPv4 pseudo-header that TCP and UDP prepend to their
 * checksum (RFC 9293 section 3.1, RFC 768): source, destination, zero,
 * protocol, and the TCP/UDP length.  Addresses are in host order. */
uint32_t inet_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto,
			 uint16_t len);

/* RFC 1624 equation 3: the new checksum after one 16-bit word of the
 * covered data changed from old_word to new_word, without summing again.
 * It assumes some other covered word is non-zero (RFC 1624 section 3). */
uint16_t inet_checksum_update(uint16_t old_cksum, uint16_t old_word,
			      uint16_t new_word);

#endif
