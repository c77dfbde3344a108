/* Unit tests: vwap-stream engine — lateness at window edges, open/close by
 * event time, day changes, other-day ticks, cum VWAP, muting, partitions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../vwap-stream/agg.h"
#include "bar.h"
#include "tick.h"
#include "tradecal.h"

#include <stdio.h>
#include <string.h>

#define T0 1795132860000LL /* 2026-11-20 09:01:00 KST */
#define MAXB 64

struct sink {
	struct bar b[MAXB];
	int32_t part[MAXB];
	int n;
};

static void capture(void *opaque, int32_t part, const struct bar *b)
{
	struct sink *s = opaque;
	if (s->n < MAXB) {
		s->part[s->n] = part;
		s->b[s->n++] = *b;
	}
}

static const struct bar *find(const struct sink *s, const char *id, int final)
{
	const struct bar *last = NULL;
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->b[i].id, id) == 0 && s->b[i].final == final)
			last = &s->b[i];
	return last;
}

static struct calendar krx, us;
static struct vs_conf conf;

static int setup(void **state)
{
	char err[256];
	(void)state;
	if (cal_load(&krx, "KRX", NULL, err, sizeof err) || cal_load(&us, "US", NULL, err, sizeof err)) {
		fprintf(stderr, "calendars: %s\n", err);
		return -1;
	}
	memset(&conf, 0, sizeof conf);
	vs_window_list_parse("1m", conf.win, VS_MAX_WIN, &conf.nwin, err, sizeof err);
	vs_ind_conf_parse(&conf.ind, "2", 2, "off", err, sizeof err);
	conf.lateness_ms = 2000;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cal_free(&krx);
	cal_free(&us);
	return 0;
}

static int feed(struct vs_agg *a, int32_t part, const char *sym, const char *day, int64_t ts,
                double price, double qty)
{
	struct tick t;
	char reason[128];
	tick_clear(&t);
	snprintf(t.symbol, sizeof t.symbol, "%s", sym);
	snprintf(t.exchange, sizeof t.exchange, "KRX");
	snprintf(t.day, sizeof t.day, "%s", day);
	t.ts = ts, t.price = price, t.qty = qty;
	return vs_agg_tick(a, part, &t, reason, sizeof reason);
}

static void test_lateness_at_edges(void **state)
{
	(void)state;
	struct sink s = {0};
	struct vs_agg *a = vs_agg_new(&conf, &krx, &us, capture, &s);
	const char *d = "2026-11-20";
	feed(a, 0, "A", d, T0 - 1, 100, 1);
	feed(a, 0, "A", d, T0, 200, 1);
	feed(a, 0, "A", d, T0 + 1000, 300, 1);
	feed(a, 0, "A", d, T0 - 500, 400, 1); /* out of order, within lateness */
	assert_int_equal(s.n, 0);              /* nothing final yet; updates wait for the cadence */
	feed(a, 0, "A", d, T0 + 2500, 500, 1); /* watermark T0+500: the 09:00 bar closes */
	char id[64];
	snprintf(id, sizeof id, "A|1m|%lld", T0 - 60000);
	const struct bar *b = find(&s, id, 1);
	assert_non_null(b);
	assert_int_equal(b->trades, 2);
	assert_float_equal(b->open, 400, 0); /* earliest event time, not first arrival */
	assert_float_equal(b->close, 100, 0);
	assert_float_equal(b->vwap, 250, 1e-12);
	assert_int_equal(s.part[0], 0);
	feed(a, 0, "A", d, T0 - 100, 600, 1); /* late for 1m: dropped there, counted */
	assert_int_equal(vs_agg_stats(a)->late_ticks, 1);
	assert_int_equal(vs_agg_stats(a)->late, 1);
	int before = s.n;
	vs_agg_flush_dirty(a); /* in-progress: the 09:01 bar and the daily bar */
	assert_int_equal(s.n, before + 2);
	snprintf(id, sizeof id, "A|1m|%lld", T0);
	b = find(&s, id, 0);
	assert_non_null(b);
	assert_int_equal(b->trades, 3);
	/* A bar's cum VWAP is the day's after the bar's last tick (500)... */
	assert_float_equal(b->cum_vwap, 300, 1e-12);
	/* ...and the late tick still counts in the day: the daily bar has it. */
	snprintf(id, sizeof id, "A|1d|%lld", T0 - 60000 - 9 * 3600000LL);
	b = find(&s, id, 0);
	assert_non_null(b);
	assert_int_equal(b->trades, 6);
	assert_float_equal(b->cum_vwap, 350, 1e-12);
	vs_agg_flush_dirty(a);
	assert_int_equal(s.n, before + 2); /* nothing changed: nothing re-sent */
	vs_agg_free(a);
}

