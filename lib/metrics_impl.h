/* Internal layout shared by metrics.c and metrics_http.c. */
#ifndef TP_METRICS_IMPL_H
#define TP_METRICS_IMPL_H

#include "metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>

#define METRICS_MAX 256
#define METRIC_MAX_BUCKETS 24

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

struct metric {
	enum metric_type type;
	char name[96];
	char labels[128];
	char help[160];
	atomic_ullong value; /* double bits: counter/gauge value, histogram sum */
	atomic_ullong count;
	int nbounds;
	double bounds[METRIC_MAX_BUCKETS];
	atomic_ullong buckets[METRIC_MAX_BUCKETS + 1];
};

struct metrics {
	char prefix[64];
	pthread_mutex_t lock;
	struct metric *items[METRICS_MAX];
	int n;
	struct metric overflow; /* absorbs updates once the registry is full */
	/* HTTP endpoint */
	int listen_fd;
	pthread_t thread;
	atomic_int stop;
	int serving;
	metrics_health_fn health;
	void *health_opaque;
};

#endif
