/* round — one check of every target (see round.h). Each dependency is
 * probed with short timeouts; a failure is "cannot check", never stale. */
#include "round.h"

#include "alert.h"
#include "clock.h"
#include "conf.h"
#include "http.h"
#include "kreader.h"
#include "log.h"
#include "metrics.h"
#include "probe.h"
#include "sig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct wd_target *target_of(struct wd_ctx *x, const char *name)
{
	for (int i = 0; i < x->ntargets; i++)
		if (strcmp(x->targets[i].name, name) == 0)
			return &x->targets[i];
	if (x->ntargets == WD_MAX_TARGETS)
		return NULL;
	struct wd_target *t = &x->targets[x->ntargets++];
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "%s", name);
	if (x->m) {
		char l[200];
		snprintf(l, sizeof l, "target=\"%s\"", name);
		t->stale = metrics_gauge(x->m, "target_stale", l, "1 while the target is stale");
		t->newest = metrics_gauge(x->m, "last_record_timestamp_seconds", l,
		                          "time of the newest record seen");
		t->age = metrics_gauge(x->m, "record_age_seconds", l, "age of the newest record");
		t->lag = metrics_gauge(x->m, "consumer_lag_messages", l, "group lag in messages");
		t->lag_s = metrics_gauge(x->m, "consumer_lag_seconds", l, "group lag in seconds");
		t->lag_state = metrics_gauge(x->m, "consumer_state", l,
		                             "1 OK, 2 REWIND, 3 STALL, 4 STOP");
	}
	return t;
}

int wd_ctx_init(struct wd_ctx *x, const struct conf *c, struct wd_cfg *cfg, char *err,
                size_t errsize)
{
	memset(x, 0, sizeof *x);
	x->c = c;
	x->cfg = cfg;
	x->channels = wd_alert_channels(c);
	x->was_open = -1;
	if (cfg->ntopics || cfg->ngroups) {
		x->rk = wd_kafka_new(c, conf_str(c, "brokers"), (int)cfg->timeout_ms, err, errsize);
		if (!x->rk)
			return -1;
	}
	if (cfg->es_url) {
		x->es = wd_es_client(cfg, conf_str(c, "es-user"), conf_str(c, "es-password"),
		                     conf_str(c, "es-api-key"), conf_str(c, "es-ca-file"), err, errsize);
		if (!x->es)
			return -1;
	}
	if (cfg->mongo_uri && !(x->mongo = wd_mongo_client(cfg, err, errsize)))
		return -1;
	/* PostgreSQL down at start is not fatal: the checks still run and
	 * alert, and wd_store_ensure reconnects at every round. */
	char perr[256], q[300];
	if (cfg->pg_dsn && wd_store_open(&x->st, cfg->pg_dsn, cfg->pg_schema,
	                                 (int)(cfg->timeout_ms + 999) / 1000, perr, sizeof perr))
		log_error("cannot_record", "error=%s", log_quote(perr, q, sizeof q));
	return 0;
}

void wd_ctx_free(struct wd_ctx *x)
{
	if (x->rk) {
		rd_kafka_consumer_close(x->rk); /* no group joined: returns at once */
		rd_kafka_destroy(x->rk);
	}
	http_client_free(x->es);
	if (x->mongo)
		mongoc_client_destroy(x->mongo);
	wd_store_close(&x->st);
	wd_hist_free(&x->hist);
}

static int kafka_reachable(rd_kafka_t *rk, const struct wd_cfg *cfg, char *err, size_t errsize)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, NULL, &md, (int)cfg->timeout_ms);
	if (md)
		rd_kafka_metadata_destroy(md);
	if (e)
		snprintf(err, errsize, "cannot reach Kafka: %s", rd_kafka_err2str(e));
	return e ? -1 : 0;
}

/* Kafka unreachable: every Kafka target "cannot check" with that reason. */
static int kafka_down(const struct wd_cfg *cfg, const char *why, struct wd_result *res)
{
	int n = 0;
	for (int i = 0; i < cfg->ntopics + cfg->ngroups && n < WD_MAX_TARGETS; i++, n++) {
		int topic = i < cfg->ntopics;
		snprintf(res[n].target, sizeof res[n].target, "%s:%s", topic ? "topic" : "group",
		         topic ? cfg->topics[i] : cfg->groups[i - cfg->ntopics]);
		res[n].kind = topic ? WD_TOPIC : WD_GROUP;
		snprintf(res[n].error, sizeof res[n].error, "%s", why);
	}
	return n;
}

