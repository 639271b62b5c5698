/*
 * test_checksum.c - the Internet checksum (stack/wire/checksum.c).
 *
 * Read this first: RFC 1071 section 3 (the numerical example) and section 1
 * (odd lengths, verification); RFC 9293 section 3.1 for the TCP
 * pseudo-header; RFC 1624 sections 3 and 4 for the incremental update.
 * Every expected value here was worked out by hand (or by a second, naive
 * implementation in this file), never by calling the code under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "checksum.h"

/* A second checksum, written the slow and obvious way, to compare with:
 * add 16-bit words with the end-around carry after every addition. */
static uint16_t naive_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < len; i += 2) {
		uint16_t word = (uint16_t)(p[i] << 8);

		if (i + 1 < len)
			word |= p[i + 1];
		sum += word;
		if (sum > 0xFFFF)
			sum = (sum & 0xFFFF) + 1;
	}
	return (uint16_t)~sum;
}

/* xorshift32: a fixed seed gives the same "random" cases on every run. */
static uint32_t rng_state = 2463534242u;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to 2ddf0, which folds
 * to ddf2; the checksum is its complement, 220d. */
static void test_rfc1071_example(void **state)
{
	static const uint8_t data[] = { 0x00, 0x01, 0xf2, 0x03,
					0xf4, 0xf5, 0xf6, 0xf7 };
	uint8_t with_checksum[10];
	(void)state;

	assert_int_equal(inet_sum(0, data, sizeof data), 0x2ddf0);
	assert_int_equal(inet_fold(0x2ddf0), 0x220d);
	assert_int_equal((uint16_t)~inet_fold(0x2ddf0), 0xddf2);
	assert_int_equal(inet_checksum(data, sizeof data), 0x220d);

	/* RFC 1071 section 1 (verification): data and checksum sum to -0. */
	memcpy(with_checksum, data, sizeof data);
	with_checksum[8] = 0x22;
	with_checksum[9] = 0x0d;
	assert_int_equal(inet_checksum(with_checksum, sizeof with_checksum), 0);
}

/* RFC 1071 section 1: an odd last byte is padded with a zero on the right,
 * so ab cd ef is summed as abcd + ef00, never as abcd + 00ef. */
static void test_odd_length(void **state)
{
	static const uint8_t three[] = { 0xab, 0xcd, 0xef };
	static const uint8_t padded[] = { 0xab, 0xcd, 0xef, 0x00 };
	static const uint8_t one[] = { 0x12 };
	(void)state;

	assert_int_equal(inet_sum(0, three, 3), 0xabcd + 0xef00);
	/* 0xabcd + 0xef00 = 0x19acd -> 0x9ace -> complement 0x6531 */
	assert_int_equal(inet_checksum(three, 3), 0x6531);
	assert_int_equal(inet_checksum(three, 3), inet_checksum(padded, 4));
	assert_int_equal(inet_checksum(one, 1), (uint16_t)~0x1200);
}

/* All zeros sum to +0 (0x0000): the checksum is its complement, 0xFFFF. */
static void test_all_zero(void **state)
{
	uint8_t zero[64] = { 0 };
	(void)state;

	assert_int_equal(inet_checksum(zero, sizeof zero), 0xFFFF);
	assert_int_equal(inet_checksum(zero, 7), 0xFFFF);
	/* Nothing at all sums to +0 as well. */
	assert_int_equal(inet_checksum(zero, 0), 0xFFFF);
}

/* All ones: each word is -0, and one's complement sums of -0 stay -0, so
 * the checksum is +0 (0x0000), whatever the (even) length. */
static void test_all_ff(void **state)
{
	uint8_t ff[1500];
	(void)state;

	memset(ff, 0xFF, sizeof ff);
	assert_int_equal(inet_checksum(ff, 2), 0x0000);
	assert_int_equal(inet_checksum(ff, 20), 0x0000);
	assert_int_equal(inet_checksum(ff, sizeof ff), 0x0000);
	/* Odd: ffff + ... + ff00 = -0 + ff00 = ff00: the checksum is 00ff. */
	assert_int_equal(inet_checksum(ff, 21), 0x00FF);
}

/* A receiver sums everything including the checksum field: a correct
 * message sums to -0, so inet_checksum() over it returns 0 (RFC 1071 1). */
