/* backoff — capped exponential backoff with full jitter, for every retry loop
 * (reconnects, Elasticsearch 429/5xx, MongoDB and PostgreSQL outages). */
#ifndef TP_BACKOFF_H
#define TP_BACKOFF_H

#include <stdint.h>

struct backoff {
	int64_t base_ms;
	int64_t max_ms;
	int attempt;
	uint64_t rng; /* xorshift state; seeded from the clock when 0 */
};

void backoff_init(struct backoff *b, int64_t base_ms, int64_t max_ms);
/* The next delay: uniform in [cap/2, cap] where cap = min(max, base * 2^attempt).
 * Half the cap is kept so a retry storm cannot collapse to zero delay. */
int64_t backoff_next(struct backoff *b);
void backoff_reset(struct backoff *b);
/* Sleeps ms in slices of at most 100 ms, returning early when *stop is set. */
void backoff_sleep(int64_t ms, volatile const int *stop);

#endif
