/* rebuild — the dedup set from the anomalies topic: every anomaly id written
 * in the lookback period, so alerts sent before a restart stay suppressed. */
#include "dedup.h"
#include "rebuild.h"

#include "clock.h"
#include "kafka.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Start offsets (lookback by message timestamp) and end offsets per partition. */
static rd_kafka_topic_partition_list_t *plan(rd_kafka_t *c, const char *topic, int64_t since,
                                             int64_t **ends, char *err, size_t errsize)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(c, topic, NULL);
	rd_kafka_resp_err_t e = rd_kafka_metadata(c, 0, rkt, &md, 10000);
	rd_kafka_topic_destroy(rkt);
	if (e) {
		snprintf(err, errsize, "metadata for %s: %s", topic, rd_kafka_err2str(e));
		return NULL;
	}
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
	if (md->topic_cnt == 1 && !md->topics[0].err) {
		for (int i = 0; i < md->topics[0].partition_cnt; i++)
			rd_kafka_topic_partition_list_add(l, topic, md->topics[0].partitions[i].id)->offset =
				since;
	}
	rd_kafka_metadata_destroy(md);
	*ends = calloc((size_t)l->cnt + 1, sizeof **ends);
	if (l->cnt && rd_kafka_offsets_for_times(c, l, 10000) != 0) {
		for (int i = 0; i < l->cnt; i++)
			l->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
	}
	for (int i = 0; i < l->cnt; i++) {
		int64_t lo = 0, hi = 0;
		rd_kafka_query_watermark_offsets(c, topic, l->elems[i].partition, &lo, &hi, 10000);
		(*ends)[i] = hi;
		if (l->elems[i].offset < 0) /* nothing newer than since: start at the end */
			l->elems[i].offset = hi;
	}
	return l;
}

static void add_id(struct ar_dedup *d, const rd_kafka_message_t *m)
{
	cJSON *j = cJSON_ParseWithLength(m->payload, m->len);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
	if (cJSON_IsString(id))
		ar_dedup_add(d, id->valuestring);
	cJSON_Delete(j);
}

int ar_rebuild_dedup(const struct conf *conf, const char *brokers, const char *topic,
                     int64_t lookback_ms, struct ar_dedup *d, long *nread, char *err,
                     size_t errsize)
{
	char group[64];
	snprintf(group, sizeof group, "tickpipe-ar-rebuild-%d-%lld", (int)getpid(),
	         (long long)clock_now_ms());
	rd_kafka_t *c = kafka_consumer_new(conf, brokers, group, NULL, err, errsize);
	if (!c)
		return -1;
	int64_t *ends = NULL;
	rd_kafka_topic_partition_list_t *l = plan(c, topic, clock_now_ms() - lookback_ms, &ends,
	                                          err, errsize);
	int rc = l ? 0 : -1;
	*nread = 0;
	int left = 0;
	for (int i = 0; l && i < l->cnt; i++)
		left += l->elems[i].offset < ends[i];
	if (left)
		rd_kafka_assign(c, l);
	int64_t deadline = clock_mono_ms() + 60000;
	while (left > 0 && clock_mono_ms() < deadline) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
		if (!m)
			continue;
		if (!m->err) {
			add_id(d, m);
			(*nread)++;
			for (int i = 0; i < l->cnt; i++)
				if (l->elems[i].partition == m->partition && m->offset + 1 >= ends[i] &&
				    l->elems[i].offset != -1000) {
					l->elems[i].offset = -1000; /* reached its end */
					left--;
				}
		}
		rd_kafka_message_destroy(m);
	}
	if (left > 0 && rc == 0) {
		snprintf(err, errsize, "timed out reading %s back (%d partitions unread)", topic, left);
		rc = -1;
	}
	if (l)
		rd_kafka_topic_partition_list_destroy(l);
	free(ends);
	kafka_consumer_close(c);
	return rc;
}
