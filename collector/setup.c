/* setup — configuration to running parts. See setup.h. */
#include "setup.h"
#include "app.h"
#include "log.h"
#include "shard.h"
#include "finnhub.h"
#include "normalize.h"

#include <stdlib.h>
#include <string.h>

void col_app_archive(struct col_app *app, const char *source, const char *session,
                     const char *frame, size_t len, int64_t recv_ms)
{
	if (!app->arch)
		return;
	char day[11];
	if (!strcmp(source, "finnhub"))
		col_ny_day(recv_ms, day);
	else
		col_kst_day(recv_ms, day);
	col_archive_add(app->arch, source, session, day, frame, len, recv_ms);
}

static long num(struct conf *c, const char *name, long min, long max, char *err, size_t es,
                int *bad)
{
	long v = 0;
	if (!*bad && conf_long(c, name, min, max, &v, err, es))
		*bad = 1;
	return v;
}

static char *read_opt_file(struct conf *c, const char *name, char *err, size_t es, int *bad)
{
	const char *path = conf_str(c, name);
	if (!path || !*path || *bad)
		return NULL;
	char *t = conf_read_file(path, err, es);
	if (!t)
		*bad = 1;
	return t;
}

static int load_creds(struct col_app *app, struct conf *c, char *err, size_t es)
{
	int bad = 0;
	char *text = read_opt_file(c, "kis-credentials", err, es, &bad);
	if (bad)
		return -1;
	if (text) {
		app->ncred = col_parse_creds(text, &app->creds, err, es);
		memset(text, 0, strlen(text));
		free(text);
		return app->ncred < 0 ? -1 : 0;
	}
	const char *k = conf_str(c, "kis-appkey"), *s = conf_str(c, "kis-secret");
	if (k && *k && s && *s) {
		app->creds = calloc(1, sizeof *app->creds);
		app->creds[0].appkey = strdup(k);
		app->creds[0].secret = strdup(s);
		app->ncred = 1;
	}
	return 0;
}

static int symbols(struct conf *c, const char *list, const char *file, char (**out)[16],
                   char *err, size_t es)
{
	int bad = 0;
	char *text = read_opt_file(c, file, err, es, &bad);
	if (bad)
		return -1;
	int n = col_parse_symbols(text ? text : conf_str(c, list), out, err, es);
	free(text);
	return n;
}

static struct col_sess *new_sess(struct col_app *app)
{
	app->run.sess = realloc(app->run.sess, sizeof *app->run.sess * (size_t)(app->run.nsess + 1));
	struct col_sess *s = calloc(1, sizeof *s);
	app->run.sess[app->run.nsess++] = s;
	return s;
}

static void give_symbols(struct col_sess *s, char (*sym)[16], int n)
{
	s->nsym = n;
	s->sym = malloc(sizeof *s->sym * (size_t)(n ? n : 1));
	memcpy(s->sym, sym, sizeof *sym * (size_t)n);
	s->sub = calloc((size_t)(n ? n : 1), 1);
}

static int kis_sessions(struct col_app *app, char *err, size_t es)
{
	struct conf *c = app->c;
	char(*sym)[16] = NULL;
	int bad = 0;
	int n = symbols(c, "kis-symbols", "kis-symbols-file", &sym, err, es);
	long idx = num(c, "shard-index", 0, 1000, err, es, &bad);
	long cnt = num(c, "shard-count", 1, 1000, err, es, &bad);
	long max_subs = num(c, "kis-max-subs", 1, 1000, err, es, &bad);
	int per = 0;
	if (n > 0 && !bad && idx >= cnt) {
		snprintf(err, es, "--shard-index must be below --shard-count");
		bad = 1;
	}
	if (n > 0 && !bad)
		n = col_shard_filter(sym, n, (int)idx, (int)cnt);
	if (n < 0 || bad || (n > 0 && (load_creds(app, c, err, es) ||
	                               col_shard_plan(n, app->ncred, (int)max_subs, &per, err, es)))) {
		free(sym);
		return -1;
	}
	for (int k = 0; k < app->ncred && k * per < n; k++) {
		struct col_sess *s = new_sess(app);
		char name[32];
		snprintf(name, sizeof name, "kis-%d", k);
		if (col_sess_init(s, &app->run, &col_kis_ops, name, conf_str(c, "kis-ws-url"), err, es)) {
			free(sym);
			return -1;
		}
		int take = n - k * per < per ? n - k * per : per;
		give_symbols(s, sym + k * per, take);
		s->appkey = app->creds[k].appkey;
		s->secret = app->creds[k].secret;
		log_info("kis_session_planned", "session=%s symbols=%d first=%s", name, take, s->sym[0]);
	}
	free(sym);
	return n;
}

