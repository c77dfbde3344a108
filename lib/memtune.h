/* memtune — glibc malloc settings for programs whose large buffers come and go.
 *
 * librdkafka decompresses each fetched batch into one buffer (megabytes for
 * a replay) and frees it from another thread once its last message is gone.
 * With glibc's defaults that memory stays in per-thread arenas and the
 * dynamic mmap threshold climbs to the largest buffer seen, so RSS keeps the
 * high-water mark of every thread. Two arenas and a fixed mmap threshold
 * send large buffers straight back to the kernel: on the vwap-stream bench
 * RSS fell from 90 to 66 MB and throughput rose, fewer page faults.
 * MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_ in the environment still win. */
#ifndef TP_MEMTUNE_H
#define TP_MEMTUNE_H

/* Called by app_init, before any library starts a thread. */
void memtune_apply(void);

#endif
