/* bench — in-memory evaluation throughput: generated ticks (JSON, the
 * producer's own layout) decoded and evaluated against generated rules. */
#include "bench.h"

#include "clock.h"
#include "eval.h"
#include "rules.h"
#include "source.h"
#include "tick.h"
#include "tickfast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ar_bench_symbol(int i, char out[16]) { snprintf(out, 16, "A%05d", i); }

/* One rule per line; kinds cycle so every evaluation path is exercised. */
static void rule_line(FILE *f, int i, int nsymbols)
{
	char sym[16];
	ar_bench_symbol(i % nsymbols, sym);
	static const char *const kinds[] = {
		"\"price_limit\",\"params\":{\"base\":10000,\"within_pct\":1}",
		"\"change_rate\",\"params\":{\"base\":10000,\"pct\":20}",
		"\"target_price\",\"params\":{\"price\":20000}",
		"\"vwap_deviation\",\"params\":{\"pct\":20}",
		"\"volume_spike\",\"params\":{\"n\":20,\"k\":50}",
		"\"prev_day_change\",\"params\":{\"field\":\"volume\",\"pct\":1000,\"prev_volume\":1e12}",
		"\"threshold\",\"params\":{\"field\":\"qty\",\"op\":\">=\",\"value\":1e12}",
	};
	fprintf(f, "%s{\"id\":\"b%d\",\"symbol\":\"%s\",\"kind\":%s}", i ? ",\n" : "", i, sym,
	        kinds[i % 7]);
}

int ar_bench_write_rules(int nrules, int nsymbols, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	if (!f)
		return -1;
	fputs("{\"rules\":[\n", f);
	for (int i = 0; i < nrules; i++)
		rule_line(f, i, nsymbols);
	/* wildcard rules are evaluated for every tick: a realistic few */
	fputs(",\n{\"id\":\"w1\",\"symbol\":\"*\",\"kind\":\"threshold\","
	      "\"params\":{\"field\":\"price\",\"op\":\">=\",\"value\":1e12}}"
	      ",\n{\"id\":\"w2\",\"symbol\":\"*\",\"kind\":\"threshold\","
	      "\"params\":{\"field\":\"close\",\"value\":1e12}}\n]}\n", f);
	if (f != stdout)
		fclose(f);
	return 0;
}

static struct ar_ruleset *gen_rules(int nrules, int nsymbols)
{
	char path[] = "/tmp/ar-bench-rules-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	close(fd);
	ar_bench_write_rules(nrules, nsymbols, path);
	FILE *f = fopen(path, "r");
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *text = malloc((size_t)n + 1);
	size_t got = fread(text, 1, (size_t)n, f);
	fclose(f);
	unlink(path);
	int invalid;
	char err[200];
	struct ar_ruleset *rs = ar_rules_from_json(text, got, &invalid, err, sizeof err);
	free(text);
	return rs;
}

int ar_bench_eval(int nrules, int nsymbols, long nticks, int tick_symbols)
{
	struct ar_ruleset *rs = gen_rules(nrules, nsymbols);
	if (!rs || nsymbols < 1 || nticks < 1)
		return 1;
	if (tick_symbols < 1 || tick_symbols > nsymbols)
		tick_symbols = nsymbols;
	/* A pool of distinct encoded ticks, cycled through (prices around 10,000). */
	long pool = nticks < 200000 ? nticks : 200000;
	char (*json)[192] = malloc((size_t)pool * sizeof *json);
	size_t *len = malloc((size_t)pool * sizeof *len);
	struct tick t;
	for (long i = 0; i < pool; i++) {
		tick_clear(&t);
		ar_bench_symbol((int)(i % tick_symbols), t.symbol);
		snprintf(t.id, sizeof t.id, "sim|%s|20261123|%ld", t.symbol, i);
		strcpy(t.source, "sim");
		strcpy(t.exchange, "KRX");
		strcpy(t.day, "2026-11-23");
		t.ts = 1763856000000 + i;
		t.price = 10000 + (double)(i % 50) * 10;
		t.qty = 1 + (double)(i % 97);
		len[i] = tick_encode(&t, json[i], sizeof json[i]);
	}
	struct ar_engine *e = ar_engine_new();
	struct ar_hit hits[64];
	long nh = 0;
	char reason[128];
	int64_t t0 = clock_mono_ns();
	for (long i = 0; i < nticks; i++) {
		long k = i % pool;
		if (tickfast_decode(json[k], len[k], &t, reason, sizeof reason) == 0)
			nh += ar_eval_tick(e, rs, &t, hits, 64);
	}
	int64_t t1 = clock_mono_ns();
	/* evaluation alone, on decoded structs */
	struct tick *dec = malloc((size_t)pool * sizeof *dec);
	for (long i = 0; i < pool; i++)
		tick_decode(json[i], len[i], &dec[i], reason, sizeof reason);
	int64_t t2 = clock_mono_ns();
	for (long i = 0; i < nticks; i++)
		nh += ar_eval_tick(e, rs, &dec[i % pool], hits, 64);
	int64_t t3 = clock_mono_ns();
	printf("{\"rules\":%zu,\"symbols\":%d,\"tick_symbols\":%d,\"ticks\":%ld,\"hits\":%ld,"
	       "\"decode_eval_per_s\":%.0f,\"eval_per_s\":%.0f}\n",
	       ar_ruleset_size(rs), nsymbols, tick_symbols, nticks, nh, nticks / ((t1 - t0) / 1e9),
	       nticks / ((t3 - t2) / 1e9));
	free(dec);
	free(json);
	free(len);
	ar_engine_free(e);
	ar_ruleset_free(rs);
	return 0;
}
