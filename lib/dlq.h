/* dlq — the dead-letter contract (schema v1) and its producer helper.
 *
 * {"v":1,"stage":"vwap-stream","reason":"missing field price","topic":"ticks",
 *  "partition":3,"offset":1042,"ts":1763856001000,"original":"{\"v\":1,..."}
 *
 * The original bytes travel as a string when they are valid UTF-8 without NUL,
 * otherwise base64 in "original_b64". Nothing that fails to parse vanishes. */
#ifndef TP_DLQ_H
#define TP_DLQ_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

#define DLQ_VERSION 1
#define DLQ_TOPIC_DEFAULT "dlq"

struct dlq_entry {
	const char *stage;
	const char *reason;
	const char *topic;  /* source topic, or NULL (e.g. a websocket frame) */
	int32_t partition;  /* -1 when not from Kafka */
	int64_t offset;     /* -1 when not from Kafka */
	const void *original;
	size_t original_len;
};

/* 1 when s[0..n) is valid UTF-8 (no overlongs, no surrogates) without NUL. */
int dlq_is_utf8(const void *s, size_t n);
/* Encodes e into a malloc'd NUL-terminated string; caller frees. */
char *dlq_encode(const struct dlq_entry *e, size_t *len);
/* Produces e to topic, keyed like the original (key may be NULL). Returns 0
 * or the librdkafka error. The delivery report counts it like any message. */
int dlq_send(rd_kafka_t *producer, const char *topic, const struct dlq_entry *e,
             const void *key, size_t keylen);
/* Same, for a consumed message that could not be processed. */
int dlq_send_message(rd_kafka_t *producer, const char *topic, const char *stage,
                     const char *reason, const rd_kafka_message_t *m);

#endif
