/* gate — whether the watchdog should look at all right now: only during the
 * collection window of a trading day, in the exchange's own zone and
 * calendar (special sessions shift the window with them). */
#include "wd.h"

int wd_gate(const struct calendar *cal, int64_t now_ms, int before_min, int after_min,
            int always_on, int64_t *expect_from_ms)
{
	*expect_from_ms = 0;
	if (always_on)
		return 1;
	int32_t day = cal_local_days(cal, now_ms);
	int open, close;
	if (cal_session(cal, day, &open, &close) != 0)
		return 0; /* weekend or holiday */
	int m = cal_local_minute(cal, now_ms);
	if (m < open - before_min || m >= close + after_min)
		return 0;
	/* Before the session opens nothing new need have arrived: yesterday's
	 * last tick is not "stale" at 08:55. Ages count from the open at most. */
	*expect_from_ms = cal_local_to_epoch(cal, day, open);
	return 1;
}
