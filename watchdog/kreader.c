/* kreader — reads single messages at chosen offsets without consuming whole
 * topics: the last record of a partition (from just below its high
 * watermark) or the first unconsumed one (at a group's committed offset).
 * One assign-only consumer that never commits and never joins a group. */
#include "kreader.h"

#include "clock.h"
#include "conf.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	if (level <= 4)
		log_warn("kafka_log", "facility=%s message=\"%s\"", fac, buf);
}

rd_kafka_t *wd_kafka_new(const struct conf *c, const char *brokers, int timeout_ms, char *err,
                         size_t errsize)
{
	char tmo[16];
	snprintf(tmo, sizeof tmo, "%d", timeout_ms);
	const char *const defaults[] = {
		"bootstrap.servers", brokers, "client.id", "watchdog",
		"group.id", "tickpipe-watchdog-reader", "enable.auto.commit", "false",
		"enable.auto.offset.store", "false", "enable.partition.eof", "true",
		"isolation.level", "read_committed", "socket.timeout.ms", tmo,
		"fetch.wait.max.ms", "100",
		/* One record per partition is wanted: no prefetching of 100000
		 * records behind a lagging group's offset. (Smaller fetch sizes
		 * than a producer's record batch made librdkafka 2.0 stall.) */
		"queued.min.messages", "1000", NULL};
	rd_kafka_conf_t *kc = rd_kafka_conf_new();
	for (int i = 0; defaults[i]; i += 2)
		if (rd_kafka_conf_set(kc, defaults[i], defaults[i + 1], err, errsize)) {
			rd_kafka_conf_destroy(kc);
			return NULL;
		}
	for (int i = 0; i < c->nkafka; i++) /* the user's -X wins */
		if (rd_kafka_conf_set(kc, c->kafka_key[i], c->kafka_val[i], err, errsize)) {
			rd_kafka_conf_destroy(kc);
			return NULL;
		}
	rd_kafka_conf_set_log_cb(kc, on_log);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, err, errsize);
	if (!rk)
		rd_kafka_conf_destroy(kc);
	else /* error events join the queue wd_kafka_read polls, so they cannot pile up */
		rd_kafka_poll_set_consumer(rk);
	return rk;
}

static struct wd_read *find(struct wd_read *rd, int n, const char *topic, int32_t part)
{
	for (int i = 0; i < n; i++)
		if (rd[i].partition == part && strcmp(rd[i].topic, topic) == 0)
			return &rd[i];
	return NULL;
}

static void pause_one(rd_kafka_t *rk, const struct wd_read *r)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(l, r->topic, r->partition);
	rd_kafka_pause_partitions(rk, l);
	rd_kafka_topic_partition_list_destroy(l);
}

/* Records m into its entry; returns 1 when that partition needs no more. */
static int take(rd_kafka_t *rk, struct wd_read *r, const rd_kafka_message_t *m)
{
	if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
		return 1;
	if (m->err) { /* librdkafka retries fetch errors itself: note it, keep waiting */
		snprintf(r->error, sizeof r->error, "%s", rd_kafka_message_errstr(m));
		return 0;
	}
	rd_kafka_timestamp_type_t tt;
	r->got = 1;
	r->offset = m->offset;
	r->ts = rd_kafka_message_timestamp(m, &tt);
	size_t kl = m->key_len < sizeof r->key - 1 ? m->key_len : sizeof r->key - 1;
	memcpy(r->key, m->key ? m->key : "", m->key ? kl : 0);
	r->key[m->key ? kl : 0] = 0;
	if (r->first_only) {
		pause_one(rk, r); /* a lagging partition may hold millions more */
		return 1;
	}
	return m->offset + 1 >= r->end;
}

int wd_kafka_read(rd_kafka_t *rk, struct wd_read *rd, int n, int timeout_ms)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
	int pending = 0;
	for (int i = 0; i < n; i++) {
		rd[i].got = rd[i].done = 0;
		rd[i].error[0] = 0;
		if (rd[i].start >= rd[i].end) {
			rd[i].done = 1;
			continue;
		}
		rd_kafka_topic_partition_list_add(l, rd[i].topic, rd[i].partition)->offset = rd[i].start;
		pending++;
	}
	if (pending && rd_kafka_assign(rk, l)) {
		rd_kafka_topic_partition_list_destroy(l);
		return -1;
	}
	rd_kafka_topic_partition_list_destroy(l);
	int64_t deadline = clock_mono_ms() + timeout_ms;
	while (pending > 0 && clock_mono_ms() < deadline) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
		if (!m)
			continue;
		struct wd_read *r = m->rkt ? find(rd, n, rd_kafka_topic_name(m->rkt), m->partition) : NULL;
		if (r && !r->done && take(rk, r, m)) {
			r->done = 1;
			pending--;
		}
		rd_kafka_message_destroy(m);
	}
	/* Pausing is sticky per partition, even across assignments: resume
	 * before letting go, or the next read of that partition never starts. */
	rd_kafka_topic_partition_list_t *all = NULL;
	if (rd_kafka_assignment(rk, &all) == 0 && all) {
		rd_kafka_resume_partitions(rk, all);
		rd_kafka_topic_partition_list_destroy(all);
	}
	rd_kafka_assign(rk, NULL);
	return pending ? -1 : 0;
}

/* Leadership moves (a broker restart, a topic just created) answer
 * NOT_LEADER or LEADER_NOT_AVAILABLE for a moment: retried until the
 * deadline rather than reported as "cannot check". */
rd_kafka_resp_err_t wd_watermarks(rd_kafka_t *rk, const char *topic, int32_t partition,
                                  int64_t *lo, int64_t *hi, int timeout_ms)
{
	int64_t deadline = clock_mono_ms() + timeout_ms;
	for (;;) {
		int64_t left = deadline - clock_mono_ms();
		rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(
			rk, topic, partition, lo, hi, left > 100 ? (int)left : 100);
		int transient = e == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
		                e == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
		                e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
		if (!transient || clock_mono_ms() + 100 >= deadline)
			return e;
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
}
