/* kis — the KIS (Korea Investment & Securities) websocket protocol, as the
 * collector sees it: data frames `E|TRID|NNN|payload`, JSON control messages
 * (subscribe acks, PINGPONG), the subscribe request and the approval-key REST
 * call. Pure functions, no I/O: the session (kis_session.c) does the talking.
 * Protocol facts: docs/collector.1 and the feeds notes. */
#ifndef COL_KIS_H
#define COL_KIS_H

#include <stddef.h>

#define COL_KIS_NFIELDS 46   /* H0STCNT0 fields per record */
#define COL_KIS_MAX_RECORDS 999
#define COL_KIS_MAX_FIELDS 65536

/* H0STCNT0 field indexes used by the normaliser. */
enum {
	KIS_F_CODE = 0, KIS_F_HOUR = 1, KIS_F_PRICE = 2, KIS_F_VWAP = 6, KIS_F_QTY = 12,
	KIS_F_ACML_VOL = 13, KIS_F_ACML_PBMN = 14, KIS_F_SIDE = 21, KIS_F_BSOP_DATE = 33
};

/* A parsed data frame. Field strings point into the caller's scratch buffer
 * (NUL-terminated there); record r's field i is field[r * stride + i]. */
struct col_kis_frame {
	int encrypted;
	char tr_id[16];
	int nrec;
	int stride; /* fields per record: 46, or more when the feed added columns */
	int nfields;
	char **field;
};

/* Parses a data frame. scratch is a copy of the frame the parser cuts into
 * fields (it must hold len+1 bytes); fields is an array of maxfields pointers.
 * Records are joined by '^' with no separator, so the count NNN decides
 * the slicing: NNN*46 fields, or NNN*k with k > 46 when every record carries
 * extra trailing columns, or extra fields at the end (ignored). Returns 0, or
 * -1 with a reason fit for the dlq. */
int col_kis_parse_frame(const char *frame, size_t len, char *scratch, char **fields,
                        int maxfields, struct col_kis_frame *f, char *reason, size_t rsize);

/* What a JSON control message is. */
enum col_kis_ctl_kind { KIS_CTL_UNKNOWN, KIS_CTL_PINGPONG, KIS_CTL_ACK };

struct col_kis_ack {
	char tr_id[16];
	char tr_key[16];
	char rt_cd[8];
	char msg_cd[16];
	char msg1[128];
	char key[40]; /* AES key and IV for encrypted TRs (kept, unused for H0STCNT0) */
	char iv[24];
};

/* Classifies a JSON control message (first byte '{'). Returns the kind; for an
 * ack fills *ack. -1 with reason when the text is not a JSON object. */
int col_kis_parse_ctl(const char *json, size_t len, struct col_kis_ack *ack, char *reason,
                      size_t rsize);

/* Writes the subscribe (tr_type "1") or unsubscribe ("2") message. Returns
 * the length, 0 when buf is too small. */
size_t col_kis_subscribe_msg(char *buf, size_t size, const char *approval_key,
                             const char *custtype, const char *tr_id, const char *tr_key,
                             int subscribe);

/* The body of POST /oauth2/Approval (the secret's field is "secretkey").
 * Returns a malloc'd string the caller frees (and wipes: it holds the secret). */
char *col_kis_approval_body(const char *appkey, const char *secret);
/* Reads approval_key from the REST response; 0, or -1 with reason. */
int col_kis_approval_key(const char *json, size_t len, char *key, size_t size, char *reason,
                         size_t rsize);

#endif
