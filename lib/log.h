/* log — one line per event, logfmt, to stderr.
 *
 *   ts=2026-11-23T02:30:00.123Z level=info prog=collector event=connected brokers=127.0.0.1:9092
 *
 * Every line passes through the secret filter: any value registered with
 * log_add_secret() is replaced by "***" before the line is written, so a
 * secret cannot leak even through a library's error string. */
#ifndef TP_LOG_H
#define TP_LOG_H

#include <stdio.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the program name and threshold; level_name is debug|info|warn|error.
 * Returns 0, or -1 when level_name is unknown (the level stays info). */
int log_init(const char *prog, const char *level_name);
void log_set_stream(FILE *f);           /* tests capture output; default stderr */
int log_enabled(enum log_level level);

/* Registers a secret (copied). Values shorter than 4 characters are ignored:
 * masking "a" would mangle every line. */
void log_add_secret(const char *secret);
void log_clear_secrets(void);

/* event is a short snake_case name; fmt renders the rest as key=value pairs. */
void log_write(enum log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Quotes s for a logfmt value into buf when it holds spaces, quotes or '='. */
const char *log_quote(const char *s, char *buf, size_t size);

#define log_debug(ev, ...) do { if (log_enabled(LOG_DEBUG)) log_write(LOG_DEBUG, ev, __VA_ARGS__); } while (0)
#define log_info(ev, ...)  log_write(LOG_INFO, ev, __VA_ARGS__)
#define log_warn(ev, ...)  log_write(LOG_WARN, ev, __VA_ARGS__)
#define log_error(ev, ...) log_write(LOG_ERROR, ev, __VA_ARGS__)

#endif
