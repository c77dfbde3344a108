/* symtab — open-addressing symbol table. See symtab.h. */
#include "symtab.h"

#include <stdlib.h>
#include <string.h>

uint32_t vs_symtab_hash(const char *key)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

static struct vs_slot *alloc_slots(uint32_t cap)
{
	struct vs_slot *s = malloc(cap * sizeof *s);
	if (s)
		for (uint32_t i = 0; i < cap; i++)
			s[i].index = -1;
	return s;
}

int vs_symtab_init(struct vs_symtab *t, uint32_t initial_cap)
{
	uint32_t cap = 16;
	while (cap < initial_cap * 2)
		cap <<= 1;
	t->slots = alloc_slots(cap);
	t->cap = cap;
	t->count = 0;
	return t->slots ? 0 : -1;
}

void vs_symtab_free(struct vs_symtab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = 0;
	t->count = 0;
}

static uint32_t probe(const struct vs_symtab *t, const char *key, uint32_t h)
{
	uint32_t i = h & (t->cap - 1);
	while (t->slots[i].index >= 0 &&
	       (t->slots[i].hash != h || strcmp(t->slots[i].key, key) != 0))
		i = (i + 1) & (t->cap - 1);
	return i;
}

int32_t vs_symtab_find(const struct vs_symtab *t, const char *key)
{
	return t->slots[probe(t, key, vs_symtab_hash(key))].index;
}

static int grow(struct vs_symtab *t)
{
	struct vs_symtab n = {alloc_slots(t->cap * 2), t->cap * 2, t->count};
	if (!n.slots)
		return -1;
	for (uint32_t i = 0; i < t->cap; i++)
		if (t->slots[i].index >= 0)
			n.slots[probe(&n, t->slots[i].key, t->slots[i].hash)] = t->slots[i];
	free(t->slots);
	*t = n;
	return 0;
}

int32_t vs_symtab_add(struct vs_symtab *t, const char *key, int *created)
{
	*created = 0;
	if (strlen(key) >= VS_SYM_MAX)
		return -1;
	uint32_t h = vs_symtab_hash(key);
	uint32_t i = probe(t, key, h);
	if (t->slots[i].index >= 0)
		return t->slots[i].index;
	if ((uint32_t)(t->count + 1) * 2 > t->cap) {
		if (grow(t))
			return -1;
		i = probe(t, key, h);
	}
	t->slots[i].hash = h;
	t->slots[i].index = t->count++;
	strcpy(t->slots[i].key, key);
	*created = 1;
	return t->slots[i].index;
}
