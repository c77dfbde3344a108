/* run — the consumer loop and rebalance handling. See run.h. */
#include "run.h"
#include "app.h"
#include "metrics.h"
#include "clock.h"
#include "kafka.h"
#include "log.h"
#include "sig.h"
#include "tickfast.h"

#include <stdio.h>
#include <string.h>

void vs_on_delivery(void *opaque, const rd_kafka_message_t *m)
{
	struct vs_app *a = opaque;
	if (m->_private)
		vs_commit_done(a->commit, m->_private, m->err == 0);
}

/* An epoch (the outputs one offset store waits for) spans at least this
 * long: with --update-ms 1, sealing every update would let 64 epochs cover
 * only 64 ms of acknowledgements, and one slow broker round trip would stop
 * the loop (and, its prefetch queue full, librdkafka's fetcher for a second). */
#define VS_EPOCH_MIN_MS 25
/* How often the Prometheus counters catch up with the aggregator. */
#define METRICS_EVERY_MS 10

/* Emits in-progress bars; seals the epoch when it is due (or when asked:
 * draining), stores what is acknowledged. */
static void update(struct vs_app *a, int seal_now)
{
	vs_agg_set_now(a->agg, clock_now_ms());
	vs_agg_flush_dirty(a->agg);
	int64_t now = clock_mono_ms();
	if (seal_now || now >= a->next_seal) {
		a->next_seal = now + (a->update_ms > VS_EPOCH_MIN_MS ? a->update_ms : VS_EPOCH_MIN_MS);
		while (vs_commit_seal(a->commit) && !vs_commit_failed(a->commit)) {
			rd_kafka_poll(a->producer, 10); /* all epochs in flight: wait for reports */
			vs_commit_settle(a->commit);
		}
		a->ack_wait_ms += clock_mono_ms() - now;
	}
	rd_kafka_poll(a->producer, 0);
	vs_commit_settle(a->commit);
}

static void settle_all(struct vs_app *a, int timeout_ms)
{
	update(a, 1);
	kafka_drain(a->producer, timeout_ms);
	vs_commit_settle(a->commit);
}

void vs_on_revoke(void *opaque, rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *parts)
{
	(void)rk;
	struct vs_app *a = opaque;
	settle_all(a, 8000); /* kafka.c commits the stored offsets right after */
	for (int i = 0; i < parts->cnt; i++) {
		vs_agg_drop_partition(a->agg, parts->elems[i].partition);
		vs_commit_forget(a->commit, parts->elems[i].partition);
	}
}

void vs_on_assign(void *opaque, rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *parts)
{
	struct vs_app *a = opaque;
	char err[512];
	for (int i = 0; i < parts->cnt; i++)
		vs_agg_drop_partition(a->agg, parts->elems[i].partition);
	/* The rebuild reads `bars` (daily history) and `ticks` with its own
	 * consumer; paused, these partitions do not fill the main prefetch queue
	 * meanwhile, so the two queues never peak together (RSS). */
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_copy(parts);
	rd_kafka_pause_partitions(rk, l);
	if (vs_rebuild_partitions(&a->rb, rk, parts, err, sizeof err)) {
		log_error("rebuild_failed", "error=%s", err);
		a->failed = 1; /* exit non-zero: nothing is stored, a restart retries */
	}
	rd_kafka_resume_partitions(rk, l);
	rd_kafka_topic_partition_list_destroy(l);
}

static void handle(struct vs_app *a, const rd_kafka_message_t *m)
{
	struct tick t;
	char reason[256];
	int rc;
	if (tickfast_try(m->payload, m->len, &t) == 0) {
		a->fast++;
		rc = vs_agg_tick(a->agg, m->partition, &t, reason, sizeof reason);
	} else if (tick_decode(m->payload ? m->payload : "", m->len, &t, reason, sizeof reason)) {
		a->slow++;
		rc = VS_TICK_REJECT;
	} else {
		a->slow++;
		rc = vs_agg_tick(a->agg, m->partition, &t, reason, sizeof reason);
	}
	if (rc == VS_TICK_OTHER_DAY && a->other_day_dlq)
		snprintf(reason, sizeof reason, "tick of trading day %s after a later day began",
		         t.day);
	if (rc == VS_TICK_REJECT || (rc == VS_TICK_OTHER_DAY && a->other_day_dlq)) {
		vs_out_dlq(&a->out, m, reason);
		a->dlq++;
	}
	vs_commit_processed(a->commit, m->partition, m->offset);
}

