#include "clock.h"

#include <time.h>

int64_t clock_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t clock_mono_ms(void) { return clock_mono_ns() / 1000000; }

void clock_now_pair(int64_t *now_ms, int64_t *mono_ns)
{
	static _Thread_local int64_t offset_ns, next_ns;
	int64_t mono = clock_mono_ns();
	if (mono >= next_ns) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		offset_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec - mono;
		next_ns = mono + 100000000;
	}
	*mono_ns = mono;
	*now_ms = (mono + offset_ns) / 1000000;
}
