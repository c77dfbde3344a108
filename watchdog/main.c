/* watchdog — data freshness checks for the tickpipe pipeline.
 *
 *   watchdog [flags]          check every --interval during the collection window
 *   watchdog --once [flags]   one check: exit 0 fresh, 1 stale, 2 could not check,
 *                             3 outside the collection window (for Airflow)
 *   watchdog status           the latest state of every target, from PostgreSQL
 *
 * See docs/watchdog.1. */
#include "app.h"
#include "backoff.h"
#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "round.h"
#include "sig.h"
#include "wd.h"

#include <stdio.h>
#include <string.h>

static int status_cmd(const struct wd_cfg *cfg)
{
	if (!cfg->pg_dsn) {
		fprintf(stderr, "watchdog: status: --pg-dsn is empty\n");
		return EXIT_USAGE;
	}
	struct wd_store st;
	char err[256];
	int rc = wd_store_open(&st, cfg->pg_dsn, cfg->pg_schema,
	                       (int)(cfg->timeout_ms + 999) / 1000, err, sizeof err);
	if (rc == 0)
		rc = wd_store_ensure(&st, err, sizeof err) || wd_store_status(&st, stdout, err, sizeof err);
	wd_store_close(&st);
	if (rc)
		fprintf(stderr, "watchdog: status: %s\n", err);
	return rc ? EXIT_RUNTIME : 0;
}

static int health(void *opaque, char *msg, size_t size)
{
	struct wd_ctx *x = opaque;
	int64_t last = atomic_load(&x->last_round_mono);
	int64_t limit = 2 * x->cfg->interval_ms + 8 * x->cfg->timeout_ms;
	int64_t age = clock_mono_ms() - last;
	if (last == 0) {
		snprintf(msg, size, "starting");
		return 1;
	}
	snprintf(msg, size, "last check %lld ms ago", (long long)age);
	return age <= limit;
}

static void serve_metrics(struct wd_ctx *x, const struct conf *c)
{
	long port = 0;
	char err[256];
	if (conf_long(c, "metrics-port", 0, 65535, &port, err, sizeof err) || port == 0)
		return;
	x->m = metrics_new("tickpipe_watchdog");
	x->rounds = metrics_counter(x->m, "checks_total", NULL, "check rounds run");
	x->cannot = metrics_counter(x->m, "cannot_check_total", NULL, "targets that could not be checked");
	x->alerts = metrics_counter(x->m, "alerts_total", NULL, "incident notices delivered");
	x->in_window = metrics_gauge(x->m, "in_window", NULL, "1 during the collection window");
	int p = metrics_serve(x->m, conf_str(c, "metrics-addr"), (int)port, health, x, err, sizeof err);
	if (p < 0)
		log_error("metrics_failed", "error=%s", err);
	else
		log_info("metrics_serving", "port=%d", p);
}

/* Checks every interval, on the monotonic clock, until SIGTERM. */
static int loop(struct wd_ctx *x)
{
	int64_t next = clock_mono_ms();
	while (!sig_stop) {
		wd_round(x);
		next += x->cfg->interval_ms;
		int64_t wait = next - clock_mono_ms();
		if (wait < 0) { /* a slow round: skip the missed slots */
			next = clock_mono_ms();
			wait = 0;
		}
		backoff_sleep(wait, &sig_stop);
	}
	log_info("stopped", "reason=signal");
	return 0;
}

/* --once: one round, its verdict the exit code; otherwise the loop. */
static int run_checks(const struct conf *c, struct wd_cfg *cfg)
{
	struct wd_ctx x;
	char err[512];
	int rc;
	if (wd_ctx_init(&x, c, cfg, err, sizeof err)) {
		rc = app_usage_error(c, "%s", err);
	} else if (cfg->once) {
		rc = wd_round(&x);
	} else {
		serve_metrics(&x, c);
		log_info("started", "interval_s=%.3f threshold_s=%.3f exchange=%s",
		         (double)cfg->interval_ms / 1000.0, (double)cfg->threshold_ms / 1000.0,
		         conf_str(c, "exchange"));
		rc = loop(&x);
	}
	if (x.m) {
		metrics_stop(x.m);
		metrics_free(x.m);
	}
	wd_ctx_free(&x);
	return rc;
}

int main(int argc, char **argv)
{
	struct conf c = {.prog = "watchdog", .summary = "tickpipe data freshness watchdog",
	                 .commands = "[status]", .opts = wd_opts, .nopts = wd_nopts};
	int rc = app_init(&c, argc, argv);
	if (rc >= 0) {
		conf_free(&c);
		return rc;
	}
	struct wd_cfg cfg;
	char err[512];
	if (wd_cfg_load(&cfg, &c, err, sizeof err)) {
		rc = app_usage_error(&c, "%s", err);
	} else if (c.nargs > 1 || (c.nargs == 1 && strcmp(c.args[0], "status") != 0)) {
		rc = app_usage_error(&c, "unknown command: %s (want: status)", c.args[0]);
	} else if (c.check_only) {
		rc = 0;
	} else if (c.nargs == 1) {
		rc = status_cmd(&cfg);
	} else {
		rc = run_checks(&c, &cfg);
	}
	wd_cfg_free(&cfg);
	conf_free(&c);
	return rc;
}
