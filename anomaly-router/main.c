/* anomaly-router — rule-based alerts on ticks and bars: rules from
 * PostgreSQL (live through LISTEN/NOTIFY) or a JSON file, hits to the
 * `anomalies` topic deduplicated per rule, symbol and hour, e-mail and
 * webhook notifications. See docs/anomaly-router.1. */
#include "app.h"
#include "bench.h"
#include "log.h"
#include "metrics.h"
#include "notifier.h"
#include "router.h"
#include "sig.h"
#include "source.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct conf_opt opts[] = {
	APP_COMMON_OPTS,
	{"group", "TICKPIPE_GROUP", "anomaly-router", 0, "consumer group"},
	{"ticks-topic", "TICKPIPE_TICKS_TOPIC", "ticks", 0, "ticks topic"},
	{"bars-topic", "TICKPIPE_BARS_TOPIC", "bars", 0, "bars topic"},
	{"anomalies-topic", "TICKPIPE_ANOMALIES_TOPIC", "anomalies", 0, "output topic"},
	{"dlq-topic", "TICKPIPE_DLQ_TOPIC", "dlq", 0, "dead-letter topic"},
	{"pg-dsn", "PG_DSN", NULL, CONF_SECRET, "PostgreSQL conninfo for the rules (unset: --rules-file)"},
	{"pg-schema", "TICKPIPE_PG_SCHEMA", "tickpipe", 0, "schema of the rules table"},
	{"pg-table", "TICKPIPE_PG_TABLE", "anomaly_rules", 0, "rules table"},
	{"pg-reconnect-max-ms", "TICKPIPE_PG_RECONNECT_MAX_MS", "30000", 0,
	 "longest PostgreSQL reconnect backoff"},
	{"rules-file", "TICKPIPE_RULES_FILE", NULL, 0, "JSON rules when no database is configured"},
	{"dedup-window", "TICKPIPE_DEDUP_WINDOW", "3600", 0,
	 "seconds: one alert per rule and symbol per window (epoch-aligned, event time)"},
	{"dedup-lookback", "TICKPIPE_DEDUP_LOOKBACK", "0", 0,
	 "seconds of anomalies read back on start (0: two windows)"},
	{"batch", "TICKPIPE_BATCH", "1000", 0, "messages per consume batch"},
	{"smtp-url", "SMTP_URL", NULL, 0, "smtp://host:port or smtps://host:port"},
	{"smtp-user", "SMTP_USER", NULL, 0, "SMTP AUTH user"},
	{"smtp-password", "SMTP_PASSWORD", NULL, CONF_SECRET, "SMTP AUTH password"},
	{"smtp-starttls", "SMTP_STARTTLS", "try", 0, "no, try or required"},
	{"smtp-ca-file", "SMTP_CA_FILE", NULL, 0, "CA bundle for the SMTP server"},
	{"mail-from", "MAIL_FROM", "tickpipe@localhost", 0, "sender address"},
	{"mail-to", "MAIL_TO", NULL, 0, "recipients for rules that name none (comma-separated)"},
	{"webhook-url", "WEBHOOK_URL", NULL, CONF_SECRET, "webhook for rules that name none"},
	{"notify-queue", "TICKPIPE_NOTIFY_QUEUE", "1000", 0, "pending notifications before dropping"},
	{"notify-rate", "TICKPIPE_NOTIFY_RATE", "30", 0, "notifications per minute per recipient (0: no limit)"},
	{"notify-retries", "TICKPIPE_NOTIFY_RETRIES", "3", 0, "retries of a failed notification"},
};

struct settings {
	long dedup_s, lookback_s, batch, queue, rate, retries, pg_max;
};

