/* ingest — a received (or replayed) data frame into ticks: parse, normalise,
 * publish; anything malformed to the dlq with the reason. Shared by the live
 * sessions and `collector replay`, so both take the same path. */
#ifndef COL_INGEST_H
#define COL_INGEST_H

#include "publish.h"

#include <stddef.h>
#include <stdint.h>

struct col_ingest {
	struct col_pub *pub;
	char *scratch;
	size_t cap;
	char **fields;
	int maxfields;
	long trades, bad;
	char (*only)[16]; /* replay --replay-symbols: publish these symbols only */
	int nonly;
};

void col_ingest_init(struct col_ingest *g, struct col_pub *pub);
void col_ingest_free(struct col_ingest *g);
/* A KIS data frame (not a JSON control message). Returns trades published. */
int col_ingest_kis(struct col_ingest *g, const char *frame, size_t len, int64_t recv_ms,
                   int64_t recv_ns);
/* A Finnhub message; returns its kind (finnhub.h) or -1 when malformed. */
int col_ingest_fh(struct col_ingest *g, const char *msg, size_t len, int64_t recv_ms,
                  int64_t recv_ns, char *reason, size_t rsize);

#endif
