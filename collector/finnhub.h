/* finnhub — the Finnhub trades websocket and /quote REST messages. */
#ifndef COL_FINNHUB_H
#define COL_FINNHUB_H

#include "tick.h"

#include <stddef.h>
#include <stdint.h>

enum col_fh_kind { FH_TRADE, FH_PING, FH_ERROR, FH_OTHER };

/* Called for each trade of a message; return nonzero to stop. */
typedef int (*col_fh_trade_fn)(void *opaque, const struct tick *t);

/* Parses one websocket message. Trades become ticks (source finnhub, exchange
 * US, day = New York date of t) passed to fn; their id is
 * finnhub|symbol|t|digest|i with digest a 64-bit FNV-1a of the whole frame,
 * so a replayed frame yields the same ids. Returns the kind (an error's msg
 * in reason), or -1 with reason when the message or a trade is malformed
 * (good trades before the bad one have been passed on). */
int col_fh_parse(const char *json, size_t len, int64_t recv_ms, col_fh_trade_fn fn,
                 void *opaque, char *reason, size_t rsize);

/* Parses a /quote response into t (qty 0, ts from "t" seconds, or now_ms
 * when absent). 0, -1 with reason. */
int col_fh_parse_quote(const char *symbol, const char *json, size_t len, int64_t now_ms,
                       struct tick *t, char *reason, size_t rsize);

/* The subscribe message for one symbol. */
size_t col_fh_subscribe_msg(char *buf, size_t size, const char *symbol, int subscribe);

uint64_t col_fnv1a64(const void *p, size_t n);
/* New York date (YYYY-MM-DD) of epoch ms, with the US DST rule. */
void col_ny_day(int64_t epoch_ms, char out[11]);

#endif
