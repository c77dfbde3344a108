/* es-sink — bars (and, by flag, anomalies and ticks) from Kafka into
 * Elasticsearch with the _bulk API: idempotent (_id = record id, external
 * versions for bars), outage-proof (pause, back off, resume), offsets stored
 * only once every item is indexed or dead-lettered. See docs/es-sink.1. */
#include "app.h"
#include "es_sink.h"
#include "fetchnudge.h"
#include "es_template.h"
#include "http.h"
#include "kafka.h"
#include "log.h"
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct conf_opt opts[] = {
	APP_COMMON_OPTS,
	{"group", "TICKPIPE_GROUP", "es-sink", 0, "consumer group id"},
	{"bars-topic", "TICKPIPE_BARS_TOPIC", "bars", 0, "bars topic"},
	{"anomalies-topic", "TICKPIPE_ANOMALIES_TOPIC", "anomalies", 0, "anomalies topic"},
	{"ticks-topic", "TICKPIPE_TICKS_TOPIC", "ticks", 0, "ticks topic"},
	{"dlq-topic", "TICKPIPE_DLQ_TOPIC", "dlq", 0, "dead-letter topic"},
	{"with-anomalies", "ES_SINK_WITH_ANOMALIES", NULL, CONF_SWITCH, "also index the anomalies topic"},
	{"with-ticks", "ES_SINK_WITH_TICKS", NULL, CONF_SWITCH, "also index the ticks topic"},
	{"no-bars", "ES_SINK_NO_BARS", NULL, CONF_SWITCH, "do not index the bars topic"},
	{"es-url", "ES_URL", "http://127.0.0.1:9200", 0, "Elasticsearch URL (may carry a path prefix)"},
	{"es-user", "ES_USER", NULL, 0, "basic auth user"},
	{"es-password", "ES_PASSWORD", NULL, CONF_SECRET, "basic auth password"},
	{"es-api-key", "ES_API_KEY", NULL, CONF_SECRET, "API key (base64 id:key), sent as ApiKey"},
	{"es-ca-file", "ES_CA_FILE", NULL, 0, "CA bundle to verify Elasticsearch's certificate"},
	{"es-insecure", "ES_INSECURE", NULL, CONF_SWITCH, "skip TLS verification (tests only)"},
	{"es-timeout-ms", "ES_TIMEOUT_MS", "15000", 0, "timeout of one bulk request"},
	{"index-prefix", "ES_INDEX_PREFIX", "tickpipe", 0, "indices are <prefix>-<kind>-YYYY.MM.DD"},
	{"index-replicas", "ES_INDEX_REPLICAS", "1", 0, "number_of_replicas in the index templates"},
	{"index-refresh", "ES_INDEX_REFRESH", "1s", 0, "refresh_interval in the index templates"},
	{"batch-docs", "ES_BATCH_DOCS", "2000", 0, "send a bulk request at this many documents"},
	{"bulk-lanes", "ES_BULK_LANES", "2", 0,
	 "split each bulk over this many parallel connections (1-8)"},
	{"batch-bytes", "ES_BATCH_BYTES", "4000000", 0, "... or at this many bytes"},
	{"batch-ms", "ES_BATCH_MS", "500", 0, "... or when the oldest document waited this long"},
	{"backoff-ms", "ES_BACKOFF_MS", "200", 0, "first retry delay (doubles, with jitter)"},
	{"backoff-max-ms", "ES_BACKOFF_MAX_MS", "10000", 0, "longest retry delay"},
	{"drain-ms", "ES_DRAIN_MS", "8000", 0, "after SIGTERM, stop retrying after this long"},
};

struct settings {
	long replicas, timeout_ms, docs, bytes, ms, bo, bo_max, drain, lanes;
};

