/* commit — epoch tracking between delivery reports and offset stores. */
#include "commit.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

struct epoch {
	long pending;
	int64_t *next; /* snapshot per partition, -1: nothing */
};

struct vs_commit {
	rd_kafka_t *consumer;
	char *topic;
	int64_t *next;   /* live "next offset" per partition */
	int64_t *stored; /* last stored per partition */
	int32_t nparts;
	struct epoch ring[VS_EPOCHS];
	uint64_t head, tail; /* oldest unsettled epoch; the open epoch */
	long failed, pending;
};

static int grow(struct vs_commit *c, int32_t part)
{
	if (part < c->nparts)
		return 0;
	int32_t n = part + 16;
	int64_t **arrs[VS_EPOCHS + 2];
	for (int i = 0; i < VS_EPOCHS; i++)
		arrs[i] = &c->ring[i].next;
	arrs[VS_EPOCHS] = &c->next;
	arrs[VS_EPOCHS + 1] = &c->stored;
	for (int i = 0; i < VS_EPOCHS + 2; i++) {
		int64_t *p = realloc(*arrs[i], (size_t)n * sizeof *p);
		if (!p)
			return -1;
		for (int32_t j = c->nparts; j < n; j++)
			p[j] = -1;
		*arrs[i] = p;
	}
	c->nparts = n;
	return 0;
}

struct vs_commit *vs_commit_new(rd_kafka_t *consumer, const char *topic)
{
	struct vs_commit *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->consumer = consumer;
	c->topic = strdup(topic);
	if (!c->topic || grow(c, 0)) {
		vs_commit_free(c);
		return NULL;
	}
	return c;
}

void vs_commit_free(struct vs_commit *c)
{
	if (!c)
		return;
	for (int i = 0; i < VS_EPOCHS; i++)
		free(c->ring[i].next);
	free(c->next);
	free(c->stored);
	free(c->topic);
	free(c);
}

void *vs_commit_token(struct vs_commit *c)
{
	c->ring[c->tail % VS_EPOCHS].pending++;
	c->pending++;
	return (void *)(uintptr_t)(c->tail + 1);
}

void vs_commit_done(struct vs_commit *c, void *token, int ok)
{
	uint64_t e = (uint64_t)(uintptr_t)token - 1;
	c->ring[e % VS_EPOCHS].pending--;
	c->pending--;
	if (!ok)
		c->failed++;
}

void vs_commit_processed(struct vs_commit *c, int32_t part, int64_t offset)
{
	if (part >= 0 && !grow(c, part))
		c->next[part] = offset + 1;
}

int vs_commit_seal(struct vs_commit *c)
{
	struct epoch *e = &c->ring[c->tail % VS_EPOCHS];
	memcpy(e->next, c->next, (size_t)c->nparts * sizeof *e->next);
	c->tail++;
	c->ring[c->tail % VS_EPOCHS].pending = 0;
	return c->tail - c->head >= VS_EPOCHS - 1;
}

static void store(struct vs_commit *c, const int64_t *next)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
	for (int32_t p = 0; p < c->nparts; p++)
		if (next[p] >= 0 && next[p] != c->stored[p]) {
			rd_kafka_topic_partition_list_add(l, c->topic, p)->offset = next[p];
			c->stored[p] = next[p];
		}
	if (l->cnt) {
		rd_kafka_resp_err_t e = rd_kafka_offsets_store(c->consumer, l);
		if (e)
			log_debug("offsets_store", "error=%s", rd_kafka_err2name(e));
	}
	rd_kafka_topic_partition_list_destroy(l);
}

void vs_commit_settle(struct vs_commit *c)
{
	while (!c->failed && c->head < c->tail && c->ring[c->head % VS_EPOCHS].pending == 0) {
		store(c, c->ring[c->head % VS_EPOCHS].next);
		c->head++;
	}
}

void vs_commit_forget(struct vs_commit *c, int32_t part)
{
	if (part < 0 || part >= c->nparts)
		return;
	c->next[part] = c->stored[part] = -1;
	for (int i = 0; i < VS_EPOCHS; i++)
		c->ring[i].next[part] = -1;
}

long vs_commit_failed(const struct vs_commit *c) { return c->failed; }
long vs_commit_pending(const struct vs_commit *c) { return c->pending; }
