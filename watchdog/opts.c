/* opts — the watchdog's settings table and their checked, typed form. */
#include "wd.h"

#include "app.h"
#include "clock.h"
#include "conf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct conf_opt wd_opts[] = {
	APP_COMMON_OPTS,
	{"once", NULL, NULL, CONF_SWITCH,
	 "run one check and exit: 0 fresh, 1 stale, 2 could not check, 3 outside the window"},
	{"interval", "WATCHDOG_INTERVAL", "300", 0, "seconds between checks"},
	{"threshold", "WATCHDOG_THRESHOLD", "300", 0,
	 "a target is stale when its newest record is older than this many seconds"},
	{"thresholds", "WATCHDOG_THRESHOLDS", NULL, 0,
	 "per-target overrides, e.g. topic:ticks=60,es:tickpipe-bars-*=600"},
	{"timeout", "WATCHDOG_TIMEOUT", "3", 0,
	 "seconds allowed per dependency call, so a dead one cannot stall a check"},
	{"exchange", "WATCHDOG_EXCHANGE", "KRX", 0, "KRX or US: calendar and time zone"},
	{"calendar-dir", "TICKPIPE_CALENDAR_DIR", NULL, 0, "holiday files (krx.txt, us.txt)"},
	{"window-before", "WATCHDOG_WINDOW_BEFORE", "10", 0,
	 "collection window opens this many minutes before the session (08:50 for KRX)"},
	{"window-after", "WATCHDOG_WINDOW_AFTER", "30", 0,
	 "and closes this many minutes after it (16:00 for KRX)"},
	{"always-on", "WATCHDOG_ALWAYS_ON", NULL, CONF_SWITCH,
	 "ignore market hours and holidays (tests)"},
	{"now", "WATCHDOG_NOW", NULL, 0, "pretend the time is this ISO-8601 instant (tests)"},
	{"ticks-topic", "TICKPIPE_TICKS_TOPIC", "ticks", 0, "ticks topic to watch (empty: skip)"},
	{"bars-topic", "TICKPIPE_BARS_TOPIC", "bars", 0, "bars topic to watch (empty: skip)"},
	{"per-partition", "WATCHDOG_PER_PARTITION", NULL, CONF_SWITCH,
	 "a topic is also stale when one partition that had data today goes quiet"},
	{"groups", "WATCHDOG_GROUPS", "vwap-stream,es-sink,anomaly-router", 0,
	 "consumer groups whose lag is watched (empty: none)"},
	{"allowed-lag", "WATCHDOG_ALLOWED_LAG", "1", 0,
	 "lag per partition still counted as caught up (transaction markers leave 1)"},
	{"lag-window", "WATCHDOG_LAG_WINDOW", "300", 0,
	 "seconds a lagging group's offset may stand still before STALL/STOP"},
	{"es-url", "ES_URL", "http://127.0.0.1:9200", 0, "Elasticsearch (empty: skip)"},
	{"es-user", "ES_USER", NULL, 0, "Elasticsearch basic-auth user"},
	{"es-password", "ES_PASSWORD", NULL, CONF_SECRET, "Elasticsearch password"},
	{"es-api-key", "ES_API_KEY", NULL, CONF_SECRET, "Elasticsearch API key"},
	{"es-ca-file", "ES_CA_FILE", NULL, 0, "CA bundle for Elasticsearch TLS"},
	{"es-index", "WATCHDOG_ES_INDEX", "tickpipe-bars-*", 0, "index pattern of the bars"},
	{"es-field", "WATCHDOG_ES_FIELD", "updated_ts", 0, "time field sorted on (updated_ts or end)"},
	{"mongo-uri", "MONGO_URI", "mongodb://127.0.0.1:27017", CONF_SECRET,
	 "raw archive (empty: skip)"},
	{"mongo-db", "MONGO_DB", "tickpipe", 0, "raw archive database"},
	{"mongo-collection", "MONGO_COLLECTION", "raw_frames", 0, "raw archive collection"},
	{"mongo-field", "WATCHDOG_MONGO_FIELD", "recv_ts", 0, "raw archive time field"},
	{"no-mongo-index", "WATCHDOG_NO_MONGO_INDEX", NULL, CONF_SWITCH,
	 "do not create the descending index on --mongo-field the newest-frame query uses"},
	{"pg-dsn", "PG_DSN", "host=127.0.0.1 dbname=tickpipe user=tickpipe", CONF_SECRET,
	 "PostgreSQL for the check history and incidents"},
	{"pg-schema", "WATCHDOG_PG_SCHEMA", NULL, 0,
	 "schema holding the watchdog's tables (default: watchdog, or watchdog_us with --exchange US)"},
	{"history-days", "WATCHDOG_HISTORY_DAYS", "90", 0,
	 "delete checks older than this many days (0: keep all)"},
	{"smtp-url", "SMTP_URL", NULL, 0, "smtp(s)://host:port for alert mail (empty: no mail)"},
	{"smtp-user", "SMTP_USER", NULL, 0, "SMTP user"},
	{"smtp-password", "SMTP_PASSWORD", NULL, CONF_SECRET, "SMTP password"},
	{"mail-from", "MAIL_FROM", "tickpipe-watchdog@localhost", 0, "sender address"},
	{"mail-to", "MAIL_TO", NULL, 0, "recipients, comma-separated"},
	{"webhook-url", "WEBHOOK_URL", NULL, CONF_SECRET, "Slack-compatible webhook for alerts"},
};
const int wd_nopts = (int)(sizeof wd_opts / sizeof wd_opts[0]);

