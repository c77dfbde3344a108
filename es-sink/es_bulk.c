/* es_bulk — bulk bodies and bulk responses. See es_bulk.h. */
#include "es_bulk.h"
#include "jsonw.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void es_buf_reset(struct es_buf *b) { b->len = 0; }

void es_buf_free(struct es_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

static int reserve(struct es_buf *b, size_t add)
{
	if (b->len + add + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 1 << 16;
	while (cap < b->len + add + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

int es_bulk_append(struct es_buf *b, const struct es_doc *d)
{
	char action[512];
	struct jw w;
	jw_init(&w, action, sizeof action);
	jw_open(&w, NULL);
	jw_open(&w, "index");
	jw_kstr(&w, JW_KEY("_index"), d->index);
	jw_kstr(&w, JW_KEY("_id"), d->id);
	if (d->version > 0) {
		jw_kint(&w, JW_KEY("version"), d->version);
		jw_kstr(&w, JW_KEY("version_type"), "external_gte");
	}
	jw_close(&w);
	jw_close(&w);
	size_t an = jw_finish(&w);
	if (!an || reserve(b, an + d->len + 2))
		return -1;
	memcpy(b->p + b->len, action, an);
	b->len += an;
	b->p[b->len++] = '\n';
	memcpy(b->p + b->len, d->src, d->len);
	b->len += d->len;
	b->p[b->len++] = '\n';
	b->p[b->len] = '\0';
	return 0;
}

enum es_item_class es_item_classify(int status, const char *error_type)
{
	if (status >= 200 && status < 300)
		return ES_ITEM_OK;
	if (status == 409 && error_type && strcmp(error_type, "version_conflict_engine_exception") == 0)
		return ES_ITEM_SUPERSEDED;
	if (status == 429 || status >= 500 || status <= 0)
		return ES_ITEM_RETRY;
	/* A block (disk flood stage makes indices read-only; 403 before 8.0) is
	 * the cluster's state, not the document's fault: wait it out. */
	if (error_type && strcmp(error_type, "cluster_block_exception") == 0)
		return ES_ITEM_RETRY;
	return ES_ITEM_FAIL;
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(m) ? m->valuestring : NULL;
}

/* "type: reason (caused by: type: reason)", the way Kibana's dev tools show it. */
static void describe(const cJSON *error, char *out, size_t size)
{
	const char *type = str_of(error, "type"), *reason = str_of(error, "reason");
	const cJSON *cause = cJSON_GetObjectItemCaseSensitive(error, "caused_by");
	const char *ctype = str_of(cause, "type"), *creason = str_of(cause, "reason");
	if (cJSON_IsString(error)) {
		snprintf(out, size, "%s", error->valuestring);
		return;
	}
	int n = snprintf(out, size, "%s: %s", type ? type : "error", reason ? reason : "(no reason)");
	if ((ctype || creason) && n > 0 && (size_t)n < size)
		snprintf(out + n, size - (size_t)n, " (caused by %s: %s)", ctype ? ctype : "error",
		         creason ? creason : "");
}

static void read_item(const cJSON *item, struct es_item_result *r)
{
	/* {"index":{"status":201,...}} — the single member is the action. */
	const cJSON *act = item ? item->child : NULL;
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(act, "status");
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(act, "error");
	r->status = cJSON_IsNumber(st) ? st->valueint : 0;
	r->reason[0] = '\0';
	if (error)
		describe(error, r->reason, sizeof r->reason);
	else if (!cJSON_IsNumber(st))
		snprintf(r->reason, sizeof r->reason, "no status for this item in the bulk response");
	r->cls = es_item_classify(r->status, str_of(error, "type"));
}

/* "errors":false before "items": every item succeeded (ES writes errors first). */
static int fast_ok(const char *body, size_t len)
{
	const char *e = memmem(body, len < 256 ? len : 256, "\"errors\":false", 14);
	const char *i = memmem(body, len < 256 ? len : 256, "\"items\"", 7);
	return e && (!i || e < i);
}

int es_bulk_parse(const char *body, size_t len, int n, struct es_item_result *res, char *err,
                  size_t errsize)
{
	if (body && fast_ok(body, len)) {
		for (int k = 0; k < n; k++)
			res[k] = (struct es_item_result){.status = 200, .cls = ES_ITEM_OK};
		return 0;
	}
	cJSON *o = body ? cJSON_ParseWithLength(body, len) : NULL;
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(o, "items");
	if (!cJSON_IsObject(o) || !cJSON_IsArray(items)) {
		snprintf(err, errsize, "not a bulk response");
		cJSON_Delete(o);
		return -1;
	}
	int bad = 0, k = 0;
	const cJSON *it = items->child;
	for (; k < n; k++, it = it ? it->next : NULL) {
		read_item(it, &res[k]);
		bad += res[k].cls == ES_ITEM_RETRY || res[k].cls == ES_ITEM_FAIL;
	}
	cJSON_Delete(o);
	return bad;
}
