/* setup — settings into the engine's configuration, clients and calendars. */
#include "app.h"
#include "clock.h"
#include "kafka.h"
#include "log.h"
#include "metrics.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_engine(struct vs_app *a, char *err, size_t errsize)
{
	const struct conf *c = a->conf;
	long late, upd, vol, margin, days;
	if (vs_window_list_parse(conf_str(c, "windows"), a->vc.win, VS_MAX_WIN, &a->vc.nwin, err,
	                         errsize) ||
	    conf_long(c, "lateness-ms", 0, 86400000, &late, err, errsize) ||
	    conf_long(c, "update-ms", 1, 3600000, &upd, err, errsize) ||
	    conf_long(c, "volatility-bars", 0, VS_IND_HIST - 2, &vol, err, errsize) ||
	    conf_long(c, "rebuild-margin-ms", 0, 7 * 86400000L, &margin, err, errsize) ||
	    conf_long(c, "history-days", 1, 366, &days, err, errsize) ||
	    vs_ind_conf_parse(&a->vc.ind, conf_str(c, "periods"), vol, conf_str(c, "cross"), err,
	                      errsize))
		return -1;
	for (int i = 0; i < a->vc.nwin; i++)
		if (late > a->vc.win[i].len_ms) {
			snprintf(err, errsize, "lateness-ms %ld exceeds window %s", late, a->vc.win[i].name);
			return -1;
		}
	const char *od = conf_str(c, "other-day");
	if (strcmp(od, "ignore") && strcmp(od, "dlq")) {
		snprintf(err, errsize, "other-day must be ignore or dlq");
		return -1;
	}
	a->other_day_dlq = strcmp(od, "dlq") == 0;
	a->vc.lateness_ms = late;
	a->update_ms = upd;
	a->rb.lateness_ms = late;
	a->rb.margin_ms = margin;
	a->rb.history_ms = days * 86400000L;
	return 0;
}


static int32_t partitions_of(rd_kafka_t *rk, const char *topic, char *err, size_t errsize)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
	rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, 10000);
	rd_kafka_topic_destroy(t);
	if (e) {
		snprintf(err, errsize, "metadata for %s: %s", topic, rd_kafka_err2str(e));
		return -1;
	}
	int32_t n = md->topic_cnt == 1 && !md->topics[0].err ? md->topics[0].partition_cnt : -1;
	if (n < 0)
		snprintf(err, errsize, "topic %s does not exist", topic);
	rd_kafka_metadata_destroy(md);
	return n;
}

static int open_metrics(struct vs_app *a, char *err, size_t errsize)
{
	long port;
	if (conf_long(a->conf, "metrics-port", 0, 65535, &port, err, errsize))
		return -1;
	if (!port)
		return 0;
	struct metrics *m = a->metrics = metrics_new("tickpipe_vwap_stream");
	a->m_ticks = metrics_counter(m, "ticks_total", NULL, "ticks applied");
	a->m_late = metrics_counter(m, "late_total", NULL, "(tick, window) pairs dropped as late");
	a->m_other = metrics_counter(m, "other_day_total", NULL, "ticks of an earlier trading day");
	a->m_final = metrics_counter(m, "bars_final_total", NULL, "final bars emitted");
	a->m_update = metrics_counter(m, "bars_update_total", NULL, "in-progress updates emitted");
	a->m_mismatch = metrics_counter(m, "feed_vwap_mismatch_total", NULL,
	                                "ticks whose cum VWAP differs from the feed's sums");
	a->m_dlq = metrics_gauge(m, "dlq_messages", NULL, "messages dead-lettered since start");
	a->m_replayed = metrics_gauge(m, "replayed_ticks", NULL, "ticks replayed by rebuilds");
	a->m_symbols = metrics_gauge(m, "symbols", NULL, "symbols known");
	return metrics_serve(m, conf_str(a->conf, "metrics-addr"), (int)port, NULL, NULL, err,
	                     errsize) < 0 ? -1 : 0;
}

