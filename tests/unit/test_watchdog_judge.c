/* Unit tests: watchdog staleness math, incident transitions, window and
 * holiday gating, --now parsing and per-target thresholds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../watchdog/wd.h"

#include <string.h>

#define S 1000LL
#define MIN (60 * S)

static struct wd_result result(enum wd_kind k, int64_t newest)
{
	struct wd_result r;
	memset(&r, 0, sizeof r);
	snprintf(r.target, sizeof r.target, "topic:ticks");
	r.kind = k;
	r.checked = 1;
	r.newest_ms = newest;
	r.lag_msgs = -1;
	r.lag_s = -1;
	return r;
}

static void staleness_math(void **s)
{
	(void)s;
	int64_t now = 1763856000000LL;
	struct wd_result r = result(WD_TOPIC, now - 5 * MIN);
	wd_judge(&r, now, 5 * MIN, 0); /* exactly the threshold: still fresh */
	assert_int_equal(r.verdict, WD_FRESH);
	assert_true(r.age_s > 299.9 && r.age_s < 300.1);
	r = result(WD_TOPIC, now - 5 * MIN - 1);
	wd_judge(&r, now, 5 * MIN, 0);
	assert_int_equal(r.verdict, WD_STALE);
	assert_int_equal(r.stale_since_ms, now - 1); /* newest + threshold */
	r = result(WD_TOPIC, -1); /* nothing at all */
	wd_judge(&r, now, 5 * MIN, 0);
	assert_int_equal(r.verdict, WD_STALE);
	assert_true(r.age_s < 0);
	assert_int_equal(r.stale_since_ms, now); /* not 1970 */
	wd_judge(&r, now, 5 * MIN, now - 10 * MIN); /* nothing since today's open */
	assert_int_equal(r.stale_since_ms, now - 5 * MIN);
}

static void nothing_expected_before_the_open(void **s)
{
	(void)s;
	int64_t open = 1763856000000LL, yesterday = open - 17 * 3600 * S;
	struct wd_result r = result(WD_TOPIC, yesterday);
	wd_judge(&r, open - 5 * MIN, 5 * MIN, open); /* 08:55 */
	assert_int_equal(r.verdict, WD_FRESH);
	wd_judge(&r, open + 5 * MIN, 5 * MIN, open);
	assert_int_equal(r.verdict, WD_FRESH);
	wd_judge(&r, open + 5 * MIN + 1, 5 * MIN, open);
	assert_int_equal(r.verdict, WD_STALE);
	assert_int_equal(r.stale_since_ms, open + 5 * MIN);
}

static void one_quiet_partition(void **s)
{
	(void)s;
	int64_t now = 1763856000000LL;
	struct wd_result r = result(WD_TOPIC, now - S);
	r.nparts = 3;
	r.part_ms[0] = now - S;
	r.part_ms[1] = now - 10 * MIN; /* a shard that stopped */
	r.part_ms[2] = -1;             /* never had data: an idle partition */
	wd_judge(&r, now, 5 * MIN, 0);
	assert_int_equal(r.verdict, WD_FRESH); /* judged on the topic's newest */
	r.per_partition = 1;
	wd_judge(&r, now, 5 * MIN, 0);
	assert_int_equal(r.verdict, WD_STALE);
	assert_non_null(strstr(r.why, "partition 1 silent since"));
	assert_int_equal(r.stale_since_ms, now - 5 * MIN);
	/* Quiet since yesterday: no data today at all, so not judged. */
	wd_judge(&r, now, 5 * MIN, now - 9 * MIN);
	assert_int_equal(r.verdict, WD_FRESH);
	assert_string_equal(r.why, "");
}

static void cannot_check_is_never_stale(void **s)
{
	(void)s;
	struct wd_result r = result(WD_ES, -1);
	r.checked = 0;
	wd_judge(&r, 1000 * S, 5 * MIN, 0);
	assert_int_equal(r.verdict, WD_ERROR);
}

