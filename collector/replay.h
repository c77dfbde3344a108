/* replay — `collector replay`: republishes trades through the same
 * normaliser and producer as the live path.
 *
 * Sources:
 *   --replay-day YYYY-MM-DD   the MongoDB raw archive (--replay-source kis or
 *                             finnhub), frames in receive order; the ids are
 *                             those of the live run, so consumers dedupe.
 *   --replay-file FILE        --replay-format ndjson | csv | frames (auto: by
 *                             extension .ndjson/.jsonl, .csv, else frames)
 *
 * Trades formats (one trade per line):
 *   NDJSON {"ts":1763856001000,"symbol":"005930","price":71000,"size":10}
 *          ts: epoch ms, or "timestamp" as ISO-8601 with an offset; optional
 *          "side" (buy|sell), "exchange" (KRX|US), "id".
 *   CSV    header "timestamp,symbol,price,size" (optional ",side"), then
 *          rows; timestamp as epoch ms or ISO-8601.
 *   frames one raw feed frame per line (KIS `0|H0STCNT0|...` or a Finnhub
 *          JSON message), e.g. an export of the archive; fastest path, used
 *          by bench/bench_collector.sh.
 * Trades without an id get replay|symbol|ts|line. --replay-speed 0 publishes
 * as fast as possible, 1 at recorded speed, 2 twice as fast, ... */
#ifndef COL_REPLAY_H
#define COL_REPLAY_H

#include "collector.h"
#include "tick.h"

#define COL_REPLAY_OPTS                                                                          \
	{"replay-file", NULL, NULL, 0, "replay: trades (NDJSON/CSV) or frames file"},                \
	{"replay-format", NULL, "auto", 0, "replay: ndjson, csv, frames or auto"},                   \
	{"replay-day", NULL, NULL, 0, "replay: this archive day (YYYY-MM-DD) from MongoDB"},         \
	{"replay-source", NULL, "kis", 0, "replay: archive source (kis, finnhub)"},                  \
	{"replay-symbols", NULL, "", 0, "replay: only these symbols"},                              \
	{"replay-speed", NULL, "0", 0, "replay: 0 as fast as possible, 1 recorded speed, N faster"}

int col_replay_main(struct col_app *app, struct conf *c);

/* Parses one NDJSON trade line; 0 or -1 with reason. line_no makes the id. */
int col_replay_ndjson(const char *line, size_t len, long line_no, struct tick *t, char *reason,
                      size_t rsize);
/* Parses one CSV row given the header's column positions (ts, sym, price,
 * size, side; side may be -1). 0 or -1 with reason. */
int col_replay_csv(char *row, const int col[5], long line_no, struct tick *t, char *reason,
                   size_t rsize);
/* Epoch ms from a number or ISO-8601 ("2026-11-23T09:00:01.5+09:00", "...Z"). */
int col_parse_time(const char *s, int64_t *ms);
/* Fills exchange, day and id of a replayed trade. */
void col_replay_finish(struct tick *t, long line_no);

#endif
