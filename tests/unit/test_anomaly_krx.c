/* Unit tests: lib/krx — KRX tick sizes and daily price limits, on examples
 * worked by hand from the rules in krx.h (width = base×30% floored to the
 * base's tick; each limit floored to its own tick). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "krx.h"

static void tick_sizes_at_band_edges(void **s)
{
	(void)s;
	int64_t p[] = {1, 1999, 2000, 4999, 5000, 19999, 20000, 49999, 50000, 199999, 200000,
	               499999, 500000, 3000000};
	int64_t t[] = {1, 1, 5, 5, 10, 10, 50, 50, 100, 100, 500, 500, 1000, 1000};
	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
		assert_int_equal(krx_tick_size(p[i]), t[i]);
	assert_int_equal(krx_tick_size(0), 1);
	assert_int_equal(krx_tick_size(-5), 1);
}

static void rounding(void **s)
{
	(void)s;
	assert_int_equal(krx_round_down(12975), 12970);
	assert_int_equal(krx_round_down(25980), 25950);
	assert_int_equal(krx_round_down(2003), 2000);
	assert_int_equal(krx_round_up(12971), 12980);
	assert_int_equal(krx_round_up(19995), 20000);
	assert_int_equal(krx_round_up(71000), 71000);
	assert_true(krx_on_tick(71000));
	assert_false(krx_on_tick(71050));
	assert_false(krx_on_tick(0));
}

struct limit_case {
	int64_t base;
	int pct;
	int64_t upper, lower;
};

static void limits_worked_examples(void **s)
{
	(void)s;
	const struct limit_case cases[] = {
		{9980, 30, 12970, 6990},      /* the KRX example */
		{50000, 30, 65000, 35000},    /* tick 100, lower in the 50 band */
		{19990, 30, 25950, 14000},    /* 5,997 → 5,990; 25,980 floors to 50s */
		{1000, 30, 1300, 700},        /* tick 1 */
		{4995, 30, 6490, 3500},       /* 1,498 → 1,495 (tick 5) */
		{199900, 30, 259500, 140000}, /* 59,970 → 59,900; 259,800 → 259,500 */
		{600000, 30, 780000, 420000}, /* tick 1,000 */
		{1555, 30, 2020, 1089},       /* 2,021 floors to the 5-won tick */
		{71000, 30, 92300, 49700},    /* 21,300: 92,300 (100) / 49,700 (50) */
		{10000, 60, 16000, 4000},     /* 2x leveraged ETF: ±60% */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t up = 0, lo = 0;
		assert_int_equal(krx_price_limits(cases[i].base, cases[i].pct, &up, &lo), 0);
		if (up != cases[i].upper || lo != cases[i].lower)
			fail_msg("base %ld: got %ld/%ld want %ld/%ld", (long)cases[i].base, (long)up,
			         (long)lo, (long)cases[i].upper, (long)cases[i].lower);
		assert_true(krx_on_tick(up));
		assert_true(krx_on_tick(lo));
	}
}

static void limits_reject_bad_input(void **s)
{
	(void)s;
	int64_t up, lo;
	assert_int_equal(krx_price_limits(0, 30, &up, &lo), -1);
	assert_int_equal(krx_price_limits(-100, 30, &up, &lo), -1);
	assert_int_equal(krx_price_limits(INT64_MAX / 2, 30, &up, &lo), -1); /* would overflow */
	assert_int_equal(krx_price_limits(1000, 0, &up, &lo), -1);
	assert_int_equal(krx_price_limits(1000, 101, &up, &lo), -1);
	assert_int_equal(krx_price_limits(1, 100, &up, &lo), 0);
	assert_int_equal(lo, 1); /* clamped: a price is at least 1 won */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tick_sizes_at_band_edges),
		cmocka_unit_test(rounding),
		cmocka_unit_test(limits_worked_examples),
		cmocka_unit_test(limits_reject_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
