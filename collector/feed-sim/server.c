/* server — sockets, HTTP endpoints, the timer and the fault schedule.
 *
 *   POST /oauth2/Approval   KIS approval key (body: grant_type, appkey, secretkey)
 *   GET  /api/v1/quote      Finnhub quote (?symbol=&token=), 429 past the limit
 *   GET  /stats             what was generated and sent (tests wait on it)
 *   ws   any path           KIS; with ?token=... Finnhub */
#include "internal.h"
#include "clock.h"
#include "jsonw.h"
#include "log.h"
#include "sig.h"

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#define TIMER_US 5000

struct pss {
	struct sim_conn *conn;
	char uri[128];
	char body[4096];
	size_t blen;
};

static struct sim_server *srv_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

static int respond(struct lws *wsi, int status, const char *body)
{
	unsigned char hdr[LWS_PRE + 1024], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr - 1;
	size_t n = strlen(body);
	if (lws_add_http_common_headers(wsi, (unsigned)status, "application/json", n, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	unsigned char *b = malloc(LWS_PRE + n + 1);
	memcpy(b + LWS_PRE, body, n);
	int w = lws_write(wsi, b + LWS_PRE, n, LWS_WRITE_HTTP_FINAL);
	free(b);
	if (w < (int)n)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int creds_ok(struct sim_server *s, const char *key, const char *secret)
{
	if (!s->cfg.ncred)
		return 1;
	for (int i = 0; i < s->cfg.ncred; i++)
		if (!strcmp(s->cfg.cred_key[i], key) && !strcmp(s->cfg.cred_secret[i], secret))
			return 1;
	return 0;
}

static int approval(struct sim_server *s, struct lws *wsi, struct pss *p)
{
	cJSON *o = cJSON_ParseWithLength(p->body, p->blen);
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(o, "grant_type");
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "appkey");
	const cJSON *sec = cJSON_GetObjectItemCaseSensitive(o, "secretkey");
	int rc;
	if (!cJSON_IsString(g) || strcmp(g->valuestring, "client_credentials") || !cJSON_IsString(k) ||
	    !cJSON_IsString(sec) || strlen(k->valuestring) >= 80) {
		rc = respond(wsi, 400, "{\"error_code\":\"EGW00002\",\"error_description\":\"grant_type, appkey and secretkey are required\"}");
	} else if (!creds_ok(s, k->valuestring, sec->valuestring)) {
		rc = respond(wsi, 401, "{\"error_code\":\"EGW00103\",\"error_description\":\"invalid appkey or secretkey\"}");
	} else {
		int i = s->napproval++;
		s->approval_key = realloc(s->approval_key, sizeof *s->approval_key * (size_t)s->napproval);
		s->approval_app = realloc(s->approval_app, sizeof *s->approval_app * (size_t)s->napproval);
		uint64_t h = sim_rand(&s->rng_batch);
		snprintf(s->approval_key[i], 40, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(h >> 32),
		         (unsigned)(h & 0xffff), (unsigned)((h >> 16) & 0xffff), (unsigned)(i & 0xffff),
		         (unsigned long long)(sim_rand(&s->rng_batch) & 0xffffffffffffULL));
		snprintf(s->approval_app[i], 80, "%s", k->valuestring);
		s->approvals++;
		char body[128];
		snprintf(body, sizeof body, "{\"approval_key\":\"%s\"}", s->approval_key[i]);
		rc = respond(wsi, 200, body);
	}
	cJSON_Delete(o);
	return rc;
}

static int quote(struct sim_server *s, struct lws *wsi)
{
	char sym[32] = "", tok[128] = "";
	const char *vs = lws_get_urlarg_by_name(wsi, "symbol=", sym, sizeof sym);
	const char *vt = lws_get_urlarg_by_name(wsi, "token=", tok, sizeof tok);
	int64_t now = clock_mono_ms();
	if (now - s->quote_window_ms >= 60000)
		s->quote_window_ms = now, s->quote_calls = 0;
	if (s->cfg.fh_token && (!vt || strcmp(vt, s->cfg.fh_token)))
		return respond(wsi, 401, "{\"error\":\"Invalid API key\"}");
	if (++s->quote_calls > s->cfg.quote_limit)
		return respond(wsi, 429, "{\"error\":\"API limit reached. Please try again later. Remaining Limit: 0\"}");
	for (int i = s->m->nkrx; vs && i < s->m->nsym; i++) {
		const struct sim_sym *y = &s->m->sym[i];
		if (strcmp(y->code, vs))
			continue;
		char body[256];
		snprintf(body, sizeof body,
		         "{\"c\":%.2f,\"d\":%.2f,\"dp\":%.4f,\"h\":%.2f,\"l\":%.2f,\"o\":%.2f,\"pc\":%.2f,\"t\":%lld}",
		         y->last / 100.0, (y->last - y->base) / 100.0, (y->last - y->base) * 100.0 / y->base,
		         (y->high ? y->high : y->last) / 100.0, (y->low ? y->low : y->last) / 100.0,
		         (y->open ? y->open : y->last) / 100.0, y->base / 100.0,
		         (long long)(clock_now_ms() / 1000));
		return respond(wsi, 200, body);
	}
	return respond(wsi, 200, "{\"c\":0,\"d\":null,\"dp\":null,\"h\":0,\"l\":0,\"o\":0,\"pc\":0,\"t\":0}");
}

static int stats(struct sim_server *s, struct lws *wsi)
{
	char body[512];
	int open = 0;
	for (int i = 0; i < s->nconns; i++)
		open++;
	snprintf(body, sizeof body,
	         "{\"krx_generated\":%lld,\"krx_sent\":%lld,\"us_generated\":%lld,\"us_sent\":%lld,"
	         "\"frames\":%lld,\"data_frames\":%lld,\"malformed\":%lld,\"drops\":%lld,"
	         "\"approvals\":%lld,\"sessions\":%d,\"port\":%d}",
	         (long long)s->krx_made, (long long)s->krx_sent, (long long)s->us_made,
	         (long long)s->us_sent, (long long)s->frames, (long long)s->data_frames,
	         (long long)s->malformed, (long long)s->drops, (long long)s->approvals, open, s->port);
	return respond(wsi, 200, body);
}

static int http(struct sim_server *s, struct lws *wsi, struct pss *p, const char *uri)
{
	snprintf(p->uri, sizeof p->uri, "%s", uri);
	p->blen = 0;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0)
		return 0; /* the body follows */
	if (!strcmp(uri, "/api/v1/quote"))
		return quote(s, wsi);
	if (!strcmp(uri, "/stats") || !strcmp(uri, "/health"))
		return stats(s, wsi);
	return respond(wsi, 404, "{\"error\":\"not found\"}");
}

static void conn_open(struct sim_server *s, struct lws *wsi, struct pss *p)
{
	struct sim_conn *c = calloc(1, sizeof *c);
	char tok[128];
	c->wsi = wsi;
	c->fh = lws_get_urlarg_by_name(wsi, "token=", tok, sizeof tok) != NULL;
	c->sub = calloc((size_t)s->m->nsym + 1, 1);
	c->next_ping_ms = clock_mono_ms() + s->cfg.ping_ms;
	snprintf(c->name, sizeof c->name, "%s-%d", c->fh ? "fh" : "kis", ++s->conn_seq);
	p->conn = c;
	if (s->nconns < SIM_MAX_CONNS)
		s->conns[s->nconns++] = c;
	else
		c->close_now = 1;
	if (c->fh && s->cfg.fh_token && strcmp(lws_get_urlarg_by_name(wsi, "token=", tok, sizeof tok), s->cfg.fh_token)) {
		const char *e = "{\"type\":\"error\",\"msg\":\"Invalid API key\"}";
		sim_conn_ctl(c, e, strlen(e));
		c->close_after_ctl = 1;
	}
	log_info("session_open", "session=%s", c->name);
}

static void conn_close(struct sim_server *s, struct sim_conn *c)
{
	for (int i = 0; i < s->nconns; i++)
		if (s->conns[i] == c) {
			s->conns[i] = s->conns[--s->nconns];
			break;
		}
	while (c->ctl) {
		struct sim_ctl *x = c->ctl;
		c->ctl = x->next;
		free(x);
	}
	log_info("session_closed", "session=%s", c->name);
	free(c->sub);
	free(c->rx);
	free(c);
}

void sim_conn_ctl(struct sim_conn *c, const char *text, size_t len)
{
	struct sim_ctl *x = malloc(sizeof *x + len);
	x->next = NULL;
	x->len = len;
	memcpy(x->text, text, len);
	if (c->ctl_tail)
		c->ctl_tail->next = x;
	else
		c->ctl = x;
	c->ctl_tail = x;
	lws_callback_on_writable(c->wsi);
}

int sim_conn_write(struct sim_server *s, struct sim_conn *c, const char *text, size_t len,
                   const char *kind)
{
	unsigned char *b = malloc(LWS_PRE + len);
	memcpy(b + LWS_PRE, text, len);
	int w = lws_write(c->wsi, b + LWS_PRE, len, LWS_WRITE_TEXT);
	free(b);
	if (w < (int)len)
		return -1;
	s->frames++;
	sim_record_frame(s, c->name, kind, text, len);
	return 0;
}

static int write_ctl(struct sim_server *s, struct sim_conn *c)
{
	struct sim_ctl *x = c->ctl;
	c->ctl = x->next;
	if (!c->ctl)
		c->ctl_tail = NULL;
	int rc = sim_conn_write(s, c, x->text, x->len, "ctl");
	free(x);
	if (!c->ctl && c->close_after_ctl)
		c->close_now = 1;
	lws_callback_on_writable(c->wsi);
	return rc;
}

/* After a data frame: the drop and silence faults. 1 closes the socket. */
static int faults_after_data(struct sim_server *s, struct sim_conn *c)
{
	if (s->cfg.silence_after && s->data_frames == s->cfg.silence_after) {
		s->silence_until_ms = clock_mono_ms() + s->cfg.silence_ms;
		log_info("fault_silence", "session=%s ms=%lld", c->name, (long long)s->cfg.silence_ms);
	}
	if (s->cfg.drop_every && s->data_frames % s->cfg.drop_every == 0 && s->drops < s->cfg.drop_max &&
	    !lws_partial_buffered(c->wsi)) {
		s->drops++;
		log_info("fault_drop", "session=%s data_frames=%lld", c->name, (long long)s->data_frames);
		return 1;
	}
	return 0;
}

static int writeable(struct sim_server *s, struct sim_conn *c)
{
	if (c->close_now)
		return -1;
	if (clock_mono_ms() < s->silence_until_ms)
		return 0; /* the timer asks again when the silence ends */
	if (c->ctl)
		return write_ctl(s, c);
	int rc = c->fh ? sim_fh_send_data(s, c) : sim_kis_send_data(s, c);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		if (faults_after_data(s, c))
			return -1;
		lws_callback_on_writable(c->wsi);
	}
	return 0;
}

