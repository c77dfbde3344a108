/* fh_quote — polls Finnhub GET /api/v1/quote for each symbol every N seconds
 * (default 30) in its own thread, within the free tier's 60 calls a minute:
 * calls are spaced at least a second apart, and a 429 ("API limit reached")
 * or a 5xx backs off exponentially before the next call. */
#include "backoff.h"
#include "clock.h"
#include "collector.h"
#include "finnhub.h"
#include "http.h"
#include "log.h"
#include "sig.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MIN_SPACING_MS 1000 /* 60 calls/min */

static pthread_t thread;
static int running;
static volatile int quit;

static void poll_one(struct col_app *app, struct http_client *h, struct backoff *bo, int i)
{
	char path[256], reason[160];
	snprintf(path, sizeof path, "/api/v1/quote?symbol=%s&token=%s", app->fh_sym[i], app->fh_token);
	struct http_resp r;
	long st = http_request(h, "GET", path, NULL, NULL, 0, &r);
	if (http_is_retryable(st)) {
		int64_t d = backoff_next(bo);
		log_warn("finnhub_quote_retry", "symbol=%s status=%ld wait_ms=%lld", app->fh_sym[i], st,
		         (long long)d);
		backoff_sleep(d, &quit);
		return;
	}
	backoff_reset(bo);
	struct tick t;
	if (st != 200) {
		log_error("finnhub_quote_failed", "symbol=%s status=%ld", app->fh_sym[i], st);
	} else if (col_fh_parse_quote(app->fh_sym[i], r.body, r.len, clock_now_ms(), &t, reason,
	                              sizeof reason)) {
		col_pub_dlq(&app->pub, "collector", reason, r.body, r.len);
	} else {
		col_pub_tick(&app->pub, &t, NULL, clock_mono_ns());
	}
}

static void *poller(void *arg)
{
	struct col_app *app = arg;
	char err[256];
	struct http_opts o = {.base_url = app->fh_rest_url, .connect_timeout_ms = 3000,
	                      .timeout_ms = 10000};
	struct http_client *h = http_client_new(&o, err, sizeof err);
	if (!h) {
		log_error("finnhub_quote_disabled", "error=\"%s\"", err);
		return NULL;
	}
	struct backoff bo;
	backoff_init(&bo, 2000, 60000);
	while (!quit && !sig_stop) {
		int64_t round = clock_mono_ms();
		for (int i = 0; i < app->nfh && !quit && !sig_stop; i++) {
			int64_t t0 = clock_mono_ms();
			poll_one(app, h, &bo, i);
			int64_t spent = clock_mono_ms() - t0;
			if (spent < MIN_SPACING_MS)
				backoff_sleep(MIN_SPACING_MS - spent, &quit);
		}
		int64_t left = app->fh_poll_s * 1000 - (clock_mono_ms() - round);
		if (left > 0)
			backoff_sleep(left, &quit);
	}
	http_client_free(h);
	return NULL;
}

int col_fh_quotes_start(struct col_app *app, char *err, size_t errsize)
{
	if (app->fh_poll_s <= 0 || app->nfh == 0 || !app->fh_rest_url || !*app->fh_rest_url)
		return 0;
	quit = 0;
	if (pthread_create(&thread, NULL, poller, app)) {
		snprintf(err, errsize, "cannot start the quote poller thread");
		return -1;
	}
	running = 1;
	return 0;
}

void col_fh_quotes_stop(void)
{
	if (!running)
		return;
	quit = 1;
	pthread_join(thread, NULL);
	running = 0;
}
