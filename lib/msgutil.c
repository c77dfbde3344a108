#include "msgutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int msg_str(const cJSON *m, const char *key, char *out, size_t size, int required, char *reason,
            size_t rsize)
{
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
	size_t n = strlen(m->valuestring);
	if (n >= size) {
		snprintf(reason, rsize, "field %s longer than %zu bytes", key, size - 1);
		return -1;
	}
	memcpy(out, m->valuestring, n + 1);
	return 0;
}

int msg_num(const cJSON *m, const char *key, double *out, int required, char *reason,
            size_t rsize)
{
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

int msg_int(const cJSON *m, const char *key, int64_t *out, int required, char *reason,
            size_t rsize)
{
	double d = 0;
	if (msg_num(m, key, &d, required, reason, rsize))
		return -1;
	if (!m)
		return 0;
	if (d != floor(d) || fabs(d) > 9007199254740992.0) {
		snprintf(reason, rsize, "field %s must be an integer", key);
		return -1;
	}
	*out = (int64_t)d;
	return 0;
}

int msg_get_str(const cJSON *o, const char *key, char *out, size_t size, int required,
                char *reason, size_t rsize)
{
	return msg_str(cJSON_GetObjectItemCaseSensitive(o, key), key, out, size, required, reason,
	               rsize);
}

int msg_get_num(const cJSON *o, const char *key, double *out, int required, char *reason,
                size_t rsize)
{
	return msg_num(cJSON_GetObjectItemCaseSensitive(o, key), key, out, required, reason, rsize);
}

int msg_get_int(const cJSON *o, const char *key, int64_t *out, int required, char *reason,
                size_t rsize)
{
	return msg_int(cJSON_GetObjectItemCaseSensitive(o, key), key, out, required, reason, rsize);
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

static int digits(const char *s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*out = *out * 10 + (s[i] - '0');
	}
	return 1;
}

/* By hand, not sscanf: "%2d" would take " 1" or "+1" for a month, and the
 * bar and tick decoders call this for every record. */
int msg_is_day(const char *s)
{
	int y, m, d;
	if (strnlen(s, 11) != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
	    !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
		return 0;
	return y >= 1970 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

size_t msg_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}
