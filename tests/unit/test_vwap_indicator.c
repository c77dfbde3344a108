/* Unit tests: vwap-stream indicators — SMA, EMA (TA-Lib seed), volatility,
 * crosses, ma7d history; eval is pure, push commits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../vwap-stream/indicator.h"
#include "bar.h"

#include <math.h>
#include <string.h>

static struct vs_ind_conf conf(const char *periods, long vol, const char *cross)
{
	struct vs_ind_conf c;
	char err[128];
	assert_int_equal(vs_ind_conf_parse(&c, periods, vol, cross, err, sizeof err), 0);
	return c;
}

static struct bar eval(const struct vs_ind_conf *c, const struct vs_ind *s, double close)
{
	struct bar b;
	struct vs_ind_vals v;
	memset(&b, 0, sizeof b);
	vs_ind_eval(c, s, close, &v);
	vs_ind_to_bar(c, &v, &b);
	return b;
}

/* A final close: pushed with the values eval gives it, as vwap-stream does. */
static void push(const struct vs_ind_conf *c, struct vs_ind *s, double close)
{
	struct vs_ind_vals v;
	vs_ind_eval(c, s, close, &v);
	vs_ind_push(c, s, close, &v);
}

static void test_sma_ema_first_at_n(void **state)
{
	(void)state;
	struct vs_ind_conf c = conf("3", 0, "off");
	struct vs_ind s;
	double ring[VS_IND_HIST];
	vs_ind_init(&c, &s, ring);
	double closes[] = {10, 11, 12, 13, 20};
	for (int i = 0; i < 2; i++) {
		struct bar b = eval(&c, &s, closes[i]);
		assert_true(isnan(bar_ind(&b, "sma_3")) && isnan(bar_ind(&b, "ema_3")));
		push(&c, &s, closes[i]);
	}
	struct bar b = eval(&c, &s, 12);
	assert_float_equal(bar_ind(&b, "sma_3"), 11, 1e-12);
	assert_float_equal(bar_ind(&b, "ema_3"), 11, 1e-12); /* seeded with the SMA */
	push(&c, &s, 12);
	b = eval(&c, &s, 13);
	assert_float_equal(bar_ind(&b, "ema_3"), 0.5 * 13 + 0.5 * 11, 1e-12); /* α = 2/(N+1) */
	struct bar again = eval(&c, &s, 13);                                    /* eval is pure */
	assert_float_equal(bar_ind(&again, "ema_3"), 12, 1e-12);
	push(&c, &s, 13);
	b = eval(&c, &s, 20);
	assert_float_equal(bar_ind(&b, "sma_3"), 15, 1e-12);
	assert_float_equal(bar_ind(&b, "ema_3"), 0.5 * 20 + 0.5 * 12, 1e-12);
}

static void test_volatility(void **state)
{
	(void)state;
	struct vs_ind_conf c = conf("2", 2, "off");
	struct vs_ind s;
	double ring[VS_IND_HIST];
	vs_ind_init(&c, &s, ring);
	push(&c, &s, 100);
	struct bar b = eval(&c, &s, 110);
	assert_true(isnan(bar_ind(&b, "volatility")));
	push(&c, &s, 110);
	b = eval(&c, &s, 99);
	double r1 = log(1.1), r2 = log(0.9), m = (r1 + r2) / 2;
	double want = sqrt(((r1 - m) * (r1 - m) + (r2 - m) * (r2 - m)) / 1);
	assert_float_equal(bar_ind(&b, "volatility"), want, 1e-15);
}

static void test_cross_signals(void **state)
{
	(void)state;
	struct vs_ind_conf c = conf("1,2", 0, "sma_1,sma_2");
	struct vs_ind s;
	double ring[VS_IND_HIST];
	vs_ind_init(&c, &s, ring);
	double closes[] = {10, 9, 8, 12, 13, 11, 11};
	const char *want[] = {"", "", "", "golden", "", "dead", ""};
	for (int i = 0; i < 7; i++) {
		struct bar b = eval(&c, &s, closes[i]);
		assert_string_equal(b.cross, want[i]);
		push(&c, &s, closes[i]);
	}
}

