/* collector — live trades from KIS (and Finnhub) into the Kafka `ticks`
 * topic, every received frame verbatim into the MongoDB raw archive.
 *
 *   collector [options]          collect (see docs/collector.1)
 *   collector replay [options]   republish an archive day or a trades file
 *
 * main parses, builds the parts (setup.c), runs the loop, drains, exits. */
#include "app.h"
#include "clock.h"
#include "collector.h"
#include "hours.h"
#include "kafka.h"
#include "log.h"
#include "memtune.h"
#include "replay.h"
#include "setup.h"
#include "sig.h"

#include <mongoc/mongoc.h>
#include <stdlib.h>
#include <string.h>

#define KIS_REAL_WS "ws://ops.koreainvestment.com:21000"
#define KIS_PAPER_WS "ws://ops.koreainvestment.com:31000"
#define KIS_REAL_REST "https://openapi.koreainvestment.com:9443"
#define KIS_PAPER_REST "https://openapivts.koreainvestment.com:29443"

static const struct conf_opt opts[] = {
	APP_COMMON_OPTS,
	{"ticks-topic", "TICKPIPE_TICKS_TOPIC", "ticks", 0, "topic for normalised trades"},
	{"dlq-topic", "TICKPIPE_DLQ_TOPIC", "dlq", 0, "topic for malformed frames and records"},
	{"mongo-uri", "MONGO_URI", "mongodb://127.0.0.1:27017", CONF_SECRET,
	 "raw archive (MongoDB); empty: no archive"},
	{"mongo-db", "MONGO_DB", "tickpipe", 0, "archive database"},
	{"mongo-collection", "MONGO_COLLECTION", "raw_frames", 0, "archive collection"},
	{"archive-buffer", NULL, "200000", 0, "frames buffered while MongoDB is away"},
	{"pending-max", NULL, "500000", 0, "ticks held when librdkafka's queue is full"},
	{"kis-env", "KIS_ENV", "real", 0, "real or paper: the default KIS URLs"},
	{"kis-ws-url", "KIS_WS_URL", NULL, 0, "KIS websocket URL (default from --kis-env)"},
	{"kis-rest-url", "KIS_REST_URL", NULL, 0, "KIS REST base URL (default from --kis-env)"},
	{"kis-appkey", "KIS_APPKEY", NULL, CONF_SECRET, "KIS appkey (one session)"},
	{"kis-secret", "KIS_SECRET", NULL, CONF_SECRET, "KIS app secret"},
	{"kis-credentials", "KIS_CREDENTIALS", NULL, 0,
	 "file of appkey:secret lines, one KIS session each (sharding)"},
	{"kis-symbols", "KIS_SYMBOLS", "", 0, "KRX codes, comma-separated (005930,000660)"},
	{"kis-symbols-file", NULL, NULL, 0, "file of KRX codes (commas or lines, # comments)"},
	{"kis-max-subs", NULL, "41", 0, "registrations per appkey"},
	{"kis-custtype", NULL, "P", 0, "P individual, B corporate"},
	{"kis-tr-id", NULL, "H0STCNT0", 0, "trade TR: H0STCNT0 (KRX), H0UNCNT0, H0NXCNT0"},
	{"shard-index", "TICKPIPE_SHARD_INDEX", "0", 0, "this instance's share of the symbols"},
	{"shard-count", "TICKPIPE_SHARD_COUNT", "1", 0, "instances sharing the symbol list"},
	{"approval-ttl", NULL, "86000", 0, "seconds before a fresh approval key is fetched"},
	{"in-use-hold", NULL, "60", 0, "seconds to hold off after OPSP8996 (appkey in use)"},
	{"finnhub-ws-url", "FINNHUB_WS_URL", "wss://ws.finnhub.io", 0, "Finnhub websocket URL"},
	{"finnhub-rest-url", "FINNHUB_REST_URL", "https://finnhub.io", 0, "Finnhub REST base URL"},
	{"finnhub-token", "FINNHUB_TOKEN", NULL, CONF_SECRET, "Finnhub API token"},
	{"finnhub-symbols", "FINNHUB_SYMBOLS", "", 0, "US symbols, comma-separated"},
	{"finnhub-symbols-file", NULL, NULL, 0, "file of US symbols"},
	{"finnhub-poll", NULL, "30", 0, "seconds between /quote rounds (0: off)"},
	{"idle-timeout-ms", NULL, "60000", 0, "reconnect a socket silent this long (0: never)"},
	{"subscribe-interval-ms", NULL, "50", 0, "pause between subscribe messages"},
	{"backoff-base-ms", NULL, "500", 0, "first reconnect delay (jittered, doubling)"},
	{"backoff-max-ms", NULL, "30000", 0, "longest reconnect delay"},
	{"window", "TICKPIPE_WINDOW", "08:50-16:00", 0, "KRX collection window, KST"},
	{"us-window", NULL, "09:30-16:00", 0, "Finnhub collection window, New York time"},
	{"calendar-dir", "TICKPIPE_CALENDAR_DIR", NULL, 0, "holiday files (krx.txt, us.txt)"},
	{"ignore-hours", NULL, NULL, CONF_SWITCH, "collect at any hour, any day"},
	{"outside-hours", NULL, "exit", 0, "exit (code 3) or idle outside the window"},
	{"summary-interval", NULL, "60", 0, "seconds between summary log lines"},
	COL_REPLAY_OPTS,
};

