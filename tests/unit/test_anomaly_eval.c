/* Unit tests: anomaly-router's rule engine — every kind fires exactly at its
 * boundary and not a tick before, the symbol index, rule parsing, dedup ids
 * and the offset tracker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../anomaly-router/dedup.h"
#include "../../anomaly-router/eval.h"
#include "../../anomaly-router/rules.h"
#include "../../anomaly-router/source.h"
#include "../../anomaly-router/track.h"
#include "bar.h"
#include "tick.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ar_ruleset *one_rule(const char *sym, const char *kind, const char *params)
{
	struct ar_rule *r = calloc(1, sizeof *r);
	char err[200];
	if (ar_rule_parse(r, "r1", sym, kind, params, NULL, NULL, err, sizeof err) != 0)
		fail_msg("parse %s %s: %s", kind, params, err);
	return ar_ruleset_build(r, 1);
}

static struct tick mk(const char *sym, const char *day, int64_t ts, double price, double qty)
{
	struct tick t;
	tick_clear(&t);
	snprintf(t.symbol, sizeof t.symbol, "%s", sym);
	snprintf(t.day, sizeof t.day, "%s", day);
	t.ts = ts;
	t.price = price;
	t.qty = qty;
	return t;
}

/* Feeds prices (qty 1 unless qtys) and returns the index of the first firing
 * tick, or -1. */
static int first_hit(struct ar_engine *e, struct ar_ruleset *rs, const char *sym,
                     const double *prices, const double *qtys, int n, struct ar_hit *h)
{
	for (int i = 0; i < n; i++) {
		struct tick t = mk(sym, "2026-11-23", 1763856000000 + i, prices[i], qtys ? qtys[i] : 1);
		if (ar_eval_tick(e, rs, &t, h, 1) > 0)
			return i;
	}
	return -1;
}

static void price_limit_boundary(void **s)
{
	(void)s;
	struct ar_engine *e = ar_engine_new();
	struct ar_ruleset *rs = one_rule("005930", "price_limit", "{\"base\":9980}");
	double p[] = {12000, 12960, 12969, 12970, 12980};
	struct ar_hit h;
	assert_int_equal(first_hit(e, rs, "005930", p, NULL, 5, &h), 3);
	assert_true(h.threshold == 12970);
	ar_ruleset_free(rs);
	/* within 1% of the lower limit 6,990: 6,990 × 1.01 = 7,059.9 */
	rs = one_rule("005930", "price_limit", "{\"base\":9980,\"within_pct\":1,\"side\":\"lower\"}");
	double q[] = {7100, 7060, 7059.9, 7000};
	assert_int_equal(first_hit(e, rs, "005930", q, NULL, 4, &h), 2);
	ar_ruleset_free(rs);
	ar_engine_free(e);
}

static void change_rate_crossing(void **s)
{
	(void)s;
	struct ar_engine *e = ar_engine_new();
	struct ar_ruleset *rs = one_rule("A", "change_rate", "{\"base\":10000,\"pct\":5}");
	double p[] = {10000, 10499, 10500, 10600, 10400, 10500};
	struct ar_hit h;
	assert_int_equal(first_hit(e, rs, "A", p, NULL, 3, &h), 2);
	assert_true(fabs(h.observed - 5) < 1e-9);
	/* beyond but not crossing again: 10600 after 10500 stays quiet */
	struct tick t = mk("A", "2026-11-23", 1763856000100, 10600, 1);
	assert_int_equal(ar_eval_tick(e, rs, &t, &h, 1), 0);
	t.price = 9400; /* -6%: the down side crosses -5% */
	assert_int_equal(ar_eval_tick(e, rs, &t, &h, 1), 1);
	assert_true(h.threshold == -5);
	ar_ruleset_free(rs);
	ar_engine_free(e);
}

static void target_price_both_ways(void **s)
{
	(void)s;
	struct ar_engine *e = ar_engine_new();
	struct ar_ruleset *rs = one_rule("A", "target_price", "{\"price\":75000}");
	double p[] = {74000, 74900, 74999, 75000, 76000};
	struct ar_hit h;
	assert_int_equal(first_hit(e, rs, "A", p, NULL, 5, &h), 3);
	ar_ruleset_free(rs);
	rs = one_rule("B", "target_price", "{\"price\":50000,\"direction\":\"down\"}");
	double q[] = {51000, 50001, 50000};
	assert_int_equal(first_hit(e, rs, "B", q, NULL, 3, &h), 2);
	ar_ruleset_free(rs);
	ar_engine_free(e);
}

