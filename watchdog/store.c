/* store — PostgreSQL persistence (see store.h). Every statement is
 * parameterised; names come from the configured schema, quoted. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(struct wd_store *st, PGresult *res, char *err, size_t errsize)
{
	const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(st->pg);
	snprintf(err, errsize, "postgresql: %.*s", (int)strcspn(m, "\n"), m);
	PQclear(res);
	return -1;
}

/* Runs sql with text parameters; returns the result or NULL (err filled). */
static PGresult *exec(struct wd_store *st, const char *sql, int n, const char *const *v,
                      char *err, size_t errsize)
{
	if (!st->pg) {
		snprintf(err, errsize, "postgresql: not connected");
		return NULL;
	}
	PGresult *res = PQexecParams(st->pg, sql, n, NULL, v, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(res);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		fail(st, res, err, errsize);
		return NULL;
	}
	return res;
}

/* Formats sql with the schema substituted for every "%1$s". */
static int run(struct wd_store *st, const char *fmt, int n, const char *const *v, char *err,
               size_t errsize)
{
	char sql[2048];
	snprintf(sql, sizeof sql, fmt, st->schema);
	PGresult *res = exec(st, sql, n, v, err, errsize);
	PQclear(res);
	return res ? 0 : -1;
}

/* "relation already exists, skipping" and the like are not worth a line. */
static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int wd_store_open(struct wd_store *st, const char *dsn, const char *schema, int timeout_s,
                  char *err, size_t errsize)
{
	memset(st, 0, sizeof *st);
	char tmo[16];
	snprintf(tmo, sizeof tmo, "%d", timeout_s);
	/* The DSN (keywords or a URI) is expanded in place of dbname; the
	 * keywords after it override, so the timeout always applies. */
	const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *vals[] = {dsn, tmo, "tickpipe-watchdog", NULL};
	st->pg = PQconnectdbParams(keys, vals, 1);
	/* Error text first: escaping on a failed connection overwrites it. */
	int rc = !st->pg || PQstatus(st->pg) != CONNECTION_OK ? fail(st, NULL, err, errsize) : 0;
	char *q = st->pg ? PQescapeIdentifier(st->pg, schema, strlen(schema)) : NULL;
	if (q) {
		snprintf(st->schema, sizeof st->schema, "%s", q);
		PQfreemem(q);
	} else { /* by hand: wd_cfg_load allows only [a-z0-9_] */
		snprintf(st->schema, sizeof st->schema, "\"%.120s\"", schema);
	}
	if (st->pg)
		PQsetNoticeProcessor(st->pg, quiet, NULL);
	return rc;
}

static const char ddl[] =
	"CREATE SCHEMA IF NOT EXISTS %1$s;"
	"CREATE TABLE IF NOT EXISTS %1$s.checks ("
	" checked_at timestamptz NOT NULL, target text NOT NULL, kind text NOT NULL,"
	" state text NOT NULL, newest_ts timestamptz, age_s double precision,"
	" threshold_s double precision, lag_msgs bigint, lag_s double precision,"
	" lag_state text, stale_since timestamptz, last_value text, error text, detail text,"
	" reason text);"
	"CREATE INDEX IF NOT EXISTS checks_target_time ON %1$s.checks (target, checked_at DESC);"
	"CREATE INDEX IF NOT EXISTS checks_time ON %1$s.checks (checked_at);"
	"CREATE TABLE IF NOT EXISTS %1$s.incidents ("
	" target text PRIMARY KEY, open boolean NOT NULL, since_ms bigint, opened_ms bigint,"
	" alert_pending int NOT NULL, recovery_pending int NOT NULL, last_value text,"
	" updated_at timestamptz NOT NULL DEFAULT now(), newest_ms bigint);"
	"CREATE TABLE IF NOT EXISTS %1$s.group_offsets ("
	" grp text, topic text, part int, committed bigint, max_offset bigint, moved_ms bigint,"
	" PRIMARY KEY (grp, topic, part));";

int wd_store_ensure(struct wd_store *st, char *err, size_t errsize)
{
	if (!st->pg) {
		snprintf(err, errsize, "postgresql: not connected");
		return -1;
	}
	if (PQstatus(st->pg) != CONNECTION_OK) {
		PQreset(st->pg);
		if (PQstatus(st->pg) != CONNECTION_OK)
			return fail(st, NULL, err, errsize);
	}
	if (st->ready)
		return 0;
	char sql[sizeof ddl + 1024];
	snprintf(sql, sizeof sql, ddl, st->schema);
	PGresult *res = PQexec(st->pg, sql); /* several statements: simple protocol */
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return fail(st, res, err, errsize);
	PQclear(res);
	st->ready = 1;
	return 0;
}

