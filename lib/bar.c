/* bar — the `bars` contract. See bar.h. */
#include "bar.h"
#include "jsonw.h"
#include "msgutil.h"
#include "numfmt.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* symbol|window|start; symbol (15), window (7) and start (20) always fit. */
void bar_make_id(struct bar *b)
{
	size_t n = msg_copy(b->id, sizeof b->symbol, b->symbol);
	b->id[n++] = '|';
	n += msg_copy(b->id + n, sizeof b->window, b->window);
	b->id[n++] = '|';
	numfmt_int(b->start, b->id + n);
}

void bar_add_ind(struct bar *b, const char *name, double value)
{
	if (b->nind == BAR_MAX_IND)
		return;
	msg_copy(b->ind[b->nind].name, sizeof b->ind[0].name, name);
	b->ind[b->nind++].value = value;
}

double bar_ind(const struct bar *b, const char *name)
{
	for (int i = 0; i < b->nind; i++)
		if (strcmp(b->ind[i].name, name) == 0)
			return b->ind[i].value;
	return NAN;
}

size_t bar_encode(const struct bar *b, char *buf, size_t size)
{
	struct jw w;
	jw_init(&w, buf, size);
	jw_open(&w, NULL);
	jw_kint(&w, JW_KEY("v"), BAR_VERSION);
	jw_kstr(&w, JW_KEY("id"), b->id);
	jw_kstr(&w, JW_KEY("symbol"), b->symbol);
	jw_kstr(&w, JW_KEY("exchange"), b->exchange);
	jw_kstr(&w, JW_KEY("window"), b->window);
	jw_kint(&w, JW_KEY("start"), b->start);
	jw_kint(&w, JW_KEY("end"), b->end);
	jw_kstr(&w, JW_KEY("day"), b->day);
	jw_knum(&w, JW_KEY("open"), b->open);
	jw_knum(&w, JW_KEY("high"), b->high);
	jw_knum(&w, JW_KEY("low"), b->low);
	jw_knum(&w, JW_KEY("close"), b->close);
	jw_knum(&w, JW_KEY("volume"), b->volume);
	jw_knum(&w, JW_KEY("turnover"), b->turnover);
	jw_knum(&w, JW_KEY("vwap"), b->vwap);
	jw_kint(&w, JW_KEY("trades"), b->trades);
	jw_knum(&w, JW_KEY("cum_vwap"), b->cum_vwap);
	jw_kbool(&w, JW_KEY("final"), b->final);
	jw_kint(&w, JW_KEY("updated_ts"), b->updated_ts);
	for (int i = 0; i < b->nind; i++)
		if (isfinite(b->ind[i].value))
			jw_num(&w, b->ind[i].name, b->ind[i].value);
	if (b->cross[0])
		jw_kstr(&w, JW_KEY("cross"), b->cross);
	jw_close(&w);
	return jw_finish(&w);
}

int bar_validate(const struct bar *b, char *reason, size_t rsize)
{
	if (!b->symbol[0] || !b->window[0] || !b->id[0])
		snprintf(reason, rsize, "id, symbol and window must not be empty");
	else if (!msg_is_day(b->day))
		snprintf(reason, rsize, "day must be YYYY-MM-DD, got \"%s\"", b->day);
	else if (b->end <= b->start || b->start <= 0)
		snprintf(reason, rsize, "window must satisfy 0 < start < end");
	else if (!(b->low <= b->open && b->open <= b->high && b->low <= b->close &&
	           b->close <= b->high))
		snprintf(reason, rsize, "prices must satisfy low <= open, close <= high");
	else if (!(b->volume >= 0) || b->trades < 0)
		snprintf(reason, rsize, "volume and trades must not be negative");
	else
		return 0;
	return -1;
}

static int is_core_member(const char *k)
{
	static const char *const core[] = {"v", "id", "symbol", "exchange", "window", "start",
	                                   "end", "day", "open", "high", "low", "close", "volume",
	                                   "turnover", "vwap", "trades", "cum_vwap", "final",
	                                   "updated_ts", "cross", NULL};
	for (int i = 0; core[i]; i++)
		if (strcmp(k, core[i]) == 0)
			return 1;
	return 0;
}

/* Every numeric member that is not part of the core layout is an indicator. */
static void decode_indicators(const cJSON *o, struct bar *b)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, o)
	{
		if (m->string && cJSON_IsNumber(m) && !is_core_member(m->string))
			bar_add_ind(b, m->string, m->valuedouble);
	}
}

int bar_decode(const char *json, size_t len, struct bar *b, char *reason, size_t rsize)
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
	if (!bad)
		decode_indicators(o, b);
	cJSON_Delete(o);
	return bad ? -1 : bar_validate(b, reason, rsize);
}
