/* ingest — frame -> ticks -> Kafka (or dlq). See ingest.h. */
#include "ingest.h"
#include "finnhub.h"
#include "kis.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void col_ingest_init(struct col_ingest *g, struct col_pub *pub)
{
	memset(g, 0, sizeof *g);
	g->pub = pub;
	g->maxfields = COL_KIS_MAX_FIELDS;
	g->fields = malloc(sizeof *g->fields * (size_t)g->maxfields);
}

void col_ingest_free(struct col_ingest *g)
{
	free(g->scratch);
	free(g->fields);
	g->scratch = NULL, g->fields = NULL;
}

static int wanted(const struct col_ingest *g, const char *symbol)
{
	if (!g->nonly)
		return 1;
	for (int i = 0; i < g->nonly; i++)
		if (!strcmp(g->only[i], symbol))
			return 1;
	return 0;
}

int col_ingest_kis(struct col_ingest *g, const char *frame, size_t len, int64_t recv_ms,
                   int64_t recv_ns)
{
	if (len + 1 > g->cap) {
		g->cap = len + 1 > 4096 ? len + 1 : 4096;
		g->scratch = realloc(g->scratch, g->cap);
	}
	struct col_kis_frame f;
	char reason[256];
	if (col_kis_parse_frame(frame, len, g->scratch, g->fields, g->maxfields, &f, reason,
	                        sizeof reason)) {
		g->bad++;
		metric_add(g->pub->stats->frames_bad, 1);
		col_pub_dlq(g->pub, "collector", reason, frame, len);
		return 0;
	}
	if (strcmp(f.tr_id, "H0STCNT0") && strcmp(f.tr_id, "H0UNCNT0") && strcmp(f.tr_id, "H0NXCNT0")) {
		snprintf(reason, sizeof reason, "kis frame: unexpected tr_id %s", f.tr_id);
		col_pub_dlq(g->pub, "collector", reason, frame, len);
		return 0;
	}
	int n = 0;
	for (int r = 0; r < f.nrec; r++) {
		struct tick t;
		char why[200];
		if (col_kis_to_tick(&f, r, recv_ms, &t, why, sizeof why)) {
			/* One bad record does not take its neighbours down. */
			snprintf(reason, sizeof reason, "kis record %d of %d: %s", r + 1, f.nrec, why);
			g->bad++;
			col_pub_dlq(g->pub, "collector", reason, frame, len);
			continue;
		}
		if (!wanted(g, t.symbol))
			continue;
		col_pub_tick(g->pub, &t, f.field[(size_t)r * (size_t)f.stride + KIS_F_VWAP], recv_ns);
		n++;
	}
	g->trades += n;
	return n;
}

struct fh_ctx {
	struct col_ingest *g;
	int64_t recv_ns;
};

static int fh_trade(void *opaque, const struct tick *t)
{
	struct fh_ctx *x = opaque;
	if (!wanted(x->g, t->symbol))
		return 0;
	col_pub_tick(x->g->pub, t, NULL, x->recv_ns);
	x->g->trades++;
	return 0;
}

int col_ingest_fh(struct col_ingest *g, const char *msg, size_t len, int64_t recv_ms,
                  int64_t recv_ns, char *reason, size_t rsize)
{
	struct fh_ctx x = {g, recv_ns};
	int kind = col_fh_parse(msg, len, recv_ms, fh_trade, &x, reason, rsize);
	if (kind < 0) {
		g->bad++;
		metric_add(g->pub->stats->frames_bad, 1);
		col_pub_dlq(g->pub, "collector", reason, msg, len);
	}
	return kind;
}
