/* libFuzzer target: anomaly-router's rules document parser (the rules file
 * and, through ar_rule_parse, every rule's parameters from PostgreSQL), then
 * the engine evaluating a few ticks and a bar against whatever was accepted. */
#include "../../anomaly-router/eval.h"
#include "../../anomaly-router/rules.h"
#include "../../anomaly-router/source.h"
#include "bar.h"
#include "log.h"
#include "tick.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		log_set_stream(devnull);
	}
	int invalid;
	char err[256];
	struct ar_ruleset *rs = ar_rules_from_json((const char *)data, size, &invalid, err, sizeof err);
	if (!rs)
		return 0;
	struct ar_engine *e = ar_engine_new();
	struct ar_hit hits[8];
	const char *syms[] = {"005930", "A", "*"};
	for (int i = 0; i < 12; i++) {
		struct tick t;
		tick_clear(&t);
		snprintf(t.symbol, sizeof t.symbol, "%s", syms[i % 3]);
		snprintf(t.day, sizeof t.day, "%s", i < 6 ? "2026-11-20" : "2026-11-23");
		t.ts = 1763856000000 + (int64_t)i * 700000;
		t.price = 1000 + (i * 7919) % 2000;
		t.qty = 1 + i % 5;
		ar_eval_tick(e, rs, &t, hits, 8);
	}
	struct bar b = {0};
	snprintf(b.symbol, sizeof b.symbol, "005930");
	snprintf(b.window, sizeof b.window, "1m");
	b.close = b.cum_vwap = 100;
	bar_add_ind(&b, "sma_5", 99);
	ar_eval_bar(e, rs, &b, hits, 8);
	ar_engine_free(e);
	ar_ruleset_free(rs);
	return 0;
}
