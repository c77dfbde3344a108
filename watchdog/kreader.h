/* kreader — single messages at chosen offsets (see kreader.c). */
#ifndef WD_KREADER_H
#define WD_KREADER_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

struct conf;

struct wd_read {
	const char *topic;
	int32_t partition;
	int64_t start, end; /* read [start, end): end is the high watermark */
	int first_only;     /* stop at the first message (a group's next one) */
	/* out */
	int got, done;
	int64_t offset, ts;
	char key[48];
	char error[128];
};

/* An assign-only reader with read_committed and partition EOF reporting. */
rd_kafka_t *wd_kafka_new(const struct conf *c, const char *brokers, int timeout_ms, char *err,
                         size_t errsize);
/* Watermarks, retrying transient leadership errors until timeout_ms. */
rd_kafka_resp_err_t wd_watermarks(rd_kafka_t *rk, const char *topic, int32_t partition,
                                  int64_t *lo, int64_t *hi, int timeout_ms);
/* Reads every entry; 0, or -1 when some did not finish within timeout_ms. */
int wd_kafka_read(rd_kafka_t *rk, struct wd_read *rd, int n, int timeout_ms);

#endif
