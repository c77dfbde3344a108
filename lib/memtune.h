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
 * page and unmapped both; below it, freeing them left more than the trim
 * threshold at the top of the heap, which was handed back and faulted in
 * again the next time. A 2 MB mmap and a 4 MB trim threshold keep them:
 * 59,000 page faults per million ticks on the collector bench became 6,000.
 * What stays on the heap at low rates goes back through memtune_release. */
void memtune_producer(void);

/* Hands free heap memory back to the kernel (malloc_trim): call it once a
 * second or so while the program is quiet, where memtune_producer's trim
 * threshold would keep up to 4 MB a heap it does not need (busy, it needs
 * them, and trimming would hold the heap's lock for milliseconds). */
void memtune_release(void);

#endif
