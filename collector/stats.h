/* stats — the collector's metrics (Prometheus text via lib/metrics.h on
 * --metrics-port) and the once-a-minute summary line in the log. */
#ifndef COL_STATS_H
#define COL_STATS_H

#include "metrics.h"

#include <stdint.h>

struct col_stats {
	struct metrics *reg;
	struct metric *frames, *frames_bad, *bytes, *trades, *reconnects, *dlq;
	struct metric *dropped_queue, *delivery_retries, *delivery_ok;
	struct metric *queue_depth, *pending_depth;
	struct metric *arch_stored, *arch_dup, *arch_dropped, *arch_buffered, *arch_errors;
	struct metric *kafka_lat, *mongo_lat;
	struct metric *sub_ok, *sub_err, *pings;
	/* last values written to the summary line */
	double last_trades, last_frames;
	int64_t last_summary_ms;
};

void col_stats_init(struct col_stats *s);
void col_stats_free(struct col_stats *s);
/* Logs a summary line when a minute (interval_ms) has passed since the last. */
void col_stats_maybe_log(struct col_stats *s, int64_t now_ms, int64_t interval_ms);
void col_stats_log(struct col_stats *s, const char *event);

#endif
