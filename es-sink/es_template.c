/* es_template — index templates. See es_template.h. */
#include "es_template.h"

#include <stdio.h>

#define DATE "{\"type\":\"date\",\"format\":\"epoch_millis\"}"
#define KW "{\"type\":\"keyword\"}"
#define DBL "{\"type\":\"double\"}"

static const char *const bar_props =
	"\"v\":{\"type\":\"short\"},\"id\":" KW ",\"symbol\":" KW ",\"exchange\":" KW
	",\"window\":" KW ",\"start\":" DATE ",\"end\":" DATE ",\"day\":" KW ",\"open\":" DBL
	",\"high\":" DBL ",\"low\":" DBL ",\"close\":" DBL ",\"volume\":" DBL ",\"turnover\":" DBL
	",\"vwap\":" DBL ",\"trades\":{\"type\":\"long\"},\"cum_vwap\":" DBL
	",\"final\":{\"type\":\"boolean\"},\"updated_ts\":" DATE ",\"cross\":" KW;

static const char *const anomaly_props =
	"\"v\":{\"type\":\"short\"},\"id\":" KW ",\"rule_id\":" KW ",\"kind\":" KW
	",\"symbol\":" KW ",\"ts\":" DATE ",\"observed\":" DBL ",\"threshold\":" DBL
	",\"message\":{\"type\":\"text\",\"fields\":{\"raw\":{\"type\":\"keyword\",\"ignore_above\":512}}}"
	",\"source_topic\":" KW ",\"original\":{\"type\":\"object\",\"enabled\":false}";

static const char *const tick_props =
	"\"v\":{\"type\":\"short\"},\"id\":" KW ",\"source\":" KW ",\"symbol\":" KW
	",\"exchange\":" KW ",\"day\":" KW ",\"ts\":" DATE ",\"recv_ts\":" DATE ",\"price\":" DBL
	",\"qty\":" DBL ",\"cum_volume\":" DBL ",\"cum_turnover\":" DBL ",\"feed_vwap\":" DBL
	",\"side\":" KW;

/* Order matters: the first matching dynamic template wins. */
static const char *const dynamic_templates =
	"[{\"indicators\":{\"match_pattern\":\"regex\","
	"\"match\":\"^((sma|ema)_[0-9]+|ma7d|volatility)$\",\"mapping\":" DBL "}},"
	"{\"stray_objects\":{\"match_mapping_type\":\"object\","
	"\"mapping\":{\"type\":\"object\",\"enabled\":false}}},"
	"{\"stray_values\":{\"match_mapping_type\":\"*\","
	"\"mapping\":{\"type\":\"keyword\",\"ignore_above\":1024}}}]";

void es_template_name(enum es_kind k, const char *prefix, char *out, size_t size)
{
	snprintf(out, size, "%s-%s", prefix, es_kind_name(k));
}

size_t es_template_json(enum es_kind k, const char *prefix, int replicas, const char *refresh,
                        char *out, size_t size)
{
	const char *props = k == ES_BARS ? bar_props : k == ES_TICKS ? tick_props : anomaly_props;
	int n = snprintf(out, size,
	                 "{\"index_patterns\":[\"%s-%s-*\"],\"priority\":200,"
	                 "\"_meta\":{\"managed_by\":\"tickpipe es-sink\"},"
	                 "\"template\":{\"settings\":{\"number_of_shards\":1,"
	                 "\"number_of_replicas\":%d,\"refresh_interval\":\"%s\"},"
	                 "\"mappings\":{\"dynamic\":true,\"date_detection\":false,"
	                 "\"numeric_detection\":false,\"dynamic_templates\":%s,"
	                 "\"properties\":{%s}}}}",
	                 prefix, es_kind_name(k), replicas, refresh, dynamic_templates, props);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
