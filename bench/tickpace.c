/* tickpace — the latency benchmarks' tick source: produces ticks at a fixed
 * rate for a number of seconds, each price encoding its produce time in
 * microseconds (mod 1e9, + 1), so a bar update's close tells which tick it
 * reflects. C rather than Python because on a 2-core machine a Python
 * producer at 50,000 messages/s takes most of a core from the broker and the
 * processor under test, and its own queueing dominated the p99.
 *
 *   tickpace BROKERS TOPIC RATE SECS SYMBOLS [FIRST]   -> prints the ticks produced
 * Symbols are the 6-digit codes FIRST (100000) .. FIRST + SYMBOLS - 1.
 * Same layout and keys as bench/baselines/vwap_tools.py paced_ticks. */
#include <librdkafka/rdkafka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static rd_kafka_t *producer(const char *brokers)
{
	char err[512];
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	const char *kv[][2] = {{"bootstrap.servers", brokers}, {"linger.ms", "1"},
	                       {"compression.type", "lz4"}, {"enable.idempotence", "true"},
	                       {"queue.buffering.max.messages", "2000000"}};
	for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
		if (rd_kafka_conf_set(c, kv[i][0], kv[i][1], err, sizeof err) != RD_KAFKA_CONF_OK) {
			fprintf(stderr, "tickpace: %s\n", err);
			exit(2);
		}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "tickpace: %s\n", err);
		exit(2);
	}
	return rk;
}

static void produce_one(rd_kafka_t *rk, const char *topic, long i, int nsym, long first,
                        const char *day)
{
	char sym[16], v[320];
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	long long us = (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
	snprintf(sym, sizeof sym, "%06ld", first + i % nsym);
	int n = snprintf(v, sizeof v,
	                 "{\"v\":1,\"id\":\"sim|%s|%ld\",\"source\":\"sim\",\"symbol\":\"%s\","
	                 "\"exchange\":\"KRX\",\"ts\":%lld,\"day\":\"%s\",\"price\":%lld,\"qty\":1}",
	                 sym, i, sym, us / 1000, day, us % 1000000000 + 1);
	while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(sym, strlen(sym)),
	                         RD_KAFKA_V_VALUE(v, (size_t)n), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
	                         RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
		rd_kafka_poll(rk, 1);
}

int main(int argc, char **argv)
{
	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: tickpace BROKERS TOPIC RATE SECS SYMBOLS [FIRST]\n");
		return 2;
	}
	double rate = atof(argv[3]), secs = atof(argv[4]);
	int nsym = atoi(argv[5]);
	long first = argc == 7 ? atol(argv[6]) : 100000;
	if (rate <= 0 || secs <= 0 || nsym <= 0) {
		fprintf(stderr, "tickpace: RATE, SECS and SYMBOLS must be positive\n");
		return 2;
	}
	rd_kafka_t *rk = producer(argv[1]);
	char day[16];
	time_t kst = time(NULL) + 9 * 3600;
	strftime(day, sizeof day, "%Y-%m-%d", gmtime(&kst));
	double t0 = now_s();
	long i = 0;
	for (double el = 0; el < secs; el = now_s() - t0) {
		for (long target = (long)(el * rate); i < target; i++)
			produce_one(rk, argv[2], i, nsym, first, day);
		rd_kafka_poll(rk, 0);
		nanosleep(&(struct timespec){0, 200000}, NULL);
	}
	rd_kafka_flush(rk, 30000);
	int left = rd_kafka_outq_len(rk);
	rd_kafka_destroy(rk);
	printf("%ld\n", i);
	return left ? 1 : 0;
}
