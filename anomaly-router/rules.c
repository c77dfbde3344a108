/* rules — parsing and validating one rule's parameters by kind. */
#include "rules.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[AR_NKINDS] = {
	"vwap_deviation", "volume_spike", "price_limit", "change_rate",
	"target_price",   "prev_day_change", "threshold",
};

const char *ar_kind_name(enum ar_kind k)
{
	return (unsigned)k < AR_NKINDS ? kind_names[k] : "?";
}

int ar_kind_from_name(const char *name)
{
	for (int i = 0; i < AR_NKINDS; i++)
		if (name && strcmp(name, kind_names[i]) == 0)
			return i;
	return -1;
}

const char *const ar_field_names[AR_F_N] = {
	"price", "qty", "cum_volume", "cum_turnover", "feed_vwap", "latency_ms",
	"open", "high", "low", "close", "volume", "turnover", "vwap", "cum_vwap", "trades",
};

static int field_index(const char *f, int from, int to)
{
	for (int i = from; i < to; i++)
		if (strcmp(f, ar_field_names[i]) == 0)
			return i;
	return -1;
}

static int is_tick_field(const char *f) { return field_index(f, 0, AR_F_NTICK) >= 0; }

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* Number member: 0 found, 1 absent (def kept), -1 present but not a finite number. */
static int num(const cJSON *p, const char *key, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, key);
	if (!v || cJSON_IsNull(v))
		return 1;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return -1;
	*out = v->valuedouble;
	return 0;
}

