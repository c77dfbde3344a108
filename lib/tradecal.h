/* tradecal — exchange time: local dates, trading days, sessions and holidays.
 *
 * Correct whatever the host's TZ: KRX is UTC+9 without DST (Asia/Seoul); the
 * US exchanges follow America/New_York's rule (DST from the second Sunday of
 * March to the first Sunday of November, 02:00 local). Holidays and special
 * sessions come from a text file per exchange that users update, one line a
 * date:
 *
 *   2026-01-01  closed        New Year's Day
 *   2026-01-02  10:00-15:30   first trading day of the year opens late
 *
 * Files: <dir>/krx.txt and <dir>/us.txt; dir defaults to $TICKPIPE_CALENDAR_DIR
 * or the build's data directory. */
#ifndef TP_TRADECAL_H
#define TP_TRADECAL_H

#include <stddef.h>
#include <stdint.h>

enum exchange { EXCH_KRX, EXCH_US };

struct cal_day {
	int32_t days; /* days since 1970-01-01 */
	int16_t open_min, close_min; /* -1, -1 when closed */
};

struct calendar {
	enum exchange exch;
	int16_t open_min, close_min; /* the regular session */
	struct cal_day *special; /* sorted by days */
	size_t nspecial;
};

/* Days since 1970-01-01 for a proleptic Gregorian date, and back. */
int32_t cal_days_from_civil(int y, int m, int d);
void cal_civil_from_days(int32_t days, int *y, int *m, int *d);
/* 0 = Sunday ... 6 = Saturday. */
int cal_weekday(int32_t days);
/* "HH:MM" to minutes since midnight, or -1. */
int cal_parse_hhmm(const char *s);
/* "YYYY-MM-DD" to days since epoch; -1 with errno-free failure on bad input. */
int cal_parse_day(const char *s, int32_t *days);
void cal_format_day(int32_t days, char out[11]);

/* Loads the calendar for "KRX" or "US" (case-insensitive) from dir (NULL:
 * default). A missing file is an error: a silent empty calendar would alert
 * on every holiday. */
int cal_load(struct calendar *cal, const char *exchange, const char *dir, char *err,
             size_t errsize);
/* Parses calendar text (the file's contents) into cal->special. */
int cal_parse(struct calendar *cal, const char *text, char *err, size_t errsize);
void cal_free(struct calendar *cal);

/* Offset of the exchange's local time from UTC at epoch_ms, in minutes. */
int cal_utc_offset_min(const struct calendar *cal, int64_t epoch_ms);
/* Local calendar date (days since epoch) and minute of the day at epoch_ms. */
int32_t cal_local_days(const struct calendar *cal, int64_t epoch_ms);
int cal_local_minute(const struct calendar *cal, int64_t epoch_ms);
/* The local date as YYYY-MM-DD. */
void cal_local_date(const struct calendar *cal, int64_t epoch_ms, char out[11]);
/* Epoch ms of local date `days` at minute `min` (exchange's zone). */
int64_t cal_local_to_epoch(const struct calendar *cal, int32_t days, int min);

/* 1 when the exchange trades on that local date (weekday, not closed). */
int cal_is_trading_day(const struct calendar *cal, int32_t days);
/* The regular session of a trading day; 0, or -1 when closed. */
int cal_session(const struct calendar *cal, int32_t days, int *open_min, int *close_min);
/* 1 when epoch_ms falls on a trading day within local [from_min, to_min). */
int cal_in_window(const struct calendar *cal, int64_t epoch_ms, int from_min, int to_min);

#endif
