/* metrics — Prometheus text registry. See metrics.h; the HTTP side is in
 * metrics_http.c. */
#include "metrics.h"
#include "metrics_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double load_d(const atomic_ullong *a)
{
	unsigned long long bits = atomic_load_explicit(a, memory_order_relaxed);
	double d;
	memcpy(&d, &bits, sizeof d);
	return d;
}

static void store_d(atomic_ullong *a, double d)
{
	unsigned long long bits;
	memcpy(&bits, &d, sizeof d);
	atomic_store_explicit(a, bits, memory_order_relaxed);
}

static void add_d(atomic_ullong *a, double v)
{
	unsigned long long old = atomic_load_explicit(a, memory_order_relaxed), nw;
	do {
		double d;
		memcpy(&d, &old, sizeof d);
		d += v;
		memcpy(&nw, &d, sizeof d);
	} while (!atomic_compare_exchange_weak_explicit(a, &old, nw, memory_order_relaxed,
	                                                memory_order_relaxed));
}

struct metrics *metrics_new(const char *prefix)
{
	struct metrics *m = calloc(1, sizeof *m);
	snprintf(m->prefix, sizeof m->prefix, "%s", prefix);
	pthread_mutex_init(&m->lock, NULL);
	m->listen_fd = -1;
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	metrics_stop(m);
	for (int i = 0; i < m->n; i++)
		free(m->items[i]);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static struct metric *add(struct metrics *m, enum metric_type type, const char *name,
                          const char *labels, const char *help)
{
	pthread_mutex_lock(&m->lock);
	struct metric *x = NULL;
	if (m->n < METRICS_MAX) {
		x = calloc(1, sizeof *x);
		x->type = type;
		snprintf(x->name, sizeof x->name, "%s_%s", m->prefix, name);
		snprintf(x->labels, sizeof x->labels, "%s", labels ? labels : "");
		snprintf(x->help, sizeof x->help, "%s", help ? help : "");
		m->items[m->n++] = x;
	}
	pthread_mutex_unlock(&m->lock);
	return x ? x : &m->overflow;
}

struct metric *metrics_counter(struct metrics *m, const char *name, const char *labels,
                               const char *help)
{
	return add(m, METRIC_COUNTER, name, labels, help);
}

struct metric *metrics_gauge(struct metrics *m, const char *name, const char *labels,
                             const char *help)
{
	return add(m, METRIC_GAUGE, name, labels, help);
}

struct metric *metrics_histogram(struct metrics *m, const char *name, const char *labels,
                                 const char *help, const double *bounds, int nbounds)
{
	struct metric *x = add(m, METRIC_HISTOGRAM, name, labels, help);
	if (x == &m->overflow)
		return x;
	x->nbounds = nbounds < METRIC_MAX_BUCKETS ? nbounds : METRIC_MAX_BUCKETS;
	memcpy(x->bounds, bounds, (size_t)x->nbounds * sizeof *bounds);
	return x;
}

void metric_add(struct metric *x, double v) { add_d(&x->value, v); }
void metric_set(struct metric *x, double v) { store_d(&x->value, v); }
double metric_value(const struct metric *x)
{
	return x->type == METRIC_HISTOGRAM ? (double)atomic_load(&x->count) : load_d(&x->value);
}

void metric_observe(struct metric *x, double v)
{
	int i = 0;
	while (i < x->nbounds && v > x->bounds[i])
		i++;
	atomic_fetch_add_explicit(&x->buckets[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&x->count, 1, memory_order_relaxed);
	add_d(&x->value, v); /* the sum */
}

double metric_quantile(const struct metric *x, double q)
{
	unsigned long long total = atomic_load(&x->count), seen = 0;
	if (!total)
		return NAN;
	for (int i = 0; i <= x->nbounds; i++) {
		seen += atomic_load(&x->buckets[i]);
		if ((double)seen >= q * (double)total)
			return i < x->nbounds ? x->bounds[i] : INFINITY;
	}
	return INFINITY;
}

/* A growable string for the renderer. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)(n > 0 ? n : 0);
		b->s = realloc(b->s, b->cap);
	}
}

static void render_histogram(struct sbuf *b, const struct metric *x)
{
	const char *sep = x->labels[0] ? "," : "";
	unsigned long long cum = 0;
	for (int i = 0; i <= x->nbounds; i++) {
		cum += atomic_load(&x->buckets[i]);
		if (i < x->nbounds)
			sb_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", x->name, x->labels, sep, x->bounds[i], cum);
		else
			sb_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", x->name, x->labels, sep, cum);
	}
	const char *lo = x->labels[0] ? "{" : "", *lc = x->labels[0] ? "}" : "";
	sb_printf(b, "%s_sum%s%s%s %.17g\n", x->name, lo, x->labels, lc, load_d(&x->value));
	sb_printf(b, "%s_count%s%s%s %llu\n", x->name, lo, x->labels, lc,
	          (unsigned long long)atomic_load(&x->count));
}

char *metrics_render(struct metrics *m)
{
	static const char *const types[] = {"counter", "gauge", "histogram"};
	struct sbuf b = {malloc(4096), 0, 4096};
	b.s[0] = '\0';
	pthread_mutex_lock(&m->lock);
	for (int i = 0; i < m->n; i++) {
		const struct metric *x = m->items[i];
		int first = 1;
		for (int j = 0; j < i && first; j++)
			first = strcmp(m->items[j]->name, x->name) != 0;
		if (first)
			sb_printf(&b, "# HELP %s %s\n# TYPE %s %s\n", x->name, x->help, x->name, types[x->type]);
		if (x->type == METRIC_HISTOGRAM)
			render_histogram(&b, x);
		else if (x->labels[0])
			sb_printf(&b, "%s{%s} %.17g\n", x->name, x->labels, load_d(&x->value));
		else
			sb_printf(&b, "%s %.17g\n", x->name, load_d(&x->value));
	}
	pthread_mutex_unlock(&m->lock);
	return b.s;
}
