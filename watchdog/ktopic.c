/* ktopic — the newest record of a topic: per partition, the watermarks,
 * then the last message just below the high watermark (stepping back when
 * the tail is transaction markers or aborted records). */
#include "kreader.h"
#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int partition_count(rd_kafka_t *rk, const char *topic, int timeout_ms, char *err,
                           size_t errsize)
{
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
	int n = -1;
	if (e)
		snprintf(err, errsize, "kafka metadata: %s", rd_kafka_err2str(e));
	else if (md->topic_cnt != 1 || md->topics[0].err)
		snprintf(err, errsize, "topic %s: %s", topic,
		         md->topic_cnt ? rd_kafka_err2str(md->topics[0].err) : "not found");
	else
		n = md->topics[0].partition_cnt;
	if (md)
		rd_kafka_metadata_destroy(md);
	rd_kafka_topic_destroy(rkt);
	return n;
}

static void describe(struct wd_result *r, const struct wd_read *rd, const int64_t *hw, int n)
{
	size_t off = (size_t)snprintf(r->detail, sizeof r->detail, "{\"partitions\":[");
	int best = -1;
	r->nparts = n < WD_MAX_PARTS ? n : WD_MAX_PARTS;
	for (int i = 0; i < n; i++) {
		if (rd[i].got && (best < 0 || rd[i].ts > rd[best].ts))
			best = i;
		if (i < WD_MAX_PARTS)
			r->part_ms[i] = rd[i].got ? rd[i].ts : -1;
		if (off < sizeof r->detail)
			off += (size_t)snprintf(r->detail + off, sizeof r->detail - off,
			                        "%s{\"p\":%d,\"hw\":%lld,\"ts\":%lld}", i ? "," : "",
			                        (int)rd[i].partition, (long long)hw[i],
			                        (long long)(rd[i].got ? rd[i].ts : -1));
	}
	if (off < sizeof r->detail)
		snprintf(r->detail + off, sizeof r->detail - off, "]}");
	r->newest_ms = best >= 0 ? rd[best].ts : -1;
	if (best >= 0) {
		char when[32];
		wd_format_iso(rd[best].ts, when);
		snprintf(r->last_value, sizeof r->last_value, "partition %d offset %lld key %s at %s",
		         (int)rd[best].partition, (long long)rd[best].offset,
		         rd[best].key[0] ? rd[best].key : "-", when);
	}
}

/* Reads back from the tail in growing steps until each non-empty partition
 * yielded its last committed record. */
static int read_tails(rd_kafka_t *rk, struct wd_read *rd, const int64_t *lo, const int64_t *hw,
                      int n, int timeout_ms)
{
	static const int64_t steps[] = {2, 64, 4096};
	int64_t from[n]; /* lowest offset read so far, per partition */
	for (int i = 0; i < n; i++)
		from[i] = hw[i];
	for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
		int want = 0;
		for (int i = 0; i < n; i++) {
			int64_t start = hw[i] - steps[s] > lo[i] ? hw[i] - steps[s] : lo[i];
			int again = !rd[i].got && start < from[i];
			if (again)
				from[i] = start;
			rd[i].start = again ? start : rd[i].end;
			want += again;
		}
		if (!want)
			break;
		struct wd_read keep[n];
		memcpy(keep, rd, sizeof keep);
		if (wd_kafka_read(rk, rd, n, timeout_ms))
			return -1;
		for (int i = 0; i < n; i++)
			if (keep[i].got && !rd[i].got) /* not re-read this round */
				rd[i] = keep[i];
	}
	return 0;
}

int wd_probe_topic(rd_kafka_t *rk, const char *topic, int timeout_ms, struct wd_result *r)
{
	snprintf(r->target, sizeof r->target, "topic:%s", topic);
	r->kind = WD_TOPIC;
	int n = partition_count(rk, topic, timeout_ms, r->error, sizeof r->error);
	if (n <= 0) {
		if (n == 0)
			snprintf(r->error, sizeof r->error, "topic %s has no partitions", topic);
		return -1;
	}
	struct wd_read *rd = calloc((size_t)n, sizeof *rd);
	int64_t *lo = calloc((size_t)n, sizeof *lo), *hw = calloc((size_t)n, sizeof *hw);
	int rc = rd && lo && hw ? 0 : -1;
	for (int i = 0; rc == 0 && i < n; i++) {
		rd_kafka_resp_err_t e =
			wd_watermarks(rk, topic, i, &lo[i], &hw[i], timeout_ms);
		if (e) {
			snprintf(r->error, sizeof r->error, "watermarks %s/%d: %s", topic, i,
			         rd_kafka_err2str(e));
			rc = -1;
		}
		rd[i] = (struct wd_read){.topic = topic, .partition = i, .end = hw[i]};
	}
	if (rc == 0 && read_tails(rk, rd, lo, hw, n, timeout_ms)) {
		const char *why = "";
		for (int i = 0; i < n && !*why; i++)
			why = rd[i].error;
		snprintf(r->error, sizeof r->error, "reading the tail of %s timed out%s%.100s", topic,
		         *why ? ": " : "", why);
		rc = -1;
	}
	if (rc == 0)
		describe(r, rd, hw, n);
	free(rd);
	free(lo);
	free(hw);
	r->checked = rc == 0;
	return rc;
}
