/* router — the consume → evaluate → produce loop and its shutdown. */
#ifndef AR_ROUTER_H
#define AR_ROUTER_H

#include <librdkafka/rdkafka.h>
#include <stdint.h>

struct conf;
struct metrics;
struct ar_source;
struct ar_notifier;

struct ar_router_opts {
	const char *brokers, *group;
	const char *ticks_topic, *bars_topic, *anomalies_topic, *dlq_topic;
	int64_t dedup_ms;
	int64_t rebuild_lookback_ms; /* how far back to read anomalies on start */
	int batch;
};

struct ar_router;

/* Adds consumer fetch-size defaults to c (a -X setting wins). */
struct ar_router *ar_router_new(struct conf *c, const struct ar_router_opts *o,
                                struct metrics *m, struct ar_source *src,
                                struct ar_notifier *nt, char *err, size_t errsize);
/* Reads the anomalies topic back into the dedup set. */
int ar_router_rebuild(struct ar_router *r, char *err, size_t errsize);
/* Subscribes and runs until sig_stop; returns an exit code. */
int ar_router_run(struct ar_router *r);
/* 1 when healthy for /health. */
int ar_router_health(void *router, char *msg, size_t size);
void ar_router_free(struct ar_router *r);

#endif