/* The newest frame, then (once, after a successful query so a dead MongoDB
 * costs one timeout) the index that keeps the query cheap. */
static void probe_mongo(struct wd_ctx *x, struct wd_result *r)
{
	char err[256], q[300];
	if (wd_probe_mongo(x->mongo, x->cfg, r) || x->mongo_indexed || !x->cfg->mongo_index)
		return;
	if (wd_mongo_ensure_index(x->mongo, x->cfg, err, sizeof err) == 0)
		x->mongo_indexed = 1;
	else /* the find still works, only slower: say so and go on */
		log_warn("mongo_index_failed", "error=%s", log_quote(err, q, sizeof q));
}

/* Probes every configured target into res; returns the count. SIGTERM
 * between probes stops early rather than wait out dead dependencies. */
static int probe_all(struct wd_ctx *x, int64_t now, struct wd_result *res)
{
	const struct wd_cfg *cfg = x->cfg;
	int n = 0;
	for (int i = 0; i < WD_MAX_TARGETS; i++) {
		res[i].newest_ms = res[i].stale_since_ms = -1;
		res[i].lag_msgs = -1;
		res[i].lag_s = -1;
	}
	/* One cheap metadata call first: with Kafka down, every Kafka target is
	 * "cannot check" at once instead of after a timeout each. */
	char kerr[200] = "";
	if (x->rk && (cfg->ntopics || cfg->ngroups) && kafka_reachable(x->rk, cfg, kerr, sizeof kerr))
		n = kafka_down(cfg, kerr, res);
	for (int i = 0; !kerr[0] && i < cfg->ntopics && n < WD_MAX_TARGETS && !sig_stop; i++, n++)
		wd_probe_topic(x->rk, cfg->topics[i], (int)cfg->timeout_ms, &res[n]);
	for (int i = 0; !kerr[0] && i < cfg->ngroups && n < WD_MAX_TARGETS && !sig_stop; i++, n++)
		wd_probe_group(x->rk, cfg->groups[i], &x->hist, cfg, now, &res[n]);
	if (x->es && n < WD_MAX_TARGETS && !sig_stop)
		wd_probe_es(x->es, cfg, &res[n++]);
	if (x->mongo && n < WD_MAX_TARGETS && !sig_stop)
		probe_mongo(x, &res[n++]);
	return n;
}

static void log_result(const struct wd_result *r)
{
	char newest[32], q[300];
	wd_format_iso(r->newest_ms, newest);
	if (r->verdict == WD_ERROR) {
		log_warn("cannot_check", "target=%s error=%s", r->target,
		         log_quote(r->error, q, sizeof q));
		return;
	}
	char lag[160] = "";
	if (r->kind == WD_GROUP)
		snprintf(lag, sizeof lag, " lag=%lld lag_s=%.1f lag_state=%s", (long long)r->lag_msgs,
		         r->lag_s, wd_lag_state_name(r->lag_state));
	if (r->why[0])
		snprintf(lag, sizeof lag, " reason=%s", log_quote(r->why, q, sizeof q));
	log_write(r->verdict == WD_STALE ? LOG_WARN : LOG_INFO, "checked",
	          "target=%s state=%s newest=%s age_s=%.1f threshold_s=%.0f%s", r->target,
	          wd_verdict_name(r->verdict), newest, r->age_s, (double)r->threshold_ms / 1000.0,
	          lag);
}

static void update_metrics(const struct wd_target *t, const struct wd_result *r)
{
	if (!t->stale || r->verdict == WD_ERROR)
		return;
	metric_set(t->stale, r->verdict == WD_STALE);
	if (r->newest_ms >= 0)
		metric_set(t->newest, (double)r->newest_ms / 1000.0);
	metric_set(t->age, r->age_s);
	if (r->kind == WD_GROUP) {
		metric_set(t->lag, (double)r->lag_msgs);
		metric_set(t->lag_s, r->lag_s);
		metric_set(t->lag_state, r->lag_state);
	}
}

