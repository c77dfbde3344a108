/* mongoprobe — the newest frame of the raw archive: find sorted on the time
 * field descending, limit 1. Short server-selection and socket timeouts so
 * a dead MongoDB is a quick "cannot check", not a stalled watchdog. */
#include "probe.h"

#include <mongoc/mongoc.h>
#include <stdio.h>
#include <string.h>

mongoc_client_t *wd_mongo_client(const struct wd_cfg *cfg, char *err, size_t errsize)
{
	bson_error_t be;
	mongoc_uri_t *uri = mongoc_uri_new_with_error(cfg->mongo_uri, &be);
	if (!uri) {
		snprintf(err, errsize, "--mongo-uri: %.200s", be.message);
		return NULL;
	}
	int32_t t = (int32_t)cfg->timeout_ms;
	/* Only where the user did not choose: their URI wins. */
	if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, t);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_CONNECTTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, t);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_SOCKETTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SOCKETTIMEOUTMS, t);
	mongoc_client_t *mc = mongoc_client_new_from_uri(uri);
	mongoc_uri_destroy(uri);
	if (!mc)
		snprintf(err, errsize, "cannot create the MongoDB client");
	else
		mongoc_client_set_appname(mc, "tickpipe-watchdog");
	return mc;
}

/* Dates, int64/int32 epoch ms, doubles (epoch ms) and ISO strings. */
static int64_t time_of(const bson_iter_t *it)
{
	switch (bson_iter_type(it)) {
	case BSON_TYPE_DATE_TIME: return bson_iter_date_time(it);
	case BSON_TYPE_INT64: return bson_iter_int64(it);
	case BSON_TYPE_INT32: return bson_iter_int32(it);
	case BSON_TYPE_DOUBLE: {
		double d = bson_iter_double(it);
		return d >= 0 && d < 253402300800000.0 ? (int64_t)d : -1;
	}
	case BSON_TYPE_UTF8: return wd_parse_iso8601(bson_iter_utf8(it, NULL));
	default: return -1;
	}
}

static void last_value(struct wd_result *r, const bson_t *doc)
{
	bson_iter_t it;
	char id[96] = "?";
	if (bson_iter_init_find(&it, doc, "_id")) {
		if (BSON_ITER_HOLDS_UTF8(&it))
			snprintf(id, sizeof id, "%s", bson_iter_utf8(&it, NULL));
		else if (BSON_ITER_HOLDS_OID(&it))
			bson_oid_to_string(bson_iter_oid(&it), id);
	}
	snprintf(r->last_value, sizeof r->last_value, "_id %s", id);
}

int wd_probe_mongo(mongoc_client_t *mc, const struct wd_cfg *cfg, struct wd_result *r)
{
	snprintf(r->target, sizeof r->target, "mongo:%s.%s", cfg->mongo_db, cfg->mongo_coll);
	r->kind = WD_MONGO;
	mongoc_collection_t *coll = mongoc_client_get_collection(mc, cfg->mongo_db, cfg->mongo_coll);
	bson_t *filter = BCON_NEW(cfg->mongo_field, "{", "$exists", BCON_BOOL(true), "}");
	bson_t *opts = BCON_NEW("sort", "{", cfg->mongo_field, BCON_INT32(-1), "}", "limit",
	                        BCON_INT64(1), "maxTimeMS", BCON_INT64(cfg->timeout_ms));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
	const bson_t *doc;
	bson_error_t be;
	r->newest_ms = -1;
	if (mongoc_cursor_next(cur, &doc)) {
		bson_iter_t it;
		if (bson_iter_init_find(&it, doc, cfg->mongo_field))
			r->newest_ms = time_of(&it);
		last_value(r, doc);
	}
	int rc = 0;
	if (mongoc_cursor_error(cur, &be)) {
		snprintf(r->error, sizeof r->error, "cannot query MongoDB: %.200s", be.message);
		rc = -1;
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	bson_destroy(opts);
	mongoc_collection_destroy(coll);
	r->checked = rc == 0;
	return rc;
}

/* The sorted find needs an index on the time field, or it scans and sorts
 * the whole archive and runs into maxTimeMS as the archive grows. The
 * collector indexes by day and source only, so the watchdog asks for a
 * descending index on its field (idempotent; a no-op when it exists). */
int wd_mongo_ensure_index(mongoc_client_t *mc, const struct wd_cfg *cfg, char *err,
                          size_t errsize)
{
	char name[160];
	snprintf(name, sizeof name, "watchdog_%s_desc", cfg->mongo_field);
	mongoc_collection_t *coll = mongoc_client_get_collection(mc, cfg->mongo_db, cfg->mongo_coll);
	bson_t *cmd = BCON_NEW("createIndexes", BCON_UTF8(cfg->mongo_coll), "indexes", "[", "{",
	                       "key", "{", cfg->mongo_field, BCON_INT32(-1), "}", "name",
	                       BCON_UTF8(name), "}", "]");
	bson_t reply;
	bson_error_t be;
	int ok = mongoc_collection_write_command_with_opts(coll, cmd, NULL, &reply, &be);
	if (!ok)
		snprintf(err, errsize, "creating index %s: %.200s", name, be.message);
	bson_destroy(&reply);
	bson_destroy(cmd);
	mongoc_collection_destroy(coll);
	return ok ? 0 : -1;
}
