/* rulesfile — rules from a JSON document (the fallback without PostgreSQL). */
#include "source.h"

#include "log.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* recipients as an array of strings or one comma-separated string. */
static char *recipients_csv(const cJSON *v)
{
	if (cJSON_IsString(v))
		return strdup(v->valuestring);
	if (!cJSON_IsArray(v))
		return NULL;
	size_t cap = 1;
	const cJSON *x;
	cJSON_ArrayForEach(x, v) if (cJSON_IsString(x)) cap += strlen(x->valuestring) + 1;
	char *out = calloc(1, cap);
	if (!out)
		return NULL;
	cJSON_ArrayForEach(x, v) if (cJSON_IsString(x))
	{
		if (*out)
			strcat(out, ",");
		strcat(out, x->valuestring);
	}
	return out;
}

static const char *sget(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Parses one rule object; 1 added, 0 skipped (disabled or invalid). */
static int one_rule(const cJSON *o, struct ar_rule *r, int *invalid)
{
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(o, "enabled");
	if (cJSON_IsFalse(en))
		return 0;
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(o, "params");
	char *ptext = params ? cJSON_PrintUnformatted(params) : NULL;
	char *rc = recipients_csv(cJSON_GetObjectItemCaseSensitive(o, "recipients"));
	char idbuf[32];
	const char *id = sget(o, "id");
	const cJSON *idn = cJSON_GetObjectItemCaseSensitive(o, "id");
	if (!id && cJSON_IsNumber(idn)) {
		snprintf(idbuf, sizeof idbuf, "%.0f", idn->valuedouble);
		id = idbuf;
	}
	const char *sym = sget(o, "symbol");
	char err[200];
	int ok = ar_rule_parse(r, id, sym ? sym : "*", sget(o, "kind"), ptext, rc, sget(o, "owner"),
	                       err, sizeof err) == 0;
	if (!ok) {
		char q[256];
		log_warn("rule_invalid", "id=%s reason=%s", id ? id : "-", log_quote(err, q, sizeof q));
		(*invalid)++;
	}
	free(ptext);
	free(rc);
	return ok;
}

struct ar_ruleset *ar_rules_from_json(const char *json, size_t len, int *invalid, char *err,
                                      size_t errsize)
{
	*invalid = 0;
	cJSON *doc = cJSON_ParseWithLength(json, len);
	const cJSON *arr = cJSON_IsArray(doc) ? doc : cJSON_GetObjectItemCaseSensitive(doc, "rules");
	if (!cJSON_IsArray(arr)) {
		snprintf(err, errsize, "rules must be a JSON array or {\"rules\":[...]}");
		cJSON_Delete(doc);
		return NULL;
	}
	int n = cJSON_GetArraySize(arr), k = 0;
	struct ar_rule *rules = calloc((size_t)n + 1, sizeof *rules);
	if (!rules) {
		cJSON_Delete(doc);
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	const cJSON *o;
	cJSON_ArrayForEach(o, arr) k += one_rule(o, &rules[k], invalid);
	cJSON_Delete(doc);
	struct ar_ruleset *rs = ar_ruleset_build(rules, (size_t)k);
	if (!rs) {
		for (int i = 0; i < k; i++)
			ar_rule_free(&rules[i]);
		free(rules);
		snprintf(err, errsize, "out of memory");
	}
	return rs;
}
