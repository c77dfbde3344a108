/* notifier — the notification thread, queue, rate limits and retries. */
#include "notifier.h"

#include "anomaly.h"
#include "backoff.h"
#include "clock.h"
#include "jsonw.h"
#include "log.h"
#include "metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AR_MAX_TARGETS 256

struct job {
	char *recipients;
	char *json;
	size_t len;
};

struct bucket {
	char target[200];
	double tokens;
	int64_t at_ms;
};

struct ar_notifier {
	struct ar_notifier_opts o;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int started;
	struct job *q;
	int head, count;
	volatile int stop;      /* leave once the queue is empty or the deadline passed */
	int64_t deadline_ms;    /* monotonic; 0 while running */
	struct bucket buckets[AR_MAX_TARGETS];
	int nbuckets;
	struct metric *m_sent[2], *m_failed[2], *m_dropped, *m_limited;
};

struct ar_notifier *ar_notifier_new(const struct ar_notifier_opts *o, struct metrics *m)
{
	struct ar_notifier *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->o = *o;
	if (n->o.queue_max < 1)
		n->o.queue_max = 1000;
	n->q = calloc((size_t)n->o.queue_max, sizeof *n->q);
	if (!n->q) {
		free(n);
		return NULL;
	}
	pthread_mutex_init(&n->mu, NULL);
	pthread_cond_init(&n->cv, NULL);
	const char *ch[2] = {"channel=\"email\"", "channel=\"webhook\""};
	for (int i = 0; i < 2; i++) {
		n->m_sent[i] = metrics_counter(m, "notifications_sent_total", ch[i], "notifications delivered");
		n->m_failed[i] = metrics_counter(m, "notifications_failed_total", ch[i],
		                                 "notifications given up after retries");
	}
	n->m_dropped = metrics_counter(m, "notifications_dropped_total", NULL,
	                               "notifications dropped: queue full");
	n->m_limited = metrics_counter(m, "notifications_rate_limited_total", NULL,
	                               "notifications dropped by a recipient's rate limit");
	return n;
}

int ar_notifier_push(struct ar_notifier *n, const char *recipients, const char *anomaly_json,
                     size_t len)
{
	const char *r = recipients && *recipients ? recipients : n->o.default_recipients;
	if (!r || !*r)
		return 1;
	pthread_mutex_lock(&n->mu);
	int full = n->count >= n->o.queue_max;
	if (!full) {
		struct job *j = &n->q[(n->head + n->count) % n->o.queue_max];
		j->recipients = strdup(r);
		j->json = malloc(len + 1);
		if (j->json) {
			memcpy(j->json, anomaly_json, len);
			j->json[len] = 0;
		}
		j->len = len;
		n->count++;
		pthread_cond_signal(&n->cv);
	}
	pthread_mutex_unlock(&n->mu);
	if (full)
		metric_add(n->m_dropped, 1);
	return full ? -1 : 0;
}

int ar_notify_render(const char *json, size_t len, char *subject, size_t ssize, char *body,
                     size_t bsize)
{
	struct anomaly a;
	char reason[128];
	if (anomaly_decode(json, len, &a, reason, sizeof reason) != 0)
		return -1;
	char when[40];
	time_t sec = (time_t)(a.ts / 1000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	size_t w = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + w, sizeof when - w, ".%03dZ", (int)(a.ts % 1000));
	snprintf(subject, ssize, "[tickpipe] %s %s (rule %s): %s", a.symbol, a.kind, a.rule_id,
	         a.message);
	snprintf(body, bsize,
	         "Symbol:     %s\nRule:       %s\nKind:       %s\nEvent time: %s\n"
	         "Observed:   %.10g\nThreshold:  %.10g\nMessage:    %s\nAnomaly id: %s\n"
	         "Source:     %s\n\nOriginal message:\n%.*s\n",
	         a.symbol, a.rule_id, a.kind, when, a.observed, a.threshold, a.message, a.id,
	         a.source_topic, (int)a.original_len, a.original ? a.original : "");
	anomaly_free_original(&a);
	return 0;
}

/* Token bucket per recipient; 1 when a send is allowed now. */
static int allow(struct ar_notifier *n, const char *target)
{
	if (n->o.rate_per_min <= 0)
		return 1;
	int64_t now = clock_mono_ms();
	struct bucket *b = NULL;
	for (int i = 0; i < n->nbuckets && !b; i++)
		if (strcmp(n->buckets[i].target, target) == 0)
			b = &n->buckets[i];
	if (!b) {
		b = &n->buckets[n->nbuckets < AR_MAX_TARGETS ? n->nbuckets++ : AR_MAX_TARGETS - 1];
		snprintf(b->target, sizeof b->target, "%s", target);
		b->tokens = n->o.rate_per_min;
		b->at_ms = now;
	}
	b->tokens += (double)(now - b->at_ms) * n->o.rate_per_min / 60000.0;
	if (b->tokens > n->o.rate_per_min)
		b->tokens = n->o.rate_per_min;
	b->at_ms = now;
	if (b->tokens < 1)
		return 0;
	b->tokens -= 1;
	return 1;
}

