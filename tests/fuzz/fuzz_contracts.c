/* libFuzzer target: the topic-contract decoders, number formatting and the
 * calendar parser must never crash, leak or read out of bounds; whatever
 * tick_decode or bar_decode accepts must survive an encode/decode round trip unchanged, and
 * every double must print as text that reads back as itself. */
#include "anomaly.h"
#include "bar.h"
#include "numfmt.h"
#include "tick.h"
#include "tradecal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void tick_round_trip(const uint8_t *data, size_t size)
{
	struct tick t, back;
	char reason[256], buf[TICK_JSON_MAX * 4];
	if (tick_decode((const char *)data, size, &t, reason, sizeof reason) != 0)
		return;
	size_t n = tick_encode(&t, buf, sizeof buf);
	if (!n || tick_decode(buf, n, &back, reason, sizeof reason) != 0)
		abort();
	if (strcmp(t.id, back.id) || t.ts != back.ts || t.price != back.price || t.qty != back.qty)
		abort();
}

static void bar_round_trip(const uint8_t *data, size_t size)
{
	struct bar b, back;
	char reason[256], buf[BAR_JSON_MAX * 4];
	if (bar_decode((const char *)data, size, &b, reason, sizeof reason) != 0)
		return;
	size_t n = bar_encode(&b, buf, sizeof buf);
	if (!n || bar_decode(buf, n, &back, reason, sizeof reason) != 0)
		abort();
	if (strcmp(b.id, back.id) || b.start != back.start || b.close != back.close ||
	    b.trades != back.trades || b.final != back.final || b.nind < back.nind)
		abort();
}

/* Any 8 bytes as a double: the text must read back as the same double. */
static void number_round_trip(const uint8_t *data, size_t size)
{
	double v;
	char buf[NUMFMT_MAX];
	if (size < sizeof v)
		return;
	memcpy(&v, data, sizeof v);
	int n = numfmt_double(v, buf);
	if (n <= 0 || n >= NUMFMT_MAX || (isfinite(v) && strtod(buf, NULL) != v))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char reason[256];
	tick_round_trip(data, size);
	number_round_trip(data, size);
	bar_round_trip(data, size);
	struct anomaly a;
	if (anomaly_decode((const char *)data, size, &a, reason, sizeof reason) == 0)
		anomaly_free_original(&a);
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	struct calendar c = {.exch = EXCH_KRX};
	if (cal_parse(&c, text, reason, sizeof reason) == 0)
		cal_free(&c);
	free(text);
	return 0;
}
