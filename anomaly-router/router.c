/* router — consume ticks and bars, evaluate the rules, produce anomalies and
 * dead letters, store offsets only behind acknowledged output. */
#include "router.h"

#include "anomaly.h"
#include "conf.h"
#include "bar.h"
#include "clock.h"
#include "dedup.h"
#include "dlq.h"
#include "eval.h"
#include "fetchnudge.h"
#include "kafka.h"
#include "log.h"
#include "metrics.h"
#include "notifier.h"
#include "rebuild.h"
#include "rules.h"
#include "sig.h"
#include "source.h"
#include "tick.h"
#include "tickfast.h"
#include "track.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AR_MAX_HITS 64

/* Travels with each produced message as its opaque. */
struct inflight {
	struct ar_tref ref;
	int anomaly;
	char *recipients;
};

struct ar_router {
	const struct conf *conf;
	struct ar_router_opts o;
	rd_kafka_t *producer, *consumer;
	struct ar_engine *engine;
	struct ar_dedup *dedup;
	struct ar_ruleset *rules;
	struct ar_source *src;
	struct ar_notifier *notifier;
	struct ar_track *track;
	struct fetch_nudge nudge;
	volatile size_t nrules; /* read by the metrics thread's /health */
	volatile int have_rules;
	int assignments;
	struct ar_hit hits[AR_MAX_HITS];
	char *buf;
	size_t bufcap;
	struct metric *m_ticks, *m_bars, *m_hits[AR_NKINDS], *m_dups, *m_dlq, *m_anoms,
		*m_inflight, *m_dedup;
};

static void on_delivery(void *opaque, const rd_kafka_message_t *m)
{
	struct ar_router *r = opaque;
	struct inflight *f = m->_private;
	if (!f)
		return;
	int ok = m->err == RD_KAFKA_RESP_ERR_NO_ERROR;
	if (!ok)
		log_error("produce_failed", "topic=%s error=%s", rd_kafka_topic_name(m->rkt),
		          rd_kafka_err2str(m->err));
	/* Only an acknowledged anomaly is announced: nothing is mailed that
	 * Kafka does not hold. */
	if (ok && f->anomaly && r->notifier)
		ar_notifier_push(r->notifier, f->recipients, m->payload, m->len);
	ar_track_done(r->track, &f->ref, ok);
	free(f->recipients);
	free(f);
}

/* Partitions that moved here from another instance bring symbols whose
 * recent anomalies that instance produced: read the topic back again (the
 * set only grows) so a rebalance does not re-alert. The first assignment
 * follows the rebuild at start and needs none. */
static void on_assign(void *opaque, rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *parts)
{
	struct ar_router *r = opaque;
	(void)rk;
	if (++r->assignments == 1 || parts->cnt == 0)
		return;
	char err[256];
	if (ar_router_rebuild(r, err, sizeof err) != 0)
		log_warn("dedup_rebuild_failed", "error=%s", err);
}

static void on_revoke(void *opaque, rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *parts)
{
	struct ar_router *r = opaque;
	/* Everything produced for these partitions must be acknowledged and its
	 * offsets stored before kafka.c commits and lets them go. */
	rd_kafka_flush(r->producer, 8000);
	ar_track_store(r->track, rk);
	ar_track_forget(r->track, parts);
}