static void vwap_deviation_boundary(void **s)
{
	(void)s;
	struct ar_engine *e = ar_engine_new();
	struct ar_ruleset *rs = one_rule("A", "vwap_deviation", "{\"pct\":3}");
	/* VWAP stays 100 after the 100s; 102.99 is 2.99% (no), 103 exactly 3%. */
	double p[] = {100, 100, 102.99, 103};
	double q[] = {1e9, 1e9, 1e-3, 1e-3};
	struct ar_hit h;
	assert_int_equal(first_hit(e, rs, "A", p, q, 4, &h), 3);
	assert_true(fabs(h.observed - 3) < 1e-6);
	struct tick t = mk("A", "2026-11-23", 1763856001000, 97, 1e-3); /* -3%: fires too */
	assert_int_equal(ar_eval_tick(e, rs, &t, &h, 1), 1);
	ar_ruleset_free(rs);
	ar_engine_free(e);
}

static void volume_spike_trade_and_window(void **s)
{
	(void)s;
	struct ar_engine *e = ar_engine_new();
	struct ar_ruleset *rs = one_rule("A", "volume_spike", "{\"n\":4,\"k\":2}");
	/* history 10,10,10,14: mean 11, sd sqrt(3), threshold 11 + 2 sqrt(3) = 14.4641 */
	double p[] = {1, 1, 1, 1, 1};
	double q[] = {10, 10, 10, 14, 14.4641};
	struct ar_hit h;
	assert_int_equal(first_hit(e, rs, "A", p, q, 5, &h), -1); /* just below */
	ar_engine_free(e);
	e = ar_engine_new();
	q[4] = 11 + 2 * sqrt(3);
	assert_int_equal(first_hit(e, rs, "A", p, q, 5, &h), 4); /* exactly at it */
	assert_true(fabs(h.threshold - q[4]) < 1e-9);
	ar_ruleset_free(rs);
	ar_engine_free(e);

	/* window mode: 1 s windows of volume 5,5,5 then a window reaching 5+2sd */
	e = ar_engine_new();
	rs = one_rule("W", "volume_spike", "{\"n\":3,\"k\":1,\"window_ms\":1000}");
	int64_t base = 1763856000000;
	for (int w = 0; w < 3; w++) {
		struct tick x = mk("W", "2026-11-23", base + w * 1000, 1, 5);
		assert_int_equal(ar_eval_tick(e, rs, &x, &h, 1), 0);
	}
	struct tick y = mk("W", "2026-11-23", base + 3000, 1, 5); /* window 3 = 5: sd 0 */
	assert_int_equal(ar_eval_tick(e, rs, &y, &h, 1), 0);
	y.ts += 10;
	y.qty = 0.5; /* running 5.5 > mean 5 = threshold */
	assert_int_equal(ar_eval_tick(e, rs, &y, &h, 1), 1);
	assert_true(h.observed == 5.5);
	ar_ruleset_free(rs);
	ar_engine_free(e);
}

static void prev_day_learned_and_volume(void **s)
{
	(void)s;
	struct ar_engine *e = ar_engine_new();
	struct ar_ruleset *rs = one_rule("*", "prev_day_change", "{\"pct\":10}");
	struct ar_hit h;
	struct tick t = mk("A", "2026-11-20", 1763600000000, 1000, 300);
	assert_int_equal(ar_eval_tick(e, rs, &t, &h, 1), 0); /* no previous close yet */
	t.price = 2000;
	t.ts += 1000;
	assert_int_equal(ar_eval_tick(e, rs, &t, &h, 1), 0);
	/* next day: previous close learned = 2000 */
	struct tick u = mk("A", "2026-11-23", 1763856000000, 2199, 1);
	assert_int_equal(ar_eval_tick(e, rs, &u, &h, 1), 0);
	u.price = 1800; /* -10% */
	assert_int_equal(ar_eval_tick(e, rs, &u, &h, 1), 1);
	ar_ruleset_free(rs);
	/* volume: previous day's 600 (300+300); fires at 100% = 600 */
	rs = one_rule("*", "prev_day_change", "{\"field\":\"volume\",\"pct\":100}");
	u.qty = 597; /* day so far 2 + 597 = 599 */
	assert_int_equal(ar_eval_tick(e, rs, &u, &h, 1), 0);
	u.qty = 1;
	assert_int_equal(ar_eval_tick(e, rs, &u, &h, 1), 1);
	assert_true(h.observed == 100);
	ar_ruleset_free(rs);
	ar_engine_free(e);
}

