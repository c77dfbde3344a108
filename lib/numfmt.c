/* numfmt — fast JSON number text. See numfmt.h.
 *
 * Doubles: for 1e-5 <= |v| < 1e15, |v|·10^s is computed exactly in 128-bit
 * integers and rounded to 15, then 16, then 17 significant digits. A
 * candidate is taken when it is nearer to v than half the distance to v's
 * neighbouring doubles, which is exactly when strtod maps the text back to
 * v; 17 digits always pass. That is printf's "%.15g", "%.16g", "%.17g" with
 * a strtod check, without the multi-precision arithmetic. Elsewhere (tiny or
 * huge magnitudes, or compilers without __int128) it falls back to printf. */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int utoa(uint64_t u, char *buf)
{
	char tmp[20];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	for (int i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

int numfmt_int(int64_t v, char *buf)
{
	if (v >= 0)
		return utoa((uint64_t)v, buf);
	buf[0] = '-';
	return 1 + utoa(-(uint64_t)v, buf + 1); /* INT64_MIN included */
}

/* r·10^-shift without an exponent, trailing fraction zeros dropped. */
static int put_scaled(int neg, uint64_t r, int shift, char *buf)
{
	char dig[24];
	int n = utoa(r, dig), len = 0;
	while (shift > 0 && dig[n - 1] == '0')
		n--, shift--;
	if (neg)
		buf[len++] = '-';
	if (n > shift) {
		memcpy(buf + len, dig, (size_t)(n - shift));
		len += n - shift;
		if (shift)
			buf[len++] = '.';
	} else {
		buf[len++] = '0';
		buf[len++] = '.';
		memset(buf + len, '0', (size_t)(shift - n));
		len += shift - n;
	}
	memcpy(buf + len, dig + (n > shift ? n - shift : 0), (size_t)(n > shift ? shift : n));
	len += n > shift ? shift : n;
	buf[len] = '\0';
	return len;
}

static int printf_shortest(double v, char *buf)
{
	for (int prec = 15; prec <= 17; prec++) {
		int n = snprintf(buf, NUMFMT_MAX, "%.*g", prec, v);
		if (prec == 17 || strtod(buf, NULL) == v)
			return n;
	}
	return 0; /* not reached */
}

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;

/* 5^0 .. 5^22: below 2^52, so m·5^s stays below 2^105. */
static uint64_t pow5(int s)
{
	uint64_t p = 1;
	while (s-- > 0)
		p *= 5;
	return p;
}

/* Rounds a·10^shift to the integer *r, exactly: a = m·2^e, so a·10^shift =
 * N·2^-k with N = m·5^shift and k = -(e + shift). The text r·10^-shift reads
 * back as a iff it is nearer to a than half the gap to the neighbour on its
 * side; in units of 2^-k that gap is 5^shift (half of it below a power of 2). */
static int reads_back(double a, int shift, uint64_t *r)
{
	int exp;
	uint64_t m = (uint64_t)ldexp(frexp(a, &exp), 53); /* a = m·2^(exp-53) */
	int k = 53 - exp - shift;
	if (k < 1 || k > 120)
		return 0;
	uint64_t gap = pow5(shift);
	u128 n = (u128)m * gap, one = (u128)1 << k;
	u128 rem = n & (one - 1);
	int up = rem >= one / 2;
	u128 dist = up ? one - rem : rem;
	u128 limit = up || m != (1ULL << 52) ? 2 * dist : 4 * dist;
	if (limit >= gap)
		return 0;
	*r = (uint64_t)(n >> k) + (uint64_t)up;
	return 1;
}

static int scaled(double a, int neg, char *buf)
{
	int e10 = (int)floor(log10(a));
	for (int d = 15; d <= 17; d++) {
		uint64_t r;
		int shift = d - 1 - e10;
		if (shift >= 0 && shift <= 22 && reads_back(a, shift, &r))
			return put_scaled(neg, r, shift, buf);
	}
	return printf_shortest(neg ? -a : a, buf);
}
#else
static int scaled(double a, int neg, char *buf) { return printf_shortest(neg ? -a : a, buf); }
#endif

int numfmt_double(double v, char *buf)
{
	if (!isfinite(v))
		return (int)(memcpy(buf, "null", 5), 4);
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return numfmt_int((int64_t)v, buf);
	double a = fabs(v);
	if (!(a >= 1e-5 && a < 1e15))
		return printf_shortest(v, buf);
	return scaled(a, v < 0, buf);
}

int numfmt_parse(const char *s, size_t n, double *out)
{
	static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	                               1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
	size_t i = n > 0 && s[0] == '-', start = i;
	int64_t v = 0;
	int digits = 0, frac = -1; /* -1: no point seen */
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (++digits > 15)
				return -1;
			v = v * 10 + (s[i] - '0');
			frac += frac >= 0;
		} else if (s[i] == '.' && frac < 0 && i > start) {
			frac = 0;
		} else {
			return -1;
		}
	}
	if (!digits || frac == 0) /* "", "-", "1." */
		return -1;
	double d = s[0] == '-' ? -(double)v : (double)v;
	*out = frac > 0 ? d / pow10[frac] : d;
	return 0;
}
