/* anomaly — the `anomalies` topic contract (schema v1): a rule hit, keyed by
 * symbol, with the message that triggered it embedded whole.
 *
 * {"v":1,"id":"r42|005930|1763856000000","rule_id":"r42","kind":"vwap_deviation",
 *  "symbol":"005930","ts":1763856001000,"observed":3.2,"threshold":3.0,
 *  "message":"price 73300 is 3.2% above VWAP 71030","source_topic":"ticks",
 *  "original":{...the tick or bar as received...}}
 *
 * id = rule|symbol|dedup-window start: one alert per rule, symbol and window. */
#ifndef TP_ANOMALY_H
#define TP_ANOMALY_H

#include <stddef.h>
#include <stdint.h>

#define ANOMALY_VERSION 1

struct anomaly {
	char id[96];
	char rule_id[40];
	char kind[32];
	char symbol[16];
	char source_topic[16];
	char message[256];
	int64_t ts;
	double observed;
	double threshold;
	const char *original; /* valid JSON text, not owned */
	size_t original_len;
};

/* Encodes a; the original is embedded as JSON. Returns length or 0. */
size_t anomaly_encode(const struct anomaly *a, char *buf, size_t size);
/* Decodes and validates; a->original points into a copy the caller frees with
 * anomaly_free_original (it is re-serialised, not the input bytes). */
int anomaly_decode(const char *json, size_t len, struct anomaly *a, char *reason, size_t rsize);
void anomaly_free_original(struct anomaly *a);

#endif
