/* libFuzzer target: es-sink's record → bulk item path (contract decoders,
 * index naming, one-line re-serialisation, the bulk body writer). An accepted
 * record must yield one action line and one source line without a raw newline. */
#include "../../es-sink/es_bulk.h"
#include "../../es-sink/es_doc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum es_kind k = (enum es_kind)(data[0] % ES_NKINDS);
	struct es_doc d;
	char reason[320];
	if (es_doc_from_payload(k, "fz", (const char *)data + 1, size - 1, &d, reason, sizeof reason))
		return 0;
	if (memchr(d.src, '\n', d.len) || memchr(d.src, '\r', d.len))
		abort();
	struct es_buf b = {0};
	if (es_bulk_append(&b, &d) == 0) {
		size_t lines = 0;
		for (size_t i = 0; i < b.len; i++)
			lines += b.p[i] == '\n';
		if (lines != 2)
			abort();
	}
	es_buf_free(&b);
	es_doc_free(&d);
	return 0;
}
