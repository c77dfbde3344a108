/* run — the consumer loop: ticks in, engine, bars out at the update cadence,
 * offsets stored after acknowledgement, rebalances with flush and rebuild,
 * and the SIGTERM drain. */
#ifndef VS_RUN_H
#define VS_RUN_H

#include "agg.h"
#include "commit.h"
#include "fetchnudge.h"
#include "out.h"
#include "rebuild.h"
#include "tradecal.h"

#include <librdkafka/rdkafka.h>

struct metrics;

struct vs_app {
	struct conf *conf;
	struct vs_conf vc;
	struct calendar krx, us;
	rd_kafka_t *producer, *consumer;
	struct vs_agg *agg;
	struct vs_commit *commit;
	struct vs_out out;
	struct vs_rebuild rb;
	const char *ticks_topic;
	int64_t update_ms;
	int64_t next_seal; /* monotonic ms: the open epoch is sealed at or after it */
	long ack_wait_ms;  /* time the loop stood waiting for acknowledgements */
	int other_day_dlq;
	int failed; /* a rebuild failed, a delivery failed, or a fatal error */
	long fast, slow, dlq;
	struct metrics *metrics;
	struct metric *m_ticks, *m_late, *m_other, *m_final, *m_update, *m_dlq, *m_mismatch,
		*m_replayed, *m_symbols;
	struct vs_stats last; /* stats at the last metrics update */
	struct fetch_nudge nudge;
};

/* Parses the settings, loads calendars, builds the engine (no network). */
int vs_app_check(struct vs_app *a, char *err, size_t errsize);
/* vs_app_check, then creates clients and engine from a->conf (parsed). 0, or -1 with err. */
int vs_app_open(struct vs_app *a, char *err, size_t errsize);
/* Runs until SIGTERM or a failure; returns the exit code. */
int vs_app_run(struct vs_app *a);
void vs_app_close(struct vs_app *a);

/* kafka_hooks for the producer and the consumer (opaque: the vs_app). */
void vs_on_delivery(void *opaque, const rd_kafka_message_t *m);
void vs_on_assign(void *opaque, rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *parts);
void vs_on_revoke(void *opaque, rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *parts);

#endif
