/* store — the check history, open incidents and group offset history in
 * PostgreSQL, in a schema of their own (created at start). */
#ifndef WD_STORE_H
#define WD_STORE_H

#include "wd.h"

#include <libpq-fe.h>
#include <stdio.h>

struct wd_store {
	PGconn *pg;
	char schema[128]; /* quoted identifier */
	int ready;        /* tables exist */
};

/* Connects with a short connect_timeout; -1 with err when unreachable. */
int wd_store_open(struct wd_store *st, const char *dsn, const char *schema, int timeout_s,
                  char *err, size_t errsize);
/* Reconnects when the connection dropped and creates the tables if needed. */
int wd_store_ensure(struct wd_store *st, char *err, size_t errsize);
void wd_store_close(struct wd_store *st);

int wd_store_check(struct wd_store *st, const struct wd_result *r, int64_t now_ms, char *err,
                   size_t errsize);
/* Loads the incident of target; 0 also when there is none (inc zeroed). */
int wd_store_incident_load(struct wd_store *st, const char *target, struct wd_incident *inc,
                           char *err, size_t errsize);
int wd_store_incident_save(struct wd_store *st, const char *target,
                           const struct wd_incident *inc, char *err, size_t errsize);
int wd_store_hist_load(struct wd_store *st, struct wd_hist *hist, char *err, size_t errsize);
int wd_store_hist_save(struct wd_store *st, const struct wd_hist *hist, char *err,
                       size_t errsize);
/* Deletes checks older than days (0: keep everything). */
int wd_store_prune(struct wd_store *st, long days, char *err, size_t errsize);
/* `watchdog status`: the latest check of every target as a table. */
int wd_store_status(struct wd_store *st, FILE *out, char *err, size_t errsize);

#endif
