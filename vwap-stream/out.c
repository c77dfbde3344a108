/* out — producing bars and dead letters. See out.h. */
#include "out.h"
#include "commit.h"
#include "dlq.h"
#include "kafka.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

int32_t vs_out_bars_partition(const struct vs_out *o, int32_t part)
{
	return part >= 0 && o->bars_parts > 0 ? part % o->bars_parts : RD_KAFKA_PARTITION_UA;
}

void vs_out_bar(void *opaque, int32_t part, const struct bar *b)
{
	struct vs_out *o = opaque;
	size_t n = bar_encode(b, o->buf, sizeof o->buf);
	if (!n) { /* cannot happen with BAR_JSON_MAX; never silently */
		log_error("bar_too_large", "id=%s", b->id);
		o->produce_errors++;
		return;
	}
	void *token = vs_commit_token(o->commit);
	rd_kafka_resp_err_t e =
		kafka_produce(o->producer, o->bars_topic, vs_out_bars_partition(o, part), b->symbol,
		              strlen(b->symbol), o->buf, n, 0, token, -1);
	if (e) { /* not queued: no report will come, settle it as failed here */
		vs_commit_done(o->commit, token, 0);
		log_error("produce_failed", "topic=%s error=%s", o->bars_topic, rd_kafka_err2name(e));
		o->produce_errors++;
	}
}

void vs_out_dlq(struct vs_out *o, const rd_kafka_message_t *m, const char *reason)
{
	struct dlq_entry e = {"vwap-stream", reason, rd_kafka_topic_name(m->rkt), m->partition,
	                      m->offset, m->payload ? m->payload : "", m->payload ? m->len : 0};
	size_t n;
	char *json = dlq_encode(&e, &n);
	char q[512];
	log_warn("dead_lettered", "reason=%s partition=%d offset=%lld",
	         log_quote(reason, q, sizeof q), m->partition, (long long)m->offset);
	if (!json) {
		o->produce_errors++;
		return;
	}
	void *token = vs_commit_token(o->commit);
	rd_kafka_resp_err_t err = kafka_produce(o->producer, o->dlq_topic, RD_KAFKA_PARTITION_UA,
	                                        m->key, m->key_len, json, n, 0, token, -1);
	free(json);
	if (err) {
		vs_commit_done(o->commit, token, 0);
		o->produce_errors++;
		log_error("produce_failed", "topic=%s error=%s", o->dlq_topic, rd_kafka_err2name(err));
	}
}
