/* tick — the `ticks` contract. See tick.h. */
#include "tick.h"
#include "jsonw.h"
#include "msgutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void tick_clear(struct tick *t)
{
	memset(t, 0, sizeof *t);
	t->cum_volume = t->cum_turnover = t->feed_vwap = NAN;
}

size_t tick_encode(const struct tick *t, char *buf, size_t size)
{
	struct jw w;
	jw_init(&w, buf, size);
	jw_open(&w, NULL);
	jw_kint(&w, JW_KEY("v"), TICK_VERSION);
	jw_kstr(&w, JW_KEY("id"), t->id);
	jw_kstr(&w, JW_KEY("source"), t->source);
	jw_kstr(&w, JW_KEY("symbol"), t->symbol);
	jw_kstr(&w, JW_KEY("exchange"), t->exchange);
	jw_kint(&w, JW_KEY("ts"), t->ts);
	jw_kstr(&w, JW_KEY("day"), t->day);
	jw_knum(&w, JW_KEY("price"), t->price);
	jw_knum(&w, JW_KEY("qty"), t->qty);
	if (isfinite(t->cum_volume))
		jw_knum(&w, JW_KEY("cum_volume"), t->cum_volume);
	if (isfinite(t->cum_turnover))
		jw_knum(&w, JW_KEY("cum_turnover"), t->cum_turnover);
	if (isfinite(t->feed_vwap))
		jw_knum(&w, JW_KEY("feed_vwap"), t->feed_vwap);
	if (t->side[0])
		jw_kstr(&w, JW_KEY("side"), t->side);
	if (t->recv_ts)
		jw_kint(&w, JW_KEY("recv_ts"), t->recv_ts);
	jw_close(&w);
	return jw_finish(&w);
}

int tick_validate(const struct tick *t, char *reason, size_t rsize)
{
	if (!t->id[0] || !t->source[0] || !t->symbol[0] || !t->exchange[0])
		snprintf(reason, rsize, "id, source, symbol and exchange must not be empty");
	else if (!msg_is_day(t->day))
		snprintf(reason, rsize, "day must be YYYY-MM-DD, got \"%s\"", t->day);
	else if (t->ts <= 0)
		snprintf(reason, rsize, "ts must be a positive epoch millisecond time");
	else if (!(t->price > 0) || !isfinite(t->price))
		snprintf(reason, rsize, "price must be a positive number");
	else if (!(t->qty >= 0) || !isfinite(t->qty))
		snprintf(reason, rsize, "qty must be a non-negative number");
	else if (t->side[0] && strcmp(t->side, "buy") && strcmp(t->side, "sell"))
		snprintf(reason, rsize, "side must be buy or sell, got \"%s\"", t->side);
	else
		return 0;
	return -1;
}

int tick_decode(const char *json, size_t len, struct tick *t, char *reason, size_t rsize)
{
	tick_clear(t);
	cJSON *o = msg_parse(json, len, TICK_VERSION, reason, rsize);
	if (!o)
		return -1;
	int bad = msg_get_str(o, "id", t->id, sizeof t->id, 1, reason, rsize) ||
	          msg_get_str(o, "source", t->source, sizeof t->source, 1, reason, rsize) ||
	          msg_get_str(o, "symbol", t->symbol, sizeof t->symbol, 1, reason, rsize) ||
	          msg_get_str(o, "exchange", t->exchange, sizeof t->exchange, 1, reason, rsize) ||
	          msg_get_int(o, "ts", &t->ts, 1, reason, rsize) ||
	          msg_get_str(o, "day", t->day, sizeof t->day, 1, reason, rsize) ||
	          msg_get_num(o, "price", &t->price, 1, reason, rsize) ||
	          msg_get_num(o, "qty", &t->qty, 1, reason, rsize) ||
	          msg_get_num(o, "cum_volume", &t->cum_volume, 0, reason, rsize) ||
	          msg_get_num(o, "cum_turnover", &t->cum_turnover, 0, reason, rsize) ||
	          msg_get_num(o, "feed_vwap", &t->feed_vwap, 0, reason, rsize) ||
	          msg_get_str(o, "side", t->side, sizeof t->side, 0, reason, rsize) ||
	          msg_get_int(o, "recv_ts", &t->recv_ts, 0, reason, rsize);
	cJSON_Delete(o);
	return bad ? -1 : tick_validate(t, reason, rsize);
}