static int secs(const struct conf *c, const char *name, long min, long max, int64_t *ms,
                char *err, size_t errsize)
{
	double v;
	if (conf_double(c, name, (double)min, (double)max, &v, err, errsize))
		return -1;
	*ms = (int64_t)(v * 1000.0);
	return 0;
}

/* Splits a comma list in place; empty items are dropped. -1 past max. */
static int split(char *s, const char **out, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		if (*tok && n == max)
			return -1;
		if (*tok)
			out[n++] = tok;
	}
	return n;
}

static const char *nonempty(const struct conf *c, const char *name)
{
	const char *v = conf_str(c, name);
	return v && *v ? v : NULL;
}

static int load_lists(struct wd_cfg *cfg, const struct conf *c)
{
	const char *g = conf_str(c, "groups");
	size_t len = strlen(g ? g : "") + 1;
	cfg->lists = malloc(len);
	if (!cfg->lists)
		return -1;
	memcpy(cfg->lists, g ? g : "", len);
	if ((cfg->ngroups = split(cfg->lists, cfg->groups, WD_MAX_GROUPS)) < 0)
		return -1;
	const char *t[2] = {nonempty(c, "ticks-topic"), nonempty(c, "bars-topic")};
	for (int i = 0; i < 2; i++)
		if (t[i])
			cfg->topics[cfg->ntopics++] = t[i];
	return 0;
}

static int load_time(struct wd_cfg *cfg, const struct conf *c, char *err, size_t errsize)
{
	long before, after;
	if (conf_long(c, "window-before", 0, 600, &before, err, errsize) ||
	    conf_long(c, "window-after", 0, 600, &after, err, errsize))
		return -1;
	cfg->before_min = (int)before;
	cfg->after_min = (int)after;
	cfg->always_on = conf_bool(c, "always-on");
	cfg->now_fixed_ms = -1;
	const char *now = nonempty(c, "now");
	if (now && (cfg->now_fixed_ms = wd_parse_iso8601(now)) < 0) {
		snprintf(err, errsize, "--now: not an ISO-8601 time with a zone: %s", now);
		return -1;
	}
	return cal_load(&cfg->cal, conf_str(c, "exchange"), conf_str(c, "calendar-dir"), err,
	                errsize);
}

