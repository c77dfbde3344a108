/* Unit tests: lib/tickfast against tick_decode (differential): generated
 * ticks in tick_encode's layout, then mutated copies — both decoders must
 * agree on accept/reject, on every field, and on the reject reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tick.h"
#include "tickfast.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

static int same_num(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static void assert_same(const char *json, size_t len)
{
	struct tick a, b;
	char ra[256] = "", rb[256] = "";
	int x = tickfast_decode(json, len, &a, ra, sizeof ra);
	int y = tick_decode(json, len, &b, rb, sizeof rb);
	if (x != y)
		fail_msg("disagree (fast %d, cjson %d) on %.*s", x, y, (int)len, json);
	if (x) {
		assert_string_equal(ra, rb);
		return;
	}
	assert_string_equal(a.id, b.id);
	assert_string_equal(a.source, b.source);
	assert_string_equal(a.symbol, b.symbol);
	assert_string_equal(a.exchange, b.exchange);
	assert_string_equal(a.day, b.day);
	assert_string_equal(a.side, b.side);
	assert_true(a.ts == b.ts && a.recv_ts == b.recv_ts);
	assert_true(same_num(a.price, b.price) && same_num(a.qty, b.qty));
	assert_true(same_num(a.cum_volume, b.cum_volume) && same_num(a.cum_turnover, b.cum_turnover));
	assert_true(same_num(a.feed_vwap, b.feed_vwap));
}

static double random_num(void)
{
	switch (next() % 5) {
	case 0: return (double)(next() % 1000000);
	case 1: return (double)(next() % 100000) / 100.0;
	case 2: return (double)(next() % 1000000000000000ULL) * 7.0; /* beyond 15 digits */
	case 3: return ldexp((double)(next() % 1000), -(int)(next() % 40));
	default: return 1e21 * (double)(next() % 9 + 1);
	}
}

static void random_tick(struct tick *t)
{
	static const char *sides[] = {"", "buy", "sell"};
	tick_clear(t);
	snprintf(t->id, sizeof t->id, "kis|%06u|20261120|%u", (unsigned)(next() % 999999),
	         (unsigned)(next() % 100000));
	snprintf(t->source, sizeof t->source, next() % 2 ? "kis" : "finnhub");
	snprintf(t->symbol, sizeof t->symbol, next() % 2 ? "%06u" : "SYM%u", (unsigned)(next() % 999999));
	snprintf(t->exchange, sizeof t->exchange, next() % 2 ? "KRX" : "US");
	snprintf(t->day, sizeof t->day, "2026-%02u-%02u", (unsigned)(next() % 12 + 1),
	         (unsigned)(next() % 28 + 1));
	t->ts = 1763856001000 + (int64_t)(next() % 100000000);
	t->price = random_num() + 1;
	t->qty = next() % 7 ? random_num() : 0;
	if (next() % 2) {
		t->cum_volume = random_num();
		t->cum_turnover = random_num();
	}
	if (next() % 2)
		t->feed_vwap = random_num();
	snprintf(t->side, sizeof t->side, "%s", sides[next() % 3]);
	if (next() % 2)
		t->recv_ts = t->ts + (int64_t)(next() % 50);
}

static void test_encoded_ticks_take_the_fast_path(void **state)
{
	(void)state;
	char buf[TICK_JSON_MAX];
	struct tick t, f;
	int fast = 0;
	for (int i = 0; i < 20000; i++) {
		random_tick(&t);
		size_t n = tick_encode(&t, buf, sizeof buf);
		assert_true(n > 0);
		assert_same(buf, n);
		fast += tickfast_try(buf, n, &f) == 0;
	}
	assert_true(fast > 19000); /* only exotic numbers fall back */
}

static const char *const inserts[] = {" ", "\\\"", "\\u0041", "\"", ",", "}", "-", ".", "e",
                                      "0", "null", "\"x\":1,", "\t", "1e999"};

static void test_mutations_agree(void **state)
{
	(void)state;
	char buf[TICK_JSON_MAX], m[TICK_JSON_MAX * 2];
	struct tick t;
	for (int i = 0; i < 100000; i++) {
		random_tick(&t);
		size_t n = tick_encode(&t, buf, sizeof buf), k = next() % n;
		switch (next() % 4) {
		case 0: /* flip a byte */
			memcpy(m, buf, n);
			m[k] = (char)(next() & 0xff);
			break;
		case 1: /* truncate */
			memcpy(m, buf, n);
			n = k;
			break;
		case 2: { /* insert a token */
			const char *s = inserts[next() % (sizeof inserts / sizeof *inserts)];
			size_t sl = strlen(s);
			memcpy(m, buf, k);
			memcpy(m + k, s, sl);
			memcpy(m + k + sl, buf + k, n - k);
			n += sl;
			break;
		}
		default: /* delete a byte */
			memcpy(m, buf, k);
			memcpy(m + k, buf + k + 1, n - k - 1);
			n--;
		}
		assert_same(m, n);
	}
}

