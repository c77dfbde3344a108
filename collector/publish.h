/* publish — ticks into Kafka without ever blocking the websocket loop.
 *
 * Policy (documented in docs/collector.1): a tick is handed to librdkafka
 * without waiting (its queue, queue.buffering.max.messages, is the bounded
 * queue). When that queue is full, or a delivery report says a message
 * failed, the encoded tick moves to the collector's pending list and is
 * produced again on every loop turn. When the pending list is full too
 * (--pending-max), the tick is dropped: counted in
 * tickpipe_collector_dropped_total, logged, and still recoverable from the
 * raw archive with `collector replay`. Malformed records go to the dlq. */
#ifndef COL_PUBLISH_H
#define COL_PUBLISH_H

#include "stats.h"
#include "tick.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct col_pending;
struct conf;

struct col_pub {
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt; /* the ticks topic */
	const char *topic;
	const char *dlq_topic;
	struct col_stats *stats;
	pthread_mutex_t lock; /* guards the pending list (delivery reports, quote thread) */
	struct col_pending *head, *tail;
	long npending, max_pending;
	int64_t last_drop_log_ms;
	pthread_t poller;     /* serves delivery reports as they arrive */
	int polling;
	volatile int stop_polling;
};

/* Creates the idempotent producer (lz4 by default, larger batches and linger
 * for throughput; -X wins). 0, or -1 with err. */
int col_pub_init(struct col_pub *p, const struct conf *c, struct col_stats *stats,
                 long max_pending, char *err, size_t errsize);
/* Produces t keyed by symbol; recv_ns (monotonic) feeds the latency histogram.
 * vwap_text (or NULL): the feed's own text for feed_vwap (see encode.h). */
void col_pub_tick(struct col_pub *p, const struct tick *t, const char *vwap_text, int64_t recv_ns);
/* A frame or record that could not be normalised. */
void col_pub_dlq(struct col_pub *p, const char *stage, const char *reason, const void *orig,
                 size_t len);
/* Serves delivery reports in a thread of their own, so an acknowledgement is
 * seen (and its latency measured) when it arrives, not at the loop's next turn. */
int col_pub_start_poller(struct col_pub *p);
/* Retries pending ticks (and serves delivery reports without the poller
 * thread, waiting up to timeout_ms); call every loop turn. */
void col_pub_poll(struct col_pub *p, int timeout_ms);
/* Flushes for up to timeout_ms; returns ticks neither delivered nor pending-empty. */
long col_pub_drain(struct col_pub *p, int timeout_ms);
void col_pub_destroy(struct col_pub *p);

#endif
