/* anomaly — the `anomalies` contract. See anomaly.h. */
#include "anomaly.h"
#include "jsonw.h"
#include "msgutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t anomaly_encode(const struct anomaly *a, char *buf, size_t size)
{
	struct jw w;
	jw_init(&w, buf, size);
	jw_open(&w, NULL);
	jw_int(&w, "v", ANOMALY_VERSION);
	jw_str(&w, "id", a->id);
	jw_str(&w, "rule_id", a->rule_id);
	jw_str(&w, "kind", a->kind);
	jw_str(&w, "symbol", a->symbol);
	jw_int(&w, "ts", a->ts);
	jw_num(&w, "observed", a->observed);
	jw_num(&w, "threshold", a->threshold);
	jw_str(&w, "message", a->message);
	if (a->source_topic[0])
		jw_str(&w, "source_topic", a->source_topic);
	if (a->original && a->original_len)
		jw_raw(&w, "original", a->original, a->original_len);
	else
		jw_null(&w, "original");
	jw_close(&w);
	return jw_finish(&w);
}

int anomaly_decode(const char *json, size_t len, struct anomaly *a, char *reason, size_t rsize)
{
	memset(a, 0, sizeof *a);
	cJSON *o = msg_parse(json, len, ANOMALY_VERSION, reason, rsize);
	if (!o)
		return -1;
	int bad = msg_get_str(o, "id", a->id, sizeof a->id, 1, reason, rsize) ||
	          msg_get_str(o, "rule_id", a->rule_id, sizeof a->rule_id, 1, reason, rsize) ||
	          msg_get_str(o, "kind", a->kind, sizeof a->kind, 1, reason, rsize) ||
	          msg_get_str(o, "symbol", a->symbol, sizeof a->symbol, 1, reason, rsize) ||
	          msg_get_int(o, "ts", &a->ts, 1, reason, rsize) ||
	          msg_get_num(o, "observed", &a->observed, 1, reason, rsize) ||
	          msg_get_num(o, "threshold", &a->threshold, 1, reason, rsize) ||
	          msg_get_str(o, "message", a->message, sizeof a->message, 0, reason, rsize) ||
	          msg_get_str(o, "source_topic", a->source_topic, sizeof a->source_topic, 0, reason,
	                      rsize);
	const cJSON *orig = cJSON_GetObjectItemCaseSensitive(o, "original");
	if (!bad && !cJSON_IsObject(orig)) {
		snprintf(reason, rsize, "field original must be the embedded message object");
		bad = 1;
	}
	if (!bad) {
		char *text = cJSON_PrintUnformatted(orig);
		a->original = text;
		a->original_len = text ? strlen(text) : 0;
	}
	cJSON_Delete(o);
	return bad ? -1 : 0;
}

void anomaly_free_original(struct anomaly *a)
{
	cJSON_free((void *)a->original);
	a->original = NULL;
	a->original_len = 0;
}
