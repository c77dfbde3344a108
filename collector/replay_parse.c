/* replay_parse — trades files for `collector replay`. See replay.h. */
#include "finnhub.h"
#include "normalize.h"
#include "replay.h"
#include "tradecal.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int col_parse_time(const char *s, int64_t *ms)
{
	char *end;
	if (!s || !*s)
		return -1;
	if (isdigit((unsigned char)s[0]) && !strchr(s, '-')) {
		double v = strtod(s, &end);
		if (*end || !isfinite(v) || v <= 0)
			return -1;
		*ms = (int64_t)v;
		return 0;
	}
	int y, mo, d, h, mi, n = 0;
	double sec;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
		return -1;
	const char *z = s + n;
	int off = 0;
	if (*z == 'Z' && !z[1]) {
		off = 0;
	} else if ((*z == '+' || *z == '-') && strlen(z) == 6 && z[3] == ':') {
		off = atoi(z + 1) * 60 + atoi(z + 4);
		if (*z == '-')
			off = -off;
	} else {
		return -1; /* a time without an offset is ambiguous: refuse it */
	}
	int64_t days = cal_days_from_civil(y, mo, d);
	double t = (double)days * 86400 + h * 3600 + mi * 60 + sec - off * 60;
	*ms = (int64_t)llround(t * 1000);
	return 0;
}

static int is_krx_code(const char *s)
{
	return strlen(s) == 6 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]);
}

void col_replay_finish(struct tick *t, long line_no)
{
	if (!t->exchange[0])
		snprintf(t->exchange, sizeof t->exchange, "%s", is_krx_code(t->symbol) ? "KRX" : "US");
	if (!t->source[0])
		snprintf(t->source, sizeof t->source, "replay");
	if (!strcmp(t->exchange, "KRX"))
		col_kst_day(t->ts, t->day);
	else
		col_ny_day(t->ts, t->day);
	if (!t->id[0])
		snprintf(t->id, sizeof t->id, "replay|%s|%lld|%ld", t->symbol, (long long)t->ts, line_no);
}

static void opt_str(const cJSON *o, const char *k, char *out, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (cJSON_IsString(v) && strlen(v->valuestring) < size)
		snprintf(out, size, "%s", v->valuestring);
}

static int json_num(const cJSON *o, const char *a, const char *b, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	if (!v && b)
		v = cJSON_GetObjectItemCaseSensitive(o, b);
	if (cJSON_IsNumber(v))
		*out = v->valuedouble;
	else if (!cJSON_IsString(v) || col_parse_num(v->valuestring, out))
		return -1;
	return 0;
}

int col_replay_ndjson(const char *line, size_t len, long line_no, struct tick *t, char *reason,
                      size_t rsize)
{
	tick_clear(t);
	cJSON *o = cJSON_ParseWithLength(line, len);
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(o, "ts");
	if (!ts)
		ts = cJSON_GetObjectItemCaseSensitive(o, "timestamp");
	int bad = !cJSON_IsObject(o);
	if (!bad && cJSON_IsNumber(ts))
		t->ts = (int64_t)ts->valuedouble;
	else if (!bad)
		bad = !cJSON_IsString(ts) || col_parse_time(ts->valuestring, &t->ts);
	opt_str(o, "symbol", t->symbol, sizeof t->symbol);
	opt_str(o, "side", t->side, sizeof t->side);
	opt_str(o, "exchange", t->exchange, sizeof t->exchange);
	opt_str(o, "source", t->source, sizeof t->source);
	opt_str(o, "id", t->id, sizeof t->id);
	bad = bad || !t->symbol[0] || json_num(o, "price", NULL, &t->price) ||
	      json_num(o, "size", "qty", &t->qty);
	cJSON_Delete(o);
	if (bad) {
		snprintf(reason, rsize, "line %ld: needs ts (or timestamp), symbol, price, size", line_no);
		return -1;
	}
	col_replay_finish(t, line_no);
	return tick_validate(t, reason, rsize);
}

int col_replay_csv(char *row, const int col[5], long line_no, struct tick *t, char *reason,
                   size_t rsize)
{
	tick_clear(t);
	char *cell[16];
	int n = 0;
	for (char *p = row, *save = NULL; n < 16; p = NULL) {
		char *c = strtok_r(p, ",\r\n", &save);
		if (!c)
			break;
		cell[n++] = c;
	}
	for (int i = 0; i < 4; i++)
		if (col[i] >= n) {
			snprintf(reason, rsize, "line %ld: too few columns", line_no);
			return -1;
		}
	if (col_parse_time(cell[col[0]], &t->ts) || strlen(cell[col[1]]) >= sizeof t->symbol ||
	    col_parse_num(cell[col[2]], &t->price) || col_parse_num(cell[col[3]], &t->qty)) {
		snprintf(reason, rsize, "line %ld: bad timestamp, symbol, price or size", line_no);
		return -1;
	}
	snprintf(t->symbol, sizeof t->symbol, "%s", cell[col[1]]);
	if (col[4] >= 0 && col[4] < n && strlen(cell[col[4]]) < sizeof t->side)
		snprintf(t->side, sizeof t->side, "%s", cell[col[4]]);
	col_replay_finish(t, line_no);
	return tick_validate(t, reason, rsize);
}
