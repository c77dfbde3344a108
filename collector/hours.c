/* hours — collection windows. See hours.h. */
#include "hours.h"

#include <stdio.h>
#include <string.h>

int col_window_init(struct col_window *w, const char *exchange, const char *spec,
                    const char *cal_dir, int always, char *err, size_t errsize)
{
	memset(w, 0, sizeof *w);
	w->always = always;
	char a[6] = "", b[6] = "";
	if (sscanf(spec, "%5[0-9:]-%5[0-9:]", a, b) != 2 || (w->from_min = cal_parse_hhmm(a)) < 0 ||
	    (w->to_min = cal_parse_hhmm(b)) < 0 || w->from_min >= w->to_min) {
		snprintf(err, errsize, "window must be HH:MM-HH:MM, got \"%.40s\"", spec);
		return -1;
	}
	if (always)
		return 0;
	if (cal_load(&w->cal, exchange, cal_dir && *cal_dir ? cal_dir : NULL, err, errsize))
		return -1;
	w->loaded = 1;
	return 0;
}

int col_window_open(const struct col_window *w, int64_t now_ms)
{
	return w->always || cal_in_window(&w->cal, now_ms, w->from_min, w->to_min);
}

void col_window_free(struct col_window *w)
{
	if (w->loaded)
		cal_free(&w->cal);
	w->loaded = 0;
}
