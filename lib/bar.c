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

int64_t bar_revision(const struct bar *b)
{
	/* clamped: decode accepts any int64, and overflow would be undefined */
	int64_t t = b->trades < 0 ? 0 : b->trades > INT64_MAX / 4 ? INT64_MAX / 4 : b->trades;
	return 2 * t + (b->final != 0) + 1;
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

/* The core members, in the order their checks run (and so which reason a bar
 * with several faults gets). */
enum member {
	M_ID, M_SYMBOL, M_EXCHANGE, M_WINDOW, M_START, M_END, M_DAY, M_OPEN, M_HIGH, M_LOW,
	M_CLOSE, M_VOLUME, M_TURNOVER, M_VWAP, M_TRADES, M_CUM_VWAP, M_UPDATED_TS, M_CROSS,
	M_FINAL, M_V, M_COUNT
};
static const char *const member_name[M_COUNT] = {
	"id", "symbol", "exchange", "window", "start", "end", "day", "open", "high", "low",
	"close", "volume", "turnover", "vwap", "trades", "cum_vwap", "updated_ts", "cross",
	"final", "v"};

static int member_of(const char *k)
{
	for (int i = 0; i < M_COUNT; i++)
		if (k[0] == member_name[i][0] && strcmp(k, member_name[i]) == 0)
			return i;
	return -1;
}

/* One walk over the object: core members by name (the first of duplicates,
 * as cJSON_GetObjectItemCaseSensitive finds), every other number an
 * indicator. Looking each core member up instead cost ~200 strcmp a bar. */
static void sort_members(const cJSON *o, const cJSON *mem[M_COUNT], struct bar *b)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, o)
	{
		int i = member_of(m->string);
		if (i >= 0 && !mem[i])
			mem[i] = m;
		else if (i < 0 && cJSON_IsNumber(m))
			bar_add_ind(b, m->string, m->valuedouble);
	}
}

static int decode_strings(const cJSON *const *mem, struct bar *b, char *reason, size_t rsize)
{
	struct { enum member m; char *out; size_t size; } s[] = {
		{M_ID, b->id, sizeof b->id}, {M_SYMBOL, b->symbol, sizeof b->symbol},
		{M_EXCHANGE, b->exchange, sizeof b->exchange}, {M_WINDOW, b->window, sizeof b->window}};
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
		if (msg_str(mem[s[i].m], member_name[s[i].m], s[i].out, s[i].size, 1, reason, rsize))
			return -1;
	return 0;
}

static int decode_numbers(const cJSON *const *mem, struct bar *b, char *reason, size_t rsize)
{
	/* M_OPEN .. M_VWAP, in this order */
	double *d[] = {&b->open, &b->high, &b->low, &b->close, &b->volume, &b->turnover, &b->vwap};
	for (int i = 0; i < (int)(sizeof d / sizeof d[0]); i++)
		if (msg_num(mem[M_OPEN + i], member_name[M_OPEN + i], d[i], 1, reason, rsize))
			return -1;
	return 0;
}

static int decode_core(const cJSON *const *mem, struct bar *b, char *reason, size_t rsize)
{
	const char *const *n = member_name;
	const cJSON *fin = mem[M_FINAL];
	int bad = decode_strings(mem, b, reason, rsize) ||
	          msg_int(mem[M_START], n[M_START], &b->start, 1, reason, rsize) ||
	          msg_int(mem[M_END], n[M_END], &b->end, 1, reason, rsize) ||
	          msg_str(mem[M_DAY], n[M_DAY], b->day, sizeof b->day, 1, reason, rsize) ||
	          decode_numbers(mem, b, reason, rsize) ||
	          msg_int(mem[M_TRADES], n[M_TRADES], &b->trades, 1, reason, rsize) ||
	          msg_num(mem[M_CUM_VWAP], n[M_CUM_VWAP], &b->cum_vwap, 0, reason, rsize) ||
	          msg_int(mem[M_UPDATED_TS], n[M_UPDATED_TS], &b->updated_ts, 0, reason, rsize) ||
	          msg_str(mem[M_CROSS], n[M_CROSS], b->cross, sizeof b->cross, 0, reason, rsize);
	if (!bad && fin && !cJSON_IsBool(fin)) {
		snprintf(reason, rsize, "field final must be a boolean");
		bad = 1;
	}
	b->final = cJSON_IsTrue(fin);
	return bad ? -1 : 0;
}

int bar_decode(const char *json, size_t len, struct bar *b, char *reason, size_t rsize)
{
	memset(b, 0, sizeof *b);
	cJSON *o = msg_parse(json, len, BAR_VERSION, reason, rsize);
	if (!o)
		return -1;
	const cJSON *mem[M_COUNT] = {0};
	sort_members(o, mem, b);
	int bad = decode_core(mem, b, reason, rsize);
	cJSON_Delete(o);
	return bad ? -1 : bar_validate(b, reason, rsize);
}
