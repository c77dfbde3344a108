/* Unit tests: collector Finnhub parsing, replay formats, sharding, URLs, ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../collector/archive.h"
#include "../../collector/finnhub.h"
#include "../../collector/hours.h"
#include "../../collector/replay.h"
#include "../../collector/session.h"
#include "../../collector/shard.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

struct got {
	struct tick t[8];
	int n;
};

static int collect(void *opaque, const struct tick *t)
{
	struct got *g = opaque;
	if (g->n < 8)
		g->t[g->n++] = *t;
	return 0;
}

static void finnhub_trades(void **st)
{
	(void)st;
	const char *m = "{\"type\":\"trade\",\"data\":[{\"s\":\"AAPL\",\"p\":190.25,\"t\":1795392001123,\"v\":3,"
	                "\"c\":[\"1\",\"12\"]},{\"s\":\"MSFT\",\"p\":410,\"t\":1795392001124,\"v\":0}]}";
	struct got g = {.n = 0};
	char reason[128];
	assert_int_equal(col_fh_parse(m, strlen(m), 5, collect, &g, reason, sizeof reason), FH_TRADE);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.t[0].symbol, "AAPL");
	assert_true(g.t[0].price == 190.25 && g.t[0].qty == 3 && g.t[0].ts == 1795392001123);
	assert_string_equal(g.t[0].day, "2026-11-22"); /* New York date */
	assert_string_equal(g.t[0].exchange, "US");
	assert_true(g.t[1].qty == 0); /* a price update without volume */
	assert_string_not_equal(g.t[0].id, g.t[1].id);
	/* The same frame again: the same ids. */
	struct got h = {.n = 0};
	col_fh_parse(m, strlen(m), 99, collect, &h, reason, sizeof reason);
	assert_string_equal(g.t[1].id, h.t[1].id);
}

