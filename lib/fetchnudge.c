/* fetchnudge — see fetchnudge.h for why this exists. */
#include "fetchnudge.h"
#include "conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checked this often while the queue is low. It has to be well under the
 * time the loop takes to drain half of queued.min.messages (~4 ms for 5,000
 * ticks at 1.2M ticks/s) less the round trip a nudge and its fetch need:
 * every 5 ms, vwap-stream at 10,000 messages ran dry between looks
 * (310k-460k ticks/s); every 1 ms, 1.15M-1.31M (bench, 3M ticks). */
#define NUDGE_EVERY_MS 1
/* Unfetched messages worth a nudge. A live consumer's few in-flight messages
 * are not: its fetcher is not paused, and the nudge's round trip (synchronous
 * then, on the loop) would only delay it (measured: ~300 nudges in 8 s at 50,000 ticks/s
 * before this threshold, none after). A consumer catching up lags by far more. */
#define NUDGE_MIN_UNFETCHED 1000

static int half_queued_min(rd_kafka_t *rk)
{
	char v[32];
	size_t len = sizeof v;
	long min = 100000; /* librdkafka's default */
	if (rd_kafka_conf_get(rd_kafka_conf(rk), "queued.min.messages", v, &len) == RD_KAFKA_CONF_OK)
		min = strtol(v, NULL, 10);
	return min > 1 ? (int)(min / 2) : 1;
}

void fetch_nudge_init(struct fetch_nudge *n, rd_kafka_t *rk, rd_kafka_queue_t *q, int low)
{
	*n = (struct fetch_nudge){.rk = rk, .q = q, .low = low > 0 ? low : half_queued_min(rk)};
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->wake, NULL);
}

/* The nudge thread: one ListOffsets round trip per request taken. */
static void *nudger(void *arg)
{
	struct fetch_nudge *n = arg;
	pthread_mutex_lock(&n->lock);
	for (;;) {
		while (!n->pending && !n->stop)
			pthread_cond_wait(&n->wake, &n->lock);
		if (n->stop)
			break;
		char topic[sizeof n->topic];
		int32_t partition = n->partition;
		memcpy(topic, n->topic, sizeof topic);
		n->pending = 0;
		pthread_mutex_unlock(&n->lock);
		int64_t lo, hi;
		rd_kafka_query_watermark_offsets(n->rk, topic, partition, &lo, &hi, 1000);
		pthread_mutex_lock(&n->lock);
	}
	pthread_mutex_unlock(&n->lock);
	return NULL;
}

/* Hands one request to the nudge thread, starting it the first time; a
 * request not yet taken is replaced, never queued behind. */
static int request(struct fetch_nudge *n, const char *topic, int32_t partition)
{
	pthread_mutex_lock(&n->lock);
	if (!n->started && pthread_create(&n->thread, NULL, nudger, n) == 0)
		n->started = 1;
	snprintf(n->topic, sizeof n->topic, "%s", topic);
	n->partition = partition;
	n->pending = 1;
	pthread_cond_signal(&n->wake);
	pthread_mutex_unlock(&n->lock);
	return n->started;
}

void fetch_nudge_close(struct fetch_nudge *n)
{
	pthread_mutex_lock(&n->lock);
	n->stop = 1;
	pthread_cond_signal(&n->wake);
	int started = n->started;
	n->started = 0;
	pthread_mutex_unlock(&n->lock);
	if (started)
		pthread_join(n->thread, NULL);
	pthread_mutex_destroy(&n->lock);
	pthread_cond_destroy(&n->wake);
}

/* Index of a partition with unfetched data (lag beyond what is queued),
 * starting the search at n->rotate; -1 when none. */
static int lagging(struct fetch_nudge *n, rd_kafka_topic_partition_list_t *parts, size_t queued)
{
	int64_t lag = 0;
	int first = -1;
	if (rd_kafka_position(n->rk, parts))
		return -1;
	for (int k = 0; k < parts->cnt; k++) {
		int i = (int)((n->rotate + k) % parts->cnt);
		rd_kafka_topic_partition_t *p = &parts->elems[i];
		int64_t lo, hi;
		if (p->offset < 0 || rd_kafka_get_watermark_offsets(n->rk, p->topic, p->partition,
		                                                    &lo, &hi) || hi <= p->offset)
			continue;
		lag += hi - p->offset;
		if (first < 0)
			first = i;
	}
	return lag - (int64_t)queued >= NUDGE_MIN_UNFETCHED ? first : -1;
}

int fetch_nudge_maybe(struct fetch_nudge *n, int64_t now_ms)
{
	if (now_ms < n->next_ms)
		return 0;
	n->next_ms = now_ms + NUDGE_EVERY_MS;
	size_t queued = rd_kafka_queue_length(n->q);
	if (queued >= (size_t)n->low)
		return 0;
	rd_kafka_topic_partition_list_t *parts = NULL;
	if (rd_kafka_assignment(n->rk, &parts) || !parts)
		return 0;
	int i = parts->cnt ? lagging(n, parts, queued) : -1;
	int nudged = i >= 0 && request(n, parts->elems[i].topic, parts->elems[i].partition);
	if (nudged) {
		n->rotate = i + 1;
		n->nudges++;
	}
	rd_kafka_topic_partition_list_destroy(parts);
	return nudged;
}

void fetch_nudge_conf_defaults(struct conf *c)
{
	static const char *const kv[][2] = {{"queued.max.messages.kbytes", "16384"},
	                                    {"queued.min.messages", "20000"},
	                                    {"fetch.max.bytes", "4194304"},
	                                    {"max.partition.fetch.bytes", "1048576"},
	                                    {"fetch.error.backoff.ms", "10"}};
	for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
		conf_kafka_default(c, kv[i][0], kv[i][1]);
}
