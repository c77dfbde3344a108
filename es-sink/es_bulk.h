/* es_bulk — the _bulk API's two halves: the NDJSON request body, and the
 * per-item outcome read from the response.
 *
 * Each item is an "index" action with _id = the record's id (replays
 * overwrite) and, when the record has one, version = updated_ts with
 * version_type=external_gte: an older in-progress bar replayed late is
 * refused with 409 instead of overwriting a newer one, and an identical replay
 * (equal version) overwrites with identical content. */
#ifndef ES_BULK_H
#define ES_BULK_H

#include "es_doc.h"

#include <stddef.h>

struct es_buf {
	char *p;
	size_t len, cap;
};

void es_buf_reset(struct es_buf *b);
void es_buf_free(struct es_buf *b);

/* Appends d's action line and source line. Returns 0, or -1 when out of memory. */
int es_bulk_append(struct es_buf *b, const struct es_doc *d);

/* What the sink does with one item after a bulk response. */
enum es_item_class {
	ES_ITEM_OK,         /* 2xx: indexed */
	ES_ITEM_SUPERSEDED, /* 409 version conflict: a newer version is already there */
	ES_ITEM_RETRY,      /* 429, 5xx, or no answer for it: send again after backoff */
	ES_ITEM_FAIL        /* any other 4xx (mapping error...): to the dlq with the reason */
};

struct es_item_result {
	int status;
	enum es_item_class cls;
	char reason[320]; /* "type: reason (caused by ...)" for failures */
};

enum es_item_class es_item_classify(int status, const char *error_type);

/* Reads a bulk response for n items into res[0..n). A response with
 * "errors":false is taken on the fast path without building a tree. Items the
 * response lacks are marked ES_ITEM_RETRY. Returns the number of items not
 * ES_ITEM_OK/SUPERSEDED, or -1 when the body is not a bulk response. */
int es_bulk_parse(const char *body, size_t len, int n, struct es_item_result *res, char *err,
                  size_t errsize);

#endif