static const char *str(const cJSON *p, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int parse_dir(const char *s, int def, int *out)
{
	if (!s) {
		*out = def;
		return 0;
	}
	if (strcmp(s, "up") == 0 || strcmp(s, "upper") == 0)
		*out = AR_UP;
	else if (strcmp(s, "down") == 0 || strcmp(s, "lower") == 0)
		*out = AR_DOWN;
	else if (strcmp(s, "both") == 0)
		*out = AR_BOTH;
	else
		return -1;
	return 0;
}

static int parse_op(const char *s, int *out)
{
	static const char *const ops[] = {">=", ">", "<=", "<", "==", "!="};
	if (!s) {
		*out = AR_GE;
		return 0;
	}
	for (int i = 0; i < 6; i++)
		if (strcmp(s, ops[i]) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

#define NEED(cond, ...)                                                                     \
	do {                                                                                \
		if (!(cond)) {                                                              \
			snprintf(err, errsize, __VA_ARGS__);                                \
			return -1;                                                          \
		}                                                                           \
	} while (0)

static int parse_common(struct ar_rule *r, const cJSON *p, char *err, size_t errsize)
{
	NEED(num(p, "base", &r->base) >= 0 && r->base >= 0, "base must be a positive number");
	NEED(num(p, "prev_close", &r->base) >= 0 && r->base >= 0,
	     "prev_close must be a positive number");
	NEED(num(p, "prev_volume", &r->prev_volume) >= 0 && r->prev_volume >= 0,
	     "prev_volume must be a positive number");
	const char *src = str(p, "source");
	if (src) {
		NEED(strcmp(src, "ticks") == 0 || strcmp(src, "bars") == 0,
		     "source must be ticks or bars");
		r->source = strcmp(src, "bars") == 0 ? AR_SRC_BARS : AR_SRC_TICKS;
	}
	const char *w = str(p, "window");
	if (w) {
		NEED(strlen(w) < sizeof r->bar_window && valid_name(w), "window must be like 1m");
		snprintf(r->bar_window, sizeof r->bar_window, "%s", w);
	}
	return 0;
}

static int parse_kind(struct ar_rule *r, const cJSON *p, char *err, size_t errsize)
{
	double d;
	switch (r->kind) {
	case AR_VWAP_DEVIATION:
		NEED(num(p, "pct", &r->pct) == 0 && r->pct > 0, "vwap_deviation needs pct > 0");
		d = 1;
		NEED(num(p, "min_trades", &d) >= 0 && d >= 1 && d <= 1e9, "min_trades must be >= 1");
		r->n = (int)d;
		NEED(parse_dir(str(p, "direction"), AR_BOTH, &r->dir) == 0,
		     "direction must be up, down or both");
		return 0;
	case AR_VOLUME_SPIKE:
		r->k = 3;
		NEED(num(p, "k", &r->k) >= 0 && r->k > 0, "volume_spike k must be > 0");
		d = 20;
		NEED(num(p, "n", &d) >= 0 && d >= 2 && d <= 1024, "volume_spike n must be 2..1024");
		r->n = (int)d;
		d = 0;
		NEED(num(p, "window_ms", &d) >= 0 && d >= 0 && d <= 86400000.0,
		     "window_ms must be 0..86400000");
		r->window_ms = (int64_t)d;
		NEED(r->source == AR_SRC_TICKS || r->window_ms == 0,
		     "window_ms applies to ticks; on bars the bar is the window");
		return 0;
	case AR_PRICE_LIMIT:
		NEED(num(p, "within_pct", &r->pct) >= 0 && r->pct >= 0 && r->pct < 100,
		     "within_pct must be 0..100");
		d = 30;
		NEED(num(p, "limit_pct", &d) >= 0 && d >= 1 && d <= 100, "limit_pct must be 1..100");
		r->limit_pct = (int)d;
		NEED(parse_dir(str(p, "side"), AR_BOTH, &r->dir) == 0, "side must be upper, lower or both");
		return 0;
	case AR_CHANGE_RATE:
		NEED(num(p, "pct", &r->pct) == 0 && r->pct > 0, "change_rate needs pct > 0");
		NEED(parse_dir(str(p, "direction"), AR_BOTH, &r->dir) == 0,
		     "direction must be up, down or both");
		return 0;
	case AR_TARGET_PRICE:
		NEED(num(p, "price", &r->value) == 0 && r->value > 0, "target_price needs price > 0");
		NEED(parse_dir(str(p, "direction"), AR_UP, &r->dir) == 0,
		     "direction must be up, down or both");
		return 0;
	case AR_PREV_DAY_CHANGE: {
		const char *f = str(p, "field");
		snprintf(r->field, sizeof r->field, "%s", f ? f : "close");
		NEED(strcmp(r->field, "close") == 0 || strcmp(r->field, "volume") == 0,
		     "prev_day_change field must be close or volume");
		NEED(num(p, "pct", &r->pct) == 0 && r->pct > 0, "prev_day_change needs pct > 0");
		NEED(parse_dir(str(p, "direction"), AR_BOTH, &r->dir) == 0,
		     "direction must be up, down or both");
		return 0;
	}
	case AR_THRESHOLD: {
		const char *f = str(p, "field");
		NEED(f && strlen(f) < sizeof r->field && valid_name(f), "threshold needs a field");
		snprintf(r->field, sizeof r->field, "%s", f);
		NEED(num(p, "value", &r->value) == 0, "threshold needs a numeric value");
		NEED(parse_op(str(p, "op"), &r->op) == 0, "op must be >=, >, <=, <, == or !=");
		if (!str(p, "source"))
			r->source = is_tick_field(f) ? AR_SRC_TICKS : AR_SRC_BARS;
		NEED(r->source == AR_SRC_BARS || is_tick_field(f), "ticks have no field %s", f);
		r->field_id = r->source == AR_SRC_TICKS ? field_index(f, 0, AR_F_NTICK)
		                                        : field_index(f, AR_F_NTICK, AR_F_N);
		return 0;
	}
	default:
		NEED(0, "unknown kind");
	}
}

int ar_rule_parse(struct ar_rule *r, const char *id, const char *symbol, const char *kind,
                  const char *params, const char *recipients_csv, const char *owner,
                  char *err, size_t errsize)
{
	memset(r, 0, sizeof *r);
	NEED(id && *id && strlen(id) < sizeof r->id && !strchr(id, '|'),
	     "rule id must be 1..39 characters without '|'");
	snprintf(r->id, sizeof r->id, "%s", id);
	NEED(symbol && *symbol && strlen(symbol) < sizeof r->symbol && !strchr(symbol, '|'),
	     "symbol must be 1..15 characters or *");
	snprintf(r->symbol, sizeof r->symbol, "%s", symbol);
	int k = ar_kind_from_name(kind);
	NEED(k >= 0, "unknown kind %.40s", kind ? kind : "(null)");
	r->kind = (enum ar_kind)k;
	snprintf(r->owner, sizeof r->owner, "%s", owner ? owner : "");
	cJSON *p = params && *params ? cJSON_Parse(params) : cJSON_CreateObject();
	if (!cJSON_IsObject(p)) {
		cJSON_Delete(p);
		NEED(0, "params must be a JSON object");
	}
	int rc = parse_common(r, p, err, errsize);
	if (rc == 0)
		rc = parse_kind(r, p, err, errsize);
	cJSON_Delete(p);
	NEED(rc != 0 || r->source == AR_SRC_TICKS || r->kind == AR_THRESHOLD ||
	         r->kind == AR_VWAP_DEVIATION || r->kind == AR_VOLUME_SPIKE,
	     "%s evaluates ticks only", kind);
	if (rc == 0 && recipients_csv && *recipients_csv) {
		r->recipients = strdup(recipients_csv);
		NEED(r->recipients, "out of memory");
	}
	return rc;
}

void ar_rule_free(struct ar_rule *r)
{
	free(r->recipients);
	r->recipients = NULL;
}
