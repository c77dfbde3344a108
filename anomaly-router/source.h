/* source — where rules come from: PostgreSQL (a table, migrated at start,
 * with a trigger that NOTIFYs every change; a background thread LISTENs and
 * reloads, reconnecting with backoff through outages) or a JSON rules file
 * (reloaded on SIGHUP or when its mtime changes).
 *
 * Either way a freshly built ruleset is handed to the evaluation thread
 * through ar_source_take(): the evaluation loop never waits for the
 * database, and keeps its last rules while the database is away. */
#ifndef AR_SOURCE_H
#define AR_SOURCE_H

#include "rules.h"

#include <stddef.h>

struct metrics;

struct ar_source_opts {
	const char *pg_dsn;    /* NULL/"": use rules_file */
	const char *schema;    /* PostgreSQL schema holding the table */
	const char *table;     /* table name */
	const char *rules_file;
	long reconnect_max_ms;
};

struct ar_source;

/* Validates the options; PostgreSQL is connected in the background. */
struct ar_source *ar_source_new(const struct ar_source_opts *o, struct metrics *m, char *err,
                                size_t errsize);
/* Starts the PostgreSQL thread, or loads the rules file once. The file
 * failing to load at start is an error (-1); a bad reload keeps the rules. */
int ar_source_start(struct ar_source *s, char *err, size_t errsize);
/* A new ruleset when one was published since the last call, else NULL. The
 * caller owns it. Also polls the rules file (mtime, SIGHUP) when it is used. */
struct ar_ruleset *ar_source_take(struct ar_source *s, int reload_requested);
/* 1 once the first ruleset arrived. */
int ar_source_ready(const struct ar_source *s);
/* 1 while PostgreSQL is connected (always 1 for a file). */
int ar_source_healthy(const struct ar_source *s);
void ar_source_free(struct ar_source *s);

/* Rules from a JSON document: {"rules":[...]} or [...], each
 * {"id","symbol","kind","params":{},"enabled","recipients":[...],"owner"}.
 * Invalid rules are logged and skipped (counted in *invalid). NULL with err
 * when the document itself is unusable. */
struct ar_ruleset *ar_rules_from_json(const char *json, size_t len, int *invalid, char *err,
                                      size_t errsize);

/* The SQL that creates/migrates the table and trigger for schema.table,
 * notifying channel; malloc'd. Validates names: NULL when unsafe. */
char *ar_pg_migration_sql(const char *schema, const char *table, const char *channel);

#endif
