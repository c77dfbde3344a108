/* kis_ctl — KIS JSON control messages: subscribe acks, PINGPONG, the
 * subscribe request and the approval-key call. Cold path: cJSON is fine. */
#include "kis.h"
#include "jsonw.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_str(const cJSON *o, const char *key, char *out, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	out[0] = 0;
	if (cJSON_IsString(v) && v->valuestring)
		snprintf(out, size, "%s", v->valuestring);
}

int col_kis_parse_ctl(const char *json, size_t len, struct col_kis_ack *ack, char *reason,
                      size_t rsize)
{
	memset(ack, 0, sizeof *ack);
	cJSON *o = cJSON_ParseWithLength(json, len);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		snprintf(reason, rsize, "kis control message is not a JSON object");
		return -1;
	}
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "header");
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "body");
	copy_str(h, "tr_id", ack->tr_id, sizeof ack->tr_id);
	copy_str(h, "tr_key", ack->tr_key, sizeof ack->tr_key);
	int kind = KIS_CTL_UNKNOWN;
	if (strcmp(ack->tr_id, "PINGPONG") == 0) {
		kind = KIS_CTL_PINGPONG;
	} else if (cJSON_IsObject(b)) {
		copy_str(b, "rt_cd", ack->rt_cd, sizeof ack->rt_cd);
		copy_str(b, "msg_cd", ack->msg_cd, sizeof ack->msg_cd);
		copy_str(b, "msg1", ack->msg1, sizeof ack->msg1);
		const cJSON *out = cJSON_GetObjectItemCaseSensitive(b, "output");
		copy_str(out, "key", ack->key, sizeof ack->key);
		copy_str(out, "iv", ack->iv, sizeof ack->iv);
		if (ack->rt_cd[0] || ack->msg_cd[0])
			kind = KIS_CTL_ACK;
	}
	if (kind == KIS_CTL_UNKNOWN)
		snprintf(reason, rsize, "kis control message without PINGPONG or rt_cd/msg_cd");
	cJSON_Delete(o);
	return kind;
}

size_t col_kis_subscribe_msg(char *buf, size_t size, const char *approval_key,
                             const char *custtype, const char *tr_id, const char *tr_key,
                             int subscribe)
{
	struct jw w;
	jw_init(&w, buf, size);
	jw_open(&w, NULL);
	jw_open(&w, "header");
	jw_str(&w, "approval_key", approval_key);
	jw_str(&w, "custtype", custtype);
	jw_str(&w, "tr_type", subscribe ? "1" : "2");
	jw_str(&w, "content-type", "utf-8");
	jw_close(&w);
	jw_open(&w, "body");
	jw_open(&w, "input");
	jw_str(&w, "tr_id", tr_id);
	jw_str(&w, "tr_key", tr_key);
	jw_close(&w);
	jw_close(&w);
	jw_close(&w);
	return jw_finish(&w);
}

char *col_kis_approval_body(const char *appkey, const char *secret)
{
	size_t n = strlen(appkey) * 6 + strlen(secret) * 6 + 128;
	char *buf = malloc(n);
	struct jw w;
	jw_init(&w, buf, n);
	jw_open(&w, NULL);
	jw_str(&w, "grant_type", "client_credentials");
	jw_str(&w, "appkey", appkey);
	jw_str(&w, "secretkey", secret); /* not "appsecret": that is /oauth2/tokenP's name */
	jw_close(&w);
	jw_finish(&w);
	return buf;
}

int col_kis_approval_key(const char *json, size_t len, char *key, size_t size, char *reason,
                         size_t rsize)
{
	cJSON *o = cJSON_ParseWithLength(json, len);
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "approval_key");
	int ok = cJSON_IsString(k) && k->valuestring[0] && strlen(k->valuestring) < size;
	if (ok)
		snprintf(key, size, "%s", k->valuestring);
	else
		snprintf(reason, rsize, "approval response has no approval_key");
	cJSON_Delete(o);
	return ok ? 0 : -1;
}