void wd_store_close(struct wd_store *st)
{
	if (st->pg)
		PQfinish(st->pg);
	st->pg = NULL;
}

static const char *num(char *buf, size_t size, double v, int present)
{
	if (!present)
		return NULL;
	snprintf(buf, size, "%.3f", v);
	return buf;
}

static const char *inum(char *buf, size_t size, long long v, int present)
{
	if (!present)
		return NULL;
	snprintf(buf, size, "%lld", v);
	return buf;
}

int wd_store_check(struct wd_store *st, const struct wd_result *r, int64_t now_ms, char *err,
                   size_t errsize)
{
	char b[8][32];
	int grp = r->kind == WD_GROUP && r->checked;
	static const char *const kinds[] = {"topic", "es", "mongo", "group"};
	const char *v[] = {
		inum(b[0], 32, now_ms, 1), r->target, kinds[r->kind], wd_verdict_name(r->verdict),
		inum(b[1], 32, r->newest_ms, r->checked && r->newest_ms >= 0),
		num(b[2], 32, r->age_s, r->checked && r->age_s >= 0),
		num(b[3], 32, (double)r->threshold_ms / 1000.0, 1),
		inum(b[4], 32, r->lag_msgs, grp), num(b[5], 32, r->lag_s, grp),
		grp ? wd_lag_state_name(r->lag_state) : NULL,
		inum(b[6], 32, r->stale_since_ms, r->stale_since_ms >= 0),
		r->last_value[0] ? r->last_value : NULL, r->checked ? NULL : r->error,
		r->detail[0] ? r->detail : NULL, r->why[0] ? r->why : NULL};
	return run(st,
	           "INSERT INTO %1$s.checks VALUES (to_timestamp($1::bigint / 1000.0), $2, $3, $4,"
	           " to_timestamp($5::bigint / 1000.0), $6, $7, $8, $9, $10,"
	           " to_timestamp($11::bigint / 1000.0), $12, $13, $14, $15)",
	           15, v, err, errsize);
}

int wd_store_incident_load(struct wd_store *st, const char *target, struct wd_incident *inc,
                           char *err, size_t errsize)
{
	memset(inc, 0, sizeof *inc);
	char sql[512];
	snprintf(sql, sizeof sql,
	         "SELECT open, since_ms, opened_ms, alert_pending, recovery_pending,"
	         " coalesce(last_value, ''), coalesce(newest_ms, -1) FROM %s.incidents"
	         " WHERE target = $1",
	         st->schema);
	PGresult *res = exec(st, sql, 1, (const char *[]){target}, err, errsize);
	if (!res)
		return -1;
	if (PQntuples(res) == 1) {
		inc->open = PQgetvalue(res, 0, 0)[0] == 't';
		inc->since_ms = atoll(PQgetvalue(res, 0, 1));
		inc->opened_ms = atoll(PQgetvalue(res, 0, 2));
		inc->alert_pending = atoi(PQgetvalue(res, 0, 3)); /* channel masks */
		inc->recovery_pending = atoi(PQgetvalue(res, 0, 4));
		snprintf(inc->last_value, sizeof inc->last_value, "%s", PQgetvalue(res, 0, 5));
		inc->newest_ms = atoll(PQgetvalue(res, 0, 6));
	}
	PQclear(res);
	return 0;
}

int wd_store_incident_save(struct wd_store *st, const char *target,
                           const struct wd_incident *inc, char *err, size_t errsize)
{
	char a[32], b[32], c[32], p[16], q[16];
	const char *v[] = {target, inc->open ? "t" : "f", inum(a, 32, inc->since_ms, 1),
	                   inum(b, 32, inc->opened_ms, 1), inum(p, 16, inc->alert_pending, 1),
	                   inum(q, 16, inc->recovery_pending, 1), inc->last_value,
	                   inum(c, 32, inc->newest_ms, 1)};
	return run(st,
	           "INSERT INTO %1$s.incidents AS i VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8)"
	           " ON CONFLICT (target) DO UPDATE SET open = $2, since_ms = $3, opened_ms = $4,"
	           " alert_pending = $5, recovery_pending = $6, last_value = $7, updated_at = now(),"
	           " newest_ms = $8",
	           8, v, err, errsize);
}

