/* outbox — trades generated at the configured rate into per-symbol queues,
 * and the --record files. A trade is recorded when it is written to a socket,
 * so the record is exactly what a client was sent. */
#include "internal.h"
#include "jsonw.h"
#include "numfmt.h"

#include <stdlib.h>
#include <string.h>

static void push(struct sim_server *s, struct sim_queue *q, struct sim_item *it)
{
	if (q->n == q->cap) {
		if (q->cap >= s->cfg.queue_max) { /* nobody listens: forget the oldest */
			struct sim_item old = {NULL, NULL};
			sim_queue_pop(q, &old);
			free(old.payload);
			free(old.record);
		} else {
			int64_t cap = q->cap ? q->cap * 2 : 16;
			struct sim_item *v = malloc(sizeof *v * (size_t)cap);
			for (int64_t i = 0; i < q->n; i++)
				v[i] = q->v[(q->head + i) % q->cap];
			free(q->v);
			q->v = v, q->cap = cap, q->head = 0;
		}
	}
	q->v[(q->head + q->n++) % q->cap] = *it;
}

int sim_queue_pop(struct sim_queue *q, struct sim_item *out)
{
	if (!q->n)
		return -1;
	*out = q->v[q->head];
	q->head = (q->head + 1) % q->cap;
	q->n--;
	return 0;
}

void sim_queue_free(struct sim_queue *q)
{
	struct sim_item it;
	while (sim_queue_pop(q, &it) == 0) {
		free(it.payload);
		free(it.record);
	}
	free(q->v);
}

static void krx_item(struct sim_server *s, const struct sim_trade *t)
{
	const struct sim_sym *y = &s->m->sym[t->sym];
	char rec[1024], line[640], id[96], day[11], d[9], h[7], vwap[32];
	sim_kis_record(y, t, rec, sizeof rec);
	sim_kis_id(y, t, id, sizeof id);
	sim_kst(t->ts_ms, d, h);
	snprintf(day, sizeof day, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
	numfmt_double((double)y->cum_pbmn / (double)y->cum_vol, vwap);
	struct jw w;
	jw_init(&w, line, sizeof line);
	jw_open(&w, NULL);
	jw_str(&w, "id", id);
	jw_str(&w, "source", "kis");
	jw_str(&w, "symbol", y->code);
	jw_int(&w, "seq", t->seq);
	jw_int(&w, "ts", t->ts_ms / 1000 * 1000); /* the feed carries seconds */
	jw_str(&w, "day", day);
	jw_int(&w, "price", t->price);
	jw_int(&w, "qty", t->qty);
	jw_int(&w, "cum_volume", y->cum_vol);
	jw_int(&w, "cum_turnover", y->cum_pbmn);
	jw_raw(&w, "feed_vwap", vwap, strlen(vwap));
	jw_str(&w, "side", t->side == 1 ? "buy" : "sell");
	jw_finish(&w); /* left open: sim_record appends the session and the brace */
	struct sim_item it = {strdup(rec), strdup(line)};
	push(s, &s->q[t->sym], &it);
}

static void us_item(struct sim_server *s, const struct sim_trade *t)
{
	const struct sim_sym *y = &s->m->sym[t->sym];
	char obj[256], line[400];
	snprintf(obj, sizeof obj, "{\"s\":\"%s\",\"p\":%lld.%02lld,\"t\":%lld,\"v\":%lld,\"c\":[\"1\"]}",
	         y->code, (long long)(t->price / 100), (long long)(t->price % 100),
	         (long long)t->ts_ms, (long long)t->qty);
	snprintf(line, sizeof line,
	         "{\"source\":\"finnhub\",\"symbol\":\"%s\",\"seq\":%lld,\"ts\":%lld,\"price\":%lld.%02lld,"
	         "\"qty\":%lld", y->code, (long long)t->seq, (long long)t->ts_ms,
	         (long long)(t->price / 100), (long long)(t->price % 100), (long long)t->qty);
	struct sim_item it = {strdup(obj), strdup(line)};
	push(s, &s->q[t->sym], &it);
}

/* How many trades are due after elapsed ms: an opening burst at 3x the rate
 * for the first open_burst trades, then the configured rate. */
static int64_t due(double rate, int64_t burst, int64_t elapsed_ms)
{
	double fast = rate * 3, t = (double)elapsed_ms / 1000;
	double burst_s = burst / fast;
	if (t <= burst_s)
		return (int64_t)(t * fast);
	return burst + (int64_t)((t - burst_s) * rate);
}

static int64_t event_time(struct sim_server *s, double rate, int64_t seq, int64_t now_wall)
{
	if (!s->cfg.virtual_clock)
		return now_wall;
	return s->cfg.start_ms + (int64_t)((double)(seq - 1) * 1000.0 * s->cfg.speed / rate);
}

void sim_generate(struct sim_server *s, int64_t now_mono, int64_t now_wall)
{
	struct sim_market *m = s->m;
	struct sim_trade t;
	if (s->krx_started_ms && m->nkrx) {
		int64_t n = due(s->cfg.rate, m->open_burst, now_mono - s->krx_started_ms);
		if (s->cfg.total && n > s->cfg.total)
			n = s->cfg.total;
		for (; s->krx_made < n; s->krx_made++) {
			sim_next_trade(m, 0, event_time(s, s->cfg.rate, m->seq_krx + 1, now_wall), &t);
			krx_item(s, &t);
		}
	}
	if (s->us_started_ms && m->nsym > m->nkrx) {
		int64_t n = due(s->cfg.fh_rate, 0, now_mono - s->us_started_ms);
		if (s->cfg.fh_total && n > s->cfg.fh_total)
			n = s->cfg.fh_total;
		for (; s->us_made < n; s->us_made++) {
			sim_next_trade(m, 1, event_time(s, s->cfg.fh_rate, m->seq_us + 1, now_wall), &t);
			us_item(s, &t);
		}
	}
}

void sim_record(struct sim_server *s, const char *session, const struct sim_item *it)
{
	if (!s->cfg.record)
		return;
	fprintf(s->cfg.record, "%s,\"session\":\"%s\"}\n", it->record, session);
	s->dirty = 1;
}

void sim_record_frame(struct sim_server *s, const char *session, const char *kind,
                      const char *frame, size_t len)
{
	if (!s->cfg.record_frames)
		return;
	size_t cap = len * 6 + 128;
	char *buf = malloc(cap);
	struct jw w;
	jw_init(&w, buf, cap);
	jw_open(&w, NULL);
	jw_str(&w, "session", session);
	jw_str(&w, "kind", kind);
	jw_strn(&w, "frame", frame, len);
	jw_close(&w);
	if (jw_finish(&w))
		fprintf(s->cfg.record_frames, "%s\n", buf);
	free(buf);
	s->dirty = 1;
}