static void test_checksum_filled_in_resums_to_zero(void **state)
{
	uint8_t buf[256];
	size_t len, i;
	int round;
	(void)state;

	for (round = 0; round < 1000; round++) {
		uint16_t c;

		len = 4 + rng() % (sizeof buf - 4);
		len &= ~(size_t)1;	/* the checksum field is word-aligned */
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rng();
		buf[2] = 0;
		buf[3] = 0;
		c = inet_checksum(buf, len);
		assert_int_equal(c, naive_checksum(buf, len));
		buf[2] = (uint8_t)(c >> 8);
		buf[3] = (uint8_t)c;
		assert_int_equal(inet_checksum(buf, len), 0);
	}
}

/* inet_sum() may be chained over even-length pieces (a header, then a
 * payload elsewhere in memory) and gives the same as one call. */
static void test_chained_sum(void **state)
{
	uint8_t buf[1500];
	size_t i, cut1, cut2, len;
	int round;
	(void)state;

	for (round = 0; round < 1000; round++) {
		uint32_t sum;

		len = rng() % sizeof buf;
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rng();
		cut1 = (rng() % (len + 1)) & ~(size_t)1;
		cut2 = cut1 + ((rng() % (len - cut1 + 1)) & ~(size_t)1);
		sum = inet_sum(0, buf, cut1);
		sum = inet_sum(sum, buf + cut1, cut2 - cut1);
		sum = inet_sum(sum, buf + cut2, len - cut2);	/* may be odd */
		assert_int_equal(inet_fold(sum), inet_checksum(buf, len));
		assert_int_equal(inet_fold(sum), naive_checksum(buf, len));
	}
}

/* RFC 9293 section 3.1: the pseudo-header is source, destination, a zero
 * byte, the protocol and the TCP length.  Summed by hand for
 * 10.0.0.1 -> 10.0.0.2, TCP, 40 bytes:
 *   0a00 + 0001 + 0a00 + 0002 + 0006 + 0028 = 1431 */
static void test_pseudo_sum(void **state)
{
	/* The same pseudo-header laid out as bytes, as RFC 9293 draws it. */
	static const uint8_t pseudo[12] = { 10, 0, 0, 1, 10, 0, 0, 2,
					    0, 6, 0, 40 };
	/* A SYN, 10.0.0.1:40000 -> 10.0.0.2:7788, seq 0, win 64240, with
	 * the options in the order Linux sends them (MSS 1460, SACK
	 * permitted, timestamps, NOP, window scale 7).  Its checksum, 7e5f,
	 * was computed apart from this code (a few lines of Python). */
	static const uint8_t syn[40] = {
		0x9c, 0x40, 0x1e, 0x6c, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
		0x7e, 0x5f, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
		0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
	};
	uint32_t src = 0x0a000001, dst = 0x0a000002;
	(void)state;

	assert_int_equal(inet_fold(inet_pseudo_sum(src, dst, 6, 40)),
			 (uint16_t)~0x1431);
	assert_int_equal(inet_fold(inet_pseudo_sum(src, dst, 6, 40)),
			 inet_checksum(pseudo, sizeof pseudo));
	/* Carries: every word of these addresses is ffff. */
	assert_int_equal(inet_fold(inet_pseudo_sum(0xFFFFFFFF, 0xFFFFFFFF,
						   17, 0xFFFF)),
			 (uint16_t)~0x0011);
	/* The segment and the pseudo-header together sum to -0. */
	assert_int_equal(inet_fold(inet_sum(inet_pseudo_sum(src, dst, 6, 40),
					    syn, sizeof syn)), 0);
}

/* One update: set word `k` of `words` to `nw`, and check that RFC 1624's
 * incremental update of the old checksum equals a full recomputation. */
static void check_update(uint8_t *buf, size_t len, size_t k, uint16_t nw)
{
	uint16_t old_cksum = inet_checksum(buf, len);
	uint16_t ow = (uint16_t)(buf[2 * k] << 8 | buf[2 * k + 1]);
	uint16_t updated;

	buf[2 * k] = (uint8_t)(nw >> 8);
	buf[2 * k + 1] = (uint8_t)nw;
	updated = inet_checksum_update(old_cksum, ow, nw);
	if (updated != inet_checksum(buf, len))
		fail_msg("update %04x -> %04x at word %zu of %zu: old checksum "
			 "%04x, updated %04x, recomputed %04x", ow, nw, k,
			 len / 2, old_cksum, updated, inet_checksum(buf, len));
}

