/* kisfmt — H0STCNT0 records whose fields agree with each other and with the
 * trades sent before them. See sim.h for the field list's source. */
#include "numfmt.h"
#include "sim.h"
#include "tradecal.h"

#include <stdio.h>
#include <string.h>

void sim_kst(int64_t ms, char date[9], char hms[7])
{
	int64_t s = ms / 1000 + 9 * 3600; /* KST: UTC+9, no DST */
	int64_t days = s / 86400, sod = s % 86400;
	int y, m, d;
	cal_civil_from_days((int32_t)days, &y, &m, &d);
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%04d%02d%02d", y, m, d);
	memcpy(date, tmp, 8), date[8] = 0;
	snprintf(tmp, sizeof tmp, "%02d%02d%02d", (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
	memcpy(hms, tmp, 6), hms[6] = 0;
}

/* PRDY_VRSS_SIGN and friends: 1 limit-up, 2 up, 3 flat, 4 limit-down, 5 down. */
static int sign_vs(int64_t p, int64_t ref, const struct sim_sym *s)
{
	if (p == s->upper && p > ref)
		return 1;
	if (p == s->lower && p < ref)
		return 4;
	return p > ref ? 2 : p < ref ? 5 : 3;
}

static double ratio(int64_t a, int64_t b) { return b ? (double)a / (double)b : 0; }

void sim_kis_id(const struct sim_sym *s, const struct sim_trade *t, char *buf, size_t size)
{
	char d[9], h[7];
	sim_kst(t->ts_ms, d, h);
	snprintf(buf, size, "kis|%s|%s|%s|%lld", s->code, d, h, (long long)s->cum_vol);
}

size_t sim_kis_record(const struct sim_sym *s, const struct sim_trade *t, char *buf, size_t size)
{
	char d[9], h[7], vwap[32];
	sim_kst(t->ts_ms, d, h);
	numfmt_double((double)s->cum_pbmn / (double)s->cum_vol, vwap);
	int64_t p = t->price, tick = sim_tick_size(p);
	int n = snprintf(buf, size,
		"%s^%s^%lld^%d^%lld^%.2f^%s^%lld^%lld^%lld^%lld^%lld^%lld^%lld^%lld^"  /* 0-14 */
		"%lld^%lld^%lld^%.2f^%lld^%lld^%d^%.2f^%.2f^"                          /* 15-23 */
		"%06lld^%d^%lld^%06lld^%d^%lld^%06lld^%d^%lld^"                        /* 24-32 */
		"%s^20^N^%lld^%lld^%lld^%lld^%.2f^%lld^%.2f^0^^%lld",                  /* 33-45 */
		s->code, h, (long long)p, sign_vs(p, s->base, s), (long long)(p - s->base),
		ratio(p - s->base, s->base) * 100, vwap, (long long)s->open, (long long)s->high,
		(long long)s->low, (long long)(p + tick), (long long)p, (long long)t->qty,
		(long long)s->cum_vol, (long long)s->cum_pbmn,
		(long long)s->sells, (long long)s->buys, (long long)(s->buys - s->sells),
		ratio(s->buy_qty, s->sell_qty) * 100, (long long)s->sell_qty, (long long)s->buy_qty,
		t->side, ratio(s->buy_qty, s->cum_vol) * 100, ratio(s->cum_vol, s->prev_day_vol) * 100,
		(long long)s->open_hms, sign_vs(p, s->open, s), (long long)(p - s->open),
		(long long)s->high_hms, sign_vs(p, s->high, s), (long long)(p - s->high),
		(long long)s->low_hms, sign_vs(p, s->low, s), (long long)(p - s->low),
		d, (long long)(t->qty * 3), (long long)(t->qty * 2), (long long)(t->qty * 300),
		(long long)(t->qty * 200), ratio(s->cum_vol, s->listed) * 100,
		(long long)(s->prev_day_vol / 2), 50.0, (long long)s->base);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
