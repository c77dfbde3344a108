/* es_hold — pausing partitions while a batch waits, and outage bookkeeping. */
#ifndef ES_HOLD_H
#define ES_HOLD_H

#include "es_sink.h"

#include <stdint.h>

/* Pauses the assignment and polls the consumer for ms. -1 when the drain
 * deadline after SIGTERM has passed. */
int es_hold_wait(struct es_sink *s, int64_t ms);
/* Resumes the assignment when it was paused. */
void es_hold_release(struct es_sink *s);
int es_hold_expired(struct es_sink *s);

/* One log line when an outage starts (status 0: no answer) and one when it ends. */
void es_outage_begin(struct es_sink *s, long status, const char *why);
void es_outage_end(struct es_sink *s);

#endif
