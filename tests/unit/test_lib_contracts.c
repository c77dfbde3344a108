/* Unit tests: the topic contracts (tick, bar, anomaly, dlq) and the JSON writer,
 * each checked against cJSON's reading of what we wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "anomaly.h"
#include "b64.h"
#include "bar.h"
#include "dlq.h"
#include "jsonw.h"
#include "tick.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct tick sample_tick(void)
{
	struct tick t;
	tick_clear(&t);
	strcpy(t.id, "kis|005930|20261123|090001|1");
	strcpy(t.source, "kis");
	strcpy(t.symbol, "005930");
	strcpy(t.exchange, "KRX");
	strcpy(t.day, "2026-11-23");
	strcpy(t.side, "buy");
	t.ts = 1763856001000;
	t.recv_ts = 1763856001004;
	t.price = 71000;
	t.qty = 10;
	t.cum_volume = 1520;
	t.cum_turnover = 107920000;
	t.feed_vwap = 71000;
	return t;
}

static void tick_round_trip(void **s)
{
	(void)s;
	struct tick t = sample_tick(), back;
	char buf[TICK_JSON_MAX], reason[128];
	size_t n = tick_encode(&t, buf, sizeof buf);
	assert_true(n > 0);
	assert_int_equal(tick_decode(buf, n, &back, reason, sizeof reason), 0);
	assert_string_equal(back.id, t.id);
	assert_string_equal(back.day, t.day);
	assert_string_equal(back.side, "buy");
	assert_true(back.ts == t.ts && back.recv_ts == t.recv_ts);
	assert_true(back.price == 71000 && back.qty == 10 && back.cum_turnover == 107920000);
	/* optional members are omitted when absent, and come back as NAN */
	t.cum_volume = t.cum_turnover = t.feed_vwap = NAN;
	t.side[0] = '\0';
	t.price = 187.33;
	n = tick_encode(&t, buf, sizeof buf);
	assert_null(strstr(buf, "cum_volume"));
	assert_non_null(strstr(buf, "\"price\":187.33,"));
	assert_int_equal(tick_decode(buf, n, &back, reason, sizeof reason), 0);
	assert_true(isnan(back.cum_volume) && back.price == 187.33);
}

