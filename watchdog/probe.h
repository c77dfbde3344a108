/* probe — one function per kind of target; each fills a wd_result and
 * returns 0, or -1 with r->error set ("cannot check", never stale). */
#ifndef WD_PROBE_H
#define WD_PROBE_H

#include "wd.h"

#include <librdkafka/rdkafka.h>
#include <mongoc/mongoc.h>

struct http_client;

int wd_probe_topic(rd_kafka_t *rk, const char *topic, int timeout_ms, struct wd_result *r);
int wd_probe_group(rd_kafka_t *rk, const char *group, struct wd_hist *hist,
                   const struct wd_cfg *cfg, int64_t now, struct wd_result *r);
int wd_probe_es(struct http_client *hc, const struct wd_cfg *cfg, struct wd_result *r);
int wd_probe_mongo(mongoc_client_t *mc, const struct wd_cfg *cfg, struct wd_result *r);

struct http_client *wd_es_client(const struct wd_cfg *cfg, const char *user,
                                 const char *password, const char *api_key,
                                 const char *ca_file, char *err, size_t errsize);
mongoc_client_t *wd_mongo_client(const struct wd_cfg *cfg, char *err, size_t errsize);
int wd_mongo_ensure_index(mongoc_client_t *mc, const struct wd_cfg *cfg, char *err,
                          size_t errsize);

#endif
