/* Unit tests: feed-sim KRX tick sizes, ±30% limits, determinism, consistency. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../collector/feed-sim/sim.h"

#include <string.h>

static void tick_sizes(void **st)
{
	(void)st;
	static const long long p[][2] = {{1, 1},        {1999, 1},      {2000, 5},     {4999, 5},
	                                 {5000, 10},    {19999, 10},    {20000, 50},   {49999, 50},
	                                 {50000, 100},  {199999, 100},  {200000, 500}, {499999, 500},
	                                 {500000, 1000}, {2000000, 1000}};
	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
		assert_int_equal(sim_tick_size(p[i][0]), p[i][1]);
	assert_int_equal(sim_round_tick(71049), 71000);
	assert_int_equal(sim_round_tick(19999), 19990);
}

static void limits(void **st)
{
	(void)st;
	int64_t up, lo;
	sim_limits(9980, &up, &lo); /* the exchange's own example */
	assert_int_equal(up, 12970);
	assert_int_equal(lo, 6990);
	sim_limits(71000, &up, &lo);
	assert_int_equal(up, 92300);
	assert_int_equal(lo, 49700);
	for (int64_t base = 1000; base < 1000000; base += 997) {
		sim_limits(sim_round_tick(base), &up, &lo);
		int64_t b = sim_round_tick(base);
		assert_true(up <= b * 13 / 10 && lo >= b * 7 / 10 - sim_tick_size(b));
		assert_int_equal(up % sim_tick_size(up), 0);
		assert_int_equal(lo % sim_tick_size(lo), 0);
	}
}

static void same_seed_same_trades(void **st)
{
	(void)st;
	struct sim_market a, b, c;
	char err[64];
	assert_int_equal(sim_market_init(&a, NULL, 30, "AAPL", 5, 50, err, sizeof err), 0);
	assert_int_equal(sim_market_init(&b, NULL, 30, "AAPL", 5, 50, err, sizeof err), 0);
	assert_int_equal(sim_market_init(&c, NULL, 30, "AAPL", 6, 50, err, sizeof err), 0);
	int differ = 0;
	for (int i = 0; i < 2000; i++) {
		struct sim_trade x, y, z;
		sim_next_trade(&a, i & 1, 1000 * i, &x);
		sim_next_trade(&b, i & 1, 1000 * i, &y);
		sim_next_trade(&c, i & 1, 1000 * i, &z);
		assert_memory_equal(&x, &y, sizeof x);
		differ += x.price != z.price || x.sym != z.sym;
	}
	assert_true(differ > 100);
	sim_market_free(&a);
	sim_market_free(&b);
	sim_market_free(&c);
}

static void walk_stays_in_band_and_sums_agree(void **st)
{
	(void)st;
	struct sim_market m;
	char err[64];
	assert_int_equal(sim_market_init(&m, "005930,000660", 0, "", 9, 20, err, sizeof err), 0);
	assert_string_equal(m.sym[0].code, "005930");
	int64_t vol[2] = {0, 0}, val[2] = {0, 0};
	for (int i = 0; i < 20000; i++) {
		struct sim_trade t;
		sim_next_trade(&m, 0, 1795392000000 + i, &t);
		const struct sim_sym *s = &m.sym[t.sym];
		assert_true(t.price >= s->lower && t.price <= s->upper && t.qty > 0);
		assert_int_equal(t.price % sim_tick_size(t.price), 0);
		vol[t.sym] += t.qty;
		val[t.sym] += t.qty * t.price;
		assert_int_equal(s->cum_vol, vol[t.sym]);
		assert_int_equal(s->cum_pbmn, val[t.sym]);
		assert_true(s->low <= t.price && t.price <= s->high);
	}
	char rec[1024];
	struct sim_trade t;
	sim_next_trade(&m, 0, 1795392000000, &t);
	size_t n = sim_kis_record(&m.sym[t.sym], &t, rec, sizeof rec);
	int fields = 1;
	for (size_t i = 0; i < n; i++)
		fields += rec[i] == '^';
	assert_int_equal(fields, 46);
	sim_market_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tick_sizes),
		cmocka_unit_test(limits),
		cmocka_unit_test(same_seed_same_trades),
		cmocka_unit_test(walk_stays_in_band_and_sums_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
