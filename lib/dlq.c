/* dlq — dead-letter records. See dlq.h. */
#include "dlq.h"
#include "b64.h"
#include "clock.h"
#include "jsonw.h"
#include "kafka.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

int dlq_is_utf8(const void *data, size_t n)
{
	const unsigned char *s = data;
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t len;
		unsigned min;
		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) len = 2, min = 0x80, c &= 0x1F;
		else if ((c & 0xF0) == 0xE0) len = 3, min = 0x800, c &= 0x0F;
		else if ((c & 0xF8) == 0xF0) len = 4, min = 0x10000, c &= 0x07;
		else return 0;
		if (i + len > n)
			return 0;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			c = c << 6 | (s[i + k] & 0x3F);
		}
		if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return 0;
		i += len;
	}
	return 1;
}

char *dlq_encode(const struct dlq_entry *e, size_t *len)
{
	int utf8 = dlq_is_utf8(e->original, e->original_len);
	/* Worst case: every byte escaped as \u00XX, or base64, plus the envelope. */
	size_t cap = (utf8 ? e->original_len * 6 : b64_encoded_len(e->original_len)) +
	             strlen(e->reason) * 6 + 512;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	struct jw w;
	jw_init(&w, buf, cap);
	jw_open(&w, NULL);
	jw_int(&w, "v", DLQ_VERSION);
	jw_str(&w, "stage", e->stage);
	jw_str(&w, "reason", e->reason);
	if (e->topic)
		jw_str(&w, "topic", e->topic);
	jw_int(&w, "partition", e->partition);
	jw_int(&w, "offset", e->offset);
	jw_int(&w, "ts", clock_now_ms());
	if (utf8) {
		jw_strn(&w, "original", e->original, e->original_len);
	} else {
		char *b = malloc(b64_encoded_len(e->original_len) + 1);
		if (b) {
			b64_encode(e->original, e->original_len, b);
			jw_str(&w, "original_b64", b);
			free(b);
		}
	}
	jw_close(&w);
	size_t n = jw_finish(&w);
	if (!n) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}

int dlq_send(rd_kafka_t *producer, const char *topic, const struct dlq_entry *e,
             const void *key, size_t keylen)
{
	size_t n;
	char *json = dlq_encode(e, &n);
	if (!json)
		return RD_KAFKA_RESP_ERR__FAIL;
	char q[512];
	log_warn("dead_lettered", "stage=%s reason=%s topic=%s partition=%d offset=%lld", e->stage,
	         log_quote(e->reason, q, sizeof q), e->topic ? e->topic : "-", e->partition,
	         (long long)e->offset);
	int rc = kafka_produce(producer, topic ? topic : DLQ_TOPIC_DEFAULT, RD_KAFKA_PARTITION_UA,
	                       key, keylen, json, n, 0, NULL, -1);
	free(json);
	return rc;
}

int dlq_send_message(rd_kafka_t *producer, const char *topic, const char *stage,
                     const char *reason, const rd_kafka_message_t *m)
{
	struct dlq_entry e = {stage, reason, rd_kafka_topic_name(m->rkt), m->partition, m->offset,
	                      m->payload ? m->payload : "", m->payload ? m->len : 0};
	return dlq_send(producer, topic, &e, m->key, m->key_len);
}