static void finnhub_other_messages(void **st)
{
	(void)st;
	struct got g = {.n = 0};
	char reason[128];
	assert_int_equal(col_fh_parse("{\"type\":\"ping\"}", 15, 0, collect, &g, reason, sizeof reason), FH_PING);
	const char *e = "{\"type\":\"error\",\"msg\":\"Subscribing to too many symbols\"}";
	assert_int_equal(col_fh_parse(e, strlen(e), 0, collect, &g, reason, sizeof reason), FH_ERROR);
	assert_string_equal(reason, "Subscribing to too many symbols");
	const char *bad[] = {"[]", "{\"type\":\"trade\"}", "{\"type\":\"trade\",\"data\":[{\"s\":\"A\",\"p\":\"x\",\"t\":1,\"v\":1}]}",
	                     "{\"type\":\"trade\",\"data\":[{\"s\":\"A\",\"p\":-1,\"t\":1,\"v\":1}]}", "nope"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(col_fh_parse(bad[i], strlen(bad[i]), 0, collect, &g, reason, sizeof reason), -1);
	assert_int_equal(g.n, 0);
	struct tick t;
	const char *q = "{\"c\":261.74,\"d\":1.2,\"dp\":0.46,\"h\":263.31,\"l\":260.68,\"o\":261.07,\"pc\":260.54,\"t\":1795392000}";
	assert_int_equal(col_fh_parse_quote("AAPL", q, strlen(q), 1, &t, reason, sizeof reason), 0);
	assert_true(t.price == 261.74 && t.qty == 0 && t.ts == 1795392000000);
	assert_int_equal(col_fh_parse_quote("AAPL", "{}", 2, 1, &t, reason, sizeof reason), -1);
}

static void replay_formats(void **st)
{
	(void)st;
	struct tick t;
	char reason[128];
	const char *l = "{\"timestamp\":\"2026-11-23T09:00:01.250+09:00\",\"symbol\":\"005930\",\"price\":71000,\"size\":7}";
	assert_int_equal(col_replay_ndjson(l, strlen(l), 4, &t, reason, sizeof reason), 0);
	assert_int_equal(t.ts, 1795392001250);
	assert_string_equal(t.exchange, "KRX");
	assert_string_equal(t.id, "replay|005930|1795392001250|4");
	char row[] = "1795392001000,AAPL,190.5,3,sell";
	int col[5] = {0, 1, 2, 3, 4};
	assert_int_equal(col_replay_csv(row, col, 2, &t, reason, sizeof reason), 0);
	assert_string_equal(t.side, "sell");
	assert_string_equal(t.exchange, "US");
	int64_t ms;
	assert_int_equal(col_parse_time("2026-11-23T00:00:00Z", &ms), 0);
	assert_int_equal(ms, 1795392000000);
	assert_int_equal(col_parse_time("2026-11-23T00:00:00", &ms), -1); /* no offset: ambiguous */
	assert_int_equal(col_replay_ndjson("{\"symbol\":\"A\"}", 14, 1, &t, reason, sizeof reason), -1);
}

static void shard_plan_and_refusal(void **st)
{
	(void)st;
	int per;
	char err[256];
	assert_int_equal(col_shard_plan(82, 2, 41, &per, err, sizeof err), 0);
	assert_int_equal(per, 41);
	assert_int_equal(col_shard_plan(83, 2, 41, &per, err, sizeof err), -1);
	assert_non_null(strstr(err, "3 appkeys"));
	assert_int_equal(col_shard_plan(2539, 62, 41, &per, err, sizeof err), 0);
	char(*sym)[16];
	int n = col_parse_symbols("005930, 000660\n# comment 123456\n035420", &sym, err, sizeof err);
	assert_int_equal(n, 3);
	assert_string_equal(sym[2], "035420");
	assert_int_equal(col_shard_filter(sym, n, 1, 2), 1);
	assert_string_equal(sym[0], "000660");
	free(sym);
	assert_int_equal(col_parse_symbols("005930,005930", &sym, err, sizeof err), -1);
	struct col_cred *c;
	n = col_parse_creds("# keys\nAK1:S1\n\n  AK2:S2  \n", &c, err, sizeof err);
	assert_int_equal(n, 2);
	assert_string_equal(c[1].appkey, "AK2");
	assert_string_equal(c[1].secret, "S2");
	col_free_creds(c, n);
	assert_int_equal(col_parse_creds("AK1\n", &c, err, sizeof err), -1);
	log_clear_secrets();
}

static void ws_urls(void **st)
{
	(void)st;
	char host[64], path[256], err[128];
	int port, tls;
	assert_int_equal(col_parse_ws_url("wss://ws.finnhub.io?token=x", host, sizeof host, &port, path,
	                                  sizeof path, &tls, err, sizeof err), 0);
	assert_string_equal(host, "ws.finnhub.io");
	assert_int_equal(port, 443);
	assert_string_equal(path, "/?token=x");
	assert_int_equal(tls, 1);
	assert_int_equal(col_parse_ws_url("ws://ops.koreainvestment.com:21000/tryitout", host, sizeof host,
	                                  &port, path, sizeof path, &tls, err, sizeof err), 0);
	assert_int_equal(port, 21000);
	assert_string_equal(path, "/tryitout");
	assert_int_equal(col_parse_ws_url("http://x", host, sizeof host, &port, path, sizeof path, &tls, err,
	                                  sizeof err), -1);
	assert_int_equal(col_parse_ws_url("ws://h:99999", host, sizeof host, &port, path, sizeof path, &tls,
	                                  err, sizeof err), -1);
}

static void archive_ids_deterministic(void **st)
{
	(void)st;
	char a[33], b[33], c[33];
	col_archive_id("kis", "0|H0STCNT0|001|x", 16, a);
	col_archive_id("kis", "0|H0STCNT0|001|x", 16, b);
	col_archive_id("finnhub", "0|H0STCNT0|001|x", 16, c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 32);
}

static void windows(void **st)
{
	(void)st;
	struct col_window w;
	char err[128];
	assert_int_equal(col_window_init(&w, "KRX", "25:00-26:00", NULL, 1, err, sizeof err), -1);
	assert_int_equal(col_window_init(&w, "KRX", "09:00-08:00", NULL, 1, err, sizeof err), -1);
	assert_int_equal(col_window_init(&w, "KRX", "0850-1600", NULL, 1, err, sizeof err), -1);
	assert_int_equal(col_window_init(&w, "KRX", "08:50-16:00", NULL, 1, err, sizeof err), 0);
	assert_true(col_window_open(&w, 0)); /* --ignore-hours */
	col_window_free(&w);
	static const char cal[] = "2026-11-24  closed  test holiday\n";
	memset(&w, 0, sizeof w);
	w.from_min = 8 * 60 + 50, w.to_min = 16 * 60;
	w.cal.exch = EXCH_KRX;
	assert_int_equal(cal_parse(&w.cal, cal, err, sizeof err), 0);
	w.loaded = 1;
	assert_true(col_window_open(&w, 1795392000000 + 3600000));   /* Mon 2026-11-23 10:00 KST */
	assert_false(col_window_open(&w, 1795392000000 - 1200000));  /* 08:40 KST */
	assert_false(col_window_open(&w, 1795392000000 + 25200000)); /* 16:00 KST */
	assert_false(col_window_open(&w, 1795478400000 + 3600000));  /* the holiday, 10:00 */
	col_window_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finnhub_trades),
		cmocka_unit_test(finnhub_other_messages),
		cmocka_unit_test(replay_formats),
		cmocka_unit_test(shard_plan_and_refusal),
		cmocka_unit_test(ws_urls),
		cmocka_unit_test(archive_ids_deterministic),
		cmocka_unit_test(windows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
