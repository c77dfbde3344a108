/* tickfast — a fast decoder for the `ticks` contract's own layout.
 *
 * tick_decode builds a cJSON tree (~1.2 µs a tick), too slow for a million
 * ticks a second on one core. tickfast_decode reads the exact member order
 * tick_encode writes ({"v":1,"id":..,"source":..,...} without whitespace,
 * escapes or unusual number forms) in one pass without allocating. Anything
 * else — another order, whitespace, an escape, an exotic number, a rule
 * violation — falls back to tick_decode, so the result (struct, return value
 * and, for rejects, the reason) is always what tick_decode gives. The
 * differential unit test and the fuzz target fuzz_tick_fast check that. */
#ifndef TP_TICKFAST_H
#define TP_TICKFAST_H

#include "tick.h"

#include <stddef.h>

/* Same contract as tick_decode. */
int tickfast_decode(const char *json, size_t len, struct tick *t, char *reason, size_t rsize);

/* The fast path alone: 0 when it decoded a valid tick, -1 when it declined
 * (t is then unspecified; call tick_decode). For tests and metrics. */
int tickfast_try(const char *json, size_t len, struct tick *t);

#endif
