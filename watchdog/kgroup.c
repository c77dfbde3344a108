/* kgroup — consumer-group lag in messages and seconds, and its Burrow-like
 * state. Committed offsets come from the admin API (no group join); lag in
 * seconds is now minus the timestamp of the first unconsumed message, read
 * at the committed offset. */
#include "kreader.h"
#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The group's committed offsets (all partitions it committed), or NULL. */
static rd_kafka_topic_partition_list_t *committed(rd_kafka_t *rk, const char *group,
                                                  int timeout_ms, char *err, size_t errsize)
{
	rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(group, NULL);
	rd_kafka_AdminOptions_t *o =
		rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
	rd_kafka_AdminOptions_set_request_timeout(o, timeout_ms, err, errsize);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_ListConsumerGroupOffsets(rk, &req, 1, o, q);
	rd_kafka_ListConsumerGroupOffsets_destroy(req);
	rd_kafka_AdminOptions_destroy(o);
	rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 1000);
	rd_kafka_topic_partition_list_t *out = NULL;
	if (!ev) {
		snprintf(err, errsize, "listing offsets of group %s timed out", group);
	} else if (rd_kafka_event_error(ev)) {
		snprintf(err, errsize, "group %s: %s", group, rd_kafka_event_error_string(ev));
	} else {
		size_t n;
		const rd_kafka_group_result_t **gr = rd_kafka_ListConsumerGroupOffsets_result_groups(
			rd_kafka_event_ListConsumerGroupOffsets_result(ev), &n);
		const rd_kafka_error_t *ge = n ? rd_kafka_group_result_error(gr[0]) : NULL;
		if (!n || ge)
			snprintf(err, errsize, "group %s: %s", group,
			         ge ? rd_kafka_error_string(ge) : "no result");
		else
			out = rd_kafka_topic_partition_list_copy(rd_kafka_group_result_partitions(gr[0]));
	}
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_queue_destroy(q);
	return out;
}

static int member_count(rd_kafka_t *rk, const char *group, int timeout_ms)
{
	const struct rd_kafka_group_list *gl = NULL;
	if (rd_kafka_list_groups(rk, group, &gl, timeout_ms) || !gl)
		return -1;
	int n = gl->group_cnt > 0 ? gl->groups[0].member_cnt : 0;
	rd_kafka_group_list_destroy(gl);
	return n;
}

struct gpart {
	const char *topic;
	int32_t partition;
	int64_t committed, hw, lag;
	int caught_up; /* nothing committed after the offset: only markers/aborted */
	int64_t next_ts; /* timestamp of the first unconsumed record, or -1 */
	enum wd_lag_state state;
};

static int watermarks(rd_kafka_t *rk, struct gpart *gp, int n, const struct wd_cfg *cfg,
                      struct wd_result *r)
{
	for (int i = 0; i < n; i++) {
		int64_t lo, hw;
		rd_kafka_resp_err_t e = wd_watermarks(
			rk, gp[i].topic, gp[i].partition, &lo, &hw, (int)cfg->timeout_ms);
		if (e) {
			snprintf(r->error, sizeof r->error, "watermarks %s/%d: %s", gp[i].topic,
			         (int)gp[i].partition, rd_kafka_err2str(e));
			return -1;
		}
		gp[i].hw = hw;
		gp[i].lag = hw > gp[i].committed ? hw - gp[i].committed : 0;
	}
	return 0;
}

/* Reads the first unconsumed record of each lagging partition: its time is
 * the lag in seconds, and finding none means the offsets between are only
 * transaction markers and aborted records (caught up, whatever the count). */
static int next_records(rd_kafka_t *rk, struct gpart *gp, int n, const struct wd_cfg *cfg,
                        struct wd_result *r)
{
	struct wd_read *rd = n > 0 ? calloc((size_t)n, sizeof *rd) : NULL;
	if (!rd)
		return -1;
	for (int i = 0; i < n; i++)
		rd[i] = (struct wd_read){.topic = gp[i].topic, .partition = gp[i].partition,
		                         .start = gp[i].committed, .first_only = 1,
		                         .end = gp[i].lag > cfg->allowed_lag ? gp[i].hw : gp[i].committed};
	int rc = wd_kafka_read(rk, rd, n, (int)cfg->timeout_ms);
	for (int i = 0; i < n; i++) {
		gp[i].next_ts = rd[i].got ? rd[i].ts : -1;
		gp[i].caught_up = gp[i].lag <= cfg->allowed_lag || (rd[i].done && !rd[i].got);
	}
	if (rc)
		snprintf(r->error, sizeof r->error, "reading unconsumed messages timed out");
	free(rd);
	return rc;
}