static void group_state_makes_stale(void **s)
{
	(void)s;
	int64_t now = 1763856000000LL;
	struct wd_result r = result(WD_GROUP, now - 10 * S);
	r.lag_state = WD_LAG_STALL;
	wd_judge(&r, now, 5 * MIN, 0);
	assert_int_equal(r.verdict, WD_STALE);
	r.lag_state = WD_LAG_OK;
	wd_judge(&r, now, 5 * MIN, 0);
	assert_int_equal(r.verdict, WD_FRESH);
	r.newest_ms = now - 6 * MIN; /* lag in seconds above the threshold */
	wd_judge(&r, now, 5 * MIN, 0);
	assert_int_equal(r.verdict, WD_STALE);
	assert_int_equal(wd_lag_state_parse("STOP"), WD_LAG_STOP);
	assert_string_equal(wd_lag_state_name(WD_LAG_REWIND), "REWIND");
}

static void one_alert_per_incident(void **s)
{
	(void)s;
	struct wd_incident inc = {0};
	int64_t now = 1763856000000LL;
	struct wd_result fresh = result(WD_TOPIC, now), stale = result(WD_TOPIC, now - MIN);
	snprintf(stale.last_value, sizeof stale.last_value, "partition 1 offset 7");
	wd_judge(&fresh, now, 5 * S, 0);
	wd_judge(&stale, now, 5 * S, 0);
	struct wd_result err = stale;
	err.checked = 0;
	wd_judge(&err, now, 5 * S, 0);

	assert_int_equal(wd_incident_step(&inc, &fresh, now, 3), WD_ACT_NONE);
	assert_int_equal(wd_incident_step(&inc, &stale, now, 3), WD_ACT_STALE);
	assert_true(inc.open);
	assert_int_equal(inc.since_ms, stale.stale_since_ms);
	assert_string_equal(inc.last_value, "partition 1 offset 7");
	/* Mail got through, the webhook did not: only the webhook is retried. */
	inc.alert_pending &= ~1;
	assert_int_equal(wd_incident_step(&inc, &stale, now + 1, 3), WD_ACT_STALE);
	assert_int_equal(inc.alert_pending, 2);
	inc.alert_pending = 0;
	for (int i = 0; i < 5; i++)
		assert_int_equal(wd_incident_step(&inc, &stale, now + 2 + i, 3), WD_ACT_NONE);
	/* Cannot check: neither closes nor re-alerts. */
	assert_int_equal(wd_incident_step(&inc, &err, now + 10, 3), WD_ACT_NONE);
	assert_true(inc.open);
	assert_int_equal(wd_incident_step(&inc, &fresh, now + 20, 3), WD_ACT_RECOVERED);
	assert_false(inc.open);
	assert_int_equal(inc.recovery_pending, 3);
	inc.recovery_pending = 0;
	assert_int_equal(wd_incident_step(&inc, &fresh, now + 30, 3), WD_ACT_NONE);
	/* A new incident later alerts again. */
	assert_int_equal(wd_incident_step(&inc, &stale, now + 40, 1), WD_ACT_STALE);
}

static void morning_grace_does_not_close_yesterdays_incident(void **s)
{
	(void)s;
	int64_t open = 1763856000000LL, last = open - 18 * 3600 * S; /* 15:00 yesterday */
	struct wd_incident inc = {0};
	struct wd_result r = result(WD_TOPIC, last);
	wd_judge(&r, last + 10 * MIN, 5 * MIN, 0);
	assert_int_equal(wd_incident_step(&inc, &r, last + 10 * MIN, 1), WD_ACT_STALE);
	inc.alert_pending = 0;
	/* 08:55 next day: fresh only because nothing is expected before 09:00. */
	wd_judge(&r, open - 5 * MIN, 5 * MIN, open);
	assert_int_equal(r.verdict, WD_FRESH);
	assert_int_equal(wd_incident_step(&inc, &r, open - 5 * MIN, 1), WD_ACT_NONE);
	assert_true(inc.open);
	/* 09:05 still nothing: stale again, but the same incident, no new notice. */
	wd_judge(&r, open + 5 * MIN + 1, 5 * MIN, open);
	assert_int_equal(wd_incident_step(&inc, &r, open + 5 * MIN + 1, 1), WD_ACT_NONE);
	/* The first tick of the day recovers it. */
	struct wd_result t = result(WD_TOPIC, open + 6 * MIN);
	wd_judge(&t, open + 6 * MIN, 5 * MIN, open);
	assert_int_equal(wd_incident_step(&inc, &t, open + 6 * MIN, 1), WD_ACT_RECOVERED);
}

