/* session — websocket sessions over libwebsockets. See session.h. */
#include "session.h"
#include "clock.h"
#include "log.h"
#include "metrics.h"

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#define TURN_US 2000 /* the loop wakes at least this often: Kafka reports, timers */

int col_parse_ws_url(const char *url, char *host, size_t hsize, int *port, char *path,
                     size_t psize, int *tls, char *err, size_t errsize)
{
	const char *p;
	if (!strncmp(url, "ws://", 5)) {
		*tls = 0, p = url + 5, *port = 80;
	} else if (!strncmp(url, "wss://", 6)) {
		*tls = 1, p = url + 6, *port = 443;
	} else {
		snprintf(err, errsize, "websocket URL must start with ws:// or wss://: %.80s", url);
		return -1;
	}
	size_t hl = strcspn(p, ":/?");
	if (hl == 0 || hl >= hsize) {
		snprintf(err, errsize, "websocket URL without a host: %.80s", url);
		return -1;
	}
	memcpy(host, p, hl);
	host[hl] = 0;
	p += hl;
	if (*p == ':') {
		char *end;
		long v = strtol(p + 1, &end, 10);
		if (end == p + 1 || v < 1 || v > 65535) {
			snprintf(err, errsize, "websocket URL with a bad port: %.80s", url);
			return -1;
		}
		*port = (int)v;
		p = end;
	}
	if (snprintf(path, psize, "%s%s", *p == '/' ? "" : "/", p) >= (int)psize) {
		snprintf(err, errsize, "websocket URL path too long");
		return -1;
	}
	return 0;
}

int col_sess_init(struct col_sess *s, struct col_run *run, const struct col_feed_ops *ops,
                  const char *name, const char *url, char *err, size_t errsize)
{
	memset(s, 0, sizeof *s);
	s->ops = ops;
	s->run = run;
	snprintf(s->name, sizeof s->name, "%s", name);
	backoff_init(&s->bo, run->backoff_base_ms, run->backoff_max_ms);
	return col_parse_ws_url(url, s->host, sizeof s->host, &s->port, s->path, sizeof s->path,
	                        &s->tls, err, errsize);
}

static void txq_clear(struct col_sess *s)
{
	while (s->txq) {
		struct col_msg *m = s->txq;
		s->txq = m->next;
		free(m);
	}
	s->txq_tail = NULL;
}

void col_sess_free(struct col_sess *s)
{
	if (s->ops && s->ops->cleanup)
		s->ops->cleanup(s);
	txq_clear(s);
	free(s->rx);
	free(s->sym);
	free(s->sub);
	s->rx = NULL, s->sym = NULL, s->sub = NULL;
}

void col_sess_send(struct col_sess *s, const char *text, size_t len, int front)
{
	if (s->state != SESS_OPEN || !s->wsi)
		return;
	struct col_msg *m = malloc(sizeof *m + LWS_PRE + len);
	m->len = len;
	m->next = NULL;
	memcpy(m->buf + LWS_PRE, text, len);
	if (front) {
		m->next = s->txq;
		s->txq = m;
		if (!s->txq_tail)
			s->txq_tail = m;
	} else {
		if (s->txq_tail)
			s->txq_tail->next = m;
		else
			s->txq = m;
		s->txq_tail = m;
	}
	lws_callback_on_writable(s->wsi);
}

void col_sess_drop(struct col_sess *s, const char *why, int64_t delay_ms)
{
	int64_t d = delay_ms >= 0 ? delay_ms : backoff_next(&s->bo);
	s->next_connect_ms = clock_mono_ms() + d;
	if (s->wsi && s->state != SESS_CLOSING) {
		log_write(s->run->closing ? LOG_INFO : LOG_WARN, "session_dropping",
		          "session=%s reason=%s reconnect_in_ms=%lld", s->name, why, (long long)d);
		s->state = SESS_CLOSING;
		s->close_requested = 1;
		lws_callback_on_writable(s->wsi); /* returning -1 there closes it */
	}
}

