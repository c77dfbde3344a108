/* es_template — the composable index templates es-sink installs at start-up
 * (PUT _index_template/<prefix>-<kind>, idempotent: same body, same result).
 *
 * Times are `date` in epoch_millis, so Kibana converts them to the viewer's
 * zone (deploy/kibana sets dateFormat:tz to Asia/Seoul); prices and volumes
 * are doubles; indicator members (sma_N, ema_N, ma7d, volatility) are doubles
 * through a dynamic template; any other stray member becomes a keyword (or a
 * stored, unindexed object) so an unexpected field cannot change a mapping in
 * a way that breaks later documents. */
#ifndef ES_TEMPLATE_H
#define ES_TEMPLATE_H

#include "es_doc.h"

#include <stddef.h>

/* Writes the template body for kind; returns its length, or 0 when it does not fit. */
size_t es_template_json(enum es_kind k, const char *prefix, int replicas, const char *refresh,
                        char *out, size_t size);

/* The template's name: <prefix>-<kind>. */
void es_template_name(enum es_kind k, const char *prefix, char *out, size_t size);

#endif
