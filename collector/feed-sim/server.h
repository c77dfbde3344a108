/* server — the simulator's websocket + HTTP server (libwebsockets): KIS
 * approval REST and websocket, Finnhub websocket and /quote, /stats. */
#ifndef SIM_SERVER_H
#define SIM_SERVER_H

#include "sim.h"

struct sim_cfg {
	int port;
	double rate, fh_rate;       /* trades per second (KRX, US) */
	int64_t total, fh_total;    /* stop generating after this many (0: never) */
	int max_batch;              /* records per H0STCNT0 frame, at most */
	double batch_prob;          /* chance a frame carries several records */
	int64_t ping_ms;            /* PINGPONG / ping period */
	int64_t pong_timeout_ms;    /* close a KIS socket whose PINGPONG went unanswered */
	int max_subs;               /* registrations per appkey (OPSP0008 beyond) */
	int64_t drop_every;         /* close the socket after every N data frames */
	int64_t drop_max;           /* ... at most this many times */
	int64_t malformed_every;    /* a malformed frame before every Nth data frame */
	int64_t silence_after;      /* go silent after this many data frames ... */
	int64_t silence_ms;         /* ... for this long */
	int virtual_clock;          /* event times from --start, not the wall clock */
	int64_t start_ms;
	double speed;               /* virtual clock: simulated seconds per wall second */
	int64_t queue_max;          /* trades waiting per symbol */
	int64_t quote_limit;        /* /quote calls per minute before 429 */
	const char *fh_token;       /* required Finnhub token, or NULL */
	char **cred_key, **cred_secret;
	int ncred;                  /* when set, approval checks appkey:secret */
	FILE *record, *record_frames;
};

struct sim_server;

struct sim_server *sim_server_new(const struct sim_cfg *cfg, struct sim_market *m, char *err,
                                  size_t errsize);
/* Serves until SIGTERM/SIGINT or the monotonic time end_mono (0: none). */
void sim_server_run(struct sim_server *s, int64_t end_mono);
void sim_server_free(struct sim_server *s);
/* The port actually bound (cfg port 0 picks one). */
int sim_server_port(const struct sim_server *s);

/* Writes `total` KRX trades as H0STCNT0 frames, one per line, to f (no
 * server): the bench's pre-built input. Returns the frames written. */
long sim_dump_frames(const struct sim_cfg *cfg, struct sim_market *m, FILE *f);

#endif