/* The ring holds exactly cap closes (the longest period) and V returns:
 * after it wrapped many times every value still equals a direct computation
 * over all closes, and nothing is written next to it. */
static void test_ring_sized_by_conf_wraps(void **state)
{
	(void)state;
	struct vs_ind_conf c = conf("3,7", 9, "off");
	assert_int_equal(c.cap, 7);
	assert_int_equal(c.ring, 7 + 9);
	double mem[18], all[500];
	mem[0] = mem[17] = -1;
	struct vs_ind s;
	vs_ind_init(&c, &s, mem + 1);
	for (int i = 0; i < 500; i++) {
		double close = 100 + 10 * sin(i * 0.37) + i * 0.01;
		struct bar b = eval(&c, &s, close);
		all[i] = close;
		if (i >= 9) {
			double sum = 0, r[9], mean = 0, ss = 0;
			for (int k = 0; k < 7; k++)
				sum += all[i - k];
			assert_float_equal(bar_ind(&b, "sma_7"), sum / 7, 1e-12);
			for (int k = 0; k < 9; k++)
				mean += r[k] = log(all[i - k] / all[i - k - 1]);
			mean /= 9;
			for (int k = 0; k < 9; k++)
				ss += (r[k] - mean) * (r[k] - mean);
			assert_float_equal(bar_ind(&b, "volatility"), sqrt(ss / 8), 1e-12);
		}
		push(&c, &s, close);
	}
	assert_true(mem[0] == -1 && mem[17] == -1);
}

static void test_conf_errors(void **state)
{
	(void)state;
	struct vs_ind_conf c;
	char err[128];
	assert_int_equal(vs_ind_conf_parse(&c, "5,x", 20, "off", err, sizeof err), -1);
	assert_int_equal(vs_ind_conf_parse(&c, "5,200", 20, "off", err, sizeof err), -1);
	assert_int_equal(vs_ind_conf_parse(&c, "5,20", 20, "sma_5,sma_7", err, sizeof err), -1);
	assert_int_equal(vs_ind_conf_parse(&c, "5,20", 20, "sma_5", err, sizeof err), -1);
	assert_int_equal(vs_ind_conf_parse(&c, "5,20", 20, "ema_5,sma_20", err, sizeof err), 0);
}

static void test_daily_history_ma7(void **state)
{
	(void)state;
	struct vs_daily_hist h = {0};
	for (int d = 0; d < 5; d++)
		vs_daily_insert(&h, 100 + d, 10 + d);
	assert_true(isnan(vs_daily_ma7(&h, 105, 20))); /* five earlier days: not yet */
	vs_daily_insert(&h, 105, 15);
	vs_daily_insert(&h, 105, 999); /* the first value for a day wins */
	assert_float_equal(vs_daily_ma7(&h, 106, 20), (10 + 11 + 12 + 13 + 14 + 15 + 20) / 7.0, 1e-12);
	vs_daily_insert(&h, 106, 20);
	vs_daily_insert(&h, 107, 30); /* keeps the 7 latest */
	assert_int_equal(h.n, VS_DAILY_KEEP);
	assert_int_equal(h.day[0], 101);
	vs_daily_insert(&h, 90, 1); /* older than all kept: dropped */
	assert_int_equal(h.day[0], 101);
	/* Only days before the bar's own day count (106 and 107 do not for 106;
	 * day 100 was dropped, so five earlier days remain). */
	assert_true(isnan(vs_daily_ma7(&h, 106, 20)));
	assert_float_equal(vs_daily_ma7(&h, 108, 40), (12 + 13 + 14 + 15 + 20 + 30 + 40) / 7.0, 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sma_ema_first_at_n),
		cmocka_unit_test(test_volatility),
		cmocka_unit_test(test_cross_signals),
		cmocka_unit_test(test_ring_sized_by_conf_wraps),
		cmocka_unit_test(test_conf_errors),
		cmocka_unit_test(test_daily_history_ma7),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
