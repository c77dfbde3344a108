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

/* Decimal digits in u (1 for 0). */
static int count_digits(uint64_t u)
{
	static const uint64_t pow10[] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL,
	                                 1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
	                                 10000000000ULL, 100000000000ULL, 1000000000000ULL,
	                                 10000000000000ULL, 100000000000000ULL,
	                                 1000000000000000ULL, 10000000000000000ULL,
	                                 100000000000000000ULL, 1000000000000000000ULL,
	                                 10000000000000000000ULL};
	int bits = 64 - __builtin_clzll(u | 1), n = (bits * 1233) >> 12; /* bits·log10(2): 0..19 */
	return n + ((u | 1) >= pow10[n]);
}

static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                            "25262728293031323334353637383940414243444546474849"
                            "50515253545556575859606162636465666768697071727374"
                            "75767778798081828384858687888990919293949596979899";

/* Exactly 8 digits of v < 10^8: two independent halves of 4. */
static void put8(char *p, uint32_t v)
{
	uint32_t hi = v / 10000, lo = v % 10000;
	memcpy(p, pairs + 2 * (hi / 100), 2);
	memcpy(p + 2, pairs + 2 * (hi % 100), 2);
	memcpy(p + 4, pairs + 2 * (lo / 100), 2);
	memcpy(p + 6, pairs + 2 * (lo % 100), 2);
}

/* Written from the end: 8 digits per 64-bit division, then two per 32-bit
 * one (integers are most of the numbers printed; epoch ms have 13 digits). */
static int utoa(uint64_t u, char *buf)
{
	int len = count_digits(u);
	char *p = buf + len;
	*p = '\0';
	for (; u >= 100000000; u /= 100000000)
		put8(p -= 8, (uint32_t)(u % 100000000));
	uint32_t v = (uint32_t)u;
	for (; v >= 100; v /= 100)
		memcpy(p -= 2, pairs + 2 * (v % 100), 2);
	if (v >= 10)
		memcpy(p - 2, pairs + 2 * v, 2);
	else
		p[-1] = (char)('0' + v);
	return len;
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
static const uint64_t pow5[] = {
	1ULL, 5ULL, 25ULL, 125ULL, 625ULL, 3125ULL, 15625ULL, 78125ULL, 390625ULL, 1953125ULL,
	9765625ULL, 48828125ULL, 244140625ULL, 1220703125ULL, 6103515625ULL, 30517578125ULL,
	152587890625ULL, 762939453125ULL, 3814697265625ULL, 19073486328125ULL, 95367431640625ULL,
	476837158203125ULL, 2384185791015625ULL
};

/* Rounds a·10^shift to the integer *r, exactly: a = m·2^e (e = exp - 53), so
 * a·10^shift = N·2^-k with N = m·5^shift and k = -(e + shift). The text
 * r·10^-shift reads back as a iff it is nearer to a than half the gap to the
 * neighbour on its side; in units of 2^-k that gap is 5^shift (half of it
 * below a power of 2). */
static int reads_back(uint64_t m, int exp, int shift, uint64_t *r)
{
	int k = 53 - exp - shift;
	if (k < 1 || k > 120)
		return 0;
	uint64_t gap = pow5[shift];
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

/* a = m·2^(exp-53) with m of 53 bits, as ldexp(frexp(a, &exp), 53) gives
 * (a is a normal double here), read off its bits once for all tries. */
static uint64_t mantissa(double a, int *exp)
{
	uint64_t bits;
	memcpy(&bits, &a, sizeof bits);
	*exp = (int)(bits >> 52 & 0x7ff) - 1022;
	return (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
}

static int scaled(double a, int neg, char *buf)
{
	int e10 = (int)floor(log10(a)), exp;
	uint64_t m = mantissa(a, &exp);
	for (int d = 15; d <= 17; d++) {
		uint64_t r;
		int shift = d - 1 - e10;
		if (shift >= 0 && shift <= 22 && reads_back(m, exp, shift, &r))
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

#ifdef __SIZEOF_INT128__
/* v / 10^k for v > 2^53 (up to 19 digits, 1 <= k <= 19), correctly rounded:
 * q = floor(v·2^sh / 10^k) exactly in 128 bits (v·2^sh < 2^(64+bits(10^k))),
 * 64 or 65 bits long, cut to 53 with round-half-even; a nonzero remainder
 * breaks ties upwards. */
static double div_pow10(uint64_t v, int k)
{
	uint64_t b = 1;
	for (int i = 0; i < k; i++)
		b *= 10;
	int sh = 64 + (64 - __builtin_clzll(b)) - (64 - __builtin_clzll(v)); /* 4..74 */
	u128 n = (u128)v << sh, q = n / b;
	int sticky = n - q * b != 0;
	int qb = 128 - (q >> 64 ? __builtin_clzll((uint64_t)(q >> 64)) : 64 + __builtin_clzll((uint64_t)q));
	int drop = qb - 53;
	uint64_t m = (uint64_t)(q >> drop), rest = (uint64_t)q & ((1ULL << drop) - 1);
	uint64_t half = 1ULL << (drop - 1);
	m += rest > half || (rest == half && (sticky || (m & 1)));
	return ldexp((double)m, drop - sh); /* m <= 2^53: exact */
}
#endif

int numfmt_parse(const char *s, size_t n, double *out)
{
	static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,
	                               1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19};
	size_t i = n > 0 && s[0] == '-', start = i, point = 0;
	uint64_t v = 0; /* wraps past 19 digits, which are refused below */
	for (; i < n && (unsigned)(s[i] - '0') < 10; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	size_t whole = i - start;
	if (i < n && s[i] == '.') {
		point = ++i;
		for (; i < n && (unsigned)(s[i] - '0') < 10; i++)
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	size_t frac = point ? i - point : 0;
	if (i != n || !whole || (point && !frac) || whole + frac > 19) /* "", "-", ".5", "1." */
		return -1;
	int k = (int)frac;
	double d;
	if (v <= (1ULL << 53) || k == 0) /* v exact (or one rounding), 10^k exact */
		d = (double)v / pow10[k];
	else
#ifdef __SIZEOF_INT128__
		d = div_pow10(v, k);
#else
		return -1;
#endif
	*out = s[0] == '-' ? -d : d;
	return 0;
}
