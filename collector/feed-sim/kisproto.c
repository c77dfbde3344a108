/* kisproto — the KIS websocket as the simulator serves it: subscribe acks with
 * the real msg_cd codes (OPSP0000/0001/0002/0008/8996), PINGPONG with an
 * optional check that closes a socket that does not echo it, H0STCNT0 data
 * frames of one or several records, and injected malformed frames. */
#include "internal.h"
#include "jsonw.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static void ack(struct sim_conn *c, const char *tr_id, const char *tr_key, const char *rt_cd,
                const char *msg_cd, const char *msg1, int output)
{
	char buf[512];
	struct jw w;
	jw_init(&w, buf, sizeof buf);
	jw_open(&w, NULL);
	jw_open(&w, "header");
	jw_str(&w, "tr_id", tr_id);
	jw_str(&w, "tr_key", tr_key);
	jw_str(&w, "encrypt", "N");
	jw_close(&w);
	jw_open(&w, "body");
	jw_str(&w, "rt_cd", rt_cd);
	jw_str(&w, "msg_cd", msg_cd);
	jw_str(&w, "msg1", msg1);
	if (output) {
		jw_open(&w, "output");
		jw_str(&w, "iv", "0123456789abcdef");
		jw_str(&w, "key", "0123456789abcdef0123456789abcdef");
		jw_close(&w);
	}
	jw_close(&w);
	jw_close(&w);
	size_t n = jw_finish(&w);
	sim_conn_ctl(c, buf, n);
}

static const char *appkey_of(struct sim_server *s, const char *approval)
{
	for (int i = 0; i < s->napproval; i++)
		if (!strcmp(s->approval_key[i], approval))
			return s->approval_app[i];
	return NULL;
}

static int sym_index(struct sim_server *s, const char *code)
{
	for (int i = 0; i < s->m->nkrx; i++)
		if (!strcmp(s->m->sym[i].code, code))
			return i;
	return -1;
}

/* One session per appkey: a second one gets OPSP8996 and is closed. */
static int bind_appkey(struct sim_server *s, struct sim_conn *c, const char *appkey)
{
	if (c->appkey[0])
		return strcmp(c->appkey, appkey) ? -1 : 0;
	for (int i = 0; i < s->nconns; i++)
		if (s->conns[i] != c && !strcmp(s->conns[i]->appkey, appkey))
			return -1;
	snprintf(c->appkey, sizeof c->appkey, "%s", appkey);
	return 0;
}

static void subscribe(struct sim_server *s, struct sim_conn *c, const char *tr_id,
                      const char *key, int reg)
{
	int i = sym_index(s, key);
	if (!reg) {
		if (i >= 0 && c->sub[i])
			c->sub[i] = 0, c->nsubs--;
		ack(c, tr_id, key, "0", "OPSP0001", "UNSUBSCRIBE SUCCESS", 0);
	} else if (i >= 0 && c->sub[i]) {
		ack(c, tr_id, key, "1", "OPSP0002", "ALREADY IN SUBSCRIBE", 0);
	} else if (c->nsubs >= s->cfg.max_subs) {
		ack(c, tr_id, key, "1", "OPSP0008", "MAX SUBSCRIBE OVER", 0);
	} else {
		c->nsubs++;
		if (i >= 0)
			c->sub[i] = 1;
		if (!s->krx_started_ms)
			s->krx_started_ms = -1; /* the clock starts at the next timer turn */
		ack(c, tr_id, key, "0", "OPSP0000", "SUBSCRIBE SUCCESS", 1);
	}
}

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
	if (b)
		x = cJSON_GetObjectItemCaseSensitive(x, b);
	return cJSON_IsString(x) ? x->valuestring : "";
}

void sim_kis_receive(struct sim_server *s, struct sim_conn *c, const char *msg, size_t len)
{
	cJSON *o = cJSON_ParseWithLength(msg, len);
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "header");
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "body"), "input");
	const char *tr = str_at(h, "tr_id", NULL), *key = str_at(in, "tr_key", NULL);
	const char *app = appkey_of(s, str_at(h, "approval_key", NULL));
	const char *type = str_at(h, "tr_type", NULL), *id = str_at(in, "tr_id", NULL);
	if (!strcmp(tr, "PINGPONG")) {
		if (len == strlen(c->ping_text) && !memcmp(msg, c->ping_text, len))
			c->ping_sent_ms = 0; /* echoed verbatim */
	} else if (!o || !cJSON_IsObject(o)) {
		ack(c, "", "", "9", "OPSP9999", "JSON PARSING ERROR", 0);
	} else if (!app) {
		ack(c, id, key, "1", "OPSP0011", "invalid approval : NOT FOUND", 0);
	} else if (bind_appkey(s, c, app)) {
		ack(c, "(null)", "", "1", "OPSP8996", "ALREADY IN USE appkey", 0);
		c->close_after_ctl = 1;
	} else if (strcmp(type, "1") && strcmp(type, "2")) {
		ack(c, id, key, "1", "OPSP0006", "invalid tr_type", 0);
	} else {
		subscribe(s, c, id, key, !strcmp(type, "1"));
	}
	cJSON_Delete(o);
}

