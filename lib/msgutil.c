#include "msgutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int msg_get_str(const cJSON *o, const char *key, char *out, size_t size, int required,
                char *reason, size_t rsize)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!m || cJSON_IsNull(m)) {
		if (!required)
			return 0;
		snprintf(reason, rsize, "missing field %s", key);
		return -1;
	}
	if (!cJSON_IsString(m)) {
		snprintf(reason, rsize, "field %s must be a string", key);
		return -1;
	}
	if (strlen(m->valuestring) >= size) {
		snprintf(reason, rsize, "field %s longer than %zu bytes", key, size - 1);
		return -1;
	}
	strcpy(out, m->valuestring);
	return 0;
}

int msg_get_num(const cJSON *o, const char *key, double *out, int required, char *reason,
                size_t rsize)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!m || cJSON_IsNull(m)) {
		if (!required)
			return 0;
		snprintf(reason, rsize, "missing field %s", key);
		return -1;
	}
	if (!cJSON_IsNumber(m) || !isfinite(m->valuedouble)) {
		snprintf(reason, rsize, "field %s must be a finite number", key);
		return -1;
	}
	*out = m->valuedouble;
	return 0;
}

int msg_get_int(const cJSON *o, const char *key, int64_t *out, int required, char *reason,
                size_t rsize)
{
	double d = 0;
	int present = cJSON_GetObjectItemCaseSensitive(o, key) != NULL;
	if (msg_get_num(o, key, &d, required, reason, rsize))
		return -1;
	if (!present)
		return 0;
	if (d != floor(d) || fabs(d) > 9007199254740992.0) {
		snprintf(reason, rsize, "field %s must be an integer", key);
		return -1;
	}
	*out = (int64_t)d;
	return 0;
}

cJSON *msg_parse(const char *json, size_t len, int version, char *reason, size_t rsize)
{
	cJSON *o = cJSON_ParseWithLength(json, len);
	if (!o) {
		snprintf(reason, rsize, "not valid JSON");
		return NULL;
	}
	if (!cJSON_IsObject(o)) {
		snprintf(reason, rsize, "not a JSON object");
		cJSON_Delete(o);
		return NULL;
	}
	int64_t v = 0;
	if (msg_get_int(o, "v", &v, 1, reason, rsize)) {
		cJSON_Delete(o);
		return NULL;
	}
	if (v != version) {
		snprintf(reason, rsize, "unsupported schema version %lld (want %d)", (long long)v, version);
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int msg_is_day(const char *s)
{
	int y, m, d;
	char tail;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return 0;
	return y >= 1970 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

size_t msg_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}
