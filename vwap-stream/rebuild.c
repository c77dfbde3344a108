/* rebuild — state restore on assignment by muted replay. See rebuild.h. */
#include "rebuild.h"
#include "agg.h"
#include "bar.h"
#include "clock.h"
#include "kafka.h"
#include "log.h"
#include "tickfast.h"
#include "tradecal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* [from, to) of one partition, read with the others of its step. */
struct range {
	int32_t p;
	int64_t from, to;
	int64_t lo;     /* the partition's first offset */
	int64_t max_ts; /* the probe's result */
	long count;     /* messages handed to the step's function */
	int done;
};

typedef void (*read_fn)(struct vs_rebuild *r, const rd_kafka_message_t *m, struct range *g);

#define READ_BATCH 512

/* The reader's queue and fetch nudge, made on first use: without the nudge
 * librdkafka 2.0 refills the small prefetch queue once a second, and a
 * restart replayed ~47k ticks/s (lib/fetchnudge.h). */
static rd_kafka_queue_t *reader_queue(struct vs_rebuild *r)
{
	if (!r->queue) {
		r->queue = rd_kafka_queue_get_consumer(r->reader);
		fetch_nudge_init(&r->nudge, r->reader, r->queue, 0);
	}
	return r->queue;
}

static struct range *range_of(struct range *g, int n, int32_t p)
{
	for (int i = 0; i < n; i++)
		if (g[i].p == p)
			return &g[i];
	return NULL;
}

/* Assigns the ranges not yet done; returns how many. */
static int assign_ranges(struct vs_rebuild *r, const char *topic, struct range *g, int n)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
	for (int i = 0; i < n; i++) {
		g[i].done = g[i].from < 0 || g[i].from >= g[i].to;
		if (!g[i].done)
			rd_kafka_topic_partition_list_add(l, topic, g[i].p)->offset = g[i].from;
	}
	int open = l->cnt;
	if (open)
		rd_kafka_assign(r->reader, l);
	rd_kafka_topic_partition_list_destroy(l);
	return open;
}

/* Hands one message to fn; returns 1 when it ends its range (the range's
 * last offset, or the partition's end); messages past a range's end are
 * dropped. */
static int read_one(struct vs_rebuild *r, rd_kafka_message_t *m, struct range *g, int n,
                    read_fn fn)
{
	struct range *x = range_of(g, n, m->partition);
	if (!x || x->done)
		return 0;
	x->done = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF || m->offset >= x->to - 1;
	if (!m->err && m->offset < x->to) {
		fn(r, m, x);
		x->count++;
	} else if (m->err && !x->done) {
		log_warn("rebuild_read_error", "error=%s", rd_kafka_err2name(m->err));
	}
	return x->done;
}

/* Reads every range at once (stopping early at a partition's end): one
 * assignment for the step, not one a partition — librdkafka 2.0.2 spends
 * ~500 ms on a leader lookup after nearly every change of the reader's
 * assignment (a restart over 6 partitions: 8 of its 11 s). The partitions
 * interleave as they would for the live consumer. */
static int read_ranges(struct vs_rebuild *r, const char *topic, struct range *g, int n,
                       read_fn fn, char *err, size_t errsize)
{
	rd_kafka_queue_t *q = reader_queue(r);
	int open = assign_ranges(r, topic, g, n), rc = 0;
	if (open == 0)
		return 0;
	rd_kafka_message_t *batch[READ_BATCH];
	for (int64_t last = clock_mono_ms(); open > 0;) {
		ssize_t k = kafka_poll_batch(r->reader, q, 100, batch, READ_BATCH);
		int64_t now = clock_mono_ms();
		if (k == 0 && now - last > 30000) {
			snprintf(err, errsize, "rebuild: no data from %s for 30 s", topic);
			rc = -1;
			break;
		}
		if (k > 0)
			last = now;
		for (ssize_t i = 0; i < k; i++) {
			open -= read_one(r, batch[i], g, n, fn);
			rd_kafka_message_destroy(batch[i]);
		}
		fetch_nudge_maybe(&r->nudge, now);
	}
	rd_kafka_assign(r->reader, NULL);
	return rc;
}