void sim_kis_ping(struct sim_server *s, struct sim_conn *c, int64_t now_mono, int64_t now_wall)
{
	if (s->cfg.pong_timeout_ms > 0 && c->ping_sent_ms &&
	    now_mono - c->ping_sent_ms > s->cfg.pong_timeout_ms) {
		c->close_now = 1; /* the check real KIS applies to silent clients */
		return;
	}
	if (now_mono < c->next_ping_ms)
		return;
	c->next_ping_ms = now_mono + s->cfg.ping_ms;
	char d[9], h[7];
	sim_kst(now_wall, d, h);
	snprintf(c->ping_text, sizeof c->ping_text,
	         "{\"header\":{\"tr_id\":\"PINGPONG\",\"datetime\":\"%s%s\"}}", d, h);
	if (!c->ping_sent_ms)
		c->ping_sent_ms = now_mono;
	sim_conn_ctl(c, c->ping_text, strlen(c->ping_text));
}

/* Malformed frames, in turn: a record count the payload does not have, a
 * price that is not a number, a header that is not `E|TRID|NNN|`. */
static int send_malformed(struct sim_server *s, struct sim_conn *c)
{
	static const char *const bad[] = {
		"0|H0STCNT0|002|005930^090000^71000",
		"0|H0STCNT0|001|005930^090000^SEVENTY^2^0^0.00^71000^71000^71000^71000^71100^71000^1^1^71000^0^1^1^0.00^0^1^1^100.00^0.01^090000^3^0^090000^3^0^090000^3^0^20261123^20^N^1^1^1^1^0.00^1^0.00^0^^71000",
		"garbage without a header",
	};
	const char *f = bad[s->malformed % 3];
	s->malformed++;
	return sim_conn_write(s, c, f, strlen(f), "malformed") ? -1 : 1;
}

static int pick_symbol(struct sim_server *s, struct sim_conn *c)
{
	int n = s->m->nkrx;
	for (int k = 0; k < n; k++) {
		int i = (c->rr + k) % n;
		if (c->sub[i] && s->q[i].n) {
			c->rr = (i + 1) % n;
			return i;
		}
	}
	return -1;
}

static int batch_size(struct sim_server *s, int64_t pending)
{
	int k = 1;
	double u = (double)(sim_rand(&s->rng_batch) >> 11) / 9007199254740992.0;
	if (s->cfg.max_batch > 1 && u < s->cfg.batch_prob)
		k = 2 + (int)(sim_rand(&s->rng_batch) % (uint64_t)(s->cfg.max_batch - 1));
	return k < pending ? k : (int)pending;
}

int sim_kis_send_data(struct sim_server *s, struct sim_conn *c)
{
	if (s->cfg.malformed_every && s->data_frames >= s->next_malformed) {
		s->next_malformed = s->data_frames + s->cfg.malformed_every;
		if (s->data_frames > 0)
			return send_malformed(s, c);
	}
	int i = pick_symbol(s, c);
	if (i < 0)
		return 0;
	int k = batch_size(s, s->q[i].n);
	struct sim_item it[64];
	size_t cap = 32, len;
	for (int r = 0; r < k; r++) {
		sim_queue_pop(&s->q[i], &it[r]);
		cap += strlen(it[r].payload) + 1;
	}
	char *f = malloc(cap);
	len = (size_t)snprintf(f, cap, "0|H0STCNT0|%03d|", k);
	for (int r = 0; r < k; r++)
		len += (size_t)snprintf(f + len, cap - len, "%s%s", r ? "^" : "", it[r].payload);
	int rc = sim_conn_write(s, c, f, len, "data");
	for (int r = 0; r < k; r++) {
		if (rc == 0)
			sim_record(s, c->name, &it[r]);
		free(it[r].payload);
		free(it[r].record);
	}
	free(f);
	if (rc)
		return -1;
	s->krx_sent += k;
	s->data_frames++;
	return 1;
}
