/* krx — Korea Exchange price arithmetic: the tick size (호가단위) for a price
 * and the daily price limits (가격제한폭) from a base price.
 *
 * Stock tick sizes since 2023-01-25 (KOSPI and KOSDAQ alike):
 *   < 2,000: 1   < 5,000: 5   < 20,000: 10   < 50,000: 50
 *   < 200,000: 100   < 500,000: 500   >= 500,000: 1,000
 *
 * Price limit (since 2015-06-15): width = base × 30% rounded down to the
 * base price's tick; upper = base + width and lower = base − width, each
 * rounded down to its own tick. Example: base 9,980 → width 2,990 →
 * 12,970 / 6,990. Leveraged ETFs scale the percentage (2x → 60%).
 * Prices are whole won, so everything is integer arithmetic. ETF/ETN ticks
 * differ and are not modelled. */
#ifndef TP_KRX_H
#define TP_KRX_H

#include <stdint.h>

#define KRX_LIMIT_PCT 30

/* The tick size for price (a price <= 0 gets 1). */
int64_t krx_tick_size(int64_t price);

/* price rounded down to a multiple of its own tick size. */
int64_t krx_round_down(int64_t price);

/* price rounded to the nearest valid tick at or above it. */
int64_t krx_round_up(int64_t price);

/* 1 when price lies on its tick grid. */
int krx_on_tick(int64_t price);

/* Upper and lower daily limits for base (previous close) and pct (30 for
 * ordinary stocks). Returns 0, or -1 when base <= 0 or pct is not in 1..100.
 * A lower limit below 1 won is clamped to 1. */
int krx_price_limits(int64_t base, int pct, int64_t *upper, int64_t *lower);

#endif
