/* dedup — one alert per (rule, symbol) per tumbling window of event time.
 *
 * The anomaly id is rule|symbol|window-start (window aligned to the epoch,
 * default one hour), so the set of ids already produced is the dedup state:
 * on start it is rebuilt by reading the anomalies topic back (ar_dedup_add
 * for each id), and a restart does not alert again. Entries older than two
 * windows behind the newest one seen are pruned. */
#ifndef AR_DEDUP_H
#define AR_DEDUP_H

#include <stddef.h>
#include <stdint.h>

struct ar_dedup;

struct ar_dedup *ar_dedup_new(int64_t window_ms);
void ar_dedup_free(struct ar_dedup *d);

/* The window start for an event time (floor to a multiple of window_ms). */
int64_t ar_dedup_window(const struct ar_dedup *d, int64_t ts);

/* Formats the anomaly id rule|symbol|wstart into buf; returns its length. */
size_t ar_dedup_id(char *buf, size_t size, const char *rule, const char *symbol, int64_t wstart);

/* 1 when id was seen already; otherwise records it and returns 0.
 * wstart is the id's window start (for pruning). -1 on OOM. */
int ar_dedup_check(struct ar_dedup *d, const char *id, int64_t wstart);

/* Records an id read back from the anomalies topic ("rule|symbol|wstart");
 * ids of another shape are ignored. */
void ar_dedup_add(struct ar_dedup *d, const char *id);

size_t ar_dedup_size(const struct ar_dedup *d);

#endif
