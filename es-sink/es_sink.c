/* es_sink — batches to Elasticsearch, settled item by item. See es_sink.h. */
#include "es_sink.h"
#include "backoff.h"
#include "clock.h"
#include "dlq.h"
#include "es_hold.h"
#include "http.h"
#include "kafka.h"
#include "log.h"
#include "metrics.h"

#include <stdlib.h>
#include <string.h>

#define BULK_PATH "/_bulk?filter_path=errors,items.*.status,items.*.error"
#define STAGE "es-sink"

/* Fewer documents than this per lane are not worth another request. */
#define LANE_MIN_DOCS 50

static void worker_round(void *arg);
static void slice_run(struct es_lane *l);

static void init_metrics(struct es_sink *s, struct metrics *r)
{
	static const double lat[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
	if (!r)
		return;
	s->m.docs = metrics_counter(r, "docs_indexed_total", NULL, "documents indexed (2xx)");
	s->m.superseded = metrics_counter(r, "docs_superseded_total", NULL,
	                                  "items refused because a newer version is indexed (409)");
	s->m.bytes = metrics_counter(r, "bulk_bytes_total", NULL, "bulk request bytes sent");
	s->m.requests = metrics_counter(r, "bulk_requests_total", NULL, "bulk requests sent");
	s->m.retries = metrics_counter(r, "retries_total", NULL, "items sent again after 429/5xx/no answer");
	s->m.dlq = metrics_counter(r, "dlq_total", NULL, "records dead-lettered");
	s->m.collapsed = metrics_counter(r, "docs_collapsed_total", NULL,
	                                 "older versions not sent: a newer one was in the same batch");
	s->m.outages = metrics_counter(r, "es_outages_total", NULL, "Elasticsearch outages seen");
	s->m.latency = metrics_histogram(r, "bulk_latency_seconds", NULL, "bulk request latency", lat,
	                                 (int)(sizeof lat / sizeof lat[0]));
	s->m.lag = metrics_gauge(r, "consumer_lag", NULL, "messages behind the high watermark");
	s->m.up = metrics_gauge(r, "es_up", NULL, "1 when the last bulk request got an answer");
	metric_set(s->m.up, 1);
}

void es_sink_init(struct es_sink *s, const struct es_sink_opts *o, rd_kafka_t *consumer,
                  rd_kafka_t *producer, struct http_client **http, struct metrics *reg)
{
	memset(s, 0, sizeof *s);
	s->o = *o;
	s->consumer = consumer;
	s->producer = producer;
	init_metrics(s, reg);
	if (!http || !http[0])
		return;
	es_lanes_init(&s->lanes, o->lanes, http, slice_run, s);
	/* --batch-docs and --batch-bytes bound one request: a batch fills one per
	 * lane, so each lane's request is as large as without lanes. */
	s->o.lim.max_docs *= s->lanes.n;
	s->o.lim.max_bytes *= (size_t)s->lanes.n;
	es_job_start(&s->worker, worker_round, s); /* on failure rounds run inline */
}

static void stop_worker(struct es_sink *s)
{
	es_job_stop(&s->worker);
}

void es_sink_discard(struct es_sink *s)
{
	stop_worker(s);
	s->abandoned = 1;
	es_batch_clear(&s->batch);
	es_batch_clear(&s->inflight);
}

void es_sink_free(struct es_sink *s)
{
	stop_worker(s);
	es_lanes_free(&s->lanes);
	es_batch_free(&s->batch);
	es_batch_free(&s->inflight);
	free(s->res);
	free(s->sent);
}

static void count(struct metric *m, double v)
{
	if (m && v)
		metric_add(m, v);
}

static int kind_of(const struct es_sink *s, const char *topic)
{
	for (int k = 0; k < ES_NKINDS; k++)
		if (s->o.topic[k] && strcmp(s->o.topic[k], topic) == 0)
			return k;
	return -1;
}

void es_sink_add(struct es_sink *s, rd_kafka_message_t *msg)
{
	if (msg->err) {
		if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
			log_warn("consume_error", "error=%s", rd_kafka_message_errstr(msg));
		rd_kafka_message_destroy(msg);
		return;
	}
	struct es_batch *b = &s->batch;
	char reason[320];
	struct es_doc d;
	int kind = kind_of(s, rd_kafka_topic_name(msg->rkt));
	int bad = kind < 0 ? (snprintf(reason, sizeof reason, "no index for this topic"), -1)
	                   : es_doc_from_payload((enum es_kind)kind, s->o.prefix, msg->payload,
	                                         msg->len, &d, reason, sizeof reason);
	if (es_batch_add(b, msg, bad ? NULL : &d, bad ? reason : NULL, clock_mono_ms())) {
		log_error("out_of_memory", "where=batch");
		abort(); /* cannot hold the message and must not lose it: let the restart replay */
	}
}

static int grow_results(struct es_sink *s, int n)
{
	if (n <= s->rescap)
		return 0;
	struct es_item_result *r = realloc(s->res, (size_t)n * sizeof *r);
	if (r)
		s->res = r;
	int *sent = realloc(s->sent, (size_t)n * sizeof *sent);
	if (sent)
		s->sent = sent;
	if (!r || !sent)
		return -1;
	s->rescap = n;
	return 0;
}

/* Lists the inflight batch's pending items in s->sent; returns how many. */
static int list_pending(struct es_sink *s)
{
	int n = 0;
	for (int k = 0; k < s->inflight.n; k++)
		if (s->inflight.items[k].state == ES_PENDING)
			s->sent[n++] = k;
	return n;
}

/* The body of a lane's slice of the pending items. */
static void build_body(struct es_sink *s, struct es_lane *l)
{
	es_buf_reset(&l->body);
	for (int j = l->lo; j < l->hi; j++)
		if (es_bulk_append(&l->body, &s->inflight.items[s->sent[j]].doc)) {
			log_error("out_of_memory", "where=bulk_body");
			abort();
		}
}

static void mark_dead(struct es_item *it, const char *reason)
{
	it->state = ES_DEAD;
	free(it->reason);
	it->reason = strdup(reason);
}

/* Applies the outcomes of pending items [lo, hi); returns how many must be
 * sent again. */
static int apply_results(struct es_sink *s, int lo, int hi)
{
	int again = 0, ok = 0, sup = 0;
	for (int j = lo; j < hi; j++) {
		struct es_item *it = &s->inflight.items[s->sent[j]];
		const struct es_item_result *r = &s->res[j];
		if (r->cls == ES_ITEM_OK || r->cls == ES_ITEM_SUPERSEDED) {
			it->state = ES_INDEXED;
			ok += r->cls == ES_ITEM_OK;
			sup += r->cls == ES_ITEM_SUPERSEDED;
		} else if (r->cls == ES_ITEM_FAIL) {
			mark_dead(it, r->reason);
		} else {
			again++;
		}
	}
	count(s->m.docs, ok);
	count(s->m.superseded, sup);
	return again;
}

/* One lane's bulk request over its slice of the pending items. Runs on a
 * lane thread, the worker thread or main (retries); touches only its slice of
 * the inflight batch and of s->res, its lane and atomic metrics. */
static void slice_run(struct es_lane *l)
{
	struct es_sink *s = l->owner;
	struct es_round *r = &l->round;
	int n = l->hi - l->lo;
	memset(r, 0, sizeof *r);
	if (n <= 0)
		return;
	build_body(s, l);
	struct http_resp resp;
	int64_t t0 = clock_mono_ns();
	long st = http_request(l->http, "POST", BULK_PATH, "application/x-ndjson", l->body.p,
	                       l->body.len, &resp);
	int64_t t1 = clock_mono_ns();
	if (s->m.latency)
		metric_observe(s->m.latency, (double)(t1 - t0) / 1e9);
	log_debug("bulk_sent", "lane=%d docs=%d bytes=%zu status=%ld http_ms=%.1f since_last_ms=%.1f",
	          (int)(l - l->set->lane), n, l->body.len, st, (double)(t1 - t0) / 1e6,
	          l->last_ns ? (double)(t0 - l->last_ns) / 1e6 : 0.0);
	l->last_ns = t1;
	count(s->m.requests, 1);
	count(s->m.bytes, (double)l->body.len);
	char err[160];
	r->status = st;
	if (st == 200 &&
	    es_bulk_parse(resp.body, resp.len, n, s->res + l->lo, err, sizeof err) >= 0) {
		r->again = apply_results(s, l->lo, l->hi);
		return;
	}
	r->again = -1;
	count(s->m.retries, n);
	if (st == 0)
		snprintf(r->why, sizeof r->why, "%s", resp.error);
	else if (st == 200)
		snprintf(r->why, sizeof r->why, "%s", err);
	else
		snprintf(r->why, sizeof r->why, "HTTP %ld: %.200s", st, resp.body);
}

/* One round over the inflight batch's pending items: slices on as many lanes
 * as the count is worth, then one outcome (a failed request fails the round;
 * items another lane indexed stay indexed and are not sent again). */
static void round_run(struct es_sink *s, struct es_round *r)
{
	memset(r, 0, sizeof *r);
	int n = list_pending(s);
	if (n == 0)
		return;
	int use = n / LANE_MIN_DOCS;
	use = use < 1 ? 1 : use > s->lanes.n ? s->lanes.n : use;
	for (int i = 0; i < use; i++) {
		s->lanes.lane[i].lo = (int)((long)n * i / use);
		s->lanes.lane[i].hi = (int)((long)n * (i + 1) / use);
	}
	es_lanes_run(&s->lanes, use);
	for (int i = 0; i < use; i++) {
		const struct es_round *x = &s->lanes.lane[i].round;
		if (x->again < 0 && r->again >= 0)
			*r = *x;
		else if (r->again >= 0)
			r->again += x->again, r->status = x->status;
	}
}

/* Main thread: outage bookkeeping for a finished round. */
static void round_account(struct es_sink *s, const struct es_round *r)
{
	if (r->again < 0) {
		es_outage_begin(s, r->status, r->why);
		return;
	}
	es_outage_end(s);
	if (r->again > 0) {
		count(s->m.retries, r->again);
		log_warn("bulk_items_retried", "count=%d", r->again);
	}
}

static void worker_round(void *arg)
{
	struct es_sink *s = arg;
	round_run(s, &s->round);
}

/* Dead-letters every dead item and waits for the acknowledgements. */
static int settle_dead(struct es_sink *s, struct backoff *bo)
{
	int dead = 0;
	for (int k = 0; k < s->inflight.n; k++)
		dead += s->inflight.items[k].state == ES_DEAD;
	if (!dead)
		return 0;
	for (;;) {
		long failed0 = kafka_failed(s->producer);
		int bad = 0;
		for (int k = 0; k < s->inflight.n; k++) {
			struct es_item *it = &s->inflight.items[k];
			if (it->state == ES_DEAD)
				bad |= dlq_send_message(s->producer, s->o.dlq_topic, STAGE, it->reason, it->msg) != 0;
		}
		while (!bad && rd_kafka_outq_len(s->producer) > 0 && !es_hold_expired(s))
			rd_kafka_flush(s->producer, 500);
		if (!bad && rd_kafka_outq_len(s->producer) == 0 && kafka_failed(s->producer) == failed0) {
			count(s->m.dlq, dead);
			return 0;
		}
		log_error("dlq_produce_failed", "items=%d action=retry", dead);
		if (es_hold_wait(s, backoff_next(bo)))
			return -1;
	}
}

static void note_offset(rd_kafka_topic_partition_list_t *l, const rd_kafka_message_t *m)
{
	if (!m)
		return;
	const char *t = rd_kafka_topic_name(m->rkt);
	rd_kafka_topic_partition_t *p = rd_kafka_topic_partition_list_find(l, t, m->partition);
	if (!p)
		p = rd_kafka_topic_partition_list_add(l, t, m->partition), p->offset = -1;
	if (m->offset + 1 > p->offset)
		p->offset = m->offset + 1;
}

/* Stores offset+1 of the highest settled message per partition, counting the
 * records that collapsed into the batch's items. */
static void store_offsets(struct es_sink *s)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
	for (int k = 0; k < s->inflight.n; k++)
		note_offset(l, s->inflight.items[k].msg);
	for (int k = 0; k < s->inflight.nkept; k++)
		note_offset(l, s->inflight.kept[k]);
	/* A partition revoked meanwhile fails here; its new owner re-indexes the
	 * same ids, which overwrites. */
	if (l->cnt > 0 && rd_kafka_offsets_store(s->consumer, l))
		log_debug("offsets_not_stored", "partitions=%d", l->cnt);
	rd_kafka_topic_partition_list_destroy(l);
}

