/* Unit tests: collector KIS frame parser, control messages, normaliser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../collector/kis.h"
#include "../../collector/normalize.h"
#include "../../collector/feed-sim/sim.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A real-shaped H0STCNT0 record (46 fields) with the given code, time, price, qty, cum vol. */
static void record(char *buf, size_t size, const char *code, const char *hms, long price, long qty,
                   long acml)
{
	snprintf(buf, size,
	         "%s^%s^%ld^2^100^0.14^70950.12^70900^71200^70800^%ld^%ld^%ld^%ld^%ld^10^12^2^120.00^"
	         "500^600^1^54.55^12.50^090000^2^100^090500^5^-100^090100^2^200^20261123^20^N^10^20^"
	         "3000^4000^0.01^1000^50.00^0^^70000",
	         code, hms, price, price + 100, price, qty, acml, acml * price);
}

struct parsed {
	struct col_kis_frame f;
	char scratch[65536];
	char *fields[4096];
};

static int parse(const char *frame, struct parsed *p, char *reason)
{
	return col_kis_parse_frame(frame, strlen(frame), p->scratch, p->fields, 4096, &p->f, reason, 256);
}

static void single_record(void **st)
{
	(void)st;
	char rec[1024], frame[1200], reason[256];
	record(rec, sizeof rec, "005930", "090001", 71000, 10, 1520);
	snprintf(frame, sizeof frame, "0|H0STCNT0|001|%s", rec);
	struct parsed *p = malloc(sizeof *p);
	assert_int_equal(parse(frame, p, reason), 0);
	assert_int_equal(p->f.nrec, 1);
	assert_int_equal(p->f.stride, 46);
	assert_string_equal(p->f.tr_id, "H0STCNT0");
	assert_string_equal(p->f.field[KIS_F_CODE], "005930");
	assert_string_equal(p->f.field[44], "");
	struct tick t;
	assert_int_equal(col_kis_to_tick(&p->f, 0, 1795392001500, &t, reason, sizeof reason), 0);
	assert_string_equal(t.symbol, "005930"); /* leading zeros kept */
	assert_string_equal(t.day, "2026-11-23");
	assert_int_equal(t.ts, 1795392001000); /* 09:00:01 KST */
	assert_true(t.price == 71000 && t.qty == 10 && t.cum_volume == 1520);
	assert_true(t.cum_turnover == 1520.0 * 71000 && t.feed_vwap == 70950.12);
	assert_string_equal(t.side, "buy");
	assert_string_equal(t.id, "kis|005930|20261123|090001|1520");
	assert_int_equal(t.recv_ts, 1795392001500);
	free(p);
}

static void multi_record_every_one_read(void **st)
{
	(void)st;
	char frame[8192] = "0|H0STCNT0|003|", rec[1024], reason[256];
	for (int r = 0; r < 3; r++) {
		record(rec, sizeof rec, r == 1 ? "00088K" : "000660", "152959", 120000 + r * 100, 5 + r,
		       1000 + r * 10);
		if (r)
			strcat(frame, "^");
		strcat(frame, rec);
	}
	struct parsed *p = malloc(sizeof *p);
	assert_int_equal(parse(frame, p, reason), 0);
	assert_int_equal(p->f.nrec, 3);
	struct tick t;
	for (int r = 0; r < 3; r++) {
		assert_int_equal(col_kis_to_tick(&p->f, r, 0, &t, reason, sizeof reason), 0);
		assert_true(t.price == 120000 + r * 100 && t.qty == 5 + r);
	}
	assert_string_equal(t.symbol, "000660");
	col_kis_to_tick(&p->f, 1, 0, &t, reason, sizeof reason);
	assert_string_equal(t.symbol, "00088K"); /* a 2024-style code with a letter */
	free(p);
}

