/* fh_session — the Finnhub trades websocket (wss://ws.finnhub.io?token=...):
 * one subscribe message per symbol, trade arrays in, pings and error
 * messages. Finnhub documents no ping reply; lws answers protocol pings. */
#include "collector.h"
#include "finnhub.h"
#include "log.h"

#include <string.h>

static struct col_app *app_of(struct col_sess *s) { return s->run->app; }

static void fh_open(struct col_sess *s) { (void)s; }

static size_t fh_sub_msg(struct col_sess *s, int i, char *buf, size_t size)
{
	return col_fh_subscribe_msg(buf, size, s->sym[i], 1);
}

static void fh_message(struct col_sess *s, const char *data, size_t len, int64_t recv_ms,
                       int64_t recv_ns)
{
	struct col_app *app = app_of(s);
	char reason[200], q[240];
	metric_add(app->stats.frames, 1);
	metric_add(app->stats.bytes, (double)len);
	col_app_archive(app, "finnhub", s->name, data, len, recv_ms);
	int kind = col_ingest_fh(&app->ing, data, len, recv_ms, recv_ns, reason, sizeof reason);
	if (kind == FH_TRADE || kind == FH_PING) {
		backoff_reset(&s->bo);
		for (int i = 0; i < s->nsym; i++)
			if (s->sub[i] == SUB_SENT)
				s->sub[i] = SUB_OK; /* data flows: the subscriptions took */
	}
	if (kind == FH_PING)
		metric_add(app->stats.pings, 1);
	else if (kind == FH_ERROR)
		log_error("finnhub_error", "session=%s msg=%s", s->name, log_quote(reason, q, sizeof q));
}

const struct col_feed_ops col_fh_ops = {
	.source = "finnhub",
	.prepare = NULL,
	.cleanup = NULL,
	.on_open = fh_open,
	.on_message = fh_message,
	.subscribe_msg = fh_sub_msg,
	.on_close = NULL,
};