/* A small prefetch queue keeps RSS low; the fetch nudge (lib/fetchnudge.h)
 * refills it without librdkafka 2.0's one-second pause when it was full.
 * Measured on the bench (3M ticks, 2,539 symbols, one core, the nudge every
 * 1 ms, 3 interleaved runs each): 4 MB / 10,000 messages / 1 MB fetches
 * 1.15M-1.31M ticks/s at 26.4-27.0 MB RSS; 20,000: 1.23M-1.27M at
 * 30.6-33.6 MB; 5,000: 0.83M-1.11M at 23.8-24.7 MB. (Earlier, 2M ticks:
 * librdkafka's defaults, 64 MB / 100,000, 730k at 90 MB; without the nudge
 * 16 MB gave 150k ticks/s.) -X settings win. */
static void consumer_defaults(struct conf *c)
{
	static const char *const kv[][2] = {
		{"enable.partition.eof", "true"},      {"queued.max.messages.kbytes", "4096"},
		{"queued.min.messages", "10000"},      {"fetch.max.bytes", "1048576"},
		{"fetch.error.backoff.ms", "10"}};
	for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
		conf_kafka_default(c, kv[i][0], kv[i][1]);
	/* (fetch.queue.backoff.ms, librdkafka 2.1+: kafka_consumer_new.) */
}

static int open_clients(struct vs_app *a, char *err, size_t errsize)
{
	struct conf *c = a->conf;
	const char *brokers = conf_str(c, "brokers"), *group = conf_str(c, "group");
	char rgroup[256];
	struct kafka_hooks ph = {.on_delivery = vs_on_delivery, .opaque = a};
	struct kafka_hooks ch = {.on_assign = vs_on_assign, .on_revoke = vs_on_revoke, .opaque = a};
	snprintf(rgroup, sizeof rgroup, "%s-rebuild", group);
	if (!(a->producer = kafka_producer_new(c, brokers, &ph, err, errsize)) ||
	    (a->out.bars_parts = partitions_of(a->producer, a->out.bars_topic, err, errsize)) < 0)
		return -1;
	consumer_defaults(c); /* after the producer, which would warn about them */
	if (!(a->consumer = kafka_consumer_new(c, brokers, group, &ch, err, errsize)) ||
	    !(a->commit = vs_commit_new(a->consumer, a->ticks_topic)) ||
	    !(a->rb.reader = kafka_consumer_new(c, brokers, rgroup, NULL, err, errsize)))
		return -1;
	a->out.producer = a->producer;
	a->out.commit = a->commit;
	a->rb.bars_parts = a->out.bars_parts;
	return kafka_subscribe(a->consumer, a->ticks_topic, err, errsize);
}

int vs_app_check(struct vs_app *a, char *err, size_t errsize)
{
	const char *dir = conf_str(a->conf, "calendar-dir");
	a->ticks_topic = conf_str(a->conf, "ticks-topic");
	a->out.bars_topic = a->rb.bars_topic = conf_str(a->conf, "bars-topic");
	a->out.dlq_topic = conf_str(a->conf, "dlq-topic");
	a->rb.ticks_topic = a->ticks_topic;
	if (parse_engine(a, err, errsize) || cal_load(&a->krx, "KRX", dir, err, errsize) ||
	    cal_load(&a->us, "US", dir, err, errsize))
		return -1;
	a->rb.krx = &a->krx, a->rb.us = &a->us;
	a->agg = vs_agg_new(&a->vc, &a->krx, &a->us, vs_out_bar, &a->out);
	a->rb.agg = a->agg;
	if (!a->agg) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	return 0;
}

int vs_app_open(struct vs_app *a, char *err, size_t errsize)
{
	if (vs_app_check(a, err, errsize))
		return -1;
	return open_metrics(a, err, errsize) || open_clients(a, err, errsize) ? -1 : 0;
}

void vs_app_close(struct vs_app *a)
{
	if (a->consumer)
		kafka_consumer_close(a->consumer);
	vs_rebuild_close(&a->rb);
	if (a->rb.reader)
		kafka_consumer_close(a->rb.reader);
	if (a->producer) {
		kafka_drain(a->producer, 1000);
		kafka_producer_destroy(a->producer);
	}
	if (a->metrics) {
		metrics_stop(a->metrics);
		metrics_free(a->metrics);
	}
	vs_commit_free(a->commit);
	vs_agg_free(a->agg);
	cal_free(&a->krx);
	cal_free(&a->us);
}
