/* mock_cluster — librdkafka's in-process mock cluster for the lib/kafka unit
 * tests: mock_cluster_start creates it (owned by a quiet producer handle)
 * with one topic and returns its bootstrap servers. Header-only; each test
 * binary has one cluster at a time. */
#ifndef TP_TEST_MOCK_CLUSTER_H
#define TP_TEST_MOCK_CLUSTER_H

#include <librdkafka/rdkafka_mock.h>

static rd_kafka_t *mock_owner;
static rd_kafka_mock_cluster_t *mock;

static inline const char *mock_cluster_start(int brokers, const char *topic, int partitions,
                                             int replication)
{
	char err[256];
	rd_kafka_conf_t *kc = rd_kafka_conf_new();
	rd_kafka_conf_set(kc, "log_level", "0", NULL, 0);
	mock_owner = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, sizeof err);
	mock = rd_kafka_mock_cluster_new(mock_owner, brokers);
	rd_kafka_mock_topic_create(mock, topic, partitions, replication);
	return rd_kafka_mock_cluster_bootstraps(mock);
}

static inline int mock_cluster_stop(void **s)
{
	(void)s;
	rd_kafka_mock_cluster_destroy(mock);
	rd_kafka_destroy(mock_owner);
	return 0;
}

#endif
