/* kis_session — the KIS side of a session: approval key, subscriptions,
 * acks, PINGPONG. One session per appkey (KIS allows one). */
#include "clock.h"
#include "collector.h"
#include "http.h"
#include "kis.h"
#include "log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static struct col_app *app_of(struct col_sess *s) { return s->run->app; }

/* POST /oauth2/Approval: the only REST call the websocket needs. */
static int fetch_approval(struct col_sess *s)
{
	struct col_app *app = app_of(s);
	char err[256];
	struct http_opts o = {.base_url = app->kis_rest_url, .connect_timeout_ms = 3000,
	                      .timeout_ms = 5000};
	struct http_client *h = http_client_new(&o, err, sizeof err);
	if (!h) {
		log_error("kis_approval_failed", "session=%s error=\"%s\"", s->name, err);
		return -1;
	}
	char *body = col_kis_approval_body(s->appkey, s->secret);
	struct http_resp r;
	long st = http_request(h, "POST", "/oauth2/Approval", "application/json; charset=utf-8",
	                       body, strlen(body), &r);
	memset(body, 0, strlen(body)); /* it held the secret */
	free(body);
	int rc = -1;
	char why[128];
	if (st == 200 && col_kis_approval_key(r.body, r.len, s->approval, sizeof s->approval, why,
	                                      sizeof why) == 0) {
		s->approval_ms = clock_mono_ms();
		s->need_key = 0;
		log_add_secret(s->approval); /* a credential too: never in the log */
		log_info("kis_approval_ok", "session=%s", s->name);
		rc = 0;
	} else {
		log_error("kis_approval_failed", "session=%s status=%ld error=\"%.120s\"", s->name, st,
		          st ? "no approval_key in the response" : r.error);
	}
	http_client_free(h);
	return rc;
}

static void *fetch_thread(void *arg)
{
	struct col_sess *s = arg;
	s->key_rc = fetch_approval(s);
	__atomic_store_n(&s->key_busy, 0, __ATOMIC_RELEASE);
	return NULL;
}

static void join_fetch(struct col_sess *s)
{
	if (!s->key_thread)
		return;
	pthread_join(*(pthread_t *)s->key_thread, NULL);
	free(s->key_thread);
	s->key_thread = NULL;
}

/* 0: a fresh enough key; 1: a fetch runs; -1: the fetch failed. */
static int kis_prepare(struct col_sess *s)
{
	struct col_app *app = app_of(s);
	if (__atomic_load_n(&s->key_busy, __ATOMIC_ACQUIRE))
		return 1;
	if (s->key_thread) { /* a fetch finished: its verdict */
		join_fetch(s);
		return s->key_rc ? -1 : 0;
	}
	int stale = !s->approval[0] || s->need_key ||
	            clock_mono_ms() - s->approval_ms > app->approval_ttl_ms;
	if (!stale)
		return 0;
	s->key_thread = malloc(sizeof(pthread_t));
	s->key_busy = 1;
	if (pthread_create(s->key_thread, NULL, fetch_thread, s)) {
		free(s->key_thread);
		s->key_thread = NULL;
		s->key_busy = 0;
		return fetch_approval(s); /* no thread: do it here */
	}
	return 1;
}

static void kis_open(struct col_sess *s) { (void)s; }

static size_t kis_sub_msg(struct col_sess *s, int i, char *buf, size_t size)
{
	struct col_app *app = app_of(s);
	return col_kis_subscribe_msg(buf, size, s->approval, app->custtype, app->tr_id, s->sym[i], 1);
}

static int find_sym(struct col_sess *s, const char *code)
{
	for (int i = 0; i < s->nsym; i++)
		if (!strcmp(s->sym[i], code))
			return i;
	return -1;
}

/* Ack codes: OPSP0000 subscribed, 0002 already subscribed (fine), 0008 over
 * the 41-registration cap (that symbol is given up: retrying cannot help),
 * 8996 appkey already in use by another session (hold off hard, never spin). */