/* RFC 1624 equation 3 against a full recomputation, many random changes. */
static void test_update_random(void **state)
{
	uint8_t buf[64];
	size_t i, len;
	int round;
	(void)state;

	for (round = 0; round < 100000; round++) {
		len = 2 * (1 + rng() % (sizeof buf / 2));
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rng();
		/* Word 0 stays non-zero and unchanged (k >= 1 below, or the
		 * buffer is one word long and changes to a non-zero word):
		 * real headers always have a non-zero field, and RFC 1624
		 * section 3 relies on it (see test_update_limit_all_zero). */
		buf[0] |= 0x80;
		if (len == 2) {
			check_update(buf, len, 0, (uint16_t)(rng() | 1));
			continue;
		}
		check_update(buf, len, 1 + rng() % (len / 2 - 1),
			     (uint16_t)rng());
	}
}

/* The edge cases of RFC 1624 section 3, where one's complement's two
 * zeros (+0 = 0x0000, -0 = 0xFFFF) meet. */
static void test_update_edges(void **state)
{
	uint8_t buf[20];
	uint32_t sum;
	size_t i;
	int round;
	(void)state;

	/* RFC 1624 section 4, the example: the other header words sum to
	 * cd7a, m = 5555 changes to m' = 3285.  HC was ~(cd7a + 5555) = dd2f;
	 * eqn. 2 gives ffff (wrong), eqn. 3 gives 0000 (right). */
	assert_int_equal(inet_checksum_update(0xdd2f, 0x5555, 0x3285), 0x0000);

	/* Old checksum 0x0000 (the data sums to -0), random changes. */
	for (round = 0; round < 10000; round++) {
		for (i = 0; i < sizeof buf - 2; i++)
			buf[i] = (uint8_t)rng();
		buf[0] |= 0x80;
		/* The last word makes the sum -0: x + ~x = ffff. */
		sum = inet_sum(0, buf, sizeof buf - 2);
		sum = (uint16_t)~inet_fold(sum);
		buf[18] = (uint8_t)(~sum >> 8);
		buf[19] = (uint8_t)~sum;
		assert_int_equal(inet_checksum(buf, sizeof buf), 0x0000);
		check_update(buf, sizeof buf, 1 + rng() % 9, (uint16_t)rng());
	}

	/* Old checksum 0x0000, the word "changed" to itself: the checksum
	 * must stay 0x0000 (RFC 1624 erratum 4782's case; a 32-bit
	 * accumulator with end-around carry handles it). */
	assert_int_equal(inet_checksum_update(0x0000, 0x5555, 0x5555), 0x0000);

	/* Old checksum 0xFFFF: only all-zero data sums to +0.  Any non-zero
	 * word written into it gives the same as recomputing. */
	for (round = 0; round < 10000; round++) {
		memset(buf, 0, sizeof buf);
		assert_int_equal(inet_checksum(buf, sizeof buf), 0xFFFF);
		check_update(buf, sizeof buf, rng() % 10,
			     (uint16_t)(1 + rng() % 0xFFFF));
	}

	/* The word that becomes -0 (0xFFFF) or comes from it. */
	for (round = 0; round < 10000; round++) {
		for (i = 0; i < sizeof buf; i++)
			buf[i] = (uint8_t)rng();
		buf[0] |= 0x80;
		check_update(buf, sizeof buf, 1 + rng() % 9, 0xFFFF);
		check_update(buf, sizeof buf, 1 + rng() % 9, 0x0000);
	}
}

/*
 * The limit of RFC 1624 equation 3.  Section 3 proves it never yields -0
 * "since there is guaranteed to be at least one non-zero field in the IP
 * header".  Without that guarantee it can be wrong: when the change makes
 * the covered data all zero, the only checksum that verifies is 0xFFFF
 * (test_all_zero), but equation 3 gives 0x0000.  An ICMP echo reply with
 * id 0, seq 0 and no data is such a message, so whoever builds one must
 * sum again (test_icmp.c, test_echo_reply_all_zero_message).
 */
static void test_update_limit_all_zero(void **state)
{
	uint8_t buf[8] = { 0x08, 0 };	/* an echo request, id 0, seq 0 */
	(void)state;

	assert_int_equal(inet_checksum(buf, sizeof buf), 0xf7ff);
	/* Type 8 -> 0 makes all eight bytes zero. */
	assert_int_equal(inet_checksum_update(0xf7ff, 0x0800, 0x0000), 0x0000);
	buf[0] = 0;
	assert_int_equal(inet_checksum(buf, sizeof buf), 0xFFFF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_odd_length),
		cmocka_unit_test(test_all_zero),
		cmocka_unit_test(test_all_ff),
		cmocka_unit_test(test_checksum_filled_in_resums_to_zero),
		cmocka_unit_test(test_chained_sum),
		cmocka_unit_test(test_pseudo_sum),
		cmocka_unit_test(test_update_random),
		cmocka_unit_test(test_update_edges),
		cmocka_unit_test(test_update_limit_all_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
