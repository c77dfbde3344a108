/* libFuzzer target: the Finnhub websocket message and /quote parsers. Every
 * tick handed on must satisfy the ticks contract. */
#include "../../collector/finnhub.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check(void *opaque, const struct tick *t)
{
	char reason[128];
	(void)opaque;
	if (tick_validate(t, reason, sizeof reason))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char reason[256];
	col_fh_parse((const char *)data, size, 1795392000000, check, NULL, reason, sizeof reason);
	struct tick t;
	if (col_fh_parse_quote("AAPL", (const char *)data, size, 1795392000000, &t, reason,
	                       sizeof reason) == 0)
		check(NULL, &t);
	return 0;
}
