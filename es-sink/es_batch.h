/* es_batch — the records waiting for one bulk request, bounded by count,
 * bytes and age. Each item keeps its Kafka message (for the offset and the
 * dlq) until the batch is settled. */
#ifndef ES_BATCH_H
#define ES_BATCH_H

#include "es_doc.h"

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

struct es_limits {
	int max_docs;
	size_t max_bytes;
	int64_t max_ms;
};

enum es_item_state { ES_PENDING, ES_INDEXED, ES_DEAD };

struct es_item {
	rd_kafka_message_t *msg; /* owned; NULL in unit tests */
	struct es_doc doc;
	enum es_item_state state;
	char *reason; /* why it is dead (malloc'd) */
};

/* A versioned record (an in-progress bar) whose index and id are already in
 * the batch collapses: only the newer version is kept and sent (external
 * versioning would make Elasticsearch keep the newest anyway), in the older
 * one's item. The other message is destroyed at once, except that the batch
 * keeps, per partition, the highest-offset message of those collapsed away,
 * so the batch's stored offsets cover them. The batch thus holds one item per
 * document: catching up on a backlog of in-progress updates, a batch of
 * --batch-docs documents spans many updates of each bar and memory stays
 * bounded by documents, not by records consumed. */
struct es_batch {
	struct es_item *items; /* one per document (and per dead record) */
	int n, cap;
	size_t bytes;      /* sources plus action-line estimate, pending items */
	int64_t opened_ms; /* monotonic time of the first item */
	int collapsed;     /* records collapsed into another version's item */
	int *slots;        /* open addressing: versioned pending items by index+id */
	int nslots;        /* power of two, at least twice cap; -1 = empty slot */
	rd_kafka_message_t **kept; /* per partition, the newest collapsed-away message */
	int nkept, capkept;
};

/* Adds an item (taking msg); a dead item carries its reason. A versioned
 * document whose index and id are already pending collapses (above). -1 when
 * out of memory. */
int es_batch_add(struct es_batch *b, rd_kafka_message_t *msg, const struct es_doc *doc,
                 const char *dead_reason, int64_t now_ms);
/* 1 when the batch must be sent now: count or bytes reached, or the oldest
 * item has waited max_ms. */
int es_batch_full(const struct es_batch *b, const struct es_limits *l, int64_t now_ms);
/* Milliseconds until the age limit (for the poll timeout); max_ms when empty. */
int64_t es_batch_wait_ms(const struct es_batch *b, const struct es_limits *l, int64_t now_ms);
/* Destroys the messages and documents and empties the batch (keeps capacity). */
void es_batch_clear(struct es_batch *b);
void es_batch_free(struct es_batch *b);

#endif
