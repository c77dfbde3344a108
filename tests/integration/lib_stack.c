/* it_lib_stack — drives lib/ and the C client libraries against the real local
 * stack, one operation per invocation, so tests/integration/test_lib_stack.py
 * can check every result with an independent client:
 *
 *   it_lib_stack kafka-produce BROKERS TOPIC N      N ticks via the idempotent producer
 *   it_lib_stack kafka-consume BROKERS TOPIC GROUP N   consume N, store offsets, commit
 *   it_lib_stack es URL INDEX N                     index N docs with _bulk, then search
 *   it_lib_stack mongo URI DB COLL N                insert N docs with libmongoc, count
 *   it_lib_stack pg DSN TABLE N                     insert N rows with libpq, sum them
 * Prints one result line ("delivered=N", "consumed=N", "count=N", ...); exit 0/1. */
#include "clock.h"
#include "conf.h"
#include "http.h"
#include "kafka.h"
#include "log.h"
#include "tick.h"

#include <libpq-fe.h>
#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct conf dummy = {.prog = "it_lib_stack"};

static int kafka_produce_ticks(const char *brokers, const char *topic, int n)
{
	char err[512], buf[TICK_JSON_MAX];
	rd_kafka_t *p = kafka_producer_new(&dummy, brokers, NULL, err, sizeof err);
	if (!p)
		return fprintf(stderr, "%s\n", err), 1;
	for (int i = 0; i < n; i++) {
		struct tick t;
		tick_clear(&t);
		snprintf(t.symbol, sizeof t.symbol, "%06d", i % 50);
		snprintf(t.id, sizeof t.id, "it|%s|%d", t.symbol, i);
		strcpy(t.source, "sim");
		strcpy(t.exchange, "KRX");
		strcpy(t.day, "2026-11-23");
		t.ts = 1763856000000 + i;
		t.price = 70000 + i % 100;
		t.qty = 1 + i % 7;
		size_t len = tick_encode(&t, buf, sizeof buf);
		if (kafka_produce(p, topic, RD_KAFKA_PARTITION_UA, t.symbol, strlen(t.symbol), buf, len, t.ts, NULL, -1))
			return fprintf(stderr, "produce failed\n"), 1;
		rd_kafka_poll(p, 0);
	}
	int left = kafka_drain(p, 30000);
	printf("delivered=%ld failed=%ld left=%d\n", kafka_delivered(p), kafka_failed(p), left);
	int ok = kafka_delivered(p) == n && !left;
	kafka_producer_destroy(p);
	return !ok;
}

static int kafka_consume_ticks(const char *brokers, const char *topic, const char *group, int n)
{
	char err[512], reason[256];
	rd_kafka_t *c = kafka_consumer_new(&dummy, brokers, group, NULL, err, sizeof err);
	if (!c || kafka_subscribe(c, topic, err, sizeof err))
		return fprintf(stderr, "%s\n", err), 1;
	int got = 0, valid = 0;
	for (int64_t end = clock_mono_ms() + 30000; got < n && clock_mono_ms() < end;) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
		if (!m)
			continue;
		if (!m->err) {
			struct tick t;
			got++;
			valid += tick_decode(m->payload, m->len, &t, reason, sizeof reason) == 0;
			kafka_store_offset(c, m);
		}
		rd_kafka_message_destroy(m);
	}
	kafka_consumer_close(c);
	printf("consumed=%d valid=%d\n", got, valid);
	return got != n || valid != n;
}

