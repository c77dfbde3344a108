/* es_lanes — one bulk round's items sent over parallel connections.
 *
 * Elasticsearch runs a shard's part of a bulk request on one write thread, so
 * one connection keeps about one core of the node busy however fast the
 * client is. With lanes, a round's pending items are cut into contiguous
 * slices sent as concurrent requests, each lane on its own kept-alive
 * connection: lane 0 on the calling thread, the others on threads of their
 * own. The round ends when every lane has its answer. A round holds each
 * document id at most once (es_batch collapses versions), so lanes never race
 * on one id, and only one round is in flight at a time. */
#ifndef ES_LANES_H
#define ES_LANES_H

#include "es_bulk.h"
#include "es_job.h"

#include <stdint.h>

#define ES_MAX_LANES 8

struct http_client;

/* The outcome of one bulk request (one lane), or of a whole round. */
struct es_round {
	int again;   /* items to send again; -1: the whole request failed */
	long status; /* HTTP status, 0: no answer */
	char why[400];
};

struct es_lane;
typedef void (*es_lane_fn)(struct es_lane *l);

struct es_lanes;

struct es_lane {
	void *owner;            /* for fn */
	struct es_lanes *set;
	struct http_client *http; /* borrowed */
	struct es_buf body;
	int lo, hi;            /* this lane's slice of the round's pending items */
	struct es_round round; /* its outcome */
	int64_t last_ns;       /* end of its previous request (debug log) */
	struct es_job job;     /* lanes 1..n-1: the thread that runs fn */
};

struct es_lanes {
	struct es_lane lane[ES_MAX_LANES];
	int n;
	es_lane_fn fn;
};

/* n lanes (1..ES_MAX_LANES) over http[0..n); threads for lanes 1..n-1. A lane
 * whose thread cannot start is dropped (fewer lanes, never none). */
void es_lanes_init(struct es_lanes *ls, int n, struct http_client **http, es_lane_fn fn,
                   void *owner);
/* Runs fn on lanes [0, use) at once (each with its lo/hi set by the caller)
 * and returns when all are done. */
void es_lanes_run(struct es_lanes *ls, int use);
void es_lanes_free(struct es_lanes *ls);

#endif
