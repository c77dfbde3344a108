/* rebuild — restores a partition's state on assignment, without output.
 *
 * For each assigned ticks partition with a committed offset C:
 *  1. T = the largest event time among the last ticks before C;
 *  2. E = the earliest local midnight (KRX, US) of the day of T - lateness,
 *     minus a margin; S = offsets_for_times(E): every tick of an open window
 *     or of a symbol's current day lies at or after S, because a tick is
 *     produced after it happens (message timestamp ≥ event time);
 *  3. the engine replays [S, C) muted — the same code, so the same state.
 * Before that, the final daily bars of the last --history-days are read back
 * from the bars partitions the ticks partitions write to (ma7d history).
 * Processing then resumes at C and emits only what is newer than the
 * committed output (docs/vwap-stream.md). */
#ifndef VS_REBUILD_H
#define VS_REBUILD_H

#include "fetchnudge.h"

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

struct vs_agg;
struct calendar;

struct vs_rebuild {
	rd_kafka_t *reader; /* a consumer used with assign() only */
	struct vs_agg *agg;
	const char *ticks_topic, *bars_topic;
	int32_t bars_parts;
	int64_t lateness_ms, margin_ms, history_ms;
	const struct calendar *krx, *us;
	long replayed; /* ticks replayed so far, for logs and metrics */
	long daily;    /* final daily bars read back */
	rd_kafka_queue_t *queue; /* the reader's, with its nudge: made on first read */
	struct fetch_nudge nudge;
};

/* Rebuilds every partition of parts (ticks topic) for consumer's group. */
int vs_rebuild_partitions(struct vs_rebuild *r, rd_kafka_t *consumer,
                          const rd_kafka_topic_partition_list_t *parts, char *err,
                          size_t errsize);
/* Stops the reader's nudge and releases its queue; before the reader is closed. */
void vs_rebuild_close(struct vs_rebuild *r);
/* E for a largest event time T (exposed for the unit tests). */
int64_t vs_rebuild_horizon(const struct vs_rebuild *r, int64_t t);

#endif