static int es_index_and_search(const char *url, const char *index, int n)
{
	char err[256], path[256];
	struct http_opts o = {.base_url = url, .timeout_ms = 30000};
	struct http_client *h = http_client_new(&o, err, sizeof err);
	if (!h)
		return fprintf(stderr, "%s\n", err), 1;
	size_t cap = (size_t)n * 160 + 1, len = 0;
	char *body = malloc(cap);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(body + len, cap - len,
		                        "{\"index\":{\"_index\":\"%s\",\"_id\":\"doc-%d\"}}\n{\"symbol\":\"S%d\",\"n\":%d}\n",
		                        index, i, i % 10, i);
	struct http_resp r;
	long st = http_request(h, "POST", "/_bulk?refresh=true", "application/x-ndjson", body, len, &r);
	int bulk_ok = st == 200 && strstr(r.body, "\"errors\":false") != NULL;
	free(body);
	snprintf(path, sizeof path, "/%s/_count", index);
	st = http_request(h, "GET", path, NULL, NULL, 0, &r);
	printf("bulk_ok=%d count_status=%ld body=%s\n", bulk_ok, st, r.body);
	int ok = bulk_ok && st == 200;
	http_client_free(h);
	return !ok;
}

static int mongo_insert_and_count(const char *uri, const char *db, const char *coll, int n)
{
	mongoc_init();
	bson_error_t e;
	mongoc_client_t *cl = mongoc_client_new(uri);
	mongoc_collection_t *c = cl ? mongoc_client_get_collection(cl, db, coll) : NULL;
	int ok = c != NULL;
	for (int i = 0; ok && i < n; i++) {
		bson_t *doc = BCON_NEW("_id", BCON_INT32(i), "frame", BCON_UTF8("0|H0STCNT0|001|005930^..."));
		ok = mongoc_collection_insert_one(c, doc, NULL, NULL, &e);
		if (!ok)
			fprintf(stderr, "insert: %s\n", e.message);
		bson_destroy(doc);
	}
	bson_t *q = bson_new();
	int64_t count = ok ? mongoc_collection_count_documents(c, q, NULL, NULL, NULL, &e) : -1;
	bson_destroy(q);
	printf("count=%lld\n", (long long)count);
	if (c)
		mongoc_collection_destroy(c);
	if (cl)
		mongoc_client_destroy(cl);
	mongoc_cleanup();
	return !(ok && count == n);
}

static int pg_insert_and_sum(const char *dsn, const char *table, int n)
{
	PGconn *pg = PQconnectdb(dsn);
	if (PQstatus(pg) != CONNECTION_OK)
		return fprintf(stderr, "%s", PQerrorMessage(pg)), PQfinish(pg), 1;
	char sql[256];
	snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS %s (n int primary key, who text)", table);
	PQclear(PQexec(pg, sql));
	int ok = 1;
	snprintf(sql, sizeof sql, "INSERT INTO %s VALUES ($1::int, 'c')", table);
	for (int i = 0; ok && i < n; i++) {
		char num[16];
		snprintf(num, sizeof num, "%d", i);
		const char *params[] = {num};
		PGresult *r = PQexecParams(pg, sql, 1, NULL, params, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	snprintf(sql, sizeof sql, "SELECT count(*), coalesce(sum(n),0) FROM %s", table);
	PGresult *r = PQexec(pg, sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		printf("rows=%s sum=%s\n", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
	PQclear(r);
	PQfinish(pg);
	return !ok;
}

int main(int argc, char **argv)
{
	log_init("it_lib_stack", "warn");
	if (argc >= 5 && strcmp(argv[1], "kafka-produce") == 0)
		return kafka_produce_ticks(argv[2], argv[3], atoi(argv[4]));
	if (argc >= 6 && strcmp(argv[1], "kafka-consume") == 0)
		return kafka_consume_ticks(argv[2], argv[3], argv[4], atoi(argv[5]));
	if (argc >= 5 && strcmp(argv[1], "es") == 0)
		return es_index_and_search(argv[2], argv[3], atoi(argv[4]));
	if (argc >= 6 && strcmp(argv[1], "mongo") == 0)
		return mongo_insert_and_count(argv[2], argv[3], argv[4], atoi(argv[5]));
	if (argc >= 5 && strcmp(argv[1], "pg") == 0)
		return pg_insert_and_sum(argv[2], argv[3], atoi(argv[4]));
	fprintf(stderr, "usage: see the comment at the top of tests/integration/lib_stack.c\n");
	return 2;
}
