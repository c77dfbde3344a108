/* archive — MongoDB raw-frame archive with a bounded buffer. See archive.h. */
#include "archive.h"
#include "backoff.h"
#include "clock.h"
#include "dlq.h"
#include "log.h"

#include <mongoc/mongoc.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 1000

struct frame_rec {
	char *data;
	size_t len;
	int64_t recv_ms;
	char source[12];
	char session[40];
	char day[11];
};

struct col_archive {
	mongoc_client_t *client;
	mongoc_collection_t *coll;
	struct col_stats *stats;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct frame_rec *ring;
	long cap, head, count; /* ring[head .. head+count) */
	int stop;
	int64_t deadline_ms; /* set by stop: give up writing after this */
	int64_t last_drop_log_ms;
	int down; /* last write failed: logged once per outage */
};

void col_archive_id(const char *source, const char *frame, size_t len, char out[33])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, source, strlen(source) + 1);
	EVP_DigestUpdate(ctx, frame, len);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void col_archive_add(struct col_archive *a, const char *source, const char *session,
                     const char *day, const char *frame, size_t len, int64_t recv_ms)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	if (a->count >= a->cap) {
		pthread_mutex_unlock(&a->lock);
		metric_add(a->stats->arch_dropped, 1);
		int64_t now = clock_mono_ms();
		if (now - a->last_drop_log_ms >= 1000) {
			a->last_drop_log_ms = now;
			log_error("archive_dropped", "buffered=%ld total=%.0f", a->cap,
			          metric_value(a->stats->arch_dropped));
		}
		return;
	}
	struct frame_rec *r = &a->ring[(a->head + a->count) % a->cap];
	r->data = malloc(len ? len : 1);
	memcpy(r->data, frame, len);
	r->len = len;
	r->recv_ms = recv_ms;
	snprintf(r->source, sizeof r->source, "%s", source);
	snprintf(r->session, sizeof r->session, "%s", session);
	snprintf(r->day, sizeof r->day, "%s", day);
	a->count++;
	metric_set(a->stats->arch_buffered, (double)a->count);
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

static bson_t *frame_doc(const struct frame_rec *r)
{
	char id[33];
	col_archive_id(r->source, r->data, r->len, id);
	bson_t *d = bson_new();
	BSON_APPEND_UTF8(d, "_id", id);
	BSON_APPEND_UTF8(d, "day", r->day);
	BSON_APPEND_UTF8(d, "source", r->source);
	BSON_APPEND_UTF8(d, "session", r->session);
	BSON_APPEND_DATE_TIME(d, "recv_ts", r->recv_ms);
	if (dlq_is_utf8(r->data, r->len))
		bson_append_utf8(d, "frame", 5, r->data, (int)r->len);
	else
		BSON_APPEND_BINARY(d, "frame", BSON_SUBTYPE_BINARY, (const uint8_t *)r->data, (uint32_t)r->len);
	return d;
}

/* Counts duplicate-key errors in a failed bulk's reply; -1 when anything else
 * failed (no server, a network error, another write error): retry. */
static long duplicates(const bson_t *reply)
{
	bson_iter_t it, arr;
	long dups = 0;
	if (bson_iter_init_find(&it, reply, "writeConcernErrors") && bson_iter_recurse(&it, &arr) &&
	    bson_iter_next(&arr))
		return -1;
	if (!bson_iter_init_find(&it, reply, "writeErrors") || !bson_iter_recurse(&it, &arr))
		return -1;
	while (bson_iter_next(&arr)) {
		bson_iter_t e;
		if (!bson_iter_recurse(&arr, &e) || !bson_iter_find(&e, "code") ||
		    bson_iter_as_int64(&e) != 11000)
			return -1;
		dups++;
	}
	return dups > 0 ? dups : -1;
}

/* Writes n frames from the ring head. 0 when stored (or duplicates), -1 to retry. */
static int write_batch(struct col_archive *a, struct frame_rec **recs, long n)
{
	bson_t opts = BSON_INITIALIZER, reply;
	bson_error_t error;
	BSON_APPEND_BOOL(&opts, "ordered", false);
	mongoc_bulk_operation_t *bulk = mongoc_collection_create_bulk_operation_with_opts(a->coll, &opts);
	for (long i = 0; i < n; i++) {
		bson_t *d = frame_doc(recs[i]);
		mongoc_bulk_operation_insert_with_opts(bulk, d, NULL, NULL);
		bson_destroy(d);
	}
	int64_t t0 = clock_mono_ns();
	uint32_t ok = mongoc_bulk_operation_execute(bulk, &reply, &error);
	long dups = ok ? 0 : duplicates(&reply);
	mongoc_bulk_operation_destroy(bulk);
	bson_destroy(&opts);
	bson_destroy(&reply);
	if (!ok && dups < 0) {
		metric_add(a->stats->arch_errors, 1);
		if (!a->down)
			log_error("archive_write_failed", "domain=%u code=%u error=\"%s\" buffered=%ld",
			          error.domain, error.code, error.message, a->count);
		a->down = 1;
		return -1;
	}
	metric_observe(a->stats->mongo_lat, (double)(clock_mono_ns() - t0) / 1e9);
	if (a->down)
		log_info("archive_recovered", "buffered=%ld", a->count);
	a->down = 0;
	metric_add(a->stats->arch_stored, (double)(n - dups));
	metric_add(a->stats->arch_dup, (double)dups);
	return 0;
}