static void incident_messages(void **s)
{
	(void)s;
	int64_t now = 1763856000000LL;
	struct wd_incident inc = {0};
	struct wd_result r = result(WD_TOPIC, now - 90 * S);
	snprintf(r.last_value, sizeof r.last_value, "partition 2 offset 41 key AAPL");
	wd_judge(&r, now, 30 * S, 0);
	wd_incident_step(&inc, &r, now, 1);
	char subj[256], body[2048];
	wd_incident_message(WD_ACT_STALE, &inc, &r, now, subj, sizeof subj, body, sizeof body);
	assert_non_null(strstr(subj, "STALE topic:ticks"));
	assert_non_null(strstr(subj, "90 s"));
	assert_non_null(strstr(body, "stale since: 2025-11-22T23:59:00.000Z"));
	assert_non_null(strstr(body, "partition 2 offset 41 key AAPL"));
	struct wd_result ok = result(WD_TOPIC, now + 600 * S);
	wd_judge(&ok, now + 600 * S, 30 * S, 0);
	wd_incident_step(&inc, &ok, now + 600 * S, 1);
	wd_incident_message(WD_ACT_RECOVERED, &inc, &ok, now + 600 * S, subj, sizeof subj, body,
	                    sizeof body);
	assert_non_null(strstr(subj, "RECOVERED topic:ticks after 11.0 min"));
}

static const char krx_text[] = "2026-01-01 closed New Year\n"
                               "2026-01-02 10:00-15:30 late open\n";

static void window_and_holidays(void **s)
{
	(void)s;
	struct calendar cal = {.exch = EXCH_KRX, .open_min = 9 * 60, .close_min = 15 * 60 + 30};
	char err[128];
	assert_int_equal(cal_parse(&cal, krx_text, err, sizeof err), 0);
	int64_t from;
	/* Monday 2026-11-23 in KST. */
	int64_t t0850 = wd_parse_iso8601("2026-11-23T08:50:00+09:00");
	assert_int_equal(wd_gate(&cal, t0850 - 1, 10, 30, 0, &from), 0);
	assert_int_equal(wd_gate(&cal, t0850, 10, 30, 0, &from), 1);
	assert_int_equal(from, wd_parse_iso8601("2026-11-23T09:00:00+09:00"));
	assert_int_equal(wd_gate(&cal, wd_parse_iso8601("2026-11-23T15:59:59+09:00"), 10, 30, 0, &from), 1);
	assert_int_equal(wd_gate(&cal, wd_parse_iso8601("2026-11-23T16:00:00+09:00"), 10, 30, 0, &from), 0);
	/* The host's zone plays no part: 00:00Z is 09:00 KST. */
	assert_int_equal(wd_gate(&cal, wd_parse_iso8601("2026-11-23T00:00:00Z"), 10, 30, 0, &from), 1);
	/* Weekend, holiday, and a late-opening special session. */
	assert_int_equal(wd_gate(&cal, wd_parse_iso8601("2026-11-22T11:00:00+09:00"), 10, 30, 0, &from), 0);
	assert_int_equal(wd_gate(&cal, wd_parse_iso8601("2026-01-01T11:00:00+09:00"), 10, 30, 0, &from), 0);
	assert_int_equal(wd_gate(&cal, wd_parse_iso8601("2026-01-02T09:30:00+09:00"), 10, 30, 0, &from), 0);
	assert_int_equal(wd_gate(&cal, wd_parse_iso8601("2026-01-02T09:50:00+09:00"), 10, 30, 0, &from), 1);
	assert_int_equal(from, wd_parse_iso8601("2026-01-02T10:00:00+09:00"));
	/* Always on: open on a holiday, nothing exempt before any open. */
	assert_int_equal(wd_gate(&cal, wd_parse_iso8601("2026-01-01T03:00:00+09:00"), 10, 30, 1, &from), 1);
	assert_int_equal(from, 0);
	cal_free(&cal);
}

