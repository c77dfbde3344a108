/* esprobe — the newest Elasticsearch document: one sorted search of size 1
 * on the time field. The sort value is epoch ms for both date and long
 * mappings, so it does not matter which one es-sink chose. */
#include "probe.h"

#include "http.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

struct http_client *wd_es_client(const struct wd_cfg *cfg, const char *user,
                                 const char *password, const char *api_key,
                                 const char *ca_file, char *err, size_t errsize)
{
	struct http_opts o = {.base_url = cfg->es_url, .user = user, .password = password,
	                      .api_key = api_key, .ca_file = ca_file,
	                      .connect_timeout_ms = cfg->timeout_ms < 2000 ? cfg->timeout_ms : 2000,
	                      .timeout_ms = cfg->timeout_ms};
	return http_client_new(&o, err, errsize);
}

static void last_value(struct wd_result *r, const cJSON *hit)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(hit, "_source");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(hit, "_id");
	const cJSON *idx = cJSON_GetObjectItemCaseSensitive(hit, "_index");
	char *s = src ? cJSON_PrintUnformatted(src) : NULL;
	snprintf(r->last_value, sizeof r->last_value, "%s/%s %s",
	         cJSON_IsString(idx) ? idx->valuestring : "?", cJSON_IsString(id) ? id->valuestring : "?",
	         s ? s : "");
	cJSON_free(s);
}

static int parse(struct wd_result *r, const char *body)
{
	cJSON *doc = cJSON_Parse(body);
	const cJSON *hits = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(doc, "hits"), "hits");
	if (!cJSON_IsArray(hits)) {
		snprintf(r->error, sizeof r->error, "unexpected search response");
		cJSON_Delete(doc);
		return -1;
	}
	r->newest_ms = -1; /* no documents at all: checked, and stale */
	const cJSON *hit = cJSON_GetArrayItem(hits, 0);
	const cJSON *sort = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(hit, "sort"), 0);
	/* Epoch ms between 1970 and 9999; anything else is not a time (and a
	 * huge double would not even convert to int64). */
	if (cJSON_IsNumber(sort) && sort->valuedouble >= 1 && sort->valuedouble < 253402300800000.0) {
		r->newest_ms = (int64_t)sort->valuedouble;
		last_value(r, hit);
	}
	int total = cJSON_GetArraySize(hits);
	snprintf(r->detail, sizeof r->detail, "{\"hits\":%d}", total);
	cJSON_Delete(doc);
	return 0;
}

int wd_probe_es(struct http_client *hc, const struct wd_cfg *cfg, struct wd_result *r)
{
	snprintf(r->target, sizeof r->target, "es:%s", cfg->es_index);
	r->kind = WD_ES;
	char path[512], body[512];
	snprintf(path, sizeof path, "/%s/_search?ignore_unavailable=true&allow_no_indices=true",
	         cfg->es_index);
	/* unmapped_type: an index without the field yet sorts last instead of failing. */
	snprintf(body, sizeof body,
	         "{\"size\":1,\"track_total_hits\":false,\"sort\":[{\"%s\":{\"order\":\"desc\","
	         "\"unmapped_type\":\"date\"}}],\"query\":{\"exists\":{\"field\":\"%s\"}}}",
	         cfg->es_field, cfg->es_field);
	struct http_resp resp;
	long st = http_request(hc, "POST", path, NULL, body, strlen(body), &resp);
	if (st == 0) {
		snprintf(r->error, sizeof r->error, "cannot reach Elasticsearch: %.200s", resp.error);
		return -1;
	}
	if (st != 200) {
		snprintf(r->error, sizeof r->error, "Elasticsearch search answered %ld: %.160s", st,
		         resp.body ? resp.body : "");
		return -1;
	}
	int rc = parse(r, resp.body);
	r->checked = rc == 0;
	return rc;
}
