/* kafka — librdkafka clients with tickpipe's defaults. See kafka.h. */
#include "kafka.h"
#include "conf.h"
#include "log.h"
#include "sig.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Lives as the rd_kafka_t's opaque for the client's whole life. */
struct kafka_ctx {
	struct kafka_hooks hooks;
	atomic_long delivered;
	atomic_long failed;
	atomic_int fatal;
	char fatal_reason[256];
};

static struct kafka_ctx *ctx_of(rd_kafka_t *rk) { return rd_kafka_opaque(rk); }

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	enum log_level l = level <= 3 ? LOG_ERROR : level <= 4 ? LOG_WARN : level <= 6 ? LOG_INFO : LOG_DEBUG;
	char q[1024];
	log_write(l, "kafka_log", "facility=%s msg=%s", fac, log_quote(buf, q, sizeof q));
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct kafka_ctx *ctx = opaque;
	char q[512];
	if (err == RD_KAFKA_RESP_ERR__FATAL) {
		char why[256];
		rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, why, sizeof why);
		snprintf(ctx->fatal_reason, sizeof ctx->fatal_reason, "%.60s: %.190s", rd_kafka_err2name(orig), why);
		atomic_store(&ctx->fatal, 1);
		log_error("kafka_fatal", "error=%s reason=%s", rd_kafka_err2name(orig), log_quote(why, q, sizeof q));
		return;
	}
	/* Transport errors are retried by librdkafka itself: report, do not act. */
	log_warn("kafka_error", "error=%s reason=%s", rd_kafka_err2name(err), log_quote(reason, q, sizeof q));
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	struct kafka_ctx *ctx = opaque;
	if (m->err) {
		atomic_fetch_add(&ctx->failed, 1);
		log_error("kafka_delivery_failed", "topic=%s error=%s status=%d",
		          rd_kafka_topic_name(m->rkt), rd_kafka_err2name(m->err),
		          (int)rd_kafka_message_status(m));
	} else {
		atomic_fetch_add(&ctx->delivered, 1);
	}
	if (ctx->hooks.on_delivery)
		ctx->hooks.on_delivery(ctx->hooks.opaque, m);
}

static int set(rd_kafka_conf_t *kc, const char *k, const char *v, char *err, size_t errsize)
{
	if (rd_kafka_conf_set(kc, k, v, err, errsize) != RD_KAFKA_CONF_OK)
		return -1;
	return 0;
}

/* Defaults first, then the user's -X properties so they win. */
static rd_kafka_conf_t *base_conf(const struct conf *c, const char *brokers,
                                  const char *const *defaults, struct kafka_ctx *ctx,
                                  char *err, size_t errsize)
{
	rd_kafka_conf_t *kc = rd_kafka_conf_new();
	int bad = set(kc, "bootstrap.servers", brokers, err, errsize) ||
	          set(kc, "client.id", c && c->prog ? c->prog : "tickpipe", err, errsize);
	for (int i = 0; !bad && defaults[i]; i += 2)
		bad = set(kc, defaults[i], defaults[i + 1], err, errsize);
	for (int i = 0; !bad && c && i < c->nkafka; i++)
		bad = set(kc, c->kafka_key[i], c->kafka_val[i], err, errsize);
	if (bad) {
		rd_kafka_conf_destroy(kc);
		return NULL;
	}
	rd_kafka_conf_set_log_cb(kc, on_log);
	rd_kafka_conf_set_error_cb(kc, on_error);
	rd_kafka_conf_set_opaque(kc, ctx);
	return kc;
}

static struct kafka_ctx *ctx_new(const struct kafka_hooks *hooks)
{
	struct kafka_ctx *ctx = calloc(1, sizeof *ctx);
	if (ctx && hooks)
		ctx->hooks = *hooks;
	return ctx;
}

rd_kafka_t *kafka_producer_new(const struct conf *c, const char *brokers,
                               const struct kafka_hooks *hooks, char *err, size_t errsize)
{
	static const char *const defaults[] = {
		"enable.idempotence", "true", "compression.type", "lz4", "linger.ms", "5",
		"batch.size", "1000000", "queue.buffering.max.messages", "1000000",
		"message.timeout.ms", "300000", NULL};
	struct kafka_ctx *ctx = ctx_new(hooks);
	rd_kafka_conf_t *kc = ctx ? base_conf(c, brokers, defaults, ctx, err, errsize) : NULL;
	if (!kc) {
		free(ctx);
		return NULL;
	}
	rd_kafka_conf_set_dr_msg_cb(kc, on_delivery);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, errsize);
	if (!rk) {
		rd_kafka_conf_destroy(kc); /* not owned by librdkafka when rd_kafka_new fails */
		free(ctx);
	}
	return rk;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	struct kafka_ctx *ctx = opaque;
	int cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		log_info("partitions_assigned", "count=%d protocol=%s", parts->cnt,
		         cooperative ? "cooperative" : "eager");
		if (cooperative)
			rd_kafka_error_destroy(rd_kafka_incremental_assign(rk, parts));
		else
			rd_kafka_assign(rk, parts);
		if (ctx->hooks.on_assign)
			ctx->hooks.on_assign(ctx->hooks.opaque, rk, parts);
		return;
	}
	log_info("partitions_revoked", "count=%d reason=%s", parts->cnt, rd_kafka_err2name(err));
	if (ctx->hooks.on_revoke)
		ctx->hooks.on_revoke(ctx->hooks.opaque, rk, parts);
	/* Commit what the program stored before the partitions move elsewhere. */
	if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && !rd_kafka_assignment_lost(rk))
		rd_kafka_commit(rk, NULL, 0);
	if (cooperative)
		rd_kafka_error_destroy(rd_kafka_incremental_unassign(rk, parts));
	else
		rd_kafka_assign(rk, NULL);
}