int wd_store_hist_load(struct wd_store *st, struct wd_hist *hist, char *err, size_t errsize)
{
	char sql[256];
	snprintf(sql, sizeof sql,
	         "SELECT grp, topic, part, committed, max_offset, moved_ms FROM %s.group_offsets",
	         st->schema);
	PGresult *res = exec(st, sql, 0, NULL, err, errsize);
	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		struct wd_hist_entry *e = wd_hist_get(hist, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		                                      atoi(PQgetvalue(res, i, 2)));
		if (!e)
			break;
		e->h = (struct wd_part_hist){.valid = 1, .offset = atoll(PQgetvalue(res, i, 3)),
		                             .max_offset = atoll(PQgetvalue(res, i, 4)),
		                             .moved_ms = atoll(PQgetvalue(res, i, 5))};
	}
	PQclear(res);
	return 0;
}

int wd_store_hist_save(struct wd_store *st, const struct wd_hist *hist, char *err,
                       size_t errsize)
{
	for (size_t i = 0; i < hist->n; i++) {
		const struct wd_hist_entry *e = &hist->e[i];
		char p[16], o[32], m[32], t[32];
		const char *v[] = {e->group, e->topic, inum(p, 16, e->partition, 1),
		                   inum(o, 32, e->h.offset, 1), inum(m, 32, e->h.max_offset, 1),
		                   inum(t, 32, e->h.moved_ms, 1)};
		if (e->h.valid &&
		    run(st,
		        "INSERT INTO %1$s.group_offsets VALUES ($1, $2, $3, $4, $5, $6)"
		        " ON CONFLICT (grp, topic, part) DO UPDATE SET committed = $4,"
		        " max_offset = $5, moved_ms = $6",
		        6, v, err, errsize))
			return -1;
	}
	return 0;
}

int wd_store_prune(struct wd_store *st, long days, char *err, size_t errsize)
{
	char d[16];
	snprintf(d, sizeof d, "%ld", days);
	const char *v[] = {d};
	/* checks_time makes this an index probe when nothing is due. */
	return days > 0 ? run(st,
	                      "DELETE FROM %1$s.checks WHERE checked_at < now() - make_interval(days => $1::int)",
	                      1, v, err, errsize)
	                : 0;
}

int wd_store_status(struct wd_store *st, FILE *out, char *err, size_t errsize)
{
	char sql[1536];
#define TS(x) "to_char((" x ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	snprintf(sql, sizeof sql,
	         "SELECT t.target, upper(t.state), " TS("t.checked_at") ","
	         " coalesce(" TS("t.newest_ts") ", '-'),"
	         " coalesce(round(t.age_s::numeric, 1)::text, '-'), coalesce(t.lag_msgs::text, '-'),"
	         " coalesce(round(t.lag_s::numeric, 1)::text, '-'), coalesce(t.lag_state, '-'),"
	         " CASE WHEN i.open THEN " TS("to_timestamp(i.since_ms / 1000.0)") " ELSE '-' END,"
	         " coalesce(t.error, t.reason, '')"
	         " FROM (SELECT DISTINCT ON (target) * FROM %1$s.checks"
	         " ORDER BY target, checked_at DESC) t"
	         " LEFT JOIN %1$s.incidents i ON i.target = t.target ORDER BY t.target",
	         st->schema);
#undef TS
	PGresult *res = exec(st, sql, 0, NULL, err, errsize);
	if (!res)
		return -1;
	static const char fmt[] = "%-36s %-6s %-20s %-20s %8s %9s %8s %-6s %-20s %s\n";
	fprintf(out, fmt, "TARGET", "STATE", "CHECKED", "NEWEST", "AGE_S", "LAG", "LAG_S", "LAGST",
	        "STALE_SINCE", "NOTE");
	for (int i = 0; i < PQntuples(res); i++)
		fprintf(out, fmt, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
		        PQgetvalue(res, i, 3), PQgetvalue(res, i, 4), PQgetvalue(res, i, 5),
		        PQgetvalue(res, i, 6), PQgetvalue(res, i, 7), PQgetvalue(res, i, 8),
		        PQgetvalue(res, i, 9));
	PQclear(res);
	return 0;
}
