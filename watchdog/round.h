/* round — one check of every target: probe, judge, record, alert. */
#ifndef WD_ROUND_H
#define WD_ROUND_H

#include "store.h"
#include "wd.h"

#include <librdkafka/rdkafka.h>
#include <mongoc/mongoc.h>
#include <stdatomic.h>

struct metrics;
struct metric;
struct http_client;

struct wd_target {
	char name[160];
	int loaded; /* incident read back from the store */
	struct wd_incident inc;
	struct metric *stale, *newest, *age, *lag, *lag_s, *lag_state;
};

struct wd_ctx {
	const struct conf *c;
	struct wd_cfg *cfg;
	rd_kafka_t *rk;
	struct http_client *es;
	mongoc_client_t *mongo;
	int mongo_indexed;
	struct wd_store st;
	int store_up;
	struct wd_hist hist;
	int hist_loaded;
	struct wd_target targets[WD_MAX_TARGETS];
	int ntargets;
	int channels;
	int was_open; /* last gate decision, to log window changes once */
	struct metrics *m;
	struct metric *rounds, *cannot, *alerts, *in_window;
	atomic_llong last_round_mono;
};

/* Creates the clients (none connects yet); -1 with err on a config error. */
int wd_ctx_init(struct wd_ctx *x, const struct conf *c, struct wd_cfg *cfg, char *err,
                size_t errsize);
void wd_ctx_free(struct wd_ctx *x);
/* Runs one round. Returns 0 all fresh, 1 something stale, 2 something could
 * not be checked (and nothing stale), 3 outside the collection window. */
int wd_round(struct wd_ctx *x);

#endif
