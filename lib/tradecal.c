/* tradecal — exchange calendars. See tradecal.h. */
#include "tradecal.h"
#include "conf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef TP_DATADIR
#define TP_DATADIR "deploy/calendars"
#endif

/* Howard Hinnant's days_from_civil, for years 1970..9999. */
int32_t cal_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void cal_civil_from_days(int32_t z, int *y, int *m, int *d)
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

int cal_weekday(int32_t days) { return (int)((days % 7 + 11) % 7); } /* 1970-01-01 was a Thursday */

int cal_parse_hhmm(const char *s)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	int h = (s[0] - '0') * 10 + s[1] - '0', m = (s[3] - '0') * 10 + s[4] - '0';
	return h <= 24 && m < 60 && h * 60 + m <= 1440 ? h * 60 + m : -1;
}

int cal_parse_day(const char *s, int32_t *days)
{
	int y, m, d, n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || m < 1 || m > 12 || d < 1)
		return -1;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
		return -1;
	*days = cal_days_from_civil(y, m, d);
	return 0;
}

void cal_format_day(int32_t days, char out[11])
{
	int y, m, d;
	cal_civil_from_days(days, &y, &m, &d);
	/* Written digit by digit: this runs per tick on the collector's hot path. */
	unsigned uy = (unsigned)y % 10000, um = (unsigned)m, ud = (unsigned)d;
	out[0] = (char)('0' + uy / 1000), out[1] = (char)('0' + uy / 100 % 10);
	out[2] = (char)('0' + uy / 10 % 10), out[3] = (char)('0' + uy % 10), out[4] = '-';
	out[5] = (char)('0' + um / 10), out[6] = (char)('0' + um % 10), out[7] = '-';
	out[8] = (char)('0' + ud / 10), out[9] = (char)('0' + ud % 10), out[10] = '\0';
}

static int cmp_day(const void *a, const void *b)
{
	const struct cal_day *x = a, *y = b;
	return (x->days > y->days) - (x->days < y->days);
}

/* One line: "YYYY-MM-DD closed|HH:MM-HH:MM [comment]". */
static int parse_line(char *line, struct cal_day *out, char *err, size_t errsize, int lineno)
{
	char day[16], what[32];
	if (sscanf(line, "%15s %31s", day, what) != 2 || cal_parse_day(day, &out->days)) {
		snprintf(err, errsize, "calendar line %d: expected \"YYYY-MM-DD closed|HH:MM-HH:MM\"", lineno);
		return -1;
	}
	if (strcasecmp(what, "closed") == 0) {
		out->open_min = out->close_min = -1;
		return 0;
	}
	int o = cal_parse_hhmm(what), c = strlen(what) == 11 && what[5] == '-' ? cal_parse_hhmm(what + 6) : -1;
	if (o < 0 || c <= o) {
		snprintf(err, errsize, "calendar line %d: bad session \"%s\"", lineno, what);
		return -1;
	}
	out->open_min = (int16_t)o;
	out->close_min = (int16_t)c;
	return 0;
}

