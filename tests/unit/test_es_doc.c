/* Unit tests: es-sink's records → bulk items (index per KST day, _id, external
 * version, contract checks) and batching limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../es-sink/es_batch.h"
#include "../../es-sink/es_doc.h"

#include <stdio.h>
#include <string.h>

static const char *bar_json =
	"{\"v\":1,\"id\":\"005930|1m|1763856000000\",\"symbol\":\"005930\",\"exchange\":\"KRX\","
	"\"window\":\"1m\",\"start\":1763856000000,\"end\":1763856060000,\"day\":\"2025-11-23\","
	"\"open\":71000,\"high\":71200,\"low\":70900,\"close\":71100,\"volume\":1520,"
	"\"turnover\":107920000,\"vwap\":71000,\"trades\":42,\"cum_vwap\":70950.5,"
	"\"final\":true,\"updated_ts\":1763856061003,\"sma_5\":71020}";

static void index_names(void **st)
{
	(void)st;
	char out[64];
	assert_int_equal(es_index_name("tickpipe", ES_BARS, "2026-11-23", out, sizeof out), 0);
	assert_string_equal(out, "tickpipe-bars-2026.11.23");
	assert_int_equal(es_index_name("p", ES_ANOMALIES, "2026-01-02", out, sizeof out), 0);
	assert_string_equal(out, "p-anomalies-2026.01.02");
	assert_int_equal(es_index_name("p", ES_TICKS, "2026-13-02", out, sizeof out), -1);
	assert_int_equal(es_index_name("p", ES_TICKS, "20261102", out, sizeof out), -1);
	assert_int_equal(es_index_name("a-very-long-prefix", ES_BARS, "2026-11-23", out, 20), -1);
}

static void prefix_validation(void **st)
{
	(void)st;
	assert_true(es_prefix_valid("tickpipe"));
	assert_true(es_prefix_valid("tickpipe-test-3f2a.v1_x"));
	assert_false(es_prefix_valid(""));
	assert_false(es_prefix_valid(NULL));
	assert_false(es_prefix_valid("TickPipe")); /* index names are lowercase */
	assert_false(es_prefix_valid("-x"));
	assert_false(es_prefix_valid("_x"));
	assert_false(es_prefix_valid("a b"));
	assert_false(es_prefix_valid("a*"));
	assert_false(es_prefix_valid("a/b"));
}

static void kst_day_boundaries(void **st)
{
	(void)st;
	char d[11];
	es_kst_day(1763856000000LL, d); /* 2025-11-23 00:00 UTC = 09:00 KST */
	assert_string_equal(d, "2025-11-23");
	es_kst_day(1763856000000LL + 15 * 3600000LL - 1, d); /* 23:59:59.999 KST */
	assert_string_equal(d, "2025-11-23");
	es_kst_day(1763856000000LL + 15 * 3600000LL, d); /* midnight KST */
	assert_string_equal(d, "2025-11-24");
	es_kst_day(-9 * 3600000LL - 1, d); /* just before 1970-01-01 00:00 KST */
	assert_string_equal(d, "1969-12-31");
}

static void bar_to_item(void **st)
{
	(void)st;
	struct es_doc d;
	char reason[200];
	assert_int_equal(es_doc_from_payload(ES_BARS, "tp", bar_json, strlen(bar_json), &d, reason,
	                                     sizeof reason), 0);
	assert_string_equal(d.index, "tp-bars-2025.11.23");
	assert_string_equal(d.id, "005930|1m|1763856000000");
	assert_true(d.version == 2 * 42 + 1 + 1); /* bar_revision: trades and final, not updated_ts */
	assert_ptr_equal(d.src, bar_json); /* passed through, not copied */
	assert_null(d.owned);
	es_doc_free(&d);
}

static void multi_line_payload_made_single_line(void **st)
{
	(void)st;
	char pretty[1024];
	snprintf(pretty, sizeof pretty, "%.*s,\n  \"cross\":\"dead\"}", (int)strlen(bar_json) - 1, bar_json);
	struct es_doc d;
	char reason[200];
	assert_int_equal(es_doc_from_payload(ES_BARS, "tp", pretty, strlen(pretty), &d, reason,
	                                     sizeof reason), 0);
	assert_non_null(d.owned);
	assert_null(memchr(d.src, '\n', d.len));
	assert_non_null(strstr(d.src, "\"cross\":\"dead\""));
	es_doc_free(&d);
}

static void contract_violations_rejected(void **st)
{
	(void)st;
	struct es_doc d;
	char reason[200];
	assert_int_equal(es_doc_from_payload(ES_BARS, "tp", "{\"v\":1", 6, &d, reason, sizeof reason), -1);
	assert_true(reason[0]);
	assert_int_equal(es_doc_from_payload(ES_BARS, "tp", "", 0, &d, reason, sizeof reason), -1);
	assert_string_equal(reason, "empty message");
	const char *tick = "{\"v\":1,\"id\":\"t1\",\"source\":\"sim\",\"symbol\":\"005930\","
	                   "\"exchange\":\"KRX\",\"ts\":1763856001000,\"day\":\"2025-11-23\","
	                   "\"price\":71000,\"qty\":10}";
	/* A tick on the bars topic lacks the bar's members. */
	assert_int_equal(es_doc_from_payload(ES_BARS, "tp", tick, strlen(tick), &d, reason, sizeof reason), -1);
	assert_non_null(strstr(reason, "missing field"));
	assert_int_equal(es_doc_from_payload(ES_TICKS, "tp", tick, strlen(tick), &d, reason, sizeof reason), 0);
	assert_string_equal(d.index, "tp-ticks-2025.11.23");
	assert_true(d.version == 0);
	es_doc_free(&d);
}

