/* eval — per-symbol state and the rule kinds' conditions; see eval.h. */
#include "eval.h"

#include "bar.h"
#include "krx.h"
#include "tick.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Percentages are computed in floating point: 103 vs 100 gives 3.0000000004
 * or 2.9999999996 depending on the operands, so "at the boundary" allows a
 * relative slack far below any meaningful price difference. */
#define AR_EPS 1e-9

/* volume_spike history for one rule and symbol. */
struct ar_vol {
	struct ar_vol *next;
	char rule_id[40];
	int n;
	int64_t window_ms;
	int count, pos;
	int64_t wstart;
	double wvol;
	double ring[];
};

struct ar_sym {
	char symbol[16]; /* "" = empty slot */
	char day[11];
	int64_t trades;
	double pv, v;     /* own intraday VWAP: sum(price*qty), sum(qty) */
	double last;      /* last price today, 0 none */
	double day_volume;
	double prev_close, prev_volume;
	char prev_day[11]; /* the day prev_close closed; "" when given, not learned */
	struct ar_vol *vols;
};

struct ar_engine {
	struct ar_sym *slots;
	size_t cap, used;
};

struct ar_engine *ar_engine_new(void)
{
	struct ar_engine *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->cap = 4096;
	e->slots = calloc(e->cap, sizeof *e->slots);
	if (!e->slots) {
		free(e);
		return NULL;
	}
	return e;
}

void ar_engine_free(struct ar_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->cap; i++)
		for (struct ar_vol *v = e->slots[i].vols, *nx; v; v = nx) {
			nx = v->next;
			free(v);
		}
	free(e->slots);
	free(e);
}

size_t ar_engine_symbols(const struct ar_engine *e) { return e->used; }