static void update_metrics(struct vs_app *a)
{
	if (!a->metrics)
		return;
	const struct vs_stats *s = vs_agg_stats(a->agg);
	metric_add(a->m_ticks, (double)(s->ticks - a->last.ticks));
	metric_add(a->m_late, (double)(s->late - a->last.late));
	metric_add(a->m_other, (double)(s->other_day - a->last.other_day));
	metric_add(a->m_final, (double)(s->finals - a->last.finals));
	metric_add(a->m_update, (double)(s->updates - a->last.updates));
	metric_add(a->m_mismatch, (double)(s->feed_mismatch - a->last.feed_mismatch));
	metric_set(a->m_dlq, (double)a->dlq);
	metric_set(a->m_replayed, (double)a->rb.replayed);
	metric_set(a->m_symbols, (double)vs_agg_symbols(a->agg));
	a->last = *s;
}

static int failed(struct vs_app *a)
{
	char why[256];
	if (kafka_fatal(a->producer, why, sizeof why) || kafka_fatal(a->consumer, why, sizeof why))
		a->failed = 1;
	if (vs_commit_failed(a->commit) || a->out.produce_errors)
		a->failed = 1;
	return a->failed;
}

#define VS_BATCH 512

static void consume(struct vs_app *a, rd_kafka_message_t *m)
{
	if (!m->err)
		handle(a, m);
	else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
		log_warn("consume_error", "error=%s", rd_kafka_err2name(m->err));
	rd_kafka_message_destroy(m);
}

int vs_app_run(struct vs_app *a)
{
	rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(a->consumer);
	rd_kafka_message_t *batch[VS_BATCH];
	int64_t next = clock_mono_ms() + a->update_ms, next_metrics = 0;
	fetch_nudge_init(&a->nudge, a->consumer, q, 0);
	while (!sig_stop && !failed(a)) {
		int64_t now = clock_mono_ms();
		int wait = next - now > 100 ? 100 : next - now < 0 ? 0 : (int)(next - now);
		ssize_t n = kafka_poll_batch(a->consumer, q, wait, batch, VS_BATCH);
		if (n > 0) /* final bars go out from vs_agg_tick: a fresh updated_ts */
			vs_agg_set_now(a->agg, clock_now_ms());
		for (ssize_t i = 0; i < n; i++)
			consume(a, batch[i]);
		rd_kafka_poll(a->producer, 0);
		now = clock_mono_ms();
		fetch_nudge_maybe(&a->nudge, now);
		if (now >= next) {
			update(a, 0);
			next = clock_mono_ms() + a->update_ms;
		}
		if (now >= next_metrics) { /* not at the update cadence: a rate read off
		                            * ticks_total would be quantized to it */
			update_metrics(a);
			next_metrics = now + METRICS_EVERY_MS;
		}
	}
	fetch_nudge_close(&a->nudge);
	rd_kafka_queue_destroy(q);
	/* SIGTERM: last updates out, acknowledged, offsets stored and committed
	 * by kafka_consumer_close — within docker's 10 s. */
	settle_all(a, 7000);
	const struct vs_stats *s = vs_agg_stats(a->agg);
	log_info("stopped", "ticks=%ld late=%ld other_day=%ld finals=%ld updates=%ld dlq=%ld "
	         "fast=%ld slow=%ld fetch_nudges=%ld ack_wait_ms=%ld failed=%d",
	         s->ticks, s->late, s->other_day, s->finals, s->updates, a->dlq, a->fast, a->slow,
	         a->nudge.nudges, a->ack_wait_ms, failed(a));
	return failed(a) ? EXIT_RUNTIME : 0;
}
