/* notifier — e-mail and webhook notifications for produced anomalies, sent
 * from a thread of their own behind a bounded queue, so a slow or dead mail
 * server never slows evaluation: when the queue is full the notification is
 * dropped and counted (the anomaly itself is already in Kafka).
 *
 * Recipients are a comma-separated list: entries starting with http:// or
 * https:// are webhooks (Slack-compatible JSON), the rest e-mail addresses
 * ("mailto:" optional). Each recipient has a token bucket (rate per minute,
 * burst of the same size); failures are retried with backoff. */
#ifndef AR_NOTIFIER_H
#define AR_NOTIFIER_H

#include "notify.h"

#include <stddef.h>

struct metrics;

struct ar_notifier_opts {
	struct notify_smtp smtp;
	const char *default_recipients; /* for rules without recipients, or NULL */
	int queue_max;
	int rate_per_min;
	int retries;
	long webhook_timeout_ms;
};

struct ar_notifier;

struct ar_notifier *ar_notifier_new(const struct ar_notifier_opts *o, struct metrics *m);
int ar_notifier_start(struct ar_notifier *n);
/* Queues a notification of the anomaly (its topic JSON) to recipients (the
 * rule's, or the default when NULL/empty). Never blocks; 0 queued, 1 nobody to
 * notify, -1 dropped (queue full). */
int ar_notifier_push(struct ar_notifier *n, const char *recipients, const char *anomaly_json,
                     size_t len);
/* Sends what is queued for up to drain_ms, then stops the thread and frees. */
void ar_notifier_free(struct ar_notifier *n, long drain_ms);

/* The e-mail subject and body for an anomaly JSON (exposed for tests); -1
 * when the JSON is not an anomaly. */
int ar_notify_render(const char *anomaly_json, size_t len, char *subject, size_t ssize,
                     char *body, size_t bsize);

#endif
