/* bench — the pure evaluation benchmark and its rule generator, reached as
 * `anomaly-router bench-eval RULES SYMBOLS TICKS [TICK_SYMBOLS]` and
 * `anomaly-router bench-rules RULES SYMBOLS` (bench/bench_anomaly.sh). */
#ifndef AR_BENCH_H
#define AR_BENCH_H

/* Symbol i of the synthetic universe: "A00000".."A02538" style, 6 chars. */
void ar_bench_symbol(int i, char out[16]);

/* Writes a rules JSON document: nrules rules spread round-robin over
 * nsymbols symbols, every kind, thresholds that rarely fire; plus a few
 * wildcard rules. Returns 0 or -1. */
int ar_bench_write_rules(int nrules, int nsymbols, const char *path_or_dash);

/* Runs the in-memory loop over ticks of the first tick_symbols symbols (0:
 * all); prints JSON results on stdout. Returns 0. */
int ar_bench_eval(int nrules, int nsymbols, long nticks, int tick_symbols);

#endif
