/* collector — the program's shared state: configuration, producer, archive,
 * sessions. main.c builds it, the feed files use it. */
#ifndef COL_COLLECTOR_H
#define COL_COLLECTOR_H

#include "archive.h"
#include "conf.h"
#include "ingest.h"
#include "publish.h"
#include "session.h"
#include "stats.h"

struct http_client;

struct col_cred {
	char *appkey;
	char *secret;
};

struct col_app {
	struct conf *c;
	struct col_stats stats;
	struct col_pub pub;
	struct col_ingest ing;
	struct col_archive *arch;
	struct col_run run;
	/* KIS */
	const char *kis_rest_url;
	const char *custtype;
	const char *tr_id;
	int64_t approval_ttl_ms;
	int64_t in_use_hold_ms;
	struct col_cred *creds;
	int ncred;
	/* Finnhub */
	const char *fh_token;
	const char *fh_rest_url;
	long fh_poll_s;
	char (*fh_sym)[16];
	int nfh;
};

/* kis_session.c */
extern const struct col_feed_ops col_kis_ops;
/* fh_session.c */
extern const struct col_feed_ops col_fh_ops;
/* The quote poller thread (Finnhub /quote every fh_poll_s seconds). */
int col_fh_quotes_start(struct col_app *app, char *err, size_t errsize);
void col_fh_quotes_stop(void);

/* Archives a received frame under the session's name. */
void col_app_archive(struct col_app *app, const char *source, const char *session,
                     const char *frame, size_t len, int64_t recv_ms);

#endif