static int numbers(const struct conf *c, struct settings *s, char *err, size_t n)
{
	return conf_long(c, "dedup-window", 1, 7 * 86400, &s->dedup_s, err, n) ||
	       conf_long(c, "dedup-lookback", 0, 30 * 86400, &s->lookback_s, err, n) ||
	       conf_long(c, "batch", 1, 100000, &s->batch, err, n) ||
	       conf_long(c, "notify-queue", 1, 1000000, &s->queue, err, n) ||
	       conf_long(c, "notify-rate", 0, 100000, &s->rate, err, n) ||
	       conf_long(c, "notify-retries", 0, 100, &s->retries, err, n) ||
	       conf_long(c, "pg-reconnect-max-ms", 100, 3600000, &s->pg_max, err, n);
}

static int tls_mode(const char *s)
{
	if (!s || strcmp(s, "try") == 0)
		return NOTIFY_TLS_TRY;
	if (strcmp(s, "no") == 0)
		return NOTIFY_TLS_NONE;
	if (strcmp(s, "required") == 0)
		return NOTIFY_TLS_REQUIRED;
	return -1;
}

/* Default recipients: --mail-to addresses and --webhook-url, comma-joined. */
static char *default_recipients(const struct conf *c)
{
	const char *m = conf_str(c, "mail-to"), *w = conf_str(c, "webhook-url");
	size_t n = (m ? strlen(m) : 0) + (w ? strlen(w) : 0) + 2;
	char *out = calloc(1, n);
	if (out)
		snprintf(out, n, "%s%s%s", m ? m : "", m && w ? "," : "", w ? w : "");
	return out;
}

static int run(struct conf *c, const struct settings *s, struct metrics *m)
{
	char err[512];
	struct ar_source_opts so = {conf_str(c, "pg-dsn"), conf_str(c, "pg-schema"),
	                            conf_str(c, "pg-table"), conf_str(c, "rules-file"), s->pg_max};
	struct ar_source *src = ar_source_new(&so, m, err, sizeof err);
	if (!src)
		return app_usage_error(c, "%s", err);
	char *defaults = default_recipients(c);
	struct ar_notifier_opts no = {
		.smtp = {.url = conf_str(c, "smtp-url"), .user = conf_str(c, "smtp-user"),
		         .password = conf_str(c, "smtp-password"), .from = conf_str(c, "mail-from"),
		         .tls = (enum notify_tls)tls_mode(conf_str(c, "smtp-starttls")),
		         .ca_file = conf_str(c, "smtp-ca-file"), .timeout_ms = 10000},
		.webhook_timeout_ms = 5000,
		.default_recipients = defaults, .queue_max = (int)s->queue,
		.rate_per_min = (int)s->rate, .retries = (int)s->retries};
	struct ar_notifier *nt = ar_notifier_new(&no, m);
	struct ar_router_opts ro = {conf_str(c, "brokers"), conf_str(c, "group"),
	                            conf_str(c, "ticks-topic"), conf_str(c, "bars-topic"),
	                            conf_str(c, "anomalies-topic"), conf_str(c, "dlq-topic"),
	                            s->dedup_s * 1000,
	                            (s->lookback_s ? s->lookback_s : 2 * s->dedup_s) * 1000,
	                            (int)s->batch};
	struct ar_router *r = nt ? ar_router_new(c, &ro, m, src, nt, err, sizeof err) : NULL;
	int rc = EXIT_RUNTIME;
	long port = 0;
	conf_long(c, "metrics-port", 0, 65535, &port, err, sizeof err);
	if (!r) {
		log_error("startup_failed", "error=%s", nt ? err : "out of memory");
	} else if (port && metrics_serve(m, conf_str(c, "metrics-addr"), (int)port,
	                                 ar_router_health, r, err, sizeof err) < 0) {
		log_error("metrics_failed", "error=%s", err);
	} else if (ar_source_start(src, err, sizeof err) != 0) {
		rc = app_usage_error(c, "%s", err);
	} else if (ar_notifier_start(nt) != 0 || ar_router_rebuild(r, err, sizeof err) != 0) {
		log_error("startup_failed", "error=%s", err);
	} else {
		rc = ar_router_run(r);
	}
	metrics_stop(m);
	ar_router_free(r); /* its last delivery reports still feed the notifier */
	ar_notifier_free(nt, 1500);
	ar_source_free(src);
	free(defaults);
	return rc;
}