static int finnhub(struct col_app *app, char *err, size_t es)
{
	struct conf *c = app->c;
	int n = symbols(c, "finnhub-symbols", "finnhub-symbols-file", &app->fh_sym, err, es);
	if (n <= 0)
		return n;
	app->nfh = n;
	app->fh_token = conf_str(c, "finnhub-token");
	if (!app->fh_token || !*app->fh_token) {
		snprintf(err, es, "--finnhub-symbols needs --finnhub-token (or FINNHUB_TOKEN[_FILE])");
		return -1;
	}
	const char *base = conf_str(c, "finnhub-ws-url");
	size_t ulen = strlen(base) + strlen(app->fh_token) + 16;
	char *url = malloc(ulen);
	snprintf(url, ulen, "%s%stoken=%s", base, strchr(base, '?') ? "&" : "?", app->fh_token);
	struct col_sess *s = new_sess(app);
	int rc = col_sess_init(s, &app->run, &col_fh_ops, "finnhub-0", url, err, es);
	memset(url, 0, ulen);
	free(url);
	if (rc)
		return -1;
	give_symbols(s, app->fh_sym, n);
	return n;
}

int col_setup_sessions(struct col_app *app, char *err, size_t es)
{
	int nk = kis_sessions(app, err, es);
	if (nk < 0)
		return -1;
	int nf = finnhub(app, err, es);
	if (nf < 0)
		return -1;
	if (app->run.nsess == 0) {
		snprintf(err, es, "nothing to collect: give --kis-symbols and/or --finnhub-symbols");
		return -1;
	}
	return app->run.nsess;
}

static int settings(struct col_app *app, struct conf *c, char *err, size_t es)
{
	int bad = 0;
	app->c = c;
	app->kis_rest_url = conf_str(c, "kis-rest-url");
	app->custtype = conf_str(c, "kis-custtype");
	app->tr_id = conf_str(c, "kis-tr-id");
	app->approval_ttl_ms = num(c, "approval-ttl", 60, 7 * 86400, err, es, &bad) * 1000;
	app->in_use_hold_ms = num(c, "in-use-hold", 1, 86400, err, es, &bad) * 1000;
	app->fh_rest_url = conf_str(c, "finnhub-rest-url");
	app->fh_poll_s = num(c, "finnhub-poll", 0, 86400, err, es, &bad);
	app->run.idle_ms = num(c, "idle-timeout-ms", 0, 86400000, err, es, &bad);
	app->run.sub_interval_ms = num(c, "subscribe-interval-ms", 0, 10000, err, es, &bad);
	app->run.backoff_base_ms = num(c, "backoff-base-ms", 1, 600000, err, es, &bad);
	app->run.backoff_max_ms = num(c, "backoff-max-ms", 1, 3600000, err, es, &bad);
	app->run.app = app;
	return bad ? -1 : 0;
}

int col_setup(struct col_app *app, struct conf *c, int archive, char *err, size_t es)
{
	int bad = 0;
	if (settings(app, c, err, es))
		return EXIT_USAGE;
	long pending = num(c, "pending-max", 1, 100000000, err, es, &bad);
	long abuf = num(c, "archive-buffer", 1, 100000000, err, es, &bad);
	if (bad)
		return EXIT_USAGE;
	col_stats_init(&app->stats);
	app->run.reconnects = app->stats.reconnects;
	if (col_pub_init(&app->pub, c, &app->stats, pending, err, es))
		return EXIT_USAGE;
	col_ingest_init(&app->ing, &app->pub);
	int failed = 0;
	if (!archive)
		return 0;
	app->arch = col_archive_start(conf_str(c, "mongo-uri"), conf_str(c, "mongo-db"),
	                              conf_str(c, "mongo-collection"), abuf, &app->stats, err, es,
	                              &failed);
	return failed ? EXIT_USAGE : 0;
}

void col_teardown(struct col_app *app)
{
	for (int k = 0; k < app->run.nsess; k++) {
		col_sess_free(app->run.sess[k]);
		free(app->run.sess[k]);
	}
	free(app->run.sess);
	col_run_free(&app->run);
	col_ingest_free(&app->ing);
	col_pub_destroy(&app->pub);
	col_stats_free(&app->stats);
	col_free_creds(app->creds, app->ncred);
	free(app->fh_sym);
}