struct windows {
	struct col_window krx, us;
};

static int default_urls(struct conf *c)
{
	const char *env = conf_str(c, "kis-env");
	int paper = !strcmp(env, "paper");
	if (!paper && strcmp(env, "real"))
		return app_usage_error(c, "--kis-env must be real or paper");
	/* conf values are owned by conf: replace through the table's storage. */
	for (int i = 0; i < c->nopts; i++) {
		const char *def = NULL;
		if (!strcmp(opts[i].name, "kis-ws-url"))
			def = paper ? KIS_PAPER_WS : KIS_REAL_WS;
		else if (!strcmp(opts[i].name, "kis-rest-url"))
			def = paper ? KIS_PAPER_REST : KIS_REAL_REST;
		if (def && !c->values[i])
			c->values[i] = strdup(def);
	}
	return 0;
}

/* 1 when some feed is inside its window. */
static int in_hours(struct col_app *app, struct windows *w, int64_t now)
{
	int kis = 0, fh = 0;
	for (int k = 0; k < app->run.nsess; k++) {
		if (app->run.sess[k]->ops == &col_kis_ops)
			kis = 1;
		else
			fh = 1;
	}
	return (kis && col_window_open(&w->krx, now)) || (fh && col_window_open(&w->us, now));
}

static int health(void *opaque, char *msg, size_t size)
{
	struct col_app *app = opaque;
	int open = 0;
	for (int k = 0; k < app->run.nsess; k++)
		open += app->run.sess[k]->state == SESS_OPEN;
	snprintf(msg, size, "%d of %d sessions open", open, app->run.nsess);
	return open > 0 || app->run.nsess == 0;
}

/* The main loop; returns when stopped, or the window closed (*closed). */
static void collect(struct col_app *app, struct windows *w, int idle_outside, int *closed)
{
	long summary_s = 60;
	conf_long(app->c, "summary-interval", 1, 86400, &summary_s, NULL, 0);
	int64_t next_check = 0;
	int paused = !in_hours(app, w, clock_now_ms()); /* idle mode may start outside */
	if (paused)
		log_info("window_closed", "action=idle");
	while (!sig_stop) {
		if (!paused)
			col_run_turn(&app->run);
		col_pub_poll(&app->pub, paused ? 100 : 0);
		int64_t now = clock_mono_ms();
		if (now < next_check)
			continue;
		next_check = now + 1000;
		if (rd_kafka_outq_len(app->pub.rk) < 1000)
			memtune_release(); /* quiet: what memtune_producer lets the heap keep */
		col_stats_maybe_log(&app->stats, now, summary_s * 1000);
		char why[256];
		if (kafka_fatal(app->pub.rk, why, sizeof why))
			break;
		int open = in_hours(app, w, clock_now_ms());
		if (!open && !idle_outside) {
			*closed = 1;
			log_info("window_closed", "action=exit");
			break;
		}
		if (open == paused) { /* crossing a window edge in idle mode */
			paused = !open;
			app->run.closing = 0;
			for (int k = 0; !paused && k < app->run.nsess; k++)
				app->run.sess[k]->next_connect_ms = 0; /* reconnect now, not after the pause */
			log_info(paused ? "window_closed" : "window_open", "action=%s", paused ? "idle" : "collect");
			if (paused)
				col_run_close_all(&app->run);
		}
	}
}

