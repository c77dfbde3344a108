/* Unit tests: lib/log — logfmt shape, levels, secret masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *capture(void (*fn)(void))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	log_set_stream(f);
	fn();
	fclose(f);
	log_set_stream(NULL);
	return buf;
}

static void emit_info(void) { log_info("connected", "brokers=%s n=%d", "b:1", 3); }
static void emit_debug(void) { log_debug("noisy", "x=%d", 1); }
static void emit_secret(void) { log_error("auth_failed", "url=https://u:topsecret99@h/ reason=%s", "topsecret99 rejected"); }
static void emit_newline(void) { log_warn("multi", "msg=%s", "a\nlevel=error fake"); }

static void line_shape(void **s)
{
	(void)s;
	log_init("prog1", "info");
	char *out = capture(emit_info);
	assert_non_null(strstr(out, " level=info prog=prog1 event=connected brokers=b:1 n=3\n"));
	assert_true(strncmp(out, "ts=", 3) == 0);
	assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out)); /* exactly one line */
	free(out);
}

static void levels_filter(void **s)
{
	(void)s;
	log_init("p", "info");
	char *out = capture(emit_debug);
	assert_string_equal(out, "");
	free(out);
	log_init("p", "debug");
	out = capture(emit_debug);
	assert_non_null(strstr(out, "event=noisy"));
	free(out);
	assert_int_equal(log_init("p", "loud"), -1);
}

static void secrets_are_masked(void **s)
{
	(void)s;
	log_init("p", "info");
	log_add_secret("topsecret99");
	log_add_secret("ab"); /* too short to mask safely: ignored */
	char *out = capture(emit_secret);
	assert_null(strstr(out, "topsecret99"));
	assert_non_null(strstr(out, "u:***@h/"));
	assert_non_null(strstr(out, "event=auth_failed")); /* short secrets leave text alone */
	free(out);
	log_clear_secrets();
}

static void newline_cannot_forge_a_line(void **s)
{
	(void)s;
	log_init("p", "info");
	char *out = capture(emit_newline);
	assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out));
	free(out);
}

static void quoting(void **s)
{
	(void)s;
	char buf[64];
	assert_string_equal(log_quote("plain", buf, sizeof buf), "plain");
	assert_string_equal(log_quote("two words", buf, sizeof buf), "\"two words\"");
	assert_string_equal(log_quote("say \"hi\"", buf, sizeof buf), "\"say \\\"hi\\\"\"");
	assert_string_equal(log_quote("", buf, sizeof buf), "\"\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(line_shape),
		cmocka_unit_test(levels_filter),
		cmocka_unit_test(secrets_are_masked),
		cmocka_unit_test(newline_cannot_forge_a_line),
		cmocka_unit_test(quoting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
