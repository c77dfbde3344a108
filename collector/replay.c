/* replay — `collector replay`: the archive or a file back into `ticks`.
 * See replay.h for the formats. */
#include "replay.h"
#include "app.h"
#include "clock.h"
#include "log.h"
#include "shard.h"
#include "sig.h"

#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pacer {
	double speed;
	int64_t first_ts, start_mono;
	long n;
};

/* Sleeps until item ts is due at the chosen speed; polls Kafka meanwhile. */
static void pace(struct pacer *p, struct col_pub *pub, int64_t ts)
{
	if ((++p->n & 1023) == 0)
		col_pub_poll(pub, 0);
	if (p->speed <= 0 || ts <= 0)
		return;
	if (!p->first_ts) {
		p->first_ts = ts;
		p->start_mono = clock_mono_ms();
	}
	int64_t due = p->start_mono + (int64_t)((double)(ts - p->first_ts) / p->speed);
	while (!sig_stop && clock_mono_ms() < due)
		col_pub_poll(pub, (int)(due - clock_mono_ms() < 50 ? due - clock_mono_ms() : 50));
}

static void frame_line(struct col_app *app, const char *s, size_t n, int64_t recv_ms,
                       int64_t recv_ns)
{
	char reason[200];
	if (n && s[0] == '{')
		col_ingest_fh(&app->ing, s, n, recv_ms, recv_ns, reason, sizeof reason);
	else
		col_ingest_kis(&app->ing, s, n, recv_ms, recv_ns);
}

static const char *format_of(const char *path, const char *fmt)
{
	if (strcmp(fmt, "auto"))
		return fmt;
	const char *dot = strrchr(path, '.');
	if (dot && (!strcmp(dot, ".ndjson") || !strcmp(dot, ".jsonl") || !strcmp(dot, ".json")))
		return "ndjson";
	if (dot && !strcmp(dot, ".csv"))
		return "csv";
	return "frames";
}

/* Reads the CSV header: positions of timestamp, symbol, price, size, side. */
static int csv_header(char *line, int col[5])
{
	static const char *names[5] = {"timestamp", "symbol", "price", "size", "side"};
	for (int i = 0; i < 5; i++)
		col[i] = -1;
	int k = 0;
	for (char *p = line, *save = NULL;; p = NULL, k++) {
		char *c = strtok_r(p, ",\r\n", &save);
		if (!c)
			break;
		for (int i = 0; i < 5; i++)
			if (!strcmp(c, names[i]) || (i == 0 && !strcmp(c, "ts")) || (i == 3 && !strcmp(c, "qty")))
				col[i] = k;
	}
	return col[0] < 0 || col[1] < 0 || col[2] < 0 || col[3] < 0 ? -1 : 0;
}

/* The file (or stdin for "-") with a 1 MB buffer, *iobuf to free after
 * fclose: stdio's 4 KB meant a read(2) per 16 frames (and glibc ignores
 * setvbuf's size without a buffer of ours). */
static FILE *open_input(const char *path, char **iobuf)
{
	*iobuf = NULL;
	if (!strcmp(path, "-"))
		return stdin;
	FILE *f = fopen(path, "r");
	if (f && (*iobuf = malloc(1 << 20)))
		setvbuf(f, *iobuf, _IOFBF, 1 << 20);
	return f;
}

static int replay_file(struct col_app *app, const char *path, const char *fmt, struct pacer *pc)
{
	char *iobuf;
	FILE *f = open_input(path, &iobuf);
	if (!f) {
		log_error("replay_open_failed", "file=%s", path);
		return EXIT_USAGE;
	}
	char *line = NULL, reason[256];
	size_t cap = 0;
	ssize_t n;
	long no = 0;
	int col[5], csv = !strcmp(fmt, "csv"), nd = !strcmp(fmt, "ndjson"), rc = 0;
	while (!sig_stop && (n = getline(&line, &cap, f)) > 0) {
		no++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (!n)
			continue;
		if (!csv && !nd) {
			int64_t now_ms, now_ns;
			clock_now_pair(&now_ms, &now_ns);
			frame_line(app, line, (size_t)n, now_ms, now_ns);
			pace(pc, &app->pub, 0);
			continue;
		}
		if (csv && no == 1) {
			if (csv_header(line, col)) {
				log_error("replay_bad_header", "need=timestamp,symbol,price,size");
				rc = EXIT_USAGE;
				break;
			}
			continue;
		}
		struct tick t;
		int bad = csv ? col_replay_csv(line, col, no, &t, reason, sizeof reason)
		              : col_replay_ndjson(line, (size_t)n, no, &t, reason, sizeof reason);
		if (bad) {
			col_pub_dlq(&app->pub, "collector-replay", reason, line, (size_t)n);
			continue;
		}
		pace(pc, &app->pub, t.ts);
		t.recv_ts = clock_now_ms();
		col_pub_tick(&app->pub, &t, NULL, clock_mono_ns());
	}
	free(line);
	if (f != stdin)
		fclose(f);
	free(iobuf);
	return rc;
}