static void max_ts_fn(struct vs_rebuild *r, const rd_kafka_message_t *m, struct range *g)
{
	(void)r;
	struct tick t;
	char reason[8];
	if (tickfast_decode(m->payload, m->len, &t, reason, sizeof reason) == 0 && t.ts > g->max_ts)
		g->max_ts = t.ts;
}

static void replay_fn(struct vs_rebuild *r, const rd_kafka_message_t *m, struct range *g)
{
	(void)g;
	struct tick t;
	char reason[256];
	if (tickfast_decode(m->payload, m->len, &t, reason, sizeof reason) == 0)
		vs_agg_tick(r->agg, m->partition, &t, reason, sizeof reason);
	r->replayed++;
}

static void daily_fn(struct vs_rebuild *r, const rd_kafka_message_t *m, struct range *g)
{
	(void)g;
	/* Most bars are 1-minute bars and in-progress updates: only the final
	 * daily ones are decoded (bar_encode writes no whitespace). */
	static const char day[] = "\"window\":\"1d\"", final[] = "\"final\":true";
	struct bar b;
	char reason[256];
	if (m->payload && memmem(m->payload, m->len, day, sizeof day - 1) &&
	    memmem(m->payload, m->len, final, sizeof final - 1) &&
	    bar_decode(m->payload, m->len, &b, reason, sizeof reason) == 0) {
		vs_agg_load_daily(r->agg, &b);
		r->daily++;
	}
}

int64_t vs_rebuild_horizon(const struct vs_rebuild *r, int64_t t)
{
	int64_t x = t - r->lateness_ms;
	int64_t k = cal_local_to_epoch(r->krx, cal_local_days(r->krx, x), 0);
	int64_t u = cal_local_to_epoch(r->us, cal_local_days(r->us, x), 0);
	return (k < u ? k : u) - r->margin_ms;
}

/* One ListOffsets round for all ranges: at[i] is a timestamp (or
 * RD_KAFKA_OFFSET_BEGINNING / _END) in, the offset out, -1 where there is
 * none (no such topic, nothing that recent). Once per step, not per
 * partition, for the ~500 ms above. */
static void offsets_at(struct vs_rebuild *r, const char *topic, const struct range *g, int n,
                       int64_t *at)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
	for (int i = 0; i < n; i++)
		rd_kafka_topic_partition_list_add(l, topic, g[i].p)->offset = at[i];
	rd_kafka_resp_err_t e = n ? rd_kafka_offsets_for_times(r->reader, l, 10000) : 0;
	for (int i = 0; i < n; i++)
		at[i] = e || l->elems[i].err ? -1 : l->elems[i].offset;
	rd_kafka_topic_partition_list_destroy(l);
}

/* The bars partitions the ticks partitions of l write to, each once. */
static int bars_ranges(const struct vs_rebuild *r, const rd_kafka_topic_partition_list_t *l,
                       struct range *g)
{
	int n = 0;
	for (int i = 0; r->bars_parts > 0 && i < l->cnt; i++) {
		int32_t bp = l->elems[i].partition % r->bars_parts;
		if (!range_of(g, n, bp))
			g[n++] = (struct range){.p = bp};
	}
	return n;
}

static int load_history(struct vs_rebuild *r, const rd_kafka_topic_partition_list_t *ticks,
                        struct range *g, int64_t *at, char *err, size_t errsize)
{
	int n = bars_ranges(r, ticks, g);
	for (int i = 0; i < n; i++)
		at[i] = clock_now_ms() - r->history_ms;
	offsets_at(r, r->bars_topic, g, n, at);
	for (int i = 0; i < n; i++)
		g[i].from = at[i], at[i] = RD_KAFKA_OFFSET_END;
	offsets_at(r, r->bars_topic, g, n, at);
	for (int i = 0; i < n; i++)
		g[i].to = at[i];
	int64_t t0 = clock_mono_ms();
	long before = r->daily;
	int rc = read_ranges(r, r->bars_topic, g, n, daily_fn, err, errsize);
	long bars = 0;
	for (int i = 0; i < n; i++)
		bars += g[i].count;
	log_info("history_loaded", "bars_partitions=%d bars=%ld daily_bars=%ld ms=%lld", n, bars,
	         r->daily - before, (long long)(clock_mono_ms() - t0));
	return rc;
}

