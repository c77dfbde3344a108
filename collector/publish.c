/* publish — non-blocking producer with a pending list. See publish.h. */
#include "publish.h"
#include "clock.h"
#include "conf.h"
#include "dlq.h"
#include "encode.h"
#include "kafka.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct col_pending {
	struct col_pending *next;
	size_t keylen, vallen;
	char data[]; /* key then value */
};

static void on_delivery(void *opaque, const rd_kafka_message_t *m);

/* Reports come in bursts: one clock read serves the next 32 of a burst.
 * Per thread: a dead letter produced on a full queue serves reports from
 * the producing thread too. */
static _Thread_local unsigned dr_seen;
static _Thread_local int64_t dr_now_ns;

static void clock_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

int col_pub_init(struct col_pub *p, const struct conf *c, struct col_stats *stats,
                 long max_pending, char *err, size_t errsize)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
	p->stats = stats;
	p->max_pending = max_pending;
	p->topic = conf_str(c, "ticks-topic");
	p->dlq_topic = conf_str(c, "dlq-topic");
	struct kafka_hooks hooks = {.on_delivery = on_delivery, .opaque = p};
	/* Defaults the user can still override with -X: big batches amortise the
	 * per-request cost at high rates, a 2 ms linger keeps the latency low. */
	struct conf tuned = *c;
	tuned.nkafka = 0;
	static const char *const defs[][2] = {{"linger.ms", "2"}, {"batch.num.messages", "10000"},
	                                      {"batch.size", "1000000"}};
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
		conf_kafka_set(&tuned, defs[i][0], defs[i][1]);
	for (int i = 0; i < c->nkafka; i++)
		conf_kafka_set(&tuned, c->kafka_key[i], c->kafka_val[i]);
	p->rk = kafka_producer_new(&tuned, conf_str(c, "brokers"), &hooks, err, errsize);
	for (int i = 0; i < tuned.nkafka; i++) {
		free(tuned.kafka_key[i]);
		free(tuned.kafka_val[i]);
	}
	if (!p->rk)
		return -1;
	/* One handle for the producer's life: producing by name looks the topic
	 * up (lock, list, refcount) per message, and delivery reports tell ticks
	 * from dead letters by comparing this pointer. */
	p->rkt = rd_kafka_topic_new(p->rk, p->topic, NULL);
	if (!p->rkt) {
		snprintf(err, errsize, "topic %s: %s", p->topic, rd_kafka_err2str(rd_kafka_last_error()));
		kafka_producer_destroy(p->rk);
		p->rk = NULL;
		return -1;
	}
	return 0;
}

/* Appends to the pending list; 0, or -1 when full (the tick is dropped). */
static int pending_add(struct col_pub *p, const void *key, size_t keylen, const void *val,
                       size_t vallen)
{
	pthread_mutex_lock(&p->lock);
	struct col_pending *e = p->npending < p->max_pending ? malloc(sizeof *e + keylen + vallen) : NULL;
	int full = e == NULL;
	if (!full) {
		e->next = NULL;
		e->keylen = keylen;
		e->vallen = vallen;
		memcpy(e->data, key, keylen);
		memcpy(e->data + keylen, val, vallen);
		if (p->tail)
			p->tail->next = e;
		else
			__atomic_store_n(&p->head, e, __ATOMIC_RELEASE);
		p->tail = e;
		p->npending++;
	}
	pthread_mutex_unlock(&p->lock);
	metric_set(p->stats->pending_depth, (double)p->npending);
	return full ? -1 : 0;
}

static void dropped(struct col_pub *p, const char *why)
{
	metric_add(p->stats->dropped_queue, 1);
	int64_t now = clock_mono_ms();
	if (now - p->last_drop_log_ms >= 1000) { /* one line a second, the counter has the rest */
		p->last_drop_log_ms = now;
		log_error("tick_dropped", "reason=%s total=%.0f hint=\"replay from the raw archive\"",
		          why, metric_value(p->stats->dropped_queue));
	}
}

/* CreateTime is now (librdkafka's for no timestamp), not the event time in the
 * payload: the broker refuses a timestamp more than
 * log.message.timestamp.after.max.ms ahead (3600000 on our Kafka 4.3 broker;
 * the virtual-clock simulator's morning at night is hours ahead), time-based
 * retention counts from it (a replayed month would be deleted at once), and
 * vwap-stream's rebuild relies on message timestamp >= event time. */
static rd_kafka_resp_err_t produce(struct col_pub *p, const void *key, size_t keylen,
                                   const void *val, size_t vallen, int64_t recv_ns)
{
	return rd_kafka_producev(p->rk, RD_KAFKA_V_RKT(p->rkt), RD_KAFKA_V_KEY(key, keylen),
	                         RD_KAFKA_V_VALUE((void *)val, vallen),
	                         RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
	                         RD_KAFKA_V_OPAQUE((void *)(intptr_t)recv_ns), RD_KAFKA_V_END);
}

