/* symtab — symbol string → dense index, open addressing with linear probing.
 *
 * Lookups hash the symbol (FNV-1a) and compare a cached hash before the
 * bytes; the table doubles (rehash) when half full, which only happens when
 * a new symbol appears — never per tick once the symbols are known. Indexes
 * are stable: entries are never removed (a symbol that leaves with its
 * partition keeps its index and gets its state reset). */
#ifndef VS_SYMTAB_H
#define VS_SYMTAB_H

#include <stddef.h>
#include <stdint.h>

#define VS_SYM_MAX 16 /* bytes with the NUL, as struct tick's symbol */

struct vs_symtab {
	struct vs_slot {
		uint32_t hash;
		int32_t index; /* -1: empty */
		char key[VS_SYM_MAX];
	} *slots;
	uint32_t cap; /* power of two */
	int32_t count;
};

int vs_symtab_init(struct vs_symtab *t, uint32_t initial_cap);
void vs_symtab_free(struct vs_symtab *t);
uint32_t vs_symtab_hash(const char *key);
/* Index of key, or -1. */
int32_t vs_symtab_find(const struct vs_symtab *t, const char *key);
/* Index of key, adding it (index = previous count) when new; *created says
 * which. -1 when out of memory or the key is too long. */
int32_t vs_symtab_add(struct vs_symtab *t, const char *key, int *created);

#endif