static struct ar_sym *probe(struct ar_sym *slots, size_t cap, const char *symbol)
{
	size_t i = ar_hash(symbol) & (cap - 1);
	while (slots[i].symbol[0] && strcmp(slots[i].symbol, symbol) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(struct ar_engine *e)
{
	size_t cap = e->cap * 2;
	struct ar_sym *s = calloc(cap, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < e->cap; i++)
		if (e->slots[i].symbol[0])
			*probe(s, cap, e->slots[i].symbol) = e->slots[i];
	free(e->slots);
	e->slots = s;
	e->cap = cap;
	return 0;
}

/* The symbol's state, created on first sight; NULL only when out of memory. */
static struct ar_sym *sym_get(struct ar_engine *e, const char *symbol)
{
	struct ar_sym *s = probe(e->slots, e->cap, symbol);
	if (s->symbol[0])
		return s;
	if (2 * (e->used + 1) > e->cap) {
		if (grow(e) != 0)
			return NULL;
		s = probe(e->slots, e->cap, symbol);
	}
	snprintf(s->symbol, sizeof s->symbol, "%s", symbol);
	e->used++;
	return s;
}

void ar_engine_set_prev(struct ar_engine *e, const char *symbol, const char *day,
                        double prev_close, double prev_volume)
{
	struct ar_sym *s = sym_get(e, symbol);
	if (!s)
		return;
	snprintf(s->day, sizeof s->day, "%s", day);
	s->prev_close = prev_close;
	s->prev_volume = prev_volume;
	s->prev_day[0] = 0;
}

/* The learned previous close/volume, when they belong to a day before the
 * symbol's current one (a daily bar of today is not "previous"). */
static int prev_valid(const struct ar_sym *s)
{
	return !s->prev_day[0] || !s->day[0] || strcmp(s->prev_day, s->day) < 0;
}

/* A new trading day: yesterday's last price and volume become the base. */
static void roll_day(struct ar_sym *s, const char *day)
{
	if (s->day[0] && s->last > 0) {
		s->prev_close = s->last;
		s->prev_volume = s->day_volume;
		snprintf(s->prev_day, sizeof s->prev_day, "%s", s->day);
	}
	snprintf(s->day, sizeof s->day, "%s", day);
	s->pv = s->v = s->last = s->day_volume = 0;
	s->trades = 0;
}

static struct ar_vol *vol_get(struct ar_sym *s, const struct ar_rule *r)
{
	struct ar_vol **pp = &s->vols;
	for (; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->rule_id, r->id) == 0) {
			if ((*pp)->n == r->n && (*pp)->window_ms == r->window_ms)
				return *pp;
			struct ar_vol *old = *pp; /* parameters changed: start over */
			*pp = old->next;
			free(old);
			break;
		}
	struct ar_vol *v = calloc(1, sizeof *v + (size_t)r->n * sizeof(double));
	if (!v)
		return NULL;
	snprintf(v->rule_id, sizeof v->rule_id, "%s", r->id);
	v->n = r->n;
	v->window_ms = r->window_ms;
	v->wstart = INT64_MIN;
	v->next = s->vols;
	s->vols = v;
	return v;
}

static void vol_push(struct ar_vol *v, double x)
{
	v->ring[v->pos] = x;
	v->pos = (v->pos + 1) % v->n;
	if (v->count < v->n)
		v->count++;
}

/* mean + k*sd of the history; 0 when the history is not full yet. */
static int vol_threshold(const struct ar_vol *v, double k, double *mean, double *thr)
{
	if (v->count < v->n)
		return 0;
	double sum = 0, sq = 0;
	for (int i = 0; i < v->n; i++)
		sum += v->ring[i];
	*mean = sum / v->n;
	for (int i = 0; i < v->n; i++)
		sq += (v->ring[i] - *mean) * (v->ring[i] - *mean);
	*thr = *mean + k * sqrt(sq / v->n);
	return 1;
}

struct tctx {
	const struct tick *t;
	struct ar_sym *s;
	double vwap_before; /* NAN when no trade yet today */
	double last_before; /* 0 when none */
	double day_volume;  /* including this trade */
};

static int hit(struct ar_hit *h, const struct ar_rule *r, double observed, double threshold,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int hit(struct ar_hit *h, const struct ar_rule *r, double observed, double threshold,
               const char *fmt, ...)
{
	if (!h)
		return 1;
	h->rule = r;
	h->observed = observed;
	h->threshold = threshold;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->message, sizeof h->message, fmt, ap);
	va_end(ap);
	return 1;
}

static double base_of(const struct ar_rule *r, const struct ar_sym *s)
{
	return r->base > 0 ? r->base : prev_valid(s) ? s->prev_close : 0;
}

/* The VWAP before this trade: the feed's own day totals when it sends them
 * (they survive a restart of the router), else the router's accumulation
 * since it first saw the symbol today. */
static double vwap_before(const struct ar_sym *s, const struct tick *t)
{
	if (isfinite(t->cum_turnover) && isfinite(t->cum_volume)) {
		double v = t->cum_volume - t->qty, pv = t->cum_turnover - t->price * t->qty;
		return v > 0 && pv > 0 ? pv / v : NAN;
	}
	return s->v > 0 ? s->pv / s->v : NAN;
}

static int ge(double a, double b) { return a >= b - AR_EPS * fmax(1.0, fabs(b)); }
static int le(double a, double b) { return a <= b + AR_EPS * fmax(1.0, fabs(b)); }

static int eval_vwap(const struct ar_rule *r, const struct tctx *c, struct ar_hit *h)
{
	/* min_trades counts the trades seen today; feed totals (which cover
	 * the day from its start) satisfy it by themselves. */
	int feed = isfinite(c->t->cum_turnover) && isfinite(c->t->cum_volume);
	if (!(c->vwap_before > 0) || (!feed && c->s->trades < r->n))
		return 0;
	double p = c->t->price, dev = (p - c->vwap_before) / c->vwap_before * 100;
	if (ge(dev, r->pct) && (r->dir & AR_UP || !r->dir))
		return hit(h, r, dev, r->pct, "price %.10g is %.3f%% above VWAP %.10g",
		           p, dev, c->vwap_before);
	if (le(dev, -r->pct) && (r->dir & AR_DOWN || !r->dir))
		return hit(h, r, dev, -r->pct, "price %.10g is %.3f%% below VWAP %.10g",
		           p, -dev, c->vwap_before);
	return 0;
}

static int eval_volume(const struct ar_rule *r, const struct tctx *c, struct ar_hit *h)
{
	struct ar_vol *v = vol_get(c->s, r);
	if (!v)
		return 0;
	double mean = 0, thr = 0, x = c->t->qty;
	if (r->window_ms == 0) {
		int ok = vol_threshold(v, r->k, &mean, &thr);
		vol_push(v, x);
		if (ok && x > mean && ge(x, thr))
			return hit(h, r, x, thr, "trade volume %.10g >= mean %.10g + %g sd (%.10g)",
			           x, mean, r->k, thr);
		return 0;
	}
	int64_t ws = c->t->ts - ((c->t->ts % r->window_ms) + r->window_ms) % r->window_ms;
	if (ws < v->wstart)
		return 0; /* a late trade of a closed window: not counted twice */
	if (ws > v->wstart) {
		if (v->wstart != INT64_MIN) {
			vol_push(v, v->wvol);
			int64_t gap = (ws - v->wstart) / r->window_ms - 1; /* windows without trades */
			for (int64_t i = 0; i < gap && i < v->n; i++)
				vol_push(v, 0);
		}
		v->wstart = ws;
		v->wvol = 0;
	}
	v->wvol += x;
	if (vol_threshold(v, r->k, &mean, &thr) && v->wvol > mean && ge(v->wvol, thr))
		return hit(h, r, v->wvol, thr, "window volume %.10g >= mean %.10g + %g sd (%.10g)",
		           v->wvol, mean, r->k, thr);
	return 0;
}

static int eval_limit(const struct ar_rule *r, const struct tctx *c, struct ar_hit *h)
{
	double base = base_of(r, c->s);
	int64_t up, lo;
	if (!(base > 0) || krx_price_limits(llround(base), r->limit_pct, &up, &lo) != 0)
		return 0;
	double p = c->t->price;
	double near_up = (double)up * (1 - r->pct / 100), near_lo = (double)lo * (1 + r->pct / 100);
	if ((r->dir & AR_UP) && ge(p, near_up))
		return hit(h, r, p, near_up, "price %.10g within %g%% of the upper limit %lld (base %.10g)",
		           p, r->pct, (long long)up, base);
	if ((r->dir & AR_DOWN) && le(p, near_lo))
		return hit(h, r, p, near_lo, "price %.10g within %g%% of the lower limit %lld (base %.10g)",
		           p, r->pct, (long long)lo, base);
	return 0;
}

static int eval_change(const struct ar_rule *r, const struct tctx *c, struct ar_hit *h)
{
	double base = base_of(r, c->s);
	if (!(base > 0))
		return 0;
	double chg = (c->t->price - base) / base * 100;
	int have_prev = c->last_before > 0;
	double prev = have_prev ? (c->last_before - base) / base * 100 : 0;
	if ((r->dir & AR_UP) && ge(chg, r->pct) && (!have_prev || !ge(prev, r->pct)))
		return hit(h, r, chg, r->pct, "change %+.3f%% vs previous close %.10g crossed +%g%%",
		           chg, base, r->pct);
	if ((r->dir & AR_DOWN) && le(chg, -r->pct) && (!have_prev || !le(prev, -r->pct)))
		return hit(h, r, chg, -r->pct, "change %+.3f%% vs previous close %.10g crossed -%g%%",
		           chg, base, r->pct);
	return 0;
}

static int eval_target(const struct ar_rule *r, const struct tctx *c, struct ar_hit *h)
{
	double before = c->last_before > 0 ? c->last_before : base_of(r, c->s);
	double p = c->t->price, tg = r->value;
	if (!(before > 0))
		return 0;
	if ((r->dir & AR_UP) && before < tg && p >= tg)
		return hit(h, r, p, tg, "price %.10g crossed the target %.10g upward (from %.10g)", p,
		           tg, before);
	if ((r->dir & AR_DOWN) && before > tg && p <= tg)
		return hit(h, r, p, tg, "price %.10g crossed the target %.10g downward (from %.10g)",
		           p, tg, before);
	return 0;
}

static int eval_prev_day(const struct ar_rule *r, const struct tctx *c, struct ar_hit *h)
{
	if (strcmp(r->field, "volume") == 0) {
		double pv = r->prev_volume > 0 ? r->prev_volume
		                               : prev_valid(c->s) ? c->s->prev_volume : 0;
		if (!(pv > 0))
			return 0;
		double ratio = c->day_volume / pv * 100;
		if (ge(ratio, r->pct))
			return hit(h, r, ratio, r->pct, "day volume %.10g is %.2f%% of the previous day's %.10g",
			           c->day_volume, ratio, pv);
		return 0;
	}
	double base = base_of(r, c->s);
	if (!(base > 0))
		return 0;
	double chg = (c->t->price - base) / base * 100;
	if (((r->dir & AR_UP) && ge(chg, r->pct)) || ((r->dir & AR_DOWN) && le(chg, -r->pct)))
		return hit(h, r, chg, chg >= 0 ? r->pct : -r->pct,
		           "price %.10g is %+.3f%% vs the previous close %.10g", c->t->price, chg, base);
	return 0;
}

static int compare(int op, double a, double b)
{
	switch (op) {
	case AR_GE: return a >= b;
	case AR_GT: return a > b;
	case AR_LE: return a <= b;
	case AR_LT: return a < b;
	case AR_EQ: return a == b;
	default: return a != b;
	}
}

static const char *op_text(int op)
{
	static const char *const t[] = {">=", ">", "<=", "<", "==", "!="};
	return t[op];
}

static double tick_field(const struct tick *t, int f)
{
	switch (f) {
	case AR_F_PRICE: return t->price;
	case AR_F_QTY: return t->qty;
	case AR_F_CUM_VOLUME: return t->cum_volume;
	case AR_F_CUM_TURNOVER: return t->cum_turnover;
	case AR_F_FEED_VWAP: return t->feed_vwap;
	case AR_F_LATENCY_MS: return t->recv_ts ? (double)(t->recv_ts - t->ts) : NAN;
	default: return NAN;
	}
}

static int eval_threshold(const struct ar_rule *r, double x, struct ar_hit *h)
{
	if (isnan(x) || !compare(r->op, x, r->value))
		return 0;
	return hit(h, r, x, r->value, "%s %.10g %s %.10g", r->field, x, op_text(r->op), r->value);
}

static int eval_tick_rule(const struct ar_rule *r, const struct tctx *c, struct ar_hit *h)
{
	switch (r->kind) {
	case AR_VWAP_DEVIATION: return eval_vwap(r, c, h);
	case AR_VOLUME_SPIKE: return eval_volume(r, c, h);
	case AR_PRICE_LIMIT: return eval_limit(r, c, h);
	case AR_CHANGE_RATE: return eval_change(r, c, h);
	case AR_TARGET_PRICE: return eval_target(r, c, h);
	case AR_PREV_DAY_CHANGE: return eval_prev_day(r, c, h);
	case AR_THRESHOLD: return eval_threshold(r, tick_field(c->t, r->field_id), h);
	default: return 0;
	}
}

static int run_list(struct ar_rulelist l, const struct tctx *c, int stale, struct ar_hit *hits,
                    int max, int nhit)
{
	for (uint32_t i = 0; i < l.n; i++) {
		/* A trade from an earlier day than the state holds can only be
		 * judged by stateless thresholds. */
		if (stale && l.v[i]->kind != AR_THRESHOLD)
			continue;
		nhit += eval_tick_rule(l.v[i], c, nhit < max ? &hits[nhit] : NULL);
	}
	return nhit;
}

int ar_eval_tick(struct ar_engine *e, const struct ar_ruleset *rs, const struct tick *t,
                 struct ar_hit *hits, int max)
{
	struct ar_sym *s = sym_get(e, t->symbol);
	if (!s)
		return 0;
	int cmp = s->day[0] ? strcmp(t->day, s->day) : 1;
	if (cmp > 0)
		roll_day(s, t->day);
	int stale = cmp < 0;
	struct tctx c = {t, s, vwap_before(s, t), s->last, 0};
	c.day_volume = isfinite(t->cum_volume) ? t->cum_volume : s->day_volume + t->qty;
	int n = run_list(ar_ruleset_for(rs, t->symbol, AR_SRC_TICKS), &c, stale, hits, max, 0);
	n = run_list(ar_ruleset_wild(rs, AR_SRC_TICKS), &c, stale, hits, max, n);
	if (!stale) {
		s->pv += t->price * t->qty;
		s->v += t->qty;
		s->trades++;
		s->last = t->price;
		s->day_volume = c.day_volume;
	}
	return n;
}

static double bar_field(const struct bar *b, const struct ar_rule *r)
{
	switch (r->field_id) {
	case AR_F_OPEN: return b->open;
	case AR_F_HIGH: return b->high;
	case AR_F_LOW: return b->low;
	case AR_F_CLOSE: return b->close;
	case AR_F_VOLUME: return b->volume;
	case AR_F_TURNOVER: return b->turnover;
	case AR_F_VWAP: return b->vwap;
	case AR_F_CUM_VWAP: return b->cum_vwap;
	case AR_F_TRADES: return (double)b->trades;
	default: return bar_ind(b, r->field); /* sma_5, ema_20, ... */
	}
}

/* A final bar's volume against the last n final bars of the same window.
 * In-progress re-emissions are skipped, and so is a bar seen before (a
 * replay), so each window counts once. */
static int eval_bar_volume(struct ar_engine *e, const struct ar_rule *r, const struct bar *b,
                           struct ar_hit *h)
{
	struct ar_sym *s = b->final ? sym_get(e, b->symbol) : NULL;
	struct ar_vol *v = s ? vol_get(s, r) : NULL;
	if (!v || b->start <= v->wstart)
		return 0;
	v->wstart = b->start;
	double mean = 0, thr = 0;
	int ok = vol_threshold(v, r->k, &mean, &thr);
	vol_push(v, b->volume);
	if (ok && b->volume > mean && ge(b->volume, thr))
		return hit(h, r, b->volume, thr, "%s bar volume %.10g >= mean %.10g + %g sd (%.10g)",
		           b->window, b->volume, mean, r->k, thr);
	return 0;
}

static int eval_bar_rule(struct ar_engine *e, const struct ar_rule *r, const struct bar *b,
                         struct ar_hit *h)
{
	if (r->bar_window[0] && strcmp(r->bar_window, b->window) != 0)
		return 0;
	if (r->kind == AR_THRESHOLD)
		return eval_threshold(r, bar_field(b, r), h);
	if (r->kind == AR_VOLUME_SPIKE)
		return eval_bar_volume(e, r, b, h);
	if (r->kind != AR_VWAP_DEVIATION || !(b->cum_vwap > 0))
		return 0;
	/* Bars carry the day's VWAP (cum_vwap) computed by vwap-stream. */
	double dev = (b->close - b->cum_vwap) / b->cum_vwap * 100;
	if (ge(dev, r->pct) || le(dev, -r->pct))
		return hit(h, r, dev, dev > 0 ? r->pct : -r->pct,
		           "%s close %.10g is %+.3f%% from the day's VWAP %.10g", b->window, b->close,
		           dev, b->cum_vwap);
	return 0;
}

/* A final daily bar of an earlier day than the symbol's current one gives
 * the previous close and volume (e.g. after a restart, before any trade). */
static void learn_daily(struct ar_engine *e, const struct bar *b)
{
	if (!b->final || strcmp(b->window, "1d") != 0 || !(b->close > 0))
		return;
	struct ar_sym *s = sym_get(e, b->symbol);
	if (!s || (s->day[0] && strcmp(b->day, s->day) >= 0) ||
	    (s->prev_day[0] && strcmp(b->day, s->prev_day) <= 0))
		return;
	s->prev_close = b->close;
	s->prev_volume = b->volume;
	snprintf(s->prev_day, sizeof s->prev_day, "%s", b->day);
}

int ar_eval_bar(struct ar_engine *e, const struct ar_ruleset *rs, const struct bar *b,
                struct ar_hit *hits, int max)
{
	learn_daily(e, b);
	int n = 0;
	struct ar_rulelist l[2] = {ar_ruleset_for(rs, b->symbol, AR_SRC_BARS),
	                           ar_ruleset_wild(rs, AR_SRC_BARS)};
	for (int j = 0; j < 2; j++)
		for (uint32_t i = 0; i < l[j].n; i++)
			n += eval_bar_rule(e, l[j].v[i], b, n < max ? &hits[n] : NULL);
	return n;
}
