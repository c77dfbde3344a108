/* conf — one table of settings per program, filled from defaults, the
 * environment (NAME or NAME_FILE) and flags, in that order of precedence.
 *
 * Every program also understands, kcat-style:
 *   -X key=value   a librdkafka property, passed through unchanged
 *   -X dump        print the effective configuration (secrets redacted), exit 0
 *   -X list        print librdkafka's property list, exit 0
 *   -F file        librdkafka properties, one key=value per line (# comments);
 *                  $TICKPIPE_KAFKA_CONFIG names such a file too
 *   -n, --check    validate the configuration and exit (0 ok, 2 bad)
 *   -h, --help     -V, --version
 * Positional arguments (subcommands such as "status") are kept in args. */
#ifndef TP_CONF_H
#define TP_CONF_H

#include <stddef.h>
#include <stdio.h>

#define CONF_SECRET 0x1 /* never printed or logged; also read from ENV_FILE */
#define CONF_SWITCH 0x2 /* a flag without a value: --once sets "1" */

#define CONF_MAX_OPTS 64
#define CONF_MAX_KAFKA 64

struct conf_opt {
	const char *name; /* long flag name, used as --name */
	const char *env;  /* environment variable, or NULL */
	const char *def;  /* default value, or NULL for unset */
	int flags;
	const char *help;
};

struct conf {
	const char *prog;
	const char *summary;  /* one line under the usage */
	const char *commands; /* e.g. "[status]" for the usage line, or NULL */
	const struct conf_opt *opts;
	int nopts;
	char *values[CONF_MAX_OPTS];
	char *kafka_key[CONF_MAX_KAFKA];
	char *kafka_val[CONF_MAX_KAFKA];
	int nkafka;
	int check_only;
	char **args;
	int nargs;
};

enum conf_status { CONF_OK = 0, CONF_DONE = 1, CONF_ERROR = -1 };

/* Parses argv and the environment into c (opts, nopts, prog set by the
 * caller). CONF_DONE: help/version/dump was printed, exit 0. CONF_ERROR: err
 * holds a one-line reason, exit 2. Secrets are registered with the log filter. */
int conf_parse(struct conf *c, int argc, char **argv, char *err, size_t errsize);
void conf_free(struct conf *c);

/* Value of a setting by name, or NULL when unset. An unknown name is a
 * programming error and aborts. */
const char *conf_str(const struct conf *c, const char *name);
int conf_bool(const struct conf *c, const char *name);
/* Numeric getters: 0 on success, -1 with err filled when the value is not a
 * number or lies outside [min, max]. */
int conf_long(const struct conf *c, const char *name, long min, long max, long *out,
              char *err, size_t errsize);
int conf_double(const struct conf *c, const char *name, double min, double max, double *out,
                char *err, size_t errsize);

/* Adds a librdkafka property as if given with -X (later wins). */
int conf_kafka_set(struct conf *c, const char *key, const char *val);
/* Sets a librdkafka property only when the user has not given it (-X, -F):
 * a program's own default that the user can still override. */
int conf_kafka_default(struct conf *c, const char *key, const char *val);
/* 1 when a librdkafka property name holds a secret (password, key, token). */
int conf_kafka_is_secret(const char *key);

void conf_usage(const struct conf *c, FILE *f);
void conf_dump(const struct conf *c, FILE *f);

/* Reads a small file whole, stripping one trailing newline. Caller frees. */
char *conf_read_file(const char *path, char *err, size_t errsize);

#endif
