/* fuzz_tick_fast — differential: lib/tickfast must agree with tick_decode
 * (accept/reject, every field, the reason) on any input. */
#include "tick.h"
#include "tickfast.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int same_num(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tick a, b;
	char ra[256] = "", rb[256] = "";
	int x = tickfast_decode((const char *)data, size, &a, ra, sizeof ra);
	int y = tick_decode((const char *)data, size, &b, rb, sizeof rb);
	if (x != y || (x && strcmp(ra, rb)))
		abort();
	if (!x && (strcmp(a.id, b.id) || strcmp(a.source, b.source) || strcmp(a.symbol, b.symbol) ||
	           strcmp(a.exchange, b.exchange) || strcmp(a.day, b.day) || strcmp(a.side, b.side) ||
	           a.ts != b.ts || a.recv_ts != b.recv_ts || !same_num(a.price, b.price) ||
	           !same_num(a.qty, b.qty) || !same_num(a.cum_volume, b.cum_volume) ||
	           !same_num(a.cum_turnover, b.cum_turnover) || !same_num(a.feed_vwap, b.feed_vwap)))
		abort();
	return 0;
}