static void on_ack(struct col_sess *s, const struct col_kis_ack *a)
{
	struct col_app *app = app_of(s);
	int i = find_sym(s, a->tr_key);
	char q[160];
	if (!strcmp(a->msg_cd, "OPSP0000") || !strcmp(a->msg_cd, "OPSP0002")) {
		if (i >= 0 && s->sub[i] != SUB_OK) {
			s->sub[i] = SUB_OK;
			s->acked++;
			metric_add(app->stats.sub_ok, 1);
		}
		backoff_reset(&s->bo);
		log_debug("kis_subscribed", "session=%s symbol=%s msg_cd=%s", s->name, a->tr_key, a->msg_cd);
	} else if (!strcmp(a->msg_cd, "OPSP0001") || !strcmp(a->msg_cd, "OPSP0003")) {
		log_info("kis_unsubscribed", "session=%s symbol=%s msg_cd=%s", s->name, a->tr_key, a->msg_cd);
	} else if (!strcmp(a->msg_cd, "OPSP0008")) {
		if (i >= 0)
			s->sub[i] = SUB_REJECTED;
		metric_add(app->stats.sub_err, 1);
		log_error("kis_max_subscribe_over", "session=%s symbol=%s msg=%s hint=\"41 registrations "
		          "per appkey: add an appkey to --kis-credentials\"", s->name, a->tr_key,
		          log_quote(a->msg1, q, sizeof q));
	} else if (!strcmp(a->msg_cd, "OPSP8996")) {
		metric_add(app->stats.sub_err, 1);
		s->hold_until_ms = clock_mono_ms() + app->in_use_hold_ms;
		log_error("kis_appkey_in_use", "session=%s hold_ms=%lld msg=%s hint=\"another process uses "
		          "this appkey\"", s->name, (long long)app->in_use_hold_ms,
		          log_quote(a->msg1, q, sizeof q));
		col_sess_drop(s, "appkey_in_use", app->in_use_hold_ms);
	} else if (strcmp(a->rt_cd, "0")) {
		/* Anything else (an expired or invalid approval key, an internal
		 * error): a fresh key and a clean resubscription, after backoff. */
		metric_add(app->stats.sub_err, 1);
		log_error("kis_subscribe_error", "session=%s symbol=%s rt_cd=%s msg_cd=%s msg=%s", s->name,
		          a->tr_key, a->rt_cd, a->msg_cd, log_quote(a->msg1, q, sizeof q));
		s->need_key = 1;
		col_sess_drop(s, "subscribe_error", -1);
	}
}

static void kis_message(struct col_sess *s, const char *data, size_t len, int64_t recv_ms,
                        int64_t recv_ns)
{
	struct col_app *app = app_of(s);
	metric_add(app->stats.frames, 1);
	metric_add(app->stats.bytes, (double)len);
	col_app_archive(app, "kis", s->name, data, len, recv_ms);
	if (len == 0 || data[0] != '{') {
		col_ingest_kis(&app->ing, data, len, recv_ms, recv_ns);
		return;
	}
	struct col_kis_ack a;
	char reason[160];
	int kind = col_kis_parse_ctl(data, len, &a, reason, sizeof reason);
	if (kind == KIS_CTL_PINGPONG) {
		col_sess_send(s, data, len, 1); /* echo verbatim, ahead of anything queued */
		metric_add(app->stats.pings, 1);
	} else if (kind == KIS_CTL_ACK) {
		on_ack(s, &a);
	} else {
		metric_add(app->stats.frames_bad, 1);
		col_pub_dlq(&app->pub, "collector", reason, data, len);
	}
}

static void kis_close(struct col_sess *s)
{
	/* Closed before any ack: the approval key may be the reason. */
	if (s->acked == 0)
		s->need_key = 1;
}

const struct col_feed_ops col_kis_ops = {
	.source = "kis",
	.prepare = kis_prepare,
	.cleanup = join_fetch,
	.on_open = kis_open,
	.on_message = kis_message,
	.subscribe_msg = kis_sub_msg,
	.on_close = kis_close,
};
