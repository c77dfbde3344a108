#include "backoff.h"
#include "clock.h"

#include <time.h>

void backoff_init(struct backoff *b, int64_t base_ms, int64_t max_ms)
{
	b->base_ms = base_ms > 0 ? base_ms : 1;
	b->max_ms = max_ms >= b->base_ms ? max_ms : b->base_ms;
	b->attempt = 0;
	if (!b->rng)
		b->rng = (uint64_t)clock_mono_ns() | 1;
}

static uint64_t next_rand(struct backoff *b)
{
	uint64_t x = b->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return b->rng = x;
}

int64_t backoff_next(struct backoff *b)
{
	int64_t cap = b->base_ms;
	for (int i = 0; i < b->attempt && cap < b->max_ms; i++)
		cap *= 2;
	if (cap > b->max_ms)
		cap = b->max_ms;
	if (b->attempt < 62)
		b->attempt++;
	int64_t half = cap / 2;
	return half + (int64_t)(next_rand(b) % (uint64_t)(cap - half + 1));
}

void backoff_reset(struct backoff *b) { b->attempt = 0; }

void backoff_sleep(int64_t ms, volatile const int *stop)
{
	while (ms > 0 && !(stop && *stop)) {
		int64_t slice = ms > 100 ? 100 : ms;
		struct timespec ts = {slice / 1000, (slice % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		ms -= slice;
	}
}