static void release(struct col_archive *a, long n)
{
	pthread_mutex_lock(&a->lock);
	for (long i = 0; i < n; i++) {
		free(a->ring[a->head].data);
		a->head = (a->head + 1) % a->cap;
	}
	a->count -= n;
	metric_set(a->stats->arch_buffered, (double)a->count);
	pthread_mutex_unlock(&a->lock);
}

static void *writer(void *arg)
{
	struct col_archive *a = arg;
	struct backoff bo;
	backoff_init(&bo, 200, 10000);
	struct frame_rec *recs[BATCH];
	static const int never = 0;
	for (;;) {
		pthread_mutex_lock(&a->lock);
		while (!a->count && !a->stop)
			pthread_cond_wait(&a->cond, &a->lock);
		if (a->stop && (!a->count || clock_mono_ms() >= a->deadline_ms)) {
			pthread_mutex_unlock(&a->lock);
			break;
		}
		long n = a->count < BATCH ? a->count : BATCH;
		for (long i = 0; i < n; i++) /* only this thread removes: the slots stay put */
			recs[i] = &a->ring[(a->head + i) % a->cap];
		pthread_mutex_unlock(&a->lock);
		if (write_batch(a, recs, n) == 0) {
			release(a, n);
			backoff_reset(&bo);
		} else {
			int64_t d = backoff_next(&bo), left = a->deadline_ms - clock_mono_ms();
			backoff_sleep(a->stop && left < d ? (left > 0 ? left : 0) : d, a->stop ? &never : &a->stop);
		}
	}
	return NULL;
}

static void ensure_index(struct col_archive *a)
{
	bson_t reply;
	bson_error_t error;
	bson_t *cmd = BCON_NEW("createIndexes", BCON_UTF8(mongoc_collection_get_name(a->coll)),
	                       "indexes", "[", "{", "key", "{", "day", BCON_INT32(1), "source",
	                       BCON_INT32(1), "}", "name", BCON_UTF8("day_source"), "}", "]");
	if (!mongoc_collection_write_command_with_opts(a->coll, cmd, NULL, &reply, &error))
		log_warn("archive_index_failed", "error=\"%s\"", error.message);
	bson_destroy(&reply);
	bson_destroy(cmd);
}

struct col_archive *col_archive_start(const char *uri, const char *db, const char *coll,
                                      long max_buffered, struct col_stats *stats, char *err,
                                      size_t errsize, int *failed)
{
	*failed = 0;
	if (!uri || !*uri)
		return NULL;
	bson_error_t error;
	mongoc_uri_t *u = mongoc_uri_new_with_error(uri, &error);
	if (!u) {
		snprintf(err, errsize, "--mongo-uri: %s", error.message);
		*failed = 1;
		return NULL;
	}
	/* Fail fast when MongoDB is away: the buffer absorbs the outage. */
	if (!mongoc_uri_has_option(u, MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
		mongoc_uri_set_option_as_int32(u, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 2000);
	if (!mongoc_uri_has_option(u, MONGOC_URI_SOCKETTIMEOUTMS))
		mongoc_uri_set_option_as_int32(u, MONGOC_URI_SOCKETTIMEOUTMS, 5000);
	struct col_archive *a = calloc(1, sizeof *a);
	a->client = mongoc_client_new_from_uri(u);
	mongoc_uri_destroy(u);
	mongoc_client_set_appname(a->client, "tickpipe-collector");
	a->coll = mongoc_client_get_collection(a->client, db, coll);
	a->stats = stats;
	a->cap = max_buffered > 0 ? max_buffered : 1;
	a->ring = calloc((size_t)a->cap, sizeof *a->ring);
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	ensure_index(a);
	pthread_create(&a->thread, NULL, writer, a);
	return a;
}

long col_archive_stop(struct col_archive *a, int timeout_ms)
{
	if (!a)
		return 0;
	pthread_mutex_lock(&a->lock);
	a->deadline_ms = clock_mono_ms() + timeout_ms;
	a->stop = 1;
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	long left = a->count;
	if (left)
		log_error("archive_incomplete", "frames_left=%ld", left);
	release(a, a->count);
	free(a->ring);
	mongoc_collection_destroy(a->coll);
	mongoc_client_destroy(a->client);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->cond);
	free(a);
	return left;
}
