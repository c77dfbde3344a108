/* Unit tests: lib/kafka against librdkafka's in-process mock cluster —
 * idempotent delivery through injected produce errors (no duplicates), delivery
 * reports deciding the counters, offsets committed only as stored, and the
 * probe for properties the running librdkafka knows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "clock.h"
#include "conf.h"
#include "kafka.h"
#include "log.h"

#include "mock_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 200

static const char *brokers;

static int setup(void **s)
{
	(void)s;
	brokers = mock_cluster_start(3, "t", 4, 3);
	return 0;
}

static int seen_ok;
static void count_ok(void *opaque, const rd_kafka_message_t *m)
{
	(void)opaque;
	seen_ok += m->err == 0;
}

static void idempotent_through_produce_errors(void **s)
{
	(void)s;
	char err[256];
	struct conf c = {.prog = "test"};
	conf_kafka_set(&c, "linger.ms", "1");
	struct kafka_hooks hooks = {.on_delivery = count_ok};
	rd_kafka_t *p = kafka_producer_new(&c, brokers, &hooks, err, sizeof err);
	assert_non_null(p);
	char v[32];
	rd_kafka_conf_res_t r;
	size_t vs = sizeof v;
	r = rd_kafka_conf_get(rd_kafka_conf(p), "enable.idempotence", v, &vs);
	assert_int_equal(r, RD_KAFKA_CONF_OK);
	assert_string_equal(v, "true");
	/* Transient errors on the first produce requests: librdkafka retries them. */
	rd_kafka_mock_push_request_errors(mock, 0 /* Produce */, 3, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
	                                  RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
	                                  RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND);
	for (int i = 0; i < N; i++) {
		char key[8], val[16];
		snprintf(key, sizeof key, "k%d", i % 7);
		int n = snprintf(val, sizeof val, "%d", i);
		assert_int_equal(kafka_produce(p, "t", RD_KAFKA_PARTITION_UA, key, strlen(key), val, (size_t)n, 0, NULL, -1), 0);
	}
	assert_int_equal(kafka_drain(p, 10000), 0);
	assert_int_equal(kafka_delivered(p), N);
	assert_int_equal(kafka_failed(p), 0);
	assert_int_equal(seen_ok, N);
	kafka_producer_destroy(p);
	conf_free(&c);
}

/* Consumes until n messages arrived or 10 s passed; stores offsets of the first `store`. */
static int consume(rd_kafka_t *k, int n, int store, int *values)
{
	int got = 0;
	int64_t deadline = clock_mono_ms() + 10000;
	while (got < n && clock_mono_ms() < deadline) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(k, 100);
		if (!m)
			continue;
		if (!m->err) {
			values[got] = atoi((const char *)m->payload);
			if (got < store)
				kafka_store_offset(k, m);
			got++;
		}
		rd_kafka_message_destroy(m);
	}
	return got;
}

/* Sum of the committed offsets of group over topic t's 4 partitions. */
static int64_t committed_sum(const char *group)
{
	char err[256];
	struct conf c = {.prog = "test"};
	rd_kafka_t *k = kafka_consumer_new(&c, brokers, group, NULL, err, sizeof err);
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(4);
	for (int p = 0; p < 4; p++)
		rd_kafka_topic_partition_list_add(l, "t", p);
	assert_int_equal(rd_kafka_committed(k, l, 10000), 0);
	int64_t sum = 0;
	for (int p = 0; p < 4; p++)
		sum += l->elems[p].offset > 0 ? l->elems[p].offset : 0;
	rd_kafka_topic_partition_list_destroy(l);
	kafka_consumer_close(k);
	conf_free(&c);
	return sum;
}

static void offsets_commit_only_what_was_stored(void **s)
{
	(void)s;
	char err[256];
	static int values[N];
	struct conf c = {.prog = "test"};
	rd_kafka_t *k = kafka_consumer_new(&c, brokers, "g0", NULL, err, sizeof err);
	assert_non_null(k);
	assert_int_equal(kafka_subscribe(k, "t", err, sizeof err), 0);
	assert_int_equal(consume(k, N, 0, values), N);
	/* every value exactly once: the injected produce errors caused no duplicates */
	int count[N] = {0};
	for (int i = 0; i < N; i++)
		count[values[i]]++;
	for (int i = 0; i < N; i++)
		assert_int_equal(count[i], 1);
	kafka_consumer_close(k);
	assert_int_equal(committed_sum("g0"), 0); /* consumed but nothing stored: nothing committed */

	k = kafka_consumer_new(&c, brokers, "g1", NULL, err, sizeof err);
	kafka_subscribe(k, "t", err, sizeof err);
	assert_int_equal(consume(k, N, 50, values), N); /* store only the first 50 */
	kafka_consumer_close(k);
	/* Per partition the committed offset is one past the last stored message,
	 * and messages of a partition arrive in order: the sum is exactly 50. */
	assert_int_equal(committed_sum("g1"), 50);
	conf_free(&c);
}

static void bad_property_is_an_error(void **s)
{
	(void)s;
	char err[256] = "";
	struct conf c = {.prog = "test"};
	conf_kafka_set(&c, "no.such.property", "1");
	assert_null(kafka_producer_new(&c, brokers, NULL, err, sizeof err));
	assert_non_null(strstr(err, "no.such.property"));
	conf_free(&c);
}

/* The probe for version-dependent defaults: known names yes, unknown no, and
 * fetch.queue.backoff.ms (librdkafka 2.1+) exactly when the library is new
 * enough — kafka_consumer_new sets it to 1 ms only then (Debian 12's 2.0.2 would
 * refuse to start on it; 2.6 without it crawls at a 1 s fetch backoff). */
static void conf_known_follows_the_library(void **s)
{
	(void)s;
	assert_int_equal(kafka_conf_known("fetch.wait.max.ms"), 1);
	assert_int_equal(kafka_conf_known("queued.min.messages"), 1);
	assert_int_equal(kafka_conf_known("no.such.property"), 0);
	assert_int_equal(kafka_conf_known(""), 0);
	assert_int_equal(kafka_conf_known("fetch.queue.backoff.ms"),
	                 rd_kafka_version() >= 0x02010000);
}

int main(void)
{
	log_init("test", getenv("TEST_LOG") ? getenv("TEST_LOG") : "error");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(idempotent_through_produce_errors),
		cmocka_unit_test(offsets_commit_only_what_was_stored),
		cmocka_unit_test(bad_property_is_an_error),
		cmocka_unit_test(conf_known_follows_the_library),
	};
	return cmocka_run_group_tests(tests, setup, mock_cluster_stop);
}
