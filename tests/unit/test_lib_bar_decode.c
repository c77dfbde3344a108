/* Unit tests: bar_decode walks the object once; it must give the answer the
 * member-by-member lookup gave (kept here as the reference) for every bar:
 * each core member missing, null, of each wrong type, duplicated, plus stray
 * members and more indicators than a bar holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "bar.h"
#include "msgutil.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const core[] = {"v", "id", "symbol", "exchange", "window", "start",
                                   "end", "day", "open", "high", "low", "close", "volume",
                                   "turnover", "vwap", "trades", "cum_vwap", "final",
                                   "updated_ts", "cross", NULL};

static int is_core(const char *k)
{
	for (int i = 0; core[i]; i++)
		if (strcmp(k, core[i]) == 0)
			return 1;
	return 0;
}

/* The decoder as it was: one cJSON lookup per member. */
static int ref_decode(const char *json, size_t len, struct bar *b, char *reason, size_t rsize)
{
	memset(b, 0, sizeof *b);
	cJSON *o = msg_parse(json, len, BAR_VERSION, reason, rsize);
	if (!o)
		return -1;
	const cJSON *fin = cJSON_GetObjectItemCaseSensitive(o, "final");
	int bad = msg_get_str(o, "id", b->id, sizeof b->id, 1, reason, rsize) ||
	          msg_get_str(o, "symbol", b->symbol, sizeof b->symbol, 1, reason, rsize) ||
	          msg_get_str(o, "exchange", b->exchange, sizeof b->exchange, 1, reason, rsize) ||
	          msg_get_str(o, "window", b->window, sizeof b->window, 1, reason, rsize) ||
	          msg_get_int(o, "start", &b->start, 1, reason, rsize) ||
	          msg_get_int(o, "end", &b->end, 1, reason, rsize) ||
	          msg_get_str(o, "day", b->day, sizeof b->day, 1, reason, rsize) ||
	          msg_get_num(o, "open", &b->open, 1, reason, rsize) ||
	          msg_get_num(o, "high", &b->high, 1, reason, rsize) ||
	          msg_get_num(o, "low", &b->low, 1, reason, rsize) ||
	          msg_get_num(o, "close", &b->close, 1, reason, rsize) ||
	          msg_get_num(o, "volume", &b->volume, 1, reason, rsize) ||
	          msg_get_num(o, "turnover", &b->turnover, 1, reason, rsize) ||
	          msg_get_num(o, "vwap", &b->vwap, 1, reason, rsize) ||
	          msg_get_int(o, "trades", &b->trades, 1, reason, rsize) ||
	          msg_get_num(o, "cum_vwap", &b->cum_vwap, 0, reason, rsize) ||
	          msg_get_int(o, "updated_ts", &b->updated_ts, 0, reason, rsize) ||
	          msg_get_str(o, "cross", b->cross, sizeof b->cross, 0, reason, rsize);
	if (!bad && fin && !cJSON_IsBool(fin)) {
		snprintf(reason, rsize, "field final must be a boolean");
		bad = 1;
	}
	b->final = cJSON_IsTrue(fin);
	const cJSON *m;
	if (!bad)
		cJSON_ArrayForEach(m, o) if (cJSON_IsNumber(m) && !is_core(m->string))
			bar_add_ind(b, m->string, m->valuedouble);
	cJSON_Delete(o);
	return bad ? -1 : bar_validate(b, reason, rsize);
}

static const char base[] =
	"{\"v\":1,\"id\":\"005930|1m|1763856000000\",\"symbol\":\"005930\",\"exchange\":\"KRX\","
	"\"window\":\"1m\",\"start\":1763856000000,\"end\":1763856060000,\"day\":\"2026-11-23\","
	"\"open\":71000,\"high\":71200,\"low\":70900,\"close\":71100,\"volume\":1520,"
	"\"turnover\":107920000,\"vwap\":71000,\"trades\":42,\"cum_vwap\":70950.5,"
	"\"final\":true,\"updated_ts\":1763856061003,\"sma_5\":71020,\"ema_5\":71033.2,"
	"\"volatility\":0.0012,\"cross\":\"golden\"}";

