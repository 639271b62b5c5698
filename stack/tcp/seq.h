/*
 * seq.h - sequence number arithmetic, modulo 2^32 (RFC 9293 section 3.4).
 *
 * Read this first: sequence numbers wrap.  After 0xFFFFFFFF comes 0, so a
 * plain `a < b` is wrong whenever a transfer crosses the wrap.  The rule
 * is "a comes before b when b - a, taken as a signed 32-bit number, is
 * positive": this works as long as the two are less than 2^31 apart, which
 * windows guarantee.  Never compare sequence numbers any other way.
 * (TUNTCP_ISN=4294967000 makes every connection cross the wrap.)
 */
#ifndef TUNTCP_SEQ_H
#define TUNTCP_SEQ_H

#include <stdint.h>

static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static inline int seq_lt(uint32_t a, uint32_t b) { return seq_diff(a, b) < 0; }
static inline int seq_leq(uint32_t a, uint32_t b) { return seq_diff(a, b) <= 0; }
static inline int seq_gt(uint32_t a, uint32_t b) { return seq_diff(a, b) > 0; }
static inline int seq_geq(uint32_t a, uint32_t b) { return seq_diff(a, b) >= 0; }

/* lo <= x < hi, all modulo 2^32 */
static inline int seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
	return seq_leq(lo, x) && seq_lt(x, hi);
}

/* lo < x <= hi: the RFC's "SND.UNA < SEG.ACK =< SND.NXT" */
static inline int seq_in_upper(uint32_t x, uint32_t lo, uint32_t hi)
{
	return seq_lt(lo, x) && seq_leq(x, hi);
}

static inline uint32_t seq_max(uint32_t a, uint32_t b) { return seq_gt(a, b) ? a : b; }
static inline uint32_t seq_min(uint32_t a, uint32_t b) { return seq_lt(a, b) ? a : b; }

#endif