static void tick_rejections_have_reasons(void **s)
{
	(void)s;
	struct tick t;
	char reason[128];
	const struct { const char *json, *want; } cases[] = {
		{"not json", "not valid JSON"},
		{"[1,2]", "not a JSON object"},
		{"{\"v\":2}", "unsupported schema version"},
		{"{\"v\":1,\"id\":\"x\",\"source\":\"kis\",\"symbol\":\"A\",\"exchange\":\"KRX\",\"ts\":1,\"day\":\"2026-11-23\",\"qty\":1}", "missing field price"},
		{"{\"v\":1,\"id\":\"x\",\"source\":\"kis\",\"symbol\":\"A\",\"exchange\":\"KRX\",\"ts\":1,\"day\":\"2026-11-23\",\"price\":\"5\",\"qty\":1}", "field price must be a finite number"},
		{"{\"v\":1,\"id\":\"x\",\"source\":\"kis\",\"symbol\":\"A\",\"exchange\":\"KRX\",\"ts\":1,\"day\":\"2026-13-23\",\"price\":5,\"qty\":1}", "day must be YYYY-MM-DD"},
		{"{\"v\":1,\"id\":\"x\",\"source\":\"kis\",\"symbol\":\"A\",\"exchange\":\"KRX\",\"ts\":1,\"day\":\"2026-11-23\",\"price\":-5,\"qty\":1}", "price must be a positive number"},
		{"{\"v\":1,\"id\":\"x\",\"source\":\"kis\",\"symbol\":\"A\",\"exchange\":\"KRX\",\"ts\":1.5,\"day\":\"2026-11-23\",\"price\":5,\"qty\":1}", "field ts must be an integer"},
		{"{\"v\":1,\"id\":\"x\",\"source\":\"kis\",\"symbol\":\"A\",\"exchange\":\"KRX\",\"ts\":1,\"day\":\"2026-11-23\",\"price\":5,\"qty\":1,\"side\":\"up\"}", "side must be buy or sell"},
		{"{\"v\":1,\"id\":\"x\",\"source\":\"kis\",\"symbol\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ\",\"exchange\":\"KRX\",\"ts\":1,\"day\":\"2026-11-23\",\"price\":5,\"qty\":1}", "field symbol longer than"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		reason[0] = '\0';
		assert_int_equal(tick_decode(cases[i].json, strlen(cases[i].json), &t, reason, sizeof reason), -1);
		if (!strstr(reason, cases[i].want))
			fail_msg("case %zu: reason \"%s\" lacks \"%s\"", i, reason, cases[i].want);
	}
}

static void jsonw_escapes_and_numbers(void **s)
{
	(void)s;
	char buf[256];
	struct jw w;
	jw_init(&w, buf, sizeof buf);
	jw_open(&w, NULL);
	jw_str(&w, "s", "a\"b\\c\n\x01");
	jw_num(&w, "pi", 3.141592653589793);
	jw_num(&w, "tenth", 0.1);
	jw_num(&w, "big", 123456789012.0);
	jw_num(&w, "nan", NAN);
	jw_int(&w, "neg", -42);
	jw_open(&w, "o");
	jw_bool(&w, "t", 1);
	jw_close(&w);
	jw_close(&w);
	assert_true(jw_finish(&w) > 0);
	assert_string_equal(buf, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"pi\":3.141592653589793,\"tenth\":0.1,"
	                         "\"big\":123456789012,\"nan\":null,\"neg\":-42,\"o\":{\"t\":true}}");
	cJSON *o = cJSON_Parse(buf);
	assert_non_null(o);
	assert_string_equal(cJSON_GetObjectItem(o, "s")->valuestring, "a\"b\\c\n\x01");
	assert_true(cJSON_GetObjectItem(o, "pi")->valuedouble == 3.141592653589793);
	cJSON_Delete(o);
	/* overflow is reported, never a truncated document */
	jw_init(&w, buf, 8);
	jw_open(&w, NULL);
	jw_str(&w, "key", "value");
	jw_close(&w);
	assert_int_equal(jw_finish(&w), 0);
}

/* Strings and numbers are copied in one step when the buffer has room: at
 * every buffer size the writer yields the whole document or nothing. */
static void jsonw_every_buffer_size(void **s)
{
	(void)s;
	char want[256], buf[256];
	size_t full = 0;
	for (size_t cap = sizeof buf; cap > 0; cap--) {
		struct jw w;
		jw_init(&w, buf, cap);
		jw_open(&w, NULL);
		jw_str(&w, "id", "005930|1m|1795132800000");
		jw_str(&w, "q\"k", "tab\there");
		jw_num(&w, "vwap", 70012.123456789);
		jw_int(&w, "start", 1795132800000);
		jw_num(&w, "whole", 42.0);
		jw_kstr(&w, JW_KEY("sym"), "005930");
		jw_kint(&w, JW_KEY("n"), -7);
		jw_knum(&w, JW_KEY("x"), 0.1);
		jw_kbool(&w, JW_KEY("final"), 1);
		jw_close(&w);
		size_t n = jw_finish(&w);
		if (cap == sizeof buf) {
			full = n;
			memcpy(want, buf, n + 1);
			assert_string_equal(want, "{\"id\":\"005930|1m|1795132800000\",\"q\\\"k\":"
			                          "\"tab\\there\",\"vwap\":70012.123456789,"
			                          "\"start\":1795132800000,\"whole\":42,\"sym\":\"005930\","
			                          "\"n\":-7,\"x\":0.1,\"final\":true}");
		} else if (cap > full) {
			assert_int_equal(n, full);
			assert_string_equal(buf, want);
		} else {
			assert_int_equal(n, 0);
		}
	}
}

static void bar_round_trip_with_indicators(void **s)
{
	(void)s;
	struct bar b = {0}, back;
	strcpy(b.symbol, "005930");
	strcpy(b.exchange, "KRX");
	strcpy(b.window, "1m");
	strcpy(b.day, "2026-11-23");
	b.start = 1763856000000;
	b.end = b.start + 60000;
	b.open = 71000, b.high = 71200, b.low = 70900, b.close = 71100;
	b.volume = 1520, b.turnover = 107920000, b.vwap = 71000, b.cum_vwap = 70950.5;
	b.trades = 42, b.final = 1, b.updated_ts = b.end + 3;
	bar_make_id(&b);
	assert_string_equal(b.id, "005930|1m|1763856000000");
	bar_add_ind(&b, "sma_5", 71020);
	bar_add_ind(&b, "ema_5", 71033.25);
	bar_add_ind(&b, "volatility", NAN); /* not enough values yet: omitted */
	strcpy(b.cross, "golden");
	char buf[BAR_JSON_MAX], reason[128];
	size_t n = bar_encode(&b, buf, sizeof buf);
	assert_true(n > 0);
	assert_null(strstr(buf, "volatility"));
	assert_int_equal(bar_decode(buf, n, &back, reason, sizeof reason), 0);
	assert_string_equal(back.id, b.id);
	assert_true(back.final && back.trades == 42 && back.cum_vwap == 70950.5);
	assert_int_equal(back.nind, 2);
	assert_true(bar_ind(&back, "ema_5") == 71033.25);
	assert_string_equal(back.cross, "golden");
	/* low above open is not a bar */
	b.low = 71050;
	n = bar_encode(&b, buf, sizeof buf);
	assert_int_equal(bar_decode(buf, n, &back, reason, sizeof reason), -1);
	assert_non_null(strstr(reason, "low <= open"));
}

/* The CI failure this order fixes: after a rebalance, the new owner's final
 * bar carried an older updated_ts than the old owner's last update, and
 * Elasticsearch kept the update with 23 trades fewer. */
static void bar_revision_orders_versions_by_content(void **s)
{
	(void)s;
	struct bar update = {.trades = 83, .final = 0, .updated_ts = 2000};
	struct bar more = {.trades = 106, .final = 0, .updated_ts = 1000};
	struct bar final = {.trades = 106, .final = 1, .updated_ts = 900};
	assert_true(bar_revision(&update) > 0);
	assert_true(bar_revision(&more) > bar_revision(&update));
	assert_true(bar_revision(&final) > bar_revision(&more));
	struct bar empty = {.trades = 0}, huge = {.trades = INT64_MAX, .final = 1},
	           negative = {.trades = -5};
	assert_true(bar_revision(&empty) == 1);
	assert_true(bar_revision(&negative) == 1);
	assert_true(bar_revision(&huge) > bar_revision(&final)); /* clamped, no overflow */
}

static void anomaly_embeds_original(void **s)
{
	(void)s;
	const char *orig = "{\"v\":1,\"symbol\":\"005930\",\"price\":71000}";
	struct anomaly a = {.ts = 1763856001000, .observed = 3.2, .threshold = 3.0};
	strcpy(a.id, "r1|005930|1763852400000");
	strcpy(a.rule_id, "r1");
	strcpy(a.kind, "vwap_deviation");
	strcpy(a.symbol, "005930");
	strcpy(a.message, "price 3.2% above VWAP");
	a.original = orig;
	a.original_len = strlen(orig);
	char buf[1024], reason[128];
	size_t n = anomaly_encode(&a, buf, sizeof buf);
	assert_true(n > 0);
	struct anomaly back;
	assert_int_equal(anomaly_decode(buf, n, &back, reason, sizeof reason), 0);
	assert_string_equal(back.kind, "vwap_deviation");
	cJSON *o = cJSON_Parse(back.original);
	assert_int_equal((int)cJSON_GetObjectItem(o, "price")->valuedouble, 71000);
	cJSON_Delete(o);
	anomaly_free_original(&back);
}

static void dlq_keeps_bytes(void **s)
{
	(void)s;
	struct dlq_entry e = {"vwap-stream", "not valid JSON", "ticks", 3, 1042, "{\"bad", 5};
	size_t n;
	char *json = dlq_encode(&e, &n);
	cJSON *o = cJSON_Parse(json);
	assert_non_null(o);
	assert_string_equal(cJSON_GetObjectItem(o, "original")->valuestring, "{\"bad");
	assert_int_equal((int)cJSON_GetObjectItem(o, "offset")->valuedouble, 1042);
	assert_string_equal(cJSON_GetObjectItem(o, "reason")->valuestring, "not valid JSON");
	cJSON_Delete(o);
	free(json);
	/* not UTF-8: base64, and decoding gives the exact bytes back */
	const unsigned char bin[] = {0xff, 0x00, 0xc3, 0x28, 'x'};
	e.original = bin;
	e.original_len = sizeof bin;
	json = dlq_encode(&e, &n);
	o = cJSON_Parse(json);
	const char *b = cJSON_GetObjectItem(o, "original_b64")->valuestring;
	unsigned char back[16];
	assert_int_equal(b64_decode(b, strlen(b), back), (long)sizeof bin);
	assert_memory_equal(back, bin, sizeof bin);
	cJSON_Delete(o);
	free(json);
}

static void utf8_validation(void **s)
{
	(void)s;
	assert_true(dlq_is_utf8("plain", 5));
	assert_true(dlq_is_utf8("\xec\x82\xbc\xec\x84\xb1", 6)); /* 삼성 */
	assert_false(dlq_is_utf8("\xc0\xaf", 2));                 /* overlong */
	assert_false(dlq_is_utf8("\xed\xa0\x80", 3));             /* surrogate */
	assert_false(dlq_is_utf8("\xe3\x81", 2));                 /* truncated */
	assert_false(dlq_is_utf8("a\0b", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tick_round_trip),
		cmocka_unit_test(tick_rejections_have_reasons),
		cmocka_unit_test(jsonw_escapes_and_numbers),
		cmocka_unit_test(jsonw_every_buffer_size),
		cmocka_unit_test(bar_round_trip_with_indicators),
		cmocka_unit_test(bar_revision_orders_versions_by_content),
		cmocka_unit_test(anomaly_embeds_original),
		cmocka_unit_test(dlq_keeps_bytes),
		cmocka_unit_test(utf8_validation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
