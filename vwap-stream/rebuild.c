/* rebuild — state restore on assignment by muted replay. See rebuild.h. */
#include "rebuild.h"
#include "agg.h"
#include "bar.h"
#include "clock.h"
#include "log.h"
#include "tickfast.h"
#include "tradecal.h"

#include <stdio.h>
#include <string.h>

typedef void (*read_fn)(struct vs_rebuild *r, const rd_kafka_message_t *m, void *arg);

/* Reads [from, to) of one partition (stops early at the partition's end). */
static int read_range(struct vs_rebuild *r, const char *topic, int32_t p, int64_t from,
                      int64_t to, read_fn fn, void *arg, char *err, size_t errsize)
{
	if (from < 0 || from >= to)
		return 0;
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(l, topic, p)->offset = from;
	rd_kafka_assign(r->reader, l);
	rd_kafka_topic_partition_list_destroy(l);
	int rc = 0;
	for (int64_t last = clock_mono_ms();;) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(r->reader, 100);
		if (!m) {
			if (clock_mono_ms() - last > 30000) {
				snprintf(err, errsize, "rebuild: no data from %s[%d] for 30 s", topic, p);
				rc = -1;
				break;
			}
			continue;
		}
		last = clock_mono_ms();
		int done = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF || m->offset >= to - 1;
		if (!m->err && m->offset < to)
			fn(r, m, arg);
		else if (m->err && !done)
			log_warn("rebuild_read_error", "error=%s", rd_kafka_err2name(m->err));
		rd_kafka_message_destroy(m);
		if (done)
			break;
	}
	rd_kafka_assign(r->reader, NULL);
	return rc;
}

static void max_ts_fn(struct vs_rebuild *r, const rd_kafka_message_t *m, void *arg)
{
	(void)r;
	struct tick t;
	char reason[8];
	if (tickfast_decode(m->payload, m->len, &t, reason, sizeof reason) == 0 &&
	    t.ts > *(int64_t *)arg)
		*(int64_t *)arg = t.ts;
}

static void replay_fn(struct vs_rebuild *r, const rd_kafka_message_t *m, void *arg)
{
	(void)arg;
	struct tick t;
	char reason[256];
	if (tickfast_decode(m->payload, m->len, &t, reason, sizeof reason) == 0)
		vs_agg_tick(r->agg, m->partition, &t, reason, sizeof reason);
	r->replayed++;
}

static void daily_fn(struct vs_rebuild *r, const rd_kafka_message_t *m, void *arg)
{
	(void)arg;
	static const char needle[] = "\"window\":\"1d\"";
	struct bar b;
	char reason[256];
	if (m->payload && memmem(m->payload, m->len, needle, sizeof needle - 1) &&
	    bar_decode(m->payload, m->len, &b, reason, sizeof reason) == 0)
		vs_agg_load_daily(r->agg, &b);
}

int64_t vs_rebuild_horizon(const struct vs_rebuild *r, int64_t t)
{
	int64_t x = t - r->lateness_ms;
	int64_t k = cal_local_to_epoch(r->krx, cal_local_days(r->krx, x), 0);
	int64_t u = cal_local_to_epoch(r->us, cal_local_days(r->us, x), 0);
	return (k < u ? k : u) - r->margin_ms;
}

static int64_t offset_for_time(struct vs_rebuild *r, const char *topic, int32_t p, int64_t ts)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(l, topic, p)->offset = ts;
	rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(r->reader, l, 10000);
	int64_t off = e || l->elems[0].err ? -1 : l->elems[0].offset;
	rd_kafka_topic_partition_list_destroy(l);
	return off;
}

static int load_history(struct vs_rebuild *r, int32_t bp, char *err, size_t errsize)
{
	int64_t lo, hi;
	if (rd_kafka_query_watermark_offsets(r->reader, r->bars_topic, bp, &lo, &hi, 10000))
		return 0; /* no bars topic yet: no history */
	int64_t from = offset_for_time(r, r->bars_topic, bp, clock_now_ms() - r->history_ms);
	return read_range(r, r->bars_topic, bp, from < 0 ? hi : from, hi, daily_fn, NULL, err,
	                  errsize);
}

static int rebuild_one(struct vs_rebuild *r, int32_t p, int64_t c, char *err, size_t errsize)
{
	int64_t lo, hi, t = INT64_MIN;
	if (rd_kafka_query_watermark_offsets(r->reader, r->ticks_topic, p, &lo, &hi, 10000))
		lo = 0;
	int64_t probe = c - 64 > lo ? c - 64 : lo;
	if (read_range(r, r->ticks_topic, p, probe, c, max_ts_fn, &t, err, errsize))
		return -1;
	int64_t s = lo;
	if (t != INT64_MIN) {
		s = offset_for_time(r, r->ticks_topic, p, vs_rebuild_horizon(r, t));
		if (s < 0 || s > c)
			s = c;
	}
	long before = r->replayed;
	int64_t t0 = clock_mono_ms();
	vs_agg_set_muted(r->agg, 1);
	int rc = read_range(r, r->ticks_topic, p, s, c, replay_fn, NULL, err, errsize);
	vs_agg_set_muted(r->agg, 0);
	log_info("partition_rebuilt", "partition=%d from=%lld to=%lld ticks=%ld ms=%lld", p,
	         (long long)s, (long long)c, r->replayed - before,
	         (long long)(clock_mono_ms() - t0));
	return rc;
}

int vs_rebuild_partitions(struct vs_rebuild *r, rd_kafka_t *consumer,
                          const rd_kafka_topic_partition_list_t *parts, char *err,
                          size_t errsize)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_copy(parts);
	rd_kafka_resp_err_t e = rd_kafka_committed(consumer, l, 10000);
	int rc = 0;
	if (e) {
		snprintf(err, errsize, "rebuild: committed offsets: %s", rd_kafka_err2str(e));
		rc = -1;
	}
	char seen[1024] = {0};
	for (int i = 0; !rc && i < l->cnt; i++) {
		int32_t bp = r->bars_parts > 0 ? l->elems[i].partition % r->bars_parts : -1;
		if (bp >= 0 && bp < (int32_t)sizeof seen && !seen[bp]) {
			seen[bp] = 1;
			rc = load_history(r, bp, err, errsize);
		}
	}
	for (int i = 0; !rc && i < l->cnt; i++)
		if (strcmp(l->elems[i].topic, r->ticks_topic) == 0 && l->elems[i].offset >= 0)
			rc = rebuild_one(r, l->elems[i].partition, l->elems[i].offset, err, errsize);
	rd_kafka_topic_partition_list_destroy(l);
	return rc;
}
