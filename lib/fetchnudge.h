/* fetchnudge — wakes librdkafka's fetcher when a lagging consumer runs low.
 *
 * librdkafka before 2.1 (Debian 12 ships 2.0.2) stops fetching while the
 * consumer queue is above queued.min.messages or queued.max.messages.kbytes,
 * and looks again only when the broker thread next wakes: on network
 * traffic or, failing that, once a second. A consumer catching up with a
 * small prefetch queue (vwap-stream keeps its RSS low) then idles most of
 * each second: 150k ticks/s instead of 500k on the bench. Any request to
 * the partition's leader wakes that thread; a ListOffsets request
 * (rd_kafka_query_watermark_offsets) is cheap and changes nothing. Newer
 * librdkafka has fetch.queue.backoff.ms instead, 1 s by default, which
 * the nudge does not shorten: kafka_consumer_new sets it to 1 ms where it
 * exists (kafka_conf_known); the nudge is then harmless. */
#ifndef TP_FETCHNUDGE_H
#define TP_FETCHNUDGE_H

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdint.h>

struct fetch_nudge {
	rd_kafka_t *rk;
	rd_kafka_queue_t *q;
	int low;             /* consider nudging below this many queued messages */
	int64_t next_ms;     /* earliest next look */
	int32_t rotate;      /* which lagging partition to nudge next */
	long nudges;
	/* The round trip runs on a thread of its own: on the one connection it
	 * shares with the fetch it wakes, it waits for that fetch too (~3 ms),
	 * and the loop kept processing meanwhile is the point (measured: the
	 * synchronous call held the loop ~12% of a catch-up run). */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int started, stop, pending; /* pending: a request not yet taken */
	char topic[256];
	int32_t partition;
};

/* low <= 0: half of the consumer's queued.min.messages, the point below
 * which librdkafka would fetch again. */
void fetch_nudge_init(struct fetch_nudge *n, rd_kafka_t *rk, rd_kafka_queue_t *q, int low);

/* Cheap unless the queue is low and the assignment still lags behind the
 * partitions' high watermarks by at least 1,000 messages more than are
 * queued (a live consumer never does); then it asks the nudge thread
 * (started on first use) for one ListOffsets request to a lagging
 * partition's leader, at most every millisecond; never blocks on the broker.
 * Returns 1 when it nudged. */
int fetch_nudge_maybe(struct fetch_nudge *n, int64_t now_ms);

/* Stops and joins the nudge thread, if it was started; before the consumer
 * is destroyed. */
void fetch_nudge_close(struct fetch_nudge *n);

struct conf;
/* Consumer defaults for a nudged consumer that catches up fast with little
 * memory (anomaly-router, es-sink): a 16 MB / 20,000-message prefetch queue,
 * 4 MB fetches (1 MB a partition), a 10 ms back-off once the queue is full
 * (librdkafka 2.0's is 500 ms). Settings already in c (-X) win; call it
 * after creating a producer from c, which would warn about them. */
void fetch_nudge_conf_defaults(struct conf *c);

#endif