static void threshold_ticks_and_bars(void **s)
{
	(void)s;
	struct ar_engine *e = ar_engine_new();
	struct ar_ruleset *rs = one_rule("A", "threshold", "{\"field\":\"qty\",\"op\":\">=\",\"value\":5000}");
	double p[] = {1, 1, 1};
	double q[] = {10, 4999, 5000};
	struct ar_hit h;
	assert_int_equal(first_hit(e, rs, "A", p, q, 3, &h), 2);
	ar_ruleset_free(rs);
	rs = one_rule("A", "threshold", "{\"field\":\"sma_5\",\"op\":\"<\",\"value\":100,\"window\":\"1m\"}");
	struct bar b = {0};
	snprintf(b.symbol, sizeof b.symbol, "A");
	snprintf(b.window, sizeof b.window, "1m");
	bar_add_ind(&b, "sma_5", 100);
	assert_int_equal(ar_eval_bar(e, rs, &b, &h, 1), 0);
	b.ind[0].value = 99.99;
	assert_int_equal(ar_eval_bar(e, rs, &b, &h, 1), 1);
	snprintf(b.window, sizeof b.window, "5m"); /* another window: not this rule's */
	assert_int_equal(ar_eval_bar(e, rs, &b, &h, 1), 0);
	ar_ruleset_free(rs);
	ar_engine_free(e);
}

static void rejects_bad_rules(void **s)
{
	(void)s;
	struct ar_rule r;
	char err[200];
	const char *bad[][2] = {
		{"nope", "{}"},
		{"change_rate", "{}"},
		{"change_rate", "{\"pct\":-1}"},
		{"threshold", "{\"field\":\"bogus\",\"value\":1,\"source\":\"ticks\"}"},
		{"threshold", "{\"field\":\"price\"}"},
		{"volume_spike", "{\"n\":1}"},
		{"volume_spike", "{\"source\":\"bars\",\"window_ms\":1000}"},
		{"price_limit", "{\"limit_pct\":0}"},
		{"target_price", "[1]"},
		{"target_price", "{\"price\":\"x\"}"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = ar_rule_parse(&r, "r", "A", bad[i][0], bad[i][1], NULL, NULL, err, sizeof err);
		ar_rule_free(&r);
		if (rc == 0)
			fail_msg("accepted %s %s", bad[i][0], bad[i][1]);
	}
	assert_int_equal(ar_rule_parse(&r, "a|b", "A", "change_rate", "{\"pct\":1}", NULL, NULL, err,
	                               sizeof err), -1);
}

static void index_by_symbol(void **s)
{
	(void)s;
	const char *json = "{\"rules\":["
		"{\"id\":\"1\",\"symbol\":\"A\",\"kind\":\"threshold\",\"params\":{\"field\":\"price\",\"value\":1}},"
		"{\"id\":\"2\",\"symbol\":\"B\",\"kind\":\"threshold\",\"params\":{\"field\":\"price\",\"value\":1}},"
		"{\"id\":\"3\",\"symbol\":\"*\",\"kind\":\"threshold\",\"params\":{\"field\":\"price\",\"value\":1}},"
		"{\"id\":\"4\",\"symbol\":\"A\",\"kind\":\"threshold\",\"params\":{\"field\":\"close\",\"value\":1}},"
		"{\"id\":\"5\",\"symbol\":\"A\",\"kind\":\"threshold\",\"enabled\":false,\"params\":{\"field\":\"price\",\"value\":1}},"
		"{\"id\":\"6\",\"symbol\":\"A\",\"kind\":\"bogus\"}]}";
	int invalid;
	char err[200];
	struct ar_ruleset *rs = ar_rules_from_json(json, strlen(json), &invalid, err, sizeof err);
	assert_non_null(rs);
	assert_int_equal(invalid, 1);
	assert_int_equal(ar_ruleset_size(rs), 4);
	struct ar_rulelist a = ar_ruleset_for(rs, "A", AR_SRC_TICKS);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.v[0]->id, "1");
	assert_int_equal(ar_ruleset_for(rs, "A", AR_SRC_BARS).n, 1);
	assert_int_equal(ar_ruleset_for(rs, "C", AR_SRC_TICKS).n, 0);
	assert_int_equal(ar_ruleset_wild(rs, AR_SRC_TICKS).n, 1);
	struct ar_engine *e = ar_engine_new();
	struct ar_hit h[8];
	struct tick t = mk("A", "2026-11-23", 1, 5, 1);
	assert_int_equal(ar_eval_tick(e, rs, &t, h, 8), 2); /* rule 1 and the wildcard */
	ar_engine_free(e);
	ar_ruleset_free(rs);
	assert_null(ar_rules_from_json("{}", 2, &invalid, err, sizeof err));
}

