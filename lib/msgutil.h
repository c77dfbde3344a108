/* msgutil — helpers shared by the contract decoders (tick, bar, anomaly). */
#ifndef TP_MSGUTIL_H
#define TP_MSGUTIL_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Each returns 0, or -1 with reason "missing field X" / "field X must be ...".
 * Optional getters leave *out untouched when the member is absent or null. */
int msg_get_str(const cJSON *o, const char *key, char *out, size_t size, int required,
                char *reason, size_t rsize);
int msg_get_num(const cJSON *o, const char *key, double *out, int required, char *reason,
                size_t rsize);
int msg_get_int(const cJSON *o, const char *key, int64_t *out, int required, char *reason,
                size_t rsize);
/* The same checks on a member already found (m may be NULL: absent); key
 * only names it in the reason. Decoders that walk an object once use these. */
int msg_str(const cJSON *m, const char *key, char *out, size_t size, int required, char *reason,
            size_t rsize);
int msg_num(const cJSON *m, const char *key, double *out, int required, char *reason,
            size_t rsize);
int msg_int(const cJSON *m, const char *key, int64_t *out, int required, char *reason,
            size_t rsize);
/* Parses json (not NUL-terminated) as an object with "v" equal to version. */
cJSON *msg_parse(const char *json, size_t len, int version, char *reason, size_t rsize);
/* 1 when s is YYYY-MM-DD in plain digits, year >= 1970, month 1-12, day 1-31. */
int msg_is_day(const char *s);
/* Copies src into dst[size] (size > 0), truncating; NUL-terminated. Returns
 * the length copied. The hot paths' replacement for snprintf("%s"). */
size_t msg_copy(char *dst, size_t size, const char *src);

#endif
