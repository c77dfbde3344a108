/* libFuzzer target: es-sink's bulk response parser. Whatever Elasticsearch
 * (or a proxy in front of it) answers, the parser must classify every item or
 * refuse the body, never read out of bounds. The first byte picks how many
 * items the request had. */
#include "../../es-sink/es_bulk.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int n = data[0] % 17;
	struct es_item_result res[17];
	char err[128];
	int bad = es_bulk_parse((const char *)data + 1, size - 1, n, res, err, sizeof err);
	if (bad > n)
		abort();
	for (int k = 0; bad >= 0 && k < n; k++)
		if (res[k].cls > ES_ITEM_FAIL || strlen(res[k].reason) >= sizeof res[k].reason)
			abort();
	return 0;
}
