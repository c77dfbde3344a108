/* burrow — a consumer group partition's state, after LinkedIn Burrow's
 * evaluator, from successive observations of its committed offset:
 *
 *   OK      lag within allowed (transaction markers leave a lag of 1), or
 *           the offset is moving
 *   REWIND  the committed offset went back and has not yet caught up with
 *           where it had been
 *   STALL   lagging, the offset has not moved for the window, and the group
 *           still has members (a consumer alive but stuck)
 *   STOP    the same with no members left: nobody is committing at all
 *
 * Kafka does not tell a client when an offset was committed, so "no commits
 * for longer than the window" is read as "offset unchanged for the window
 * and the group empty"; membership tells STALL from STOP. The history
 * (h) is kept by the caller across checks and restarts. */
#include "wd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum wd_lag_state wd_lag_step(struct wd_part_hist *h, int64_t committed, int64_t lag,
                              long allowed, int active_members, int64_t now_ms,
                              int64_t window_ms)
{
	if (!h->valid) {
		h->valid = 1;
		h->offset = h->max_offset = committed;
		h->moved_ms = now_ms;
	} else if (committed != h->offset) {
		h->offset = committed;
		h->moved_ms = now_ms;
		if (committed > h->max_offset)
			h->max_offset = committed;
	}
	if (lag <= allowed) {
		h->max_offset = committed; /* caught up: a rewind is over */
		return WD_LAG_OK;
	}
	if (committed < h->max_offset)
		return WD_LAG_REWIND;
	if (now_ms - h->moved_ms >= window_ms)
		return active_members ? WD_LAG_STALL : WD_LAG_STOP;
	return WD_LAG_OK;
}

struct wd_hist_entry *wd_hist_get(struct wd_hist *hs, const char *group, const char *topic,
                                  int32_t partition)
{
	for (size_t i = 0; i < hs->n; i++)
		if (hs->e[i].partition == partition && strcmp(hs->e[i].group, group) == 0 &&
		    strcmp(hs->e[i].topic, topic) == 0)
			return &hs->e[i];
	if (hs->n == hs->cap) {
		size_t cap = hs->cap ? hs->cap * 2 : 64;
		struct wd_hist_entry *e = realloc(hs->e, cap * sizeof *e);
		if (!e)
			return NULL;
		hs->e = e;
		hs->cap = cap;
	}
	struct wd_hist_entry *x = &hs->e[hs->n++];
	memset(x, 0, sizeof *x);
	snprintf(x->group, sizeof x->group, "%s", group);
	snprintf(x->topic, sizeof x->topic, "%s", topic);
	x->partition = partition;
	return x;
}

void wd_hist_free(struct wd_hist *hs)
{
	free(hs->e);
	memset(hs, 0, sizeof *hs);
}
