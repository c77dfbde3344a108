/* Unit tests: lib/notify — message building, address splitting, the Slack
 * payload and argument checks (delivery is tested against a real SMTP server
 * and HTTP receiver in tests/integration/test_anomaly_router.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "notify.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static void splits_addresses(void **s)
{
	(void)s;
	char out[4][256];
	int n = notify_split_addresses(" a@x.kr, b@y.com;c@z.org ,, ", out, 4);
	assert_int_equal(n, 3);
	assert_string_equal(out[0], "a@x.kr");
	assert_string_equal(out[1], "b@y.com");
	assert_string_equal(out[2], "c@z.org");
	/* header/envelope injection attempts are dropped */
	n = notify_split_addresses("ok@x.kr,evil@x.kr>\r\nRCPT TO:<v@x.kr", out, 4);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "ok@x.kr");
	assert_int_equal(notify_split_addresses(NULL, out, 4), 0);
	assert_int_equal(notify_split_addresses("a@b,c@d,e@f", out, 2), 2);
}

static void builds_message(void **s)
{
	(void)s;
	char *m = notify_build_message("tp@localhost", "a@x.kr, b@y.com", "hit\r\nBcc: x@evil",
	                               "line1\nline2");
	assert_non_null(m);
	assert_non_null(strstr(m, "From: tp@localhost\r\n"));
	assert_non_null(strstr(m, "To: a@x.kr, b@y.com\r\n"));
	assert_non_null(strstr(m, "Subject: hit  Bcc: x@evil\r\n"));
	assert_null(strstr(m, "\r\nBcc:"));
	assert_non_null(strstr(m, "\r\n\r\nline1\r\nline2\r\n"));
	free(m);
	m = notify_build_message("tp@localhost", "a@x.kr", "삼성전자 상한가", "");
	assert_non_null(strstr(m, "Subject: =?UTF-8?B?"));
	free(m);
}

static void slack_payload(void **s)
{
	(void)s;
	char buf[256];
	size_t n = notify_slack_payload("005930 \"limit\"", "price 92300\nrule r1", buf, sizeof buf);
	assert_true(n > 0);
	cJSON *j = cJSON_Parse(buf);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "text")->valuestring,
	                    "*005930 \"limit\"*\nprice 92300\nrule r1");
	cJSON_Delete(j);
	assert_int_equal(notify_slack_payload("t", "x", buf, 5), 0);
}

static void rejects_bad_arguments(void **s)
{
	(void)s;
	char err[128];
	struct notify_smtp cfg = {.url = "smtp://127.0.0.1:1", .from = "a@b"};
	assert_int_equal(notify_email(&cfg, "", "s", "b", err, sizeof err), NOTIFY_FAIL);
	assert_non_null(strstr(err, "recipient"));
	assert_int_equal(notify_webhook(NULL, "{}", 0, err, sizeof err), NOTIFY_FAIL);
	/* nothing listens on port 1: a transport failure is retryable */
	cfg.timeout_ms = 2000;
	assert_int_equal(notify_email(&cfg, "x@y", "s", "b", err, sizeof err), NOTIFY_RETRY);
	assert_int_equal(notify_webhook("http://127.0.0.1:1/hook", "{}", 2000, err, sizeof err),
	                 NOTIFY_RETRY);
	assert_int_equal(notify_webhook("ftp://127.0.0.1/x", "{}", 2000, err, sizeof err),
	                 NOTIFY_FAIL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(splits_addresses),
		cmocka_unit_test(builds_message),
		cmocka_unit_test(slack_payload),
		cmocka_unit_test(rejects_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
