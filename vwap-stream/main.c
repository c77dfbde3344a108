/* vwap-stream — ticks → bars: intraday cumulative VWAP, OHLCV bars on event
 * time, daily bars and indicators, with exactly-once results for keyed
 * consumers (docs/vwap-stream.md, man -l docs/vwap-stream.1). */
#include "app.h"
#include "log.h"
#include "run.h"

#include <string.h>

static const struct conf_opt opts[] = {
	APP_COMMON_OPTS,
	{"ticks-topic", "TICKPIPE_TICKS_TOPIC", "ticks", 0, "input topic"},
	{"bars-topic", "TICKPIPE_BARS_TOPIC", "bars", 0, "output topic (must exist)"},
	{"dlq-topic", "TICKPIPE_DLQ_TOPIC", "dlq", 0, "dead-letter topic"},
	{"group", "TICKPIPE_GROUP", "vwap-stream", 0, "consumer group"},
	{"windows", "VS_WINDOWS", "1m", 0, "tumbling windows, e.g. 1m,5m,1h (daily bars always)"},
	{"lateness-ms", "VS_LATENESS_MS", "2000", 0,
	 "allowed lateness: a window closes when the partition's max event time passes end+this"},
	{"update-ms", "VS_UPDATE_MS", "1000", 0, "cadence of in-progress bar updates"},
	{"periods", "VS_PERIODS", "5,20,60", 0, "SMA/EMA periods in bars"},
	{"volatility-bars", "VS_VOLATILITY_BARS", "20", 0,
	 "log returns in the volatility (0: off)"},
	{"cross", "VS_CROSS", "sma_5,sma_20", 0, "FAST,SLOW averages for golden/dead crosses, or off"},
	{"other-day", "VS_OTHER_DAY", "ignore", 0,
	 "ticks of an earlier trading day: ignore (counted) or dlq"},
	{"calendar-dir", "TICKPIPE_CALENDAR_DIR", NULL, 0, "holiday calendars (krx.txt, us.txt)"},
	{"rebuild-margin-ms", "VS_REBUILD_MARGIN_MS", "3600000", 0,
	 "extra replay before the day's start on rebuild"},
	{"history-days", "VS_HISTORY_DAYS", "14", 0,
	 "days of the bars topic read back for the 7-day average"},
};

int main(int argc, char **argv)
{
	struct conf c = {.prog = "vwap-stream",
	                 .summary = "ticks -> bars: VWAP, OHLCV bars, moving averages, exactly once",
	                 .opts = opts,
	                 .nopts = (int)(sizeof opts / sizeof opts[0])};
	int rc = app_init(&c, argc, argv);
	if (rc >= 0) {
		conf_free(&c);
		return rc;
	}
	struct vs_app a;
	char err[512];
	memset(&a, 0, sizeof a);
	a.conf = &c;
	if (c.check_only) {
		rc = vs_app_check(&a, err, sizeof err) ? app_usage_error(&c, "%s", err) : 0;
	} else if (vs_app_open(&a, err, sizeof err)) {
		rc = app_usage_error(&c, "%s", err);
	} else {
		log_info("started", "ticks=%s bars=%s group=%s windows=%s", a.ticks_topic,
		         a.out.bars_topic, conf_str(&c, "group"), conf_str(&c, "windows"));
		rc = vs_app_run(&a);
	}
	vs_app_close(&a);
	conf_free(&c);
	return rc;
}
