/* b64 — base64 (RFC 4648) for dead-letter payloads that are not UTF-8 and for
 * HTTP basic auth. */
#ifndef TP_B64_H
#define TP_B64_H

#include <stddef.h>

/* Encoded length without the terminating NUL. */
size_t b64_encoded_len(size_t n);
/* Writes the encoding of src[0..n) and a NUL into dst (b64_encoded_len(n)+1 bytes). */
void b64_encode(const unsigned char *src, size_t n, char *dst);
/* Decodes into dst (at least 3*len/4 bytes); returns the length, or -1 when
 * src is not valid base64. */
long b64_decode(const char *src, size_t len, unsigned char *dst);

#endif
