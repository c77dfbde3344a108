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

/* For a program that produces at high rates (the collector), after app_init
 * and before the producer starts: librdkafka builds each ProduceRequest in
 * one buffer of up to message.max.bytes (1 MB) and compresses it into
 * another. Above the mmap threshold each request mapped, faulted in page by
 * page and unmapped both: 59,000 page faults and 557 munmaps per million
 * ticks on the collector bench, 10,000 and 6 with a 2 MB threshold (the
 * heap keeps them), RSS at 2,539 idle symbols unchanged. */
void memtune_producer(void);

#endif
