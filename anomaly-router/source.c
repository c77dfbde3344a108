/* source — the rules' provider: a PostgreSQL LISTEN thread or a JSON file. */
#include "source.h"

#include "backoff.h"
#include "clock.h"
#include "conf.h"
#include "log.h"
#include "metrics.h"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct ar_source {
	struct ar_source_opts o;
	char channel[64];
	pthread_t thread;
	int started;
	atomic_int stop;
	atomic_int ready, healthy;
	atomic_int reload; /* SIGHUP in PostgreSQL mode: reload now */
	_Atomic(struct ar_ruleset *) pending;
	struct timespec file_mtime;
	int64_t file_checked;
	struct metric *m_reloads, *m_rules, *m_invalid, *m_pg_up, *m_pg_errors;
};

static void publish(struct ar_source *s, struct ar_ruleset *rs, int invalid)
{
	metric_add(s->m_reloads, 1);
	metric_set(s->m_rules, (double)ar_ruleset_size(rs));
	metric_set(s->m_invalid, invalid);
	log_info("rules_loaded", "rules=%zu invalid=%d source=%s", ar_ruleset_size(rs), invalid,
	         s->o.pg_dsn && *s->o.pg_dsn ? "postgresql" : "file");
	ar_ruleset_free(atomic_exchange(&s->pending, rs));
	atomic_store(&s->ready, 1);
}

struct ar_source *ar_source_new(const struct ar_source_opts *o, struct metrics *m, char *err,
                                size_t errsize)
{
	int pg = o->pg_dsn && *o->pg_dsn;
	if (!pg && !(o->rules_file && *o->rules_file)) {
		snprintf(err, errsize, "no rules: set --pg-dsn or --rules-file");
		return NULL;
	}
	struct ar_source *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->o = *o;
	snprintf(s->channel, sizeof s->channel, "tp_rules_%s_%s", o->schema, o->table);
	char *sql = pg ? ar_pg_migration_sql(o->schema, o->table, s->channel) : NULL;
	if (pg && !sql) {
		snprintf(err, errsize, "--pg-schema and --pg-table must be lower-case identifiers");
		free(s);
		return NULL;
	}
	free(sql);
	s->m_reloads = metrics_counter(m, "rules_reloads_total", NULL, "rulesets loaded");
	s->m_rules = metrics_gauge(m, "rules", NULL, "rules in force");
	s->m_invalid = metrics_gauge(m, "rules_invalid", NULL, "rules skipped as invalid");
	s->m_pg_up = metrics_gauge(m, "postgres_up", NULL, "1 while PostgreSQL is connected");
	s->m_pg_errors = metrics_counter(m, "postgres_errors_total", NULL,
	                                 "PostgreSQL connection or query failures");
	atomic_store(&s->healthy, !pg);
	return s;
}

/* ---- PostgreSQL ---- */

static int exec_ok(PGconn *c, const char *sql, char *err, size_t errsize)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(err, errsize, "%s", PQerrorMessage(c));
	PQclear(r);
	if (!ok && PQtransactionStatus(c) == PQTRANS_INERROR)
		PQclear(PQexec(c, "ROLLBACK"));
	return ok ? 0 : -1;
}

static struct ar_ruleset *load_pg(struct ar_source *s, PGconn *c, int *invalid, char *err,
                                  size_t errsize)
{
	char sql[400];
	snprintf(sql, sizeof sql,
	         "SELECT id, symbol, kind, params::text, array_to_string(recipients, ','), "
	         "coalesce(owner, '') FROM %s.%s WHERE enabled ORDER BY id",
	         s->o.schema, s->o.table);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(err, errsize, "%s", PQerrorMessage(c));
		PQclear(r);
		return NULL;
	}
	int n = PQntuples(r), k = 0;
	struct ar_rule *rules = calloc((size_t)n + 1, sizeof *rules);
	*invalid = 0;
	for (int i = 0; rules && i < n; i++) {
		char why[200], q[256];
		if (ar_rule_parse(&rules[k], PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		                  PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 4),
		                  PQgetvalue(r, i, 5), why, sizeof why) == 0) {
			k++;
		} else {
			(*invalid)++;
			log_warn("rule_invalid", "id=%s reason=%s", log_quote(PQgetvalue(r, i, 0), q, 128),
			         log_quote(why, q + 128, 128));
		}
	}
	PQclear(r);
	struct ar_ruleset *rs = rules ? ar_ruleset_build(rules, (size_t)k) : NULL;
	if (!rs) {
		for (int i = 0; rules && i < k; i++)
			ar_rule_free(&rules[i]);
		free(rules);
		snprintf(err, errsize, "out of memory");
	}
	return rs;
}

static int reload_pg(struct ar_source *s, PGconn *c, char *err, size_t errsize)
{
	int invalid;
	struct ar_ruleset *rs = load_pg(s, c, &invalid, err, errsize);
	if (!rs)
		return -1;
	publish(s, rs, invalid);
	return 0;
}

