/* libFuzzer target: the KIS data frame parser, the normaliser on every
 * record it yields, and the control-message parser. Nothing may crash, and
 * every record of an accepted frame lies inside the frame's fields. */
#include "../../collector/kis.h"
#include "../../collector/normalize.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *fields[COL_KIS_MAX_FIELDS];
	char *scratch = malloc(size + 1), reason[256];
	struct col_kis_frame f;
	if (col_kis_parse_frame((const char *)data, size, scratch, fields, COL_KIS_MAX_FIELDS, &f,
	                        reason, sizeof reason) == 0) {
		if ((long)f.nrec * f.stride > f.nfields)
			abort();
		for (int r = 0; r < f.nrec; r++) {
			struct tick t;
			col_kis_to_tick(&f, r, 1795392000000, &t, reason, sizeof reason);
		}
	}
	struct col_kis_ack a;
	col_kis_parse_ctl((const char *)data, size, &a, reason, sizeof reason);
	free(scratch);
	return 0;
}
