/* jsonplain — how much of a string JSON carries as it is: the bytes before
 * the first '"', '\\' or control byte (< 0x20). The writer (jsonw) copies
 * that run in one go, the tick scanner (tickfast) accepts a string only when
 * the run reaches its closing quote. */
#ifndef TP_JSONPLAIN_H
#define TP_JSONPLAIN_H

#include <stddef.h>

/* Length of the leading run of s[0..n) that needs no escape (n if none). */
size_t json_plain_len(const char *s, size_t n);

#endif
