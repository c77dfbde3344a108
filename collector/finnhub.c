/* finnhub — Finnhub websocket and quote parsing. See finnhub.h. */
#include "finnhub.h"
#include "jsonw.h"
#include "tradecal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

uint64_t col_fnv1a64(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

void col_ny_day(int64_t epoch_ms, char out[11])
{
	static struct calendar us = {.exch = EXCH_US};
	cal_local_date(&us, epoch_ms, out);
}

static int num_member(const cJSON *o, const char *k, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return -1;
	*out = v->valuedouble;
	return 0;
}

static int trade_to_tick(const cJSON *d, int i, uint64_t digest, int64_t recv_ms,
                         struct tick *t, char *reason, size_t rsize)
{
	tick_clear(t);
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(d, "s");
	double ts;
	if (!cJSON_IsString(s) || !s->valuestring[0] || strlen(s->valuestring) >= sizeof t->symbol ||
	    num_member(d, "p", &t->price) || num_member(d, "t", &ts) || num_member(d, "v", &t->qty)) {
		snprintf(reason, rsize, "finnhub trade %d: needs s (string), p, t, v (numbers)", i);
		return -1;
	}
	/* Epoch ms between 1970 and 9999: anything else is not a time, and casting it
	 * to an integer would be undefined. */
	if (!(ts > 0 && ts < 253402300800000.0)) {
		snprintf(reason, rsize, "finnhub trade %d: t is not an epoch millisecond time", i);
		return -1;
	}
	snprintf(t->symbol, sizeof t->symbol, "%s", s->valuestring);
	snprintf(t->source, sizeof t->source, "finnhub");
	snprintf(t->exchange, sizeof t->exchange, "US");
	t->ts = (int64_t)ts;
	t->recv_ts = recv_ms;
	col_ny_day(t->ts, t->day);
	snprintf(t->id, sizeof t->id, "finnhub|%s|%lld|%016llx|%d", t->symbol, (long long)t->ts,
	         (unsigned long long)digest, i);
	return tick_validate(t, reason, rsize);
}

static int trades(const cJSON *data, const char *json, size_t len, int64_t recv_ms,
                  col_fh_trade_fn fn, void *opaque, char *reason, size_t rsize)
{
	if (!cJSON_IsArray(data)) {
		snprintf(reason, rsize, "finnhub trade message without a data array");
		return -1;
	}
	uint64_t digest = col_fnv1a64(json, len);
	int i = 0;
	const cJSON *d;
	cJSON_ArrayForEach(d, data)
	{
		struct tick t;
		if (trade_to_tick(d, i++, digest, recv_ms, &t, reason, rsize))
			return -1;
		if (fn(opaque, &t))
			break;
	}
	return FH_TRADE;
}

int col_fh_parse(const char *json, size_t len, int64_t recv_ms, col_fh_trade_fn fn,
                 void *opaque, char *reason, size_t rsize)
{
	cJSON *o = cJSON_ParseWithLength(json, len);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
	int kind = -1;
	if (!cJSON_IsObject(o) || !cJSON_IsString(type)) {
		snprintf(reason, rsize, "finnhub message is not an object with a type");
	} else if (!strcmp(type->valuestring, "trade")) {
		kind = trades(cJSON_GetObjectItemCaseSensitive(o, "data"), json, len, recv_ms, fn,
		              opaque, reason, rsize);
	} else if (!strcmp(type->valuestring, "ping")) {
		kind = FH_PING;
	} else if (!strcmp(type->valuestring, "error")) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "msg");
		snprintf(reason, rsize, "%s", cJSON_IsString(m) ? m->valuestring : "(no msg)");
		kind = FH_ERROR;
	} else {
		kind = FH_OTHER;
	}
	cJSON_Delete(o);
	return kind;
}

int col_fh_parse_quote(const char *symbol, const char *json, size_t len, int64_t now_ms,
                       struct tick *t, char *reason, size_t rsize)
{
	tick_clear(t);
	cJSON *o = cJSON_ParseWithLength(json, len);
	double secs = 0;
	int bad = !cJSON_IsObject(o) || num_member(o, "c", &t->price);
	/* t is epoch seconds; a value beyond year 9999 is ignored, not cast. */
	if (!bad && num_member(o, "t", &secs) == 0 && secs > 0 && secs < 253402300800.0)
		t->ts = (int64_t)secs * 1000;
	cJSON_Delete(o);
	if (bad) {
		snprintf(reason, rsize, "finnhub quote without a numeric c");
		return -1;
	}
	if (!t->ts)
		t->ts = now_ms;
	snprintf(t->symbol, sizeof t->symbol, "%s", symbol);
	snprintf(t->source, sizeof t->source, "finnhub");
	snprintf(t->exchange, sizeof t->exchange, "US");
	col_ny_day(t->ts, t->day);
	t->recv_ts = now_ms;
	/* A quote is a last price, not a trade: qty 0, one id per quote time. */
	snprintf(t->id, sizeof t->id, "finnhub-quote|%s|%lld", symbol, (long long)t->ts);
	return tick_validate(t, reason, rsize);
}

size_t col_fh_subscribe_msg(char *buf, size_t size, const char *symbol, int subscribe)
{
	struct jw w;
	jw_init(&w, buf, size);
	jw_open(&w, NULL);
	jw_str(&w, "type", subscribe ? "subscribe" : "unsubscribe");
	jw_str(&w, "symbol", symbol);
	jw_close(&w);
	return jw_finish(&w);
}