static int read_numbers(const struct conf *c, struct settings *v, char *err, size_t es)
{
	return conf_long(c, "index-replicas", 0, 100, &v->replicas, err, es) ||
	       conf_long(c, "es-timeout-ms", 100, 600000, &v->timeout_ms, err, es) ||
	       conf_long(c, "batch-docs", 1, 1000000, &v->docs, err, es) ||
	       conf_long(c, "bulk-lanes", 1, ES_MAX_LANES, &v->lanes, err, es) ||
	       conf_long(c, "batch-bytes", 1000, 100000000, &v->bytes, err, es) ||
	       conf_long(c, "batch-ms", 1, 600000, &v->ms, err, es) ||
	       conf_long(c, "backoff-ms", 1, 600000, &v->bo, err, es) ||
	       conf_long(c, "backoff-max-ms", 1, 3600000, &v->bo_max, err, es) ||
	       conf_long(c, "drain-ms", 0, 600000, &v->drain, err, es);
}

/* Prints the index templates (for review, or to install by hand). */
static int print_templates(const struct conf *c, long replicas)
{
	for (int k = 0; k < ES_NKINDS; k++) {
		char name[160], body[4096];
		es_template_name((enum es_kind)k, conf_str(c, "index-prefix"), name, sizeof name);
		es_template_json((enum es_kind)k, conf_str(c, "index-prefix"), (int)replicas,
		                 conf_str(c, "index-refresh"), body, sizeof body);
		printf("PUT _index_template/%s\n%s\n", name, body);
	}
	return 0;
}

static void fill_opts(const struct conf *c, const struct settings *v, struct es_sink_opts *o)
{
	memset(o, 0, sizeof *o);
	o->prefix = conf_str(c, "index-prefix");
	o->dlq_topic = conf_str(c, "dlq-topic");
	o->topic[ES_BARS] = conf_bool(c, "no-bars") ? NULL : conf_str(c, "bars-topic");
	o->topic[ES_ANOMALIES] = conf_bool(c, "with-anomalies") ? conf_str(c, "anomalies-topic") : NULL;
	o->topic[ES_TICKS] = conf_bool(c, "with-ticks") ? conf_str(c, "ticks-topic") : NULL;
	o->lim = (struct es_limits){(int)v->docs, (size_t)v->bytes, v->ms};
	o->backoff_base_ms = v->bo;
	o->backoff_max_ms = v->bo_max;
	o->drain_ms = v->drain;
	o->lanes = (int)v->lanes;
}

static struct http_client *make_http(const struct conf *c, long timeout_ms, char *err, size_t es)
{
	struct http_opts h = {
		.base_url = conf_str(c, "es-url"), .ca_file = conf_str(c, "es-ca-file"),
		.user = conf_str(c, "es-user"), .password = conf_str(c, "es-password"),
		.api_key = conf_str(c, "es-api-key"), .connect_timeout_ms = 3000,
		.timeout_ms = timeout_ms, .insecure = conf_bool(c, "es-insecure")};
	return http_client_new(&h, err, es);
}

static int topics_list(const struct es_sink_opts *o, char *out, size_t size)
{
	out[0] = '\0';
	for (int k = 0; k < ES_NKINDS; k++)
		if (o->topic[k])
			snprintf(out + strlen(out), size - strlen(out), "%s%s", out[0] ? "," : "", o->topic[k]);
	return out[0] ? 0 : -1;
}

struct clients {
	rd_kafka_t *consumer, *producer;
	struct http_client *http[ES_MAX_LANES]; /* one per lane; [0] also installs templates */
	struct metrics *reg;
};

static void clients_free(struct clients *k)
{
	if (k->producer) {
		kafka_drain(k->producer, 5000);
		kafka_producer_destroy(k->producer);
	}
	if (k->reg)
		metrics_free(k->reg);
	for (int i = 0; i < ES_MAX_LANES; i++)
		http_client_free(k->http[i]);
}

static int make_lanes_http(const struct conf *c, const struct settings *v, struct clients *k,
                           char *err, size_t es)
{
	for (long i = 0; i < v->lanes; i++)
		if (!(k->http[i] = make_http(c, v->timeout_ms, err, es)))
			return -1;
	return 0;
}