static void test_edge_cases(void **state)
{
	(void)state;
	static const char *const cases[] = {
		"{\"v\":1,\"id\":\"a\",\"source\":\"s\",\"symbol\":\"X\",\"exchange\":\"KRX\",\"ts\":1,"
		"\"day\":\"2026-11-20\",\"price\":1,\"qty\":0}",
		"{\"v\":1,\"id\":\"a\",\"source\":\"s\",\"symbol\":\"X\",\"exchange\":\"KRX\",\"ts\":0,"
		"\"day\":\"2026-11-20\",\"price\":1,\"qty\":0}",
		"{\"v\":1,\"id\":\"a\",\"source\":\"s\",\"symbol\":\"X\",\"exchange\":\"KRX\",\"ts\":1,"
		"\"day\":\"2026-13-20\",\"price\":1,\"qty\":0}",
		"{\"v\":1,\"id\":\"a\",\"source\":\"s\",\"symbol\":\"X\",\"exchange\":\"KRX\",\"ts\":1.5,"
		"\"day\":\"2026-11-20\",\"price\":1,\"qty\":0}",
		"{\"v\":1,\"id\":\"a\",\"source\":\"s\",\"symbol\":\"X\",\"exchange\":\"KRX\",\"ts\":1,"
		"\"day\":\"2026-11-20\",\"price\":01,\"qty\":0}",
		"{\"v\":1,\"id\":\"a\",\"source\":\"s\",\"symbol\":\"X\",\"exchange\":\"KRX\",\"ts\":1,"
		"\"day\":\"2026-11-20\",\"price\":1,\"qty\":0,\"side\":\"hold\"}",
		"{\"v\":1,\"id\":\"a\",\"source\":\"s\",\"symbol\":\"X\",\"exchange\":\"KRX\",\"ts\":1,"
		"\"day\":\"2026-11-20\",\"price\":1,\"qty\":0}trailing",
		"{\"v\":1,\"id\":\"\",\"source\":\"s\",\"symbol\":\"X\",\"exchange\":\"KRX\",\"ts\":1,"
		"\"day\":\"2026-11-20\",\"price\":1,\"qty\":0}",
		"{\"v\":1,\"id\":\"a\",\"source\":\"s\",\"symbol\":\"0123456789abcdef\",\"exchange\":"
		"\"KRX\",\"ts\":1,\"day\":\"2026-11-20\",\"price\":1,\"qty\":0}",
		"{\"v\":1,\"id\":\"a\",\"source\":\"s\",\"symbol\":\"X\",\"exchange\":\"KRX\",\"ts\":1,"
		"\"day\":\"2026-11-20\",\"price\":1.0e-400,\"qty\":0}",
		"{\"v\":2,\"id\":\"a\"}", "", "{", "[]", "null",
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		assert_same(cases[i], strlen(cases[i]));
}

/* The string scan (lib/jsonplain) reads eight bytes at a time: a quote, a
 * backslash or a control byte at any position of the first, second or third
 * word, or of the byte-wise tail, must make the fast path agree with
 * tick_decode (reject); DEL and UTF-8 bytes at any position are plain. */
static void test_string_scan_every_position(void **state)
{
	(void)state;
	static const char specials[] = {'"', '\\', '\n', 0x01, 0x1f};
	for (size_t len = 1; len <= 27; len++)
		for (size_t at = 0; at < len; at++)
			for (size_t k = 0; k < sizeof specials; k++) {
				char id[32], json[256];
				memset(id, 'a' + (int)(at % 26), len);
				id[len] = '\0';
				id[at] = specials[k];
				int n = snprintf(json, sizeof json,
				                 "{\"v\":1,\"id\":\"%s\",\"source\":\"s\",\"symbol\":\"X\","
				                 "\"exchange\":\"KRX\",\"ts\":1,\"day\":\"2026-11-20\","
				                 "\"price\":1,\"qty\":0}", id);
				assert_same(json, (size_t)n);
				id[at] = 0x7f; /* DEL and bytes >= 0x80 are plain */
				n = snprintf(json, sizeof json,
				             "{\"v\":1,\"id\":\"%s\xc3\xa9\",\"source\":\"s\",\"symbol\":\"X\","
				             "\"exchange\":\"KRX\",\"ts\":1,\"day\":\"2026-11-20\","
				             "\"price\":1,\"qty\":0}", id);
				struct tick t;
				assert_int_equal(tickfast_try(json, (size_t)n, &t), 0);
				assert_int_equal(strlen(t.id), len + 2);
			}
}

/* The digit loop: every length up to 20 digits (past the 15 read exactly and
 * the 19 that fit), with a point, an exponent or a stray byte at every position. */
static void test_number_scan_every_position(void **state)
{
	(void)state;
	static const char cut[] = {'.', 'e', ':', '/', 0x7f};
	for (size_t len = 1; len <= 20; len++)
		for (size_t at = 0; at <= len; at++)
			for (size_t k = 0; k < sizeof cut; k++) {
				char digits[32], json[256];
				for (size_t i = 0; i < len; i++)
					digits[i] = (char)('1' + (i * 7 + len) % 9);
				digits[len] = '\0';
				if (at < len)
					digits[at] = cut[k];
				int n = snprintf(json, sizeof json,
				                 "{\"v\":1,\"id\":\"a\",\"source\":\"s\",\"symbol\":\"X\","
				                 "\"exchange\":\"KRX\",\"ts\":%s,\"day\":\"2026-11-20\","
				                 "\"price\":%s,\"qty\":0}", digits, digits);
				assert_same(json, (size_t)n);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoded_ticks_take_the_fast_path),
		cmocka_unit_test(test_mutations_agree),
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_string_scan_every_position),
		cmocka_unit_test(test_number_scan_every_position),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