static int past_deadline(struct ar_notifier *n)
{
	return n->stop && clock_mono_ms() >= n->deadline_ms;
}

/* One recipient, with retries; the target never reaches the log (a webhook
 * URL carries its token), only its channel. */
static void send_one(struct ar_notifier *n, const char *target, const char *subject,
                     const char *body, const char *hook_json)
{
	int web = strncmp(target, "http://", 7) == 0 || strncmp(target, "https://", 8) == 0;
	if (strncmp(target, "mailto:", 7) == 0)
		target += 7;
	if (!allow(n, target)) {
		metric_add(n->m_limited, 1);
		log_warn("notification_rate_limited", "channel=%s", web ? "webhook" : "email");
		return;
	}
	struct backoff b;
	backoff_init(&b, 500, 8000);
	char err[300], q[320];
	for (int attempt = 0;; attempt++) {
		int rc = web ? notify_webhook(target, hook_json, n->o.webhook_timeout_ms, err, sizeof err)
		             : notify_email(&n->o.smtp, target, subject, body, err, sizeof err);
		if (rc == 0) {
			metric_add(n->m_sent[web], 1);
			return;
		}
		if (rc != NOTIFY_RETRY || attempt >= n->o.retries || past_deadline(n)) {
			metric_add(n->m_failed[web], 1);
			log_warn("notification_failed", "channel=%s attempts=%d error=%s",
			         web ? "webhook" : "email", attempt + 1, log_quote(err, q, sizeof q));
			return;
		}
		int64_t d = backoff_next(&b);
		while (d > 0 && !past_deadline(n)) {
			backoff_sleep(d > 100 ? 100 : d, NULL);
			d -= 100;
		}
	}
}

static void deliver(struct ar_notifier *n, struct job *j)
{
	static char subject[512], body[8192], hook[16384], text[1024];
	if (!j->json || !j->recipients ||
	    ar_notify_render(j->json, j->len, subject, sizeof subject, body, sizeof body) != 0)
		return;
	size_t tl = strlen(body) < sizeof text - 1 ? strlen(body) : sizeof text - 1;
	memcpy(text, body, tl);
	text[tl] = 0;
	char *cut = strstr(text, "\n\nOriginal message:");
	if (cut)
		*cut = 0;
	struct jw w;
	jw_init(&w, hook, sizeof hook);
	jw_open(&w, NULL);
	static char title[2048];
	size_t sl = strlen(subject);
	title[0] = '*';
	memcpy(title + 1, subject, sl);
	title[sl + 1] = '*';
	title[sl + 2] = '\n';
	memcpy(title + sl + 3, text, strlen(text) + 1);
	jw_str(&w, "text", title);
	jw_raw(&w, "anomaly", j->json, j->len);
	jw_close(&w);
	if (!jw_finish(&w))
		notify_slack_payload(subject, text, hook, sizeof hook);
	char *save = NULL, *list = j->recipients;
	for (char *t = strtok_r(list, ",;", &save); t; t = strtok_r(NULL, ",;", &save)) {
		while (*t == ' ')
			t++;
		if (*t)
			send_one(n, t, subject, body, hook);
	}
}

static void *run(void *arg)
{
	struct ar_notifier *n = arg;
	pthread_mutex_lock(&n->mu);
	for (;;) {
		while (n->count == 0 && !n->stop)
			pthread_cond_wait(&n->cv, &n->mu);
		if (n->count == 0 || past_deadline(n))
			break;
		struct job j = n->q[n->head];
		n->head = (n->head + 1) % n->o.queue_max;
		n->count--;
		pthread_mutex_unlock(&n->mu);
		deliver(n, &j);
		free(j.recipients);
		free(j.json);
		pthread_mutex_lock(&n->mu);
	}
	pthread_mutex_unlock(&n->mu);
	return NULL;
}

int ar_notifier_start(struct ar_notifier *n)
{
	if (pthread_create(&n->thread, NULL, run, n) != 0)
		return -1;
	n->started = 1;
	return 0;
}

void ar_notifier_free(struct ar_notifier *n, long drain_ms)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->mu);
	n->deadline_ms = clock_mono_ms() + drain_ms;
	n->stop = 1;
	pthread_cond_signal(&n->cv);
	pthread_mutex_unlock(&n->mu);
	if (n->started) {
		/* A send in progress ends by its own timeout at the latest; past
		 * the drain budget the thread is left behind for the exit. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += drain_ms / 1000 + 1;
		if (pthread_timedjoin_np(n->thread, NULL, &ts) != 0) {
			log_warn("notifier_stuck", "queued=%d action=exit_without_join", n->count);
			return;
		}
	}
	if (n->count)
		log_warn("notifications_unsent", "count=%d", n->count);
	for (; n->count; n->count--, n->head = (n->head + 1) % n->o.queue_max) {
		free(n->q[n->head].recipients);
		free(n->q[n->head].json);
	}
	free(n->q);
	pthread_mutex_destroy(&n->mu);
	pthread_cond_destroy(&n->cv);
	free(n);
}