/* The incident step for one target, its notice, and its persistence. */
static void handle_incident(struct wd_ctx *x, struct wd_target *t, const struct wd_result *r,
                            int64_t now)
{
	char err[256], q[300];
	if (!t->loaded && x->store_up) {
		if (wd_store_incident_load(&x->st, t->name, &t->inc, err, sizeof err) == 0)
			t->loaded = 1;
		else
			log_error("cannot_record", "error=%s", log_quote(err, q, sizeof q));
	}
	struct wd_incident before = t->inc;
	enum wd_action a = wd_incident_step(&t->inc, r, now, x->channels);
	if (a != WD_ACT_NONE) {
		char subject[256], body[2048];
		wd_incident_message(a, &t->inc, r, now, subject, sizeof subject, body, sizeof body);
		int *pending = a == WD_ACT_STALE ? &t->inc.alert_pending : &t->inc.recovery_pending;
		int done = wd_alert_send(x->c, *pending, subject, body, 10000);
		*pending &= ~done;
		if (done && x->alerts)
			metric_add(x->alerts, 1);
	}
	if (x->store_up && memcmp(&before, &t->inc, sizeof before) != 0 &&
	    wd_store_incident_save(&x->st, t->name, &t->inc, err, sizeof err))
		log_error("cannot_record", "error=%s", log_quote(err, q, sizeof q));
}

static int gate(struct wd_ctx *x, int64_t now, int64_t *expect_from)
{
	const struct wd_cfg *cfg = x->cfg;
	int open = wd_gate(&cfg->cal, now, cfg->before_min, cfg->after_min, cfg->always_on,
	                   expect_from);
	if (open != x->was_open) {
		char day[11];
		cal_local_date(&cfg->cal, now, day);
		log_info(open ? "window_open" : "window_closed", "local_day=%s local_minute=%d", day,
		         cal_local_minute(&cfg->cal, now));
		x->was_open = open;
	}
	if (x->in_window)
		metric_set(x->in_window, open);
	return open;
}

static void connect_store(struct wd_ctx *x)
{
	char err[256], q[300];
	x->store_up = x->st.pg && wd_store_ensure(&x->st, err, sizeof err) == 0;
	if (x->st.pg && !x->store_up)
		log_error("cannot_record", "error=%s", log_quote(err, q, sizeof q));
	if (x->store_up && wd_store_prune(&x->st, x->cfg->history_days, err, sizeof err))
		log_warn("prune_failed", "error=%s", log_quote(err, q, sizeof q));
	if (x->store_up && !x->hist_loaded) {
		if (wd_store_hist_load(&x->st, &x->hist, err, sizeof err) == 0)
			x->hist_loaded = 1;
		else
			log_error("cannot_record", "error=%s", log_quote(err, q, sizeof q));
	}
}

int wd_round(struct wd_ctx *x)
{
	int64_t now = wd_now(x->cfg), expect_from;
	if (!gate(x, now, &expect_from))
		return 3 /* EXIT_CLOSED */;
	connect_store(x);
	struct wd_result *res = calloc(WD_MAX_TARGETS, sizeof *res);
	if (!res)
		return 2;
	int n = probe_all(x, now, res), stale = 0, errors = 0;
	/* Without the store, history is lost and incidents are not remembered:
	 * the run did not do its whole job. */
	int unrecorded = x->cfg->pg_dsn && !x->store_up;
	char err[256], q[300];
	for (int i = 0; i < n; i++) {
		struct wd_result *r = &res[i];
		r->per_partition = r->kind == WD_TOPIC && x->cfg->per_partition;
		wd_judge(r, now, wd_threshold_for(x->cfg, r->target), expect_from);
		log_result(r);
		stale += r->verdict == WD_STALE;
		errors += r->verdict == WD_ERROR;
		struct wd_target *t = target_of(x, r->target);
		if (t) {
			update_metrics(t, r);
			handle_incident(x, t, r, now);
		}
		if (x->store_up && wd_store_check(&x->st, r, now, err, sizeof err)) {
			log_error("cannot_record", "error=%s", log_quote(err, q, sizeof q));
			unrecorded = 1;
		}
	}
	if (x->store_up && wd_store_hist_save(&x->st, &x->hist, err, sizeof err))
		log_error("cannot_record", "error=%s", log_quote(err, q, sizeof q));
	free(res);
	if (x->rounds)
		metric_add(x->rounds, 1);
	if (x->cannot)
		metric_add(x->cannot, errors);
	atomic_store(&x->last_round_mono, clock_mono_ms());
	return stale ? 1 : errors || unrecorded ? 2 : 0;
}