static void dedup_windows(void **s)
{
	(void)s;
	struct ar_dedup *d = ar_dedup_new(3600000);
	int64_t ts = 1763856001000; /* 2026-11-23T00:00:01Z, an epoch hour + 1 s */
	int64_t w = ar_dedup_window(d, ts);
	assert_true(w == 1763856000000);
	char id[96];
	ar_dedup_id(id, sizeof id, "r1", "005930", w);
	assert_string_equal(id, "r1|005930|1763856000000");
	assert_int_equal(ar_dedup_check(d, id, w), 0);
	assert_int_equal(ar_dedup_check(d, id, w), 1);
	ar_dedup_add(d, "r2|A|1763856000000");
	assert_int_equal(ar_dedup_check(d, "r2|A|1763856000000", w), 1);
	ar_dedup_add(d, "garbage");
	assert_int_equal(ar_dedup_size(d), 2);
	for (int i = 0; i < 5000; i++) { /* forces pruning: old windows go */
		ar_dedup_id(id, sizeof id, "r", "S", w + (int64_t)i * 3600000);
		assert_int_equal(ar_dedup_check(d, id, w + (int64_t)i * 3600000), 0);
	}
	assert_true(ar_dedup_size(d) < 1000);
	ar_dedup_free(d);
}

static void tracker_orders_offsets(void **s)
{
	(void)s;
	struct ar_track *t = ar_track_new();
	struct ar_tref a, b, c;
	assert_int_equal(ar_track_begin(t, "ticks", 0, 10, &a), 0);
	ar_track_add(t, &a); /* message 10 produced an anomaly */
	ar_track_end(t, &a);
	assert_int_equal(ar_track_begin(t, "ticks", 0, 11, &b), 0);
	ar_track_end(t, &b);
	assert_int_equal(ar_track_inflight(t), 2); /* 11 waits behind 10 */
	ar_track_done(t, &a, 1);
	assert_int_equal(ar_track_inflight(t), 0);
	assert_int_equal(ar_track_begin(t, "ticks", 0, 12, &c), 0);
	ar_track_add(t, &c);
	ar_track_end(t, &c);
	ar_track_done(t, &c, 0);
	assert_int_equal(ar_track_failed(t), 1);
	assert_int_equal(ar_track_inflight(t), 1);
	ar_track_free(t);
}

static void migration_sql_rejects_unsafe_names(void **s)
{
	(void)s;
	char *sql = ar_pg_migration_sql("t_abc", "anomaly_rules", "tp_rules_t_abc");
	assert_non_null(sql);
	assert_non_null(strstr(sql, "CREATE TABLE IF NOT EXISTS t_abc.anomaly_rules"));
	assert_non_null(strstr(sql, "pg_notify('tp_rules_t_abc'"));
	free(sql);
	assert_null(ar_pg_migration_sql("x; DROP TABLE y", "t", "c"));
	assert_null(ar_pg_migration_sql("Upper", "t", "c"));
}