static void extra_trailing_fields_tolerated(void **st)
{
	(void)st;
	char rec[1024], frame[4096], reason[256];
	record(rec, sizeof rec, "005930", "100000", 70000, 1, 1);
	/* Every record grew by two columns. */
	snprintf(frame, sizeof frame, "0|H0STCNT0|002|%s^X^Y^%s^X^Y", rec, rec);
	struct parsed *p = malloc(sizeof *p);
	assert_int_equal(parse(frame, p, reason), 0);
	assert_int_equal(p->f.stride, 48);
	struct tick t;
	assert_int_equal(col_kis_to_tick(&p->f, 1, 0, &t, reason, sizeof reason), 0);
	assert_string_equal(t.symbol, "005930");
	/* Surplus at the end only. */
	snprintf(frame, sizeof frame, "0|H0STCNT0|001|%s^EXTRA", rec);
	assert_int_equal(parse(frame, p, reason), 0);
	assert_int_equal(p->f.stride, 47);
	free(p);
}

static void malformed_frames_rejected_with_reason(void **st)
{
	(void)st;
	struct parsed *p = malloc(sizeof *p);
	char reason[256];
	const char *bad[] = {"", "0|H0STCNT0|", "2|H0STCNT0|001|a", "0||001|a", "0|H0STCNT0|000|a",
	                     "0|H0STCNT0|1000|a", "0|H0STCNT0|002|005930^090000^71000", "garbage"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		reason[0] = 0;
		assert_int_equal(parse(bad[i], p, reason), -1);
		assert_true(strlen(reason) > 5);
	}
	assert_int_equal(parse("1|H0STCNI0|001|aGVsbG8=", p, reason), -1);
	assert_non_null(strstr(reason, "encrypted"));
	free(p);
}

static void bad_fields_rejected(void **st)
{
	(void)st;
	char rec[1024], frame[1200], reason[256];
	struct parsed *p = malloc(sizeof *p);
	struct tick t;
	record(rec, sizeof rec, "005930", "250000", 71000, 10, 1520); /* hour 25 */
	snprintf(frame, sizeof frame, "0|H0STCNT0|001|%s", rec);
	assert_int_equal(parse(frame, p, reason), 0);
	assert_int_equal(col_kis_to_tick(&p->f, 0, 0, &t, reason, sizeof reason), -1);
	record(rec, sizeof rec, "", "090000", 71000, 10, 1520);
	snprintf(frame, sizeof frame, "0|H0STCNT0|001|%s", rec);
	assert_int_equal(parse(frame, p, reason), 0);
	assert_int_equal(col_kis_to_tick(&p->f, 0, 0, &t, reason, sizeof reason), -1);
	free(p);
}

static void empty_business_date_uses_receive_day(void **st)
{
	(void)st;
	char rec[1024], frame[1200], reason[256];
	record(rec, sizeof rec, "005930", "090001", 71000, 10, 1520);
	char *d = strstr(rec, "^20261123^");
	memmove(d + 1, d + 9, strlen(d + 9) + 1); /* BSOP_DATE emptied */
	snprintf(frame, sizeof frame, "0|H0STCNT0|001|%s", rec);
	struct parsed *p = malloc(sizeof *p);
	assert_int_equal(parse(frame, p, reason), 0);
	struct tick t;
	/* Received 2026-11-24 08:59 KST (23:59 UTC the day before). */
	assert_int_equal(col_kis_to_tick(&p->f, 0, 1795478340000, &t, reason, sizeof reason), 0);
	assert_string_equal(t.day, "2026-11-24");
	free(p);
}

static void control_messages(void **st)
{
	(void)st;
	struct col_kis_ack a;
	char reason[128];
	const char *ping = "{\"header\":{\"tr_id\":\"PINGPONG\",\"datetime\":\"20261123090000\"}}";
	assert_int_equal(col_kis_parse_ctl(ping, strlen(ping), &a, reason, sizeof reason), KIS_CTL_PINGPONG);
	const char *ok = "{\"header\":{\"tr_id\":\"H0STCNT0\",\"tr_key\":\"005930\",\"encrypt\":\"N\"},"
	                 "\"body\":{\"rt_cd\":\"0\",\"msg_cd\":\"OPSP0000\",\"msg1\":\"SUBSCRIBE SUCCESS\","
	                 "\"output\":{\"iv\":\"0123456789abcdef\",\"key\":\"abc\"}}}";
	assert_int_equal(col_kis_parse_ctl(ok, strlen(ok), &a, reason, sizeof reason), KIS_CTL_ACK);
	assert_string_equal(a.msg_cd, "OPSP0000");
	assert_string_equal(a.tr_key, "005930");
	assert_string_equal(a.iv, "0123456789abcdef");
	const char *inuse = "{\"header\":{\"tr_id\":\"(null)\",\"tr_key\":\"\",\"encrypt\":\"N\"},"
	                    "\"body\":{\"rt_cd\":\"1\",\"msg_cd\":\"OPSP8996\",\"msg1\":\"ALREADY IN USE appkey\"}}";
	assert_int_equal(col_kis_parse_ctl(inuse, strlen(inuse), &a, reason, sizeof reason), KIS_CTL_ACK);
	assert_string_equal(a.msg_cd, "OPSP8996");
	assert_int_equal(col_kis_parse_ctl("{\"x\":1}", 7, &a, reason, sizeof reason), KIS_CTL_UNKNOWN);
	assert_int_equal(col_kis_parse_ctl("{nope", 5, &a, reason, sizeof reason), -1);
}

