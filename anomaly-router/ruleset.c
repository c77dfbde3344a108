/* ruleset — rules indexed by symbol: an open-addressing table symbol → the
 * rules for ticks and for bars, plus the wildcard lists. Built once per
 * reload and never changed after, so the evaluation loop needs no lock. */
#include "rules.h"

#include <stdlib.h>
#include <string.h>

struct ar_slot {
	const char *symbol; /* NULL: empty */
	struct ar_rulelist lists[2];
};

struct ar_ruleset {
	struct ar_rule *rules;
	size_t nrules;
	struct ar_slot *slots;
	size_t cap; /* power of two */
	struct ar_rulelist wild[2];
	const struct ar_rule **ptrs; /* every list's storage, one allocation */
};

uint64_t ar_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct ar_slot *slot_for(const struct ar_ruleset *rs, const char *symbol)
{
	size_t i = ar_hash(symbol) & (rs->cap - 1);
	while (rs->slots[i].symbol && strcmp(rs->slots[i].symbol, symbol) != 0)
		i = (i + 1) & (rs->cap - 1);
	return &rs->slots[i];
}

static int is_wild(const struct ar_rule *r) { return strcmp(r->symbol, "*") == 0; }

/* Two passes: count each list's length, then carve the lists out of ptrs. */
static void fill(struct ar_ruleset *rs)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct ar_rule *r = &rs->rules[i];
		struct ar_rulelist *l = is_wild(r) ? &rs->wild[r->source]
		                                   : &slot_for(rs, r->symbol)->lists[r->source];
		if (!is_wild(r))
			slot_for(rs, r->symbol)->symbol = r->symbol;
		l->n++;
	}
	const struct ar_rule **p = rs->ptrs;
	for (int s = 0; s < 2; s++) {
		rs->wild[s].v = p;
		p += rs->wild[s].n;
		rs->wild[s].n = 0;
	}
	for (size_t i = 0; i < rs->cap; i++)
		for (int s = 0; s < 2; s++) {
			rs->slots[i].lists[s].v = p;
			p += rs->slots[i].lists[s].n;
			rs->slots[i].lists[s].n = 0;
		}
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct ar_rule *r = &rs->rules[i];
		struct ar_rulelist *l = is_wild(r) ? &rs->wild[r->source]
		                                   : &slot_for(rs, r->symbol)->lists[r->source];
		l->v[l->n++] = r;
	}
}

struct ar_ruleset *ar_ruleset_build(struct ar_rule *rules, size_t n)
{
	struct ar_ruleset *rs = calloc(1, sizeof *rs);
	if (!rs)
		return NULL;
	rs->rules = rules;
	rs->nrules = n;
	rs->cap = 16;
	while (rs->cap < 2 * n + 2)
		rs->cap *= 2;
	rs->slots = calloc(rs->cap, sizeof *rs->slots);
	rs->ptrs = calloc(n + 1, sizeof *rs->ptrs);
	if (!rs->slots || !rs->ptrs) {
		free(rs->slots);
		free(rs->ptrs);
		free(rs);
		return NULL;
	}
	fill(rs);
	return rs;
}

void ar_ruleset_free(struct ar_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->nrules; i++)
		ar_rule_free(&rs->rules[i]);
	free(rs->rules);
	free(rs->slots);
	free(rs->ptrs);
	free(rs);
}

size_t ar_ruleset_size(const struct ar_ruleset *rs) { return rs ? rs->nrules : 0; }

struct ar_rulelist ar_ruleset_for(const struct ar_ruleset *rs, const char *symbol,
                                  enum ar_src src)
{
	struct ar_rulelist none = {NULL, 0};
	if (!rs)
		return none;
	const struct ar_slot *s = slot_for(rs, symbol);
	return s->symbol ? s->lists[src] : none;
}

struct ar_rulelist ar_ruleset_wild(const struct ar_ruleset *rs, enum ar_src src)
{
	struct ar_rulelist none = {NULL, 0};
	return rs ? rs->wild[src] : none;
}

const struct ar_rule *ar_ruleset_find(const struct ar_ruleset *rs, const char *id)
{
	for (size_t i = 0; rs && i < rs->nrules; i++)
		if (strcmp(rs->rules[i].id, id) == 0)
			return &rs->rules[i];
	return NULL;
}