int cal_parse(struct calendar *cal, const char *text, char *err, size_t errsize)
{
	char *copy = strdup(text), *save = NULL;
	size_t cap = 64, n = 0;
	struct cal_day *days = malloc(cap * sizeof *days);
	int lineno = 0, rc = 0;
	for (char *line = strtok_r(copy, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		if (n == cap)
			days = realloc(days, (cap *= 2) * sizeof *days);
		rc = parse_line(line, &days[n], err, errsize, lineno);
		n += rc == 0;
	}
	free(copy);
	if (rc) {
		free(days);
		return -1;
	}
	qsort(days, n, sizeof *days, cmp_day);
	free(cal->special);
	cal->special = days;
	cal->nspecial = n;
	return 0;
}

int cal_load(struct calendar *cal, const char *exchange, const char *dir, char *err,
             size_t errsize)
{
	memset(cal, 0, sizeof *cal);
	const char *file;
	if (strcasecmp(exchange, "KRX") == 0) {
		cal->exch = EXCH_KRX, cal->open_min = 9 * 60, cal->close_min = 15 * 60 + 30, file = "krx.txt";
	} else if (strcasecmp(exchange, "US") == 0) {
		cal->exch = EXCH_US, cal->open_min = 9 * 60 + 30, cal->close_min = 16 * 60, file = "us.txt";
	} else {
		snprintf(err, errsize, "unknown exchange \"%s\" (KRX or US)", exchange);
		return -1;
	}
	if (!dir)
		dir = getenv("TICKPIPE_CALENDAR_DIR");
	if (!dir || !*dir)
		dir = TP_DATADIR;
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	char *text = conf_read_file(path, err, errsize);
	if (!text)
		return -1;
	int rc = cal_parse(cal, text, err, errsize);
	free(text);
	return rc;
}

void cal_free(struct calendar *cal)
{
	free(cal->special);
	cal->special = NULL;
	cal->nspecial = 0;
}

/* Epoch seconds of the first and n-th Sunday of a month at 02:00 local (US). */
static int64_t us_switch_utc(int year, int month, int nth_sunday, int utc_offset_min)
{
	int32_t first = cal_days_from_civil(year, month, 1);
	int32_t sunday = first + (7 - cal_weekday(first)) % 7 + 7 * (nth_sunday - 1);
	return ((int64_t)sunday * 1440 + 120 - utc_offset_min) * 60000;
}

int cal_utc_offset_min(const struct calendar *cal, int64_t epoch_ms)
{
	if (cal->exch == EXCH_KRX)
		return 9 * 60;
	int y, m, d;
	cal_civil_from_days((int32_t)((epoch_ms / 1000 - 5 * 3600) / 86400), &y, &m, &d);
	int64_t dst_on = us_switch_utc(y, 3, 2, -5 * 60);  /* 02:00 EST */
	int64_t dst_off = us_switch_utc(y, 11, 1, -4 * 60); /* 02:00 EDT */
	return epoch_ms >= dst_on && epoch_ms < dst_off ? -4 * 60 : -5 * 60;
}

static int64_t local_ms(const struct calendar *cal, int64_t epoch_ms)
{
	return epoch_ms + (int64_t)cal_utc_offset_min(cal, epoch_ms) * 60000;
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

int32_t cal_local_days(const struct calendar *cal, int64_t epoch_ms)
{
	return (int32_t)floor_div(local_ms(cal, epoch_ms), 86400000);
}

int cal_local_minute(const struct calendar *cal, int64_t epoch_ms)
{
	int64_t l = local_ms(cal, epoch_ms);
	return (int)((l - floor_div(l, 86400000) * 86400000) / 60000);
}

void cal_local_date(const struct calendar *cal, int64_t epoch_ms, char out[11])
{
	cal_format_day(cal_local_days(cal, epoch_ms), out);
}

int64_t cal_local_to_epoch(const struct calendar *cal, int32_t days, int min)
{
	int64_t guess = ((int64_t)days * 1440 + min) * 60000;
	/* The offset at the guess is right except within an hour of a DST switch,
	 * where one correction step settles it. */
	int64_t t = guess - (int64_t)cal_utc_offset_min(cal, guess) * 60000;
	return guess - (int64_t)cal_utc_offset_min(cal, t) * 60000;
}

static const struct cal_day *special_of(const struct calendar *cal, int32_t days)
{
	struct cal_day key = {days, 0, 0};
	return bsearch(&key, cal->special, cal->nspecial, sizeof key, cmp_day);
}

int cal_is_trading_day(const struct calendar *cal, int32_t days)
{
	int wd = cal_weekday(days);
	if (wd == 0 || wd == 6)
		return 0;
	const struct cal_day *s = special_of(cal, days);
	return !s || s->open_min >= 0;
}

int cal_session(const struct calendar *cal, int32_t days, int *open_min, int *close_min)
{
	if (!cal_is_trading_day(cal, days))
		return -1;
	const struct cal_day *s = special_of(cal, days);
	*open_min = s ? s->open_min : cal->open_min;
	*close_min = s ? s->close_min : cal->close_min;
	return 0;
}

int cal_in_window(const struct calendar *cal, int64_t epoch_ms, int from_min, int to_min)
{
	if (!cal_is_trading_day(cal, cal_local_days(cal, epoch_ms)))
		return 0;
	int m = cal_local_minute(cal, epoch_ms);
	return m >= from_min && m < to_min;
}