static void learns_from_daily_bars_and_feed_vwap(void **s)
{
	(void)s;
	struct ar_engine *e = ar_engine_new();
	struct ar_ruleset *rs = one_rule("A", "change_rate", "{\"pct\":10}");
	struct bar b = {0};
	snprintf(b.symbol, sizeof b.symbol, "A");
	snprintf(b.window, sizeof b.window, "1d");
	snprintf(b.day, sizeof b.day, "2026-11-20");
	b.close = 2000;
	b.volume = 600;
	b.final = 1;
	struct ar_hit h;
	assert_int_equal(ar_eval_bar(e, rs, &b, &h, 1), 0);
	double p[] = {2100, 2199, 2200};
	assert_int_equal(first_hit(e, rs, "A", p, NULL, 3, &h), 2); /* +10% of 2,000 */
	/* a daily bar of the current day is not the previous close */
	snprintf(b.day, sizeof b.day, "2026-11-23");
	b.close = 1000;
	ar_eval_bar(e, rs, &b, &h, 1);
	struct tick t = mk("A", "2026-11-23", 1763856009000, 1800, 1);
	assert_int_equal(ar_eval_tick(e, rs, &t, &h, 1), 1); /* -10% of 2,000, not +80% */
	assert_true(h.threshold == -10);
	ar_ruleset_free(rs);
	/* the feed's cumulative totals give the VWAP from the day's start */
	rs = one_rule("B", "vwap_deviation", "{\"pct\":3}");
	struct tick u = mk("B", "2026-11-23", 1763856000000, 103, 1);
	u.cum_volume = 1001;
	u.cum_turnover = 100000 + 103; /* 1,000 traded at 100 before the router started */
	assert_int_equal(ar_eval_tick(e, rs, &u, &h, 1), 1);
	assert_true(fabs(h.observed - 3) < 1e-9);
	ar_ruleset_free(rs);
	ar_engine_free(e);
}

static void volume_spike_on_final_bars(void **s)
{
	(void)s;
	struct ar_engine *e = ar_engine_new();
	struct ar_ruleset *rs = one_rule("A", "volume_spike",
	                                 "{\"source\":\"bars\",\"window\":\"1m\",\"n\":3,\"k\":1}");
	struct bar b = {0};
	snprintf(b.symbol, sizeof b.symbol, "A");
	snprintf(b.window, sizeof b.window, "1m");
	struct ar_hit h;
	double vols[] = {10, 20, 30}; /* mean 20, sd 8.165: threshold 28.165 */
	for (int i = 0; i < 3; i++) {
		b.start = 1763856000000 + i * 60000;
		b.volume = vols[i];
		b.final = 1;
		assert_int_equal(ar_eval_bar(e, rs, &b, &h, 1), 0);
	}
	b.start += 60000;
	b.volume = 100;
	b.final = 0; /* in progress: not judged */
	assert_int_equal(ar_eval_bar(e, rs, &b, &h, 1), 0);
	b.volume = 28.16;
	b.final = 1;
	assert_int_equal(ar_eval_bar(e, rs, &b, &h, 1), 0); /* just below */
	assert_int_equal(ar_eval_bar(e, rs, &b, &h, 1), 0); /* the same bar again: skipped */
	/* history now 20,30,28.16: mean 26.053, sd 4.3458: threshold 30.3991 */
	b.start += 60000;
	b.volume = 30.39;
	assert_int_equal(ar_eval_bar(e, rs, &b, &h, 1), 0); /* below */
	b.start += 60000; /* 30.39 joined: 30,28.16,30.39 → threshold 30.489 */
	b.volume = 30.6;
	assert_int_equal(ar_eval_bar(e, rs, &b, &h, 1), 1);
	ar_ruleset_free(rs);
	ar_engine_free(e);
}

/* The shipped example must load whole (the unit tests run from the repo root). */
static void example_rules_file_loads(void **s)
{
	(void)s;
	FILE *f = fopen("deploy/rules.example.json", "r");
	if (!f)
		skip();
	char buf[16384];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	int invalid;
	char err[200];
	struct ar_ruleset *rs = ar_rules_from_json(buf, n, &invalid, err, sizeof err);
	assert_non_null(rs);
	assert_int_equal(invalid, 0);
	assert_int_equal(ar_ruleset_size(rs), 14); /* 15 rules, one disabled */
	ar_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(price_limit_boundary),
		cmocka_unit_test(change_rate_crossing),
		cmocka_unit_test(target_price_both_ways),
		cmocka_unit_test(vwap_deviation_boundary),
		cmocka_unit_test(volume_spike_trade_and_window),
		cmocka_unit_test(prev_day_learned_and_volume),
		cmocka_unit_test(threshold_ticks_and_bars),
		cmocka_unit_test(rejects_bad_rules),
		cmocka_unit_test(index_by_symbol),
		cmocka_unit_test(dedup_windows),
		cmocka_unit_test(tracker_orders_offsets),
		cmocka_unit_test(migration_sql_rejects_unsafe_names),
		cmocka_unit_test(example_rules_file_loads),
		cmocka_unit_test(learns_from_daily_bars_and_feed_vwap),
		cmocka_unit_test(volume_spike_on_final_bars),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
