/* es_hold — waiting without losing the group: while a batch cannot be
 * settled the consumer's partitions are paused and the consumer is still
 * polled (rebalances, max.poll.interval.ms); whatever librdkafka had already
 * fetched goes to the filling batch, never dropped. Also the outage log lines. */
#include "es_hold.h"
#include "backoff.h"
#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "sig.h"

#include <stdlib.h>

static void pause_all(struct es_sink *s, int pause)
{
	rd_kafka_topic_partition_list_t *l = NULL;
	if (rd_kafka_assignment(s->consumer, &l) || !l)
		return;
	if (l->cnt > 0) {
		if (pause)
			rd_kafka_pause_partitions(s->consumer, l);
		else
			rd_kafka_resume_partitions(s->consumer, l);
	}
	rd_kafka_topic_partition_list_destroy(l);
}

/* 1 once the drain deadline after SIGTERM has passed: stop retrying. */
int es_hold_expired(struct es_sink *s)
{
	if (!sig_stop)
		return 0;
	int64_t now = clock_mono_ms();
	if (!s->stop_deadline)
		s->stop_deadline = now + s->o.drain_ms;
	return now >= s->stop_deadline;
}

int es_hold_wait(struct es_sink *s, int64_t ms)
{
	int64_t until = clock_mono_ms() + ms;
	s->paused = 1;
	for (;;) {
		/* Re-pausing each round also covers partitions assigned meanwhile. */
		pause_all(s, 1);
		if (es_hold_expired(s))
			return -1;
		int64_t left = until - clock_mono_ms();
		if (left <= 0)
			return 0;
		rd_kafka_message_t *m = rd_kafka_consumer_poll(s->consumer, (int)(left < 100 ? left : 100));
		if (m)
			es_sink_add(s, m);
		if (s->producer)
			rd_kafka_poll(s->producer, 0);
	}
}

void es_hold_release(struct es_sink *s)
{
	if (!s->paused)
		return;
	pause_all(s, 0);
	s->paused = 0;
}

void es_outage_begin(struct es_sink *s, long status, const char *why)
{
	s->outage_requests++;
	if (s->outage)
		return;
	char q[400];
	s->outage = 1;
	s->outage_since = clock_mono_ms();
	s->outage_requests = 1;
	if (s->m.up)
		metric_set(s->m.up, 0);
	if (s->m.outages)
		metric_add(s->m.outages, 1);
	log_error("es_unavailable", "status=%ld error=%s pending=%d action=pause_and_retry", status,
	          log_quote(why, q, sizeof q), s->inflight.n);
}

void es_outage_end(struct es_sink *s)
{
	if (!s->outage)
		return;
	s->outage = 0;
	if (s->m.up)
		metric_set(s->m.up, 1);
	log_info("es_available", "outage_ms=%lld failed_requests=%ld",
	         (long long)(clock_mono_ms() - s->outage_since), s->outage_requests);
}
