/* libFuzzer target: the watchdog's parsers — --now / archive ISO-8601 times,
 * the --thresholds list, and the Elasticsearch search response.
 *
 * The watchdog's sources are included rather than linked: the Makefile's
 * FUZZ_OWNER map has no entry for it (see the report that asked for one), and
 * a name without an owner links lib/ alone. */
#include "../../watchdog/esprobe.c"
#include "../../watchdog/opts.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void iso(const char *s)
{
	int64_t t = wd_parse_iso8601(s);
	if (t < 0 || t > 253402300799999LL) /* year 9999: beyond, the format widens */
		return;
	char out[32];
	wd_format_iso(t, out);
	if (wd_parse_iso8601(out) != t) /* what we print, we read back the same */
		abort();
}

static void thresholds(char *s)
{
	struct wd_cfg cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.threshold_ms = 300000;
	cfg.thresholds = s;
	int64_t v = wd_threshold_for(&cfg, "topic:ticks");
	if (v == 0)
		abort(); /* zero or negative thresholds are refused, not returned */
}

static void es_response(const char *s)
{
	struct wd_result r;
	memset(&r, 0, sizeof r);
	if (parse(&r, s) == 0 && r.newest_ms == 0)
		abort(); /* a document without a positive sort value is "none", -1 */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = 0;
	switch (data[0] % 3) {
	case 0: iso(s); break;
	case 1: thresholds(s); break;
	default: es_response(s); break;
	}
	free(s);
	return 0;
}