static void receive(struct sim_server *s, struct lws *wsi, struct sim_conn *c, const void *in,
                    size_t len)
{
	if (c->rxlen + len + 1 > c->rxcap) {
		c->rxcap = (c->rxlen + len + 1) * 2;
		c->rx = realloc(c->rx, c->rxcap);
	}
	memcpy(c->rx + c->rxlen, in, len);
	c->rxlen += len;
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
		return;
	c->rx[c->rxlen] = 0;
	size_t n = c->rxlen;
	c->rxlen = 0;
	if (c->fh)
		sim_fh_receive(s, c, c->rx, n);
	else
		sim_kis_receive(s, c, c->rx, n);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
	struct pss *p = user;
	struct sim_server *s = srv_of(wsi);
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return http(s, wsi, p, in ? (const char *)in : "/");
	case LWS_CALLBACK_HTTP_BODY:
		if (p->blen + len < sizeof p->body) {
			memcpy(p->body + p->blen, in, len);
			p->blen += len;
		}
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (!strcmp(p->uri, "/oauth2/Approval"))
			return approval(s, wsi, p);
		return respond(wsi, 404, "{\"error\":\"not found\"}");
	case LWS_CALLBACK_ESTABLISHED:
		conn_open(s, wsi, p);
		return 0;
	case LWS_CALLBACK_RECEIVE:
		if (p->conn)
			receive(s, wsi, p->conn, in, len);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return p->conn ? writeable(s, p->conn) : 0;
	case LWS_CALLBACK_CLOSED:
		if (p->conn)
			conn_close(s, p->conn);
		p->conn = NULL;
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols protocols[] = {
	{"feed", callback, sizeof(struct pss), 1 << 16, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

/* One server per process: the timer finds it here. */
static struct sim_server *the_server;
static lws_sorted_usec_list_t timer_sul;

static void flush_records(struct sim_server *s)
{
	if (!s->dirty)
		return;
	if (s->cfg.record)
		fflush(s->cfg.record);
	if (s->cfg.record_frames)
		fflush(s->cfg.record_frames);
	s->dirty = 0;
}

/* Every few ms: generate what is due, ping, and ask idle sockets to write. */
static void timer(lws_sorted_usec_list_t *sul)
{
	struct sim_server *s = the_server;
	int64_t now = clock_mono_ms(), wall = clock_now_ms();
	if (s->krx_started_ms < 0)
		s->krx_started_ms = now;
	if (s->us_started_ms < 0)
		s->us_started_ms = now;
	sim_generate(s, now, wall);
	int silent = now < s->silence_until_ms;
	for (int i = 0; i < s->nconns; i++) {
		struct sim_conn *c = s->conns[i];
		if (!silent && s->cfg.ping_ms > 0) {
			if (c->fh && now >= c->next_ping_ms) {
				c->next_ping_ms = now + s->cfg.ping_ms;
				sim_conn_ctl(c, "{\"type\":\"ping\"}", 15);
			} else if (!c->fh) {
				sim_kis_ping(s, c, now, wall);
			}
		}
		if (c->close_now || (!silent && c->nsubs))
			lws_callback_on_writable(c->wsi);
	}
	flush_records(s);
	lws_sul_schedule(s->lws, 0, sul, timer, TIMER_US);
}

struct sim_server *sim_server_new(const struct sim_cfg *cfg, struct sim_market *m, char *err,
                                  size_t errsize)
{
	struct sim_server *s = calloc(1, sizeof *s);
	s->cfg = *cfg;
	s->m = m;
	s->q = calloc((size_t)m->nsym + 1, sizeof *s->q);
	s->rng_batch = 0x2545f4914f6cdd1dULL ^ m->rng_krx;
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = cfg->port;
	info.iface = "127.0.0.1";
	info.protocols = protocols;
	info.user = s;
	info.gid = -1;
	info.uid = -1;
	info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 * 0;
	lws_set_log_level(LLL_ERR, NULL);
	s->lws = lws_create_context(&info);
	if (!s->lws) {
		snprintf(err, errsize, "cannot listen on 127.0.0.1:%d", cfg->port);
		free(s->q);
		free(s);
		return NULL;
	}
	struct lws_vhost *vh = lws_get_vhost_by_name(s->lws, "default");
	s->port = vh ? lws_get_vhost_listen_port(vh) : cfg->port;
	the_server = s;
	memset(&timer_sul, 0, sizeof timer_sul);
	lws_sul_schedule(s->lws, 0, &timer_sul, timer, TIMER_US);
	return s;
}

int sim_server_port(const struct sim_server *s) { return s->port; }

void sim_server_run(struct sim_server *s, int64_t end_mono)
{
	while (!sig_stop && (!end_mono || clock_mono_ms() < end_mono))
		lws_service(s->lws, 0);
	flush_records(s);
}

void sim_server_free(struct sim_server *s)
{
	if (!s)
		return;
	lws_context_destroy(s->lws); /* closes the sockets: conn_close frees them */
	for (int i = 0; i < s->m->nsym; i++)
		sim_queue_free(&s->q[i]);
	free(s->q);
	free(s->approval_key);
	free(s->approval_app);
	the_server = NULL;
	free(s);
}

long sim_dump_frames(const struct sim_cfg *cfg, struct sim_market *m, FILE *f)
{
	uint64_t rng = 0x9e3779b97f4a7c15ULL ^ m->rng_krx;
	char rec[1024];
	long frames = 0;
	int64_t made = 0;
	while (made < cfg->total) {
		int k = 1;
		if (cfg->max_batch > 1 && (double)(sim_rand(&rng) >> 11) / 9007199254740992.0 < cfg->batch_prob)
			k = 2 + (int)(sim_rand(&rng) % (uint64_t)(cfg->max_batch - 1));
		if (k > cfg->total - made)
			k = (int)(cfg->total - made);
		fprintf(f, "0|H0STCNT0|%03d|", k);
		for (int r = 0; r < k; r++) {
			struct sim_trade t;
			int64_t ts = cfg->start_ms + (int64_t)((double)made * 1000.0 * cfg->speed / cfg->rate);
			sim_next_trade(m, 0, ts, &t);
			sim_kis_record(&m->sym[t.sym], &t, rec, sizeof rec);
			fprintf(f, "%s%s", r ? "^" : "", rec);
			made++;
		}
		fputc('\n', f);
		frames++;
	}
	return frames;
}
