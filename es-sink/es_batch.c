/* es_batch — bounded batches. See es_batch.h. */
#include "es_batch.h"

#include <stdlib.h>
#include <string.h>

/* An action line is ~120 bytes (index name, id, version); counting it keeps
 * the byte limit honest for small documents. */
#define ACTION_ESTIMATE 128

static uint32_t hash_doc(const struct es_doc *d)
{
	uint32_t h = 2166136261u; /* FNV-1a over index and id */
	for (const char *p = d->index; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (const char *p = d->id; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

static int same_doc(const struct es_doc *a, const struct es_doc *b)
{
	return strcmp(a->id, b->id) == 0 && strcmp(a->index, b->index) == 0;
}

static void index_slot(struct es_batch *b, int k)
{
	uint32_t mask = (uint32_t)b->nslots - 1, i = hash_doc(&b->items[k].doc) & mask;
	while (b->slots[i] >= 0)
		i = (i + 1) & mask;
	b->slots[i] = k;
}

/* Keeps the slot table at least twice the item capacity (rehashing on growth). */
static int grow_slots(struct es_batch *b)
{
	if (b->nslots >= 2 * b->cap)
		return 0;
	int n = b->nslots ? b->nslots : 2048;
	while (n < 2 * b->cap)
		n *= 2;
	int *slots = malloc((size_t)n * sizeof *slots);
	if (!slots)
		return -1;
	free(b->slots);
	b->slots = slots;
	b->nslots = n;
	memset(b->slots, 0xff, (size_t)n * sizeof *slots);
	for (int k = 0; k < b->n; k++)
		if (b->items[k].state == ES_PENDING && b->items[k].doc.version > 0)
			index_slot(b, k);
	return 0;
}

static int same_partition(const rd_kafka_message_t *a, const rd_kafka_message_t *b)
{
	return a->partition == b->partition &&
	       strcmp(rd_kafka_topic_name(a->rkt), rd_kafka_topic_name(b->rkt)) == 0;
}

/* Takes a message whose record collapsed away: only its offset still
 * matters, so of each partition's such messages the newest is kept. */
static int keep_offset(struct es_batch *b, rd_kafka_message_t *m)
{
	if (!m)
		return 0; /* unit tests */
	for (int i = 0; i < b->nkept; i++) {
		rd_kafka_message_t *k = b->kept[i];
		if (!same_partition(k, m))
			continue;
		if (m->offset > k->offset) {
			b->kept[i] = m;
			m = k;
		}
		rd_kafka_message_destroy(m);
		return 0;
	}
	if (b->nkept == b->capkept) {
		int cap = b->capkept ? b->capkept * 2 : 16;
		rd_kafka_message_t **p = realloc(b->kept, (size_t)cap * sizeof *p);
		if (!p)
			return -1;
		b->kept = p;
		b->capkept = cap;
	}
	b->kept[b->nkept++] = m;
	return 0;
}

/* The item of the versioned document with doc's index and id, or -1. */
static int find_versioned(const struct es_batch *b, const struct es_doc *doc)
{
	if (!b->nslots)
		return -1;
	uint32_t mask = (uint32_t)b->nslots - 1, i = hash_doc(doc) & mask;
	for (; b->slots[i] >= 0; i = (i + 1) & mask)
		if (same_doc(&b->items[b->slots[i]].doc, doc))
			return b->slots[i];
	return -1;
}

/* doc meets its own older or newer version in item k: the newer of the two
 * stays in the item (the newcomer on a tie), the other record collapses. */
static int collapse_into(struct es_batch *b, int k, rd_kafka_message_t *msg,
                         const struct es_doc *doc)
{
	struct es_item *it = &b->items[k];
	struct es_doc loser = *doc;
	rd_kafka_message_t *gone = msg;
	b->collapsed++;
	if (doc->version >= it->doc.version) {
		loser = it->doc;
		gone = it->msg;
		b->bytes = b->bytes - it->doc.len + doc->len;
		it->doc = *doc;
		it->msg = msg;
	}
	es_doc_free(&loser);
	return keep_offset(b, gone);
}

int es_batch_add(struct es_batch *b, rd_kafka_message_t *msg, const struct es_doc *doc,
                 const char *dead_reason, int64_t now_ms)
{
	if (!dead_reason && doc->version > 0) {
		int k = find_versioned(b, doc);
		if (k >= 0)
			return collapse_into(b, k, msg, doc);
	}
	if (b->n == b->cap) {
		int cap = b->cap ? b->cap * 2 : 1024;
		struct es_item *p = realloc(b->items, (size_t)cap * sizeof *p);
		if (!p)
			return -1;
		b->items = p;
		b->cap = cap;
	}
	if (grow_slots(b))
		return -1;
	struct es_item *it = &b->items[b->n++];
	memset(it, 0, sizeof *it);
	it->msg = msg;
	if (doc)
		it->doc = *doc;
	it->state = dead_reason ? ES_DEAD : ES_PENDING;
	it->reason = dead_reason ? strdup(dead_reason) : NULL;
	if (b->n == 1)
		b->opened_ms = now_ms;
	b->bytes += (dead_reason ? 0 : it->doc.len + ACTION_ESTIMATE);
	if (!dead_reason && it->doc.version > 0)
		index_slot(b, b->n - 1);
	return 0;
}

int es_batch_full(const struct es_batch *b, const struct es_limits *l, int64_t now_ms)
{
	if (b->n == 0)
		return 0;
	return b->n >= l->max_docs || b->bytes >= l->max_bytes || now_ms - b->opened_ms >= l->max_ms;
}

int64_t es_batch_wait_ms(const struct es_batch *b, const struct es_limits *l, int64_t now_ms)
{
	if (b->n == 0)
		return l->max_ms;
	int64_t left = b->opened_ms + l->max_ms - now_ms;
	return left > 0 ? left : 0;
}

void es_batch_clear(struct es_batch *b)
{
	for (int k = 0; k < b->n; k++) {
		es_doc_free(&b->items[k].doc);
		free(b->items[k].reason);
		if (b->items[k].msg)
			rd_kafka_message_destroy(b->items[k].msg);
	}
	for (int i = 0; i < b->nkept; i++)
		rd_kafka_message_destroy(b->kept[i]);
	b->nkept = 0;
	b->n = 0;
	b->bytes = 0;
	b->collapsed = 0;
	if (b->slots)
		memset(b->slots, 0xff, (size_t)b->nslots * sizeof *b->slots);
}

void es_batch_free(struct es_batch *b)
{
	es_batch_clear(b);
	free(b->items);
	free(b->slots);
	free(b->kept);
	memset(b, 0, sizeof *b);
}