static void archive_doc(struct col_app *app, const bson_t *doc, struct pacer *pc)
{
	bson_iter_t it;
	int64_t recv = 0;
	if (bson_iter_init_find(&it, doc, "recv_ts") && BSON_ITER_HOLDS_DATE_TIME(&it))
		recv = bson_iter_date_time(&it);
	if (!bson_iter_init_find(&it, doc, "frame"))
		return;
	const char *s = NULL;
	uint32_t n = 0;
	if (BSON_ITER_HOLDS_UTF8(&it)) {
		s = bson_iter_utf8(&it, &n);
	} else if (BSON_ITER_HOLDS_BINARY(&it)) {
		bson_subtype_t st;
		const uint8_t *b;
		bson_iter_binary(&it, &st, &n, &b);
		s = (const char *)b;
	}
	if (!s)
		return;
	pace(pc, &app->pub, recv);
	if (n && s[0] == '{' && s[1] == '"' && !strncmp(s, "{\"header\"", 9))
		return; /* KIS control messages carry no trades */
	frame_line(app, s, n, recv, clock_mono_ns());
}

static int replay_archive(struct col_app *app, struct conf *c, struct pacer *pc)
{
	bson_error_t error;
	mongoc_client_t *cl = mongoc_client_new(conf_str(c, "mongo-uri"));
	if (!cl) {
		log_error("replay_bad_uri", "uri=***");
		return EXIT_USAGE;
	}
	mongoc_collection_t *coll = mongoc_client_get_collection(cl, conf_str(c, "mongo-db"),
	                                                         conf_str(c, "mongo-collection"));
	bson_t *q = BCON_NEW("day", BCON_UTF8(conf_str(c, "replay-day")), "source",
	                     BCON_UTF8(conf_str(c, "replay-source")));
	bson_t *o = BCON_NEW("sort", "{", "recv_ts", BCON_INT32(1), "}");
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, q, o, NULL);
	const bson_t *doc;
	long n = 0;
	while (!sig_stop && mongoc_cursor_next(cur, &doc)) {
		archive_doc(app, doc, pc);
		n++;
	}
	int rc = 0;
	if (mongoc_cursor_error(cur, &error)) {
		log_error("replay_archive_failed", "error=\"%s\"", error.message);
		rc = EXIT_RUNTIME;
	}
	log_info("replay_archive_read", "frames=%ld day=%s", n, conf_str(c, "replay-day"));
	mongoc_cursor_destroy(cur);
	bson_destroy(q);
	bson_destroy(o);
	mongoc_collection_destroy(coll);
	mongoc_client_destroy(cl);
	return rc;
}

int col_replay_main(struct col_app *app, struct conf *c)
{
	const char *file = conf_str(c, "replay-file"), *day = conf_str(c, "replay-day");
	double speed = 0;
	char err[256];
	if ((!file) == (!day))
		return app_usage_error(c, "replay needs one of --replay-file or --replay-day");
	if (conf_double(c, "replay-speed", 0, 1e6, &speed, err, sizeof err))
		return app_usage_error(c, "%s", err);
	int n = col_parse_symbols(conf_str(c, "replay-symbols"), &app->ing.only, err, sizeof err);
	if (n < 0)
		return app_usage_error(c, "--replay-symbols: %s", err);
	app->ing.nonly = n;
	if (c->check_only)
		return 0;
	struct pacer pc = {.speed = speed};
	int64_t t0 = clock_mono_ns();
	int rc = file ? replay_file(app, file, format_of(file, conf_str(c, "replay-format")), &pc)
	              : replay_archive(app, c, &pc);
	long left = col_pub_drain(&app->pub, 60000);
	double secs = (double)(clock_mono_ns() - t0) / 1e9;
	log_info("replay_done", "trades=%.0f delivered=%.0f dlq=%.0f seconds=%.3f rate=%.0f",
	         metric_value(app->stats.trades), metric_value(app->stats.delivery_ok),
	         metric_value(app->stats.dlq), secs, metric_value(app->stats.delivery_ok) / secs);
	free(app->ing.only);
	app->ing.only = NULL;
	return rc ? rc : left ? EXIT_RUNTIME : 0;
}
