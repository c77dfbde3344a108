/* es_doc — one Kafka record turned into one Elasticsearch bulk item: which
 * index (per trading day), which _id (the record's own id, so replays
 * overwrite), which external version (bars: bar_revision, from the bar's
 * trades and final flag, so a late replay of an older in-progress update
 * never overwrites a newer one), and the source. */
#ifndef ES_DOC_H
#define ES_DOC_H

#include <stddef.h>
#include <stdint.h>

enum es_kind { ES_BARS, ES_ANOMALIES, ES_TICKS, ES_NKINDS };

struct es_doc {
	char index[128];
	char id[128];
	int64_t version; /* external_gte version; 0: no versioning */
	const char *src; /* the document: the payload itself, or owned */
	size_t len;
	char *owned;     /* a single-line re-serialisation when the payload had line breaks */
};

/* "bars", "anomalies", "ticks". */
const char *es_kind_name(enum es_kind k);

/* "<prefix>-<kind>-YYYY.MM.DD" from a YYYY-MM-DD day; -1 when day is malformed
 * or the name does not fit. */
int es_index_name(const char *prefix, enum es_kind k, const char *day, char *out, size_t size);

/* 1 when prefix makes valid index names: lowercase letters, digits, '-',
 * '_' and '.', not starting with '-', '_', '+' or '.', at most 100 bytes. */
int es_prefix_valid(const char *prefix);

/* The KST (UTC+9, no DST) calendar day of epoch_ms as YYYY-MM-DD. */
void es_kst_day(int64_t epoch_ms, char out[11]);

/* Validates payload against its topic contract and fills d. The source stays
 * the payload (pointed to, not copied) unless it had to be re-serialised.
 * Returns 0, or -1 with a reason fit for the dlq. */
int es_doc_from_payload(enum es_kind k, const char *prefix, const char *payload, size_t len,
                        struct es_doc *d, char *reason, size_t rsize);
void es_doc_free(struct es_doc *d);

#endif