int wd_cfg_load(struct wd_cfg *cfg, const struct conf *c, char *err, size_t errsize)
{
	memset(cfg, 0, sizeof *cfg);
	if (secs(c, "interval", 1, 86400, &cfg->interval_ms, err, errsize) ||
	    secs(c, "threshold", 1, 86400 * 7, &cfg->threshold_ms, err, errsize) ||
	    secs(c, "lag-window", 1, 86400, &cfg->lag_window_ms, err, errsize) ||
	    secs(c, "timeout", 1, 120, &cfg->timeout_ms, err, errsize) ||
	    conf_long(c, "allowed-lag", 0, 1000000, &cfg->allowed_lag, err, errsize) ||
	    conf_long(c, "history-days", 0, 100000, &cfg->history_days, err, errsize))
		return -1;
	cfg->once = conf_bool(c, "once");
	cfg->per_partition = conf_bool(c, "per-partition");
	if (load_time(cfg, c, err, errsize))
		return -1;
	if (load_lists(cfg, c)) {
		snprintf(err, errsize, "--groups: at most %d groups (run a second watchdog for more)",
		         WD_MAX_GROUPS);
		return -1;
	}
	cfg->es_url = nonempty(c, "es-url");
	cfg->es_index = conf_str(c, "es-index");
	cfg->es_field = conf_str(c, "es-field");
	cfg->mongo_uri = nonempty(c, "mongo-uri");
	cfg->mongo_db = conf_str(c, "mongo-db");
	cfg->mongo_coll = conf_str(c, "mongo-collection");
	cfg->mongo_field = conf_str(c, "mongo-field");
	cfg->mongo_index = !conf_bool(c, "no-mongo-index");
	cfg->pg_dsn = nonempty(c, "pg-dsn");
	/* One watchdog per exchange: separate incidents and history by default. */
	cfg->pg_schema = nonempty(c, "pg-schema");
	if (!cfg->pg_schema)
		cfg->pg_schema = cfg->cal.exch == EXCH_US ? "watchdog_us" : "watchdog";
	if (strspn(cfg->pg_schema, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(cfg->pg_schema)) {
		snprintf(err, errsize, "--pg-schema: lower-case letters, digits and _ only: %s",
		         cfg->pg_schema);
		return -1;
	}
	const char *th = nonempty(c, "thresholds");
	cfg->thresholds = th ? strdup(th) : NULL;
	if (wd_threshold_for(cfg, "") < 0) {
		snprintf(err, errsize, "--thresholds: want target=seconds,... : %s", th);
		return -1;
	}
	return 0;
}

void wd_cfg_free(struct wd_cfg *cfg)
{
	cal_free(&cfg->cal);
	free(cfg->lists);
	free(cfg->thresholds);
	cfg->lists = cfg->thresholds = NULL;
}

int64_t wd_now(const struct wd_cfg *cfg)
{
	return cfg->now_fixed_ms >= 0 ? cfg->now_fixed_ms : clock_now_ms();
}

/* The override for target in "name=secs,..." (the last '=' splits, since
 * names may hold '='-free patterns with '*'), else the global threshold.
 * -1 when the list is malformed. */
int64_t wd_threshold_for(const struct wd_cfg *cfg, const char *target)
{
	if (!cfg->thresholds)
		return cfg->threshold_ms;
	int64_t found = cfg->threshold_ms;
	const char *p = cfg->thresholds;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (!eq || eq == p)
			return -1;
		char *num_end;
		double v = strtod(eq + 1, &num_end);
		if (num_end != p + len || !(v >= 0.001 && v <= 86400.0 * 7)) /* 1 ms .. 7 days */
			return -1;
		if ((size_t)(eq - p) == strlen(target) && memcmp(p, target, (size_t)(eq - p)) == 0)
			found = (int64_t)(v * 1000.0);
		p += len + (end ? 1 : 0);
	}
	return found;
}

static int digits(const char **p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

int64_t wd_parse_iso8601(const char *s)
{
	const char *p = s;
	int y = digits(&p, 4), mo = (*p == '-' ? p++, digits(&p, 2) : -1);
	int d = (*p == '-' ? p++, digits(&p, 2) : -1);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || (*p != 'T' && *p != ' '))
		return -1;
	p++;
	int h = digits(&p, 2), mi = (*p == ':' ? p++, digits(&p, 2) : -1), sec = 0, ms = 0;
	if (h < 0 || h > 23 || mi < 0 || mi > 59)
		return -1;
	if (*p == ':' && (p++, (sec = digits(&p, 2)) < 0 || sec > 60))
		return -1;
	if (*p == '.') {
		p++;
		int scale = 100;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++, scale /= 10)
			ms += (*p - '0') * scale;
	}
	int off = 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh = digits(&p, 2);
		if (*p == ':')
			p++;
		int om = digits(&p, 2);
		if (oh < 0 || om < 0 || oh > 14 || om > 59)
			return -1;
		off = sign * (oh * 60 + om);
	} else {
		return -1; /* a time without a zone is ambiguous: refuse it */
	}
	if (*p)
		return -1;
	int64_t days = cal_days_from_civil(y, mo, d);
	return ((days * 1440 + h * 60 + mi - off) * 60 + sec) * 1000 + ms;
}

void wd_format_iso(int64_t ms, char out[32])
{
	if (ms < 0) {
		snprintf(out, 32, "never");
		return;
	}
	int64_t days = ms / 86400000, rem = ms % 86400000;
	int y, m, d;
	cal_civil_from_days((int32_t)days, &y, &m, &d);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, (int)(rem / 3600000),
	         (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (int)(rem % 1000));
}
