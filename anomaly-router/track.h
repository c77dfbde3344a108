/* track — which consumed offsets are safe to commit.
 *
 * A consumed message is done when the router has evaluated it and every
 * message it produced (anomalies, dead letters) is acknowledged by Kafka.
 * Per partition, offsets become storable in order: a ring of in-flight
 * messages, each with a count of outstanding produces plus one for the
 * evaluation itself; the head pops while its count is zero. A failed
 * delivery blocks its partition for good (the program then exits non-zero
 * and the message is consumed again after the restart). */
#ifndef AR_TRACK_H
#define AR_TRACK_H

#include <librdkafka/rdkafka.h>
#include <stdint.h>

struct ar_track;

struct ar_tref {
	int part;       /* index of the partition slot */
	uint64_t seq;   /* the message's position in that slot's ring */
	uint32_t gen;   /* slot generation: a reset invalidates older refs */
};

struct ar_track *ar_track_new(void);
void ar_track_free(struct ar_track *t);

/* Starts tracking a consumed message. -1 when the partition's ring is full:
 * serve delivery reports and try again. */
int ar_track_begin(struct ar_track *t, const char *topic, int32_t partition, int64_t offset,
                   struct ar_tref *ref);
/* One more produce outstanding for ref's message. */
void ar_track_add(struct ar_track *t, const struct ar_tref *ref);
/* A produce for ref's message was acknowledged (ok) or failed for good. */
void ar_track_done(struct ar_track *t, const struct ar_tref *ref, int ok);
/* The router finished evaluating ref's message. */
void ar_track_end(struct ar_track *t, const struct ar_tref *ref);

/* Stores (rd_kafka_offsets_store) every offset that became safe. */
void ar_track_store(struct ar_track *t, rd_kafka_t *consumer);
/* Forgets the listed partitions (after a revocation was flushed). */
void ar_track_forget(struct ar_track *t, const rd_kafka_topic_partition_list_t *parts);

int ar_track_failed(const struct ar_track *t);  /* 1 after any failed delivery */
long ar_track_inflight(const struct ar_track *t); /* messages not yet done */

#endif
