/* barstate — accumulating one bar and turning it into the `bars` contract.
 *
 * open/close follow event time, not arrival: open is the price of the tick
 * with the smallest ts (the first to arrive among equals), close the price of
 * the tick with the largest ts (the last to arrive among equals), so an
 * out-of-order tick within the allowed lateness lands where it belongs. */
#include "agg_impl.h"
#include "bar.h"
#include "msgutil.h"
#include "tick.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void vs_open_add(struct vs_open *o, int64_t start, int64_t end, const struct tick *t,
                 double cum_turn, double cum_vol)
{
	if (o->end == 0) {
		memset(o, 0, sizeof *o);
		o->start = start, o->end = end;
		o->open = o->high = o->low = o->close = t->price;
		o->first_ts = o->last_ts = t->ts;
	} else {
		if (t->ts < o->first_ts)
			o->open = t->price, o->first_ts = t->ts;
		if (t->ts >= o->last_ts)
			o->close = t->price, o->last_ts = t->ts;
		if (t->price > o->high)
			o->high = t->price;
		if (t->price < o->low)
			o->low = t->price;
	}
	o->volume += t->qty;
	o->turnover += t->price * t->qty;
	o->trades++;
	o->cum_turn = cum_turn;
	o->cum_vol = cum_vol;
}

static void fill(const struct vs_agg *a, const struct vs_sym *s, const struct vs_open *o,
                 const char *window, int final, struct bar *b)
{
	memset(b, 0, sizeof *b);
	msg_copy(b->symbol, sizeof b->symbol, s->symbol);
	msg_copy(b->exchange, sizeof b->exchange, s->exchange);
	msg_copy(b->window, sizeof b->window, window);
	memcpy(b->day, s->daystr, sizeof b->day);
	b->start = o->start, b->end = o->end;
	b->open = o->open, b->high = o->high, b->low = o->low, b->close = o->close;
	b->volume = o->volume, b->turnover = o->turnover, b->trades = o->trades;
	/* A bar of zero-quantity ticks has no weighted price: the close stands in. */
	b->vwap = o->volume > 0 ? o->turnover / o->volume : o->close;
	b->cum_vwap = o->cum_vol > 0 ? o->cum_turn / o->cum_vol : o->close;
	b->final = final;
	b->updated_ts = a->now_ms;
	bar_make_id(b);
}

static void count_and_emit(struct vs_agg *a, const struct vs_sym *s, const struct bar *b)
{
	if (a->muted)
		return;
	if (b->final)
		a->stats.finals++;
	else
		a->stats.updates++;
	a->emit(a->opaque, s->part, b);
}

void vs_bar_emit_window(struct vs_agg *a, struct vs_sym *s, int w, struct vs_open *o, int final)
{
	struct bar b;
	struct vs_ind_vals v;
	fill(a, s, o, a->conf.win[w].name, final, &b);
	vs_ind_eval(&a->conf.ind, &s->win[w].ind, o->close, &v);
	vs_ind_to_bar(&a->conf.ind, &v, &b);
	count_and_emit(a, s, &b);
	o->dirty = 0;
	if (final) {
		vs_ind_push(&a->conf.ind, &s->win[w].ind, o->close, &v);
		o->end = 0;
	}
}

void vs_bar_emit_daily(struct vs_agg *a, struct vs_sym *s, int final)
{
	struct bar b;
	fill(a, s, &s->daily, "1d", final, &b);
	double ma = vs_daily_ma7(&s->hist, s->day, s->daily.close);
	if (!isnan(ma))
		bar_add_ind(&b, "ma7d", ma);
	count_and_emit(a, s, &b);
	s->daily.dirty = 0;
	if (final) {
		vs_daily_insert(&s->hist, s->day, s->daily.close);
		s->daily.end = 0;
	}
}
