/* memtune — see memtune.h. */
#include "memtune.h"

#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

void memtune_apply(void)
{
#ifdef __GLIBC__
	if (!getenv("MALLOC_ARENA_MAX"))
		mallopt(M_ARENA_MAX, 2);
	if (!getenv("MALLOC_MMAP_THRESHOLD_"))
		mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
}

void memtune_producer(void)
{
#ifdef __GLIBC__
	if (!getenv("MALLOC_MMAP_THRESHOLD_"))
		mallopt(M_MMAP_THRESHOLD, 2 * 1024 * 1024);
	if (!getenv("MALLOC_TRIM_THRESHOLD_"))
		mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
#endif
}

void memtune_release(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}
