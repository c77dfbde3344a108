/* Unit tests: es-sink's bulk body builder (checked by reading it back with
 * cJSON, line by line) and the bulk response parser's per-item classification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../es-sink/es_bulk.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct es_doc doc(const char *index, const char *id, int64_t version, const char *src)
{
	struct es_doc d = {0};
	snprintf(d.index, sizeof d.index, "%s", index);
	snprintf(d.id, sizeof d.id, "%s", id);
	d.version = version;
	d.src = src;
	d.len = strlen(src);
	return d;
}

static char *line(char **cur)
{
	char *nl = strchr(*cur, '\n');
	assert_non_null(nl);
	*nl = '\0';
	char *l = *cur;
	*cur = nl + 1;
	return l;
}

static void body_is_ndjson_with_versions(void **st)
{
	(void)st;
	struct es_buf b = {0};
	struct es_doc d1 = doc("tp-bars-2026.11.23", "005930|1m|1763856000000", 1763856061003,
	                       "{\"v\":1,\"close\":71100}");
	struct es_doc d2 = doc("tp-ticks-2026.11.23", "quote\"and\\slash", 0, "{\"v\":1}");
	assert_int_equal(es_bulk_append(&b, &d1), 0);
	assert_int_equal(es_bulk_append(&b, &d2), 0);
	assert_int_equal(b.p[b.len - 1], '\n'); /* the bulk API needs the final newline */
	char *copy = strdup(b.p), *cur = copy;
	cJSON *a1 = cJSON_Parse(line(&cur));
	const cJSON *ix = cJSON_GetObjectItem(a1, "index");
	assert_string_equal(cJSON_GetObjectItem(ix, "_index")->valuestring, "tp-bars-2026.11.23");
	assert_string_equal(cJSON_GetObjectItem(ix, "_id")->valuestring, "005930|1m|1763856000000");
	assert_true(cJSON_GetObjectItem(ix, "version")->valuedouble == 1763856061003.0);
	assert_string_equal(cJSON_GetObjectItem(ix, "version_type")->valuestring, "external_gte");
	assert_string_equal(line(&cur), "{\"v\":1,\"close\":71100}");
	cJSON *a2 = cJSON_Parse(line(&cur));
	ix = cJSON_GetObjectItem(a2, "index");
	assert_string_equal(cJSON_GetObjectItem(ix, "_id")->valuestring, "quote\"and\\slash");
	assert_null(cJSON_GetObjectItem(ix, "version")); /* unversioned kinds: plain overwrite */
	assert_string_equal(line(&cur), "{\"v\":1}");
	assert_string_equal(cur, "");
	cJSON_Delete(a1);
	cJSON_Delete(a2);
	free(copy);
	es_buf_reset(&b);
	assert_int_equal(b.len, 0);
	es_buf_free(&b);
}

static void body_grows_past_initial_capacity(void **st)
{
	(void)st;
	struct es_buf b = {0};
	char *big = malloc(200000);
	memset(big, 'x', 199999);
	big[0] = '"';
	big[199998] = '"';
	big[199999] = '\0';
	struct es_doc d = doc("i", "1", 0, big);
	for (int k = 0; k < 5; k++)
		assert_int_equal(es_bulk_append(&b, &d), 0);
	assert_true(b.len > 5 * 200000);
	assert_int_equal(strlen(b.p), b.len);
	free(big);
	es_buf_free(&b);
}

static void classification(void **st)
{
	(void)st;
	assert_int_equal(es_item_classify(200, NULL), ES_ITEM_OK);
	assert_int_equal(es_item_classify(201, NULL), ES_ITEM_OK);
	assert_int_equal(es_item_classify(409, "version_conflict_engine_exception"), ES_ITEM_SUPERSEDED);
	assert_int_equal(es_item_classify(409, "other_conflict"), ES_ITEM_FAIL);
	assert_int_equal(es_item_classify(429, "es_rejected_execution_exception"), ES_ITEM_RETRY);
	assert_int_equal(es_item_classify(503, "unavailable_shards_exception"), ES_ITEM_RETRY);
	assert_int_equal(es_item_classify(500, NULL), ES_ITEM_RETRY);
	assert_int_equal(es_item_classify(0, NULL), ES_ITEM_RETRY);
	assert_int_equal(es_item_classify(400, "mapper_parsing_exception"), ES_ITEM_FAIL);
	assert_int_equal(es_item_classify(404, "index_not_found_exception"), ES_ITEM_FAIL);
	/* Read-only block at disk flood stage: 403 per item in 7.x, retried, never dead-lettered. */
	assert_int_equal(es_item_classify(403, "cluster_block_exception"), ES_ITEM_RETRY);
}

