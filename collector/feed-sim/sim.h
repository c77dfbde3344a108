/* feed-sim — an exchange simulator that speaks KIS and Finnhub well enough
 * that the collector cannot tell it from the real thing: KIS approval REST,
 * subscribe acks with the real codes, PINGPONG, single- and multi-record
 * H0STCNT0 frames whose every field is consistent, Finnhub trades, pings and
 * /quote. Prices are a seeded random walk on KRX ticks within the ±30% daily
 * limits: the same seed gives the same trades. Fault injection for tests. */
#ifndef SIM_H
#define SIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- market.c: symbols, prices, trades ---- */

/* KRX stock tick size for a price (since 2023-01-25). */
int64_t sim_tick_size(int64_t price);
/* Rounds down to the tick of the price itself. */
int64_t sim_round_tick(int64_t price);
/* ±30% daily limits of a base price, KRX rule: base*0.3 rounded down to the
 * base's tick, added/subtracted, rounded down to the result's tick. */
void sim_limits(int64_t base, int64_t *upper, int64_t *lower);

uint64_t sim_rand(uint64_t *state); /* splitmix64 */

struct sim_trade {
	int sym;
	int64_t seq;      /* global sequence, from 1 */
	int64_t ts_ms;    /* event time */
	int64_t price;    /* KRW, or US cents */
	int64_t qty;
	int side;         /* 1 buy, 5 sell */
};

struct sim_sym {
	char code[16];
	int us;                         /* a Finnhub symbol (prices in cents) */
	int64_t base, upper, lower;     /* previous close and daily limits */
	int64_t open, high, low, last;
	int64_t open_hms, high_hms, low_hms;
	int64_t cum_vol, cum_pbmn;      /* cumulative volume and value (KRW) */
	int64_t sells, buys, sell_qty, buy_qty;
	int64_t prev_day_vol, listed;
};

struct sim_market {
	struct sim_sym *sym;
	int nsym;      /* KRX symbols first, then US */
	int nkrx;
	uint64_t rng_krx, rng_us;
	int64_t seq_krx, seq_us;
	int64_t open_burst; /* the first trades of the day: bigger and faster */
};

/* Creates count KRX symbols (or the comma list) and the US list. */
int sim_market_init(struct sim_market *m, const char *krx_list, int krx_count,
                    const char *us_list, uint64_t seed, int64_t open_burst, char *err,
                    size_t errsize);
void sim_market_free(struct sim_market *m);
/* Next trade of the KRX (us=0) or US (us=1) stream, applied to the symbol's
 * state; ts_ms is the event time the caller chose. */
void sim_next_trade(struct sim_market *m, int us, int64_t ts_ms, struct sim_trade *t);

/* ---- kisfmt.c: H0STCNT0 records ---- */

/* Writes the 46 '^'-separated fields of a trade (the symbol's state after
 * it) into buf; returns the length or 0 when buf is too small. WGHN_AVRG_STCK_PRC
 * is ACML_TR_PBMN / ACML_VOL exactly (the shortest text of that double). */
size_t sim_kis_record(const struct sim_sym *s, const struct sim_trade *t, char *buf, size_t size);
/* KST date YYYYMMDD and time HHMMSS of an epoch ms. */
void sim_kst(int64_t ms, char date[9], char hms[7]);
/* The collector's tick id for a KIS trade (kis|code|date|hms|cum_vol). */
void sim_kis_id(const struct sim_sym *s, const struct sim_trade *t, char *buf, size_t size);

#endif
