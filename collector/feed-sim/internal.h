/* internal — the simulator's state, shared by server.c (sockets, HTTP),
 * outbox.c (trade generation and queues), kisproto.c and fhproto.c. */
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include "server.h"

#include <stdint.h>

struct lws;
struct lws_context;

#define SIM_MAX_CONNS 256

struct sim_item {        /* a trade waiting to be sent */
	char *payload;       /* KIS record (46 fields) or Finnhub trade object */
	char *record;        /* its NDJSON line for --record (without "session") */
};

struct sim_queue {
	struct sim_item *v;
	int64_t head, n, cap;
};

struct sim_ctl {         /* a control message waiting to be sent */
	struct sim_ctl *next;
	size_t len;
	char text[];
};

struct sim_conn {
	struct lws *wsi;
	int fh;              /* Finnhub (token in the URL) or KIS */
	char name[24];
	char appkey[80];     /* KIS: bound by the first valid message */
	unsigned char *sub;  /* per symbol */
	int nsubs;
	struct sim_ctl *ctl, *ctl_tail;
	int64_t next_ping_ms;
	int64_t ping_sent_ms; /* a PINGPONG awaiting its echo, or 0 */
	char ping_text[96];
	int rr;               /* round-robin position over symbols */
	int close_after_ctl;  /* OPSP8996: send the ack, then close */
	int close_now;
	char *rx;             /* a message arriving in fragments */
	size_t rxlen, rxcap;
};

struct sim_server {
	struct sim_cfg cfg;
	struct sim_market *m;
	struct lws_context *lws;
	int port;
	struct sim_queue *q;          /* per symbol */
	struct sim_conn *conns[SIM_MAX_CONNS];
	int nconns, conn_seq;
	/* generation */
	int64_t krx_started_ms, us_started_ms; /* monotonic, at the first subscription */
	int64_t krx_made, us_made;
	/* counters (GET /stats) */
	int64_t krx_sent, us_sent, frames, data_frames, malformed, drops, approvals;
	int64_t silence_until_ms, next_malformed;
	int64_t quote_window_ms, quote_calls;
	uint64_t rng_batch;
	char (*approval_key)[40];
	char (*approval_app)[80];
	int napproval;
	int dirty;                    /* record files need a flush */
};

/* outbox.c */
void sim_generate(struct sim_server *s, int64_t now_mono, int64_t now_wall);
int sim_queue_pop(struct sim_queue *q, struct sim_item *out);
void sim_queue_free(struct sim_queue *q);
void sim_record(struct sim_server *s, const char *session, const struct sim_item *it);
void sim_record_frame(struct sim_server *s, const char *session, const char *kind,
                      const char *frame, size_t len);

/* server.c */
void sim_conn_ctl(struct sim_conn *c, const char *text, size_t len);
/* Writes a text frame (recorded); -1 when the socket failed. */
int sim_conn_write(struct sim_server *s, struct sim_conn *c, const char *text, size_t len,
                   const char *kind);

/* kisproto.c */
void sim_kis_receive(struct sim_server *s, struct sim_conn *c, const char *msg, size_t len);
/* Writes one data (or injected malformed) frame; 1 written, 0 nothing, -1 close. */
int sim_kis_send_data(struct sim_server *s, struct sim_conn *c);
void sim_kis_ping(struct sim_server *s, struct sim_conn *c, int64_t now_mono, int64_t now_wall);

/* fhproto.c */
void sim_fh_receive(struct sim_server *s, struct sim_conn *c, const char *msg, size_t len);
int sim_fh_send_data(struct sim_server *s, struct sim_conn *c);

#endif