/* Burrow step per partition, and the group's lag in seconds. */
static int evaluate(const char *group, struct gpart *gp, int n, int members,
                    struct wd_hist *hist, const struct wd_cfg *cfg, int64_t now,
                    struct wd_result *r)
{
	r->lag_s = 0;
	r->newest_ms = now; /* caught up: the consumer is as fresh as it gets */
	for (int i = 0; i < n; i++) {
		struct wd_hist_entry *he = wd_hist_get(hist, group, gp[i].topic, gp[i].partition);
		if (!he) {
			snprintf(r->error, sizeof r->error, "out of memory");
			return -1;
		}
		gp[i].state = wd_lag_step(&he->h, gp[i].committed, gp[i].caught_up ? 0 : gp[i].lag,
		                          cfg->allowed_lag, members > 0, now, cfg->lag_window_ms);
		if (gp[i].next_ts >= 0 && now - gp[i].next_ts > r->lag_s * 1000) {
			r->lag_s = (double)(now - gp[i].next_ts) / 1000.0;
			r->newest_ms = gp[i].next_ts;
		}
	}
	return 0;
}

static void summarise(struct wd_result *r, const struct gpart *gp, int n, int members)
{
	int worst = 0;
	r->lag_msgs = 0;
	r->lag_state = WD_LAG_OK;
	size_t off = (size_t)snprintf(r->detail, sizeof r->detail, "{\"members\":%d,\"partitions\":[",
	                              members);
	for (int i = 0; i < n; i++) {
		r->lag_msgs += gp[i].lag;
		if (gp[i].state > r->lag_state || (gp[i].state == r->lag_state && gp[i].lag > gp[worst].lag)) {
			r->lag_state = gp[i].state;
			worst = i;
		}
		if (off < sizeof r->detail)
			off += (size_t)snprintf(r->detail + off, sizeof r->detail - off,
			                        "%s{\"t\":\"%s\",\"p\":%d,\"off\":%lld,\"lag\":%lld,\"st\":\"%s\"}",
			                        i ? "," : "", gp[i].topic, (int)gp[i].partition,
			                        (long long)gp[i].committed, (long long)gp[i].lag,
			                        wd_lag_state_name(gp[i].state));
	}
	if (off < sizeof r->detail)
		snprintf(r->detail + off, sizeof r->detail - off, "]}");
	snprintf(r->last_value, sizeof r->last_value,
	         "%s/%d committed offset %lld, high watermark %lld (%s), %d member(s)",
	         gp[worst].topic, (int)gp[worst].partition, (long long)gp[worst].committed,
	         (long long)gp[worst].hw, wd_lag_state_name(gp[worst].state), members);
}

int wd_probe_group(rd_kafka_t *rk, const char *group, struct wd_hist *hist,
                   const struct wd_cfg *cfg, int64_t now, struct wd_result *r)
{
	snprintf(r->target, sizeof r->target, "group:%s", group);
	r->kind = WD_GROUP;
	rd_kafka_topic_partition_list_t *l =
		committed(rk, group, (int)cfg->timeout_ms, r->error, sizeof r->error);
	if (!l)
		return -1;
	struct gpart *gp = calloc((size_t)l->cnt + 1, sizeof *gp);
	int n = 0;
	for (int i = 0; gp && i < l->cnt; i++)
		if (l->elems[i].offset >= 0) /* never committed there: nothing to judge */
			gp[n++] = (struct gpart){.topic = l->elems[i].topic,
			                         .partition = l->elems[i].partition,
			                         .committed = l->elems[i].offset};
	int members = member_count(rk, group, (int)cfg->timeout_ms);
	int rc = -1;
	if (!gp)
		snprintf(r->error, sizeof r->error, "out of memory");
	else if (n == 0)
		snprintf(r->error, sizeof r->error, "group %s has no committed offsets", group);
	else if (members < 0)
		snprintf(r->error, sizeof r->error, "describing group %s failed", group);
	else if (watermarks(rk, gp, n, cfg, r) == 0 && next_records(rk, gp, n, cfg, r) == 0 &&
	         evaluate(group, gp, n, members, hist, cfg, now, r) == 0)
		rc = 0;
	if (rc == 0)
		summarise(r, gp, n, members);
	free(gp);
	rd_kafka_topic_partition_list_destroy(l);
	r->checked = rc == 0;
	return rc;
}