/* Clients, templates, metrics, subscription; then the loop. */
static int serve(struct conf *c, const struct settings *v, const struct es_sink_opts *o)
{
	char err[512], topics[512];
	struct clients k = {0};
	struct es_sink *s = calloc(1, sizeof *s);
	struct kafka_hooks hooks = {.on_revoke = es_sink_on_revoke, .opaque = s};
	int kinds_on[ES_NKINDS], rc = EXIT_RUNTIME;
	for (int i = 0; i < ES_NKINDS; i++)
		kinds_on[i] = o->topic[i] != NULL;
	long port = 0;
	if (topics_list(o, topics, sizeof topics) ||
	    conf_long(c, "metrics-port", 0, 65535, &port, err, sizeof err)) {
		rc = app_usage_error(c, "%s", topics[0] ? err : "no topic to consume (--no-bars alone)");
		goto out;
	}
	if (make_lanes_http(c, v, &k, err, sizeof err) ||
	    !(k.producer = kafka_producer_new(c, conf_str(c, "brokers"), NULL, err, sizeof err))) {
		rc = app_usage_error(c, "%s", err);
		goto out;
	}
	/* A small prefetch queue, kept full by the nudge (es_run.c): librdkafka's
	 * 64 MB queue and fetches only cost memory here, the node sets the pace.
	 * bench_es_sink (100,000 bars, 2 runs each): peak RSS 88.7 MB with the
	 * defaults, 54.5 MB with these, 52.1 MB with an 8 MB queue; docs/s within
	 * the runs' spread. After the producer: it would warn about them. */
	fetch_nudge_conf_defaults(c);
	if (!(k.consumer = kafka_consumer_new(c, conf_str(c, "brokers"), conf_str(c, "group"), &hooks,
	                                      err, sizeof err))) {
		rc = app_usage_error(c, "%s", err);
		goto out;
	}
	k.reg = metrics_new("tickpipe_es_sink");
	es_sink_init(s, o, k.consumer, k.producer, k.http, k.reg);
	if (port && metrics_serve(k.reg, conf_str(c, "metrics-addr"), (int)port, es_sink_health, s,
	                          err, sizeof err) < 0) {
		rc = app_usage_error(c, "%s", err);
		goto out;
	}
	if (es_sink_install_templates(k.http[0], o->prefix, (int)v->replicas, conf_str(c, "index-refresh"),
	                              kinds_on, err, sizeof err) ||
	    kafka_subscribe(k.consumer, topics, err, sizeof err)) {
		log_error("startup_failed", "error=%s", err);
		goto out;
	}
	log_info("started",
	         "topics=%s index_prefix=%s batch_docs=%d batch_bytes=%zu batch_ms=%lld lanes=%d",
	         topics, o->prefix, o->lim.max_docs, o->lim.max_bytes, (long long)o->lim.max_ms,
	         s->lanes.n);
	rc = es_sink_run(s);
out:
	if (k.consumer)
		kafka_consumer_close(k.consumer);
	if (k.reg)
		metrics_stop(k.reg);
	es_sink_free(s);
	free(s);
	clients_free(&k);
	return rc;
}

int main(int argc, char **argv)
{
	struct conf c = {.prog = "es-sink", .commands = "[templates]", .opts = opts,
	                 .summary = "index bars (and anomalies, ticks) into Elasticsearch",
	                 .nopts = (int)(sizeof opts / sizeof opts[0])};
	int rc = app_init(&c, argc, argv);
	if (rc >= 0) {
		conf_free(&c);
		return rc;
	}
	char err[512];
	struct settings v;
	struct es_sink_opts o;
	if (read_numbers(&c, &v, err, sizeof err))
		rc = app_usage_error(&c, "%s", err);
	else if (!es_prefix_valid(conf_str(&c, "index-prefix")))
		rc = app_usage_error(&c, "--index-prefix must be lowercase letters, digits, '-', '_' "
		                         "or '.' (an Elasticsearch index name), got \"%s\"",
		                     conf_str(&c, "index-prefix"));
	else if (c.nargs > 1 || (c.nargs == 1 && strcmp(c.args[0], "templates") != 0))
		rc = app_usage_error(&c, "unknown command %s (try --help)", c.args[0]);
	else if (c.check_only)
		rc = 0;
	else if (c.nargs == 1)
		rc = print_templates(&c, v.replicas);
	else {
		fill_opts(&c, &v, &o);
		rc = serve(&c, &v, &o);
	}
	conf_free(&c);
	return rc;
}
