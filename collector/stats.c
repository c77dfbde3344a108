/* stats — metric registry and summary line. See stats.h. */
#include "stats.h"
#include "log.h"

#include <math.h>

static const double lat_bounds[] = {0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015,
                                    0.002,  0.003,   0.004,  0.005,   0.0075, 0.01,
                                    0.015,  0.02,    0.03,   0.05,    0.1,   0.25,
                                    0.5,    1,       2.5,    5,       10};
#define NLAT ((int)(sizeof lat_bounds / sizeof lat_bounds[0]))

void col_stats_init(struct col_stats *s)
{
	struct metrics *m = s->reg = metrics_new("tickpipe_collector");
	s->frames = metrics_counter(m, "frames_total", NULL, "websocket frames received");
	s->frames_bad = metrics_counter(m, "frames_malformed_total", NULL, "frames sent to the dlq");
	s->bytes = metrics_counter(m, "bytes_total", NULL, "frame bytes received");
	s->trades = metrics_counter(m, "trades_total", NULL, "trades normalised and produced");
	s->reconnects = metrics_counter(m, "reconnects_total", NULL, "websocket reconnects");
	s->dlq = metrics_counter(m, "dlq_total", NULL, "records sent to the dlq");
	s->dropped_queue = metrics_counter(m, "dropped_total", "reason=\"queue_full\"",
	                                   "ticks not produced (still in the raw archive)");
	s->delivery_retries = metrics_counter(m, "delivery_retries_total", NULL,
	                                      "ticks produced again after a failed delivery");
	s->delivery_ok = metrics_counter(m, "delivered_total", NULL, "ticks acknowledged by Kafka");
	s->queue_depth = metrics_gauge(m, "kafka_queue_depth", NULL, "messages in librdkafka's queue");
	s->pending_depth = metrics_gauge(m, "pending_depth", NULL, "ticks waiting to be produced again");
	s->arch_stored = metrics_counter(m, "archive_stored_total", NULL, "frames stored in MongoDB");
	s->arch_dup = metrics_counter(m, "archive_duplicates_total", NULL, "frames already archived");
	s->arch_dropped = metrics_counter(m, "archive_dropped_total", NULL,
	                                  "frames not archived: buffer full during an outage");
	s->arch_buffered = metrics_gauge(m, "archive_buffered", NULL, "frames waiting for MongoDB");
	s->arch_errors = metrics_counter(m, "archive_errors_total", NULL, "failed MongoDB writes");
	s->kafka_lat = metrics_histogram(m, "kafka_latency_seconds", NULL,
	                                 "frame receipt to Kafka acknowledgement", lat_bounds, NLAT);
	s->mongo_lat = metrics_histogram(m, "mongo_latency_seconds", NULL, "MongoDB bulk insert time",
	                                 lat_bounds, NLAT);
	s->sub_ok = metrics_counter(m, "subscriptions_total", "result=\"ok\"", "subscribe acks");
	s->sub_err = metrics_counter(m, "subscriptions_total", "result=\"error\"", "subscribe acks");
	s->pings = metrics_counter(m, "pings_total", NULL, "PINGPONG / ping messages answered");
}

void col_stats_free(struct col_stats *s)
{
	metrics_free(s->reg);
	s->reg = NULL;
}

static double q_ms(const struct metric *h, double q)
{
	double v = metric_quantile(h, q);
	return isnan(v) ? -1 : v * 1000;
}

void col_stats_log(struct col_stats *s, const char *event)
{
	log_info(event,
	         "frames=%.0f bytes=%.0f trades=%.0f delivered=%.0f reconnects=%.0f dlq=%.0f "
	         "dropped=%.0f queue=%.0f pending=%.0f archived=%.0f archive_dup=%.0f "
	         "archive_dropped=%.0f archive_buffered=%.0f kafka_p50_ms=%.1f kafka_p99_ms=%.1f "
	         "mongo_p99_ms=%.1f",
	         metric_value(s->frames), metric_value(s->bytes), metric_value(s->trades),
	         metric_value(s->delivery_ok), metric_value(s->reconnects), metric_value(s->dlq),
	         metric_value(s->dropped_queue), metric_value(s->queue_depth),
	         metric_value(s->pending_depth), metric_value(s->arch_stored),
	         metric_value(s->arch_dup), metric_value(s->arch_dropped),
	         metric_value(s->arch_buffered), q_ms(s->kafka_lat, 0.5), q_ms(s->kafka_lat, 0.99),
	         q_ms(s->mongo_lat, 0.99));
}

void col_stats_maybe_log(struct col_stats *s, int64_t now_ms, int64_t interval_ms)
{
	if (!s->last_summary_ms)
		s->last_summary_ms = now_ms;
	if (now_ms - s->last_summary_ms < interval_ms)
		return;
	s->last_summary_ms = now_ms;
	col_stats_log(s, "summary");
}
