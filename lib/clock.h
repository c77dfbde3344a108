/* clock — wall and monotonic time in the units the pipeline uses. */
#ifndef TP_CLOCK_H
#define TP_CLOCK_H

#include <stdint.h>

int64_t clock_now_ms(void);  /* wall clock, epoch milliseconds */
int64_t clock_mono_ms(void); /* monotonic, for timeouts and intervals */
int64_t clock_mono_ns(void);

#endif
