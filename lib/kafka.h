/* kafka — librdkafka clients with tickpipe's defaults, in one place.
 *
 * Producer: enable.idempotence=true (so acks=all, ordered retries), lz4,
 * a few ms of linger. Only the delivery report proves a message durable:
 * every report reaches the program's on_delivery hook, failures are counted,
 * and kafka_failed() decides the exit status.
 *
 * Consumer: enable.auto.offset.store=false — the program stores an offset
 * (kafka_store_offset) only once the output derived from that message is
 * durable; stored offsets are committed periodically, on revocation and on
 * close. The rebalance callback is cooperative-aware and lets the program see
 * assignments (to rebuild state) and revocations (to flush first).
 *
 * User -X properties are applied after the defaults, so they win. */
#ifndef TP_KAFKA_H
#define TP_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

struct conf;

/* Called from rd_kafka_poll()/flush() for every produced message. */
typedef void (*kafka_delivery_fn)(void *opaque, const rd_kafka_message_t *msg);
/* Called around rebalances: assigned (after assignment) or revoked (before). */
typedef void (*kafka_rebalance_fn)(void *opaque, rd_kafka_t *rk,
                                   const rd_kafka_topic_partition_list_t *parts);

struct kafka_hooks {
	kafka_delivery_fn on_delivery;
	kafka_rebalance_fn on_assign;
	kafka_rebalance_fn on_revoke;
	void *opaque;
};

/* Creates a producer for brokers with the defaults above and c's -X
 * properties. hooks may be NULL. Returns NULL with err filled. */
rd_kafka_t *kafka_producer_new(const struct conf *c, const char *brokers,
                               const struct kafka_hooks *hooks, char *err, size_t errsize);

/* Creates a consumer in group for brokers; subscribe with kafka_subscribe. */
rd_kafka_t *kafka_consumer_new(const struct conf *c, const char *brokers, const char *group,
                               const struct kafka_hooks *hooks, char *err, size_t errsize);

/* Subscribes to a comma-separated topic list. */
int kafka_subscribe(rd_kafka_t *rk, const char *topics, char *err, size_t errsize);

/* Produces a copy of key/value; on a full queue polls and retries for up to
 * block_ms (-1: until it fits). Returns 0 or the librdkafka error code. */
rd_kafka_resp_err_t kafka_produce(rd_kafka_t *rk, const char *topic, int32_t partition,
                                  const void *key, size_t keylen, const void *val,
                                  size_t vallen, int64_t timestamp_ms, void *msg_opaque,
                                  int block_ms);

/* Marks msg's offset+1 as safe to commit. */
void kafka_store_offset(rd_kafka_t *rk, const rd_kafka_message_t *msg);
/* Waits up to wait_ms for one message of consumer rk, then takes whatever else
 * is already queued on q (rd_kafka_queue_get_consumer) without waiting, up to
 * max in all: batches at high rates, yet a lone message is never held back
 * until a batch fills. Returns the count (0: nothing arrived). */
ssize_t kafka_poll_batch(rd_kafka_t *rk, rd_kafka_queue_t *q, int wait_ms,
                         rd_kafka_message_t **batch, size_t max);

/* Producer shutdown: flush for up to timeout_ms; returns messages left. */
int kafka_drain(rd_kafka_t *rk, int timeout_ms);

/* Counters kept by the delivery report. */
long kafka_delivered(rd_kafka_t *rk);
long kafka_failed(rd_kafka_t *rk);
/* 1 once librdkafka raised a fatal error (the client must be recreated). */
int kafka_fatal(rd_kafka_t *rk, char *reason, size_t size);

/* 1 when the librdkafka this program runs with knows the property `key`
 * (properties come and go between versions: a default for a newer one
 * must not make an older one refuse to start). */
int kafka_conf_known(const char *key);

/* Consumer shutdown: commit stored offsets, leave the group, destroy. */
void kafka_consumer_close(rd_kafka_t *rk);
/* Producer shutdown: destroy (after kafka_drain). */
void kafka_producer_destroy(rd_kafka_t *rk);

#endif
