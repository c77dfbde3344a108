/* Unit tests: watchdog's Burrow-like consumer state machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../watchdog/wd.h"

#include <string.h>

#define W 10000 /* window, ms */

static enum wd_lag_state step(struct wd_part_hist *h, int64_t off, int64_t hw, int members,
                              int64_t now)
{
	return wd_lag_step(h, off, hw > off ? hw - off : 0, 1, members, now, W);
}

static void caught_up_is_ok_even_with_marker_lag(void **s)
{
	(void)s;
	struct wd_part_hist h = {0};
	/* Transaction markers leave one offset nobody consumes: lag 1 is OK
	 * however long the offset stands still. */
	assert_int_equal(step(&h, 100, 101, 0, 0), WD_LAG_OK);
	assert_int_equal(step(&h, 100, 101, 0, 5 * W), WD_LAG_OK);
	assert_int_equal(wd_lag_step(&h, 100, 1, 0, 0, 6 * W, W), WD_LAG_STOP);
}

static void moving_offset_is_ok(void **s)
{
	(void)s;
	struct wd_part_hist h = {0};
	for (int i = 0; i < 10; i++)
		assert_int_equal(step(&h, 100 + i * 10, 1000 + i * 10, 1, (int64_t)i * W), WD_LAG_OK);
}

static void stall_with_members_stop_without(void **s)
{
	(void)s;
	struct wd_part_hist h = {0};
	assert_int_equal(step(&h, 50, 60, 1, 0), WD_LAG_OK);
	assert_int_equal(step(&h, 50, 70, 1, W - 1), WD_LAG_OK); /* not yet a full window */
	assert_int_equal(step(&h, 50, 80, 1, W), WD_LAG_STALL);
	assert_int_equal(step(&h, 50, 90, 0, W + 1), WD_LAG_STOP);
	/* It moves again: OK at once, the window restarts. */
	assert_int_equal(step(&h, 60, 90, 1, W + 2), WD_LAG_OK);
	assert_int_equal(h.moved_ms, W + 2);
	assert_int_equal(step(&h, 60, 95, 1, 2 * W + 2), WD_LAG_STALL);
}

static void rewind_until_recovered(void **s)
{
	(void)s;
	struct wd_part_hist h = {0};
	assert_int_equal(step(&h, 500, 600, 1, 0), WD_LAG_OK);
	assert_int_equal(step(&h, 100, 600, 1, 1), WD_LAG_REWIND);
	assert_int_equal(step(&h, 300, 600, 1, 2), WD_LAG_REWIND);
	assert_int_equal(step(&h, 500, 600, 1, 3), WD_LAG_OK); /* back where it was */
	assert_int_equal(step(&h, 550, 600, 1, 4), WD_LAG_OK);
	/* Caught up after a rewind: the old high mark is forgotten. */
	assert_int_equal(step(&h, 200, 600, 1, 5), WD_LAG_REWIND);
	assert_int_equal(step(&h, 600, 600, 1, 6), WD_LAG_OK);
	assert_int_equal(h.max_offset, 600);
}

static void first_sight_starts_the_clock(void **s)
{
	(void)s;
	struct wd_part_hist h = {0};
	/* A group seen for the first time cannot be judged STOP yet: we do not
	 * know since when its offset stands still. */
	assert_int_equal(step(&h, 10, 1000, 0, 123456), WD_LAG_OK);
	assert_true(h.valid);
	assert_int_equal(h.moved_ms, 123456);
	assert_int_equal(step(&h, 10, 1000, 0, 123456 + W), WD_LAG_STOP);
}

static void history_table(void **s)
{
	(void)s;
	struct wd_hist hs = {0};
	struct wd_hist_entry *a = wd_hist_get(&hs, "g", "t", 0);
	assert_non_null(a);
	for (int i = 0; i < 200; i++)
		assert_non_null(wd_hist_get(&hs, "g", "t", i));
	assert_int_equal(hs.n, 200);
	assert_int_equal(wd_hist_get(&hs, "g", "t", 7)->partition, 7);
	assert_int_equal(wd_hist_get(&hs, "g2", "t", 7)->partition, 7);
	assert_int_equal(hs.n, 201);
	wd_hist_free(&hs);
	assert_int_equal(hs.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(caught_up_is_ok_even_with_marker_lag),
		cmocka_unit_test(moving_offset_is_ok),
		cmocka_unit_test(stall_with_members_stop_without),
		cmocka_unit_test(rewind_until_recovered),
		cmocka_unit_test(first_sight_starts_the_clock),
		cmocka_unit_test(history_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