rd_kafka_t *kafka_consumer_new(const struct conf *c, const char *brokers, const char *group,
                               const struct kafka_hooks *hooks, char *err, size_t errsize)
{
	const char *const defaults[] = {
		"group.id", group, "enable.auto.offset.store", "false", "enable.auto.commit", "true",
		"auto.commit.interval.ms", "1000", "auto.offset.reset", "earliest",
		"partition.assignment.strategy", "cooperative-sticky", "isolation.level",
		"read_committed",
		/* librdkafka 2.1+ postpones the next fetch this long (1 s by default)
		 * once the prefetch queue was over its limits; a consumer that drains
		 * it sooner then idles. vwap-stream's small queue with 2.6: 42k-45k
		 * ticks/s, 849k with 1 ms (0 spins: 580k-670k). 2.0.2 lacks it, and
		 * would refuse an unknown name: then the list simply ends here. */
		kafka_conf_known("fetch.queue.backoff.ms") ? "fetch.queue.backoff.ms" : NULL, "1",
		NULL};
	struct kafka_ctx *ctx = ctx_new(hooks);
	rd_kafka_conf_t *kc = ctx ? base_conf(c, brokers, defaults, ctx, err, errsize) : NULL;
	if (!kc) {
		free(ctx);
		return NULL;
	}
	rd_kafka_conf_set_rebalance_cb(kc, on_rebalance);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, err, errsize);
	if (!rk) {
		rd_kafka_conf_destroy(kc);
		free(ctx);
		return NULL;
	}
	rd_kafka_poll_set_consumer(rk);
	return rk;
}

int kafka_subscribe(rd_kafka_t *rk, const char *topics, char *err, size_t errsize)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(4);
	char *copy = strdup(topics), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		rd_kafka_topic_partition_list_add(l, t, RD_KAFKA_PARTITION_UA);
	free(copy);
	rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	if (e) {
		snprintf(err, errsize, "subscribe to %s: %s", topics, rd_kafka_err2str(e));
		return -1;
	}
	return 0;
}

rd_kafka_resp_err_t kafka_produce(rd_kafka_t *rk, const char *topic, int32_t partition,
                                  const void *key, size_t keylen, const void *val,
                                  size_t vallen, int64_t timestamp_ms, void *msg_opaque,
                                  int block_ms)
{
	for (int waited = 0;; waited += 10) {
		rd_kafka_resp_err_t e = rd_kafka_producev(
			rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
			RD_KAFKA_V_KEY(key, keylen), RD_KAFKA_V_VALUE((void *)val, vallen),
			RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_TIMESTAMP(timestamp_ms),
			RD_KAFKA_V_OPAQUE(msg_opaque), RD_KAFKA_V_END);
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL || (block_ms >= 0 && waited >= block_ms))
			return e;
		rd_kafka_poll(rk, 10); /* serve delivery reports to make room */
	}
}

void kafka_store_offset(rd_kafka_t *rk, const rd_kafka_message_t *msg)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(l, rd_kafka_topic_name(msg->rkt), msg->partition)->offset =
		msg->offset + 1;
	rd_kafka_offsets_store(rk, l);
	rd_kafka_topic_partition_list_destroy(l);
}

int kafka_drain(rd_kafka_t *rk, int timeout_ms)
{
	rd_kafka_flush(rk, timeout_ms);
	int left = rd_kafka_outq_len(rk);
	if (left > 0)
		log_error("kafka_drain_incomplete", "messages_left=%d timeout_ms=%d", left, timeout_ms);
	return left;
}

long kafka_delivered(rd_kafka_t *rk) { return atomic_load(&ctx_of(rk)->delivered); }
long kafka_failed(rd_kafka_t *rk) { return atomic_load(&ctx_of(rk)->failed); }

int kafka_fatal(rd_kafka_t *rk, char *reason, size_t size)
{
	struct kafka_ctx *ctx = ctx_of(rk);
	if (!atomic_load(&ctx->fatal))
		return 0;
	if (reason)
		snprintf(reason, size, "%s", ctx->fatal_reason);
	return 1;
}

void kafka_consumer_close(rd_kafka_t *rk)
{
	struct kafka_ctx *ctx = ctx_of(rk);
	rd_kafka_commit(rk, NULL, 0); /* stored offsets; ERR__NO_OFFSET when none is fine */
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	free(ctx);
}

int kafka_conf_known(const char *key)
{
	size_t len = 0;
	rd_kafka_conf_t *kc = rd_kafka_conf_new();
	int known = rd_kafka_conf_get(kc, key, NULL, &len) == RD_KAFKA_CONF_OK; /* size query */
	rd_kafka_conf_destroy(kc);
	return known;
}

void kafka_producer_destroy(rd_kafka_t *rk)
{
	struct kafka_ctx *ctx = ctx_of(rk);
	rd_kafka_destroy(rk);
	free(ctx);
}

ssize_t kafka_poll_batch(rd_kafka_t *rk, rd_kafka_queue_t *q, int wait_ms,
                         rd_kafka_message_t **batch, size_t max)
{
	rd_kafka_message_t *first = max ? rd_kafka_consumer_poll(rk, wait_ms) : NULL;
	if (!first)
		return 0;
	batch[0] = first;
	ssize_t more = max > 1 ? rd_kafka_consume_batch_queue(q, 0, batch + 1, max - 1) : 0;
	return 1 + (more > 0 ? more : 0);
}
