/* indicator — moving averages, volatility and cross signals on bar closes.
 *
 * Conventions (docs/vwap-stream.md):
 *  - sma_N: arithmetic mean of the last N closes; first value at the N-th close.
 *  - ema_N: α = 2/(N+1), seeded with the SMA of the first N closes (TA-Lib);
 *    first value at the N-th close, then ema = α·close + (1-α)·ema_prev.
 *  - volatility: sample standard deviation (n-1) of the last V log returns
 *    ln(c_i/c_{i-1}); first value when V+1 closes exist.
 *  - cross: "golden" when fast goes from ≤ slow (previous close) to > slow,
 *    "dead" when it goes from ≥ slow to < slow; both must exist on both closes.
 * vs_ind_eval computes the values a close would give without changing the
 * state (in-progress bars); vs_ind_push commits a final close with the values
 * eval gave it: each close's log return is computed once and kept, so a final
 * bar costs one log, not 2·V (measured: indicators were 12% of the CPU of a
 * catch-up run, evaluated twice per final bar). */
#ifndef VS_INDICATOR_H
#define VS_INDICATOR_H

#include <stddef.h>
#include <stdint.h>

#define VS_MAX_PERIODS 4
#define VS_IND_HIST 128 /* upper bound of the closes kept (periods and volatility bars < it) */

struct bar;

struct vs_ind_conf {
	int nper;
	int periods[VS_MAX_PERIODS];
	int vol_n;         /* volatility bars; 0: off */
	char fast[16];     /* cross members, e.g. sma_5 / sma_20; "" : off */
	char slow[16];
	int fast_i, slow_i; /* their place in vs_ind_vals.ma: k (sma) or VS_MAX_PERIODS + k (ema) */
	char sma_name[VS_MAX_PERIODS][16], ema_name[VS_MAX_PERIODS][16]; /* made once */
	int cap;           /* closes a state keeps: the longest period (at least 1) */
	int ring;          /* doubles a state's ring needs: cap closes + vol_n log returns */
};

/* The ring lives outside the struct, sized by vs_ind_conf.ring: a symbol with
 * the default periods keeps 60 closes and 20 returns, not VS_IND_HIST (RSS,
 * issue 4). */
struct vs_ind {
	double *hist;  /* ring of the last closes, cap of them */
	double *rets;  /* ring of the last log returns, vol_n of them (behind hist) */
	int32_t cap, nrets;
	int64_t count; /* closes pushed */
	double ema[VS_MAX_PERIODS];
	double prev_fast, prev_slow; /* NAN until known */
};

/* What a close appended to a state gives; NAN where too few closes exist. */
struct vs_ind_vals {
	double ma[2 * VS_MAX_PERIODS]; /* sma of period k at k, ema at VS_MAX_PERIODS + k */
	double vol;
	double ret;                    /* ln(close / previous close); NAN for the first */
	const char *cross;             /* "golden", "dead" or "" (static strings) */
};

/* Parses "5,20,60", volatility bars and "sma_5,sma_20" into c. */
int vs_ind_conf_parse(struct vs_ind_conf *c, const char *periods, long vol_n, const char *cross,
                      char *err, size_t errsize);
/* Attaches the ring (c->ring doubles) and resets. */
void vs_ind_init(const struct vs_ind_conf *c, struct vs_ind *s, double *ring);
/* Forgets every close (a new trading day); keeps the ring. */
void vs_ind_reset(struct vs_ind *s);
/* The values of `close` appended to s; s is not changed. */
void vs_ind_eval(const struct vs_ind_conf *c, const struct vs_ind *s, double close,
                 struct vs_ind_vals *v);
/* Adds them to b as sma_N, ema_N (per period), volatility and cross. */
void vs_ind_to_bar(const struct vs_ind_conf *c, const struct vs_ind_vals *v, struct bar *b);
/* Appends a final close whose values vs_ind_eval gave as v. */
void vs_ind_push(const struct vs_ind_conf *c, struct vs_ind *s, double close,
                 const struct vs_ind_vals *v);

/* The daily history behind ma7d: the last VS_DAILY_KEEP final daily closes. */
#define VS_DAILY_KEEP 7
struct vs_daily_hist {
	int32_t day[VS_DAILY_KEEP]; /* ascending */
	double close[VS_DAILY_KEEP];
	int n;
};
/* Inserts a day's close unless that day is known already (the first value
 * for a day wins: it came from the final daily bar). */
void vs_daily_insert(struct vs_daily_hist *h, int32_t day, double close);
/* Mean of today's close and the 6 latest closes of days before `day`, or NAN. */
double vs_daily_ma7(const struct vs_daily_hist *h, int32_t day, double close);

#endif
