/* session — one websocket connection to a feed (a KIS appkey's session or the
 * Finnhub stream) and the loop that drives them all (libwebsockets client).
 *
 * A session connects, subscribes its symbols (paced), answers heartbeats at
 * once, and on any loss — close, error, or an idle socket (--idle-timeout) —
 * reconnects after a jittered exponential backoff and resubscribes every
 * symbol. Feed-specific behaviour sits behind struct col_feed_ops. */
#ifndef COL_SESSION_H
#define COL_SESSION_H

#include "backoff.h"

#include <stddef.h>
#include <stdint.h>

struct col_sess;
struct col_run;
struct lws;
struct lws_context;
struct metric;

struct col_feed_ops {
	const char *source; /* "kis", "finnhub": archive source, metrics */
	/* Before connecting (e.g. fetch an approval key): 0 go, -1 failed (try
	 * again after backoff), 1 not ready yet (ask again shortly). */
	int (*prepare)(struct col_sess *s);
	/* Releases what prepare started (joins its thread); may be NULL. */
	void (*cleanup)(struct col_sess *s);
	/* Connected: queue what must be sent first. */
	void (*on_open)(struct col_sess *s);
	/* One complete message; data is NUL-terminated at len. */
	void (*on_message)(struct col_sess *s, const char *data, size_t len, int64_t recv_ms,
	                   int64_t recv_ns);
	/* The subscribe message for symbol i into buf; returns its length. */
	size_t (*subscribe_msg)(struct col_sess *s, int i, char *buf, size_t size);
	void (*on_close)(struct col_sess *s);
};

struct col_msg {
	struct col_msg *next;
	size_t len;
	unsigned char buf[]; /* LWS_PRE bytes of headroom, then the text */
};

enum col_sess_state { SESS_IDLE, SESS_CONNECTING, SESS_OPEN, SESS_CLOSING };
enum col_sub_state { SUB_NONE, SUB_SENT, SUB_OK, SUB_REJECTED };

struct col_sess {
	const struct col_feed_ops *ops;
	struct col_run *run;
	char name[32];
	/* endpoint */
	char host[256];
	char path[1024];
	int port;
	int tls;
	/* connection */
	struct lws *wsi;
	enum col_sess_state state;
	char *rx;
	size_t rxlen, rxcap;
	struct col_msg *txq, *txq_tail;
	struct backoff bo;
	int64_t next_connect_ms; /* monotonic */
	int64_t last_rx_ms;
	int64_t hold_until_ms;   /* a long, deliberate pause (KIS OPSP8996) */
	int connects;
	int close_requested;
	/* subscriptions */
	int nsym;
	char (*sym)[16];
	unsigned char *sub;
	int next_sub;
	int64_t next_sub_ms;
	/* KIS */
	const char *appkey;
	const char *secret;
	char approval[128];
	int64_t approval_ms;
	int need_key;
	int acked;   /* subscribe acks since connecting */
	/* The approval key is fetched in a thread: a slow REST endpoint must not
	 * stall the loop that answers other sessions' PINGPONGs. */
	void *key_thread;     /* pthread_t *, while a fetch runs or awaits joining */
	int key_busy;         /* atomic: 1 while the fetch runs */
	int key_rc;           /* its result, 0 or -1 */
};

/* The loop's shared state (collector.h has the rest of it). */
struct col_run {
	struct lws_context *lws;
	struct col_sess **sess;
	int nsess;
	int64_t idle_ms;
	int64_t sub_interval_ms;
	int64_t backoff_base_ms, backoff_max_ms;
	struct metric *reconnects; /* counted on every connect after the first */
	int closing;               /* shutting down: closes are expected, logged at info */
	void *app; /* the collector (struct col_app) */
};

/* Splits ws[s]://host[:port][/path][?query]; 0 or -1 with err. */
int col_parse_ws_url(const char *url, char *host, size_t hsize, int *port, char *path,
                     size_t psize, int *tls, char *err, size_t errsize);

int col_sess_init(struct col_sess *s, struct col_run *run, const struct col_feed_ops *ops,
                  const char *name, const char *url, char *err, size_t errsize);
void col_sess_free(struct col_sess *s);
/* Queues a text message; front=1 puts it before everything else (heartbeats). */
void col_sess_send(struct col_sess *s, const char *text, size_t len, int front);
/* Closes the connection and schedules a reconnect after delay_ms (-1: backoff). */
void col_sess_drop(struct col_sess *s, const char *why, int64_t delay_ms);

/* Creates the lws context (TLS initialised only when a session needs it:
 * it costs megabytes of resident memory); 0 or -1. */
int col_run_init(struct col_run *run, char *err, size_t errsize);
/* One turn: connects what is due, paces subscriptions, checks idle sockets,
 * services the sockets (waiting at most a few ms). */
void col_run_turn(struct col_run *run);
void col_run_close_all(struct col_run *run);
void col_run_free(struct col_run *run);

#endif
