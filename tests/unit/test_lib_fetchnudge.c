/* Unit tests: lib/fetchnudge against librdkafka's in-process mock cluster:
 * a consumer whose prefetch queue is smaller than one fetch is nudged while it
 * lags, at most every 5 ms, and never once it has caught up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "clock.h"
#include "fetchnudge.h"

#include "mock_cluster.h"

#include <stdio.h>
#include <string.h>

#define MSGS 20000

static const char *brokers;

static int setup(void **s)
{
	(void)s;
	char err[256], payload[200];
	brokers = mock_cluster_start(1, "n", 1, 1);
	rd_kafka_conf_t *kc = rd_kafka_conf_new();
	rd_kafka_conf_set(kc, "bootstrap.servers", brokers, NULL, 0);
	/* Small record batches: a fetch returns at least one whole batch. */
	rd_kafka_conf_set(kc, "batch.num.messages", "50", NULL, 0);
	rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, sizeof err);
	memset(payload, 'x', sizeof payload);
	for (int i = 0; i < MSGS; i++)
		rd_kafka_producev(p, RD_KAFKA_V_TOPIC("n"), RD_KAFKA_V_VALUE(payload, sizeof payload),
		                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
	assert_int_equal(rd_kafka_flush(p, 10000), 0);
	rd_kafka_destroy(p);
	return 0;
}

/* A consumer whose every fetch (~64 KB, ~300 messages) overfills its queue. */
static rd_kafka_t *small_queue_consumer(const char *group)
{
	char err[256];
	rd_kafka_conf_t *kc = rd_kafka_conf_new();
	const char *kv[][2] = {{"bootstrap.servers", brokers}, {"group.id", group},
	                       {"auto.offset.reset", "earliest"}, {"queued.min.messages", "100"},
	                       {"queued.max.messages.kbytes", "32"},
	                       {"max.partition.fetch.bytes", "65536"}, {"fetch.max.bytes", "65536"},
	                       {"message.max.bytes", "65536"}, {"log_level", "0"}};
	for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
		assert_int_equal(rd_kafka_conf_set(kc, kv[i][0], kv[i][1], err, sizeof err),
		                 RD_KAFKA_CONF_OK);
	rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, kc, err, sizeof err);
	assert_non_null(c);
	rd_kafka_poll_set_consumer(c);
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(l, "n", 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
	assert_int_equal(rd_kafka_assign(c, l), 0);
	rd_kafka_topic_partition_list_destroy(l);
	return c;
}

/* Consumes the rest of the messages (got already taken); returns the
 * milliseconds from the first to the last. */
static int64_t drain(rd_kafka_t *c, struct fetch_nudge *n, int got)
{
	int64_t t0 = clock_mono_ms(), first = 0;
	while (got < MSGS && clock_mono_ms() - t0 < 30000) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 10);
		if (m) {
			if (!first && !m->err)
				first = clock_mono_ms();
			got += !m->err;
			rd_kafka_message_destroy(m);
		}
		if (n)
			fetch_nudge_maybe(n, clock_mono_ms());
	}
	assert_int_equal(got, MSGS);
	return clock_mono_ms() - first;
}

/* Deterministic: nudges exactly while lagging with a low queue, at most once
 * a millisecond, and never once caught up. (How much faster the refill gets depends
 * on librdkafka's timing; the bench measures it: 142k -> 490k ticks/s.) */
static void nudges_only_while_lagging(void **s)
{
	(void)s;
	rd_kafka_t *c = small_queue_consumer("nudged");
	rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(c);
	struct fetch_nudge n;
	fetch_nudge_init(&n, c, q, 1000000); /* "low" whatever is queued */
	rd_kafka_message_t *m = NULL;
	for (int i = 0; i < 500 && !(m && !m->err); i++) { /* the first message */
		if (m)
			rd_kafka_message_destroy(m);
		m = rd_kafka_consumer_poll(c, 10);
	}
	assert_non_null(m);
	assert_int_equal(m->err, 0);
	rd_kafka_message_destroy(m);
	int64_t now = clock_mono_ms();
	assert_int_equal(fetch_nudge_maybe(&n, now), 1); /* 1 of 20000 consumed: lagging */
	assert_int_equal(fetch_nudge_maybe(&n, now), 0); /* rate limit: the same millisecond */
	assert_int_equal(fetch_nudge_maybe(&n, now + 1), 1);
	assert_int_equal(n.nudges, 2);

	int64_t ms = drain(c, &n, 1);
	print_message("%d messages in %lld ms with %ld nudges\n", MSGS, (long long)ms, n.nudges);
	long before = n.nudges;
	for (int i = 1; i <= 20; i++) { /* caught up: empty queue, nothing lags */
		if ((m = rd_kafka_consumer_poll(c, 10)))
			rd_kafka_message_destroy(m);
		assert_int_equal(fetch_nudge_maybe(&n, now + 1000 * i), 0);
	}
	assert_int_equal(n.nudges, before);
	fetch_nudge_close(&n);
	rd_kafka_queue_destroy(q);
	rd_kafka_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nudges_only_while_lagging),
	};
	return cmocka_run_group_tests(tests, setup, mock_cluster_stop);
}