/* SIGTERM must end the process within 10 s. librdkafka 2.0 can hang in
 * rd_kafka_destroy after the consumer committed (e.g. its topic was deleted:
 * librdkafka issue #4362); past the deadline, with offsets already
 * committed, the process exits rather than waiting forever. */
static void *exit_deadline(void *arg)
{
	(void)arg;
	while (!sig_stop)
		usleep(100000);
	for (int i = 0; i < 95; i++)
		usleep(100000);
	log_error("shutdown_deadline", "seconds=9.5 action=exit");
	_exit(EXIT_RUNTIME);
	return NULL;
}

/* --check with a rules file: the file must load and every rule be valid. */
static int check_rules_file(const struct conf *c)
{
	char err[256];
	char *text = conf_read_file(conf_str(c, "rules-file"), err, sizeof err);
	int invalid = 0;
	struct ar_ruleset *rs = text ? ar_rules_from_json(text, strlen(text), &invalid, err,
	                                                  sizeof err) : NULL;
	free(text);
	if (!rs)
		return app_usage_error(c, "%s: %s", conf_str(c, "rules-file"), err);
	size_t n = ar_ruleset_size(rs);
	ar_ruleset_free(rs);
	if (invalid)
		return app_usage_error(c, "%s: %d invalid rules (see the log)", conf_str(c, "rules-file"),
		                       invalid);
	printf("%zu rules ok\n", n);
	return 0;
}

/* Benchmark helpers for bench/bench_anomaly.sh; see docs/anomaly-router.1. */
static int bench_command(const struct conf *c)
{
	const char *cmd = c->args[0];
	if (strcmp(cmd, "bench-eval") == 0 && (c->nargs == 4 || c->nargs == 5))
		return ar_bench_eval(atoi(c->args[1]), atoi(c->args[2]), atol(c->args[3]),
		                     c->nargs == 5 ? atoi(c->args[4]) : 0);
	if (strcmp(cmd, "bench-rules") == 0 && c->nargs == 3)
		return ar_bench_write_rules(atoi(c->args[1]), atoi(c->args[2]), "-") ? EXIT_RUNTIME : 0;
	return app_usage_error(c, "unknown command %s (or wrong arguments)", cmd);
}

int main(int argc, char **argv)
{
	struct conf c = {.prog = "anomaly-router",
	                 .summary = "rule-based alerts on ticks and bars to the anomalies topic",
	                 .commands = "[bench-eval RULES SYMBOLS TICKS [TICK_SYMBOLS] | bench-rules RULES SYMBOLS]",
	                 .opts = opts, .nopts = (int)(sizeof opts / sizeof opts[0])};
	int rc = app_init(&c, argc, argv);
	if (rc >= 0)
		return conf_free(&c), rc;
	if (c.nargs > 0) {
		rc = bench_command(&c);
		conf_free(&c);
		return rc;
	}
	struct settings s;
	char err[256];
	if (numbers(&c, &s, err, sizeof err))
		rc = app_usage_error(&c, "%s", err);
	else if (tls_mode(conf_str(&c, "smtp-starttls")) < 0)
		rc = app_usage_error(&c, "--smtp-starttls must be no, try or required");
	else if (!conf_str(&c, "pg-dsn") && !conf_str(&c, "rules-file"))
		rc = app_usage_error(&c, "set --pg-dsn or --rules-file");
	if (rc < 0 && c.check_only && !conf_str(&c, "pg-dsn"))
		rc = check_rules_file(&c);
	if (rc >= 0 || c.check_only) {
		conf_free(&c);
		return rc >= 0 ? rc : 0;
	}
	pthread_t deadline;
	if (pthread_create(&deadline, NULL, exit_deadline, NULL) == 0)
		pthread_detach(deadline);
	struct metrics *m = metrics_new("tickpipe_anomaly_router");
	rc = run(&c, &s, m);
	metrics_free(m);
	conf_free(&c);
	return rc;
}
