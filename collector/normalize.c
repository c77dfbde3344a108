/* normalize — KIS H0STCNT0 record -> tick. See normalize.h. */
#include "normalize.h"
#include "numfmt.h"
#include "tradecal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KST_OFFSET_MS (9 * 3600 * 1000LL)

int col_parse_num(const char *s, double *out)
{
	if (!s || !*s)
		return -1;
	/* Prices, volumes, KRW values and WGHN_AVRG_STCK_PRC without strtod: it
	 * was a large part of the per-trade cost. Same result, bit for bit. */
	if (numfmt_parse(s, strlen(s), out) == 0)
		return 0;
	char *end;
	double d = strtod(s, &end);
	if (*end || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

static int digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return s[n] == 0;
}

static int num2(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

/* Epoch ms of KST midnight starting date d (8 digits, checked) into *ms;
 * 0, or -1 when malformed. */
static int kst_midnight_ms(const char *d, int64_t *ms)
{
	if (!digits(d, 8))
		return -1;
	int y = num2(d) * 100 + num2(d + 2), m = num2(d + 4), day = num2(d + 6);
	if (m < 1 || m > 12 || day < 1 || day > 31)
		return -1;
	*ms = (int64_t)cal_days_from_civil(y, m, day) * 86400000 - KST_OFFSET_MS;
	return 0;
}

int64_t col_kst_epoch_ms(const char *d, const char *h)
{
	/* A feed sends one business date all session: its midnight is kept. */
	static _Thread_local char last[9];
	static _Thread_local int64_t last_ms;
	if (!digits(h, 6))
		return -1;
	int hh = num2(h), mm = num2(h + 2), ss = num2(h + 4);
	if (hh > 23 || mm > 59 || ss > 60)
		return -1;
	if (!last[0] || strncmp(d, last, sizeof last)) { /* stops at d's end */
		if (kst_midnight_ms(d, &last_ms)) {
			last[0] = 0;
			return -1;
		}
		memcpy(last, d, sizeof last); /* 8 digits and the NUL, as checked */
	}
	return last_ms + (hh * 3600 + mm * 60 + ss) * 1000LL;
}

void col_kst_day(int64_t epoch_ms, char out[11])
{
	int64_t ms = epoch_ms + KST_OFFSET_MS;
	int32_t days = (int32_t)((ms >= 0 ? ms : ms - 86399999) / 86400000);
	cal_format_day(days, out);
}

/* The symbol is kept as text: leading zeros matter and since 2024 a code may
 * hold a letter. */
static int valid_symbol(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof ((struct tick *)0)->symbol)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return 1;
}

static void optional_num(const char *s, double *out)
{
	double v;
	*out = col_parse_num(s, &v) == 0 ? v : NAN;
}

static int event_time(char **fl, int64_t recv_ms, struct tick *t, char *date, char *reason,
                      size_t rsize)
{
	const char *d = fl[KIS_F_BSOP_DATE];
	char fallback[11];
	if (!d[0]) { /* no business date: the receive date in KST */
		col_kst_day(recv_ms, fallback);
		snprintf(date, 9, "%.4s%.2s%.2s", fallback, fallback + 5, fallback + 8);
		d = date;
	}
	t->ts = col_kst_epoch_ms(d, fl[KIS_F_HOUR]);
	if (t->ts <= 0) {
		snprintf(reason, rsize, "bad BSOP_DATE/STCK_CNTG_HOUR \"%.8s\" \"%.6s\"", d,
		         fl[KIS_F_HOUR]);
		return -1;
	}
	if (d != date)
		memcpy(date, d, 9); /* 8 digits and the NUL, as checked */
	memcpy(t->day, d, 4), t->day[4] = '-';
	memcpy(t->day + 5, d + 4, 2), t->day[7] = '-';
	memcpy(t->day + 8, d + 6, 2), t->day[10] = 0;
	return 0;
}

/* kis|symbol|YYYYMMDD|HHMMSS|ACML_VOL, built without printf. */
static void make_id(struct tick *t, const char *date, const char *hms, const char *acml)
{
	char *p = t->id;
	size_t ns = strlen(t->symbol), na = strlen(acml);
	if (!digits(acml, (int)na) || na == 0 || na > 20) { /* no usable cumulative volume */
		snprintf(t->id, sizeof t->id, "kis|%s|%s|%s|%.0f", t->symbol, date, hms,
		         isfinite(t->cum_volume) ? t->cum_volume : -1.0);
		return;
	}
	memcpy(p, "kis|", 4), p += 4;
	memcpy(p, t->symbol, ns), p += ns;
	*p++ = '|';
	memcpy(p, date, 8), p += 8;
	*p++ = '|';
	memcpy(p, hms, 6), p += 6;
	*p++ = '|';
	memcpy(p, acml, na + 1);
}

int col_kis_to_tick(const struct col_kis_frame *f, int r, int64_t recv_ms, struct tick *t,
                    char *reason, size_t rsize)
{
	char **fl = f->field + (size_t)r * (size_t)f->stride;
	char date[9];
	tick_clear(t);
	if (!valid_symbol(fl[KIS_F_CODE])) {
		snprintf(reason, rsize, "bad symbol code");
		return -1;
	}
	if (event_time(fl, recv_ms, t, date, reason, rsize))
		return -1;
	if (col_parse_num(fl[KIS_F_PRICE], &t->price) || col_parse_num(fl[KIS_F_QTY], &t->qty)) {
		snprintf(reason, rsize, "price and CNTG_VOL must be numbers");
		return -1;
	}
	t->price = fabs(t->price);
	if (!(t->price > 0) || !(t->qty >= 0)) {
		snprintf(reason, rsize, "price must be positive and CNTG_VOL not negative");
		return -1;
	}
	optional_num(fl[KIS_F_ACML_VOL], &t->cum_volume);
	optional_num(fl[KIS_F_ACML_PBMN], &t->cum_turnover);
	optional_num(fl[KIS_F_VWAP], &t->feed_vwap);
	const char *side = fl[KIS_F_SIDE];
	if (side[0] == '1' && !side[1])
		memcpy(t->side, "buy", 4);
	else if (side[0] == '5' && !side[1])
		memcpy(t->side, "sell", 5);
	memcpy(t->source, "kis", 4);
	memcpy(t->exchange, "KRX", 4);
	strcpy(t->symbol, fl[KIS_F_CODE]); /* length checked by valid_symbol */
	t->recv_ts = recv_ms;
	make_id(t, date, fl[KIS_F_HOUR], fl[KIS_F_ACML_VOL]);
	return 0;
}
