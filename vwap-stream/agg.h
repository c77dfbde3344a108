/* agg — the per-symbol aggregation engine: intraday cumulative VWAP, tumbling
 * event-time bars with watermark and allowed lateness, daily bars and the
 * indicators on bar closes. No Kafka here: ticks go in, bars come out through
 * an emit callback, so unit tests drive it directly and the restart rebuild
 * replays ticks through the same code with output muted.
 *
 * Determinism is the basis of exactly-once results (docs/vwap-stream.md):
 * every output depends only on the sequence of ticks of one partition — the
 * watermark is per partition (max event time seen minus allowed lateness),
 * never per process or per wall clock. So a replay of a partition, and any
 * number of instances sharing the partitions, produce the same bars. */
#ifndef VS_AGG_H
#define VS_AGG_H

#include "indicator.h"
#include "symtab.h"
#include "window.h"

#include <stddef.h>
#include <stdint.h>

struct bar;
struct tick;
struct calendar;

struct vs_conf {
	struct vs_win_spec win[VS_MAX_WIN];
	int nwin;
	int64_t lateness_ms; /* ≤ the shortest window */
	struct vs_ind_conf ind;
};

/* Receives every bar: in-progress updates and final bars. part is the ticks
 * partition the symbol came from. */
typedef void (*vs_emit_fn)(void *opaque, int32_t part, const struct bar *b);

struct vs_stats {
	long ticks;        /* accepted into today's state */
	long late_ticks;   /* ticks excluded from at least one closed window */
	long late;         /* (tick, window) exclusions, daily included */
	long other_day;    /* ticks of an older trading day than the symbol's */
	long finals;       /* final bars emitted */
	long updates;      /* in-progress bar updates emitted */
	long feed_mismatch; /* cum VWAP differs from the feed's cum_turnover/cum_volume */
};

enum { VS_TICK_OK = 0, VS_TICK_OTHER_DAY = 1, VS_TICK_REJECT = 2 };

struct vs_agg;

/* krx and us calendars are borrowed (must outlive the engine). */
struct vs_agg *vs_agg_new(const struct vs_conf *c, const struct calendar *krx,
                          const struct calendar *us, vs_emit_fn emit, void *opaque);
void vs_agg_free(struct vs_agg *a);

/* Processes one tick from partition part. VS_TICK_OTHER_DAY: a tick of an
 * earlier trading day than the symbol's current one (not applied);
 * VS_TICK_REJECT: unusable (reason filled: unknown exchange, ...). */
int vs_agg_tick(struct vs_agg *a, int32_t part, const struct tick *t, char *reason,
                size_t rsize);
/* Emits an in-progress update for every bar changed since the last call. */
void vs_agg_flush_dirty(struct vs_agg *a);
/* While muted nothing is emitted and nothing becomes dirty (replay). */
void vs_agg_set_muted(struct vs_agg *a, int muted);
/* Wall-clock time written into updated_ts. */
void vs_agg_set_now(struct vs_agg *a, int64_t now_ms);
/* Forgets the state of every symbol of partition part (revoked). */
void vs_agg_drop_partition(struct vs_agg *a, int32_t part);
/* Feeds a final daily bar read back from the bars topic into the ma7d history. */
void vs_agg_load_daily(struct vs_agg *a, const struct bar *b);
/* The largest event time seen on a partition, or INT64_MIN. */
int64_t vs_agg_max_ts(const struct vs_agg *a, int32_t part);
const struct vs_stats *vs_agg_stats(const struct vs_agg *a);
/* Symbols known (including those only in the daily history). */
int32_t vs_agg_symbols(const struct vs_agg *a);

#endif
