/* es_sink — the consume → bulk → settle loop.
 *
 * A batch is settled when every item is indexed (2xx, or 409: a newer version
 * is already there) or dead-lettered (contract violation, or a permanent bulk
 * item failure such as a mapping error, with Elasticsearch's reason) and the
 * dlq produce is acknowledged. Only then are its offsets stored; librdkafka
 * commits stored offsets every second, on revocation and on close.
 *
 * Items answered 429/5xx and whole requests that fail (no answer, 5xx, 401...)
 * are retried with capped exponential backoff. While waiting, the consumer's
 * partitions are paused (rd_kafka_pause_partitions) and polled, so the group
 * membership stays alive, nothing new is buffered and memory stays bounded by
 * one batch. One log line marks the start of an outage and one its end. */
#ifndef ES_SINK_H
#define ES_SINK_H

#include "es_batch.h"
#include "es_bulk.h"
#include "es_doc.h"
#include "es_job.h"
#include "es_lanes.h"
#include "fetchnudge.h"

#include <librdkafka/rdkafka.h>

struct http_client;
struct metrics;
struct metric;

struct es_sink_opts {
	const char *prefix;
	const char *dlq_topic;
	const char *topic[ES_NKINDS]; /* NULL: kind not consumed */
	struct es_limits lim;
	int64_t backoff_base_ms, backoff_max_ms;
	int64_t drain_ms; /* after SIGTERM, give up retrying after this long */
	int lanes;        /* parallel bulk requests per round (es_lanes.h) */
};

struct es_sink_metrics {
	struct metric *docs, *bytes, *requests, *retries, *dlq, *superseded, *latency, *lag, *up,
		*outages, *collapsed;
};

struct es_sink {
	struct es_sink_opts o;
	rd_kafka_t *consumer, *producer;
	/* batch fills while inflight is indexed by the worker thread: decoding
	 * and building the next request overlaps Elasticsearch's work. */
	struct es_batch batch, inflight;
	struct es_lanes lanes;       /* the round's requests, in parallel */
	struct es_item_result *res;  /* per pending item of the round */
	int *sent; /* inflight index of each pending item of the round */
	int rescap;
	int in_flush, paused, outage, abandoned;
	int64_t outage_since, stop_deadline;
	long outage_requests;
	struct es_sink_metrics m;
	struct fetch_nudge nudge; /* keeps the small prefetch queue full (main.c) */
	struct es_job worker;   /* runs the inflight batch's first round */
	struct es_round round;  /* its outcome, read after es_job_wait */
};

/* Registers the metrics in reg (may be NULL for tests); http holds o->lanes
 * clients, one connection per lane. */
void es_sink_init(struct es_sink *s, const struct es_sink_opts *o, rd_kafka_t *consumer,
                  rd_kafka_t *producer, struct http_client **http, struct metrics *reg);
void es_sink_free(struct es_sink *s);

/* Takes msg: decodes it into the filling batch (a dead item when invalid). */
void es_sink_add(struct es_sink *s, rd_kafka_message_t *msg);

/* Settles the batch in flight, then sends the filling one and keeps it in
 * flight (pipelining): the main loop's step when the batch is full. */
int es_sink_pump(struct es_sink *s);
/* Settles the batch in flight if the worker has finished it (no wait): so
 * offsets move on when traffic stops. */
int es_sink_reap(struct es_sink *s);
/* Settles everything: the batch in flight and the filling one. 0 when
 * settled (offsets stored), -1 when abandoned because the drain deadline
 * passed (nothing of it stored). */
int es_sink_flush(struct es_sink *s);

/* Gives up what is not settled (no offsets stored for it: a restart re-reads
 * it) and stops the worker; librdkafka cannot close while messages are held. */
void es_sink_discard(struct es_sink *s);

/* The main loop until sig_stop; then drains. Returns an exit code. */
int es_sink_run(struct es_sink *s);

/* For the rebalance hook: settles the batch before partitions move away. */
void es_sink_on_revoke(void *opaque, rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *p);

/* /health: unhealthy during an Elasticsearch outage. */
int es_sink_health(void *opaque, char *msg, size_t size);

/* Installs the index templates, retrying while Elasticsearch is unreachable.
 * 0, or -1 with err when Elasticsearch refuses a template (or on SIGTERM). */
int es_sink_install_templates(struct http_client *http, const char *prefix, int replicas,
                              const char *refresh, const int *kinds_on, char *err,
                              size_t errsize);

#endif