struct ar_router *ar_router_new(struct conf *c, const struct ar_router_opts *o,
                                struct metrics *m, struct ar_source *src,
                                struct ar_notifier *nt, char *err, size_t errsize)
{
	struct ar_router *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->conf = c;
	r->o = *o;
	r->src = src;
	r->notifier = nt;
	r->engine = ar_engine_new();
	r->dedup = ar_dedup_new(o->dedup_ms);
	r->track = ar_track_new();
	r->bufcap = 1 << 16;
	r->buf = malloc(r->bufcap);
	struct kafka_hooks ph = {.on_delivery = on_delivery, .opaque = r};
	struct kafka_hooks ch = {.on_assign = on_assign, .on_revoke = on_revoke, .opaque = r};
	if (r->engine && r->dedup && r->track && r->buf)
		r->producer = kafka_producer_new(c, o->brokers, &ph, err, errsize);
	if (r->producer) {
		/* librdkafka's defaults (64 MB fetches, a 64 MB queue, 500 ms back-off)
		 * stalled the refill and held the decompressed batches. Catching up on
		 * the bench's 2M ticks, one core: 599k-876k ticks/s at 274-298 MB peak
		 * RSS before; 1.59M-1.66M at 58-59 MB with these (an 8 MB queue: 1.06M
		 * at 57 MB). */
		fetch_nudge_conf_defaults(c);
		r->consumer = kafka_consumer_new(c, o->brokers, o->group, &ch, err, errsize);
	}
	if (!r->consumer) {
		ar_router_free(r);
		return NULL;
	}
	r->m_ticks = metrics_counter(m, "ticks_evaluated_total", NULL, "ticks evaluated");
	r->m_bars = metrics_counter(m, "bars_evaluated_total", NULL, "bars evaluated");
	for (int k = 0; k < AR_NKINDS; k++) {
		char lab[64];
		snprintf(lab, sizeof lab, "kind=\"%s\"", ar_kind_name((enum ar_kind)k));
		r->m_hits[k] = metrics_counter(m, "hits_total", lab, "rule hits by kind");
	}
	r->m_dups = metrics_counter(m, "duplicates_suppressed_total", NULL,
	                            "hits suppressed as repeats within the dedup window");
	r->m_anoms = metrics_counter(m, "anomalies_produced_total", NULL, "anomalies produced");
	r->m_dlq = metrics_counter(m, "dlq_total", NULL, "input messages dead-lettered");
	r->m_inflight = metrics_gauge(m, "inflight_messages", NULL, "consumed, not yet committable");
	r->m_dedup = metrics_gauge(m, "dedup_entries", NULL, "anomaly ids held for dedup");
	return r;
}

int ar_router_rebuild(struct ar_router *r, char *err, size_t errsize)
{
	long n = 0;
	int64_t t0 = clock_mono_ms();
	int rc = ar_rebuild_dedup(r->conf, r->o.brokers, r->o.anomalies_topic,
	                          r->o.rebuild_lookback_ms, r->dedup, &n, err, errsize);
	if (rc == 0)
		log_info("dedup_rebuilt", "topic=%s read=%ld ids=%zu ms=%lld", r->o.anomalies_topic, n,
		         ar_dedup_size(r->dedup), (long long)(clock_mono_ms() - t0));
	return rc;
}

static struct inflight *inflight_new(const struct ar_tref *ref, int anomaly, const char *rcpt)
{
	struct inflight *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->ref = *ref;
	f->anomaly = anomaly;
	f->recipients = rcpt ? strdup(rcpt) : NULL;
	return f;
}

/* Produces value for ref's message; the offset waits for its report. */
static void produce(struct ar_router *r, const struct ar_tref *ref, const char *topic,
                    const void *key, size_t keylen, const char *val, size_t len, int anomaly,
                    const char *rcpt)
{
	struct inflight *f = inflight_new(ref, anomaly, rcpt);
	ar_track_add(r->track, ref);
	rd_kafka_resp_err_t e = kafka_produce(r->producer, topic, RD_KAFKA_PARTITION_UA, key, keylen,
	                                      val, len, 0, f, -1);
	if (e) {
		log_error("produce_failed", "topic=%s error=%s", topic, rd_kafka_err2str(e));
		ar_track_done(r->track, ref, 0);
		if (f)
			free(f->recipients);
		free(f);
	}
}

static void dead_letter(struct ar_router *r, const struct ar_tref *ref,
                        const rd_kafka_message_t *m, const char *reason)
{
	struct dlq_entry e = {"anomaly-router", reason, rd_kafka_topic_name(m->rkt), m->partition,
	                      m->offset, m->payload ? m->payload : "", m->payload ? m->len : 0};
	size_t n;
	char *json = dlq_encode(&e, &n);
	char q[300];
	log_warn("dead_lettered", "topic=%s partition=%d offset=%lld reason=%s", e.topic,
	         (int)m->partition, (long long)m->offset, log_quote(reason, q, sizeof q));
	if (json)
		produce(r, ref, r->o.dlq_topic, m->key, m->key_len, json, n, 0, NULL);
	else
		ar_track_done(r->track, ref, 0);
	free(json);
	metric_add(r->m_dlq, 1);
}

/* The message as JSON text fit to embed: the decoders accept trailing bytes
 * after the object (cJSON stops at its end), which would corrupt the
 * anomaly, so such input is embedded re-serialised. Hits are rare: the
 * check costs one parse per hit, none per tick. *own is freed by the caller. */
