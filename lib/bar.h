/* bar — the `bars` topic contract (schema v1): one symbol, one window.
 *
 * {"v":1,"id":"005930|1m|1763856000000","symbol":"005930","exchange":"KRX",
 *  "window":"1m","start":1763856000000,"end":1763856060000,"day":"2026-11-23",
 *  "open":71000,"high":71200,"low":70900,"close":71100,"volume":1520,
 *  "turnover":107920000,"vwap":71000,"trades":42,"cum_vwap":70950.5,
 *  "final":true,"updated_ts":1763856061003,"sma_5":71020,"ema_5":71033.2,
 *  "volatility":0.0012,"cross":"golden"}
 *
 * The id is symbol|window|start: every re-emission of a bar (in-progress
 * update, replay, restart) carries the same id, so keyed sinks overwrite.
 * Indicators are flat numeric members named <kind>_<n> (sma_5, ema_20), plus
 * ma7d and volatility; each appears only once enough values exist. */
#ifndef TP_BAR_H
#define TP_BAR_H

#include <stddef.h>
#include <stdint.h>

#define BAR_VERSION 1
#define BAR_MAX_IND 16
#define BAR_JSON_MAX 1024

struct bar_ind {
	char name[16];
	double value;
};

struct bar {
	char id[64];
	char symbol[16];
	char exchange[8];
	char window[8]; /* 1m, 5m, 1h, 1d */
	char day[11];
	char cross[8]; /* golden, dead or "" */
	int64_t start, end; /* [start, end) epoch ms */
	int64_t updated_ts;
	int64_t trades;
	double open, high, low, close;
	double volume, turnover, vwap, cum_vwap;
	int final;
	int nind;
	struct bar_ind ind[BAR_MAX_IND];
};

/* Fills b->id from symbol, window and start. */
void bar_make_id(struct bar *b);
/* Adds an indicator; ignored when full. */
void bar_add_ind(struct bar *b, const char *name, double value);
/* Value of a named indicator, or NAN. */
double bar_ind(const struct bar *b, const char *name);
size_t bar_encode(const struct bar *b, char *buf, size_t size);
int bar_decode(const char *json, size_t len, struct bar *b, char *reason, size_t rsize);
int bar_validate(const struct bar *b, char *reason, size_t rsize);
/* Orders the versions of one bar id, for keyed sinks (Elasticsearch's
 * external version): 2·trades + final + 1, always > 0. A bar only grows, one
 * trade per tick, and its final version carries the trades of its last
 * update, so this orders every version any instance emits. updated_ts does
 * not: it is processing time, from another clock after a rebalance. */
int64_t bar_revision(const struct bar *b);

#endif
