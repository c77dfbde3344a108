/* encode — the hot path's `ticks` writer. Same JSON as lib/tick.c's
 * tick_encode (the unit tests decode both and compare), but integers are
 * written without printf and the feed's own decimal text (KIS
 * WGHN_AVRG_STCK_PRC) is copied verbatim when it is a plain JSON number, so
 * no double is formatted per trade: printf and strtod were most of the CPU. */
#ifndef COL_ENCODE_H
#define COL_ENCODE_H

#include "tick.h"

#include <stddef.h>

/* Writes t; vwap_text (or NULL) replaces feed_vwap's formatting. Returns the
 * length, 0 when buf is too small. */
size_t col_tick_json(const struct tick *t, const char *vwap_text, char *buf, size_t size);
/* 1 when s is a JSON number in plain decimal notation: -?(0|[1-9]d*)(.d+)? */
int col_is_json_decimal(const char *s);

#endif
