/* agg — symbols, partitions, watermarks and the tick path. See agg.h. */
#include "agg_impl.h"
#include "bar.h"
#include "tick.h"
#include "tradecal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct vs_agg *vs_agg_new(const struct vs_conf *c, const struct calendar *krx,
                          const struct calendar *us, vs_emit_fn emit, void *opaque)
{
	struct vs_agg *a = calloc(1, sizeof *a);
	if (!a || vs_symtab_init(&a->tab, 4096)) {
		free(a);
		return NULL;
	}
	a->conf = *c;
	a->sym_bytes =
		(size_t)c->nwin * (sizeof(struct vs_winstate) + (size_t)c->ind.ring * sizeof(double));
	a->krx = krx, a->us = us;
	a->emit = emit, a->opaque = opaque;
	return a;
}

void vs_agg_free(struct vs_agg *a)
{
	if (!a)
		return;
	for (int32_t i = 0; i < a->nchunks; i++) {
		free(a->chunks[i]);
		free(a->blocks[i]);
	}
	free(a->chunks);
	free(a->blocks);
	free(a->dirty);
	free(a->parts);
	vs_symtab_free(&a->tab);
	free(a);
}

void vs_agg_set_muted(struct vs_agg *a, int muted) { a->muted = muted; }
void vs_agg_set_now(struct vs_agg *a, int64_t now_ms) { a->now_ms = now_ms; }
const struct vs_stats *vs_agg_stats(const struct vs_agg *a) { return &a->stats; }
int32_t vs_agg_symbols(const struct vs_agg *a) { return a->tab.count; }

/* Empty windows; each indicator state gets its ring behind the states. */
static void win_reset(const struct vs_agg *a, struct vs_winstate *win)
{
	int ring = a->conf.ind.ring;
	double *rings = (double *)(win + a->conf.nwin);
	for (int w = 0; w < a->conf.nwin; w++) {
		memset(win[w].open, 0, sizeof win[w].open);
		vs_ind_init(&a->conf.ind, &win[w].ind, rings + (size_t)w * ring);
	}
}

/* Empties a symbol's state, daily history included (a dropped partition's
 * symbols are rebuilt from `bars` when it comes back). */
static void sym_reset(const struct vs_agg *a, struct vs_sym *s)
{
	struct vs_winstate *win = s->win;
	char sym[VS_SYM_MAX];
	memcpy(sym, s->symbol, sizeof sym);
	memset(s, 0, sizeof *s);
	memcpy(s->symbol, sym, sizeof sym);
	s->part = s->next = s->day = -1;
	s->win = win;
	win_reset(a, win);
}

static int add_chunk(struct vs_agg *a)
{
	size_t n = (size_t)a->nchunks + 1;
	struct vs_sym **c = realloc(a->chunks, n * sizeof *c);
	if (c)
		a->chunks = c;
	char **b = realloc(a->blocks, n * sizeof *b);
	if (b)
		a->blocks = b;
	int32_t *d = realloc(a->dirty, n * VS_CHUNK * sizeof *d);
	if (d)
		a->dirty = d;
	if (!c || !b || !d || !(c[n - 1] = calloc(VS_CHUNK, sizeof **c)))
		return -1;
	if (!(b[n - 1] = calloc(VS_CHUNK, a->sym_bytes ? a->sym_bytes : 1))) {
		free(c[n - 1]);
		return -1;
	}
	a->nchunks++;
	return 0;
}

/* Chunks and the dirty list grow only when a new symbol appears. */
static struct vs_sym *sym_get(struct vs_agg *a, const char *symbol)
{
	int created;
	int32_t i = vs_symtab_add(&a->tab, symbol, &created);
	if (i < 0)
		return NULL;
	if (created && i / VS_CHUNK >= a->nchunks && add_chunk(a))
		return NULL; /* the symbol stays in the table; its chunk retries next time */
	struct vs_sym *s = vs_sym_at(a, i);
	if (created) {
		snprintf(s->symbol, sizeof s->symbol, "%s", symbol);
		char *block = a->blocks[i / VS_CHUNK] + (size_t)(i % VS_CHUNK) * a->sym_bytes;
		s->win = (struct vs_winstate *)block;
		sym_reset(a, s);
	}
	return s;
}

static struct vs_part *part_get(struct vs_agg *a, int32_t p)
{
	if (p < 0)
		return NULL;
	if (p >= a->nparts) {
		int32_t n = p + 8;
		struct vs_part *np = realloc(a->parts, (size_t)n * sizeof *np);
		if (!np)
			return NULL;
		for (int32_t i = a->nparts; i < n; i++)
			np[i] = (struct vs_part){INT64_MIN, INT64_MAX, -1};
		a->parts = np, a->nparts = n;
	}
	return &a->parts[p];
}

