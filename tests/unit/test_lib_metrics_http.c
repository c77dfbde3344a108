/* Unit tests: lib/metrics (registry, Prometheus text, /metrics and /health)
 * and lib/http (a keep-alive client) talking to each other on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "http.h"
#include "log.h"
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unhealthy(void *opaque, char *msg, size_t size)
{
	snprintf(msg, size, "kafka down since %s", (const char *)opaque);
	return 0;
}

static void registry_renders_prometheus_text(void **s)
{
	(void)s;
	struct metrics *m = metrics_new("tickpipe_test");
	struct metric *c1 = metrics_counter(m, "frames_total", "source=\"kis\"", "Frames received.");
	struct metric *c2 = metrics_counter(m, "frames_total", "source=\"finnhub\"", "Frames received.");
	struct metric *g = metrics_gauge(m, "queue_depth", NULL, "Queued messages.");
	double bounds[] = {0.001, 0.005, 0.01};
	struct metric *h = metrics_histogram(m, "latency_seconds", NULL, "Latency.", bounds, 3);
	metric_add(c1, 3);
	metric_add(c1, 2);
	metric_add(c2, 1);
	metric_set(g, 17);
	metric_observe(h, 0.0005);
	metric_observe(h, 0.004);
	metric_observe(h, 0.5);
	assert_true(metric_value(c1) == 5);
	assert_true(metric_quantile(h, 0.5) == 0.005);
	assert_true(isinf(metric_quantile(h, 0.99)));
	char *text = metrics_render(m);
	assert_non_null(strstr(text, "# TYPE tickpipe_test_frames_total counter\n"
	                             "tickpipe_test_frames_total{source=\"kis\"} 5\n"
	                             "tickpipe_test_frames_total{source=\"finnhub\"} 1\n"));
	assert_int_equal(strstr(strstr(text, "# HELP tickpipe_test_frames_total") + 1, "# HELP tickpipe_test_frames_total") == NULL, 1);
	assert_non_null(strstr(text, "tickpipe_test_queue_depth 17\n"));
	assert_non_null(strstr(text, "tickpipe_test_latency_seconds_bucket{le=\"0.005\"} 2\n"));
	assert_non_null(strstr(text, "tickpipe_test_latency_seconds_bucket{le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(text, "tickpipe_test_latency_seconds_count 3\n"));
	free(text);
	metrics_free(m);
}

static void http_client_against_metrics_server(void **s)
{
	(void)s;
	struct metrics *m = metrics_new("tickpipe_test");
	metric_add(metrics_counter(m, "requests_total", NULL, "Requests."), 42);
	char err[256];
	int port = metrics_serve(m, "127.0.0.1", 0, unhealthy, "09:00", err, sizeof err);
	assert_true(port > 0);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", port); /* trailing slash is trimmed */
	struct http_opts o = {.base_url = url, .timeout_ms = 3000, .user = "u", .password = "pass-word-1"};
	struct http_client *c = http_client_new(&o, err, sizeof err);
	assert_non_null(c);
	struct http_resp r;
	assert_int_equal(http_request(c, "GET", "/metrics", NULL, NULL, 0, &r), 200);
	assert_non_null(strstr(r.body, "tickpipe_test_requests_total 42"));
	assert_int_equal(http_request(c, "GET", "health", NULL, NULL, 0, &r), 503);
	assert_string_equal(r.body, "kafka down since 09:00\n");
	assert_int_equal(http_request(c, "POST", "/nope", NULL, "{}", 2, &r), 404);
	assert_int_equal(http_request(c, "GET", "/metrics", NULL, NULL, 0, &r), 200); /* GET after a POST */
	assert_false(http_is_retryable(404));
	assert_true(http_is_retryable(429) && http_is_retryable(503) && http_is_retryable(0));
	http_client_free(c);
	metrics_stop(m);
	/* nothing listens any more: a transport error, status 0 */
	c = http_client_new(&o, err, sizeof err);
	assert_int_equal(http_request(c, "GET", "/metrics", NULL, NULL, 0, &r), 0);
	assert_true(r.error[0] != '\0');
	http_client_free(c);
	metrics_free(m);
}

int main(void)
{
	log_init("test", "error");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registry_renders_prometheus_text),
		cmocka_unit_test(http_client_against_metrics_server),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