static void on_closed(struct col_sess *s, const char *why)
{
	int was_open = s->state == SESS_OPEN || s->state == SESS_CLOSING;
	s->wsi = NULL;
	s->state = SESS_IDLE;
	s->rxlen = 0;
	s->close_requested = 0;
	txq_clear(s);
	for (int i = 0; i < s->nsym; i++)
		if (s->sub[i] != SUB_REJECTED)
			s->sub[i] = SUB_NONE;
	int64_t now = clock_mono_ms();
	if (s->next_connect_ms <= now)
		s->next_connect_ms = now + backoff_next(&s->bo);
	if (s->ops->on_close)
		s->ops->on_close(s);
	if (s->run->closing)
		log_info("session_closed", "session=%s reason=%s", s->name, why);
	else
		log_warn("session_closed", "session=%s reason=%s was_open=%d reconnect_in_ms=%lld",
		         s->name, why, was_open, (long long)(s->next_connect_ms - now));
}

static int rx_append(struct col_sess *s, const void *in, size_t len)
{
	if (s->rxlen + len + 1 > s->rxcap) {
		size_t cap = s->rxcap ? s->rxcap : 4096;
		while (cap < s->rxlen + len + 1)
			cap *= 2;
		if (cap > (64u << 20)) /* a 64 MB message is not a feed frame */
			return -1;
		s->rx = realloc(s->rx, cap);
		s->rxcap = cap;
	}
	memcpy(s->rx + s->rxlen, in, len);
	s->rxlen += len;
	return 0;
}

static int on_receive(struct col_sess *s, struct lws *wsi, const void *in, size_t len)
{
	int64_t recv_ms, recv_ns;
	clock_now_pair(&recv_ms, &recv_ns);
	s->last_rx_ms = recv_ns / 1000000;
	if (rx_append(s, in, len))
		return -1;
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
		return 0;
	s->rx[s->rxlen] = 0;
	size_t n = s->rxlen;
	s->rxlen = 0;
	s->ops->on_message(s, s->rx, n, recv_ms, recv_ns);
	return 0;
}

