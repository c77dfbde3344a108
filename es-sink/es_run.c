/* es_run — start-up (index templates), the main loop, consumer lag, and the
 * hooks main registers (revocation, health). */
#include "app.h"
#include "backoff.h"
#include "clock.h"
#include "es_hold.h"
#include "es_sink.h"
#include "es_template.h"
#include "http.h"
#include "kafka.h"
#include "log.h"
#include "metrics.h"
#include "sig.h"

#include <stdio.h>
#include <string.h>

#define BATCH_POLL 1024

int es_sink_install_templates(struct http_client *http, const char *prefix, int replicas,
                              const char *refresh, const int *kinds_on, char *err,
                              size_t errsize)
{
	struct backoff bo;
	backoff_init(&bo, 200, 10000);
	for (int k = 0; k < ES_NKINDS; k++) {
		if (!kinds_on[k])
			continue;
		char name[160], path[200], body[4096];
		es_template_name((enum es_kind)k, prefix, name, sizeof name);
		snprintf(path, sizeof path, "/_index_template/%s", name);
		size_t n = es_template_json((enum es_kind)k, prefix, replicas, refresh, body, sizeof body);
		for (;;) {
			struct http_resp r;
			long st = http_request(http, "PUT", path, NULL, body, n, &r);
			if (st >= 200 && st < 300) {
				log_info("index_template_installed", "name=%s", name);
				break;
			}
			if (!http_is_retryable(st)) {
				snprintf(err, errsize, "Elasticsearch refused index template %s: HTTP %ld: %.300s",
				         name, st, r.body);
				return -1;
			}
			char q[300];
			log_warn("es_unavailable", "during=index_templates status=%ld error=%s", st,
			         log_quote(st ? r.body : r.error, q, sizeof q));
			backoff_sleep(backoff_next(&bo), &sig_stop);
			if (sig_stop) {
				snprintf(err, errsize, "stopped before the index templates were installed");
				return -1;
			}
		}
	}
	return 0;
}

/* Sum over assigned partitions of high watermark - position (cached values,
 * no broker round trip). */
static void update_lag(struct es_sink *s)
{
	rd_kafka_topic_partition_list_t *l = NULL;
	if (!s->m.lag || rd_kafka_assignment(s->consumer, &l) || !l)
		return;
	rd_kafka_position(s->consumer, l);
	double lag = 0;
	for (int i = 0; i < l->cnt; i++) {
		int64_t lo = 0, hi = 0;
		const rd_kafka_topic_partition_t *p = &l->elems[i];
		if (p->offset < 0 || rd_kafka_get_watermark_offsets(s->consumer, p->topic, p->partition,
		                                                    &lo, &hi) || hi < p->offset)
			continue;
		lag += (double)(hi - p->offset);
	}
	metric_set(s->m.lag, lag);
	rd_kafka_topic_partition_list_destroy(l);
}

void es_sink_on_revoke(void *opaque, rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *p)
{
	(void)rk;
	(void)p;
	struct es_sink *s = opaque;
	/* Settle first so the revoked partitions' offsets are stored before the
	 * commit that follows; during a flush (outage) the new owner replays. */
	es_sink_flush(s);
}

int es_sink_health(void *opaque, char *msg, size_t size)
{
	const struct es_sink *s = opaque;
	if (s->outage) {
		snprintf(msg, size, "elasticsearch unavailable for %lld ms",
		         (long long)(clock_mono_ms() - s->outage_since));
		return 0;
	}
	snprintf(msg, size, "ok");
	return 1;
}

static int kafka_fatal_any(const struct es_sink *s)
{
	char why[256];
	if (kafka_fatal(s->consumer, why, sizeof why) || kafka_fatal(s->producer, why, sizeof why)) {
		char q[300];
		log_error("kafka_fatal_exit", "reason=%s", log_quote(why, q, sizeof q));
		return 1;
	}
	return 0;
}

/* Takes what the consumer has (up to BATCH_POLL messages per call, cheaper
 * than one poll each) and sends a batch as soon as it reaches a limit. */
static int poll_some(struct es_sink *s, rd_kafka_queue_t *q, rd_kafka_message_t **msgs)
{
	int64_t wait = es_batch_wait_ms(&s->batch, &s->o.lim, clock_mono_ms());
	ssize_t n = rd_kafka_consume_batch_queue(q, (int)(wait < 100 ? wait : 100), msgs, BATCH_POLL);
	int rc = 0;
	for (ssize_t i = 0; i < n; i++) {
		es_sink_add(s, msgs[i]);
		/* After an abandoned flush (drain deadline) keep collecting: the
		 * messages are destroyed unstored at exit and replayed on restart. */
		if (rc == 0 && es_batch_full(&s->batch, &s->o.lim, clock_mono_ms()))
			rc = es_sink_pump(s);
	}
	if (rc == 0 && es_batch_full(&s->batch, &s->o.lim, clock_mono_ms()))
		rc = es_sink_pump(s);
	return rc ? rc : es_sink_reap(s);
}

int es_sink_run(struct es_sink *s)
{
	static rd_kafka_message_t *msgs[BATCH_POLL];
	rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(s->consumer);
	int64_t next_lag = 0;
	int rc = 0;
	fetch_nudge_init(&s->nudge, s->consumer, q, 0);
	while (!sig_stop && rc == 0) {
		rc = poll_some(s, q, msgs);
		int64_t now = clock_mono_ms();
		fetch_nudge_maybe(&s->nudge, now);
		rd_kafka_poll(s->producer, 0);
		if (now >= next_lag) {
			update_lag(s);
			next_lag = now + 5000;
		}
		if (kafka_fatal_any(s))
			rc = -1;
	}
	fetch_nudge_close(&s->nudge);
	if (rc == 0)
		rc = es_sink_flush(s);
	rd_kafka_queue_destroy(q);
	if (rc) {
		log_error("drain_incomplete", "pending=%d action=exit_without_storing_offsets",
		          s->batch.n + s->inflight.n);
		es_sink_discard(s);
		return EXIT_RUNTIME;
	}
	log_info("drained", "pending=0");
	return 0;
}