int64_t vs_agg_max_ts(const struct vs_agg *a, int32_t part)
{
	return part >= 0 && part < a->nparts ? a->parts[part].max_ts : INT64_MIN;
}

static void unlink_sym(struct vs_agg *a, struct vs_sym *s, int32_t idx)
{
	struct vs_part *p = part_get(a, s->part);
	for (int32_t *pp = p ? &p->head : NULL; pp && *pp >= 0; pp = &vs_sym_at(a, *pp)->next)
		if (*pp == idx) {
			*pp = s->next;
			break;
		}
	s->part = s->next = -1;
}

/* Puts s on partition part's list (a symbol normally never moves). */
static int link_sym(struct vs_agg *a, struct vs_sym *s, int32_t part)
{
	int32_t idx = vs_symtab_find(&a->tab, s->symbol);
	if (s->part >= 0)
		unlink_sym(a, s, idx);
	struct vs_part *p = part_get(a, part);
	if (!p)
		return -1;
	s->next = p->head;
	p->head = idx;
	s->part = part;
	return 0;
}

static void mark_dirty(struct vs_agg *a, struct vs_sym *s, struct vs_open *o)
{
	if (a->muted)
		return;
	o->dirty = 1;
	if (!s->dirty) {
		s->dirty = 1;
		a->dirty[a->ndirty++] = vs_symtab_find(&a->tab, s->symbol);
	}
}

/* Final bars for every open window of s ending at or before wm (all when
 * wm is INT64_MAX), oldest first; returns the smallest end left open. */
static int64_t close_sym(struct vs_agg *a, struct vs_sym *s, int64_t wm)
{
	int64_t left = INT64_MAX;
	for (int w = 0; w < a->conf.nwin; w++) {
		struct vs_open *x = &s->win[w].open[0], *y = &s->win[w].open[1];
		if (x->end && y->end && y->start < x->start)
			x = &s->win[w].open[1], y = &s->win[w].open[0];
		struct vs_open *order[2] = {x, y};
		for (int k = 0; k < 2; k++) {
			struct vs_open *o = order[k];
			if (o->end && vs_window_closed(o->end, wm))
				vs_bar_emit_window(a, s, w, o, 1);
			if (o->end && o->end < left)
				left = o->end;
		}
	}
	if (s->daily.end && vs_window_closed(s->daily.end, wm))
		vs_bar_emit_daily(a, s, 1);
	if (s->daily.end && s->daily.end < left)
		left = s->daily.end;
	return left;
}

static void close_partition(struct vs_agg *a, struct vs_part *p, int64_t wm)
{
	int64_t next = INT64_MAX;
	for (int32_t i = p->head; i >= 0;) {
		struct vs_sym *s = vs_sym_at(a, i);
		int64_t left = close_sym(a, s, wm);
		if (left < next)
			next = left;
		i = s->next;
	}
	p->next_close = next;
}

/* A tick of a later trading day: the old day's bars are final, sums restart. */
static void new_day(struct vs_agg *a, struct vs_sym *s, int32_t day, const char *daystr)
{
	close_sym(a, s, INT64_MAX);
	s->day = day;
	memcpy(s->daystr, daystr, sizeof s->daystr);
	s->cum_vol = s->cum_turn = 0;
	for (int w = 0; w < a->conf.nwin; w++)
		vs_ind_reset(&s->win[w].ind);
}

static const struct calendar *cal_of(const struct vs_agg *a, const char *exchange)
{
	/* memcmp first: the spelling every tick has, without a strcasecmp per tick */
	if (memcmp(exchange, "KRX", 4) == 0 || strcasecmp(exchange, "KRX") == 0)
		return a->krx;
	if (strcasecmp(exchange, "US") == 0)
		return a->us;
	return NULL;
}

/* Adds t to the window of spec w holding it, unless that window is closed. */
static void add_window(struct vs_agg *a, struct vs_sym *s, struct vs_part *p, int w,
                       const struct tick *t, int64_t wm, int *late)
{
	int64_t len = a->conf.win[w].len_ms, start = vs_window_start(t->ts, len);
	if (vs_window_closed(start + len, wm)) {
		a->stats.late++, *late = 1;
		return;
	}
	struct vs_open *o = NULL, *x = &s->win[w].open[0], *y = &s->win[w].open[1];
	if (x->end && x->start == start)
		o = x;
	else if (y->end && y->start == start)
		o = y;
	else if (!x->end || !y->end)
		o = !x->end ? x : y;
	else { /* cannot happen while lateness ≤ length; stay safe: close the older */
		o = x->start < y->start ? x : y;
		vs_bar_emit_window(a, s, w, o, 1);
	}
	vs_open_add(o, start, start + len, t, s->cum_turn, s->cum_vol);
	if (start + len < p->next_close)
		p->next_close = start + len;
	mark_dirty(a, s, o);
}

