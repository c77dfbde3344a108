/* archive — every received frame, verbatim, into MongoDB (libmongoc).
 *
 * The websocket loop only copies a frame into a bounded buffer; a thread
 * writes batches with unordered bulk inserts. Documents:
 *   {_id, day, source, session, recv_ts (date), frame (string, or binary when
 *    not UTF-8)}
 * with _id = hex of the first 128 bits of SHA-256(source NUL frame): the same
 * frame archived twice (a replay, a resent batch) is a duplicate-key error,
 * counted and ignored. An index on {day, source} serves replays by day.
 * A MongoDB outage never reaches the Kafka path: frames wait in the buffer
 * (--archive-buffer frames), retried with backoff; past the bound new frames
 * are dropped, counted (archive_dropped_total) and logged. */
#ifndef COL_ARCHIVE_H
#define COL_ARCHIVE_H

#include "stats.h"

#include <stddef.h>
#include <stdint.h>

struct col_archive;

/* Starts the writer thread. uri NULL or "" disables archiving (returns NULL
 * without error). NULL with err on a bad URI. */
struct col_archive *col_archive_start(const char *uri, const char *db, const char *coll,
                                      long max_buffered, struct col_stats *stats, char *err,
                                      size_t errsize, int *failed);
/* Copies a frame into the buffer; never blocks on MongoDB. */
void col_archive_add(struct col_archive *a, const char *source, const char *session,
                     const char *day, const char *frame, size_t len, int64_t recv_ms);
/* Writes what is buffered for up to timeout_ms, stops the thread, frees.
 * Returns the frames left unarchived. */
long col_archive_stop(struct col_archive *a, int timeout_ms);

/* The archive _id of a frame (33 bytes with the NUL). */
void col_archive_id(const char *source, const char *frame, size_t len, char out[33]);

#endif