static void us_window_follows_new_york(void **s)
{
	(void)s;
	struct calendar cal = {.exch = EXCH_US, .open_min = 9 * 60 + 30, .close_min = 16 * 60};
	char err[128];
	assert_int_equal(cal_parse(&cal, "2026-11-26 closed Thanksgiving\n", err, sizeof err), 0);
	int64_t from;
	/* November: EST, UTC-5. 09:20 New York = 14:20Z. */
	assert_int_equal(wd_gate(&cal, wd_parse_iso8601("2026-11-23T14:19:59Z"), 10, 30, 0, &from), 0);
	assert_int_equal(wd_gate(&cal, wd_parse_iso8601("2026-11-23T14:20:00Z"), 10, 30, 0, &from), 1);
	assert_int_equal(from, wd_parse_iso8601("2026-11-23T09:30:00-05:00"));
	assert_int_equal(wd_gate(&cal, wd_parse_iso8601("2026-11-26T15:00:00Z"), 10, 30, 0, &from), 0);
	cal_free(&cal);
}

static void iso8601(void **s)
{
	(void)s;
	assert_int_equal(wd_parse_iso8601("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(wd_parse_iso8601("1970-01-01T09:00:00+09:00"), 0);
	assert_int_equal(wd_parse_iso8601("1970-01-01T00:00:01.5Z"), 1500);
	assert_int_equal(wd_parse_iso8601("2026-11-23T09:30:00+0900"),
	                 wd_parse_iso8601("2026-11-23T00:30:00Z"));
	assert_int_equal(wd_parse_iso8601("2026-11-23 00:30Z"), wd_parse_iso8601("2026-11-23T00:30:00Z"));
	assert_true(wd_parse_iso8601("2026-11-23T09:30:00") < 0); /* no zone */
	assert_true(wd_parse_iso8601("2026-13-23T09:30:00Z") < 0);
	assert_true(wd_parse_iso8601("2026-11-23T25:30:00Z") < 0);
	assert_true(wd_parse_iso8601("2026-11-23T09:30:00Zjunk") < 0);
	assert_true(wd_parse_iso8601("") < 0);
	char out[32];
	wd_format_iso(wd_parse_iso8601("2026-11-23T09:30:00.250+09:00"), out);
	assert_string_equal(out, "2026-11-23T00:30:00.250Z");
}

static void per_target_thresholds(void **s)
{
	(void)s;
	struct wd_cfg cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.threshold_ms = 300 * S;
	assert_int_equal(wd_threshold_for(&cfg, "topic:ticks"), 300 * S);
	char list[] = "topic:ticks=60,es:tickpipe-bars-*=1.5";
	cfg.thresholds = list;
	assert_int_equal(wd_threshold_for(&cfg, "topic:ticks"), 60 * S);
	assert_int_equal(wd_threshold_for(&cfg, "es:tickpipe-bars-*"), 1500);
	assert_int_equal(wd_threshold_for(&cfg, "topic:bars"), 300 * S);
	char bad[] = "topic:ticks=abc";
	cfg.thresholds = bad;
	assert_true(wd_threshold_for(&cfg, "x") < 0);
	char bad2[] = "=5";
	cfg.thresholds = bad2;
	assert_true(wd_threshold_for(&cfg, "x") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(staleness_math),
		cmocka_unit_test(nothing_expected_before_the_open),
		cmocka_unit_test(one_quiet_partition),
		cmocka_unit_test(cannot_check_is_never_stale),
		cmocka_unit_test(group_state_makes_stale),
		cmocka_unit_test(one_alert_per_incident),
		cmocka_unit_test(morning_grace_does_not_close_yesterdays_incident),
		cmocka_unit_test(incident_messages),
		cmocka_unit_test(window_and_holidays),
		cmocka_unit_test(us_window_follows_new_york),
		cmocka_unit_test(iso8601),
		cmocka_unit_test(per_target_thresholds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
