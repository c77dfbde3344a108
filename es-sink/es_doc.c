/* es_doc — records to bulk items. See es_doc.h. */
#include "es_doc.h"
#include "anomaly.h"
#include "bar.h"
#include "msgutil.h"
#include "tick.h"
#include "tradecal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *es_kind_name(enum es_kind k)
{
	static const char *const names[] = {"bars", "anomalies", "ticks"};
	return k >= 0 && k < ES_NKINDS ? names[k] : "unknown";
}

/* prefix-kind-YYYY.MM.DD, by hand: it runs for every record. */
int es_index_name(const char *prefix, enum es_kind k, const char *day, char *out, size_t size)
{
	if (!msg_is_day(day))
		return -1;
	const char *kind = es_kind_name(k);
	size_t p = strlen(prefix), n = strlen(kind);
	if (p + n + 13 > size) /* two dashes, ten characters of date, NUL */
		return -1;
	char *o = out;
	memcpy(o, prefix, p);
	o[p] = '-';
	memcpy(o += p + 1, kind, n);
	o[n] = '-';
	o += n + 1;
	memcpy(o, day, 4);
	o[4] = '.';
	memcpy(o + 5, day + 5, 2);
	o[7] = '.';
	memcpy(o + 8, day + 8, 2);
	o[10] = '\0';
	return 0;
}

int es_prefix_valid(const char *prefix)
{
	size_t n = prefix ? strlen(prefix) : 0;
	if (n == 0 || n > 100 || strchr("-_+.", prefix[0]))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)prefix[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || strchr("-_.", ch)))
			return 0;
	}
	return 1;
}

void es_kst_day(int64_t epoch_ms, char out[11])
{
	/* KRX keeps UTC+9 all year; floor division so times before 1970 stay correct. */
	int64_t ms = epoch_ms + 9 * 3600 * 1000LL;
	int64_t days = ms / 86400000LL - (ms % 86400000LL < 0);
	cal_format_day((int32_t)days, out);
}

/* Bulk bodies are NDJSON: a payload with a raw line break (legal JSON
 * whitespace) must be re-serialised on one line. */
static int single_line(const char *payload, size_t len, struct es_doc *d, char *reason,
                       size_t rsize)
{
	if (!memchr(payload, '\n', len) && !memchr(payload, '\r', len)) {
		d->src = payload;
		d->len = len;
		return 0;
	}
	cJSON *o = cJSON_ParseWithLength(payload, len);
	d->owned = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!d->owned) {
		snprintf(reason, rsize, "cannot re-serialise the document on one line");
		return -1;
	}
	d->src = d->owned;
	d->len = strlen(d->owned);
	return 0;
}

static int from_bar(const char *prefix, const char *p, size_t len, struct es_doc *d,
                    char *reason, size_t rsize)
{
	struct bar b;
	if (bar_decode(p, len, &b, reason, rsize))
		return -1;
	msg_copy(d->id, sizeof d->id, b.id);
	d->version = bar_revision(&b);
	return es_index_name(prefix, ES_BARS, b.day, d->index, sizeof d->index);
}

static int from_tick(const char *prefix, const char *p, size_t len, struct es_doc *d,
                     char *reason, size_t rsize)
{
	struct tick t;
	if (tick_decode(p, len, &t, reason, rsize))
		return -1;
	msg_copy(d->id, sizeof d->id, t.id);
	return es_index_name(prefix, ES_TICKS, t.day, d->index, sizeof d->index);
}

static int from_anomaly(const char *prefix, const char *p, size_t len, struct es_doc *d,
                        char *reason, size_t rsize)
{
	struct anomaly a;
	if (anomaly_decode(p, len, &a, reason, rsize))
		return -1;
	anomaly_free_original(&a);
	char day[11];
	es_kst_day(a.ts, day);
	msg_copy(d->id, sizeof d->id, a.id);
	return es_index_name(prefix, ES_ANOMALIES, day, d->index, sizeof d->index);
}

int es_doc_from_payload(enum es_kind k, const char *prefix, const char *payload, size_t len,
                        struct es_doc *d, char *reason, size_t rsize)
{
	memset(d, 0, sizeof *d);
	reason[0] = '\0';
	if (!payload || !len) {
		snprintf(reason, rsize, "empty message");
		return -1;
	}
	int rc = k == ES_BARS        ? from_bar(prefix, payload, len, d, reason, rsize)
	         : k == ES_TICKS     ? from_tick(prefix, payload, len, d, reason, rsize)
	         : k == ES_ANOMALIES ? from_anomaly(prefix, payload, len, d, reason, rsize)
	                             : -1;
	if (rc && !reason[0])
		snprintf(reason, rsize, "cannot name an index for this record (bad day or prefix)");
	if (!rc && !d->id[0]) {
		snprintf(reason, rsize, "empty id");
		rc = -1;
	}
	if (!rc)
		rc = single_line(payload, len, d, reason, rsize);
	if (rc)
		es_doc_free(d);
	return rc;
}

void es_doc_free(struct es_doc *d)
{
	free(d->owned);
	d->owned = NULL;
	d->src = NULL;
	d->len = 0;
}
