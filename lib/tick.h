/* tick — the `ticks` topic contract (schema v1): one trade, keyed by symbol.
 *
 * {"v":1,"id":"kis|005930|20261123|090001|1","source":"kis","symbol":"005930",
 *  "exchange":"KRX","ts":1763856001000,"day":"2026-11-23","price":71000,"qty":10,
 *  "cum_volume":1520,"cum_turnover":107920000,"feed_vwap":71000,"side":"buy",
 *  "recv_ts":1763856001004}
 *
 * Optional members (cum_volume, cum_turnover, feed_vwap, side, recv_ts) are
 * omitted when the feed lacks them; in the struct they are NAN, "" or 0. */
#ifndef TP_TICK_H
#define TP_TICK_H

#include <stddef.h>
#include <stdint.h>

#define TICK_VERSION 1
#define TICK_JSON_MAX 512

struct tick {
	char id[96];      /* stable: source|symbol|day|sequence or a frame digest */
	char source[12];  /* kis, finnhub, sim, replay */
	char symbol[16];  /* as the exchange writes it: "005930", "AAPL" */
	char exchange[8]; /* KRX, US */
	char day[11];     /* trading day in the exchange's zone, YYYY-MM-DD */
	char side[5];     /* buy, sell or "" */
	int64_t ts;       /* event time, epoch ms */
	int64_t recv_ts;  /* receive time, epoch ms; 0 when unknown */
	double price;
	double qty;
	double cum_volume;   /* the feed's cumulative day volume, or NAN */
	double cum_turnover; /* the feed's cumulative day value traded, or NAN */
	double feed_vwap;    /* the feed's own weighted average price, or NAN */
};

/* Empties t: strings "", numbers 0, optional numbers NAN. */
void tick_clear(struct tick *t);
/* Writes t as JSON into buf; returns the length or 0 when buf is too small. */
size_t tick_encode(const struct tick *t, char *buf, size_t size);
/* Parses and validates; 0, or -1 with a reason fit for the dlq. */
int tick_decode(const char *json, size_t len, struct tick *t, char *reason, size_t rsize);
/* Checks the contract's rules on a filled struct. */
int tick_validate(const struct tick *t, char *reason, size_t rsize);

#endif
