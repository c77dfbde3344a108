/* window — window specs and aligned starts. See window.h. */
#include "window.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vs_window_parse(const char *text, struct vs_win_spec *out, char *err, size_t errsize)
{
	char *end;
	long n = strtol(text, &end, 10);
	int64_t unit = *end == 's' ? 1000 : *end == 'm' ? 60000 : *end == 'h' ? 3600000 : 0;
	if (end == text || n <= 0 || !unit || end[1] || (int64_t)n * unit > 86400000 ||
	    strlen(text) >= sizeof out->name) {
		snprintf(err, errsize, "bad window \"%s\" (want e.g. 30s, 1m, 5m, 1h)", text);
		return -1;
	}
	snprintf(out->name, sizeof out->name, "%s", text);
	out->len_ms = (int64_t)n * unit;
	return 0;
}

int vs_window_list_parse(const char *list, struct vs_win_spec *out, int max, int *n, char *err,
                         size_t errsize)
{
	char buf[256], *save = NULL;
	snprintf(buf, sizeof buf, "%s", list);
	*n = 0;
	for (char *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (*n == max) {
			snprintf(err, errsize, "at most %d windows", max);
			return -1;
		}
		if (vs_window_parse(t, &out[*n], err, errsize))
			return -1;
		for (int i = 0; i < *n; i++)
			if (out[i].len_ms == out[*n].len_ms) {
				snprintf(err, errsize, "window %s given twice", t);
				return -1;
			}
		(*n)++;
	}
	if (*n == 0) {
		snprintf(err, errsize, "no windows given");
		return -1;
	}
	return 0;
}

int64_t vs_window_start(int64_t ts, int64_t len)
{
	int64_t q = ts / len;
	if (ts % len < 0)
		q--;
	return q * len;
}
