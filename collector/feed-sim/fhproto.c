/* fhproto — the Finnhub trades websocket as the simulator serves it:
 * {"type":"subscribe","symbol":...}, trade arrays, pings, error messages. */
#include "internal.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static void error_msg(struct sim_conn *c, const char *msg)
{
	char buf[256];
	int n = snprintf(buf, sizeof buf, "{\"type\":\"error\",\"msg\":\"%s\"}", msg);
	sim_conn_ctl(c, buf, (size_t)n);
}

void sim_fh_receive(struct sim_server *s, struct sim_conn *c, const char *msg, size_t len)
{
	cJSON *o = cJSON_ParseWithLength(msg, len);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
	const cJSON *sym = cJSON_GetObjectItemCaseSensitive(o, "symbol");
	if (!cJSON_IsString(type) || !cJSON_IsString(sym)) {
		error_msg(c, "Invalid message");
	} else {
		int sub = !strcmp(type->valuestring, "subscribe");
		int found = 0;
		for (int i = s->m->nkrx; i < s->m->nsym; i++)
			if (!strcmp(s->m->sym[i].code, sym->valuestring)) {
				found = 1;
				if (c->sub[i] != sub)
					c->nsubs += sub ? 1 : -1;
				c->sub[i] = (unsigned char)sub;
			}
		if (!found && sub)
			error_msg(c, "Symbol not supported");
		if (sub && !s->us_started_ms)
			s->us_started_ms = -1;
	}
	cJSON_Delete(o);
}

int sim_fh_send_data(struct sim_server *s, struct sim_conn *c)
{
	int first = s->m->nkrx, n = s->m->nsym - first, i = -1;
	for (int k = 0; k < n; k++) {
		int j = first + (c->rr + k) % n;
		if (c->sub[j] && s->q[j].n) {
			i = j;
			c->rr = (j - first + 1) % n;
			break;
		}
	}
	if (i < 0)
		return 0;
	int k = s->q[i].n < 10 ? (int)s->q[i].n : 10; /* data may hold many trades */
	struct sim_item it[10];
	size_t cap = 64, len;
	for (int r = 0; r < k; r++) {
		sim_queue_pop(&s->q[i], &it[r]);
		cap += strlen(it[r].payload) + 1;
	}
	char *f = malloc(cap);
	len = (size_t)snprintf(f, cap, "{\"type\":\"trade\",\"data\":[");
	for (int r = 0; r < k; r++)
		len += (size_t)snprintf(f + len, cap - len, "%s%s", r ? "," : "", it[r].payload);
	len += (size_t)snprintf(f + len, cap - len, "]}");
	int rc = sim_conn_write(s, c, f, len, "data");
	for (int r = 0; r < k; r++) {
		if (rc == 0)
			sim_record(s, c->name, &it[r]);
		free(it[r].payload);
		free(it[r].record);
	}
	free(f);
	if (rc)
		return -1;
	s->us_sent += k;
	s->data_frames++;
	return 1;
}
