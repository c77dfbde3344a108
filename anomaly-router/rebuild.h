/* rebuild — reading the anomalies topic back into the dedup set on start. */
#ifndef AR_REBUILD_H
#define AR_REBUILD_H

#include <stdint.h>
#include <stddef.h>

struct conf;
struct ar_dedup;

/* Reads topic's messages written in the last lookback_ms up to the current
 * end, adding every anomaly id to d. *nread counts messages. 0, or -1 with
 * err (metadata failure, timeout). A missing topic counts as empty. */
int ar_rebuild_dedup(const struct conf *conf, const char *brokers, const char *topic,
                     int64_t lookback_ms, struct ar_dedup *d, long *nread, char *err,
                     size_t errsize);

#endif
