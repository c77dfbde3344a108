/* Unit tests: lib/numfmt — every double must read back (strtod) as itself,
 * with no more digits than printf's shortest of %.15g/%.16g/%.17g; the
 * parser's fast path must equal strtod bit for bit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "numfmt.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_random(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

static int significant_digits(const char *s)
{
	int n = 0, started = 0, trailing = 0;
	for (; *s && *s != 'e'; s++) {
		if (*s < '0' || *s > '9')
			continue;
		started |= *s != '0';
		if (started)
			n++, trailing = *s == '0' ? trailing + 1 : 0;
	}
	return n - trailing;
}

static int printf_digits(double v)
{
	char buf[40];
	for (int prec = 15; prec < 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return significant_digits(buf);
	}
	return 17;
}

static void check(double v)
{
	char buf[NUMFMT_MAX + 8];
	memset(buf, 'x', sizeof buf);
	int n = numfmt_double(v, buf);
	if (n <= 0 || n >= NUMFMT_MAX || (int)strlen(buf) != n)
		fail_msg("%.17g: bad length %d", v, n);
	char *end;
	double back = strtod(buf, &end);
	if (*end || back != v)
		fail_msg("%.17g printed as \"%s\" reads back as %.17g", v, buf, back);
	if (significant_digits(buf) > printf_digits(v))
		fail_msg("%.17g printed as \"%s\": longer than printf's", v, buf);
}

static void doubles_round_trip(void **s)
{
	(void)s;
	const double fixed[] = {0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 10234.5, 70123.45678901234,
	                        1e-5, 1.0000000000000002e-5, 9.999999999999999e-6, 0.99999999999999989,
	                        1e15 - 0.5, 999999999999999.9, 123456789.123456789, 5e-324, 1e300,
	                        -0.1, -1234.5678, 4503599627370495.5, 0.30000000000000004};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		check(fixed[i]);
	for (int i = 0; i < 1000000; i++) { /* ratios like VWAP, EMA and log returns */
		double a = (double)(next_random() % 100000000000ULL + 1);
		double b = (double)(next_random() % 10000000 + 1);
		check(a / b);
		check(-b / a);
	}
	for (int i = 0; i < 1000000; i++) { /* any bit pattern in the fast range and around it */
		uint64_t bits = next_random();
		double v;
		memcpy(&v, &bits, sizeof v);
		if (isfinite(v))
			check(ldexp(frexp(v, &(int){0}), (int)(next_random() % 80) - 30));
	}
}

static void specials_and_integers(void **s)
{
	(void)s;
	char buf[NUMFMT_MAX];
	assert_int_equal(numfmt_double(NAN, buf), 4);
	assert_string_equal(buf, "null");
	numfmt_double(-INFINITY, buf);
	assert_string_equal(buf, "null");
	numfmt_double(-0.0, buf);
	assert_string_equal(buf, "0");
	numfmt_double(123456789012.0, buf);
	assert_string_equal(buf, "123456789012");
	numfmt_double(0.1, buf);
	assert_string_equal(buf, "0.1");
	numfmt_double(-70123.5, buf);
	assert_string_equal(buf, "-70123.5");
	numfmt_double(0.000012, buf);
	assert_string_equal(buf, "0.000012");
	numfmt_int(INT64_MIN, buf);
	assert_string_equal(buf, "-9223372036854775808");
	numfmt_int(INT64_MAX, buf);
	assert_string_equal(buf, "9223372036854775807");
	assert_int_equal(numfmt_int(0, buf), 1);
	assert_string_equal(buf, "0");
}

static void parse_equals_strtod(void **s)
{
	(void)s;
	const char *no[] = {"", "-", "1.", ".5", "-.5", "1e5", "1.2.3", "+1", " 1",
	                    "12345678901234567890", "1234567890.1234567890"};
	double v;
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (numfmt_parse(no[i], strlen(no[i]), &v) == 0)
			fail_msg("\"%s\" taken by the fast path", no[i]);
	for (int i = 0; i < 1000000; i++) {
		char text[40];
		uint64_t x = next_random();
		int frac = (int)(x % 8);
		int n = snprintf(text, sizeof text, "%s%llu", x & 1 ? "-" : "",
		                 (unsigned long long)((x >> 8) % 10000000ULL));
		if (frac)
			snprintf(text + n, sizeof text - (size_t)n, ".%0*llu", frac,
			         (unsigned long long)((x >> 32) % 100000000ULL % (uint64_t)pow(10, frac)));
		assert_int_equal(numfmt_parse(text, strlen(text), &v), 0);
		if (memcmp(&v, &(double){strtod(text, NULL)}, sizeof v))
			fail_msg("\"%s\": %.17g, strtod says %.17g", text, v, strtod(text, NULL));
	}
}

/* 16 to 19 digits (the feeds' VWAPs): the exact 128-bit path, and the
 * edges where rounding is decided (2^53 neighbours, ties, all nines). */
static void parse_long_equals_strtod(void **s)
{
	(void)s;
	const char *edge[] = {"9007199254740992", "9007199254740993", "9007199254740993.0",
	                      "900719925474099.25", "900719925474099.75", "9999999999999999999",
	                      "999999999999999999.9", "0.000000000000000001", "1.000000000000000055",
	                      "1.000000000000000056", "-15874.42748091603", "2440.8928571428573",
	                      "18446744073709551.61", "4503599627370496.5", "4503599627370497.5"};
	double v;
	for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
		assert_int_equal(numfmt_parse(edge[i], strlen(edge[i]), &v), 0);
		if (memcmp(&v, &(double){strtod(edge[i], NULL)}, sizeof v))
			fail_msg("\"%s\": %.17g, strtod says %.17g", edge[i], v, strtod(edge[i], NULL));
	}
	for (int i = 0; i < 2000000; i++) {
		char text[40], digs[24];
		uint64_t x = next_random(), y = next_random();
		int nd = 16 + (int)(x % 4), point = (int)((x >> 8) % (uint64_t)(nd + 1));
		for (int d = 0; d < nd; d++, y /= 10)
			digs[d] = (char)('0' + (d == 0 && point != 1 ? 1 + y % 9 : y % 10));
		if (i & 1) /* shortest doubles, as a feed prints them */
			snprintf(digs, sizeof digs, "%.17g", (double)(y % 100000000) + (double)(x >> 11) / 9007199254740992.0);
		int n = snprintf(text, sizeof text, "%s", (x >> 63) ? "-" : "");
		if (i & 1)
			n += snprintf(text + n, sizeof text - (size_t)n, "%s", digs);
		else if (point == 0 || point == nd)
			n += snprintf(text + n, sizeof text - (size_t)n, "%.*s", nd, digs);
		else
			n += snprintf(text + n, sizeof text - (size_t)n, "%.*s.%.*s", point, digs, nd - point,
			              digs + point);
		if (numfmt_parse(text, (size_t)n, &v) != 0)
			continue; /* "%.17g" may print an exponent or 20 digits: not ours */
		if (memcmp(&v, &(double){strtod(text, NULL)}, sizeof v))
			fail_msg("\"%s\": %.17g, strtod says %.17g", text, v, strtod(text, NULL));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(doubles_round_trip),
		cmocka_unit_test(specials_and_integers),
		cmocka_unit_test(parse_equals_strtod),
		cmocka_unit_test(parse_long_equals_strtod),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