static void fast_path_all_ok(void **st)
{
	(void)st;
	const char *r = "{\"errors\":false,\"items\":[{\"index\":{\"status\":201}},{\"index\":{\"status\":200}}]}";
	struct es_item_result res[2];
	char err[64];
	assert_int_equal(es_bulk_parse(r, strlen(r), 2, res, err, sizeof err), 0);
	assert_int_equal(res[0].cls, ES_ITEM_OK);
	assert_int_equal(res[1].cls, ES_ITEM_OK);
	/* Unfiltered responses put "took" first. */
	const char *r2 = "{\"took\":30,\"errors\":false,\"items\":[{\"index\":{\"status\":201}}]}";
	assert_int_equal(es_bulk_parse(r2, strlen(r2), 1, res, err, sizeof err), 0);
}

static void mixed_items_each_classified(void **st)
{
	(void)st;
	const char *r =
		"{\"errors\":true,\"items\":["
		"{\"index\":{\"status\":201}},"
		"{\"index\":{\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\","
		"\"reason\":\"failed to parse field [sma_5] of type [double]\","
		"\"caused_by\":{\"type\":\"number_format_exception\",\"reason\":\"For input string: \\\"x\\\"\"}}}},"
		"{\"index\":{\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"queue full\"}}},"
		"{\"index\":{\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\",\"reason\":\"newer\"}}},"
		"{\"index\":{\"status\":503,\"error\":{\"type\":\"unavailable_shards_exception\",\"reason\":\"primary\"}}}]}";
	struct es_item_result res[6];
	char err[64];
	/* Six expected, five answered: the sixth is retried, never assumed indexed. */
	assert_int_equal(es_bulk_parse(r, strlen(r), 6, res, err, sizeof err), 4);
	assert_int_equal(res[0].cls, ES_ITEM_OK);
	assert_int_equal(res[1].cls, ES_ITEM_FAIL);
	assert_int_equal(res[1].status, 400);
	assert_string_equal(res[1].reason, "mapper_parsing_exception: failed to parse field [sma_5] of "
	                                   "type [double] (caused by number_format_exception: For "
	                                   "input string: \"x\")");
	assert_int_equal(res[2].cls, ES_ITEM_RETRY);
	assert_int_equal(res[3].cls, ES_ITEM_SUPERSEDED);
	assert_int_equal(res[4].cls, ES_ITEM_RETRY);
	assert_int_equal(res[5].cls, ES_ITEM_RETRY);
	assert_int_equal(res[5].status, 0);
}

static void garbage_is_not_a_response(void **st)
{
	(void)st;
	struct es_item_result res[1];
	char err[64];
	const char *bad[] = {"", "<html>bad gateway</html>", "{\"errors\":true}", "[1,2]",
	                     "{\"errors\":true,\"items\":{}}"};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		assert_int_equal(es_bulk_parse(bad[k], strlen(bad[k]), 1, res, err, sizeof err), -1);
	assert_int_equal(es_bulk_parse(NULL, 0, 1, res, err, sizeof err), -1);
	/* Items that are not objects: no status, so retried. */
	const char *odd = "{\"errors\":true,\"items\":[7,{\"index\":\"x\"}]}";
	struct es_item_result r2[2];
	assert_int_equal(es_bulk_parse(odd, strlen(odd), 2, r2, err, sizeof err), 2);
	assert_int_equal(r2[0].cls, ES_ITEM_RETRY);
	assert_int_equal(r2[1].cls, ES_ITEM_RETRY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(body_is_ndjson_with_versions),
		cmocka_unit_test(body_grows_past_initial_capacity),
		cmocka_unit_test(classification),
		cmocka_unit_test(fast_path_all_ok),
		cmocka_unit_test(mixed_items_each_classified),
		cmocka_unit_test(garbage_is_not_a_response),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