static int on_writeable(struct col_sess *s, struct lws *wsi)
{
	if (s->close_requested) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, NULL, 0);
		return -1;
	}
	struct col_msg *m = s->txq;
	if (!m)
		return 0;
	if (lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT) < (int)m->len)
		return -1;
	s->txq = m->next;
	if (!s->txq)
		s->txq_tail = NULL;
	free(m);
	if (s->txq)
		lws_callback_on_writable(wsi);
	return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
	struct col_sess *s = user;
	char why[160];
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		s->state = SESS_OPEN;
		s->last_rx_ms = clock_mono_ms();
		s->next_sub = 0;
		s->next_sub_ms = 0;
		s->acked = 0;
		log_info("session_open", "session=%s host=%s port=%d connects=%d", s->name, s->host,
		         s->port, ++s->connects);
		s->ops->on_open(s);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return s && s->wsi == wsi ? on_receive(s, wsi, in, len) : 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return s && s->wsi == wsi ? on_writeable(s, wsi) : 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		snprintf(why, sizeof why, "\"connect failed: %.100s\"", in ? (const char *)in : "?");
		if (s && s->state != SESS_IDLE) /* lws may have cleared *pwsi already */
			on_closed(s, why);
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (s && s->state != SESS_IDLE)
			on_closed(s, s->close_requested ? "requested" : "closed_by_peer");
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (s && len >= 2)
			log_warn("session_peer_close", "session=%s code=%d", s->name,
			         ((const unsigned char *)in)[0] << 8 | ((const unsigned char *)in)[1]);
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{"tickpipe-feed", callback, 0, 1 << 16, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

static void connect_now(struct col_sess *s)
{
	int rc = s->ops->prepare ? s->ops->prepare(s) : 0;
	if (rc) {
		s->next_connect_ms = clock_mono_ms() + (rc > 0 ? 20 : backoff_next(&s->bo));
		return;
	}
	struct lws_client_connect_info i;
	memset(&i, 0, sizeof i);
	i.context = s->run->lws;
	i.address = s->host;
	i.port = s->port;
	i.path = s->path;
	i.host = s->host;
	i.origin = s->host;
	i.ssl_connection = s->tls ? LCCSCF_USE_SSL : 0;
	i.protocol = NULL; /* the feeds do not negotiate a subprotocol */
	i.local_protocol_name = protocols[0].name;
	i.userdata = s;
	i.pwsi = &s->wsi;
	s->state = SESS_CONNECTING;
	s->rxlen = 0;
	if ((s->connects > 0 || s->bo.attempt > 0) && s->run->reconnects)
		metric_add(s->run->reconnects, 1);
	if (!lws_client_connect_via_info(&i)) {
		s->wsi = NULL;
		s->state = SESS_IDLE;
		s->next_connect_ms = clock_mono_ms() + backoff_next(&s->bo);
		log_warn("session_connect_failed", "session=%s host=%s port=%d", s->name, s->host, s->port);
	}
}

/* Subscriptions go out one per interval, as the brokers' samples pace them. */
static void pace_subscriptions(struct col_sess *s, int64_t now)
{
	while (s->next_sub < s->nsym && now >= s->next_sub_ms) {
		int i = s->next_sub++;
		if (s->sub[i] == SUB_REJECTED || s->sub[i] == SUB_OK)
			continue;
		char buf[512];
		size_t n = s->ops->subscribe_msg(s, i, buf, sizeof buf);
		col_sess_send(s, buf, n, 0);
		s->sub[i] = SUB_SENT;
		s->next_sub_ms = now + s->run->sub_interval_ms;
		if (s->run->sub_interval_ms > 0)
			break;
	}
}

void col_run_turn(struct col_run *run)
{
	int64_t now = clock_mono_ms();
	for (int k = 0; k < run->nsess; k++) {
		struct col_sess *s = run->sess[k];
		if (s->state == SESS_IDLE && now >= s->next_connect_ms && now >= s->hold_until_ms)
			connect_now(s);
		else if (s->state == SESS_OPEN) {
			pace_subscriptions(s, now);
			if (run->idle_ms > 0 && now - s->last_rx_ms > run->idle_ms)
				col_sess_drop(s, "idle", -1);
		}
	}
	lws_service(run->lws, 0);
}

static void wake(lws_sorted_usec_list_t *sul);
static lws_sorted_usec_list_t wake_sul;
static struct lws_context *wake_ctx;

/* A timer that fires every TURN_US keeps lws_service from sleeping past it. */
static void wake(lws_sorted_usec_list_t *sul)
{
	lws_sul_schedule(wake_ctx, 0, sul, wake, TURN_US);
}

/* libwebsockets' own messages go through our log, and so through its secret
 * filter: a URL with a Finnhub token must never reach stderr raw. */
static void lws_log(int level, const char *line)
{
	char q[512], buf[400];
	size_t n = strlen(line);
	snprintf(buf, sizeof buf, "%.*s", (int)(n && line[n - 1] == '\n' ? n - 1 : n), line);
	log_write(level == LLL_ERR ? LOG_ERROR : LOG_WARN, "lws", "msg=%s", log_quote(buf, q, sizeof q));
}

int col_run_init(struct col_run *run, char *err, size_t errsize)
{
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	for (int k = 0; k < run->nsess; k++)
		if (run->sess[k]->tls)
			info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.gid = -1;
	info.uid = -1;
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log);
	run->lws = lws_create_context(&info);
	if (!run->lws) {
		snprintf(err, errsize, "libwebsockets: cannot create a context");
		return -1;
	}
	wake_ctx = run->lws;
	memset(&wake_sul, 0, sizeof wake_sul);
	lws_sul_schedule(run->lws, 0, &wake_sul, wake, TURN_US);
	return 0;
}

void col_run_close_all(struct col_run *run)
{
	run->closing = 1;
	for (int k = 0; k < run->nsess; k++)
		if (run->sess[k]->wsi)
			col_sess_drop(run->sess[k], "shutdown", 3600 * 1000);
	int64_t end = clock_mono_ms() + 1000;
	int open;
	do {
		lws_service(run->lws, 0);
		open = 0;
		for (int k = 0; k < run->nsess; k++)
			open += run->sess[k]->wsi != NULL;
	} while (open && clock_mono_ms() < end);
}

void col_run_free(struct col_run *run)
{
	if (run->lws)
		lws_context_destroy(run->lws);
	run->lws = NULL;
}
