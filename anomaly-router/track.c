/* track — per-partition rings of in-flight offsets; see track.h. */
#include "track.h"

#include <stdlib.h>
#include <string.h>

#define AR_RING (1u << 16)

struct ent {
	int64_t offset;
	int32_t pending;
};

struct slot {
	char topic[128];
	int32_t partition;
	uint32_t gen;
	uint64_t head, tail;
	int64_t store_next; /* offset to store, -1 none */
	int dirty;
	struct ent *ring;
};

struct ar_track {
	struct slot *s;
	int n, cap;
	int last; /* slot of the previous lookup: consecutive messages share it */
	int failed;
};

struct ar_track *ar_track_new(void) { return calloc(1, sizeof(struct ar_track)); }

void ar_track_free(struct ar_track *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->n; i++)
		free(t->s[i].ring);
	free(t->s);
	free(t);
}

static int slot_of(struct ar_track *t, const char *topic, int32_t partition)
{
	if (t->last < t->n && t->s[t->last].partition == partition &&
	    strcmp(t->s[t->last].topic, topic) == 0)
		return t->last;
	for (int i = 0; i < t->n; i++)
		if (t->s[i].partition == partition && strcmp(t->s[i].topic, topic) == 0)
			return t->last = i;
	if (t->n == t->cap) {
		int cap = t->cap ? 2 * t->cap : 16;
		struct slot *s = realloc(t->s, (size_t)cap * sizeof *s);
		if (!s)
			return -1;
		t->s = s;
		t->cap = cap;
	}
	struct slot *s = &t->s[t->n];
	memset(s, 0, sizeof *s);
	strncpy(s->topic, topic, sizeof s->topic - 1);
	s->partition = partition;
	s->store_next = -1;
	s->ring = malloc(AR_RING * sizeof *s->ring);
	if (!s->ring)
		return -1;
	return t->last = t->n++;
}

int ar_track_begin(struct ar_track *t, const char *topic, int32_t partition, int64_t offset,
                   struct ar_tref *ref)
{
	int i = slot_of(t, topic, partition);
	if (i < 0)
		return -1;
	struct slot *s = &t->s[i];
	if (s->tail - s->head >= AR_RING)
		return -1;
	s->ring[s->tail % AR_RING] = (struct ent){offset, 1};
	ref->part = i;
	ref->seq = s->tail++;
	ref->gen = s->gen;
	return 0;
}

static struct ent *ent_of(struct ar_track *t, const struct ar_tref *ref)
{
	if (ref->part < 0 || ref->part >= t->n)
		return NULL;
	struct slot *s = &t->s[ref->part];
	if (s->gen != ref->gen || ref->seq < s->head || ref->seq >= s->tail)
		return NULL;
	return &s->ring[ref->seq % AR_RING];
}

static void advance(struct ar_track *t, int part)
{
	struct slot *s = &t->s[part];
	while (s->head < s->tail && s->ring[s->head % AR_RING].pending == 0) {
		s->store_next = s->ring[s->head % AR_RING].offset + 1;
		s->dirty = 1;
		s->head++;
	}
}

void ar_track_add(struct ar_track *t, const struct ar_tref *ref)
{
	struct ent *e = ent_of(t, ref);
	if (e)
		e->pending++;
}

void ar_track_done(struct ar_track *t, const struct ar_tref *ref, int ok)
{
	struct ent *e = ent_of(t, ref);
	if (!e)
		return;
	if (!ok) {
		/* Never decremented: the partition stops storing offsets here. */
		t->failed = 1;
		return;
	}
	if (--e->pending == 0)
		advance(t, ref->part);
}

void ar_track_end(struct ar_track *t, const struct ar_tref *ref)
{
	ar_track_done(t, ref, 1);
}

void ar_track_store(struct ar_track *t, rd_kafka_t *consumer)
{
	rd_kafka_topic_partition_list_t *l = NULL;
	for (int i = 0; i < t->n; i++) {
		struct slot *s = &t->s[i];
		if (!s->dirty)
			continue;
		if (!l)
			l = rd_kafka_topic_partition_list_new(t->n);
		rd_kafka_topic_partition_list_add(l, s->topic, s->partition)->offset = s->store_next;
		s->dirty = 0;
	}
	if (l) {
		rd_kafka_offsets_store(consumer, l);
		rd_kafka_topic_partition_list_destroy(l);
	}
}

void ar_track_forget(struct ar_track *t, const rd_kafka_topic_partition_list_t *parts)
{
	for (int j = 0; j < parts->cnt; j++)
		for (int i = 0; i < t->n; i++) {
			struct slot *s = &t->s[i];
			if (s->partition != parts->elems[j].partition ||
			    strcmp(s->topic, parts->elems[j].topic) != 0)
				continue;
			s->gen++;
			s->head = s->tail = 0;
			s->store_next = -1;
			s->dirty = 0;
		}
}

int ar_track_failed(const struct ar_track *t) { return t->failed; }

long ar_track_inflight(const struct ar_track *t)
{
	long n = 0;
	for (int i = 0; i < t->n; i++)
		n += (long)(t->s[i].tail - t->s[i].head);
	return n;
}
