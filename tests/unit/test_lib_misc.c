/* Unit tests: lib/backoff, lib/b64 and lib/clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "b64.h"
#include "backoff.h"
#include "clock.h"

#include <string.h>

static void backoff_grows_to_cap_with_jitter(void **s)
{
	(void)s;
	struct backoff b = {0};
	backoff_init(&b, 100, 5000);
	int64_t caps[] = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		int64_t d = backoff_next(&b);
		if (d < caps[i] / 2 || d > caps[i])
			fail_msg("attempt %zu: delay %ld outside [%ld, %ld]", i, (long)d, (long)caps[i] / 2, (long)caps[i]);
	}
	backoff_reset(&b);
	assert_true(backoff_next(&b) <= 100);
	/* jitter: two clients seeded differently do not retry in lockstep */
	struct backoff x = {.rng = 1}, y = {.rng = 99991};
	backoff_init(&x, 1000, 60000);
	backoff_init(&y, 1000, 60000);
	int same = 0;
	for (int i = 0; i < 8; i++)
		same += backoff_next(&x) == backoff_next(&y);
	assert_true(same < 8);
}

static void b64_vectors(void **s)
{
	(void)s;
	const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (int i = 0; i < 7; i++) {
		char enc[16];
		unsigned char dec[16];
		b64_encode((const unsigned char *)in[i], strlen(in[i]), enc);
		assert_string_equal(enc, out[i]);
		assert_int_equal(b64_decode(enc, strlen(enc), dec), (long)strlen(in[i]));
		assert_memory_equal(dec, in[i], strlen(in[i]));
	}
	unsigned char dec[16];
	assert_int_equal(b64_decode("Zm9", 3, dec), -1);
	assert_int_equal(b64_decode("Z=9v", 4, dec), -1);
	assert_int_equal(b64_decode("Zm9!", 4, dec), -1);
}

/* One read gives both clocks; the wall clock agrees with clock_now_ms. */
static void clock_pair_agrees(void **s)
{
	(void)s;
	int64_t last_ns = 0;
	for (int i = 0; i < 1000; i++) {
		int64_t before = clock_now_ms(), ms, ns;
		clock_now_pair(&ms, &ns);
		int64_t after = clock_now_ms();
		assert_true(ms >= before - 1 && ms <= after + 1);
		assert_true(ns >= last_ns);
		last_ns = ns;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backoff_grows_to_cap_with_jitter),
		cmocka_unit_test(b64_vectors),
		cmocka_unit_test(clock_pair_agrees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
