/* eval — the rule engine: per-symbol intraday state (own VWAP, last price,
 * day volume, the previous day's close and volume) and the evaluation of a
 * tick or bar against the rules for its symbol plus the wildcard rules.
 *
 * Boundaries are inclusive: a rule with pct 3 fires at a deviation of exactly
 * 3%, not at 2.99%. State is updated after the rules saw the message, so a
 * trade is compared with the VWAP and price before it. Single-threaded. */
#ifndef AR_EVAL_H
#define AR_EVAL_H

#include "rules.h"

#include <stddef.h>
#include <stdint.h>

struct tick;
struct bar;

struct ar_hit {
	const struct ar_rule *rule;
	double observed;
	double threshold;
	char message[200];
};

struct ar_engine;

struct ar_engine *ar_engine_new(void);
void ar_engine_free(struct ar_engine *e);

/* Evaluates rs against t, then folds t into the symbol's state. Writes up to
 * max hits; returns how many rules fired (may exceed max: the rest are lost,
 * so pass a generous max). */
int ar_eval_tick(struct ar_engine *e, const struct ar_ruleset *rs, const struct tick *t,
                 struct ar_hit *hits, int max);
int ar_eval_bar(struct ar_engine *e, const struct ar_ruleset *rs, const struct bar *b,
                struct ar_hit *hits, int max);

/* Number of symbols with state (for metrics and tests). */
size_t ar_engine_symbols(const struct ar_engine *e);

/* Sets a symbol's previous close/volume as if learned (tests, warm start). */
void ar_engine_set_prev(struct ar_engine *e, const char *symbol, const char *day,
                        double prev_close, double prev_volume);

#endif
