/* market — symbols and a seeded random walk of trades. See sim.h. */
#include "sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t sim_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double unit(uint64_t *s) { return (double)(sim_rand(s) >> 11) / 9007199254740992.0; }

int64_t sim_tick_size(int64_t p)
{
	return p < 2000 ? 1 : p < 5000 ? 5 : p < 20000 ? 10 : p < 50000 ? 50 : p < 200000 ? 100
	     : p < 500000 ? 500 : 1000;
}

int64_t sim_round_tick(int64_t p)
{
	int64_t t = sim_tick_size(p);
	return p / t * t;
}

void sim_limits(int64_t base, int64_t *upper, int64_t *lower)
{
	int64_t bt = sim_tick_size(base);
	int64_t delta = base * 3 / 10 / bt * bt;
	*upper = sim_round_tick(base + delta);
	*lower = sim_round_tick(base - delta);
}

static const char *const well_known[] = {"005930", "000660", "035420", "005380", "051910",
                                         "006400", "035720", "068270", "105560", "055550"};

static void init_sym(struct sim_sym *s, uint64_t *rng, int us)
{
	s->us = us;
	if (us) {
		s->base = 2000 + (int64_t)(unit(rng) * 50000); /* $20-$520 in cents */
		s->upper = s->base * 2, s->lower = 1;
	} else {
		double p = exp(log(1500.0) + unit(rng) * (log(600000.0) - log(1500.0)));
		s->base = sim_round_tick((int64_t)p);
		sim_limits(s->base, &s->upper, &s->lower);
	}
	s->last = s->base;
	s->prev_day_vol = 100000 + (int64_t)(unit(rng) * 5e6);
	s->listed = 10000000 + (int64_t)(unit(rng) * 5e8);
}

static int add_list(struct sim_market *m, const char *list, int us, char *err, size_t es)
{
	char *copy = strdup(list), *save = NULL;
	for (char *t = strtok_r(copy, ", \n", &save); t; t = strtok_r(NULL, ", \n", &save)) {
		if (strlen(t) >= 16) {
			snprintf(err, es, "symbol too long: %.20s", t);
			free(copy);
			return -1;
		}
		m->sym = realloc(m->sym, sizeof *m->sym * (size_t)(m->nsym + 1));
		memset(&m->sym[m->nsym], 0, sizeof *m->sym);
		snprintf(m->sym[m->nsym++].code, 16, "%s", t);
		(void)us;
	}
	free(copy);
	return 0;
}

int sim_market_init(struct sim_market *m, const char *krx_list, int krx_count,
                    const char *us_list, uint64_t seed, int64_t open_burst, char *err,
                    size_t errsize)
{
	memset(m, 0, sizeof *m);
	m->rng_krx = seed;
	m->rng_us = seed ^ 0x5851f42d4c957f2dULL;
	m->open_burst = open_burst;
	if (krx_list && *krx_list) {
		if (add_list(m, krx_list, 0, err, errsize))
			return -1;
	} else {
		m->sym = calloc((size_t)(krx_count ? krx_count : 1), sizeof *m->sym);
		for (int k = 0; k < krx_count; k++) /* KRX-like 6-digit codes, leading zeros kept */
			snprintf(m->sym[m->nsym++].code, 16, "%s",
			         k < 10 ? well_known[k] : "");
		for (int k = 10; k < krx_count; k++)
			snprintf(m->sym[k].code, 16, "%06d", 100000 + (k - 10) * 37 % 900000);
	}
	m->nkrx = m->nsym;
	if (us_list && *us_list && add_list(m, us_list, 1, err, errsize))
		return -1;
	for (int i = 0; i < m->nsym; i++)
		init_sym(&m->sym[i], i < m->nkrx ? &m->rng_krx : &m->rng_us, i >= m->nkrx);
	return 0;
}

void sim_market_free(struct sim_market *m)
{
	free(m->sym);
	m->sym = NULL;
}

/* A step of -2..+2 ticks, kept inside the daily limits. */
static int64_t walk(struct sim_sym *s, uint64_t *rng)
{
	double u = unit(rng);
	int steps = u < 0.1 ? -2 : u < 0.4 ? -1 : u < 0.6 ? 0 : u < 0.9 ? 1 : 2;
	int64_t tick = s->us ? 1 : sim_tick_size(s->last);
	int64_t p = s->last + steps * tick;
	if (!s->us)
		p = sim_round_tick(p);
	if (p > s->upper)
		p = s->upper;
	if (p < s->lower)
		p = s->lower;
	return p;
}

static int64_t quantity(struct sim_market *m, uint64_t *rng, int64_t seq)
{
	int64_t q = 1 + (int64_t)(-log(1.0 - unit(rng)) * 30);
	if (unit(rng) < 0.02)
		q *= 20; /* a volume burst */
	if (seq <= m->open_burst)
		q *= 5; /* the opening auction's aftermath */
	return q;
}

static void apply(struct sim_sym *s, const struct sim_trade *t, int64_t hms)
{
	if (!s->open) {
		s->open = s->high = s->low = t->price;
		s->open_hms = s->high_hms = s->low_hms = hms;
	}
	if (t->price > s->high)
		s->high = t->price, s->high_hms = hms;
	if (t->price < s->low)
		s->low = t->price, s->low_hms = hms;
	s->last = t->price;
	s->cum_vol += t->qty;
	s->cum_pbmn += t->price * t->qty;
	if (t->side == 1)
		s->buys++, s->buy_qty += t->qty;
	else
		s->sells++, s->sell_qty += t->qty;
}

void sim_next_trade(struct sim_market *m, int us, int64_t ts_ms, struct sim_trade *t)
{
	uint64_t *rng = us ? &m->rng_us : &m->rng_krx;
	int first = us ? m->nkrx : 0, n = us ? m->nsym - m->nkrx : m->nkrx;
	memset(t, 0, sizeof *t);
	t->sym = first + (int)(sim_rand(rng) % (uint64_t)n);
	t->seq = us ? ++m->seq_us : ++m->seq_krx;
	t->ts_ms = ts_ms;
	struct sim_sym *s = &m->sym[t->sym];
	t->price = walk(s, rng);
	t->qty = quantity(m, rng, t->seq);
	t->side = t->price > s->last || (t->price == s->last && unit(rng) < 0.5) ? 1 : 5;
	char d[9], h[7];
	sim_kst(ts_ms, d, h);
	apply(s, t, atol(h));
}
