/* Unit tests: the collector's fast tick writer against lib/tick.c (decode
 * both, compare), and its decimal check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../collector/encode.h"
#include "../../collector/feed-sim/sim.h"
#include "../../collector/kis.h"
#include "../../collector/normalize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void same_as_tick_encode(const struct tick *t, const char *vwap_text)
{
	char a[TICK_JSON_MAX], b[TICK_JSON_MAX], reason[128];
	assert_true(col_tick_json(t, vwap_text, a, sizeof a) > 0);
	assert_true(tick_encode(t, b, sizeof b) > 0);
	struct tick x, y;
	assert_int_equal(tick_decode(a, strlen(a), &x, reason, sizeof reason), 0);
	assert_int_equal(tick_decode(b, strlen(b), &y, reason, sizeof reason), 0);
	assert_string_equal(x.id, y.id);
	assert_string_equal(x.symbol, y.symbol);
	assert_string_equal(x.day, y.day);
	assert_string_equal(x.side, y.side);
	assert_true(x.ts == y.ts && x.recv_ts == y.recv_ts && x.price == y.price && x.qty == y.qty);
	assert_true(x.cum_volume == y.cum_volume || (isnan(x.cum_volume) && isnan(y.cum_volume)));
	assert_true(x.cum_turnover == y.cum_turnover || (isnan(x.cum_turnover) && isnan(y.cum_turnover)));
	assert_true(x.feed_vwap == y.feed_vwap || (isnan(x.feed_vwap) && isnan(y.feed_vwap)));
	if (!vwap_text)
		assert_string_equal(a, b); /* byte for byte when no text is carried over */
}

static void differential_on_simulated_trades(void **st)
{
	(void)st;
	struct sim_market m;
	char err[64], rec[1024], frame[1200], reason[256];
	static char scratch[4096];
	static char *fields[256];
	assert_int_equal(sim_market_init(&m, NULL, 20, "", 3, 10, err, sizeof err), 0);
	for (int i = 0; i < 3000; i++) {
		struct sim_trade tr;
		sim_next_trade(&m, 0, 1795392000000 + i * 37, &tr);
		sim_kis_record(&m.sym[tr.sym], &tr, rec, sizeof rec);
		snprintf(frame, sizeof frame, "0|H0STCNT0|001|%s", rec);
		struct col_kis_frame f;
		assert_int_equal(col_kis_parse_frame(frame, strlen(frame), scratch, fields, 256, &f, reason,
		                                     sizeof reason), 0);
		struct tick t;
		assert_int_equal(col_kis_to_tick(&f, 0, 1795392000123 + i, &t, reason, sizeof reason), 0);
		same_as_tick_encode(&t, f.field[KIS_F_VWAP]);
		same_as_tick_encode(&t, NULL);
	}
	sim_market_free(&m);
}

static void odd_values(void **st)
{
	(void)st;
	struct tick t;
	tick_clear(&t);
	strcpy(t.id, "finnhub|BRK.B|1|abc|0");
	strcpy(t.source, "finnhub");
	strcpy(t.symbol, "BRK.B");
	strcpy(t.exchange, "US");
	strcpy(t.day, "2026-11-22");
	t.ts = 1795392000001;
	t.price = 0.1 + 0.2;
	t.qty = 1e-7;
	same_as_tick_encode(&t, NULL);
	t.price = 123456789012.5;
	t.qty = 9007199254740993.0;
	t.cum_volume = -0.0;
	same_as_tick_encode(&t, NULL);
	strcpy(t.symbol, "A\"B"); /* needs escaping: falls back to the library writer */
	same_as_tick_encode(&t, NULL);
}

static void json_decimals(void **st)
{
	(void)st;
	const char *ok[] = {"0", "-1", "71000", "70950.12", "0.5", "-0.25"};
	const char *bad[] = {"", "-", "01", "1.", ".5", "1e5", "1,000", "NaN", "+1", " 1"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		assert_true(col_is_json_decimal(ok[i]));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(col_is_json_decimal(bad[i]));
	double v;
	assert_int_equal(col_parse_num("123456789012345", &v), 0);
	assert_true(v == 123456789012345.0);
	assert_int_equal(col_parse_num("1234567890123456789", &v), 0); /* via strtod */
	assert_true(v == 1234567890123456789.0);
	assert_int_equal(col_parse_num("-42", &v), 0);
	assert_true(v == -42);
	assert_int_equal(col_parse_num("12a", &v), -1);
	assert_int_equal(col_parse_num("", &v), -1);
	assert_int_equal(col_parse_num("1.2.3", &v), -1);
	/* The decimal fast path equals strtod bit for bit. */
	unsigned long long x = 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < 200000; i++) {
		char text[40];
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int frac = (int)(x % 9);
		snprintf(text, sizeof text, "%s%llu.%0*llu", x & 1 ? "-" : "", (x >> 8) % 10000000ULL,
		         frac + 1, (x >> 32) % 1000000000ULL % (frac ? 1000000000ULL : 10));
		assert_int_equal(col_parse_num(text, &v), 0);
		if (v != strtod(text, NULL))
			fail_msg("\"%s\": %.17g, strtod says %.17g", text, v, strtod(text, NULL));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(differential_on_simulated_trades),
		cmocka_unit_test(odd_values),
		cmocka_unit_test(json_decimals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
