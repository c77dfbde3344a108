/* kis_frame — the KIS data frame parser: `E|TRID|NNN|f0^f1^...`.
 *
 * Pain points it is built around: readers that took only the first record of
 * a batch (NNN > 1 at the open and close), strict length checks that broke
 * when KIS added columns, empty fields. So: slice by the announced count,
 * tolerate extra trailing fields, allow empty fields. */
#include "kis.h"

#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Reads the header up to the payload; returns the payload offset or -1. */
static long parse_header(const char *s, size_t len, struct col_kis_frame *f, char *reason,
                         size_t rsize)
{
	if (len < 8 || (s[0] != '0' && s[0] != '1') || s[1] != '|') {
		snprintf(reason, rsize, "kis frame: header must start with 0| or 1|");
		return -1;
	}
	f->encrypted = s[0] == '1';
	const char *bar = memchr(s + 2, '|', len - 2);
	size_t idlen = bar ? (size_t)(bar - (s + 2)) : 0;
	if (!bar || idlen == 0 || idlen >= sizeof f->tr_id) {
		snprintf(reason, rsize, "kis frame: bad tr_id");
		return -1;
	}
	memcpy(f->tr_id, s + 2, idlen);
	f->tr_id[idlen] = 0;
	size_t p = (size_t)(bar - s) + 1;
	int n = 0, digits = 0;
	while (p < len && s[p] >= '0' && s[p] <= '9' && digits < 4) {
		n = n * 10 + (s[p++] - '0');
		digits++;
	}
	if (digits == 0 || digits > 3 || p >= len || s[p] != '|' || n < 1) {
		snprintf(reason, rsize, "kis frame: record count must be 001..999");
		return -1;
	}
	f->nrec = n;
	return (long)p + 1;
}

/* Copies payload[i..n) into scratch and splits it at '^', fields[nf] being
 * the next field; returns the field count, -1 past maxfields, -2 at a NUL. */
static int split_bytes(const char *payload, size_t i, size_t n, char *scratch, char **fields,
                       int nf, int maxfields)
{
	for (; i < n; i++) {
		char c = payload[i];
		if (c == '^') {
			if (nf >= maxfields)
				return -1;
			scratch[i] = 0;
			fields[nf++] = scratch + i + 1;
		} else if (!c) {
			return -2;
		} else {
			scratch[i] = c;
		}
	}
	scratch[n] = 0;
	return nf;
}

#ifdef __SSE2__
/* Field starts of one 16-byte chunk (separator mask m, bit k: byte k) into
 * out. A chunk of a KIS record holds 2 to 4 separators (95%): four are
 * written unconditionally (a loop mispredicted its exit at almost every
 * chunk); slots past the count are overwritten by the next chunk. */
static void chunk_fields(unsigned m, char *base, char **out)
{
	for (int k = 0; k < 4; k++, m &= m - 1)
		out[k] = base + __builtin_ctz(m | 0x10000) + 1; /* bit 16: a spare slot */
	for (out += 4; m; m &= m - 1)
		*out++ = base + __builtin_ctz(m) + 1;
}

/* split_bytes from the start, 16 bytes at a time: fields are a few bytes
 * long, so a branch per byte mispredicted at every separator (and a memchr
 * call per field cost more still). */
static int split(const char *payload, size_t n, char *scratch, char **fields, int maxfields)
{
	const __m128i caret = _mm_set1_epi8('^'), zero = _mm_setzero_si128(), one = _mm_set1_epi8(1);
	int nf = 1;
	size_t i = 0;
	fields[0] = scratch;
	for (; i + 16 <= n; i += 16) {
		__m128i c = _mm_loadu_si128((const __m128i *)(payload + i));
		__m128i is_sep = _mm_cmpeq_epi8(c, caret);
		if (_mm_movemask_epi8(_mm_cmpeq_epi8(c, zero)) || nf + 16 > maxfields)
			break; /* the byte loop finds which error comes first */
		_mm_storeu_si128((__m128i *)(scratch + i), _mm_andnot_si128(is_sep, c));
		chunk_fields((unsigned)_mm_movemask_epi8(is_sep), scratch + i, fields + nf);
		__m128i cnt = _mm_sad_epu8(_mm_and_si128(is_sep, one), zero); /* per 8-byte half */
		nf += _mm_cvtsi128_si32(cnt) + _mm_extract_epi16(cnt, 4);
	}
	return split_bytes(payload, i, n, scratch, fields, nf, maxfields);
}
#else
static int split(const char *payload, size_t n, char *scratch, char **fields, int maxfields)
{
	fields[0] = scratch;
	return split_bytes(payload, 0, n, scratch, fields, 1, maxfields);
}
#endif

int col_kis_parse_frame(const char *frame, size_t len, char *scratch, char **fields,
                        int maxfields, struct col_kis_frame *f, char *reason, size_t rsize)
{
	memset(f, 0, sizeof *f);
	long off = parse_header(frame, len, f, reason, rsize);
	if (off < 0)
		return -1;
	if (memchr(frame, 0, (size_t)off)) {
		snprintf(reason, rsize, "kis frame: NUL byte in frame");
		return -1;
	}
	if (f->encrypted) {
		snprintf(reason, rsize, "kis frame: encrypted %s frames are not collected", f->tr_id);
		return -1;
	}
	int nf = split(frame + off, len - (size_t)off, scratch, fields, maxfields);
	if (nf == -2) {
		snprintf(reason, rsize, "kis frame: NUL byte in frame");
		return -1;
	}
	if (nf < 0) {
		snprintf(reason, rsize, "kis frame: more than %d fields", maxfields);
		return -1;
	}
	if (nf < f->nrec * COL_KIS_NFIELDS) {
		snprintf(reason, rsize, "kis frame: %d records need %d fields, got %d", f->nrec,
		         f->nrec * COL_KIS_NFIELDS, nf);
		return -1;
	}
	/* Every record grew by the same number of columns, or the surplus sits at
	 * the end of the frame: both keep the first 46 fields of each record. */
	f->stride = nf % f->nrec == 0 ? nf / f->nrec : COL_KIS_NFIELDS;
	f->nfields = nf;
	f->field = fields;
	return 0;
}
