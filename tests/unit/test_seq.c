/*
 * test_seq.c - sequence number arithmetic modulo 2^32 (stack/tcp/seq.h).
 *
 * Read this first: RFC 9293 section 3.4 ("Sequence Numbers"): "the
 * sequence number space ranges from 0 to 2^32 - 1 ... all arithmetic
 * dealing with sequence numbers must be performed modulo 2^32".  Each
 * comparison is checked on plain numbers, across the wrap (0xFFFFFFF0 comes
 * before 0x10) and on equal values; seq_in and seq_in_upper at both ends.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "seq.h"

#define BEFORE_WRAP 0xFFFFFFF0u	/* 16 before the wrap ... */
#define AFTER_WRAP  0x00000010u	/* ... is 32 before this */

static void test_seq_lt(void **state)
{
	(void)state;
	assert_true(seq_lt(1, 2));
	assert_false(seq_lt(2, 1));
	assert_false(seq_lt(7, 7));
	/* Across the wrap: a plain `<` would say the opposite. */
	assert_true(seq_lt(BEFORE_WRAP, AFTER_WRAP));
	assert_false(seq_lt(AFTER_WRAP, BEFORE_WRAP));
	assert_true(seq_lt(0xFFFFFFFFu, 0));
	assert_false(seq_lt(0, 0xFFFFFFFFu));
	assert_false(seq_lt(0xFFFFFFFFu, 0xFFFFFFFFu));
}

static void test_seq_leq(void **state)
{
	(void)state;
	assert_true(seq_leq(1, 2));
	assert_false(seq_leq(2, 1));
	assert_true(seq_leq(7, 7));
	assert_true(seq_leq(BEFORE_WRAP, AFTER_WRAP));
	assert_false(seq_leq(AFTER_WRAP, BEFORE_WRAP));
	assert_true(seq_leq(0, 0));
	assert_true(seq_leq(0xFFFFFFFFu, 0xFFFFFFFFu));
}

static void test_seq_gt(void **state)
{
	(void)state;
	assert_true(seq_gt(2, 1));
	assert_false(seq_gt(1, 2));
	assert_false(seq_gt(7, 7));
	assert_true(seq_gt(AFTER_WRAP, BEFORE_WRAP));
	assert_false(seq_gt(BEFORE_WRAP, AFTER_WRAP));
	assert_true(seq_gt(0, 0xFFFFFFFFu));
	assert_false(seq_gt(0xFFFFFFFFu, 0xFFFFFFFFu));
}

static void test_seq_geq(void **state)
{
	(void)state;
	assert_true(seq_geq(2, 1));
	assert_false(seq_geq(1, 2));
	assert_true(seq_geq(7, 7));
	assert_true(seq_geq(AFTER_WRAP, BEFORE_WRAP));
	assert_false(seq_geq(BEFORE_WRAP, AFTER_WRAP));
	assert_true(seq_geq(0xFFFFFFFFu, 0xFFFFFFFFu));
}

/* Less than 2^31 apart the order is defined; seq_diff is the signed
 * distance. */
static void test_seq_diff(void **state)
{
	(void)state;
	assert_int_equal(seq_diff(AFTER_WRAP, BEFORE_WRAP), 32);
	assert_int_equal(seq_diff(BEFORE_WRAP, AFTER_WRAP), -32);
	assert_int_equal(seq_diff(5, 5), 0);
	assert_true(seq_lt(0, 0x7FFFFFFFu));	/* 2^31 - 1 ahead: after */
	assert_true(seq_gt(0, 0x80000001u));	/* 2^31 - 1 behind: before */
}

/* seq_in: lo <= x < hi, the receive window's test. */
static void test_seq_in(void **state)
{
	(void)state;
	assert_true(seq_in(10, 10, 20));	/* the left edge is in */
	assert_true(seq_in(19, 10, 20));
	assert_false(seq_in(20, 10, 20));	/* the right edge is out */
	assert_false(seq_in(9, 10, 20));
	assert_false(seq_in(10, 10, 10));	/* an empty range holds nothing */
	/* A window across the wrap. */
	assert_true(seq_in(BEFORE_WRAP, BEFORE_WRAP, AFTER_WRAP));
	assert_true(seq_in(0xFFFFFFFFu, BEFORE_WRAP, AFTER_WRAP));
	assert_true(seq_in(0, BEFORE_WRAP, AFTER_WRAP));
	assert_true(seq_in(AFTER_WRAP - 1, BEFORE_WRAP, AFTER_WRAP));
	assert_false(seq_in(AFTER_WRAP, BEFORE_WRAP, AFTER_WRAP));
	assert_false(seq_in(BEFORE_WRAP - 1, BEFORE_WRAP, AFTER_WRAP));
}

/* seq_in_upper: lo < x <= hi, "SND.UNA < SEG.ACK =< SND.NXT". */
static void test_seq_in_upper(void **state)
{
	(void)state;
	assert_false(seq_in_upper(10, 10, 20));	/* the left edge is out */
	assert_true(seq_in_upper(11, 10, 20));
	assert_true(seq_in_upper(20, 10, 20));	/* the right edge is in */
	assert_false(seq_in_upper(21, 10, 20));
	assert_false(seq_in_upper(10, 10, 10));
	assert_false(seq_in_upper(BEFORE_WRAP, BEFORE_WRAP, AFTER_WRAP));
	assert_true(seq_in_upper(0, BEFORE_WRAP, AFTER_WRAP));
	assert_true(seq_in_upper(AFTER_WRAP, BEFORE_WRAP, AFTER_WRAP));
	assert_false(seq_in_upper(AFTER_WRAP + 1, BEFORE_WRAP, AFTER_WRAP));
}

static void test_seq_max_min(void **state)
{
	(void)state;
	assert_int_equal(seq_max(BEFORE_WRAP, AFTER_WRAP), AFTER_WRAP);
	assert_int_equal(seq_max(AFTER_WRAP, BEFORE_WRAP), AFTER_WRAP);
	assert_int_equal(seq_min(BEFORE_WRAP, AFTER_WRAP), BEFORE_WRAP);
	assert_int_equal(seq_min(AFTER_WRAP, BEFORE_WRAP), BEFORE_WRAP);
	assert_int_equal(seq_max(3, 3), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_lt),
		cmocka_unit_test(test_seq_leq),
		cmocka_unit_test(test_seq_gt),
		cmocka_unit_test(test_seq_geq),
		cmocka_unit_test(test_seq_diff),
		cmocka_unit_test(test_seq_in),
		cmocka_unit_test(test_seq_in_upper),
		cmocka_unit_test(test_seq_max_min),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