static void test_day_change_and_other_day(void **state)
{
	(void)state;
	struct sink s = {0};
	struct vs_agg *a = vs_agg_new(&conf, &krx, &us, capture, &s);
	feed(a, 1, "B", "2026-11-19", T0 - 86400000, 10, 5);
	assert_int_equal(feed(a, 1, "B", "2026-11-20", T0, 20, 5), VS_TICK_OK);
	/* The old day's 1m and daily bars are final at the day change. */
	assert_int_equal(s.n, 2);
	assert_true(s.b[0].final && s.b[1].final);
	assert_string_equal(s.b[1].window, "1d");
	assert_string_equal(s.b[1].day, "2026-11-19");
	assert_int_equal(s.b[1].start, T0 - 60000 - 9 * 3600000LL - 86400000LL); /* KST midnight */
	assert_int_equal(feed(a, 1, "B", "2026-11-19", T0, 30, 5), VS_TICK_OTHER_DAY);
	assert_int_equal(vs_agg_stats(a)->other_day, 1);
	vs_agg_flush_dirty(a);
	const struct bar *b = &s.b[s.n - 1];
	assert_float_equal(b->cum_vwap, 20, 0); /* the sums restarted with the day */
	struct tick t;
	char reason[128];
	tick_clear(&t);
	strcpy(t.symbol, "C"), strcpy(t.exchange, "LSE"), strcpy(t.day, "2026-11-20");
	t.ts = T0, t.price = 1, t.qty = 1;
	assert_int_equal(vs_agg_tick(a, 1, &t, reason, sizeof reason), VS_TICK_REJECT);
	assert_non_null(strstr(reason, "exchange"));
	vs_agg_free(a);
}

static void test_muted_and_drop(void **state)
{
	(void)state;
	struct sink s = {0};
	struct vs_agg *a = vs_agg_new(&conf, &krx, &us, capture, &s);
	vs_agg_set_muted(a, 1);
	feed(a, 2, "D", "2026-11-20", T0, 10, 1);
	feed(a, 2, "D", "2026-11-20", T0 + 70000, 11, 1); /* closes 09:01 while muted */
	vs_agg_flush_dirty(a);
	assert_int_equal(s.n, 0);
	vs_agg_set_muted(a, 0);
	assert_int_equal(vs_agg_max_ts(a, 2), T0 + 70000);
	feed(a, 2, "D", "2026-11-20", T0 + 130000, 12, 1); /* closes 09:02: emitted */
	assert_int_equal(s.n, 1);
	assert_true(s.b[0].final);
	assert_int_equal(s.b[0].start, T0 + 60000);
	vs_agg_drop_partition(a, 2);
	assert_int_equal(vs_agg_max_ts(a, 2), INT64_MIN);
	vs_agg_flush_dirty(a);
	assert_int_equal(s.n, 1); /* dropped state emits nothing */
	vs_agg_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lateness_at_edges),
		cmocka_unit_test(test_day_change_and_other_day),
		cmocka_unit_test(test_muted_and_drop),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
