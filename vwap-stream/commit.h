/* commit — offsets stored only after the bars they cover are acknowledged.
 *
 * Output is grouped in epochs: every produced message (bar or dead letter)
 * carries its epoch as the delivery opaque. At each update tick the current
 * epoch is sealed with a snapshot of "next offset to process" per partition;
 * once every message of that epoch and of all older ones is acknowledged,
 * the snapshot goes to rd_kafka_offsets_store (committed by librdkafka's
 * auto-commit, on revocation and on close). A failed delivery stops storing
 * for good: the process exits non-zero and a restart replays. */
#ifndef VS_COMMIT_H
#define VS_COMMIT_H

#include <librdkafka/rdkafka.h>
#include <stdint.h>

#define VS_EPOCHS 64

struct vs_commit;

struct vs_commit *vs_commit_new(rd_kafka_t *consumer, const char *topic);
void vs_commit_free(struct vs_commit *c);
/* The opaque for the next message of the current epoch. */
void *vs_commit_token(struct vs_commit *c);
/* From the delivery report: the message with token is settled. */
void vs_commit_done(struct vs_commit *c, void *token, int ok);
/* Records that offset of part was processed. */
void vs_commit_processed(struct vs_commit *c, int32_t part, int64_t offset);
/* Seals the current epoch. Returns 1 when all VS_EPOCHS epochs are in
 * flight: the caller must poll the producer before sealing again. */
int vs_commit_seal(struct vs_commit *c);
/* Stores the offsets of every fully acknowledged epoch, oldest first. */
void vs_commit_settle(struct vs_commit *c);
/* Forgets a partition (revoked): no stale snapshot of it is stored later. */
void vs_commit_forget(struct vs_commit *c, int32_t part);
long vs_commit_failed(const struct vs_commit *c);
/* Messages produced and not yet acknowledged. */
long vs_commit_pending(const struct vs_commit *c);

#endif
