/* Unit tests: vwap-stream window parsing and aligned starts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../vwap-stream/window.h"

static void test_parse(void **state)
{
	(void)state;
	struct vs_win_spec w[VS_MAX_WIN];
	char err[128];
	int n;
	assert_int_equal(vs_window_list_parse("30s,1m, 5m,1h", w, VS_MAX_WIN, &n, err, sizeof err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(w[1].name, "1m");
	assert_int_equal(w[0].len_ms, 30000);
	assert_int_equal(w[3].len_ms, 3600000);
	assert_int_equal(vs_window_list_parse("1m,60s", w, VS_MAX_WIN, &n, err, sizeof err), -1);
	assert_int_equal(vs_window_list_parse("1m,2m,3m,4m,5m", w, VS_MAX_WIN, &n, err, sizeof err), -1);
	assert_int_equal(vs_window_parse("0m", w, err, sizeof err), -1);
	assert_int_equal(vs_window_parse("5x", w, err, sizeof err), -1);
	assert_int_equal(vs_window_parse("25h", w, err, sizeof err), -1);
	assert_int_equal(vs_window_parse("m", w, err, sizeof err), -1);
	assert_int_equal(vs_window_list_parse("", w, VS_MAX_WIN, &n, err, sizeof err), -1);
}

static void test_start_and_closed(void **state)
{
	(void)state;
	/* 2026-11-20 09:00:00 KST = 1795132800000 ms */
	int64_t t0 = 1795132800000;
	assert_int_equal(vs_window_start(t0, 60000), t0);
	assert_int_equal(vs_window_start(t0 + 59999, 60000), t0);
	assert_int_equal(vs_window_start(t0 - 1, 60000), t0 - 60000);
	assert_int_equal(vs_window_start(t0 + 1800000, 3600000), t0); /* KST hours align */
	assert_int_equal(vs_window_start(-1, 1000), -1000);
	assert_int_equal(vs_window_start(-1000, 1000), -1000);
	assert_true(vs_window_closed(t0, t0));       /* watermark reached the end */
	assert_false(vs_window_closed(t0, t0 - 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_start_and_closed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
