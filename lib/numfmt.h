/* numfmt — integers and doubles as JSON number text, fast.
 *
 * Bars carry a dozen numbers each, and printf's "%.17g" plus a strtod check
 * cost about a microsecond per double: a third of vwap-stream's CPU. These
 * produce the same guarantee (the text reads back as exactly the same double)
 * with a few multiplications. See docs/developing.md, "Number formatting". */
#ifndef TP_NUMFMT_H
#define TP_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

#define NUMFMT_MAX 32 /* buffer size both functions need, NUL included */

/* Decimal text of v; returns its length. */
int numfmt_int(int64_t v, char *buf);

/* The shortest of 15, 16 or 17 significant digits that reads back (strtod)
 * as v; whole numbers below 2^53 print as integers, NaN and infinities as
 * null. Returns the length. */
int numfmt_double(double v, char *buf);

/* The other direction, for the common case: text -?D+(.D+)? of n bytes with
 * at most 19 digits in all, read as v / 10^k. Up to 2^53, v and 10^k are
 * exact doubles, so one division rounds correctly; above, an exact 128-bit
 * integer division does (the feeds' VWAPs carry 16-17 digits). Bit for bit
 * strtod's result. 0, or -1 for any other text (the caller falls back to
 * strtod). */
int numfmt_parse(const char *s, size_t n, double *out);

#endif
