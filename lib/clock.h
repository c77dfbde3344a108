/* clock — wall and monotonic time in the units the pipeline uses. */
#ifndef TP_CLOCK_H
#define TP_CLOCK_H

#include <stdint.h>

int64_t clock_now_ms(void);  /* wall clock, epoch milliseconds */
int64_t clock_mono_ms(void); /* monotonic, for timeouts and intervals */
int64_t clock_mono_ns(void);
/* Wall-clock ms and monotonic ns of one moment from one clock read (per
 * received frame): the wall clock is the monotonic one plus an offset
 * re-read every 100 ms per thread, so a step of the system clock shows
 * within 100 ms and slewing moves it by microseconds at most. */
void clock_now_pair(int64_t *now_ms, int64_t *mono_ns);

#endif