static void subscribe_and_approval_messages(void **st)
{
	(void)st;
	char buf[512];
	size_t n = col_kis_subscribe_msg(buf, sizeof buf, "KEY", "P", "H0STCNT0", "005930", 1);
	assert_true(n > 0);
	assert_string_equal(buf, "{\"header\":{\"approval_key\":\"KEY\",\"custtype\":\"P\",\"tr_type\":\"1\","
	                         "\"content-type\":\"utf-8\"},\"body\":{\"input\":{\"tr_id\":\"H0STCNT0\","
	                         "\"tr_key\":\"005930\"}}}");
	char *body = col_kis_approval_body("AK", "S\"ecret");
	cJSON *o = cJSON_Parse(body);
	assert_string_equal(cJSON_GetObjectItem(o, "secretkey")->valuestring, "S\"ecret");
	assert_null(cJSON_GetObjectItem(o, "appsecret"));
	assert_string_equal(cJSON_GetObjectItem(o, "grant_type")->valuestring, "client_credentials");
	cJSON_Delete(o);
	free(body);
	char key[64], reason[64];
	const char *r = "{\"approval_key\":\"a2585d5e-8e0c-4b8f-a2b1-6d6e2ae2ff2c\"}";
	assert_int_equal(col_kis_approval_key(r, strlen(r), key, sizeof key, reason, sizeof reason), 0);
	assert_int_equal(strlen(key), 36);
	assert_int_equal(col_kis_approval_key("{}", 2, key, sizeof key, reason, sizeof reason), -1);
}

/* The simulator's records go through the collector's parser unchanged:
 * every field agrees, VWAP is exactly turnover / volume. */
static void simulator_records_round_trip(void **st)
{
	(void)st;
	struct sim_market m;
	char err[128], rec[1024], frame[1200], reason[256], id[96];
	assert_int_equal(sim_market_init(&m, NULL, 5, "", 99, 10, err, sizeof err), 0);
	struct parsed *p = malloc(sizeof *p);
	for (int i = 0; i < 500; i++) {
		struct sim_trade t;
		sim_next_trade(&m, 0, 1795392000000 + i * 250, &t);
		const struct sim_sym *y = &m.sym[t.sym];
		sim_kis_record(y, &t, rec, sizeof rec);
		snprintf(frame, sizeof frame, "0|H0STCNT0|001|%s", rec);
		assert_int_equal(parse(frame, p, reason), 0);
		assert_int_equal(p->f.nfields, 46);
		struct tick k;
		assert_int_equal(col_kis_to_tick(&p->f, 0, 0, &k, reason, sizeof reason), 0);
		sim_kis_id(y, &t, id, sizeof id);
		assert_string_equal(k.id, id);
		assert_true(k.feed_vwap == k.cum_turnover / k.cum_volume);
		assert_true(k.price <= y->upper && k.price >= y->lower);
		assert_int_equal((int64_t)k.price % sim_tick_size((int64_t)k.price), 0);
	}
	free(p);
	sim_market_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(single_record),
		cmocka_unit_test(multi_record_every_one_read),
		cmocka_unit_test(extra_trailing_fields_tolerated),
		cmocka_unit_test(malformed_frames_rejected_with_reason),
		cmocka_unit_test(bad_fields_rejected),
		cmocka_unit_test(empty_business_date_uses_receive_day),
		cmocka_unit_test(control_messages),
		cmocka_unit_test(subscribe_and_approval_messages),
		cmocka_unit_test(simulator_records_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
