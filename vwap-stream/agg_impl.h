/* agg_impl — the engine's internal layout, shared by agg.c (symbols,
 * partitions, watermarks) and barstate.c (one bar's accumulation, closing
 * and encoding into struct bar). Not for other modules. */
#ifndef VS_AGG_IMPL_H
#define VS_AGG_IMPL_H

#include "agg.h"

#include <stdint.h>

/* One open window of one symbol. end == 0: the slot is free. */
struct vs_open {
	int64_t start, end;
	int64_t first_ts, last_ts; /* event times of open and close */
	int64_t trades;
	double open, high, low, close;
	double volume, turnover;
	double cum_turn, cum_vol; /* the day's sums after this bar's last tick */
	int dirty;
};

/* One configured window of one symbol: its open bars and indicators. */
struct vs_winstate {
	struct vs_open open[2]; /* at most two open per window: lateness ≤ length */
	struct vs_ind ind;
};

struct vs_sym {
	char symbol[VS_SYM_MAX];
	char exchange[8];
	const struct calendar *cal;
	int32_t part;   /* ticks partition, -1: none */
	int32_t next;   /* next symbol of the same partition, -1: end */
	int32_t day;    /* current trading day (days since epoch), -1: none */
	char daystr[11];
	int dirty;      /* queued in the dirty list */
	double cum_vol, cum_turn;
	struct vs_winstate *win; /* conf.nwin of them, then their rings (see sym_block) */
	struct vs_open daily;
	struct vs_daily_hist hist;
};

/* Symbols live in chunks that never move; each chunk has a block beside it
 * holding its symbols' window states, sized by the configuration. */
#define VS_CHUNK 256

struct vs_part {
	int64_t max_ts;     /* INT64_MIN until a tick */
	int64_t next_close; /* smallest end among open windows */
	int32_t head;       /* first symbol, -1: none */
};

struct vs_agg {
	struct vs_conf conf;
	const struct calendar *krx, *us;
	vs_emit_fn emit;
	void *opaque;
	int muted;
	int64_t now_ms;
	struct vs_symtab tab;
	struct vs_sym **chunks;
	char **blocks;      /* per chunk: VS_CHUNK × sym_bytes */
	size_t sym_bytes;   /* one symbol's window states and rings */
	int32_t nchunks;
	int32_t *dirty;
	int32_t ndirty;
	struct vs_part *parts;
	int32_t nparts;
	struct vs_stats stats;
};

static inline struct vs_sym *vs_sym_at(const struct vs_agg *a, int32_t i)
{
	return &a->chunks[i / VS_CHUNK][i % VS_CHUNK];
}

/* barstate.c */
void vs_open_add(struct vs_open *o, int64_t start, int64_t end, const struct tick *t,
                 double cum_turn, double cum_vol);
/* Emits (unless muted) and, for final bars, feeds the indicators; frees the slot. */
void vs_bar_emit_window(struct vs_agg *a, struct vs_sym *s, int w, struct vs_open *o, int final);
void vs_bar_emit_daily(struct vs_agg *a, struct vs_sym *s, int final);

#endif
