/* metrics — a registry of counters, gauges and histograms rendered as
 * Prometheus text, and a small HTTP endpoint serving /metrics and /health.
 *
 * Values are atomics: the hot path updates them without locks, the server
 * thread reads them. Names get the registry's prefix: tickpipe_collector_... */
#ifndef TP_METRICS_H
#define TP_METRICS_H

#include <stddef.h>

struct metrics;
struct metric;

/* Returns 1 when healthy; writes a one-line status into msg. */
typedef int (*metrics_health_fn)(void *opaque, char *msg, size_t size);

struct metrics *metrics_new(const char *prefix);
void metrics_free(struct metrics *m);

/* labels is Prometheus label text without braces (`topic="ticks"`) or NULL.
 * The same name with other labels forms one family. */
struct metric *metrics_counter(struct metrics *m, const char *name, const char *labels,
                               const char *help);
struct metric *metrics_gauge(struct metrics *m, const char *name, const char *labels,
                             const char *help);
/* Cumulative buckets with the given upper bounds (ascending). */
struct metric *metrics_histogram(struct metrics *m, const char *name, const char *labels,
                                 const char *help, const double *bounds, int nbounds);

void metric_add(struct metric *x, double v);     /* counters and gauges */
void metric_set(struct metric *x, double v);     /* gauges */
void metric_observe(struct metric *x, double v); /* histograms */
double metric_value(const struct metric *x);     /* counter/gauge value, histogram count */
/* The q-quantile (0..1) estimated from a histogram's buckets (upper bound of
 * the bucket holding it), or NAN when empty. */
double metric_quantile(const struct metric *x, double q);

/* Renders the whole registry; returns a malloc'd NUL-terminated string. */
char *metrics_render(struct metrics *m);

/* Serves GET /metrics and /health on addr:port in a background thread
 * (port 0: pick one; the chosen port is returned). -1 with err on failure. */
int metrics_serve(struct metrics *m, const char *addr, int port, metrics_health_fn health,
                  void *opaque, char *err, size_t errsize);
void metrics_stop(struct metrics *m);

#endif