static const char *embeddable(const rd_kafka_message_t *m, size_t *len, char **own)
{
	const char *end = NULL;
	*own = NULL;
	*len = m->len;
	cJSON *j = cJSON_ParseWithLengthOpts(m->payload, m->len, &end, 0);
	const char *p = m->payload;
	while (end && end < p + m->len && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
		end++;
	if (j && end != p + m->len) {
		*own = cJSON_PrintUnformatted(j);
		*len = *own ? strlen(*own) : 0;
	}
	cJSON_Delete(j);
	return *own ? *own : p;
}

static void emit(struct ar_router *r, const struct ar_tref *ref, const struct ar_hit *h,
                 const char *symbol, int64_t ts, const char *topic, const rd_kafka_message_t *m)
{
	metric_add(r->m_hits[h->rule->kind], 1);
	struct anomaly a = {0};
	int64_t ws = ar_dedup_window(r->dedup, ts);
	ar_dedup_id(a.id, sizeof a.id, h->rule->id, symbol, ws);
	if (ar_dedup_check(r->dedup, a.id, ws) != 0) {
		metric_add(r->m_dups, 1);
		return;
	}
	snprintf(a.rule_id, sizeof a.rule_id, "%s", h->rule->id);
	snprintf(a.kind, sizeof a.kind, "%s", ar_kind_name(h->rule->kind));
	snprintf(a.symbol, sizeof a.symbol, "%s", symbol);
	snprintf(a.source_topic, sizeof a.source_topic, "%s", topic);
	snprintf(a.message, sizeof a.message, "%s", h->message);
	a.ts = ts;
	a.observed = h->observed;
	a.threshold = h->threshold;
	char *own;
	a.original = embeddable(m, &a.original_len, &own);
	if (r->bufcap < m->len * 2 + 4096) {
		char *nb = realloc(r->buf, m->len * 2 + 4096);
		if (nb) {
			r->buf = nb;
			r->bufcap = m->len * 2 + 4096;
		}
	}
	size_t n = anomaly_encode(&a, r->buf, r->bufcap);
	free(own);
	if (!n) {
		log_error("anomaly_encode_failed", "id=%s", a.id);
		return;
	}
	metric_add(r->m_anoms, 1);
	produce(r, ref, r->o.anomalies_topic, symbol, strlen(symbol), r->buf, n, 1,
	        h->rule->recipients);
}

static void process(struct ar_router *r, const rd_kafka_message_t *m, const struct ar_tref *ref)
{
	const char *topic = rd_kafka_topic_name(m->rkt);
	char reason[256];
	int is_tick = strcmp(topic, r->o.ticks_topic) == 0;
	if (!m->payload || m->len == 0) {
		dead_letter(r, ref, m, "empty message");
		return;
	}
	int nh;
	if (is_tick) {
		struct tick t;
		if (tickfast_decode(m->payload, m->len, &t, reason, sizeof reason) != 0) {
			dead_letter(r, ref, m, reason);
			return;
		}
		metric_add(r->m_ticks, 1);
		nh = ar_eval_tick(r->engine, r->rules, &t, r->hits, AR_MAX_HITS);
		for (int i = 0; i < nh && i < AR_MAX_HITS; i++)
			emit(r, ref, &r->hits[i], t.symbol, t.ts, "ticks", m);
	} else {
		struct bar b;
		if (bar_decode(m->payload, m->len, &b, reason, sizeof reason) != 0) {
			dead_letter(r, ref, m, reason);
			return;
		}
		metric_add(r->m_bars, 1);
		nh = ar_eval_bar(r->engine, r->rules, &b, r->hits, AR_MAX_HITS);
		/* A bar's event time is the end of its window. */
		for (int i = 0; i < nh && i < AR_MAX_HITS; i++)
			emit(r, ref, &r->hits[i], b.symbol, b.end - 1, "bars", m);
	}
	if (nh > AR_MAX_HITS)
		log_warn("hits_truncated", "hits=%d kept=%d", nh, AR_MAX_HITS);
}

static void take_rules(struct ar_router *r)
{
	struct ar_ruleset *rs = ar_source_take(r->src, sig_reload);
	sig_reload = 0;
	if (rs) {
		ar_ruleset_free(r->rules);
		r->rules = rs;
		r->nrules = ar_ruleset_size(rs);
		r->have_rules = 1;
		log_info("rules_applied", "rules=%zu", r->nrules);
	}
}

/* 0 when m was handled; -1 when it could not be tracked (a partition stuck
 * behind a failed delivery, or no memory): the loop must stop, because a
 * message skipped without a slot would let later offsets be committed past it. */
static int handle(struct ar_router *r, rd_kafka_message_t *m)
{
	if (m->err) {
		if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
			log_warn("consume_error", "error=%s", rd_kafka_message_errstr(m));
		return 0;
	}
	struct ar_tref ref;
	while (ar_track_begin(r->track, rd_kafka_topic_name(m->rkt), m->partition, m->offset,
	                      &ref) != 0) {
		if (ar_track_failed(r->track) || sig_stop)
			return -1;
		rd_kafka_poll(r->producer, 10); /* ring full: let acknowledgements catch up */
	}
	process(r, m, &ref);
	ar_track_end(r->track, &ref);
	return 0;
}

static void wait_for_rules(struct ar_router *r)
{
	int64_t t0 = clock_mono_ms(), logged = 0;
	while (!sig_stop && !r->rules) {
		take_rules(r);
		if (r->rules)
			break;
		if (clock_mono_ms() - t0 - logged > 5000) {
			logged = clock_mono_ms() - t0;
			log_warn("waiting_for_rules", "seconds=%lld", (long long)(logged / 1000));
		}
		rd_kafka_poll(r->producer, 50);
	}
}

int ar_router_run(struct ar_router *r)
{
	char err[512], topics[400];
	wait_for_rules(r);
	snprintf(topics, sizeof topics, "%s,%s", r->o.ticks_topic, r->o.bars_topic);
	if (!sig_stop && kafka_subscribe(r->consumer, topics, err, sizeof err) != 0) {
		log_error("subscribe_failed", "error=%s", err);
		return EXIT_FAILURE;
	}
	log_info("running", "topics=%s rules=%zu dedup_ms=%lld", topics, ar_ruleset_size(r->rules),
	         (long long)r->o.dedup_ms);
	rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(r->consumer);
	rd_kafka_message_t **batch = calloc((size_t)r->o.batch, sizeof *batch);
	int stuck = 0, oom = !batch;
	fetch_nudge_init(&r->nudge, r->consumer, q, 0);
	while (!sig_stop && batch && !ar_track_failed(r->track) && !kafka_fatal(r->producer, err, sizeof err)) {
		take_rules(r);
		/* consume_batch alone would hold a lone tick until the batch filled
		 * or its timeout ran out, delaying alerts at quiet times. */
		ssize_t n = kafka_poll_batch(r->consumer, q, 100, batch, (size_t)r->o.batch);
		for (ssize_t i = 0; i < n; i++) {
			if (!stuck && handle(r, batch[i]) != 0) {
				stuck = 1; /* the rest is consumed again after the restart */
				log_error("cannot_track", "partition=%d offset=%lld", (int)batch[i]->partition,
				          (long long)batch[i]->offset);
			}
			rd_kafka_message_destroy(batch[i]);
		}
		if (stuck)
			break;
		rd_kafka_poll(r->producer, 0);
		fetch_nudge_maybe(&r->nudge, clock_mono_ms());
		ar_track_store(r->track, r->consumer);
		metric_set(r->m_inflight, (double)ar_track_inflight(r->track));
		metric_set(r->m_dedup, (double)ar_dedup_size(r->dedup));
	}
	free(batch);
	fetch_nudge_close(&r->nudge);
	rd_kafka_queue_destroy(q);
	if (kafka_fatal(r->producer, err, sizeof err))
		log_error("kafka_fatal", "error=%s", err);
	/* Drain: everything produced acknowledged, offsets stored, committed. */
	int left = kafka_drain(r->producer, 6000);
	ar_track_store(r->track, r->consumer);
	log_info("drained", "unacknowledged=%d inflight=%ld", left, ar_track_inflight(r->track));
	kafka_consumer_close(r->consumer);
	r->consumer = NULL;
	int failed = left > 0 || ar_track_failed(r->track) || kafka_failed(r->producer) > 0 ||
	             (stuck && !sig_stop) || oom;
	return failed ? 1 : 0;
}

int ar_router_health(void *router, char *msg, size_t size)
{
	struct ar_router *r = router;
	char err[256];
	if (!r->have_rules) {
		snprintf(msg, size, "waiting for rules");
		return 0;
	}
	if (kafka_fatal(r->producer, err, sizeof err)) {
		snprintf(msg, size, "kafka: %s", err);
		return 0;
	}
	snprintf(msg, size, "ok rules=%zu postgres=%s", (size_t)r->nrules,
	         ar_source_healthy(r->src) ? "up" : "down (using last rules)");
	return 1;
}

void ar_router_free(struct ar_router *r)
{
	if (!r)
		return;
	if (r->consumer)
		kafka_consumer_close(r->consumer);
	if (r->producer) {
		kafka_drain(r->producer, 2000);
		kafka_producer_destroy(r->producer);
	}
	ar_engine_free(r->engine);
	ar_dedup_free(r->dedup);
	ar_ruleset_free(r->rules);
	ar_track_free(r->track);
	free(r->buf);
	free(r);
}
