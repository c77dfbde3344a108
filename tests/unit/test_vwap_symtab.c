/* Unit tests: vwap-stream symbol table — insert, find, growth, stable indexes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../vwap-stream/symtab.h"

#include <stdio.h>
#include <string.h>

static void test_add_and_find(void **state)
{
	(void)state;
	struct vs_symtab t;
	int created;
	assert_int_equal(vs_symtab_init(&t, 4), 0);
	assert_int_equal(vs_symtab_find(&t, "005930"), -1);
	assert_int_equal(vs_symtab_add(&t, "005930", &created), 0);
	assert_true(created);
	assert_int_equal(vs_symtab_add(&t, "AAPL", &created), 1);
	assert_int_equal(vs_symtab_add(&t, "005930", &created), 0);
	assert_false(created);
	assert_int_equal(vs_symtab_find(&t, "AAPL"), 1);
	assert_int_equal(vs_symtab_find(&t, "AAP"), -1);
	vs_symtab_free(&t);
}

static void test_growth_keeps_indexes(void **state)
{
	(void)state;
	struct vs_symtab t;
	int created;
	char k[16];
	assert_int_equal(vs_symtab_init(&t, 8), 0);
	for (int i = 0; i < 5000; i++) {
		snprintf(k, sizeof k, "%06d", i * 7);
		assert_int_equal(vs_symtab_add(&t, k, &created), i);
	}
	assert_true(t.cap >= 10000);
	for (int i = 0; i < 5000; i++) {
		snprintf(k, sizeof k, "%06d", i * 7);
		assert_int_equal(vs_symtab_find(&t, k), i);
	}
	assert_int_equal(t.count, 5000);
	vs_symtab_free(&t);
}

static void test_rejects_long_keys(void **state)
{
	(void)state;
	struct vs_symtab t;
	int created;
	assert_int_equal(vs_symtab_init(&t, 8), 0);
	assert_int_equal(vs_symtab_add(&t, "0123456789abcdef", &created), -1);
	assert_int_equal(vs_symtab_add(&t, "0123456789abcde", &created), 0);
	vs_symtab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_find),
		cmocka_unit_test(test_growth_keeps_indexes),
		cmocka_unit_test(test_rejects_long_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