void col_pub_tick(struct col_pub *p, const struct tick *t, const char *vwap_text, int64_t recv_ns)
{
	char buf[TICK_JSON_MAX];
	size_t n = col_tick_json(t, vwap_text, buf, sizeof buf);
	size_t kl = strlen(t->symbol);
	metric_add(p->stats->trades, 1);
	/* Order per symbol: once something waits in the pending list, new ticks
	 * queue behind it rather than overtake it. */
	if (__atomic_load_n(&p->head, __ATOMIC_ACQUIRE) ||
	    produce(p, t->symbol, kl, buf, n, recv_ns)) {
		if (pending_add(p, t->symbol, kl, buf, n))
			dropped(p, "queue_full");
	}
}

static void on_delivery(void *opaque, const rd_kafka_message_t *m)
{
	struct col_pub *p = opaque;
	int is_tick = m->rkt == p->rkt;
	if (!m->err) {
		int64_t recv_ns = (int64_t)(intptr_t)m->_private;
		if ((dr_seen++ & 31) == 0)
			dr_now_ns = clock_mono_ns();
		if (recv_ns > 0)
			metric_observe(p->stats->kafka_lat, (double)(dr_now_ns - recv_ns) / 1e9);
		if (is_tick)
			metric_add(p->stats->delivery_ok, 1);
		return;
	}
	if (!is_tick) { /* a dead letter: straight back into librdkafka's queue */
		kafka_produce(p->rk, rd_kafka_topic_name(m->rkt), RD_KAFKA_PARTITION_UA, m->key,
		              m->key_len, m->payload, m->len, 0, NULL, 0);
		return;
	}
	/* Failed after librdkafka's own retries: produce it again, never drop it
	 * silently (the id lets consumers discard a possibly-persisted copy). */
	metric_add(p->stats->delivery_retries, 1);
	if (pending_add(p, m->key, m->key_len, m->payload, m->len))
		dropped(p, "delivery_failed");
}

static void retry_pending(struct col_pub *p)
{
	for (;;) {
		pthread_mutex_lock(&p->lock);
		struct col_pending *e = p->head;
		pthread_mutex_unlock(&p->lock);
		if (!e || produce(p, e->data, e->keylen, e->data + e->keylen, e->vallen, 0))
			break;
		pthread_mutex_lock(&p->lock);
		__atomic_store_n(&p->head, e->next, __ATOMIC_RELEASE);
		if (!p->head)
			p->tail = NULL;
		p->npending--;
		pthread_mutex_unlock(&p->lock);
		free(e);
	}
	metric_set(p->stats->pending_depth, (double)p->npending);
}

/* rd_kafka_poll, with the report clock re-read at the first report. */
static void serve_reports(struct col_pub *p, int timeout_ms)
{
	dr_seen = 0;
	rd_kafka_poll(p->rk, timeout_ms);
}

static void *poller(void *arg)
{
	struct col_pub *p = arg;
	while (!p->stop_polling)
		serve_reports(p, 100);
	return NULL;
}

int col_pub_start_poller(struct col_pub *p)
{
	p->stop_polling = 0;
	p->polling = pthread_create(&p->poller, NULL, poller, p) == 0;
	return p->polling ? 0 : -1;
}

static void stop_poller(struct col_pub *p)
{
	if (!p->polling)
		return;
	p->stop_polling = 1;
	pthread_join(p->poller, NULL);
	p->polling = 0;
}

void col_pub_poll(struct col_pub *p, int timeout_ms)
{
	if (!p->polling)
		serve_reports(p, timeout_ms);
	else if (timeout_ms > 0)
		clock_sleep_ms(timeout_ms);
	if (__atomic_load_n(&p->head, __ATOMIC_ACQUIRE))
		retry_pending(p);
	metric_set(p->stats->queue_depth, rd_kafka_outq_len(p->rk));
}

void col_pub_dlq(struct col_pub *p, const char *stage, const char *reason, const void *orig,
                 size_t len)
{
	struct dlq_entry e = {.stage = stage, .reason = reason, .topic = NULL, .partition = -1,
	                      .offset = -1, .original = orig, .original_len = len};
	metric_add(p->stats->dlq, 1);
	dr_seen = 0; /* on a full queue dlq_send serves reports from this thread */
	int err = dlq_send(p->rk, p->dlq_topic, &e, NULL, 0);
	if (err)
		log_error("dlq_produce_failed", "error=%s", rd_kafka_err2name(err));
}

long col_pub_drain(struct col_pub *p, int timeout_ms)
{
	stop_poller(p); /* rd_kafka_flush serves the reports from here on */
	int64_t end = clock_mono_ms() + timeout_ms;
	while (__atomic_load_n(&p->head, __ATOMIC_ACQUIRE) && clock_mono_ms() < end)
		col_pub_poll(p, 10);
	int64_t left_ms = end - clock_mono_ms();
	dr_seen = 0; /* flush polls on its own: reads within a burst may lag by a wait */
	int left = kafka_drain(p->rk, left_ms > 0 ? (int)left_ms : 0);
	return left + p->npending;
}

void col_pub_destroy(struct col_pub *p)
{
	stop_poller(p);
	if (p->rkt)
		rd_kafka_topic_destroy(p->rkt);
	if (p->rk)
		kafka_producer_destroy(p->rk);
	while (p->head) {
		struct col_pending *e = p->head;
		p->head = e->next;
		free(e);
	}
	pthread_mutex_destroy(&p->lock);
}
