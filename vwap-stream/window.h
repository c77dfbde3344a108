/* window — tumbling event-time windows: parsing "30s,1m,5m,1h" and the
 * arithmetic of aligned starts. Windows are aligned to the epoch (UTC), which
 * for whole-hour zones such as KST is also aligned to local hours. The daily
 * window is the exchange's local day [00:00, next 00:00) from tradecal. */
#ifndef VS_WINDOW_H
#define VS_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#define VS_MAX_WIN 4

struct tick;

struct vs_win_spec {
	char name[8];   /* as written in bars: "1m", "5m", "1h" */
	int64_t len_ms; /* > 0 */
};

/* Parses one window: <n>s, <n>m or <n>h (n > 0, length ≤ 1 day). */
int vs_window_parse(const char *text, struct vs_win_spec *out, char *err, size_t errsize);
/* Parses a comma-separated list into out[max]; *n receives the count. */
int vs_window_list_parse(const char *list, struct vs_win_spec *out, int max, int *n, char *err,
                         size_t errsize);
/* Start of the window of length len holding ts (floor, also for ts < 0). */
int64_t vs_window_start(int64_t ts, int64_t len);
/* 1 when a window ending at end is closed under watermark wm. */
static inline int vs_window_closed(int64_t end, int64_t wm) { return end <= wm; }

#endif