/* Decodes text both ways; same answer, same reason, same bar when accepted. */
static void same(const char *text, int *accepted)
{
	struct bar got, want;
	char r1[256] = "", r2[256] = "";
	int rc = bar_decode(text, strlen(text), &got, r1, sizeof r1);
	int rc_ref = ref_decode(text, strlen(text), &want, r2, sizeof r2);
	if (rc != rc_ref || (rc && strcmp(r1, r2)) || (!rc && memcmp(&got, &want, sizeof got)))
		fail_msg("%s: decode %d \"%s\", reference %d \"%s\"", text, rc, r1, rc_ref, r2);
	*accepted += rc == 0;
}

static void check(cJSON *o, int *accepted)
{
	char *text = cJSON_PrintUnformatted(o);
	assert_non_null(text);
	same(text, accepted);
	free(text);
	cJSON_Delete(o);
}

static cJSON *with(const char *key, cJSON *value)
{
	cJSON *o = cJSON_Parse(base);
	if (value)
		cJSON_ReplaceItemInObjectCaseSensitive(o, key, value);
	else
		cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	return o;
}

static void every_member_every_fault(void **s)
{
	(void)s;
	int accepted = 0, cases = 0;
	same(base, &accepted);
	assert_int_equal(accepted, 1);
	for (int i = 0; core[i]; i++, cases += 8) {
		const char *k = core[i];
		check(with(k, NULL), &accepted);
		check(with(k, cJSON_CreateNull()), &accepted);
		check(with(k, cJSON_CreateString("x")), &accepted);
		check(with(k, cJSON_CreateNumber(1.5)), &accepted);
		check(with(k, cJSON_CreateNumber(9e15 * 4)), &accepted);
		check(with(k, cJSON_CreateTrue()), &accepted);
		check(with(k, cJSON_CreateString("a-string-longer-than-any-fixed-field-of-a-bar-"
		                                  "which-is-sixty-four-bytes-at-most-xxxxxxxx")),
		      &accepted);
		cJSON *dup = cJSON_Parse(base); /* a second member of the same name: the first counts */
		cJSON_AddItemToObject(dup, k, cJSON_CreateString("second"));
		check(dup, &accepted);
	}
	printf("# %d mutated bars, %d accepted by both\n", cases, accepted);
	assert_true(accepted > 20 && accepted < cases); /* both answers exercised */
}

static void stray_members_and_many_indicators(void **s)
{
	(void)s;
	int accepted = 0;
	cJSON *o = cJSON_Parse(base);
	char name[16];
	for (int i = 0; i < 20; i++) { /* more than BAR_MAX_IND: the rest are dropped */
		snprintf(name, sizeof name, "ema_%d", i + 10);
		cJSON_AddNumberToObject(o, name, i * 0.5);
	}
	cJSON_AddStringToObject(o, "note", "ignored");
	cJSON_AddItemToObject(o, "nested", cJSON_CreateObject());
	cJSON_AddNumberToObject(o, "o", 3); /* shares a first letter with open */
	check(o, &accepted);
	same("{\"v\":1}", &accepted);
	same("{\"v\":2,\"id\":\"x\"}", &accepted);
	same("[1,2]", &accepted);
	same("{\"v\":1,\"id\":\"x\"", &accepted);
	assert_int_equal(accepted, 1);
}

static void days_in_plain_digits(void **s)
{
	(void)s;
	assert_true(msg_is_day("2026-11-23"));
	assert_true(msg_is_day("1970-01-01"));
	assert_true(msg_is_day("9999-12-31"));
	const char *bad[] = {"1969-12-31", "2026-13-01", "2026-00-10", "2026-11-00", "2026-11-32",
	                     "2026- 1-05", "2026-+1-05", "+026-11-23", "2026-11-2",  "2026-11-233",
	                     "2026/11/23", "20261123",   "",           "2026-1a-23", " 2026-11-2"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (msg_is_day(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_member_every_fault),
		cmocka_unit_test(stray_members_and_many_indicators),
		cmocka_unit_test(days_in_plain_digits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
