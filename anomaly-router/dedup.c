/* dedup — a hash set of anomaly ids with window-based pruning; see dedup.h. */
#include "dedup.h"

#include "rules.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ar_entry {
	char *id; /* NULL: empty */
	uint64_t hash;
	int64_t wstart;
};

struct ar_dedup {
	int64_t window_ms;
	int64_t newest; /* newest window start seen */
	struct ar_entry *t;
	size_t cap, used;
};

struct ar_dedup *ar_dedup_new(int64_t window_ms)
{
	struct ar_dedup *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->window_ms = window_ms > 0 ? window_ms : 3600000;
	d->newest = INT64_MIN;
	d->cap = 1024;
	d->t = calloc(d->cap, sizeof *d->t);
	if (!d->t) {
		free(d);
		return NULL;
	}
	return d;
}

void ar_dedup_free(struct ar_dedup *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->cap; i++)
		free(d->t[i].id);
	free(d->t);
	free(d);
}

int64_t ar_dedup_window(const struct ar_dedup *d, int64_t ts)
{
	int64_t r = ts % d->window_ms;
	return ts - (r < 0 ? r + d->window_ms : r);
}

size_t ar_dedup_id(char *buf, size_t size, const char *rule, const char *symbol, int64_t wstart)
{
	int n = snprintf(buf, size, "%s|%s|%" PRId64, rule, symbol, wstart);
	return n < 0 ? 0 : (size_t)n;
}

static struct ar_entry *find(struct ar_entry *t, size_t cap, const char *id, uint64_t h)
{
	size_t i = h & (cap - 1);
	while (t[i].id && (t[i].hash != h || strcmp(t[i].id, id) != 0))
		i = (i + 1) & (cap - 1);
	return &t[i];
}

/* Rehash into a table sized for what survives pruning. */
static int rebuild(struct ar_dedup *d)
{
	int64_t keep_from = d->newest == INT64_MIN ? INT64_MIN : d->newest - d->window_ms;
	size_t live = 0;
	for (size_t i = 0; i < d->cap; i++)
		live += d->t[i].id && d->t[i].wstart >= keep_from;
	size_t cap = 1024;
	while (cap < 4 * (live + 1))
		cap *= 2;
	struct ar_entry *t = calloc(cap, sizeof *t);
	if (!t)
		return -1;
	for (size_t i = 0; i < d->cap; i++) {
		if (!d->t[i].id)
			continue;
		if (d->t[i].wstart >= keep_from)
			*find(t, cap, d->t[i].id, d->t[i].hash) = d->t[i];
		else
			free(d->t[i].id);
	}
	free(d->t);
	d->t = t;
	d->cap = cap;
	d->used = live;
	return 0;
}

int ar_dedup_check(struct ar_dedup *d, const char *id, int64_t wstart)
{
	uint64_t h = ar_hash(id);
	struct ar_entry *e = find(d->t, d->cap, id, h);
	if (e->id)
		return 1;
	if (2 * (d->used + 1) > d->cap) {
		if (rebuild(d) != 0)
			return -1;
		e = find(d->t, d->cap, id, h);
	}
	if (!(e->id = strdup(id)))
		return -1;
	e->hash = h;
	e->wstart = wstart;
	d->used++;
	if (wstart > d->newest)
		d->newest = wstart;
	return 0;
}

void ar_dedup_add(struct ar_dedup *d, const char *id)
{
	const char *bar = strrchr(id, '|');
	if (!bar || bar == id || !strchr(id, '|') || strchr(id, '|') == bar)
		return;
	char *end;
	long long ws = strtoll(bar + 1, &end, 10);
	if (*end || end == bar + 1)
		return;
	ar_dedup_check(d, id, (int64_t)ws);
}

size_t ar_dedup_size(const struct ar_dedup *d) { return d->used; }
