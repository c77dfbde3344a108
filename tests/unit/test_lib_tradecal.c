/* Unit tests: lib/tradecal — KST and New York local time, trading days,
 * holidays and special sessions, whatever the host's TZ. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tradecal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *cal_text =
	"# test calendar\n"
	"2026-01-01  closed        New Year\n"
	"2026-01-02  10:00-15:30   late open\n"
	"\n"
	"2026-11-26  closed\n";

static int64_t utc_ms(int y, int mo, int d, int h, int mi)
{
	return ((int64_t)cal_days_from_civil(y, mo, d) * 1440 + h * 60 + mi) * 60000;
}

static void civil_conversions(void **s)
{
	(void)s;
	assert_int_equal(cal_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(cal_days_from_civil(2000, 3, 1), 11017);
	int y, m, d;
	cal_civil_from_days(cal_days_from_civil(2024, 2, 29), &y, &m, &d);
	assert_true(y == 2024 && m == 2 && d == 29);
	assert_int_equal(cal_weekday(cal_days_from_civil(2026, 11, 23)), 1); /* a Monday */
	char out[11];
	cal_format_day(cal_days_from_civil(2026, 3, 9), out);
	assert_string_equal(out, "2026-03-09");
	int32_t days;
	assert_int_equal(cal_parse_day("2026-02-29", &days), -1);
	assert_int_equal(cal_parse_day("2024-02-29", &days), 0);
	assert_int_equal(cal_parse_hhmm("08:50"), 530);
	assert_int_equal(cal_parse_hhmm("8:50"), -1);
}

static void krx_local_time_ignores_host_tz(void **s)
{
	(void)s;
	setenv("TZ", "America/Los_Angeles", 1);
	tzset();
	struct calendar c;
	char err[128];
	assert_int_equal(cal_load(&c, "KRX", NULL, err, sizeof err), 0);
	/* 2026-11-22 23:59 UTC is Monday 08:59 in Seoul */
	int64_t t = utc_ms(2026, 11, 22, 23, 59);
	char day[11];
	cal_local_date(&c, t, day);
	assert_string_equal(day, "2026-11-23");
	assert_int_equal(cal_local_minute(&c, t), 8 * 60 + 59);
	assert_true(cal_in_window(&c, t, 8 * 60 + 50, 16 * 60));
	assert_false(cal_in_window(&c, t, 9 * 60, 15 * 60 + 30));
	assert_true(cal_local_to_epoch(&c, cal_days_from_civil(2026, 11, 23), 9 * 60) == utc_ms(2026, 11, 23, 0, 0));
	cal_free(&c);
	unsetenv("TZ");
	tzset();
}

static void holidays_and_special_sessions(void **s)
{
	(void)s;
	struct calendar c = {.exch = EXCH_KRX, .open_min = 540, .close_min = 930};
	char err[128];
	assert_int_equal(cal_parse(&c, cal_text, err, sizeof err), 0);
	assert_false(cal_is_trading_day(&c, cal_days_from_civil(2026, 1, 1)));
	assert_false(cal_is_trading_day(&c, cal_days_from_civil(2026, 1, 3))); /* Saturday */
	int o, cl;
	assert_int_equal(cal_session(&c, cal_days_from_civil(2026, 1, 2), &o, &cl), 0);
	assert_int_equal(o, 600);
	assert_int_equal(cal_session(&c, cal_days_from_civil(2026, 1, 5), &o, &cl), 0);
	assert_true(o == 540 && cl == 930);
	assert_int_equal(cal_session(&c, cal_days_from_civil(2026, 1, 1), &o, &cl), -1);
	cal_free(&c);
	assert_int_equal(cal_parse(&c, "2026-01-01 sometimes\n", err, sizeof err), -1);
	assert_non_null(strstr(err, "line 1"));
	assert_int_equal(cal_load(&c, "LSE", NULL, err, sizeof err), -1);
}

static void new_york_dst(void **s)
{
	(void)s;
	struct calendar c;
	char err[128];
	assert_int_equal(cal_load(&c, "US", NULL, err, sizeof err), 0);
	/* DST 2026: from Sunday 2026-03-08 02:00 EST (07:00 UTC) to 2026-11-01 02:00 EDT (06:00 UTC) */
	assert_int_equal(cal_utc_offset_min(&c, utc_ms(2026, 3, 8, 6, 59)), -300);
	assert_int_equal(cal_utc_offset_min(&c, utc_ms(2026, 3, 8, 7, 0)), -240);
	assert_int_equal(cal_utc_offset_min(&c, utc_ms(2026, 11, 1, 5, 59)), -240);
	assert_int_equal(cal_utc_offset_min(&c, utc_ms(2026, 11, 1, 6, 0)), -300);
	/* 09:30 New York on 2026-07-06 is 13:30 UTC; on 2026-11-23, 14:30 UTC */
	assert_true(cal_local_to_epoch(&c, cal_days_from_civil(2026, 7, 6), 570) == utc_ms(2026, 7, 6, 13, 30));
	assert_true(cal_local_to_epoch(&c, cal_days_from_civil(2026, 11, 23), 570) == utc_ms(2026, 11, 23, 14, 30));
	assert_true(cal_in_window(&c, utc_ms(2026, 11, 23, 14, 30), 570, 960));
	assert_false(cal_in_window(&c, utc_ms(2026, 11, 26, 15, 0), 570, 960)); /* Thanksgiving */
	char day[11];
	cal_local_date(&c, utc_ms(2026, 11, 24, 3, 0), day); /* 22:00 the evening before */
	assert_string_equal(day, "2026-11-23");
	int o, cl;
	assert_int_equal(cal_session(&c, cal_days_from_civil(2026, 11, 27), &o, &cl), 0);
	assert_int_equal(cl, 13 * 60); /* early close */
	cal_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(civil_conversions),
		cmocka_unit_test(krx_local_time_ignores_host_tz),
		cmocka_unit_test(holidays_and_special_sessions),
		cmocka_unit_test(new_york_dst),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