/* Hands the filling batch to the worker. */
static void submit(struct es_sink *s)
{
	struct es_batch t = s->inflight; /* empty: settled before */
	s->inflight = s->batch;
	s->batch = t;
	count(s->m.collapsed, s->inflight.collapsed);
	if (grow_results(s, s->inflight.n)) {
		log_error("out_of_memory", "where=results");
		abort();
	}
	es_job_post(&s->worker);
}

static void wait_round(struct es_sink *s, struct es_round *r)
{
	es_job_wait(&s->worker);
	*r = s->round;
}

/* Waits for the worker's round on the inflight batch, retries what is left
 * (main thread, partitions paused), dead-letters, stores offsets. */
static int complete(struct es_sink *s)
{
	if (s->inflight.n == 0)
		return 0;
	struct es_round r;
	wait_round(s, &r);
	struct backoff bo;
	backoff_init(&bo, s->o.backoff_base_ms, s->o.backoff_max_ms);
	for (round_account(s, &r); r.again; round_account(s, &r)) {
		if (es_hold_wait(s, backoff_next(&bo)))
			return -1;
		round_run(s, &r);
	}
	if (settle_dead(s, &bo))
		return -1;
	store_offsets(s);
	es_hold_release(s);
	es_batch_clear(&s->inflight);
	return 0;
}

int es_sink_pump(struct es_sink *s)
{
	if (s->abandoned || s->in_flush)
		return s->abandoned ? -1 : 0;
	s->in_flush = 1;
	int rc = complete(s);
	if (rc == 0 && s->batch.n)
		submit(s);
	s->in_flush = 0;
	s->abandoned = rc != 0;
	return rc;
}

int es_sink_reap(struct es_sink *s)
{
	int ready = es_job_ready(&s->worker);
	if (!ready || s->in_flush || s->abandoned)
		return s->abandoned ? -1 : 0;
	s->in_flush = 1;
	int rc = complete(s);
	s->in_flush = 0;
	s->abandoned = rc != 0;
	return rc;
}

int es_sink_flush(struct es_sink *s)
{
	int rc = es_sink_pump(s);
	if (rc || s->in_flush)
		return rc;
	s->in_flush = 1;
	rc = complete(s);
	s->in_flush = 0;
	s->abandoned = rc != 0;
	return rc;
}