static void batch_limits(void **st)
{
	(void)st;
	struct es_batch b = {0};
	struct es_limits l = {.max_docs = 3, .max_bytes = 1000, .max_ms = 50};
	struct es_doc d = {.src = "{}", .len = 2};
	assert_false(es_batch_full(&b, &l, 0));
	assert_int_equal(es_batch_wait_ms(&b, &l, 0), 50);
	es_batch_add(&b, NULL, &d, NULL, 100);
	assert_false(es_batch_full(&b, &l, 120));
	assert_int_equal(es_batch_wait_ms(&b, &l, 120), 30);
	assert_true(es_batch_full(&b, &l, 150)); /* age */
	es_batch_add(&b, NULL, &d, NULL, 140);
	es_batch_add(&b, NULL, NULL, "bad json", 141);
	assert_int_equal(b.items[2].state, ES_DEAD);
	assert_string_equal(b.items[2].reason, "bad json");
	assert_true(es_batch_full(&b, &l, 101)); /* count */
	es_batch_clear(&b);
	assert_int_equal(b.n, 0);
	assert_false(es_batch_full(&b, &l, 10000));
	struct es_doc big = {.src = "x", .len = 900};
	es_batch_add(&b, NULL, &big, NULL, 0);
	assert_true(es_batch_full(&b, &l, 0)); /* bytes, counting the action line */
	for (int k = 0; k < 3000; k++) /* growth */
		es_batch_add(&b, NULL, &d, NULL, 0);
	assert_int_equal(b.n, 3001);
	es_batch_free(&b);
}

static struct es_doc versioned(const char *id, int64_t version, const char *index)
{
	struct es_doc d = {.src = "{}", .len = 2, .version = version};
	snprintf(d.id, sizeof d.id, "%s", id);
	snprintf(d.index, sizeof d.index, "%s", index);
	return d;
}

static int pending(const struct es_batch *b)
{
	int n = 0;
	for (int k = 0; k < b->n; k++)
		n += b->items[k].state == ES_PENDING;
	return n;
}

static void in_progress_versions_collapse(void **st)
{
	(void)st;
	struct es_batch b = {0};
	struct es_doc v1 = versioned("A|1m|0", 100, "i1"), v3 = versioned("A|1m|0", 300, "i1"),
	              v2 = versioned("A|1m|0", 200, "i1"), other = versioned("B|1m|0", 100, "i1"),
	              other_index = versioned("A|1m|0", 50, "i2"), plain = versioned("A|1m|0", 0, "i1");
	es_batch_add(&b, NULL, &v1, NULL, 0);
	es_batch_add(&b, NULL, &v3, NULL, 0);
	es_batch_add(&b, NULL, &v2, NULL, 0); /* older, arrives late: never sent */
	es_batch_add(&b, NULL, &other, NULL, 0);
	es_batch_add(&b, NULL, &other_index, NULL, 0);
	es_batch_add(&b, NULL, &plain, NULL, 0); /* unversioned: always sent */
	/* One item per document: v3 took v1's item, v2 (older) collapsed into it. */
	assert_int_equal(b.n, 4);
	assert_int_equal(pending(&b), 4);
	assert_int_equal(b.items[0].doc.version, 300);
	assert_string_equal(b.items[1].doc.id, "B|1m|0");
	assert_int_equal(b.items[2].doc.version, 50);
	assert_int_equal(b.items[3].doc.version, 0);
	assert_int_equal(b.collapsed, 2);
	assert_int_equal(b.bytes, 4 * (2 + 128));
	es_batch_clear(&b);
	/* Many ids: the table grows and rehashes without losing track; a second
	 * version of each takes the first's item. */
	char id[32];
	for (int round = 0; round < 2; round++)
		for (int k = 0; k < 5000; k++) {
			snprintf(id, sizeof id, "S%d|1m|0", k);
			struct es_doc d = versioned(id, 1 + round, "i");
			es_batch_add(&b, NULL, &d, NULL, 0);
		}
	assert_int_equal(b.n, 5000);
	assert_int_equal(pending(&b), 5000);
	assert_int_equal(b.collapsed, 5000);
	for (int k = 0; k < 5000; k++)
		assert_int_equal(b.items[k].doc.version, 2);
	es_batch_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(index_names),
		cmocka_unit_test(prefix_validation),
		cmocka_unit_test(kst_day_boundaries),
		cmocka_unit_test(bar_to_item),
		cmocka_unit_test(multi_line_payload_made_single_line),
		cmocka_unit_test(contract_violations_rejected),
		cmocka_unit_test(batch_limits),
		cmocka_unit_test(in_progress_versions_collapse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