/* Connects, migrates, LISTENs and loads; NULL with err on any failure. */
static PGconn *pg_open(struct ar_source *s, char *err, size_t errsize)
{
	/* A default connect timeout, which the DSN's own setting overrides. */
	const char *const keys[] = {"connect_timeout", "dbname", NULL};
	const char *const vals[] = {"5", s->o.pg_dsn, NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(err, errsize, "%s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	char *sql = ar_pg_migration_sql(s->o.schema, s->o.table, s->channel);
	char listen[128];
	snprintf(listen, sizeof listen, "LISTEN %s", s->channel);
	int ok = exec_ok(c, "SET application_name = 'tickpipe-anomaly-router'", err, errsize) == 0 &&
	         exec_ok(c, sql, err, errsize) == 0 && exec_ok(c, listen, err, errsize) == 0 &&
	         reload_pg(s, c, err, errsize) == 0;
	free(sql);
	if (!ok) {
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* Waits for notifications; returns when the connection breaks or on stop. */
static void pg_listen(struct ar_source *s, PGconn *c)
{
	char err[512];
	while (!atomic_load(&s->stop)) {
		struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
		if (p.fd < 0 || poll(&p, 1, 200) < 0)
			return;
		if (p.revents && !PQconsumeInput(c))
			return;
		int changed = atomic_exchange(&s->reload, 0);
		for (PGnotify *n; (n = PQnotifies(c)); PQfreemem(n))
			changed++;
		if (changed && reload_pg(s, c, err, sizeof err) != 0) {
			log_warn("rules_reload_failed", "error=%s", err);
			return;
		}
		if (PQstatus(c) != CONNECTION_OK)
			return;
	}
}

static void *pg_thread(void *arg)
{
	struct ar_source *s = arg;
	struct backoff b;
	backoff_init(&b, 200, s->o.reconnect_max_ms > 0 ? s->o.reconnect_max_ms : 30000);
	char err[512], q[600];
	while (!atomic_load(&s->stop)) {
		PGconn *c = pg_open(s, err, sizeof err);
		if (!c) {
			err[strcspn(err, "\n")] = 0;
			metric_add(s->m_pg_errors, 1);
			int64_t d = backoff_next(&b);
			log_warn("postgres_unavailable", "error=%s retry_ms=%lld keeping_rules=%zu",
			         log_quote(err, q, sizeof q), (long long)d,
			         (size_t)atomic_load(&s->ready));
			backoff_sleep(d, (volatile const int *)&s->stop);
			continue;
		}
		backoff_reset(&b);
		atomic_store(&s->healthy, 1);
		metric_set(s->m_pg_up, 1);
		log_info("postgres_connected", "schema=%s table=%s channel=%s", s->o.schema,
		         s->o.table, s->channel);
		pg_listen(s, c);
		atomic_store(&s->healthy, 0);
		metric_set(s->m_pg_up, 0);
		if (!atomic_load(&s->stop)) {
			metric_add(s->m_pg_errors, 1);
			log_warn("postgres_lost", "error=%s", log_quote(PQerrorMessage(c), q, sizeof q));
		}
		PQfinish(c);
	}
	return NULL;
}

/* ---- rules file ---- */

static int load_file(struct ar_source *s, char *err, size_t errsize)
{
	char *text = conf_read_file(s->o.rules_file, err, errsize);
	if (!text)
		return -1;
	int invalid;
	struct ar_ruleset *rs = ar_rules_from_json(text, strlen(text), &invalid, err, errsize);
	free(text);
	if (!rs)
		return -1;
	publish(s, rs, invalid);
	return 0;
}

static int file_changed(struct ar_source *s)
{
	struct stat st;
	if (stat(s->o.rules_file, &st) != 0)
		return 0;
	int changed = st.st_mtim.tv_sec != s->file_mtime.tv_sec ||
	              st.st_mtim.tv_nsec != s->file_mtime.tv_nsec;
	s->file_mtime = st.st_mtim;
	return changed;
}

int ar_source_start(struct ar_source *s, char *err, size_t errsize)
{
	if (s->o.pg_dsn && *s->o.pg_dsn) {
		if (pthread_create(&s->thread, NULL, pg_thread, s) != 0) {
			snprintf(err, errsize, "cannot start the PostgreSQL thread");
			return -1;
		}
		s->started = 1;
		return 0;
	}
	file_changed(s);
	return load_file(s, err, errsize);
}

struct ar_ruleset *ar_source_take(struct ar_source *s, int reload_requested)
{
	if (s->started && reload_requested)
		atomic_store(&s->reload, 1);
	if (!s->started) {
		int64_t now = clock_mono_ms();
		if (reload_requested || (now - s->file_checked >= 1000 && file_changed(s))) {
			char err[256], q[300];
			if (load_file(s, err, sizeof err) != 0)
				log_warn("rules_reload_failed", "error=%s keeping_rules=1",
				         log_quote(err, q, sizeof q));
		}
		if (now - s->file_checked >= 1000)
			s->file_checked = now;
	}
	return atomic_exchange(&s->pending, NULL);
}

int ar_source_ready(const struct ar_source *s) { return atomic_load(&s->ready); }
int ar_source_healthy(const struct ar_source *s) { return atomic_load(&s->healthy); }

void ar_source_free(struct ar_source *s)
{
	if (!s)
		return;
	atomic_store(&s->stop, 1);
	if (s->started) {
		/* A query stuck on a dead server must not hold up the exit. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 3;
		if (pthread_timedjoin_np(s->thread, NULL, &ts) != 0) {
			log_warn("postgres_thread_stuck", "action=exit_without_join");
			return;
		}
	}
	ar_ruleset_free(atomic_exchange(&s->pending, NULL));
	free(s);
}
