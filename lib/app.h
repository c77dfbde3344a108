/* app — what every tickpipe program does around its main loop: parse the
 * configuration, set up logging and signals, and map outcomes to the exit
 * codes documented in docs/operations.md:
 *
 *   0  success (or nothing to do)
 *   1  runtime failure: a failed delivery, a failed bulk item, a fatal error
 *   2  usage or configuration error (watchdog --once: could not check)
 *   3  outside the collection window / not a trading day (Airflow can skip)
 */
#ifndef TP_APP_H
#define TP_APP_H

#include "conf.h"

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_CLOSED = 3 };

/* The settings every program has; put APP_COMMON_OPTS first in its table. */
#define APP_COMMON_OPTS                                                                     \
	{"brokers", "KAFKA_BROKERS", "127.0.0.1:9092", 0, "Kafka bootstrap servers"},           \
	{"log-level", "TICKPIPE_LOG_LEVEL", "info", 0, "debug, info, warn or error"},           \
	{"metrics-port", "TICKPIPE_METRICS_PORT", "0", 0,                                       \
	 "serve /metrics and /health on this port (0: off)"},                                   \
	{"metrics-addr", "TICKPIPE_METRICS_ADDR", "0.0.0.0", 0, "address for the metrics port"}

/* Parses argv into c, initialises logging and signal handling.
 * Returns -1 to go on, or an exit code to return at once (help, version,
 * dump, a usage error printed as one line on stderr). */
int app_init(struct conf *c, int argc, char **argv);

/* Prints "prog: message" on stderr and returns EXIT_USAGE, for main's checks. */
int app_usage_error(const struct conf *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
