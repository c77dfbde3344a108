/* normalize — turns one feed record into a `ticks` message (lib/tick.h). */
#ifndef COL_NORMALIZE_H
#define COL_NORMALIZE_H

#include "kis.h"
#include "tick.h"

#include <stdint.h>

/* Fills t from record r of a parsed H0STCNT0 frame. Event time is BSOP_DATE +
 * STCK_CNTG_HOUR in KST (UTC+9, no DST); when BSOP_DATE is empty the KST date
 * of recv_ms is used. Id: kis|symbol|YYYYMMDD|HHMMSS|ACML_VOL — cumulative
 * volume grows with every trade of a symbol's day, so the id is unique and
 * the same when a frame is received or replayed twice. 0, or -1 with reason. */
int col_kis_to_tick(const struct col_kis_frame *f, int r, int64_t recv_ms, struct tick *t,
                    char *reason, size_t rsize);

/* Epoch ms of a KST date (YYYYMMDD) and time (HHMMSS); -1 when malformed. */
int64_t col_kst_epoch_ms(const char *yyyymmdd, const char *hhmmss);
/* YYYY-MM-DD in KST for epoch ms. */
void col_kst_day(int64_t epoch_ms, char out[11]);

/* A strict number: the whole string, finite. 0 or -1. */
int col_parse_num(const char *s, double *out);

#endif
