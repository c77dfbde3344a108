/* hours — the collection window: KRX 08:50-16:00 KST on trading days,
 * US 09:30-16:00 New York time, both configurable; --ignore-hours for tests
 * and demos at any hour. */
#ifndef COL_HOURS_H
#define COL_HOURS_H

#include "tradecal.h"

#include <stdint.h>

struct col_window {
	struct calendar cal;
	int loaded;
	int from_min, to_min;
	int always; /* --ignore-hours */
};

/* Parses "HH:MM-HH:MM" and loads the exchange's calendar. 0 or -1 with err. */
int col_window_init(struct col_window *w, const char *exchange, const char *spec,
                    const char *cal_dir, int always, char *err, size_t errsize);
int col_window_open(const struct col_window *w, int64_t now_ms);
void col_window_free(struct col_window *w);

#endif