static void add_daily(struct vs_agg *a, struct vs_sym *s, struct vs_part *p,
                      const struct tick *t, int64_t wm, int *late)
{
	int64_t start = cal_local_to_epoch(s->cal, s->day, 0);
	int64_t end = cal_local_to_epoch(s->cal, s->day + 1, 0);
	if (vs_window_closed(end, wm)) {
		a->stats.late++, *late = 1;
		return;
	}
	vs_open_add(&s->daily, start, end, t, s->cum_turn, s->cum_vol);
	if (end < p->next_close)
		p->next_close = end;
	mark_dirty(a, s, &s->daily);
}

static void check_feed(struct vs_agg *a, const struct vs_sym *s, const struct tick *t)
{
	if (!isfinite(t->cum_volume) || !isfinite(t->cum_turnover) || t->cum_volume <= 0)
		return;
	double own = s->cum_turn * t->cum_volume, feed = t->cum_turnover * s->cum_vol;
	if (fabs(own - feed) > 1e-9 * fabs(feed))
		a->stats.feed_mismatch++;
}

int vs_agg_tick(struct vs_agg *a, int32_t part, const struct tick *t, char *reason, size_t rsize)
{
	int32_t day;
	const struct calendar *cal = cal_of(a, t->exchange);
	if (!cal) {
		snprintf(reason, rsize, "unknown exchange \"%s\" (want KRX or US)", t->exchange);
		return VS_TICK_REJECT;
	}
	struct vs_sym *s = sym_get(a, t->symbol);
	struct vs_part *p = part_get(a, part);
	if (!s || !p || (s->part != part && link_sym(a, s, part))) {
		snprintf(reason, rsize, "out of memory for symbol state");
		return VS_TICK_REJECT;
	}
	/* Nearly every tick is of the symbol's current day: skip the date parse. */
	if (s->day >= 0 && memcmp(t->day, s->daystr, sizeof s->daystr) == 0)
		day = s->day;
	else if (cal_parse_day(t->day, &day)) {
		snprintf(reason, rsize, "bad trading day \"%s\"", t->day);
		return VS_TICK_REJECT;
	}
	if (s->day >= 0 && day < s->day) {
		a->stats.other_day++;
		return VS_TICK_OTHER_DAY;
	}
	if (t->ts > p->max_ts) {
		p->max_ts = t->ts;
		if (p->max_ts - a->conf.lateness_ms >= p->next_close)
			close_partition(a, p, p->max_ts - a->conf.lateness_ms);
	}
	if (day > s->day) {
		new_day(a, s, day, t->day);
		snprintf(s->exchange, sizeof s->exchange, "%s", t->exchange);
		s->cal = cal;
	}
	int64_t wm = p->max_ts - a->conf.lateness_ms;
	int late = 0;
	s->cum_vol += t->qty;
	s->cum_turn += t->price * t->qty;
	check_feed(a, s, t);
	for (int w = 0; w < a->conf.nwin; w++)
		add_window(a, s, p, w, t, wm, &late);
	add_daily(a, s, p, t, wm, &late);
	a->stats.ticks++;
	a->stats.late_ticks += late;
	return VS_TICK_OK;
}

void vs_agg_flush_dirty(struct vs_agg *a)
{
	for (int32_t i = 0; i < a->ndirty; i++) {
		struct vs_sym *s = vs_sym_at(a, a->dirty[i]);
		if (!s->dirty)
			continue;
		for (int w = 0; w < a->conf.nwin; w++)
			for (int k = 0; k < 2; k++)
				if (s->win[w].open[k].end && s->win[w].open[k].dirty)
					vs_bar_emit_window(a, s, w, &s->win[w].open[k], 0);
		if (s->daily.end && s->daily.dirty)
			vs_bar_emit_daily(a, s, 0);
		s->dirty = 0;
	}
	a->ndirty = 0;
}

void vs_agg_drop_partition(struct vs_agg *a, int32_t part)
{
	if (part < 0 || part >= a->nparts)
		return;
	struct vs_part *p = &a->parts[part];
	for (int32_t i = p->head; i >= 0;) {
		struct vs_sym *s = vs_sym_at(a, i);
		i = s->next;
		sym_reset(a, s);
	}
	*p = (struct vs_part){INT64_MIN, INT64_MAX, -1};
	/* Reset symbols left the dirty list unflagged: compact it. */
	int32_t n = 0;
	for (int32_t i = 0; i < a->ndirty; i++)
		if (vs_sym_at(a, a->dirty[i])->dirty)
			a->dirty[n++] = a->dirty[i];
	a->ndirty = n;
}

void vs_agg_load_daily(struct vs_agg *a, const struct bar *b)
{
	int32_t day;
	struct vs_sym *s;
	if (strcmp(b->window, "1d") || !b->final || cal_parse_day(b->day, &day) ||
	    !(s = sym_get(a, b->symbol)))
		return;
	vs_daily_insert(&s->hist, day, b->close);
}
