/* out — the program's output side: bars (and dead letters) produced with an
 * epoch token each, so offsets are stored only once they are acknowledged. */
#ifndef VS_OUT_H
#define VS_OUT_H

#include "bar.h"

#include <librdkafka/rdkafka.h>
#include <stdint.h>

struct vs_commit;

struct vs_out {
	rd_kafka_t *producer;
	struct vs_commit *commit;
	const char *bars_topic;
	const char *dlq_topic;
	int32_t bars_parts; /* partitions of the bars topic */
	long produce_errors;
	char buf[BAR_JSON_MAX];
};

/* vs_emit_fn for the engine: bar → JSON → bars topic. The bar goes to the
 * bars partition part % bars_parts (the ticks partition when the topics are
 * co-partitioned, as they are when both have the same partition count), so a
 * rebuild knows where a partition's daily bars are. */
void vs_out_bar(void *opaque, int32_t part, const struct bar *b);
/* Dead-letters a consumed message with reason, tracked like a bar. */
void vs_out_dlq(struct vs_out *o, const rd_kafka_message_t *m, const char *reason);
/* The bars partition for a ticks partition. */
int32_t vs_out_bars_partition(const struct vs_out *o, int32_t part);

#endif
