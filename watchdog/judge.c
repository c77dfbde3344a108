/* judge — turns what a probe found into fresh / stale / cannot-check. */
#include "wd.h"

#include <string.h>

/* A target is stale when its newest record is older than the threshold,
 * counting from the session open at the latest (nothing is expected before
 * it). A lagging consumer group is also stale when its offsets stopped,
 * stalled or went back. "Could not check" is never stale. */
/* With --per-partition: the oldest partition among those that had data
 * since the open (a partition idle all day is not a failure, one that went
 * quiet while the others flow is: a dead collector shard, a stuck producer).
 * Returns its index or -1. */
static int laggard(const struct wd_result *r, int64_t expect_from_ms)
{
	int worst = -1;
	for (int i = 0; i < r->nparts; i++)
		if (r->part_ms[i] >= 0 && r->part_ms[i] >= expect_from_ms &&
		    (worst < 0 || r->part_ms[i] < r->part_ms[worst]))
			worst = i;
	return worst;
}

void wd_judge(struct wd_result *r, int64_t now_ms, int64_t threshold_ms, int64_t expect_from_ms)
{
	r->why[0] = 0;
	r->threshold_ms = threshold_ms;
	r->stale_since_ms = -1;
	r->age_s = r->newest_ms >= 0 ? (double)(now_ms - r->newest_ms) / 1000.0 : -1;
	if (!r->checked) {
		r->verdict = WD_ERROR;
		return;
	}
	int64_t ref = r->newest_ms > expect_from_ms ? r->newest_ms : expect_from_ms;
	int old = now_ms - ref > threshold_ms;
	int bad_lag = r->kind == WD_GROUP && r->lag_state >= WD_LAG_REWIND;
	int lag_p = r->per_partition && !old ? laggard(r, expect_from_ms) : -1;
	if (lag_p >= 0 && now_ms - r->part_ms[lag_p] > threshold_ms) {
		char when[32];
		wd_format_iso(r->part_ms[lag_p], when);
		snprintf(r->why, sizeof r->why, "partition %d silent since %s", lag_p, when);
		r->verdict = WD_STALE;
		r->stale_since_ms = r->part_ms[lag_p] + threshold_ms;
		return;
	}
	r->verdict = old || bad_lag ? WD_STALE : WD_FRESH;
	if (old && r->newest_ms < 0 && expect_from_ms <= 0)
		r->stale_since_ms = now_ms; /* never had a record: since we first looked */
	else if (old)
		r->stale_since_ms = ref + threshold_ms;
	else if (bad_lag)
		r->stale_since_ms = now_ms;
}

const char *wd_verdict_name(enum wd_verdict v)
{
	static const char *const n[] = {"fresh", "stale", "error"};
	return n[v];
}

static const char *const lag_names[] = {"", "OK", "REWIND", "STALL", "STOP"};

const char *wd_lag_state_name(enum wd_lag_state s)
{
	return lag_names[s];
}

enum wd_lag_state wd_lag_state_parse(const char *s)
{
	for (int i = WD_LAG_OK; i <= WD_LAG_STOP; i++)
		if (s && strcmp(s, lag_names[i]) == 0)
			return (enum wd_lag_state)i;
	return WD_LAG_NA;
}