/* Steps 1 and 2 of rebuild.h for every range (to = the committed offset):
 * T from the last ticks before it, then S. */
static int plan_replay(struct vs_rebuild *r, struct range *g, int n, int64_t *at, char *err,
                       size_t errsize)
{
	for (int i = 0; i < n; i++)
		at[i] = RD_KAFKA_OFFSET_BEGINNING;
	offsets_at(r, r->ticks_topic, g, n, at);
	for (int i = 0; i < n; i++) {
		g[i].lo = at[i] < 0 ? 0 : at[i];
		g[i].from = g[i].to - 64 > g[i].lo ? g[i].to - 64 : g[i].lo;
		g[i].max_ts = INT64_MIN;
	}
	if (read_ranges(r, r->ticks_topic, g, n, max_ts_fn, err, errsize))
		return -1;
	for (int i = 0; i < n; i++)
		at[i] = g[i].max_ts == INT64_MIN ? RD_KAFKA_OFFSET_BEGINNING
		                                 : vs_rebuild_horizon(r, g[i].max_ts);
	offsets_at(r, r->ticks_topic, g, n, at);
	for (int i = 0; i < n; i++) {
		/* No tick before the committed offset: from lo (what retention left). */
		int64_t s = g[i].max_ts == INT64_MIN ? g[i].lo : at[i];
		g[i].from = s < 0 || s > g[i].to ? g[i].to : s;
		g[i].count = 0;
	}
	return 0;
}

static int rebuild_ticks(struct vs_rebuild *r, const rd_kafka_topic_partition_list_t *committed,
                         struct range *g, int64_t *at, char *err, size_t errsize)
{
	int n = 0;
	for (int i = 0; i < committed->cnt; i++)
		if (strcmp(committed->elems[i].topic, r->ticks_topic) == 0 &&
		    committed->elems[i].offset >= 0)
			g[n++] = (struct range){.p = committed->elems[i].partition,
			                        .to = committed->elems[i].offset};
	if (n == 0 || plan_replay(r, g, n, at, err, errsize))
		return n ? -1 : 0;
	int64_t t0 = clock_mono_ms();
	long before = r->replayed;
	vs_agg_set_muted(r->agg, 1);
	int rc = read_ranges(r, r->ticks_topic, g, n, replay_fn, err, errsize);
	vs_agg_set_muted(r->agg, 0);
	for (int i = 0; i < n; i++)
		log_info("partition_rebuilt", "partition=%d from=%lld to=%lld ticks=%ld", g[i].p,
		         (long long)g[i].from, (long long)g[i].to, g[i].count);
	log_info("rebuilt", "partitions=%d ticks=%ld ms=%lld", n, r->replayed - before,
	         (long long)(clock_mono_ms() - t0));
	return rc;
}

int vs_rebuild_partitions(struct vs_rebuild *r, rd_kafka_t *consumer,
                          const rd_kafka_topic_partition_list_t *parts, char *err,
                          size_t errsize)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_copy(parts);
	struct range *g = calloc(l->cnt ? (size_t)l->cnt : 1, sizeof *g);
	int64_t *at = calloc(l->cnt ? (size_t)l->cnt : 1, sizeof *at);
	rd_kafka_resp_err_t e = g && at ? rd_kafka_committed(consumer, l, 10000) : 0;
	int rc = 0;
	if (!g || !at || e) {
		if (e)
			snprintf(err, errsize, "rebuild: committed offsets: %s", rd_kafka_err2str(e));
		else
			snprintf(err, errsize, "rebuild: out of memory");
		rc = -1;
	}
	if (!rc)
		rc = load_history(r, l, g, at, err, errsize);
	if (!rc)
		rc = rebuild_ticks(r, l, g, at, err, errsize);
	free(g);
	free(at);
	rd_kafka_topic_partition_list_destroy(l);
	return rc;
}

void vs_rebuild_close(struct vs_rebuild *r)
{
	if (!r->queue)
		return;
	fetch_nudge_close(&r->nudge);
	rd_kafka_queue_destroy(r->queue);
	r->queue = NULL;
}