static int shutdown_all(struct col_app *app)
{
	col_run_close_all(&app->run);
	col_fh_quotes_stop();
	/* SIGTERM must finish within 10 s: Kafka first (the pipeline), then the
	 * archive, which kept writing in its thread meanwhile. */
	long left = col_pub_drain(&app->pub, 6000);
	long unarchived = col_archive_stop(app->arch, 2000);
	app->arch = NULL;
	col_stats_log(&app->stats, "final");
	char why[256];
	int fatal = kafka_fatal(app->pub.rk, why, sizeof why);
	log_info("stopped", "undelivered=%ld unarchived=%ld fatal=%d", left, unarchived, fatal);
	return left || fatal ? EXIT_RUNTIME : 0;
}

static int windows_init(struct conf *c, struct windows *w)
{
	char err[512];
	int always = conf_bool(c, "ignore-hours");
	if (col_window_init(&w->krx, "KRX", conf_str(c, "window"), conf_str(c, "calendar-dir"), always,
	                    err, sizeof err) ||
	    col_window_init(&w->us, "US", conf_str(c, "us-window"), conf_str(c, "calendar-dir"), always,
	                    err, sizeof err))
		return app_usage_error(c, "%s", err);
	const char *oh = conf_str(c, "outside-hours");
	if (strcmp(oh, "exit") && strcmp(oh, "idle"))
		return app_usage_error(c, "--outside-hours must be exit or idle");
	return 0;
}

static int run_live(struct col_app *app, struct conf *c)
{
	char err[512];
	struct windows w;
	int rc = windows_init(c, &w);
	if (rc)
		return rc;
	int idle_outside = !strcmp(conf_str(c, "outside-hours"), "idle");
	if (col_setup_sessions(app, err, sizeof err) < 0) {
		rc = app_usage_error(c, "%s", err);
	} else if (!idle_outside && !in_hours(app, &w, clock_now_ms())) {
		log_info("outside_window", "window=%s us_window=%s", conf_str(c, "window"),
		         conf_str(c, "us-window"));
		rc = EXIT_CLOSED;
	} else if (c->check_only) {
		rc = 0;
	} else if (col_run_init(&app->run, err, sizeof err) || col_pub_start_poller(&app->pub) ||
	           col_fh_quotes_start(app, err, sizeof err)) {
		log_error("start_failed", "error=\"%s\"", err);
		rc = EXIT_RUNTIME;
	} else {
		long port = 0;
		conf_long(c, "metrics-port", 0, 65535, &port, NULL, 0);
		if (port && metrics_serve(app->stats.reg, conf_str(c, "metrics-addr"), (int)port, health,
		                          app, err, sizeof err) < 0)
			log_error("metrics_failed", "error=\"%s\"", err);
		log_info("collecting", "sessions=%d topic=%s", app->run.nsess, app->pub.topic);
		int closed = 0;
		collect(app, &w, idle_outside, &closed);
		rc = shutdown_all(app);
	}
	col_window_free(&w.krx);
	col_window_free(&w.us);
	return rc;
}

int main(int argc, char **argv)
{
	struct conf c = {.prog = "collector", .summary = "KIS/Finnhub trades into Kafka, raw frames into MongoDB",
	                 .commands = "[replay]", .opts = opts, .nopts = (int)(sizeof opts / sizeof opts[0])};
	int rc = app_init(&c, argc, argv);
	if (rc >= 0) {
		conf_free(&c);
		return rc;
	}
	memtune_producer();
	int replay = c.nargs > 0 && !strcmp(c.args[0], "replay");
	if (c.nargs > 0 && !replay) {
		rc = app_usage_error(&c, "unknown command \"%s\" (try replay)", c.args[0]);
		conf_free(&c);
		return rc;
	}
	if ((rc = default_urls(&c))) {
		conf_free(&c);
		return rc;
	}
	mongoc_init();
	struct col_app app;
	memset(&app, 0, sizeof app);
	char err[512];
	rc = col_setup(&app, &c, !replay, err, sizeof err);
	if (rc)
		rc = app_usage_error(&c, "%s", err);
	else
		rc = replay ? col_replay_main(&app, &c) : run_live(&app, &c);
	col_archive_stop(app.arch, 2000);
	col_teardown(&app);
	mongoc_cleanup();
	conf_free(&c);
	return rc;
}
